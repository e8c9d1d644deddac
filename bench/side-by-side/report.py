#!/usr/bin/env python3
"""The side-by-side table (bench/run-all): medians over rounds of each path's runs, ratios
against the direct path of the same round, the issue's targets, and a chart."""
import argparse
import json
import statistics
import sys

PATHS = ["sluice", "haproxy", "nft", "direct"]
MODES = ["keepalive", "close"]
MODE_NAMES = {"keepalive": "keep-alive", "close": "new connection per request"}
# Issue 8's targets for sluice, as ratios against direct measured in the same run.
TARGET_RPS = {"keepalive": 0.98, "close": 0.90}
TARGET_P99 = 1.10
TARGET_CPU_VS_HAPROXY = 0.10


def load(path):
    runs, idle = [], {}
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            if rec["kind"] == "idle":
                idle[(rec["round"], rec["mode"])] = rec
            else:
                runs.append(rec)
    return runs, idle


def per_run(rec, idle):
    """The figures of one run; CPU in milliseconds per 1,000 requests."""
    w = rec["wrk"]
    hz = rec["hz"]
    requests = max(w["requests"], 1)
    bg = idle[(rec["round"], rec["mode"])]
    bg_rate = bg["busy_ticks"] / hz / bg["seconds"]  # CPU-seconds per second of background load
    busy_s = rec["busy_ticks"] / hz - bg_rate * rec["seconds"]
    return {
        "rps": w["requests"] / (w["duration_us"] / 1e6),
        "p50": w["p50_us"] / 1000, "p99": w["p99_us"] / 1000, "p999": w["p999_us"] / 1000,
        "errors": w["err_connect"] + w["err_read"] + w["err_write"] + w["err_status"] + w["err_timeout"],
        "cpu": busy_s * 1e6 / requests,
        "haproxy": rec["haproxy_ticks"] / hz * 1e6 / requests if rec["path"] == "haproxy" else None,
        # sluice's XDP program on lb1 (kernel.bpf_stats_enabled run time): ms per 1,000 requests.
        "xdp": rec["lb_xdp_ns"] / 1e3 / requests if rec["path"] == "sluice" and rec.get("lb_xdp_ns") else None,
        "xdp_ns_per_packet": (rec["lb_xdp_ns"] / rec["lb_xdp_packets"]
                              if rec["path"] == "sluice" and rec.get("lb_xdp_packets") else None),
        "lb_host": lb_host(rec, requests),
        "net_busy": (rec["net_cpu_ticks"] / hz / rec["seconds"]
                     if rec.get("cpus") == "split" and "net_cpu_ticks" in rec else None),
    }


# The process each LB path runs on the LB host (nftables has none: it is all kernel work).
LB_PROCESS_NS = {"sluice": "sluiced_ns", "haproxy": "haproxy_ns"}


def lb_host(rec, requests):
    """--cpus split: the LB host's CPU in ms per 1,000 requests: lb1's receive thread (all the
    kernel's work for packets arriving at the LB) plus the LB's own process."""
    if rec.get("cpus") != "split" or rec["path"] == "direct":
        return None
    ns = rec["lb_receive_ns"] + (rec[LB_PROCESS_NS[rec["path"]]] if rec["path"] in LB_PROCESS_NS else 0)
    return ns / 1e3 / requests


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(runs, idle):
    by = {}
    for rec in runs:
        by.setdefault((rec["mode"], rec["round"]), {})[rec["path"]] = per_run(rec, idle)
    rows = {}
    for mode in MODES:
        rounds = [v for (m, _), v in sorted(by.items()) if m == mode and "direct" in v]
        for path in PATHS:
            got = [r[path] for r in rounds if path in r]
            if not got:
                continue
            pairs = [(r[path], r["direct"]) for r in rounds if path in r]
            rows[(mode, path)] = {
                "rounds": len(got),
                **{k: median([g[k] for g in got])
                   for k in ("rps", "p50", "p99", "p999", "cpu", "haproxy", "xdp", "xdp_ns_per_packet",
                             "lb_host", "net_busy")},
                "errors": sum(g["errors"] for g in got),
                # Ratios per round first (same round, same background), then the median.
                "rps_x": median([p["rps"] / d["rps"] for p, d in pairs]),
                "rps_x_range": (min(p["rps"] / d["rps"] for p, d in pairs), max(p["rps"] / d["rps"] for p, d in pairs)),
                "p99_x": median([p["p99"] / d["p99"] for p, d in pairs]),
                "p99_x_range": (min(p["p99"] / d["p99"] for p, d in pairs), max(p["p99"] / d["p99"] for p, d in pairs)),
                "lb_cpu": median([p["cpu"] - d["cpu"] for p, d in pairs]) if path != "direct" else None,
            }
    return rows


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def xdp_cell(r):
    if r["xdp"] is None:
        return "-"
    return f"{r['xdp']:.2f} ({r['xdp_ns_per_packet']:.0f})" if r["xdp_ns_per_packet"] else f"{r['xdp']:.2f}"


def table(rows):
    out = ["| mode | path | req/s | x direct (min-max over rounds) | p50 ms | p99 ms | p99.9 ms | p99 x direct (min-max over rounds) "
           "| machine CPU ms / 1k req | extra CPU vs direct ms / 1k req | HAProxy process ms / 1k req "
           "| sluice XDP program on lb1 ms / 1k req (ns / packet) "
           "| LB host CPU ms / 1k req (lb1 receive thread + LB process) | network CPU busy | errors |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for mode in MODES:
        for path in PATHS:
            r = rows.get((mode, path))
            if r is None:
                continue
            out.append(f"| {MODE_NAMES[mode]} | {path} | {r['rps']:,.0f} | {r['rps_x']:.2f} ({r['rps_x_range'][0]:.2f}-{r['rps_x_range'][1]:.2f}) | {r['p50']:.2f} "
                       f"| {r['p99']:.2f} | {r['p999']:.2f} | {r['p99_x']:.2f} ({r['p99_x_range'][0]:.2f}-{r['p99_x_range'][1]:.2f}) | {fmt(r['cpu'], '.1f')} "
                       f"| {fmt(r['lb_cpu'], '.1f')} | {fmt(r['haproxy'], '.1f')} | {xdp_cell(r)} "
                       f"| {fmt(r['lb_host'], '.2f')} | {fmt(r['net_busy'], '.2f')} | {r['errors']} |")
    return "\n".join(out)


def cpu_target(ratio):
    """The verdict on a CPU ratio against HAProxy's, as every CPU line prints it."""
    return f"(target <= {TARGET_CPU_VS_HAPROXY:.2f}x): {'met' if ratio <= TARGET_CPU_VS_HAPROXY else 'NOT met'}"


def verdicts(rows):
    out = []
    for mode in MODES:
        s = rows.get((mode, "sluice"))
        h = rows.get((mode, "haproxy"))
        if s is None:
            continue
        ok = s["rps_x"] >= TARGET_RPS[mode]
        out.append(f"- {MODE_NAMES[mode]}: sluice req/s {s['rps_x']:.3f}x direct "
                   f"(target >= {TARGET_RPS[mode]:.2f}x): {'met' if ok else 'NOT met'}")
        ok = s["p99_x"] <= TARGET_P99
        out.append(f"- {MODE_NAMES[mode]}: sluice p99 {s['p99_x']:.3f}x direct "
                   f"(target <= {TARGET_P99:.2f}x): {'met' if ok else 'NOT met'}")
        if s["lb_cpu"] is not None and s["lb_cpu"] <= 0:
            out.append(f"- {MODE_NAMES[mode]}: sluice extra CPU per request (vs direct) came out "
                       f"{s['lb_cpu']:.1f} ms / 1k: below this run's noise, target not judged")
        elif h is not None and h["lb_cpu"] is not None and s["lb_cpu"] is not None and h["lb_cpu"] > 0:
            ratio = s["lb_cpu"] / h["lb_cpu"]
            out.append(f"- {MODE_NAMES[mode]}: sluice extra CPU per request (vs direct) {ratio:.2f}x HAProxy's "
                       f"{cpu_target(ratio)} (a difference of two noisy machine-wide figures: see docs/BENCHMARKS.md)")
        if s["xdp"] is not None and h is not None and h["haproxy"]:
            ratio = s["xdp"] / h["haproxy"]
            out.append(f"- {MODE_NAMES[mode]}: LB host, program's own CPU per request: sluice's XDP program "
                       f"{s['xdp']:.2f} ms / 1k vs HAProxy's process {h['haproxy']:.1f} ms / 1k = {ratio:.3f}x "
                       f"{cpu_target(ratio)} (neither counts the "
                       "kernel's receive work in softirq: the veth driver's for sluice, TCP's for HAProxy)")
        if s["lb_host"] is not None and h is not None and h["lb_host"]:
            ratio = s["lb_host"] / h["lb_host"]
            out.append(f"- {MODE_NAMES[mode]}: LB host CPU per request, kernel work included (lb1's receive "
                       f"thread + the LB's process): sluice {s['lb_host']:.2f} ms / 1k vs HAProxy "
                       f"{h['lb_host']:.2f} ms / 1k = {ratio:.3f}x {cpu_target(ratio)}")
    return "\n".join(out)


def chart(rows, file):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    colours = {"sluice": "#1f77b4", "haproxy": "#d62728", "nft": "#ff7f0e", "direct": "#2ca02c"}
    for col, mode in enumerate(MODES):
        paths = [p for p in PATHS if (mode, p) in rows]
        ax = axes[0][col]
        values = [rows[(mode, p)]["rps"] for p in paths]
        bars = ax.bar(paths, values, color=[colours[p] for p in paths])
        for b, p in zip(bars, paths):
            ax.annotate(f"{rows[(mode, p)]['rps_x']:.2f}x", (b.get_x() + b.get_width() / 2, b.get_height()),
                        ha="center", va="bottom", fontsize=9)
        ax.set_title(f"{MODE_NAMES[mode]}: requests/s (x direct)")
        ax.set_ylabel("requests/s")
        ax = axes[1][col]
        width = 0.27
        for i, (key, label) in enumerate((("p50", "p50"), ("p99", "p99"), ("p999", "p99.9"))):
            xs = [j + (i - 1) * width for j in range(len(paths))]
            ax.bar(xs, [rows[(mode, p)][key] for p in paths], width, label=label, alpha=0.6 + 0.2 * i,
                   color=["#555555", "#888888", "#bbbbbb"][i], edgecolor="black")
        ax.set_xticks(range(len(paths)))
        ax.set_xticklabels(paths)
        ax.set_title(f"{MODE_NAMES[mode]}: latency")
        ax.set_ylabel("ms (log scale)")
        ax.set_yscale("log")
        ax.legend(fontsize=8)
    fig.suptitle("sluice side by side in the lab (bench/run-all): medians over rounds")
    fig.tight_layout()
    fig.savefig(file, dpi=100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("--machine")
    ap.add_argument("--table")
    ap.add_argument("--chart")
    args = ap.parse_args()
    runs, idle = load(args.runs)
    rows = summarise(runs, idle)
    loads = sorted({rec["loadavg"] for rec in idle.values()})
    bg = [rec["busy_ticks"] / rec["hz"] / rec["seconds"] for rec in idle.values()]
    text = (f"background (no traffic, between blocks): {min(bg):.2f}-{max(bg):.2f} CPU busy; "
            f"load average {loads[0]} .. {loads[-1]}\n\n" + table(rows) + "\n\n" + verdicts(rows) + "\n")
    if args.machine:
        with open(args.machine) as f:
            text = f.read() + "\n" + text
    if args.table:
        with open(args.table, "w") as f:
            f.write(text)
    print(text)
    if args.chart:
        try:
            chart(rows, args.chart)
            print(f"chart: {args.chart}")
        except ImportError:
            print("no chart: python3-matplotlib is not installed", file=sys.stderr)


if __name__ == "__main__":
    main()
