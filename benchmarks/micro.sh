#!/usr/bin/env bash
# Builds the benchmarks and runs the JMH micro-benchmarks (codec, and the channel inside one JVM):
# each of ours beside its baseline from the same run, as a ratio. About four minutes.
#   benchmarks/micro.sh [results.jsonl]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

echo "building..." >&2
(cd "$root" && mvn -B -q -pl benchmarks -am install -DskipTests)
(cd "$here" && mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
classpath="$here/target/classes:$(cat "$here/target/classpath.txt")"

args=()
if [ $# -gt 0 ]; then
    args=("$(realpath -m "$1")")
fi
java -cp "$classpath" io.ipcworkers.benchmarks.micro.MicroBenchmarks "${args[@]}"
