#!/usr/bin/python3
"""A lab backend: answers every TCP (or UDP) request with its own name.

HTTP/1.0 or 1.1 request  -> "HTTP/1.0 200 OK", header X-Backend: <name>, body "<name>\\n"
GET /stream               -> one line every 100 ms until the client closes (at most 10 min)
anything else, or silence -> "<name>\\n" and close (raw TCP, health checks)
UDP datagram              -> "<name>\\n" back to the sender

The server closes first, so TIME_WAIT stays on the backend, not on a client
that reuses a fixed source port. Listens on 0.0.0.0 and :: (the VIPs on lo
and the backend's own address alike). Standard library only.
"""

import argparse
import signal
import socket
import socketserver
import sys
import threading
import time

REQUEST_LIMIT_BYTES = 8192
REQUEST_WAIT_SECONDS = 2.0
STREAM_INTERVAL_SECONDS = 0.1
STREAM_LIMIT_SECONDS = 600
HTTP_METHODS = (b"GET ", b"HEAD ", b"POST ", b"PUT ", b"DELETE ", b"OPTIONS ")


def read_request(sock):
    """Reads until the end of HTTP headers, a raw line, silence or the size limit."""
    sock.settimeout(REQUEST_WAIT_SECONDS)
    data = b""
    try:
        while len(data) < REQUEST_LIMIT_BYTES:
            chunk = sock.recv(REQUEST_LIMIT_BYTES)
            if not chunk:
                break
            data += chunk
            if data.startswith(HTTP_METHODS):
                if b"\r\n\r\n" in data or b"\n\n" in data:
                    break
            elif b"\n" in data:
                break
    except (socket.timeout, ConnectionError):
        pass
    return data


def http_response(name, include_body):
    body = f"{name}\n".encode()
    header = (
        "HTTP/1.0 200 OK\r\n"
        f"X-Backend: {name}\r\n"
        "Content-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return header.encode() + (body if include_body else b"")


def stream(sock, name, stop):
    """Sends a numbered line every interval until the peer closes or the bound."""
    sock.sendall(
        (f"HTTP/1.0 200 OK\r\nX-Backend: {name}\r\nContent-Type: text/plain\r\n\r\n").encode()
    )
    deadline = time.monotonic() + STREAM_LIMIT_SECONDS
    line = 0
    while time.monotonic() < deadline and not stop.is_set():
        sock.sendall(f"{name} {line}\n".encode())
        line += 1
        time.sleep(STREAM_INTERVAL_SECONDS)


class TcpHandler(socketserver.BaseRequestHandler):
    def handle(self):
        name = self.server.backend_name
        sock = self.request
        try:
            request = read_request(sock)
            sock.settimeout(REQUEST_WAIT_SECONDS)
            if request.startswith(b"GET /stream"):
                sock.settimeout(None)
                stream(sock, name, self.server.stopping)
            elif request.startswith(HTTP_METHODS):
                sock.sendall(http_response(name, include_body=not request.startswith(b"HEAD ")))
            else:
                sock.sendall(f"{name}\n".encode())
        except OSError:
            pass


class ThreadedTcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, family, address, name, stopping):
        self.address_family = family
        self.backend_name = name
        self.stopping = stopping
        super().__init__(address, TcpHandler, bind_and_activate=False)
        if family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.server_bind()
        self.server_activate()


class UdpHandler(socketserver.BaseRequestHandler):
    def handle(self):
        _, sock = self.request
        sock.sendto(f"{self.server.backend_name}\n".encode(), self.client_address)


class ThreadedUdpServer(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, family, address, name):
        self.address_family = family
        self.backend_name = name
        super().__init__(address, UdpHandler, bind_and_activate=False)
        if family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.server_bind()
        self.server_activate()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", required=True, help="the name this backend answers with")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--udp", action="store_true", help="also answer UDP on the same port")
    parser.add_argument("--bind4", default="0.0.0.0")
    parser.add_argument("--bind6", default="::", help="empty to skip IPv6")
    args = parser.parse_args()

    stopping = threading.Event()
    servers = [ThreadedTcpServer(socket.AF_INET, (args.bind4, args.port), args.name, stopping)]
    if args.bind6:
        servers.append(ThreadedTcpServer(socket.AF_INET6, (args.bind6, args.port), args.name, stopping))
    if args.udp:
        servers.append(ThreadedUdpServer(socket.AF_INET, (args.bind4, args.port), args.name))
        if args.bind6:
            servers.append(ThreadedUdpServer(socket.AF_INET6, (args.bind6, args.port), args.name))

    def shut_down(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)

    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    print(f"backend={args.name} event=listening port={args.port} udp={args.udp}", flush=True)
    stopping.wait()
    for server in servers:
        server.shutdown()
        server.server_close()
    print(f"backend={args.name} event=stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
