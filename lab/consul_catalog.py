#!/usr/bin/env python3
"""The fleet's Consul catalog for the lab: one view over the per-host agent doubles.

In a real fleet every LB host runs its own Consul agent, and any agent answers
GET /v1/health/service/<name> with the instances of every node. In the lab each LB host's
namespace runs its own lab/consul_double.py (one agent, one node); this server answers
/v1/health/service/<name> by asking each host's agent (inside its namespace, through nsenter
and curl) and joining the answers, each entry's Node named after its host, as Consul's catalog
does. Read-only; no blocking queries (index/wait are ignored: `sluice fleet check` uses none).

  consul_catalog.py --listen 127.0.0.1:8500 --node lb1=/run/netns/sl-lb1 --node lb2=/run/netns/sl-lb2
"""
import argparse
import json
import subprocess
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AGENT = "http://127.0.0.1:8500"
CALL_TIMEOUT_S = 5
NODES = []  # (node name, netns path)


def ask(netns, path):
    out = subprocess.run(["nsenter", f"--net={netns}", "curl", "-sS", "--fail", "--max-time", str(CALL_TIMEOUT_S),
                          AGENT + path], capture_output=True, timeout=CALL_TIMEOUT_S + 2, check=True).stdout
    return json.loads(out)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Consul-Index", "1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if not url.path.startswith("/v1/health/service/"):
            return self.reply(404, b"unknown endpoint")
        query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        kept = urllib.parse.urlencode([(k, v) for k, v in query if k not in ("index", "wait")])
        path = url.path + ("?" + kept if kept else "")
        joined = []
        try:
            for node, netns in NODES:
                for entry in ask(netns, path):
                    entry["Node"] = dict(entry.get("Node") or {}, Node=node)
                    for check in entry.get("Checks", []):
                        check["Node"] = node
                    joined.append(entry)
        except (subprocess.SubprocessError, ValueError) as e:
            return self.reply(502, json.dumps({"error": f"an agent did not answer: {e}"}).encode())
        self.reply(200, json.dumps(joined).encode())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", default="127.0.0.1:8500")
    p.add_argument("--node", action="append", required=True, help="NAME=/run/netns/NAMESPACE")
    a = p.parse_args()
    for n in a.node:
        name, netns = n.split("=", 1)
        NODES.append((name, netns))
    host, port = a.listen.rsplit(":", 1)
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()


if __name__ == "__main__":
    main()
