#!/usr/bin/env python3
"""The table of bench/compare.sh: per path, each pair's before / after figure and the verdict.

Reads <dir>/before-N.md and <dir>/after-N.md (bench/dataplane.sh output) for N = 1..pairs and
takes, from every wrapped table, the last column (program, wrapper's restore excluded).
"""
import re
import statistics
import sys

ROW = re.compile(r"^\| (?P<path>[^|]+?) \| (?P<verdict>[A-Z]+) \|.*\| \*\*(?P<ns>[0-9.]+)\*\* \|$")


def figures(path):
    """{path: ns} for every row of the wrapped tables; a later table's row of the same name wins."""
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = ROW.match(line.strip())
            if m:
                rows[m.group("path")] = float(m.group("ns"))
    return rows


def report(directory, pairs):
    before = [figures(f"{directory}/before-{n}.md") for n in range(1, pairs + 1)]
    after = [figures(f"{directory}/after-{n}.md") for n in range(1, pairs + 1)]
    paths = [p for p in after[0] if all(p in b for b in before) and all(p in a for a in after)]
    lines = ["| path | before, per pair | after, per pair | median before | median after | after / before "
             "| pairs after faster |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for p in paths:
        b = [r[p] for r in before]
        a = [r[p] for r in after]
        wins = sum(1 for x, y in zip(b, a) if y < x)
        mb, ma = statistics.median(b), statistics.median(a)
        lines.append(f"| {p} | {' '.join(f'{x:g}' for x in b)} | {' '.join(f'{x:g}' for x in a)} "
                     f"| {mb:.1f} | {ma:.1f} | {ma / mb:.2f} | {wins} of {pairs} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: compare_report.py DIR PAIRS")
    print(report(sys.argv[1], int(sys.argv[2])))
