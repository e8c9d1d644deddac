#!/usr/bin/env bash
# What an idle sluiced costs: CPU per second of a daemon with no traffic, on the lab's lb1 with the
# lab's config (two VIPs, three backends each, the default flow table). With two or more jars, the
# daemons take turns in the same lab (alternated, `--rounds` times), so a before/after is measured
# side by side: each is started afresh (the data plane detached before it, so it attaches its own
# program and maps, whatever ABI the jar before it spoke), given --settle seconds, then measured in --windows windows of
# --window seconds each (run time of all its threads, /proc/PID/task/*/schedstat). Each daemon
# runs with the package's JVM options (packaging/jvm.options) unless --jvm-options names another
# file for the --jar before it, so one jar can also be measured against itself with other options.
#
#   bench/daemon-idle.sh                                   # the built jar (lb/target)
#   bench/daemon-idle.sh --jar /tmp/old.jar --jar lb/target/sluice-lb-0.1.0.jar --rounds 2
#   bench/daemon-idle.sh --jar lb/target/sluice-lb-0.1.0.jar \
#       --jar lb/target/sluice-lb-0.1.0.jar --jvm-options /tmp/other.options --rounds 2
#
# Needs root and the built BPF objects (make -C bpf-xdp); each jar needs its lib/ beside it, as
# mvn -pl lb -am package leaves it. Brings up its own lab (LAB_PREFIX, default di) and tears it
# down on exit. Bounded: --rounds x jars x (settle + windows x window) <= 20 minutes.
set -euo pipefail
export LAB_PREFIX=${LAB_PREFIX:-di}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lab/lib.sh
source "$REPO/lab/lib.sh"
# shellcheck source=bench/side-by-side/cpus.sh
source "$REPO/bench/side-by-side/cpus.sh" # sbs_process_ns

JARS=()
OPTIONS=() # per jar: its JVM options file
ROUNDS=1
SETTLE=60
WINDOWS=2
WINDOW=20
MAX_PLAN_S=1200

usage() {
	echo "usage: $0 [--jar JAR [--jvm-options FILE]]... [--rounds N] [--settle S] [--windows N] [--window S]" >&2
	exit 2
}
while (($#)); do
	case $1 in
	--jar) JARS+=("$2"); OPTIONS+=("$REPO/packaging/jvm.options"); shift 2 ;;
	--jvm-options)
		((${#JARS[@]})) || usage # it names the options of the --jar before it
		OPTIONS[${#JARS[@]} - 1]=$2
		shift 2
		;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--settle) SETTLE=$2; shift 2 ;;
	--windows) WINDOWS=$2; shift 2 ;;
	--window) WINDOW=$2; shift 2 ;;
	*) usage ;;
	esac
done
for n in "$ROUNDS" "$SETTLE" "$WINDOWS" "$WINDOW"; do
	[[ $n =~ ^[0-9]+$ ]] || usage
done
((ROUNDS >= 1 && WINDOWS >= 1 && WINDOW >= 1)) || lab_die "--rounds, --windows and --window must be at least 1"
if ((${#JARS[@]} == 0)); then
	JARS=("$(lab_jar)") || lab_die "no daemon jar: mvn -pl lb -am package"
	OPTIONS=("$REPO/packaging/jvm.options")
fi
for i in "${!JARS[@]}"; do
	[[ -f ${JARS[i]} ]] || lab_die "no such jar: ${JARS[i]}"
	[[ -f ${OPTIONS[i]} ]] || lab_die "no such JVM options file: ${OPTIONS[i]}"
done
plan_s=$((ROUNDS * ${#JARS[@]} * (SETTLE + WINDOWS * WINDOW + 15)))
((plan_s <= MAX_PLAN_S)) || lab_die "the plan takes ~${plan_s}s, over ${MAX_PLAN_S}s: fewer rounds or shorter windows"

lab_require_root
lab_check_built || exit 2
CONFIG="$LAB_RUN_DIR/sluiced-lb1.yaml"
cleanup() {
	lab_detach_daemon lb1 "$CONFIG" || true
	lab_down || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lab_log "plan: ${#JARS[@]} jar(s) x $ROUNDS round(s), ${SETTLE}s settle + $WINDOWS x ${WINDOW}s each, ~${plan_s}s"
lab_up
lab_write_config lb1 "$CONFIG"
: >"$LAB_RUN_DIR/sluiced-lb1.log"
echo "machine: $(nproc) CPUs, kernel $(uname -r), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= ROUNDS; round++)); do
	for i in "${!JARS[@]}"; do
		jar=${JARS[i]}
		lab_stop sluiced-lb1
		# Each daemon attaches afresh: jars of two ABI versions cannot adopt each other's pins.
		lab_detach_daemon lb1 "$CONFIG"
		readies=$(grep -c 'event=ready' "$LAB_RUN_DIR/sluiced-lb1.log" || true)
		export LAB_JAR=$jar LAB_JVM_OPTIONS=${OPTIONS[i]}
		lab_start_daemon lb1 "$CONFIG"
		lab_wait_ready lb1 $((readies + 1)) 120 || lab_die "sluiced ($jar) not ready: $LAB_RUN_DIR/sluiced-lb1.log"
		lab_sleep "$SETTLE" # lab_sleep: SIGTERM tears the lab down now, not after the sleep
		pid=$(lab_pid sluiced-lb1)
		figures=()
		for ((w = 0; w < WINDOWS; w++)); do
			before=$(sbs_process_ns "$pid")
			lab_sleep "$WINDOW"
			after=$(sbs_process_ns "$pid")
			figures+=("$(awk -v d=$((after - before)) -v s="$WINDOW" 'BEGIN { printf "%.1f", d / 1e6 / s }')")
		done
		echo "$(date -u +%H:%M:%S) round $round $jar @${OPTIONS[i]}: ms of CPU per second: ${figures[*]}"
	done
done
