#!/usr/bin/env bash
# Bring the sluice network-namespace lab up, down, or show it.
#   lab/lab.sh up       namespaces, links, routes, XDP decap / xdp_pass
#   lab/lab.sh run      up + a server on each backend + sluiced on every LB host (stays running)
#   lab/lab.sh status   what is up, which XDP programs, which processes
#   lab/lab.sh down     stop every process the lab started, remove everything
# Env: LAB_PREFIX (default sl) names every namespace <prefix>-<host>.
#      LAB_LB_COUNT (default 1): 2 or 3 LB hosts behind ECMP, VIPs announced over BGP.
set -euo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP_PORT=80
LB_HOST_PORT=8080

usage() {
	echo "usage: $0 up|run|status|down" >&2
	exit 2
}

run() {
	lab_check_built || exit 2
	lab_up
	local error lb config
	error=$(lab_start_servers "$VIP_PORT" "$LB_HOST_PORT") || lab_die "$error"
	LAB_JAR=$(lab_stage_jar) || lab_die "could not copy the daemon jar"
	for lb in "${LAB_LB_HOSTS[@]}"; do
		config="$LAB_RUN_DIR/sluiced-$lb.yaml"
		lab_write_config "$lb" "$config"
		: >"$LAB_RUN_DIR/sluiced-$lb.log"
		lab_start_daemon "$lb" "$config"
	done
	for lb in "${LAB_LB_HOSTS[@]}"; do
		lab_wait_ready "$lb" 1 90 || lab_die "sluiced did not become ready: see $LAB_RUN_DIR/sluiced-$lb.log"
	done
	lab_log "sluiced ready; try: nsenter --net=/run/netns/$(lab_ns client) curl -si http://$LAB_VIP_V4/"
}

case ${1:-} in
up) lab_up ;;
run) run ;;
down) lab_down && lab_log "down" ;;
status) lab_status ;;
*) usage ;;
esac
