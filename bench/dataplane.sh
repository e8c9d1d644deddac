#!/usr/bin/env bash
# Data-plane benchmark: ns/packet of the XDP programs through BPF_PROG_TEST_RUN.
# Usage (root): bench/dataplane.sh [--runs 7] [--repeat 1000000] [--single-runs 20000] [--dos 1] [--flow-table-size 262144] [--only "new flow"]
# With xdp-filter installed (Debian's xdp-tools), it is loaded on a veth in a throw-away
# namespace, told to drop the DoS rows' deny-listed source, and timed on the same packet.
# Builds bench/target/benchmarks.jar when it is missing or older than the sources,
# pins the JVM to one CPU and prints markdown tables (see docs/BENCHMARKS.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/bench/target/benchmarks.jar"
MAIN=io.sluice.bench.dataplane.DataplaneBench
# The whole run is bounded: the defaults finish in about a minute here (loading 200,000 DoS prefixes included).
TIME_LIMIT_SECONDS=300

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

# xdp-filter for the comparison row: a veth pair in its own namespace, removed on exit.
XDPF_NS=sluice-bench-xdpf-$$
cleanup() {
    if [[ -e /run/netns/$XDPF_NS ]]; then
        nsenter --net="/run/netns/$XDPF_NS" xdp-filter unload xf0 --all >/dev/null 2>&1 || true
        ip netns del "$XDPF_NS"
    fi
}
trap cleanup EXIT
XDPF_ARGS=()
if command -v xdp-filter >/dev/null; then
    ip netns add "$XDPF_NS"
    ip -n "$XDPF_NS" link add xf0 type veth peer name xf1
    ip -n "$XDPF_NS" link set xf0 up
    ip -n "$XDPF_NS" link set xf1 up
    nsenter --net="/run/netns/$XDPF_NS" xdp-filter load xf0 --mode native --features ipv4 >&2
    nsenter --net="/run/netns/$XDPF_NS" xdp-filter ip 203.0.113.9 --mode src >&2
    XDPF_ID=$(ip -n "$XDPF_NS" -d link show xf0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
    [[ -n $XDPF_ID ]] && XDPF_ARGS=(--xdp-filter-prog "$XDPF_ID")
else
    echo "xdp-filter not installed (apt-get install xdp-tools): no comparison row" >&2
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r); pinned to CPU $CPU"
echo
timeout "$TIME_LIMIT_SECONDS" taskset -c "$CPU" java -cp "$JAR" "$MAIN" "${XDPF_ARGS[@]}" "$@"
