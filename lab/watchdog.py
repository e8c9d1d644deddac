#!/usr/bin/env python3
"""A stand-in for systemd's service watchdog (WatchdogSec=), for the lab, which has no systemd.

Listens on a NOTIFY_SOCKET (unix datagram) as systemd does. Once the daemon says READY=1 the
watchdog is armed for the PID the lab's PID file names then; every WATCHDOG=1 resets it; the
watchdog disarms when that process exits (as systemd's does when the service stops or
restarts); when no ping arrives for --timeout seconds it sends
SIGKILL to the PID in the lab's PID file (the unit sets WatchdogSignal=SIGKILL), prints one JSON
line (what it killed, when the last ping came, when it fired) and disarms until the next READY=1.
Bounded: it exits after --max-seconds.
"""
import argparse
import json
import os
import signal
import socket
import sys
import time


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--pid-file", required=True)
    p.add_argument("--timeout", type=float, required=True)
    p.add_argument("--max-seconds", type=float, default=900)
    a = p.parse_args()
    if os.path.exists(a.socket):
        os.unlink(a.socket)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(a.socket)
    sock.settimeout(0.05)
    end = time.monotonic() + a.max_seconds
    armed, last, watched = False, 0.0, None
    print(json.dumps({"event": "listening", "socket": a.socket, "timeout_s": a.timeout}), flush=True)
    while time.monotonic() < end:
        try:
            message = sock.recv(4096).decode("utf-8", "replace")
            now = time.monotonic()
            lines = message.split("\n")
            if "READY=1" in lines:
                watched = read_pid(a.pid_file)
                armed, last = watched is not None, now
            if "WATCHDOG=1" in lines and armed:
                last = now
        except socket.timeout:
            pass
        now = time.monotonic()
        if armed and (not alive(watched) or read_pid(a.pid_file) != watched):
            print(json.dumps({"event": "disarmed", "pid": watched, "reason": "exited"}), flush=True)
            armed = False
        if armed and now - last > a.timeout:
            try:
                os.kill(watched, signal.SIGKILL)
            except ProcessLookupError:
                pass
            print(json.dumps({"event": "watchdog_fired", "pid": watched, "silent_s": round(now - last, 3),
                              "wall_time": time.time()}), flush=True)
            armed = False
    os.unlink(a.socket)
    return 0


if __name__ == "__main__":
    sys.exit(main())
