#!/bin/bash
cd /tmp/exp/bp
REST="/work/main/benchmarks/target/classes:$(cat /tmp/exp/w4/cp.txt)"
out=/tmp/exp/bp/flab.txt; : > $out
for r in 1 2 3 4 5 6; do
  if [ $((r % 2)) = 1 ]; then order="base new"; else order="new base"; fi
  for v in $order; do
    if [ $v = base ]; then c=/tmp/exp/base63; else c=/tmp/exp/vflush; fi
    echo "$r $v child $(java -cp "$c:$REST" io.ipcworkers.benchmarks.Benchmarks child 2>/dev/null | grep '^{' | head -1)" >> $out
    echo "$r $v bus $(java -cp ".:$c:$REST" io.ipcworkers.benchmarks.BusPass 256 2 2>/dev/null | grep passes | sed 's/ inflight.*//')" >> $out
  done
done
echo finished >> $out
