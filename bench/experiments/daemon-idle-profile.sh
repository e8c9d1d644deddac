#!/usr/bin/env bash
# Experiment (session 9): where an idle sluiced's CPU goes, a few minutes after start. Starts the
# lab's lb1 daemon (the lab's config, no traffic) on a JVM that writes its JIT perf map at exit,
# waits SETTLE seconds (default 120), then for 30 s records each thread's CPU
# (/proc/PID/task/*/schedstat) and a perf profile of the process, stops the daemon and prints
# CPU per thread, samples per thread and the top symbols. Output in bench/target/daemon-idle-profile/.
# The JVM runs with the package's options (packaging/jvm.options), then PROFILE_JAVA_OPTS (e.g.
# "-XX:+UsePerfData -XX:-UseSerialGC -XX:+UseG1GC" for the JVM's defaults before those options).
# Run as root from the repository: bash bench/experiments/daemon-idle-profile.sh [SETTLE] (about 3 minutes).
set -euo pipefail
export LAB_PREFIX=dip
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source lab/lib.sh
SETTLE=${1:-120}
WINDOW=30
OUT=bench/target/daemon-idle-profile
mkdir -p "$OUT"
CONFIG="$LAB_RUN_DIR/sluiced-lb1.yaml"
cleanup() { lab_detach_daemon lb1 "$CONFIG" || true; lab_down || true; }
trap cleanup EXIT
lab_up
lab_write_config lb1 "$CONFIG"
: >"$LAB_RUN_DIR/sluiced-lb1.log"
printf '#!/bin/sh\nexec java @%s -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit ${PROFILE_JAVA_OPTS:-} -jar %s "$@"\n' \
	"$PWD/packaging/jvm.options" "$(lab_jar)" >"$OUT/sluiced"
chmod +x "$OUT/sluiced"
SLUICED="$PWD/$OUT/sluiced" lab_start_daemon lb1 "$CONFIG"
lab_wait_ready lb1 1 120
pid=$(lab_pid sluiced-lb1)
lab_sleep "$SETTLE" # lab_*: a SIGTERM stops the sleep and perf too, not only the script
threads() { for t in /proc/"$pid"/task/*; do echo "$(basename "$t") $(tr ' ' '_' <"$t/comm") $(cut -d' ' -f1 "$t/schedstat")"; done | sort; }
threads >"$OUT/threads-0"
lab_interruptible perf record -e cpu-clock -F 999 -g -p "$pid" -o "$OUT/perf.data" -- sleep "$WINDOW" >"$OUT/perf-record.log" 2>&1
tail -1 "$OUT/perf-record.log"
threads >"$OUT/threads-1"
lab_stop sluiced-lb1 # SIGTERM: the JVM writes /tmp/perf-PID.map, which perf report reads
echo "ms of CPU per second by thread, ${WINDOW}s window starting ${SETTLE}s after ready:"
join "$OUT/threads-0" "$OUT/threads-1" |
	awk -v s="$WINDOW" '{ d = $5 - $3; t += d; if (d > 0) printf "  %8.3f  %s\n", d / 1e6 / s, $2 } END { printf "  %8.3f  total\n", t / 1e6 / s }' |
	sort -rn
perf report -i "$OUT/perf.data" --no-children --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -12 || true
perf report -i "$OUT/perf.data" --no-children --sort sym --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -15 || true
