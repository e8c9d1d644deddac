#!/usr/bin/env bash
# Bring the sluice network-namespace lab up, down, or show it.
#   lab/lab.sh up       namespaces, links, routes, XDP decap / xdp_pass
#   lab/lab.sh run      up + a server on each backend + sluiced on lb1 (stays running)
#   lab/lab.sh status   what is up, which XDP programs, which processes
#   lab/lab.sh down     stop every process the lab started, remove everything
# Env: LAB_PREFIX (default sl) names every namespace <prefix>-<host>.
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
	local error config="$LAB_RUN_DIR/sluiced-lb1.yaml"
	error=$(lab_start_servers "$VIP_PORT" "$LB_HOST_PORT") || lab_die "$error"
	LAB_JAR=$(lab_stage_jar) || lab_die "could not copy the daemon jar"
	lab_write_config lb1 "$config"
	: >"$LAB_RUN_DIR/sluiced-lb1.log"
	lab_start_daemon lb1 "$config"
	lab_wait_ready lb1 1 60 || lab_die "sluiced did not become ready: see $LAB_RUN_DIR/sluiced-lb1.log"
	lab_log "sluiced ready; try: nsenter --net=/run/netns/$(lab_ns client) curl -si http://$LAB_VIP_V4/"
}

case ${1:-} in
up) lab_up ;;
run) run ;;
down) lab_down && lab_log "down" ;;
status) lab_status ;;
*) usage ;;
esac
