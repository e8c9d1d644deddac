#!/usr/bin/env bash
# The sluice demo, start to finish, as root: lab up, backends and sluiced
# started, real TCP traffic through the VIPs, a table of where it went, and
# everything torn down again. Expects the objects and the jar to be built
# (the repo's demo.sh does that, then calls this).
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LB=lb1
CONFIG="$LAB_RUN_DIR/sluiced-$LB.yaml"
LOG="$LAB_RUN_DIR/sluiced-$LB.log"
VIP_PORT=80
LB_HOST_PORT=8080
V4_CONNECTIONS=300
V6_CONNECTIONS=90
STICKY_REPEATS=10
STICKY_SOURCE_PORTS=(43001 43002 43003 43004 43005)
READY_TIMEOUT_S=60
HEALTH_CHECK="health_check: { type: http, path: /, interval: 500ms, timeout: 300ms, rise: 2, fall: 2 }"
WATCH_FRAMES=3

step() { printf '\n== %s\n\n' "$*"; }
say() { printf '  %s\n' "$*"; }

cleanup() {
	trap - EXIT INT TERM
	step "Tearing down"
	lab_stop "sluiced-$LB"
	lab_detach_daemon "$LB" "$CONFIG"
	lab_down 2>/dev/null
	say "namespaces, processes, XDP programs and pins removed (daemon log kept: ${LOG#"$LAB_REPO_DIR"/})"
}

show_topology() {
	cat <<EOF
  client ($LAB_CLIENT_V4, $LAB_CLIENT_V6)
     |
  router --- br0 ($LAB_ROUTER_FABRIC_V4, MTU $LAB_FABRIC_MTU) routes VIPs $LAB_VIP_V4, $LAB_VIP_V6 to lb1
               |-- lb1 $(lab_v4 lb1)   XDP balancer: Maglev pick, IP-in-IP, XDP_TX
               |-- be1 $(lab_v4 be1)   XDP decap, VIPs on lo, replies straight to the client
               |-- be2 $(lab_v4 be2)
               '-- be3 $(lab_v4 be3)
EOF
}

# The sluice CLI against lb1's daemon, shown as typed.
cli() {
	printf '  $ sluice %s\n' "$*" >&2
	lab_sluice "$LB" "$@"
}

add_vip_with_the_cli() {
	step "Adding the IPv4 VIP through the admin API, with the sluice CLI"
	local spec="$LAB_RUN_DIR/web-vip.yaml" be
	# What the options do not cover (here the health check) comes from a --spec file.
	printf '%s\n' "$HEALTH_CHECK" >"$spec"
	cli vip add web "$LAB_VIP_V4" "$VIP_PORT" --table-size 65537 --spec "$spec" | sed 's/^/  /'
	for be in "${LAB_BACKENDS[@]}"; do
		cli backend add web "$(lab_v4 "$be")" | sed 's/^/  /'
	done
	sleep 1.5 # rise 2 at 500 ms: the new backends come UP
	cli vip list | sed 's/^/  /'
	echo
	cli backend list web | sed 's/^/  /'
}

drain_with_the_cli() {
	local drained
	drained=$(lab_v4 be3)
	step "Draining be3 with the CLI: no new flows for it, established flows finish"
	cli backend drain web "$drained" | sed 's/^/  /'
	say "90 new connections to the IPv4 VIP:"
	"$LAB_PYTHON" "$LAB_DIR/report.py" spread \
		"$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count 90 --concurrency 4 || true)"
	cli backend undrain web "$drained" | sed 's/^/  /'
}

watch_stats() {
	step "sluice stats --watch while a client sends connections (${WATCH_FRAMES} frames)"
	local load_pid
	lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count 3000 --interval 0.002 --concurrency 2 \
		--max-seconds 8 >/dev/null &
	load_pid=$!
	cli stats --watch --count "$WATCH_FRAMES" | sed 's/^/  /' || true
	wait "$load_pid" || true
}

main() {
	lab_require_root
	lab_check_built || exit 2
	trap cleanup EXIT
	trap 'exit 130' INT TERM

	step "Bringing up the lab (network namespaces $LAB_PREFIX-*)"
	mkdir -p "$LAB_RUN_DIR"
	lab_up 2>"$LAB_RUN_DIR/up.log" || { cat "$LAB_RUN_DIR/up.log" >&2; exit 1; }
	show_topology
	echo
	sed 's/^/  xdp: /' "$LAB_RUN_DIR/xdp-modes"

	step "Starting a server on each backend and sluiced on lb1"
	local error
	error=$(lab_start_servers "$VIP_PORT" "$LB_HOST_PORT") || { say "$error"; exit 1; }
	LAB_JAR=$(lab_stage_jar) || { echo "could not stage the daemon jar"; exit 1; }
	# Only the IPv6 VIP comes from the file; the IPv4 one is added through the CLI below.
	lab_write_config "$LB" "$CONFIG" "$HEALTH_CHECK" web6
	: >"$LOG"
	lab_start_daemon "$LB" "$CONFIG"
	if ! lab_wait_ready "$LB" 1 "$READY_TIMEOUT_S"; then
		say "sluiced did not become ready; the end of its log:"
		tail -n 20 "$LOG" | sed 's/^/    /'
		exit 1
	fi
	"$LAB_PYTHON" "$LAB_DIR/report.py" events "$LOG"

	add_vip_with_the_cli

	if command -v curl >/dev/null; then
		step "One request with curl: curl -si http://$LAB_VIP_V4/"
		lab_in client curl -si --max-time 2 "http://$LAB_VIP_V4/" | tr -d '\r' | sed 's/^/  /'
	fi

	step "$V4_CONNECTIONS new TCP connections to the IPv4 VIP"
	"$LAB_PYTHON" "$LAB_DIR/report.py" spread \
		"$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$V4_CONNECTIONS" --concurrency 8 || true)"

	step "$V6_CONNECTIONS new TCP connections to the IPv6 VIP"
	"$LAB_PYTHON" "$LAB_DIR/report.py" spread \
		"$(lab_client --target "$LAB_VIP_V6" --port "$VIP_PORT" --count "$V6_CONNECTIONS" --concurrency 4 || true)"

	step "The same client source port, $STICKY_REPEATS connections each: one 5-tuple, one backend"
	local port summaries=()
	for port in "${STICKY_SOURCE_PORTS[@]}"; do
		summaries+=("$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$STICKY_REPEATS" --source-port "$port" || true)")
	done
	"$LAB_PYTHON" "$LAB_DIR/report.py" sticky "${summaries[@]}"

	step "The LB host's own traffic is not touched: a service on lb1 $(lab_v4 "$LB"):$LB_HOST_PORT"
	"$LAB_PYTHON" "$LAB_DIR/report.py" spread \
		"$(lab_client --target "$(lab_v4 "$LB")" --port "$LB_HOST_PORT" --count 20 || true)"

	step "The data plane's counters (per-CPU maps summed, read from the pins with bpftool)"
	"$LAB_PYTHON" "$LAB_DIR/counters.py" "$(lab_pin_dir "$LB")" || true

	drain_with_the_cli
	watch_stats

	step "A backend fails: the server on be2 stops (HTTP check every 500 ms, fall 2)"
	lab_stop "server-be2"
	sleep 2
	say "2 s later, 90 new connections to the IPv4 VIP:"
	"$LAB_PYTHON" "$LAB_DIR/report.py" spread \
		"$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count 90 --concurrency 4 || true)"
	say "sluice status:"
	lab_sluice_cli status --status-file "$LAB_RUN_DIR/status-$LB.json" 2>&1 | sed 's/^/    /' || true
	lab_start "be2" "server-be2" "$LAB_PYTHON" "$LAB_DIR/backend_server.py" --name be2 --port "$VIP_PORT"
	lab_wait_listening be2 "$VIP_PORT" || true
	sleep 2
	say "be2's server is back; after rise 2, 90 new connections:"
	"$LAB_PYTHON" "$LAB_DIR/report.py" spread \
		"$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count 90 --concurrency 4 || true)"

	step "Restarting sluiced with kill -9: the pinned data plane keeps forwarding"
	lab_stop "sluiced-$LB" KILL
	say "daemon killed; 100 connections with no daemon running:"
	"$LAB_PYTHON" "$LAB_DIR/report.py" spread \
		"$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count 100 --concurrency 4 || true)"
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" 2 "$READY_TIMEOUT_S" || say "the restarted daemon did not become ready"

	say "the VIP added through the CLI was written into $(basename "$CONFIG"), so the new daemon has it:"
	cli vip list | sed 's/^/    /' || true

	step "After the restart the same source ports land where they did before"
	summaries=()
	for port in "${STICKY_SOURCE_PORTS[@]}"; do
		summaries+=("$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count 3 --source-port "$port" || true)")
	done
	"$LAB_PYTHON" "$LAB_DIR/report.py" sticky "${summaries[@]}"

	step "What sluiced logged"
	"$LAB_PYTHON" "$LAB_DIR/report.py" events "$LOG"
}

main "$@"
