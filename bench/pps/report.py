#!/usr/bin/env python3
"""The table of bench/pps.sh from its raw runs (runs.tsv).

usage: report.py runs.tsv CLK_TCK

One core runs the generator, the LB and the receiver (see bench/pps.sh). Per run:
  core seconds   = the generator's CPU time + that core's ksoftirqd's (the softirq work the kernel
                   deferred to it), so other load on the machine does not count;
  Mpps per core  = packets handled (counted at the receiver, or by the dropping program's own
                   counter) per core second: what that core does when it does nothing else;
  core ns/packet = core seconds / packets sent;
  LB ns over the floor = core ns/packet minus the same round's xdp-sink row (same generator, an
                   LB that only drops): the path's own cost, and for the forwarding paths the
                   receiver's XDP drop too (the same for sluice and nftables);
  handled / sent = losses anywhere (a receive ring that overflowed, a packet not forwarded).
Per path the median over rounds; ratios are taken within a round (same minute, same background
load), then the median of them.
"""
import csv
import statistics
import sys

FLOOR = "xdp-sink"
# (numerator path, denominator path, what the ratio says)
RATIOS = [
    ("sluice-drop", "nft-drop", "drop a deny-listed source"),
    ("sluice-tx", "nft-dnat", "forward VIP traffic: sluice encapsulates and XDP_TX, nftables DNATs and routes"),
]
PATH_ORDER = [FLOOR, "sluice-tx", "sluice-drop", "nft-drop", "nft-dnat"]


def parse(rows, clk_tck):
    """Rows of the TSV (dicts) to measured runs."""
    runs = []
    for row in rows:
        seconds = float(row["seconds"])
        sent = int(row["sent"])
        handled = int(row["handled"])
        core_s = float(row["gen_cpu_s"]) + int(row["softirqd_ticks"]) / clk_tck
        runs.append({
            "round": int(row["round"]),
            "path": row["path"],
            "wall_pps": handled / seconds,
            "per_core_pps": handled / core_s if core_s > 0 else float("nan"),
            "core_ns_per_packet": core_s * 1e9 / sent if sent else float("nan"),
            "handled_share": handled / sent if sent else 0.0,
            "lb_in": int(row["lb_in"]),
            "not_enqueued": int(row["not_enqueued"]),
            "load1": float(row["load1"]),
        })
    add_over_floor(runs)
    return runs


def add_over_floor(runs):
    """Each run's core ns/packet minus its round's xdp-sink figure (None without a floor run)."""
    floors = {r["round"]: r["core_ns_per_packet"] for r in runs if r["path"] == FLOOR}
    for run in runs:
        floor = floors.get(run["round"])
        run["over_floor_ns"] = None if floor is None or run["path"] == FLOOR else run["core_ns_per_packet"] - floor


def by_round(runs):
    rounds = {}
    for run in runs:
        rounds.setdefault(run["round"], {})[run["path"]] = run
    return rounds


def ratio_medians(runs):
    """Per RATIOS entry: (num, den, what, median Mpps-per-core ratio, (min, max), median over-floor ratio)."""
    rounds = by_round(runs)
    result = []
    for num, den, what in RATIOS:
        pps, cost = [], []
        for paths in rounds.values():
            if num in paths and den in paths and paths[den]["per_core_pps"] > 0:
                pps.append(paths[num]["per_core_pps"] / paths[den]["per_core_pps"])
                a, b = paths[num]["over_floor_ns"], paths[den]["over_floor_ns"]
                if a is not None and b is not None and b > 0:
                    cost.append(a / b)
        result.append((num, den, what,
                       statistics.median(pps) if pps else None,
                       (min(pps), max(pps)) if pps else None,
                       statistics.median(cost) if cost else None))
    return result


def table(runs):
    lines = [
        "| path | Mpps per core (min-max over rounds) | core ns / packet | LB ns / packet over the xdp-sink floor | handled / sent | wall-clock Mpps handled | frames a full ring refused |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for path in PATH_ORDER:
        mine = [r for r in runs if r["path"] == path]
        if not mine:
            continue
        med = lambda key: statistics.median(r[key] for r in mine)
        per_core = [r["per_core_pps"] for r in mine]
        over = [r["over_floor_ns"] for r in mine if r["over_floor_ns"] is not None]
        lines.append("| %s | %.2f (%.2f-%.2f) | %.0f | %s | %.3f | %.2f | %s |" % (
            path, med("per_core_pps") / 1e6, min(per_core) / 1e6, max(per_core) / 1e6, med("core_ns_per_packet"),
            "%.0f" % statistics.median(over) if over else "-", med("handled_share"), med("wall_pps") / 1e6,
            f"{int(med('not_enqueued')):,}"))
    lines.append("")
    for num, den, what, pps, spread, cost in ratio_medians(runs):
        if pps is None:
            continue
        if cost is None:
            cost_text = "n/a"
        elif cost <= 0:
            cost_text = "n/a (%s costs no more than the floor, within this run's noise)" % num
        else:
            cost_text = "%.2fx" % cost
        lines.append("- %s / %s (%s): %.2fx the packets per core second (rounds %.2f-%.2f); LB cost per packet "
                     "over the floor %s" % (num, den, what, pps, spread[0], spread[1], cost_text))
    loads = [r["load1"] for r in runs]
    lines.append("- load average (1 min) during the runs: %.2f-%.2f" % (min(loads), max(loads)))
    return "\n".join(lines)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], newline="") as f:
        runs = parse(csv.DictReader(f, delimiter="\t"), float(argv[2]))
    print(table(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
