#!/usr/bin/env bash
# An in-place upgrade between two builds, in the lab, as root: the daemon of FROM_JAR attaches
# lb1's data plane and serves traffic; it stops (the program keeps forwarding); the daemon of
# TO_JAR adopts the pins, swaps its own program in through the link, and serves again. Prints
# the adoption's events, the pins before and after, and both rounds of traffic (IPv4, then IPv4
# and IPv6). Used for ABI 8 -> 9, 9 -> 10, 10 -> 11 and back (docs/drain.md, "ABI"); not part of
# test.sh, since it needs a jar of another revision (ABI 10: 74489f8; ABI 9: 35b8c53; ABI 8: 82f3910):
#
#   git worktree add /tmp/sluice-abi8 82f3910 && (cd /tmp/sluice-abi8 && mvn -q -o package -DskipTests -pl lb -am)
#   lab/abi-upgrade-check.sh /tmp/sluice-abi8/lb/target/sluice-lb-0.1.0.jar lb/target/sluice-lb-0.1.0.jar
#   lab/abi-upgrade-check.sh lb/target/sluice-lb-0.1.0.jar /tmp/sluice-abi8/lb/target/sluice-lb-0.1.0.jar
#
# Each jar carries its own BPF objects (and needs its lib/ beside it). Exits 1 when a round of
# traffic is not fully served. Brings up its own lab (LAB_PREFIX, default ug) and tears it down.
set -euo pipefail
export LAB_PREFIX=${LAB_PREFIX:-ug}
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

(($# == 2)) || { echo "usage: $0 FROM_JAR TO_JAR" >&2; exit 2; }
FROM=$(realpath "$1")
TO=$(realpath "$2")
for jar in "$FROM" "$TO"; do
	[[ -f $jar ]] || lab_die "no such jar: $jar"
done
lab_require_root
CONFIG="$LAB_RUN_DIR/sluiced-lb1.yaml"
LOG="$LAB_RUN_DIR/sluiced-lb1.log"
CONNECTIONS=60
cleanup() { lab_detach_daemon lb1 "$CONFIG" || true; lab_down || true; }
trap cleanup EXIT

pins() { ls "$(lab_pin_dir lb1)" | tr '\n' ' '; }
# Prints the client's summary; fails unless every connection was answered.
served() {
	local out
	out=$(lab_client --target "$1" --port 80 --count "$CONNECTIONS" --concurrency 4 --timeout 2) || true
	echo "  $1: $out"
	[[ $(json "$out" 's["succeeded"] == '"$CONNECTIONS") == True ]]
}
json() { "$LAB_PYTHON" -c 'import json, sys; s = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

failed=0
LAB_JAR=$FROM lab_start_balancing lb1 "$CONFIG" 80 8080 120 || lab_die "the FROM daemon did not start"
echo "FROM $FROM: pins: $(pins)"
sleep 3 # the health checks' first round: every backend up
served "$LAB_VIP_V4" || failed=1

lab_stop sluiced-lb1
LAB_JAR=$TO lab_start_daemon lb1 "$CONFIG"
lab_wait_ready lb1 2 120 || { tail -n 20 "$LOG"; lab_die "the TO daemon did not become ready"; }
echo "TO $TO:"
grep -E "event=(attached|adopted|program_upgraded|retired_pin_removed|retired_pin_kept)" "$LOG" | sed 's/^.*event=/  event=/'
echo "  pins: $(pins)"
served "$LAB_VIP_V4" || failed=1
served "$LAB_VIP_V6" || failed=1
((failed == 0)) && echo "every round served" || echo "a round was not fully served"
exit "$failed"
