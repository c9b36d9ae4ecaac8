#!/bin/bash
# [BASE=DIR] rounds.sh KIND ROUNDS OUT VARIANT_DIR: alternating rounds of one run of the base's core classes
# (BASE, by default base67: a053922's) and one of the variant's, each line "round version figures...". KIND:
#   order - BusPass -Dchild=true 256 4 (../2026-12-04-bus-pass2/BusPass.java): the official run's order, four passes
#   main  - the official main, Benchmarks child bus, the core classes first on its class path: ChildProcess's and the bus's one-way figures
#   pipe  - PipePass 1 8 (../2026-12-04-bus-pass2/PipePass.java): eight passes of pipelined requests over one worker
cd /tmp/exp/bp
REST="/work/main/benchmarks/target/classes:$(cat /tmp/exp/w4/cp.txt)"
MAIN="/tmp/exp/r67/lib/benchmarks/target/classes:$(cat /tmp/exp/r67/lib/benchmarks/target/classpath.txt)"
run() {
  case $1 in
    order) java -Dchild=true -cp ".:$2:$REST" io.ipcworkers.benchmarks.BusPass 256 4 2>/dev/null | grep passes | sed 's/ inflight.*//' ;;
    main) java -cp "$2:$MAIN" io.ipcworkers.benchmarks.Benchmarks child bus 2>/dev/null | grep '^{' \
        | python3 -c 'import sys, json; d = {r["peer"]: r["throughput_msgs_s"] for r in map(json.loads, sys.stdin)}; print(d.get("ipc-workers"), d.get("ipc-workers-bus"))' ;;
    pipe) java -cp ".:$2:$REST" io.ipcworkers.benchmarks.PipePass 1 8 2>/dev/null | tail -1 ;;
  esac
}
out=$3; : > $out
for r in $(seq 1 $2); do
  if [ $((r % 2)) = 1 ]; then order="base var"; else order="var base"; fi
  for v in $order; do
    if [ $v = base ]; then c=${BASE:-/tmp/exp/base67}; else c=$4; fi
    echo "$r $v $(run $1 $c)" >> $out
  done
done
echo finished >> $out
