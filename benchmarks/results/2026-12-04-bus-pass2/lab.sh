#!/bin/bash
cd /tmp/exp/bp
REST="/work/main/benchmarks/target/classes:$(cat /tmp/exp/w4/cp.txt)"
out=/tmp/exp/bp/lab.txt; : > $out
for r in 1 2 3 4 5 6 7 8; do
  if [ $((r % 2)) = 1 ]; then order="old new"; else order="new old"; fi
  for v in $order; do
    if [ $v = old ]; then c=/tmp/exp/ab/old/core/target/classes; else c=/work/main/core/target/classes; fi
    for w in 1 2; do
      echo "$r $v $(java -cp ".:$c:$REST" io.ipcworkers.benchmarks.PipePass $w 3 2>/dev/null | tail -1)" >> $out
    done
    echo "$r $v bus $(java -cp ".:$c:$REST" io.ipcworkers.benchmarks.BusPass 256 2 2>/dev/null | grep passes | cut -d' ' -f1-3)" >> $out
  done
done
echo finished >> $out
