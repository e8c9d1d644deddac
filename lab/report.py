#!/usr/bin/python3
"""Human-readable tables from lab/client.py JSON summaries (one per argument).

  report.py spread SUMMARY    where the connections went: count, share, a bar
  report.py sticky SUMMARY... one row per fixed source port: where its repeats landed
  report.py events LOGFILE    the daemon's key=value event lines, aligned

Standard library only.
"""

import json
import re
import sys

BAR_WIDTH = 40
EVENT_LINE = re.compile(r"^(?P<time>\S+)\s+(?P<level>[A-Z]+)\s+\S+\s+-\s+(?P<fields>event=.*)$")
KEY_VALUE = re.compile(r'(\w+)=("[^"]*"|\S+)')


def spread(summary):
    per_backend = summary.get("per_backend", {})
    total = sum(per_backend.values())
    even = 100.0 / len(per_backend) if per_backend else 0.0
    target = summary["target"]
    shown = f"[{target}]" if ":" in target else target
    print(f"  {summary['attempted']} connections to {shown}:{summary['port']} "
          f"in {summary['seconds']:.2f}s: {summary['succeeded']} answered, {summary['failed']} failed")
    print()
    print(f"  {'backend':<10}{'connections':>12}{'share':>9}   (even = {even:.1f}%)")
    for name, count in sorted(per_backend.items()):
        share = 100.0 * count / total
        bar = "#" * round(BAR_WIDTH * count / total)
        print(f"  {name:<10}{count:>12}{share:>8.1f}%   {bar}")
    for reason, count in summary.get("failures", {}).items():
        print(f"  {'failed':<10}{count:>12}   {reason}")


def sticky(summaries):
    print(f"  {'source port':<13}{'repeats':>8}   landed on")
    for summary in summaries:
        landed = sorted(set(summary.get("sequence", [])))
        verdict = "same backend every time" if len(landed) == 1 else "MOVED"
        print(f"  {summary['source_port']:<13}{summary['attempted']:>8}   {', '.join(landed):<10} {verdict}")


def events(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = EVENT_LINE.match(line.strip())
            if not match:
                continue
            fields = dict((k, v.strip('"')) for k, v in KEY_VALUE.findall(match["fields"]))
            event = fields.pop("event")
            clock = match["time"][11:19]
            details = "  ".join(f"{k}={v}" for k, v in fields.items())
            print(f"  {clock}  {event:<12} {details}")


def load(path_or_json):
    text = path_or_json if path_or_json.lstrip().startswith("{") else open(path_or_json).read()
    return json.loads(text)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("spread", "sticky", "events"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "spread":
        spread(load(argv[2]))
    elif argv[1] == "sticky":
        sticky([load(arg) for arg in argv[2:]])
    else:
        events(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
