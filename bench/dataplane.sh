#!/usr/bin/env bash
# Data-plane benchmark: ns/packet of the XDP programs through BPF_PROG_TEST_RUN.
# Usage (root): bench/dataplane.sh [--runs 7] [--repeat 1000000] [--single-runs 20000]
# Builds bench/target/benchmarks.jar when it is missing or older than the sources,
# pins the JVM to one CPU and prints markdown tables (see docs/BENCHMARKS.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/bench/target/benchmarks.jar"
MAIN=io.sluice.bench.dataplane.DataplaneBench
# The whole run is bounded: the defaults finish in well under a minute here.
TIME_LIMIT_SECONDS=170

if [[ $EUID -ne 0 ]]; then
    echo "dataplane.sh: BPF_PROG_TEST_RUN needs root" >&2
    exit 1
fi

stale() {
    [[ ! -f "$JAR" ]] && return 0
    [[ -n "$(find "$ROOT/bench/src/main" "$ROOT/lb/src/main" "$ROOT/bpf-xdp" -newer "$JAR" -type f -print -quit)" ]]
}

if stale; then
    echo "building $JAR ..." >&2
    # Tests are not compiled: the benchmark needs none, and a half-written test elsewhere must not block it.
    (cd "$ROOT" && mvn -q -o package -Dmaven.test.skip=true -pl bench -am) >&2
fi

if ! mountpoint -q /sys/fs/bpf; then
    mount -t bpf bpf /sys/fs/bpf
fi

# The last CPU: BPF_PROG_TEST_RUN runs on the caller's CPU, and per-CPU state (flow cache
# buckets, the wrapper's iteration counter) must stay on one CPU for the path checks to hold.
CPU=$(( $(nproc) - 1 ))

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r); pinned to CPU $CPU"
echo
exec timeout "$TIME_LIMIT_SECONDS" taskset -c "$CPU" java -cp "$JAR" "$MAIN" "$@"
