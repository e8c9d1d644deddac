#!/usr/bin/env bash
# Experiment (session 17): how long a burst of failed backends stays in the tables. be1 gets N
# extra addresses (10.0.2.100 on), each a backend of V VIPs (10.100.0.1, ports 80 on, 65537-slot
# tables) with a TCP check every second, fall 2; be2 and be3 stay up. Once every check has run,
# be1's server stops: V x N transitions within a check interval. From the daemon's log it prints
# the transitions, the reconciles they caused, and the seconds from the first transition to the
# reconcile after which no table held any of be1's addresses. Each --jar in turn, ROUNDS times.
# Run as root from the repository (the built jar by default, or --jar JAR with its lib/ beside it):
#   bash bench/experiments/health-burst.sh [--jar JAR]... [--backends N] [--vips V] [--rounds R]
set -euo pipefail
export LAB_PREFIX=hb
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
source lab/lib.sh
JARS=()
BACKENDS=100
VIPS=4
ROUNDS=1
while (($#)); do
	case $1 in
	--jar) JARS+=("$2"); shift 2 ;;
	--backends) BACKENDS=$2; shift 2 ;;
	--vips) VIPS=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	*) echo "usage: $0 [--jar JAR]... [--backends N] [--vips V] [--rounds R]" >&2; exit 2 ;;
	esac
done
((BACKENDS >= 1 && BACKENDS <= 150)) || lab_die "--backends: 1..150 (10.0.2.100-249)"
((VIPS >= 1 && VIPS <= 10)) || lab_die "--vips: 1..10"
((ROUNDS >= 1 && ROUNDS <= 5)) || lab_die "--rounds: 1..5"
((${#JARS[@]})) || JARS=("$(lab_jar)")
CONFIG="$LAB_RUN_DIR/sluiced-lb1.yaml"
STATUS="$LAB_RUN_DIR/status-lb1.json"
LOG="$LAB_RUN_DIR/sluiced-lb1.log"
cleanup() { lab_detach_daemon lb1 "$CONFIG" || true; lab_down || true; }
trap cleanup EXIT
lab_up
for ((i = 0; i < BACKENDS; i++)); do
	lab_in be1 ip addr add "10.0.2.$((100 + i))/24" dev eth0
done
write_config() {
	{
		echo "interface: eth0"
		echo "pin_dir: $(lab_pin_dir lb1)"
		echo "xdp_mode: native"
		echo "gateway_mac: \"$(lab_mac router br0)\""
		echo "mtu: $LAB_FABRIC_MTU"
		echo "encap: { source_v4: $LAB_ENCAP_SRC_V4, source_v6: \"$LAB_ENCAP_SRC_V6\" }"
		echo "status_file: $STATUS"
		echo "admin: { socket: $(lab_admin_socket lb1) }"
		echo "vips:"
		for ((v = 0; v < VIPS; v++)); do
			echo "  - name: web$v"
			echo "    address: \"$LAB_VIP_V4\""
			echo "    port: $((80 + v))"
			echo "    table_size: 65537"
			echo "    health_check: { type: tcp, port: 80, interval: 1s, fall: 2, rise: 2 }"
			echo "    backends:"
			echo "      - { address: \"$(lab_v4 be2)\" }"
			echo "      - { address: \"$(lab_v4 be3)\" }"
			for ((i = 0; i < BACKENDS; i++)); do
				echo "      - { address: \"10.0.2.$((100 + i))\" }"
			done
		done
	} >"$CONFIG"
}
# Prints "checked in_table": how many of be1's addresses have run a check / are in a table, over all VIPs.
be1_counts() {
	python3 - "$STATUS" <<'EOF'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("0 -1"); sys.exit()
ours = [b for v in s["vips"] for b in v["backends"] if int(b["address"].rsplit(".", 1)[1]) >= 100]  # be1's extras
print(sum(1 for b in ours if b.get("last_check")), sum(1 for b in ours if b["in_table"]))
EOF
}
# From the daemon log after line $1: transitions to down, health reconciles, and the seconds from the
# first transition to the last health reconcile.
burst_summary() {
	tail -n +"$1" "$LOG" | python3 -c '
import re, sys
from datetime import datetime
def ts(line):
    return datetime.strptime(line[:23], "%Y-%m-%dT%H:%M:%S.%f")
downs, reconciles = [], []
for line in sys.stdin:
    if "event=health_changed" in line and "to=down" in line:
        downs.append(ts(line))
    elif "event=reconciled" in line and "cause=health" in line:
        reconciles.append(ts(line))
if not downs or not reconciles:
    print("no burst seen"); sys.exit()
print("transitions %d, health reconciles %d, first transition to last reconcile %.2f s, transitions logged over %.2f s (as the daemon took them from its queue)"
      % (len(downs), len(reconciles), (reconciles[-1] - downs[0]).total_seconds(), (downs[-1] - downs[0]).total_seconds()))
'
}
for ((round = 1; round <= ROUNDS; round++)); do
	for jar in "${JARS[@]}"; do
		lab_start_servers 80 8080 >/dev/null
		write_config
		: >"$LOG"
		LAB_JAR=$jar lab_start_daemon lb1 "$CONFIG"
		lab_wait_ready lb1 1 120 || lab_die "sluiced ($jar) not ready: $LOG"
		want=$((BACKENDS * VIPS))
		for ((t = 0; t < 60; t++)); do
			read -r checked in_table < <(be1_counts)
			((checked == want && in_table == want)) && break
			sleep 1
		done
		((checked == want)) || lab_die "only $checked of $want checks ran"
		mark=$(($(wc -l <"$LOG") + 1))
		lab_stop server-be1
		for ((t = 0; t < 120; t++)); do
			read -r checked in_table < <(be1_counts)
			((in_table == 0)) && break
			sleep 0.5
		done
		echo "round $round, $(basename "$(dirname "$jar")")/$(basename "$jar"), $VIPS VIPs x $BACKENDS backends failing: $(burst_summary "$mark")"
		lab_stop sluiced-lb1
		lab_detach_daemon lb1 "$CONFIG" # the next jar attaches afresh
		lab_stop_all >/dev/null 2>&1 || true
	done
done
