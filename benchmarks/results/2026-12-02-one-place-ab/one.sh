#!/usr/bin/env bash
# A/B in one place: the same class-path strings, the library's classes swapped between runs
out=${OUT:-/tmp/exp/one.txt}
mode=${MODE:-more}
: > $out
cd /tmp/exp/one
for i in $(seq 1 ${1:-4}); do
  if [ $((i % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
  for v in $order; do
    rm -rf cur/core cur/autoconfigure; cp -r $v/core cur/core; cp -r $v/autoconfigure cur/autoconfigure
    r=$(java -cp "$(cat /tmp/exp/one.cp)" io.ipcworkers.benchmarks.Benchmarks $mode | grep '^{')
    echo "$i $v $r" >> $out
  done
done
echo DONE >> $out
