#!/usr/bin/env python3
"""A small double of the Consul agent HTTP API for the lab (no real agent is installable here).

Follows Consul's documented endpoints: PUT /v1/agent/service/register,
PUT /v1/agent/service/deregister/<id>, PUT /v1/agent/check/update|pass|warn|fail/<id>,
PUT /v1/agent/service/maintenance/<id>?enable=, GET /v1/agent/services, GET /v1/agent/checks,
GET /v1/health/service/<name>?tag=&index=&wait= (blocking, X-Consul-Index), and the KV store:
GET /v1/kv/<key>[?recurse|?raw]&index=&wait= (blocking; X-Consul-Index is the entry's ModifyIndex,
the highest under the prefix with recurse, the store's latest write when nothing matches; 404 when
nothing matches), PUT /v1/kv/<key> (the body is the value; answers true) and
DELETE /v1/kv/<key>[?recurse]. State is saved to
--state after every change and loaded at start, as a real agent keeps its registrations across
a restart. Listens on 127.0.0.1 only; the lab runs it inside the LB host's namespace.
"""
import argparse
import base64
import json
import os
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Condition()
STATE = {"index": 10, "services": {}, "checks": {}, "kv": {}, "kv_index": 1}
NODE, NODE_ADDRESS = "lab-lb-node", "127.0.0.1"
STATE_FILE = None


def save():
    if STATE_FILE:
        tmp = STATE_FILE + ".tmp"
        with open(tmp, "w") as f:
            json.dump(STATE, f)
        os.replace(tmp, STATE_FILE)


def bump():
    STATE["index"] += 1
    save()
    LOCK.notify_all()


def seconds(text):
    m = re.fullmatch(r"([0-9]+)(ms|s|m|h)", text)
    n = int(m.group(1))
    return {"ms": n / 1000, "s": n, "m": n * 60, "h": n * 3600}[m.group(2)]


def expire_ttls():
    now = time.time()
    for c in STATE["checks"].values():
        if c.get("ttl") and now > c["deadline"] and c["Status"] != "critical":
            c["Status"], c["Output"] = "critical", "TTL expired"
            bump()


def check_view(c):
    return {k: c[k] for k in ("CheckID", "Name", "Status", "Output", "ServiceID")} | {"Node": NODE}


def kv_matches(key, recurse):
    if recurse:
        return [STATE["kv"][k] for k in sorted(STATE["kv"]) if k.startswith(key)]
    return [STATE["kv"][key]] if key in STATE["kv"] else []


def kv_answer_index(key, recurse):
    found = [e["ModifyIndex"] for e in kv_matches(key, recurse)]
    return max(found) if found else max(1, STATE["kv_index"])


def kv_write(key, value):
    bump()
    at = STATE["index"]
    old = STATE["kv"].get(key)
    STATE["kv"][key] = {"LockIndex": 0, "Key": key, "Flags": 0,
                        "Value": base64.b64encode(value).decode() if value else None,
                        "CreateIndex": old["CreateIndex"] if old else at, "ModifyIndex": at}
    STATE["kv_index"] = at
    save()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body=b"", index=None):
        self.send_response(status)
        if index is not None:
            self.send_header("X-Consul-Index", str(index))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        with LOCK:
            if url.path.startswith("/v1/kv/"):
                key = urllib.parse.unquote(url.path[len("/v1/kv/"):])
                recurse = "recurse" in q
                wanted = int(q.get("index", "0"))
                deadline = time.time() + seconds(q.get("wait", "5m"))
                while wanted > 0 and kv_answer_index(key, recurse) == wanted and time.time() < deadline:
                    LOCK.wait(min(1.0, max(0.01, deadline - time.time())))
                index, found = kv_answer_index(key, recurse), kv_matches(key, recurse)
                if not found:
                    return self.reply(404, b"", index)
                if "raw" in q and not recurse:
                    return self.reply(200, base64.b64decode(found[0]["Value"] or ""), index)
                return self.reply(200, json.dumps(found).encode(), index)
            if url.path == "/v1/agent/services":
                return self.reply(200, json.dumps(STATE["services"]).encode())
            if url.path == "/v1/agent/checks":
                expire_ttls()
                return self.reply(200, json.dumps({i: check_view(c) for i, c in STATE["checks"].items()}).encode())
            if url.path.startswith("/v1/health/service/"):
                name = urllib.parse.unquote(url.path[len("/v1/health/service/"):])
                wanted = int(q.get("index", "0"))
                deadline = time.time() + seconds(q.get("wait", "5m"))
                while wanted > 0 and STATE["index"] == wanted and time.time() < deadline:
                    LOCK.wait(min(1.0, max(0.01, deadline - time.time())))
                    expire_ttls()
                out = []
                for s in STATE["services"].values():
                    if s["Service"] != name or ("tag" in q and q["tag"] not in s["Tags"]):
                        continue
                    checks = [{"Node": NODE, "CheckID": "serfHealth", "Name": "Serf Health Status",
                               "Status": "passing", "Output": "", "ServiceID": ""}]
                    checks += [check_view(c) for c in STATE["checks"].values()
                               if c["ServiceID"] in ("", s["ID"])]
                    out.append({"Node": {"Node": NODE, "Address": NODE_ADDRESS}, "Service": s, "Checks": checks})
                return self.reply(200, json.dumps(out).encode(), STATE["index"])
        self.reply(404, b"unknown endpoint")

    def do_PUT(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = url.path
        with LOCK:
            if path.startswith("/v1/kv/"):
                kv_write(urllib.parse.unquote(path[len("/v1/kv/"):]), body)
                return self.reply(200, b"true")
            if path == "/v1/agent/service/register":
                r = json.loads(body)
                sid = r.get("ID") or r["Name"]
                STATE["services"][sid] = {"ID": sid, "Service": r["Name"], "Tags": r.get("Tags") or [],
                                          "Meta": r.get("Meta") or {}, "Address": r.get("Address", ""),
                                          "Port": r.get("Port", 0)}
                for cid in [i for i, c in STATE["checks"].items() if c["ServiceID"] == sid and not i.startswith("_")]:
                    del STATE["checks"][cid]
                c = r.get("Check")
                if c and "TTL" in c:
                    cid = c.get("CheckID") or "service:" + sid
                    STATE["checks"][cid] = {"CheckID": cid, "Name": c.get("Name", cid), "ServiceID": sid,
                                            "Status": c.get("Status", "critical"), "Output": "",
                                            "ttl": seconds(c["TTL"]), "deadline": time.time() + seconds(c["TTL"])}
                bump()
                return self.reply(200)
            m = re.fullmatch(r"/v1/agent/(service/deregister|service/maintenance|check/update|check/pass|"
                             r"check/warn|check/fail)/(.+)", path)
            if not m:
                return self.reply(404, b"unknown endpoint")
            op, ident = m.group(1), urllib.parse.unquote(m.group(2))
            if op == "service/deregister":
                if STATE["services"].pop(ident, None) is None:
                    return self.reply(404, b"Unknown service ID")
                for cid in [i for i, c in STATE["checks"].items() if c["ServiceID"] == ident]:
                    del STATE["checks"][cid]
            elif op == "service/maintenance":
                if ident not in STATE["services"]:
                    return self.reply(404, b"Unknown service ID")
                cid = "_service_maintenance:" + ident
                if q.get("enable") == "true":
                    STATE["checks"][cid] = {"CheckID": cid, "Name": "Service Maintenance Mode", "ServiceID": ident,
                                            "Status": "critical", "Output": q.get("reason", "")}
                else:
                    STATE["checks"].pop(cid, None)
            else:
                c = STATE["checks"].get(ident)
                if c is None or not c.get("ttl"):
                    return self.reply(404, b'CheckID does not have associated TTL')
                if op == "check/update":
                    u = json.loads(body or b"{}")
                    status, output = u.get("Status", ""), u.get("Output", "")
                else:
                    status = {"check/pass": "passing", "check/warn": "warning"}.get(op, "critical")
                    output = q.get("note", "")
                changed = (c["Status"], c["Output"]) != (status, output)
                c["Status"], c["Output"], c["deadline"] = status, output, time.time() + c["ttl"]
                if not changed:
                    return self.reply(200)  # a refresh only: the index does not move, as in Consul
            bump()
            return self.reply(200)


    def do_DELETE(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if not url.path.startswith("/v1/kv/"):
            return self.reply(404, b"unknown endpoint")
        key = urllib.parse.unquote(url.path[len("/v1/kv/"):])
        with LOCK:
            gone = [e["Key"] for e in kv_matches(key, "recurse" in q)]
            if gone:
                bump()
                for k in gone:
                    del STATE["kv"][k]
                STATE["kv_index"] = STATE["index"]
                save()
        return self.reply(200, b"true")


def main():
    global STATE_FILE
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=8500)
    p.add_argument("--state")
    a = p.parse_args()
    STATE_FILE = a.state
    if STATE_FILE and os.path.exists(STATE_FILE):
        with open(STATE_FILE) as f:
            STATE.update(json.load(f))
        for c in STATE["checks"].values():
            if c.get("ttl"):
                c["deadline"] = time.time() + c["ttl"]
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", a.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
