#!/usr/bin/env bash
# Experiment (session 16): what sets sluice's keep-alive p99 against direct in --cpus split (one
# backend). Two suspects on the network CPU, where lb1's receive thread runs: sluiced (the daemon
# idles there, and a burst of its work delays a SCHED_OTHER receive thread until the scheduler
# preempts it), and the receive threads' own scheduling (a NIC's softirq runs ahead of every task;
# a threaded-NAPI thread at SCHED_OTHER does not). Each round runs keep-alive wrk, 8 s, on sluice
# and on direct, with sluiced running and with it stopped (SIGSTOP: the data plane does not need it),
# first with every receive thread at SCHED_OTHER, then at SCHED_FIFO 1. Prints one line per run.
# Run as root from the repository: bash bench/experiments/keepalive-tail.sh [ROUNDS] (default 3:
# about 8 minutes, the lab's setup included). Results: docs/BENCHMARKS.md, "What sets the
# keep-alive p99".
set -euo pipefail
export LAB_PREFIX=kt
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROUNDS=${1:-3}
[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || { echo "usage: $0 [ROUNDS 1-99]" >&2; exit 2; }
source lab/lib.sh
source bench/side-by-side/paths.sh
source bench/side-by-side/cpus.sh
sbs_split_lab
daemon=$(lab_pid sluiced-lb1)
# Whatever happens, the daemon is not left stopped (the lab's teardown stops it by PID).
trap 'kill -CONT "$daemon" 2>/dev/null || true; sbs_split_lab_down' EXIT

napi_sched() { # other|fifo: every threaded-NAPI thread (only the lab's devices are threaded)
	local pid
	for pid in $(sbs_napi_pids); do
		if [[ $1 == fifo ]]; then chrt -f -p 1 "$pid"; else chrt -o -p 0 "$pid"; fi
	done
}

run() { # napi daemon path
	local out rps p50 p99 d0 d1 lb0 lb1 req
	[[ $2 == stopped ]] && kill -STOP "$daemon"
	d0=$(sbs_process_ns "$daemon"); lb0=$(sbs_threads_ns "$LAB_RUN_DIR/napi-lb.pids")
	out=$(nsenter --net="/run/netns/$(lab_ns client)" taskset -c "$SBS_HOST_CPU" \
		timeout 30 wrk -t1 -c32 -d8s --timeout 5s --latency "$(sbs_url "$3")")
	d1=$(sbs_process_ns "$daemon"); lb1=$(sbs_threads_ns "$LAB_RUN_DIR/napi-lb.pids")
	[[ $2 == stopped ]] && kill -CONT "$daemon"
	req=$(echo "$out" | awk '/requests in/ { print $1 }')
	rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
	p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
	p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
	printf 'napi=%-5s daemon=%-7s %-6s %9s req/s p50 %8s p99 %8s  sluiced %s ms  lb1 receive %s us/req\n' \
		"$1" "$2" "$3" "$rps" "$p50" "$p99" "$(awk -v a="$d0" -v b="$d1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')" \
		"$(awk -v a="$lb0" -v b="$lb1" -v r="$req" 'BEGIN { printf "%.2f", (b - a) / r / 1000 }')"
}

cat "$LAB_RUN_DIR/napi-threads"
for napi in other fifo; do
	napi_sched "$napi"
	for ((round = 1; round <= ROUNDS; round++)); do
		# Alternate the order within a round so neither setting always runs first.
		if ((round % 2)); then settings=(running stopped); else settings=(stopped running); fi
		for daemon_state in "${settings[@]}"; do
			for path in sluice direct; do run "$napi" "$daemon_state" "$path"; done
		done
	done
done
napi_sched other
