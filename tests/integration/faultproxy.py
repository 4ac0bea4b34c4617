# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A loopback TCP proxy the tests control, between the modules and the real API server.

TLS passes through untouched: the proxy sees only bytes, the client still verifies the API
server's certificate (its SAN holds 127.0.0.1; a port is never part of a certificate, so a
kubeconfig pointing at ``https://127.0.0.1:<proxy port>`` verifies as the original does).

Because the stream is encrypted, the proxy cannot tell one HTTP request from another. Faults
that must hit one chosen request are therefore armed by the test just before the client sends
it (the sweep wraps ``KubeClient.apply``), and act on the next bytes the server sends on a
connection that was already established when the fault was armed (a pooled keep-alive
connection: its TLS handshake is over, so those bytes are the answer to that request):

- ``cut()``: close every open connection now (RST); with ``refuse=True`` new connections are
  accepted and closed at once, so nothing reaches the server until ``refuse=False``;
- ``latency``: seconds added before every chunk, both directions;
- ``arm("reset", after=n)``: forward ``n`` bytes of the next answer, then RST both sides;
- ``arm("truncate", after=n)``: forward ``n`` bytes of the next answer, then close (FIN): an
  answer cut short;
- ``arm("swallow")``: the request reaches the server (which answers: the work is done), the
  answer is dropped and the connection reset: the client cannot know the outcome;
- ``arm(..., every=True)``: the same for every new connection until ``disarm()`` (counting
  from its first byte), so that retries meet the fault too.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time

_LINGER_RST = struct.pack("ii", 1, 0)


def _rst(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RST)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class _Conn:
    def __init__(self, client, upstream):
        self.client = client
        self.upstream = upstream
        self.answered = False  # the server has sent bytes: the TLS handshake is behind us
        self.fault = None  # an armed fault for the next answer on this connection
        self.closed = False
        self.lock = threading.Lock()

    def close(self, reset=True):
        with self.lock:
            if self.closed:
                return
            self.closed = True
        for s in (self.client, self.upstream):
            if reset:
                _rst(s)
            else:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


class FaultProxy:
    """``FaultProxy(host, port)``: start() listens on 127.0.0.1 (``port``/``url`` after)."""

    def __init__(self, host, port):
        self.target = (host, int(port))
        self.latency = 0.0
        self.refuse = False
        self.fired = []  # the faults that acted, in order (kind, bytes forwarded)
        self.connections = 0
        self._conns = set()
        self._every = None  # a fault for every new connection too (arm(every=True))
        self._lock = threading.Lock()
        self._sock = None
        self._stop = threading.Event()

    # -- control ---------------------------------------------------------------------------

    def start(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        threading.Thread(target=self._accept_loop, daemon=True, name="faultproxy").start()
        return self

    @property
    def port(self):
        return self._sock.getsockname()[1]

    @property
    def url(self):
        return "https://127.0.0.1:%d" % self.port

    def close(self):
        self._stop.set()
        self.cut()
        if self._sock is not None:
            self._sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.close()

    def cut(self, refuse=None):
        """Reset every open connection; ``refuse`` (if given) sets whether new ones are refused."""
        if refuse is not None:
            self.refuse = refuse
        with self._lock:
            conns = list(self._conns)
            self._conns.clear()
        for c in conns:
            c.close(reset=True)

    def arm(self, kind, after=0, every=False):
        """Fault the next answer on every established connection (see the module docstring);
        returns how many were armed. ``every``: also every new connection until disarm(),
        ``after`` counting from its first byte (its TLS handshake included)."""
        if kind not in ("reset", "truncate", "swallow"):
            raise ValueError(kind)
        with self._lock:
            conns = [c for c in self._conns if c.answered and not c.closed]
            self._every = (kind, int(after)) if every else None
        for c in conns:
            c.fault = (kind, int(after), 0)  # (what, after how many bytes, bytes sent so far)
        return len(conns)

    def disarm(self):
        with self._lock:
            self._every = None
            for c in self._conns:
                c.fault = None

    # -- plumbing --------------------------------------------------------------------------

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                client, _addr = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            if self.refuse:
                _rst(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _rst(client)  # the API server is down: the client sees a reset, as it would
                continue
            upstream.settimeout(None)
            conn = _Conn(client, upstream)
            with self._lock:
                if self._every is not None:
                    conn.fault = self._every + (0,)
                self._conns.add(conn)
                self.connections += 1
            for src, dst, answers in ((client, upstream, False), (upstream, client, True)):
                threading.Thread(
                    target=self._pump, args=(conn, src, dst, answers), daemon=True
                ).start()

    def _pump(self, conn, src, dst, answers):
        try:
            while not conn.closed:
                ready, _w, _x = select.select([src], [], [], 0.2)
                if not ready:
                    continue
                data = src.recv(65536)
                if not data:
                    break
                if self.latency:
                    time.sleep(self.latency)
                if answers and conn.fault is not None:
                    kind, after, sent = conn.fault
                    if kind != "swallow" and sent + len(data) <= after:
                        dst.sendall(data)  # not there yet: the fault acts after ``after`` bytes
                        conn.fault = (kind, after, sent + len(data))
                        continue
                    conn.fault = None
                    if kind != "swallow":
                        dst.sendall(data[: after - sent])
                    self.fired.append((kind, after if kind != "swallow" else 0))
                    conn.close(reset=kind != "truncate")
                    return
                dst.sendall(data)
                if answers:
                    conn.answered = True
        except OSError:
            pass
        conn.close(reset=False)
        with self._lock:
            self._conns.discard(conn)
