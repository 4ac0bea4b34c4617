# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The retry policy (k8s/retry.py) as a pure function, and KubeClient following it against a
real local socket server that resets, cuts short or refuses its answers."""

from __future__ import annotations

import json
import socket
import struct
import threading

import pytest

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.retry import (
    BACKOFF,
    is_safe,
    outcome_unknown,
    retry_delay,
)

# ------------------------------------------------------------------------------- the policy


@pytest.mark.parametrize(
    "method,query,safe",
    [
        ("GET", None, True),
        ("get", {"limit": 500}, True),
        ("HEAD", None, True),
        ("PATCH", {"dryRun": "All", "fieldManager": "meshgate"}, True),
        ("DELETE", {"dryRun": "All"}, True),
        ("PATCH", {"fieldManager": "meshgate"}, False),
        ("PATCH", None, False),
        ("DELETE", None, False),
        ("POST", {"dryRun": "None"}, False),
    ],
)
def test_only_reads_and_dry_runs_are_safe(method, query, safe):
    assert is_safe(method, query) is safe


def test_retry_delay_backs_off_and_is_bounded():
    delays = [retry_delay("GET", None, "unreachable", None, n) for n in range(1, 5)]
    assert delays == [BACKOFF[0], BACKOFF[1], None, None]
    assert BACKOFF[0] < BACKOFF[1]  # each wait longer than the last
    assert retry_delay("GET", None, "unreachable", None, 0) is None


@pytest.mark.parametrize(
    "reason,status,again",
    [
        ("unreachable", None, True),  # refused, reset, answer cut short
        ("server", 429, True),
        ("server", 502, True),
        ("server", 503, True),
        ("timeout", 504, True),
        ("timeout", None, False),  # request_timeout is the user's bound
        ("tls", None, False),
        ("unauthorized", 401, False),
        ("forbidden", 403, False),
        ("not_found", 404, False),
        ("conflict", 409, False),
        ("invalid", 422, False),
        ("server", 500, False),
    ],
)
def test_which_failures_are_retried(reason, status, again):
    assert (retry_delay("GET", None, reason, status, 1) is not None) is again
    # A real write is never repeated, whatever the failure.
    assert retry_delay("PATCH", {"fieldManager": "m"}, reason, status, 1) is None


@pytest.mark.parametrize(
    "reason,status,unknown",
    [
        ("unreachable", None, True),
        ("timeout", None, True),
        ("server", 503, True),
        ("timeout", 504, True),
        ("invalid", 422, False),
        ("conflict", 409, False),
        ("server", 500, False),
        ("forbidden", 403, False),
    ],
)
def test_outcome_unknown(reason, status, unknown):
    assert outcome_unknown(reason, status) is unknown


# ------------------------------------------------------------- a server that misbehaves on cue

_RST = struct.pack("ii", 1, 0)


class ScriptedServer:
    """Plain-HTTP server on loopback: each connection reads one request and does the next step
    of ``script`` (the last step repeats): "ok" answers JSON, "reset" resets without answering,
    "cut" sends the status line, headers and half the body then closes, "status:N" answers
    HTTP N with a Kubernetes Status."""

    def __init__(self, script, body=None):
        self.script = list(script)
        self.body = body if body is not None else {"kind": "Status", "apiVersion": "v1"}
        self.requests = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.url = "http://127.0.0.1:%d" % self._sock.getsockname()[1]
        threading.Thread(target=self._loop, daemon=True).start()

    def close(self):
        self._sock.close()

    def _read_request(self, conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _sep, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _c, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += conn.recv(65536)
        return head.split(b"\r\n")[0].decode()

    def _loop(self):
        while True:
            try:
                conn, _a = self._sock.accept()
            except OSError:
                return
            line = self._read_request(conn)
            if line is None:
                conn.close()
                continue
            step = self.script[min(len(self.requests), len(self.script) - 1)]
            self.requests.append(line)
            payload = json.dumps(self.body).encode()
            status = 200
            if step.startswith("status:"):
                status = int(step.split(":")[1])
                payload = json.dumps(
                    {"kind": "Status", "apiVersion": "v1", "code": status, "message": "busy"}
                ).encode()
            head = (
                "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                "Connection: close\r\n\r\n" % (status, len(payload))
            ).encode()
            if step == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RST)
                conn.close()
                continue
            if step == "cut":
                conn.sendall(head + payload[: len(payload) // 2])
                conn.close()
                continue
            conn.sendall(head + payload)
            conn.close()


@pytest.fixture
def serve():
    servers = []

    def start(script, body=None):
        server = ScriptedServer(script, body)
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.close()


def _client(server):
    client = client_from_params({"host": server.url, "api_key": "t"}, environ={})
    waits = []
    client.sleep = waits.append
    return client, waits


CM = "/api/v1/namespaces/default/configmaps"
APPLY = "/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web"


@pytest.mark.parametrize("fault", ["reset", "cut", "status:503", "status:429"])
def test_a_read_is_retried_with_backoff(serve, fault):
    server = serve([fault, "ok"], body={"kind": "ConfigMapList", "items": []})
    client, waits = _client(server)
    assert client.request("GET", CM) == {"kind": "ConfigMapList", "items": []}
    assert len(server.requests) == 2 and waits == [BACKOFF[0]]
    assert client.retried == 1 and client.request_counts == {"GET": 2}


def test_a_dry_run_is_retried(serve):
    server = serve(["reset", "cut", "ok"], body={"kind": "Ingress"})
    client, waits = _client(server)
    query = {"fieldManager": "meshgate", "dryRun": "All"}
    assert client.request("PATCH", APPLY, query=query, body={}) == {"kind": "Ingress"}
    assert len(server.requests) == 3 and waits == list(BACKOFF)


@pytest.mark.parametrize("fault", ["reset", "cut", "status:503"])
def test_a_write_is_never_repeated(serve, fault):
    server = serve([fault, "ok"])
    client, waits = _client(server)
    with pytest.raises(K8sError) as exc:
        client.request("PATCH", APPLY, query={"fieldManager": "meshgate"}, body={})
    assert len(server.requests) == 1 and waits == []
    assert outcome_unknown(exc.value.reason, exc.value.status)


def test_the_retries_are_bounded_and_the_error_says_what_happened(serve):
    server = serve(["cut"])
    client, waits = _client(server)
    with pytest.raises(K8sError) as exc:
        client.request("GET", CM)
    assert len(server.requests) == 1 + len(BACKOFF) and waits == list(BACKOFF)
    text = str(exc.value)
    assert exc.value.reason == "unreachable"
    assert server.url in text  # the server
    assert "list configmaps in namespace default" in text  # the verb and the object
    assert "answer cut short" in text and "(3 attempts)" in text
    assert "Nothing was changed" in text


def test_a_write_cut_short_says_it_may_have_been_applied(serve):
    server = serve(["cut"])
    client, _waits = _client(server)
    with pytest.raises(K8sError) as exc:
        client.request(
            "PATCH",
            APPLY,
            query={"fieldManager": "meshgate"},
            body={},
            content_type="application/apply-patch+yaml",
        )
    text = str(exc.value)
    assert 'apply ingresses.networking.k8s.io "web" in namespace shop' in text
    assert "may have done it" in text and "attempts" not in text


def test_a_refused_connection_is_retried_then_named(serve):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there
    client = client_from_params({"host": "http://127.0.0.1:%d" % port, "api_key": "t"}, environ={})
    waits = []
    client.sleep = waits.append
    with pytest.raises(K8sError) as exc:
        client.request("GET", CM)
    assert exc.value.reason == "unreachable" and waits == list(BACKOFF)
    assert "127.0.0.1:%d" % port in str(exc.value) and "(3 attempts)" in str(exc.value)
