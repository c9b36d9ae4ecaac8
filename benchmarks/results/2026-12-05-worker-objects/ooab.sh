#!/bin/bash
# ooab.sh ROUNDS OUT VARIANT_DIR: alternating OfficialOrderPass runs (-Dchild=true), base67 against a variant
cd /tmp/exp/bp
REST="/work/main/benchmarks/target/classes:$(cat /tmp/exp/w4/cp.txt)"
out=$2; : > $out
for r in $(seq 1 $1); do
  if [ $((r % 2)) = 1 ]; then order="base var"; else order="var base"; fi
  for v in $order; do
    if [ $v = base ]; then c=/tmp/exp/base67; else c=$3; fi
    echo "$r $v $(java -Dchild=true -cp ".:$c:$REST" io.ipcworkers.benchmarks.OfficialOrderPass 256 4 2>/dev/null | grep -E 'passes' | sed 's/ inflight.*//')" >> $out
  done
done
echo finished >> $out
