#!/usr/bin/env bash
# Where one data-plane path spends its time: bench/dataplane.sh times the path under
# `perf record`, and bench/jit_profile.py attributes the samples that fell in the balancer's
# JIT code to its source lines and instructions (plus the share of helpers and test-run).
# Usage (root): bench/profile.sh "new flow, 4in4" [--runs 40] [--flow-table-size N]
# Samples are relative: a line's share of the program's time, not a time. Output and the
# perf data stay in bench/target/profile/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/target/profile"
SAMPLE_HZ=20000
TIME_LIMIT_SECONDS=300

if [[ $EUID -ne 0 || $# -lt 1 ]]; then
    echo "usage (root): bench/profile.sh PATH-NAME-TEXT [dataplane.sh options]" >&2
    exit 1
fi
for tool in perf objdump bpftool; do
    command -v "$tool" >/dev/null || { echo "profile.sh: $tool is missing (apt-get install linux-perf binutils bpftool)" >&2; exit 1; }
done
ONLY=$1
shift
rm -rf "$OUT" && mkdir -p "$OUT"

# The balancer the bench loads is the one with an id above every balancer loaded now.
newest_balancer() {
    { bpftool prog show name balancer 2>/dev/null || true; } | sed -n 's/^\([0-9]*\): .*/\1/p' | sort -n | tail -1
}
before=$(newest_balancer)
before=${before:-0}

timeout "$TIME_LIMIT_SECONDS" perf record -q -a -e cpu-clock -F "$SAMPLE_HZ" -o "$OUT/perf.data" -- \
    "$ROOT/bench/dataplane.sh" --only "$ONLY" --runs 40 "$@" > "$OUT/bench.txt" &
bench=$!

# Snapshot the program while it is loaded (it is gone when the bench exits).
id=""
for _ in $(seq 1 600); do
    id=$(newest_balancer)
    if [[ -n $id && $id -gt $before ]]; then
        break
    fi
    id=""
    kill -0 "$bench" 2>/dev/null || break   # the bench ended (or failed) before loading one
    sleep 0.5
done
if [[ -z $id ]]; then
    wait "$bench" || true
    echo "profile.sh: the bench never loaded a balancer" >&2
    exit 1
fi
python3 "$ROOT/bench/jit_profile.py" snapshot "$id" "$OUT"
wait "$bench"
cat "$OUT/bench.txt"
echo
python3 "$ROOT/bench/jit_profile.py" report "$OUT" "$OUT/perf.data" | tee "$OUT/profile.txt"
