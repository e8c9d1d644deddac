#!/usr/bin/python3
"""A lab client: real TCP connections to a target, counted per answering backend.

Each connection sends an HTTP/1.0 GET and reads the X-Backend header (or, for a
raw server, the first line). Every loop is bounded: --count connections, a
per-connection --timeout and an overall --max-seconds. Prints one JSON summary:

  {"target": ..., "attempted": N, "succeeded": S, "failed": F,
   "per_backend": {"be1": n, ...}, "failures": {"reason": n, ...},
   "sequence": ["be2", "be2", ...]}        # only with --source-port

With --source-port every connection binds the same local port, so all of them
share one 5-tuple and must land on the same backend. Connections run one at a
time then, and each closes with SO_LINGER 0 after reading the response (the
server closes first): no TIME_WAIT blocks the next bind on either side.
SIGTERM stops issuing connections; the summary covers those made so far.
Standard library only.
"""

import argparse
import collections
import concurrent.futures
import json
import signal
import socket
import struct
import sys
import threading
import time

RESPONSE_LIMIT_BYTES = 65536
LINGER_ABORT = struct.pack("ii", 1, 0)


class Outcome:
    """The result of one connection: a backend name or a failure reason."""

    __slots__ = ("backend", "failure")

    def __init__(self, backend=None, failure=None):
        self.backend = backend
        self.failure = failure


def backend_name(response):
    """The X-Backend header of an HTTP response, or the first line of a raw one."""
    text = response.decode(errors="replace")
    head, _, body = text.partition("\r\n\r\n")
    if head.startswith("HTTP/"):
        for line in head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == "x-backend":
                return value.strip()
        return body.strip().splitlines()[0] if body.strip() else None
    return text.strip().splitlines()[0] if text.strip() else None


def connect_once(args, family):
    sock = socket.socket(family, socket.SOCK_STREAM)
    response = b""
    try:
        sock.settimeout(args.timeout)
        if args.source_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", args.source_port))
        sock.connect((args.target, args.port))
        request = f"GET {args.path} HTTP/1.0\r\nHost: {args.target}\r\nUser-Agent: sluice-lab\r\n\r\n"
        sock.sendall(request.encode())
        response = b""
        # --timeout bounds the whole connection, not only each read: a
        # streaming response ends there too.
        finish_by = time.monotonic() + args.timeout
        while len(response) < RESPONSE_LIMIT_BYTES and time.monotonic() < finish_by:
            sock.settimeout(max(finish_by - time.monotonic(), 0.001))
            chunk = sock.recv(RESPONSE_LIMIT_BYTES)
            if not chunk:
                break
            response += chunk
        name = backend_name(response)
        if args.source_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_ABORT)
        return Outcome(backend=name) if name else Outcome(failure="empty response")
    except socket.timeout:
        name = backend_name(response) if response else None
        if name and args.path.startswith("/stream"):
            return Outcome(backend=name)
        return Outcome(failure="timeout")
    except OSError as error:
        return Outcome(failure=error.strerror or type(error).__name__)
    finally:
        sock.close()


def address_family(target):
    return socket.AF_INET6 if ":" in target else socket.AF_INET


def run(args, stop):
    family = address_family(args.target)
    deadline = time.monotonic() + args.max_seconds
    outcomes = []
    lock = threading.Lock()
    issued = 0

    def next_slot():
        nonlocal issued
        with lock:
            if issued >= args.count or time.monotonic() >= deadline or stop.is_set():
                return False
            issued += 1
            return True

    def worker():
        while next_slot():
            outcome = connect_once(args, family)
            with lock:
                outcomes.append(outcome)
            if args.interval > 0:
                time.sleep(args.interval)

    concurrency = 1 if args.source_port else max(1, args.concurrency)
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    return outcomes


def summarize(args, outcomes, elapsed):
    per_backend = collections.Counter(o.backend for o in outcomes if o.backend)
    failures = collections.Counter(o.failure for o in outcomes if o.failure)
    summary = {
        "target": args.target,
        "port": args.port,
        "attempted": len(outcomes),
        "succeeded": sum(per_backend.values()),
        "failed": sum(failures.values()),
        "per_backend": dict(sorted(per_backend.items())),
        "failures": dict(failures),
        "seconds": round(elapsed, 3),
    }
    if args.source_port:
        summary["source_port"] = args.source_port
        summary["sequence"] = [o.backend or f"!{o.failure}" for o in outcomes]
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, help="IPv4 or IPv6 address")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--count", type=int, default=300, help="connections to make")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=2.0, help="bound on each connection, seconds")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="bound on the whole run")
    parser.add_argument("--interval", type=float, default=0.0, help="pause after each connection, seconds")
    parser.add_argument("--source-port", type=int, default=0, help="bind every connection to this local port")
    parser.add_argument("--path", default="/")
    args = parser.parse_args()

    # SIGTERM ends a long loop early but cleanly: connections in flight
    # finish and the summary is still printed.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())

    started = time.monotonic()
    outcomes = run(args, stop)
    print(json.dumps(summarize(args, outcomes, time.monotonic() - started)), flush=True)
    return 0 if outcomes and all(o.backend for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
