#!/usr/bin/python3
"""A bounded raw-socket flood for the DoS lab test (lab/dos-test.sh).

Sends IPv4 TCP, UDP or ICMP echo packets with IP_HDRINCL to one target, from one source or
from random sources inside a prefix, for at most --count packets and --seconds
seconds, whichever ends first. Run it only inside a lab namespace: every packet
goes to --target, an address of the lab. Prints one JSON line: packets sent,
seconds taken. Standard library only.
"""

import argparse
import ipaddress
import json
import random
import socket
import struct
import time

TCP_FLAGS = {"syn": 0x02, "xmas": 0x29, "synfin": 0x03}
BATCH = 256  # packets between clock reads
ICMP_ECHO_REQUEST = 8


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def packet(src, dst, proto, sport, dport, flags, payload):
    if proto == "icmp":
        # Echo request: no ports, the balancer's path for packets it cannot match to a VIP.
        l4 = struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, 0, random.getrandbits(16), 1) + payload
        l4 = l4[:2] + struct.pack("!H", checksum(l4)) + l4[4:]
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), random.getrandbits(16), 0, 64,
                             socket.IPPROTO_ICMP, 0, src, dst)
        header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
        return header + l4
    if proto == "tcp":
        l4 = struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32), 0, 5 << 4, flags, 65535, 0, 0)
        number = socket.IPPROTO_TCP
    else:
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
        number = socket.IPPROTO_UDP
    l4 += payload
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, number, len(l4))
    csum = checksum(pseudo + l4)
    offset = 16 if proto == "tcp" else 6
    l4 = l4[:offset] + struct.pack("!H", csum) + l4[offset + 2:]
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), random.getrandbits(16), 0, 64, number, 0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + l4


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", required=True)
    p.add_argument("--port", type=int, default=0, help="destination port (TCP, UDP)")
    p.add_argument("--proto", choices=("tcp", "udp", "icmp"), default="tcp")
    p.add_argument("--flags", choices=sorted(TCP_FLAGS), default="syn")
    p.add_argument("--source", help="one source address")
    p.add_argument("--random-sources", help="a prefix to draw a random source from for every packet")
    p.add_argument("--source-port", type=int, default=0, help="fixed source port (0 = random)")
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--payload", type=int, default=16)
    p.add_argument("--pps", type=float, default=20000, help="pace: packets per second (0 = as fast as possible)")
    args = p.parse_args()
    if args.count > 10_000_000 or args.seconds > 30:
        raise SystemExit("refusing an unbounded flood: at most 10M packets and 30 seconds")

    dst = socket.inet_aton(args.target)
    if args.random_sources:
        net = ipaddress.ip_network(args.random_sources)
        base, size = int(net.network_address), net.num_addresses
        pick = lambda: struct.pack("!I", base + random.randrange(size))
    else:
        fixed = socket.inet_aton(args.source)
        pick = lambda: fixed
    payload = b"x" * args.payload
    # A few thousand prepared packets, cycled: the sender then spends its time sending.
    prepared = [packet(pick(), dst, args.proto, args.source_port or random.randrange(1024, 65535), args.port,
                       TCP_FLAGS[args.flags], payload) for _ in range(min(args.count, 4096))]

    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sent = 0
    start = time.monotonic()
    deadline = start + args.seconds
    target = (args.target, 0)
    while sent < args.count:
        for _ in range(min(BATCH, args.count - sent)):
            try:
                sock.sendto(prepared[sent % len(prepared)], target)
            except OSError:
                pass  # a full queue: the packet is lost, as on a wire
            sent += 1
        now = time.monotonic()
        if now >= deadline:
            break
        if args.pps > 0:
            ahead = start + sent / args.pps - now
            if ahead > 0:
                time.sleep(min(ahead, deadline - now))
    print(json.dumps({"sent": sent, "seconds": round(time.monotonic() - start, 3)}))


if __name__ == "__main__":
    main()
