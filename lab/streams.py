#!/usr/bin/python3
"""Long-lived connections through a VIP: opens --count streams (GET /stream on the
lab's backend_server.py, one line per 100 ms), reads them for --seconds, and prints
a JSON summary: for each stream the backend it landed on, the lines received, the
longest gap between lines, and how it ended ("open" at the end of the run, or the
error that ended it early). With --first-source-port N, stream i binds local port N + i,
so a second run reuses the first run's 5-tuples (a client that reuses ports). Bounded in count
and time; standard library only.
"""
import argparse
import json
import socket
import threading
import time

CONNECT_TIMEOUT_SECONDS = 2.0
READ_POLL_SECONDS = 0.5


def stream(target, port, seconds, source_port, result):
    family = socket.AF_INET6 if ":" in target else socket.AF_INET
    start = time.monotonic()
    last_line = None
    buf = b""
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
        if source_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", source_port))
        sock.settimeout(CONNECT_TIMEOUT_SECONDS)
        sock.connect((target, port))
        sock.sendall(b"GET /stream HTTP/1.0\r\nHost: lab\r\n\r\n")
        sock.settimeout(READ_POLL_SECONDS)
        while time.monotonic() - start < seconds:
            try:
                chunk = sock.recv(4096)
            except socket.timeout:
                continue
            if not chunk:
                result["ended"] = "closed by the server"
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.strip().decode(errors="replace")
                if line.lower().startswith("x-backend:"):
                    result["backend"] = line.split(":", 1)[1].strip()
                elif line and line.split()[0] == result.get("backend"):
                    now = time.monotonic()
                    if last_line is not None:
                        result["max_gap_ms"] = max(result["max_gap_ms"], round((now - last_line) * 1000))
                    last_line = now
                    result["lines"] += 1
        else:
            result["ended"] = "open"
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
    except OSError as e:
        result["ended"] = f"{type(e).__name__}: {e}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True)
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--first-source-port", type=int, default=0, help="stream i binds this port + i (0: any)")
    args = parser.parse_args()
    if not (1 <= args.count <= 200 and 0 < args.seconds <= 300):
        parser.error("count must be 1..200 and seconds 0..300")
    if args.first_source_port and not 1024 <= args.first_source_port <= 65535 - args.count:
        parser.error("first source port must be 1024..65535 - count")
    results = [{"backend": None, "lines": 0, "max_gap_ms": 0, "ended": None} for _ in range(args.count)]
    threads = [threading.Thread(target=stream, args=(args.target, args.port, args.seconds,
                                                     args.first_source_port and args.first_source_port + i, r))
               for i, r in enumerate(results)]
    for t in threads:
        t.start()
        time.sleep(0.02)
    for t in threads:
        t.join(args.seconds + 10)
    print(json.dumps({"streams": results}))


if __name__ == "__main__":
    main()
