#!/usr/bin/env bash
# Health-check engine load benchmark: 10,000 TCP checks per second.
#   bench/health.sh [targets] [interval_ms] [seconds] [port] [transport] [io_threads]   (defaults 10000 1000 30 18081 IO_URING 1)
#
# HEALTH_BENCH_NET selects where the targets are:
#   loopback (default)  127.77.0.0/16 on lo. The kernel runs both ends of every handshake (and of
#                       the reset) on the connecting thread, so the target's work is charged to the
#                       engine.
#   netns               10.77.0.0/16, local (AnyIP) inside a target namespace, reached from a
#                       checker namespace over a veth pair; the engine runs in the checker
#                       namespace. Both veth ends use threaded NAPI, so each side's receive work
#                       (the target's SYN/ACK/RST handling, the checker's SYN-ACK handling) runs in
#                       that interface's napi/<dev> kernel thread, not in the engine's system calls.
#                       Needs root. The namespaces are ${LAB_PREFIX:-hb}-hbc and -hbt; the script
#                       creates them and removes them on exit (also after a failure).
# Both modes also run the floor (bench/src/main/c/connect_floor.c: non-blocking connect + RST close,
# nothing else) at the same rate against the same listeners, before and after the engine, unless
# HEALTH_BENCH_FLOOR=0 or gcc is missing.
# Traffic stays on loopback or inside the benchmark's own namespaces. The listeners run in child
# processes started and stopped (by PID) by the benchmark; the run is bounded by [seconds] (max 120)
# plus the floor runs (2 x 18 s).
set -euo pipefail
cd "$(dirname "$0")/.."

net=${HEALTH_BENCH_NET:-loopback}
prefix=${LAB_PREFIX:-hb}
checker_ns="$prefix-hbc"
target_ns="$prefix-hbt"
# Interface names are limited to 15 characters.
checker_if="${prefix:0:8}-hbc0"
target_if="${prefix:0:8}-hbt0"

# 10,000 listeners plus the checks' own sockets: raise the descriptor limit if we may.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Build only what the benchmark needs (the health module), so it does not depend on the rest.
mvn -q -o -pl health -am compile
mvn -q -o -pl health dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/health/target/bench-classpath.txt" >/dev/null
classes=bench/target/health-bench-classes
mkdir -p "$classes"
cp="health/target/classes:$(cat health/target/bench-classpath.txt)"
# HEALTH_BENCH_ENGINE_CLASSES: a directory of engine classes put ahead of health/target/classes, to
# run another version of the engine (e.g. the previous commit's) under exactly the same conditions.
if [[ -n ${HEALTH_BENCH_ENGINE_CLASSES:-} ]]; then
    cp="$HEALTH_BENCH_ENGINE_CLASSES:$cp"
fi
javac --release 17 -d "$classes" -cp "$cp" bench/src/main/java/io/sluice/bench/health/*.java

props=(-Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
if [[ ${HEALTH_BENCH_FLOOR:-1} == 1 ]] && command -v gcc >/dev/null; then
    gcc -O2 -Wall -o bench/target/connect_floor bench/src/main/c/connect_floor.c
    props+=("-Dsluice.bench.floor=$PWD/bench/target/connect_floor")
fi

run=()
case "$net" in
    loopback) ;;
    netns)
        teardown() {
            for ns in "$checker_ns" "$target_ns"; do
                ip -n "$ns" -s link show 2>/dev/null | awk -v ns="$ns" '/^[0-9]+:/ {dev=$2} /RX:/ {getline; print "  " ns " " dev " rx packets " $2 " dropped " $4}' >&2 || true
            done
            ip netns del "$checker_ns" 2>/dev/null || true
            ip netns del "$target_ns" 2>/dev/null || true
        }
        teardown
        trap teardown EXIT
        ip netns add "$checker_ns"
        ip netns add "$target_ns"
        ip link add "$checker_if" netns "$checker_ns" type veth peer name "$target_if" netns "$target_ns"
        ip -n "$checker_ns" link set lo up
        ip -n "$target_ns" link set lo up
        ip -n "$checker_ns" addr add 10.76.0.1/30 dev "$checker_if"
        ip -n "$target_ns" addr add 10.76.0.2/30 dev "$target_if"
        for side in "$checker_ns:$checker_if" "$target_ns:$target_if"; do
            ns=${side%%:*} dev=${side#*:}
            # GRO on gives a veth its own NAPI instance and threaded NAPI gives that a kernel thread.
            # A veth hands a TCP packet to the peer's NAPI only if the sender does no TSO (else the
            # packet goes through the receiving CPU's backlog, in the sender's softirq): TSO off.
            ip netns exec "$ns" ethtool -K "$dev" gro on tso off >/dev/null
            ip -n "$ns" link set "$dev" up
            ip netns exec "$ns" sh -c "echo 1 > /sys/class/net/$dev/threaded"
            # A veth has no queue by default: a burst larger than the peer's ring (256 packets),
            # e.g. hundreds of connects submitted in one io_uring_enter, was dropped (IpOutDiscards,
            # TCPRetransFail, then SYN retransmits and timed-out checks). A NIC has a qdisc in front
            # of its ring; so does this veth, and the ring pushes back into it when full.
            ip netns exec "$ns" tc qdisc replace dev "$dev" root pfifo limit 10000
        done
        # Every address of 10.77.0.0/16 is local in the target namespace (AnyIP): no 10,000 addresses to add.
        ip -n "$target_ns" route add local 10.77.0.0/16 dev lo
        ip -n "$checker_ns" route add 10.77.0.0/16 via 10.76.0.2
        watch=""
        for dev in "$checker_if" "$target_if"; do
            pid=$(pgrep -f "^\[?napi/$dev-" | head -1 || true)
            [[ -z $pid ]] && pid=$(ps -eo pid=,comm= | awk -v d="napi/$dev" 'index($2, d) == 1 {print $1; exit}')
            if [[ -n $pid ]]; then
                watch+="${watch:+,}napi/$dev:$pid"
                # A NIC's softirq runs ahead of every task; as a normal task on a busy host the
                # NAPI thread fell behind, the veth ring (256 packets) overflowed and SYNs were lost.
                chrt -f -p 1 "$pid" >/dev/null
            fi
        done
        echo "veth NAPI threads: ${watch:-none found}" >&2
        props+=(-Dsluice.bench.targetPrefix=10.77 "-Dsluice.bench.listenerPrefix=ip netns exec $target_ns"
                "-Dsluice.bench.watch=$watch")
        run=(ip netns exec "$checker_ns")
        ;;
    *) echo "HEALTH_BENCH_NET must be loopback or netns, not $net" >&2; exit 2 ;;
esac

# HEALTH_BENCH_NICE (e.g. -10): run the engine, the floor and the listeners in a session (scheduler
# autogroup) of their own at that nice level, so other sessions' work on a shared host does not
# starve them. With autogroups (kernel.sched_autogroup_enabled=1) CPU is shared between sessions
# first: a plain nice level only counts inside the session. The CPU they use is still what is measured.
if [[ -n ${HEALTH_BENCH_NICE:-} ]]; then
    run=(setsid -w sh -c 'echo "$0" > /proc/self/autogroup 2>/dev/null; exec nice -n "$0" "$@"' "$HEALTH_BENCH_NICE" "${run[@]}")
fi
"${run[@]}" java -Xms256m -Xmx512m "${props[@]}" \
    -cp "$classes:$cp" io.sluice.bench.health.HealthCheckLoadBench "$@"
