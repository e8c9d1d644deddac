#!/usr/bin/env bash
# Before / after for the data plane: bench/dataplane.sh of two builds, alternated, in pairs.
# Usage (root): bench/compare.sh [--pairs 6] BEFORE AFTER [dataplane.sh options...]
#   BEFORE, AFTER: a git revision of this repository (checked out into bench/target/compare/)
#                  or the path of a source tree; "." is the working tree.
#   Default dataplane options: --runs 5 --repeat 300000 --single-runs 0 --dos 0 (about 20 s a run).
# Each pair runs both builds back to back, the order swapped every pair, so drift on this
# shared machine hits both sides alike. Prints, per path, every pair's figure ("program,
# wrapper's restore excluded"), the medians, after / before, and in how many pairs AFTER was
# faster: a change that wins most pairs by more than their spread is real; one that does not,
# is not shown by this machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PAIRS=6
if [[ ${1:-} == --pairs ]]; then
    PAIRS=$2
    shift 2
fi
if [[ $# -lt 2 ]]; then
    echo "usage: bench/compare.sh [--pairs N] BEFORE AFTER [dataplane.sh options...]" >&2
    exit 2
fi
BEFORE=$1
AFTER=$2
shift 2
ARGS=("$@")
[[ ${#ARGS[@]} -eq 0 ]] && ARGS=(--runs 5 --repeat 300000 --single-runs 0 --dos 0)

if [[ $EUID -ne 0 ]]; then
    echo "compare.sh: BPF_PROG_TEST_RUN needs root" >&2
    exit 1
fi

OUT="$ROOT/bench/target/compare"
mkdir -p "$OUT"

# A source tree for a revision or a directory; revisions get a detached worktree of their own.
tree_of() {
    local what=$1
    if [[ -d $what ]]; then
        (cd "$what" && pwd)
        return
    fi
    local rev
    rev=$(git -C "$ROOT" rev-parse --short "$what^{commit}")
    local dir="$OUT/tree-$rev"
    if [[ ! -d $dir ]]; then
        git -C "$ROOT" worktree add --detach "$dir" "$rev" >&2
    fi
    echo "$dir"
}

TREE_BEFORE=$(tree_of "$BEFORE")
TREE_AFTER=$(tree_of "$AFTER")
for tree in "$TREE_BEFORE" "$TREE_AFTER"; do
    # dataplane.sh rebuilds a stale jar itself; build both first so no pair pays for it.
    (cd "$tree" && mvn -q -o package -Dmaven.test.skip=true -pl bench -am >&2)
done

RESULTS="$OUT/runs-$(date -u +%Y%m%dT%H%M%S)"
mkdir -p "$RESULTS"
echo "before: $BEFORE ($TREE_BEFORE)"
echo "after:  $AFTER ($TREE_AFTER)"
echo "dataplane.sh ${ARGS[*]}; $PAIRS pairs; raw output in $RESULTS"
for ((pair = 1; pair <= PAIRS; pair++)); do
    if ((pair % 2)); then order=(before after); else order=(after before); fi
    for side in "${order[@]}"; do
        tree=$TREE_BEFORE
        [[ $side == after ]] && tree=$TREE_AFTER
        "$tree/bench/dataplane.sh" "${ARGS[@]}" > "$RESULTS/$side-$pair.md" 2> "$RESULTS/$side-$pair.err"
    done
    echo "pair $pair done ($(cut -d' ' -f1-3 /proc/loadavg))" >&2
done
python3 "$ROOT/bench/compare_report.py" "$RESULTS" "$PAIRS"
