#!/bin/bash
# pab.sh ROUNDS OUT VARIANT_DIR: alternating PipePass 1 8 (one worker, eight passes of 200,000 pipelined requests), base67 against a variant
cd /tmp/exp/bp
REST="/work/main/benchmarks/target/classes:$(cat /tmp/exp/w4/cp.txt)"
out=$2; : > $out
for r in $(seq 1 $1); do
  if [ $((r % 2)) = 1 ]; then order="base var"; else order="var base"; fi
  for v in $order; do
    if [ $v = base ]; then c=/tmp/exp/base67; else c=$3; fi
    echo "$r $v $(java -cp ".:$c:$REST" io.ipcworkers.benchmarks.PipePass 1 8 2>/dev/null | tail -1)" >> $out
  done
done
echo finished >> $out
