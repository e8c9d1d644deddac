#!/usr/bin/env bash
# Experiment (session 16): what one inner Maglev map costs to create and close, the price of a map
# the daemon rejects for its table epoch (RecentTableEpochs: at most one extra map per swap on
# average). Five rounds of 1,000 create + close of a 65537-slot table's inner map, pinned to the
# last CPU, through the daemon's own binding (jshell on the built classes).
# Run as root from the repository after mvn -pl lb -am package: bash bench/experiments/inner-map-create.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -d lb/target/classes && -d lb/target/lib ]] || { echo "inner-map-create: mvn -pl lb -am package first" >&2; exit 1; }
script=$(mktemp --suffix .jsh)
trap 'rm -f "$script"' EXIT
cat >"$script" <<'JSH'
import io.sluice.lb.bpf.*;
import io.sluice.lb.dataplane.*;
int entries = 65537 + DataplaneAbi.MAGLEV_FIRST_SLOT;
for (int round = 0; round < 5; round++) {
    long t0 = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
        try (BpfMap m = BpfMap.create(MapType.ARRAY, "maglev_probe", 4, 4, entries, DataplaneAbi.BPF_F_INNER_MAP)) { }
    }
    System.out.printf("round %d: %.1f us per create + close of a %d-entry inner map%n", round,
            (System.nanoTime() - t0) / 1e6, entries);
}
/exit
JSH
timeout 300 taskset -c "$(($(nproc) - 1))" jshell --class-path "lb/target/classes:$(printf '%s:' lb/target/lib/*.jar)" "$script"
