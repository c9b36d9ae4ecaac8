#!/bin/bash
cd /tmp/exp/bp
REST="/work/main/benchmarks/target/classes:$(cat /tmp/exp/w4/cp.txt)"; c=${CLASSES:-/tmp/exp/base67}
out=$1; : > $out
for r in $(seq 1 $2); do for cfg in $3; do P=""; W=""; case $cfg in worker) W="-Dwargs=-XX:+AlwaysPreTouch";; parent) P="-XX:+AlwaysPreTouch";; both) P="-XX:+AlwaysPreTouch"; W="-Dwargs=-XX:+AlwaysPreTouch";; esac
echo "$r $cfg $(java $P $W -Dchild=true -cp ".:$c:$REST" io.ipcworkers.benchmarks.BusPass 256 4 2>/dev/null | grep -E 'passes|child' | sed 's/ inflight.*//' | tr '\n' ' ')" >> $out
done; done; echo finished >> $out
