# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""lb_info and lb_plan against an API server that misbehaves (tests/integration/
hostile_server.py): each case ends within a bounded time and memory, with an error that names
the server and what it did, and a redirect never takes the credentials to another host.

The modules run as their own processes (as Ansible runs them: the arguments in a file), so
the wall time and the peak RSS (os.wait4) are the module's; docs/reliability.md gives the bounds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_server import HostileServer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "hostile-test-token-0123456789"


def run_module(tmp_path, module, **args):
    """(result dict, seconds, peak RSS in MiB) of one module run with ``args``."""
    path = tmp_path / "args.json"
    path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    env = dict(os.environ, PYTHONPATH=str(ROOT / ".build" / "collections"))
    out = tmp_path / "stdout"
    start = time.monotonic()
    with open(out, "wb") as stdout:
        proc = subprocess.Popen(
            [sys.executable, "-m", MODULES + module, str(path)],
            stdout=stdout,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=str(tmp_path),
        )
        while True:  # os.wait4: this child's own peak RSS
            pid, _status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > 300:
                proc.kill()
                raise AssertionError("%s still running after 300 s" % module)
            time.sleep(0.05)
    took = time.monotonic() - start
    text = out.read_text(errors="replace")
    try:
        result = json.loads(text[text.index("{") :])
    except ValueError:
        raise AssertionError("no JSON result from %s: %s" % (module, text[-3000:])) from None
    return result, took, usage.ru_maxrss / 1024.0


MODULES = "ansible_collections.meshgate.istio_lb.plugins.modules."


def live_args(server, **extra):
    return dict(host=server.url, api_key=TOKEN, **extra)


def assert_failed(result, reason, *texts):
    assert result.get("failed"), result
    assert result["error"]["reason"] == reason, result["error"]
    for text in texts:
        assert text in result["msg"], result["msg"]
    assert TOKEN not in json.dumps(result)


def test_endless_continue_tokens_end_at_the_deadline(tmp_path):
    with HostileServer("endless_continue") as srv:
        result, took, _rss = run_module(tmp_path, "lb_info", **live_args(srv, deadline=5))
    assert_failed(result, "timeout", srv.url, "still sending continue tokens", "deadline of 5s")
    assert 4 < took < 5 + 2 + 5, took
    assert srv.pages > 10  # it did follow the tokens until then


def test_a_repeated_continue_token_stops_the_list(tmp_path):
    with HostileServer("endless_continue", same_continue=True) as srv:
        result, took, _rss = run_module(tmp_path, "lb_info", **live_args(srv))
    assert_failed(result, "server", srv.url, "continue token it had sent before", "after 2 page(s)")
    assert took < 10, took


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_response_of_hundreds_of_mb_is_not_read_past_the_cap(tmp_path, chunked):
    with HostileServer("huge", size=300 * 1000 * 1000, chunked=chunked) as srv:
        result, took, rss = run_module(tmp_path, "lb_info", **live_args(srv, max_response_size=16))
    what = "sent more than that" if chunked else "announced 286.1 MiB (Content-Length)"
    assert_failed(result, "server", srv.url, "more than 16 MiB (option max_response_size)", what)
    assert took < 30, took
    # The process: ~50 MiB of Python and the collection, and at most the cap per list read at
    # once (read/live.py LIST_THREADS, 4); not the 300 MB sent.
    assert rss < 4 * 16 + 100, rss
    print("huge (%s): %.1fs, peak RSS %.0f MiB" % ("chunked" if chunked else "length", took, rss))


def test_json_nested_thousands_deep_is_refused(tmp_path):
    with HostileServer("deep", depth=100_000) as srv:
        result, took, _rss = run_module(tmp_path, "lb_info", **live_args(srv))
    assert_failed(result, "server", srv.url, "nested deeper than")
    assert took < 20, took


def test_a_server_trickling_its_answer_ends_at_the_deadline(tmp_path):
    # request_timeout 30 s is never reached: a byte comes every second.
    with HostileServer("slowloris", interval=1.0) as srv:
        result, took, _rss = run_module(
            tmp_path, "lb_info", **live_args(srv, deadline=6, request_timeout=30)
        )
    assert_failed(result, "timeout", srv.url, "within the deadline of 6s", "still sending")
    assert 5 < took < 6 + 2 + 5, took


def test_headers_sent_a_byte_at_a_time_end_at_the_deadline(tmp_path):
    with HostileServer("slow_headers", interval=1.0) as srv:
        result, took, _rss = run_module(
            tmp_path, "lb_info", **live_args(srv, deadline=4, request_timeout=30)
        )
    assert_failed(result, "timeout", srv.url, "deadline of 4s", "read API discovery")
    assert 4 < took < 4 + 2 + 5, took


def test_lb_plan_live_is_bounded_by_the_deadline_too(tmp_path):
    with HostileServer("slowloris", interval=1.0) as srv:
        result, took, _rss = run_module(
            tmp_path, "lb_plan", **live_args(srv, mode="standalone", deadline=5)
        )
    assert_failed(result, "timeout", srv.url, "deadline")
    assert took < 5 + 2 + 5, took


def test_discovery_of_thousands_of_kinds_is_read_in_bounded_time(tmp_path):
    with HostileServer("many_kinds", kinds=5000) as srv:
        result, took, rss = run_module(tmp_path, "lb_info", **live_args(srv))
    assert not result.get("failed"), result
    assert result["cluster"]["server"] == srv.url
    assert took < 30, took
    assert rss < 150, rss
    print("5,000 kinds: %.1fs, peak RSS %.0f MiB, %d requests" % (took, rss, len(srv.requests)))


def test_a_redirect_to_another_host_is_not_followed(tmp_path):
    with HostileServer() as other, HostileServer("redirect", location=other.url) as srv:
        result, _took, _rss = run_module(tmp_path, "lb_info", **live_args(srv))
    assert_failed(
        result, "server", srv.url, "redirect (HTTP 302) to %s" % other.url, "not followed"
    )
    assert other.requests == []  # neither the request nor the token went there
    assert [h.get("Authorization") for _m, _p, h in srv.requests] == ["Bearer " + TOKEN]
