#!/usr/bin/env bash
# Experiment (session 9, not adopted): lb1's receive thread per request in --cpus split, with the ToR
# ports' NAPI deferred (napi_defer_hard_irqs 2, gro_flush_timeout 20 us: the switch polls on a timer, so
# a sender finds it scheduled and wakes nothing) and without. Two rounds x 3 paths x 2 modes x 8 s.
# Run as root from the repository: bash bench/experiments/tor-napi-defer.sh (about 4 minutes).
set -euo pipefail
export LAB_PREFIX=tp
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source lab/lib.sh
source bench/side-by-side/paths.sh
source bench/side-by-side/cpus.sh
sbs_split_lab
tor_defer() { # count timeout_ns
	for dev in $(lab_tor_ports); do
		ip netns exec "$(lab_ns router)" sh -c "echo $1 > /sys/class/net/$dev/napi_defer_hard_irqs; echo $2 > /sys/class/net/$dev/gro_flush_timeout"
	done
}
run() { # label path mode
	local url args=() s0 s1 lb0 lb1 h0 h1
	url=$(sbs_url "$2")
	[[ $3 == close ]] && args=(-H "Connection: close")
	lb0=$(sbs_threads_ns "$LAB_RUN_DIR/napi-lb.pids"); t0=$(sbs_threads_ns "$LAB_RUN_DIR/napi-tor.pids")
	h0=$(sbs_process_ns "$(lab_pid haproxy)")
	out=$(nsenter --net="/run/netns/$(lab_ns client)" taskset -c 0 wrk -t1 -c32 -d8s --latency "${args[@]}" "$url")
	lb1=$(sbs_threads_ns "$LAB_RUN_DIR/napi-lb.pids"); t1=$(sbs_threads_ns "$LAB_RUN_DIR/napi-tor.pids")
	h1=$(sbs_process_ns "$(lab_pid haproxy)")
	req=$(echo "$out" | awk '/requests in/ {print $1}')
	rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	echo "$1 $2 $3: $rps req/s p99 $p99; lb1 receive $(awk -v a=$lb0 -v b=$lb1 -v r=$req 'BEGIN{printf "%.2f", (b-a)/r/1000}') us/req; haproxy proc $(awk -v a=$h0 -v b=$h1 -v r=$req 'BEGIN{printf "%.2f", (b-a)/r/1000}') us/req; tor $(awk -v a=$t0 -v b=$t1 -v r=$req 'BEGIN{printf "%.2f", (b-a)/r/1000}') us/req"
}
for round in 1 2; do
	for setting in "0 0" "2 20000"; do
		tor_defer $setting
		for path in sluice haproxy direct; do
			for mode in close keepalive; do run "defer=[$setting]" $path $mode; done
		done
	done
done
