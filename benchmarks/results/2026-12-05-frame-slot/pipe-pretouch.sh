#!/bin/bash
# pipe-pretouch.sh ROUNDS OUT BASE_DIR VARIANT_DIR: rounds of ../2026-12-04-bus-pass2/PipePass.java -Dsend=true 1 3
# (the official order for bus_pipelined_requests_1w, then two more passes) with each version's core classes, its
# worker as always ("none") and with -XX:+AlwaysPreTouch ("pretouch"); each line "round version-config 1w figures...".
cd /tmp/exp/bp
REST="/work/main/benchmarks/target/classes:$(cat /tmp/exp/w4/cp.txt)"
out=$2; : > $out
for r in $(seq 1 $1); do
  for v in base var; do
    if [ $v = base ]; then c=$3; else c=$4; fi
    for cfg in none pretouch; do
      W=""; [ $cfg = pretouch ] && W="-Dwargs=-XX:+AlwaysPreTouch"
      echo "$r $v-$cfg $(java $W -Dsend=true -cp ".:$c:$REST" io.ipcworkers.benchmarks.PipePass 1 3 2>/dev/null | tail -1)" >> $out
    done
  done
done
echo finished >> $out
