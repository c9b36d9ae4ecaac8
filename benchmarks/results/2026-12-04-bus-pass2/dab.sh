#!/bin/bash
# dab.sh ROUNDS PASSES OUT: alternating rounds of BusPass 256 PASSES, base classes against the variant's
cd /tmp/exp/bp
REST="/work/main/benchmarks/target/classes:$(cat /tmp/exp/w4/cp.txt)"
out=${3:-/tmp/exp/bp/dab.txt}; : > $out
for r in $(seq 1 ${1:-10}); do
  if [ $((r % 2)) = 1 ]; then order="base v64"; else order="v64 base"; fi
  for v in $order; do
    if [ $v = base ]; then c=/tmp/exp/base63; else c=/tmp/exp/v64; fi
    echo "$r $v $(java -cp ".:$c:$REST" io.ipcworkers.benchmarks.BusPass 256 ${2:-3} 2>/dev/null | grep passes | sed 's/ inflight.*//')" >> $out
  done
done
echo finished >> $out
