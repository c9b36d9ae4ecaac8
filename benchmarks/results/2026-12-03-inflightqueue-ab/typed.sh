#!/usr/bin/env bash
out=/tmp/exp/typed-ab.txt
: > $out
cd /tmp/exp/one
for i in $(seq 1 ${1:-6}); do
  if [ $((i % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
  for v in $order; do
    rm -rf cur/core cur/autoconfigure; cp -r $v/core cur/core; cp -r $v/autoconfigure cur/autoconfigure
    r=$(java -cp "/tmp/exp/extra/classes:$(cat /tmp/exp/one.cp)" io.ipcworkers.benchmarks.TypedRtt ${MODE:-warm} | tail -1)
    echo "$i $v $r" >> $out
  done
done
echo DONE >> $out
