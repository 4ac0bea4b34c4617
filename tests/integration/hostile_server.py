# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A stand-in Kubernetes API server that misbehaves on purpose (tests/integration/
test_hostile_server.py). The one place a stand-in is right: a real API server cannot be made
to send endless continue tokens, hundreds of MB, JSON nested thousands deep, an answer that
never ends, thousands of kinds or a redirect to another host; a compromised or misconfigured
cluster (or what answers in its place) can.

``HostileServer(behaviour)`` serves plain HTTP on 127.0.0.1 in a thread. Discovery (``/api``,
``/apis``, aggregated) serves the core and apps kinds lb_info reads, every list is empty,
except where ``behaviour`` says otherwise:

* ``endless_continue``: every list page carries a new continue token (``same_continue``: the
  same one each time);
* ``huge``: every list answer streams ``size`` bytes (300 MB unless given) of objects, with or
  without Content-Length (``chunked``), generated as sent, never held;
* ``deep``: every list answer is JSON nested ``depth`` (100,000) levels;
* ``slowloris``: list answers send their headers, then one body byte every ``interval`` s
  (``slow_headers``: the status line and headers too, a byte at a time);
* ``many_kinds``: discovery lists ``kinds`` (5,000) kinds in one group;
* ``redirect``: every request is answered 302 to ``location`` (another server).

``requests`` records (method, path, headers) of every request it was sent.
"""

from __future__ import annotations

import http.server
import json
import socketserver
import threading
import time

CORE = (
    ("namespaces", "Namespace", False),
    ("nodes", "Node", False),
    ("services", "Service", True),
    ("pods", "Pod", True),
    ("configmaps", "ConfigMap", True),
)
APPS = (("deployments", "Deployment"), ("daemonsets", "DaemonSet"), ("statefulsets", "StatefulSet"))


def _resource(name, kind, namespaced=True):
    return {
        "resource": name,
        "responseKind": {"group": "", "version": "", "kind": kind},
        "scope": "Namespaced" if namespaced else "Cluster",
        "singularResource": name[:-1],
        "verbs": ["get", "list", "watch"],
    }


def discovery(path, kinds=0):
    """The aggregated discovery document of ``/api`` or ``/apis``."""
    if path == "/api":
        items = [
            {
                "metadata": {"name": ""},
                "versions": [
                    {"version": "v1", "resources": [_resource(*r) for r in CORE]},
                ],
            }
        ]
    else:
        items = [
            {
                "metadata": {"name": "apps"},
                "versions": [{"version": "v1", "resources": [_resource(*r) for r in APPS]}],
            }
        ]
        if kinds:
            items.append(
                {
                    "metadata": {"name": "many.example.com"},
                    "versions": [
                        {
                            "version": "v1",
                            "resources": [
                                _resource("kind%ds" % i, "Kind%d" % i) for i in range(kinds)
                            ],
                        }
                    ],
                }
            )
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


_OBJECT = b'{"metadata":{"name":"cm-%d","namespace":"default"},"data":{"k":"' + b"x" * 900 + b'"}},'


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile/1"

    def log_message(self, *_args):  # quiet
        pass

    def _json(self, doc, status=200):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        srv = self.server.hostile
        srv.requests.append((self.command, self.path, dict(self.headers)))
        b, opts = srv.behaviour, srv.options
        path = self.path.split("?", 1)[0]
        try:
            if b == "redirect":
                self.send_response(302)
                self.send_header("Location", opts["location"] + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if b == "slow_headers":
                return self._trickle(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            if path in ("/api", "/apis"):
                return self._json(discovery(path, opts.get("kinds", 0) if b == "many_kinds" else 0))
            if b == "endless_continue":
                srv.pages += 1
                token = "same" if opts.get("same_continue") else "page-%d" % srv.pages
                return self._json(
                    {
                        "kind": "List",
                        "apiVersion": "v1",
                        "metadata": {"continue": token},
                        "items": [],
                    }
                )
            if b == "huge":
                return self._huge(opts.get("size", 300 * 1000 * 1000), opts.get("chunked", False))
            if b == "deep":
                depth = opts.get("depth", 100_000)
                body = b'{"kind":"List","items":' + b"[" * depth + b"]" * depth + b"}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if b == "slowloris":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                return self._trickle(b'{"kind":"List","items":[' + b" " * 999_000)
            return self._json({"kind": "List", "apiVersion": "v1", "metadata": {}, "items": []})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what the tests want

    def _trickle(self, data):
        interval = self.server.hostile.options.get("interval", 2.0)
        for i in range(len(data)):
            if self.server.hostile.stopping.is_set():
                return
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()
            time.sleep(interval)

    def _huge(self, size, chunked):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        head = b'{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":['
        sent = 0
        n = 0
        block = []
        while sent < size and not self.server.hostile.stopping.is_set():
            block = head if n == 0 else b"".join(_OBJECT % (n * 100 + i) for i in range(100))
            n += 1
            block = block[: size - sent]
            self._write(block, chunked)
            sent += len(block)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _write(self, block, chunked):
        if chunked:
            self.wfile.write(b"%x\r\n" % len(block) + block + b"\r\n")
        else:
            self.wfile.write(block)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that hung up on purpose (the module gave up): not worth a traceback


class HostileServer:
    """One misbehaving API server on 127.0.0.1 (see the module docstring); a context manager."""

    def __init__(self, behaviour="normal", **options):
        self.behaviour = behaviour
        self.options = options
        self.requests = []
        self.pages = 0
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.hostile = self
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
