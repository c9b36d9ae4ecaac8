#!/bin/bash
# bab.sh ROUNDS OUT VARIANT_DIR: alternating `Benchmarks child bus` runs (the official main, classes put first on its class path), base67 against a variant
cd /tmp/exp/bp
CP="/tmp/exp/r67/lib/benchmarks/target/classes:$(cat /tmp/exp/r67/lib/benchmarks/target/classpath.txt)"
out=$2; : > $out
for r in $(seq 1 $1); do
  if [ $((r % 2)) = 1 ]; then order="base var"; else order="var base"; fi
  for v in $order; do
    if [ $v = base ]; then c=/tmp/exp/base67; else c=$3; fi
    echo "$r $v $(java -cp "$c:$CP" io.ipcworkers.benchmarks.Benchmarks child bus 2>/dev/null | grep '^{' | python3 -c '
import sys,json
d={}
for l in sys.stdin:
    r=json.loads(l); d[r["peer"]]=r["throughput_msgs_s"]
print(d.get("ipc-workers"), d.get("ipc-workers-bus"))')" >> $out
  done
done
echo finished >> $out
