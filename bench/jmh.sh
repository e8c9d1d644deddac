#!/usr/bin/env bash
# The JMH suite (bench/src/main/java/io/sluice/bench/{maglev,reconcile,maps,health}).
# Usage: bench/jmh.sh [JMH arguments]      e.g.  bench/jmh.sh Reconcile -f 1 -wi 3 -i 5 -prof gc
# With no arguments: every benchmark, short iterations, with the GC profiler (allocation per op).
# Builds bench/target/benchmarks.jar when it is missing or older than the sources and pins the JVM to
# the last CPU. The benchmarks on real BPF maps (Reconcile*, *MapWrite*, FlowScan*, FlowFlush*,
# CounterRead*, TrafficRead*, StatusBuild*) need root: when not root they are left out, with a line
# saying so, and the others run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/bench/target/benchmarks.jar"
ROOT_ONLY='Reconcile|MapWrite|FlowScan|FlowFlush|CounterRead|TrafficRead|StatusBuild'
DEFAULT_ARGS=(-f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc)

if [[ ! -f "$JAR" || -n "$(find "$ROOT/bench/src/main" "$ROOT/lb/src/main" "$ROOT/health/src/main" "$ROOT/bpf-xdp" -newer "$JAR" -type f -print -quit)" ]]; then
    echo "building $JAR ..." >&2
    (cd "$ROOT" && mvn -q -o package -Dmaven.test.skip=true -pl bench -am) >&2
fi

args=("$@")
[[ ${#args[@]} -eq 0 ]] && args=("${DEFAULT_ARGS[@]}")
if [[ $EUID -ne 0 ]]; then
    echo "jmh.sh: not root: skipping the benchmarks that write BPF maps ($ROOT_ONLY)" >&2
    args+=(-e "$ROOT_ONLY")
fi

exec taskset -c "$(( $(nproc) - 1 ))" java -jar "$JAR" "${args[@]}"
