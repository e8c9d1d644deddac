#!/usr/bin/env python3
"""The lab ToR's maps (bpf-xdp/lab_tor.c), for lab/tor.sh.

    tor_maps.py PIN_DIR < entries > bpftool-batch
        entries, one per line (lab_tor_entries):
          port IFINDEX MAC                                   the router's MAC on a port
          fdb MAC IFINDEX                                    a fabric host behind a port
          route ADDRESS IFINDEX MTU DST_MAC SRC_MAC          a host route
        prints `bpftool batch` commands that add or update those entries.

    tor_maps.py --stats < `bpftool -j map dump pinned .../tor_stats`
        prints "name total" per counter, summed over CPUs (struct tor_counters' fields, from BTF).

Byte layouts are lab_tor.c's structs on a little-endian host (x86, bpfel).
"""
import ipaddress
import json
import struct
import sys

AF = {4: 4, 6: 6}  # TOR_AF_INET / TOR_AF_INET6: the IP version


def mac_bytes(text):
    parts = text.split(":")
    if len(parts) != 6:
        raise ValueError(f"not a MAC address: {text!r}")
    return bytes(int(p, 16) for p in parts)


def hex_words(data):
    return " ".join(f"{b:02x}" for b in data)


def update(pin_dir, map_name, key, value):
    return f"map update pinned {pin_dir}/{map_name} key hex {hex_words(key)} value hex {hex_words(value)}"


def command(pin_dir, line):
    """One entry line -> one bpftool batch command (ValueError on a malformed line)."""
    fields = line.split()
    kind = fields[0]
    if kind == "port" and len(fields) == 3:
        return update(pin_dir, "tor_ports", struct.pack("<I", int(fields[1])), mac_bytes(fields[2]) + b"\0\0")
    if kind == "fdb" and len(fields) == 3:
        return update(pin_dir, "tor_fdb", mac_bytes(fields[1]) + b"\0\0", struct.pack("<I", int(fields[2])))
    if kind == "route" and len(fields) == 6:
        address = ipaddress.ip_address(fields[1])
        key = struct.pack("<I", AF[address.version]) + address.packed.ljust(16, b"\0")
        value = struct.pack("<II", int(fields[2]), int(fields[3])) + mac_bytes(fields[4]) + mac_bytes(fields[5])
        return update(pin_dir, "tor_routes", key, value)
    raise ValueError(f"not a ToR map entry: {line!r}")


def stats(dump):
    """bpftool's JSON dump of tor_stats (one struct tor_counters per CPU) -> [(field, total)]."""
    if len(dump) != 1 or "formatted" not in dump[0]:
        raise ValueError("tor_stats dump without BTF field names (a bpftool without BTF support?)")
    totals = {}
    for per_cpu in dump[0]["formatted"]["values"]:
        for name, value in per_cpu["value"].items():
            totals[name] = totals.get(name, 0) + int(value)
    return list(totals.items())


def main(argv):
    if argv[1:] == ["--stats"]:
        for name, total in stats(json.load(sys.stdin)):
            print(name, total)
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for line in sys.stdin:
        if line.strip():
            print(command(argv[1], line.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
