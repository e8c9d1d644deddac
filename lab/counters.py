#!/usr/bin/python3
"""The balancer's counters, read straight from its pinned maps with bpftool.

  counters.py PIN_DIR [--abi bpf-xdp/include/sluice_abi.h] [--json]

Sums the per-CPU values of reasons (reason_stats until ABI 10; named after enum sluice_reason, read
from the ABI header so the names never drift from the C side) and
backend_stats (labelled with each backend's address from the backends map).
Until the daemon exposes its own counters this is the lab's window into the
data plane. Standard library only.
"""

import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys

AF_INET = 2
AF_INET6 = 10
ADDRESS_BYTES = 16
FAMILY_OFFSET = 16
FLAGS_OFFSET = 17
BACKEND_IN_USE = 0x1
DEFAULT_ABI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bpf-xdp", "include", "sluice_abi.h")


def enum_members(header_path, enum_name):
    """Member names of a C enum, in declaration order (values are implicit there)."""
    with open(header_path, encoding="utf-8") as header:
        text = header.read()
    body = re.search(r"enum\s+" + enum_name + r"\s*\{(.*?)\};", text, re.S)
    if not body:
        raise SystemExit(f"enum {enum_name} not found in {header_path}")
    without_comments = re.sub(r"/\*.*?\*/", "", body.group(1), flags=re.S)
    return [m.split("=")[0].strip() for m in without_comments.split(",") if m.strip()]


def dump(pin_dir, name):
    result = subprocess.run(["bpftool", "-j", "map", "dump", "pinned", os.path.join(pin_dir, name)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def raw_bytes(hex_list):
    return bytes(int(b, 16) for b in hex_list)


def per_cpu_sum(entry, field=None):
    values = [v["value"] for v in entry["formatted"]["values"]]
    return sum(v[field] if field else v for v in values)


def backend_addresses(pin_dir):
    """backend id -> address, for the backends in use."""
    addresses = {}
    for entry in dump(pin_dir, "backends"):
        value = raw_bytes(entry["value"])
        if not value[FLAGS_OFFSET] & BACKEND_IN_USE:
            continue
        key = int.from_bytes(raw_bytes(entry["key"]), sys.byteorder)
        if value[FAMILY_OFFSET] == AF_INET:
            addresses[key] = str(ipaddress.IPv4Address(value[:4]))
        elif value[FAMILY_OFFSET] == AF_INET6:
            addresses[key] = str(ipaddress.IPv6Address(value[:ADDRESS_BYTES]))
    return addresses


def collect(pin_dir, abi):
    names = enum_members(abi, "sluice_reason")
    reasons = {}
    pinned = "reasons" if os.path.exists(os.path.join(pin_dir, "reasons")) else "reason_stats"
    for entry in dump(pin_dir, pinned):
        index = entry["formatted"]["key"]
        if index < len(names) and names[index] != "SLUICE_REASON_MAX":
            reasons[names[index].removeprefix("SLUICE_")] = per_cpu_sum(entry)
    addresses = backend_addresses(pin_dir)
    backends = {}
    for entry in dump(pin_dir, "backend_stats"):
        backend_id = entry["formatted"]["key"]
        if backend_id in addresses:
            backends[addresses[backend_id]] = {
                field: per_cpu_sum(entry, field) for field in ("packets", "bytes", "new_flows", "second_chance")}
    return {"reasons": reasons, "backends": backends}


def print_table(counters):
    print(f"  {'packet fate':<22}{'packets':>10}")
    for name, count in counters["reasons"].items():
        if count:
            print(f"  {name.lower():<22}{count:>10}")
    print()
    print(f"  {'backend':<14}{'packets':>10}{'bytes':>12}{'new flows':>12}")
    for address, stats in sorted(counters["backends"].items()):
        print(f"  {address:<14}{stats['packets']:>10}{stats['bytes']:>12}{stats['new_flows']:>12}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pin_dir")
    parser.add_argument("--abi", default=DEFAULT_ABI, help="the sluice_abi.h that names the reasons")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    try:
        counters = collect(args.pin_dir, args.abi)
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        print(f"  counters unavailable: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(counters))
    else:
        print_table(counters)
    return 0


if __name__ == "__main__":
    sys.exit(main())
