#!/usr/bin/env bash
# Experiment (session 9): where lb1's receive thread spends a per-connection wrk run in --cpus split
# (one backend, sluice path): perf record -e cpu-clock -g on that thread for 12 s of a 20 s run, into
# bench/target/perf-lb1.data (perf report -i bench/target/perf-lb1.data --no-children --sort sym).
# Run as root from the repository: bash bench/experiments/lb1-receive-profile.sh (about 1 minute).
set -euo pipefail
export LAB_PREFIX=pf
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mkdir -p bench/target
source lab/lib.sh
source bench/side-by-side/paths.sh
source bench/side-by-side/cpus.sh
sbs_split_lab
cat "$LAB_RUN_DIR/napi-threads"
lbpid=$(head -1 "$LAB_RUN_DIR/napi-lb.pids")
echo "lb1 receive thread: $lbpid"
url="http://$SBS_VIP_SLUICE/"
nsenter --net="/run/netns/$(lab_ns client)" taskset -c 0 wrk -t1 -c32 -d5s -H "Connection: close" "$url" | tail -3
nsenter --net="/run/netns/$(lab_ns client)" taskset -c 0 wrk -t1 -c32 -d20s -H "Connection: close" "$url" > bench/target/perf-lb1-wrk.txt &
sleep 3
perf record -e cpu-clock -F 4999 -g -t "$lbpid" -o bench/target/perf-lb1.data -- sleep 12 2>&1 | tail -1
wait
tail -4 bench/target/perf-lb1-wrk.txt
