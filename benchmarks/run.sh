#!/usr/bin/env bash
# Builds the benchmarks, runs the peer programs of shared/bench and ours in the same run, prints one
# table with every figure as a ratio to the raw-JDK Unix-socket program.
#   benchmarks/run.sh [results.jsonl]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=$(realpath -m "$root/../shared/bench")
out=$(realpath -m "${1:-$here/target/results.jsonl}")
mkdir -p "$(dirname "$out")"
: > "$out"

echo "building..." >&2
(cd "$root" && mvn -B -q -pl benchmarks -am install -DskipTests)
(cd "$here" && mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
classpath="$here/target/classes:$(cat "$here/target/classpath.txt")"

"$shared/run-all.sh" "$out" > /dev/null
echo "running: ipc-workers" >&2
java -cp "$classpath" io.ipcworkers.benchmarks.Benchmarks | grep '^{' | tee -a "$out" >&2
# the same workload with payloads written by hand as JSON text, in a JVM of its own (see Benchmarks.main)
java -cp "$classpath" io.ipcworkers.benchmarks.Benchmarks text | grep '^{' | tee -a "$out" >&2
python3 "$here/table.py" "$out"
