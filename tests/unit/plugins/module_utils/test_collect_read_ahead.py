# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""collect._read_ahead: route pages read in a background thread, a bounded distance ahead.

Plain data in place of the API server: ``read_kind`` yields lists, as the live LIST does.
"""

from __future__ import annotations

import threading

import pytest

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.live import _read_ahead

INGRESS = ("networking.k8s.io", "Ingress")
HTTPROUTE = ("gateway.networking.k8s.io", "HTTPRoute")
VS = ("networking.istio.io", "VirtualService")


def _reader(pages_per_kind, fail_at=None):
    """read_kind over {kind: [pages]}; ``fail_at=(kind, n)`` raises after n pages of it.
    Records how far reading got, for the distance checks."""
    state = {"read": 0, "lock": threading.Lock()}

    def read_kind(gk):
        for n, page in enumerate(pages_per_kind.get(gk, ())):
            if fail_at == (gk, n):
                raise K8sError("forbidden", "list %s/%s: forbidden" % gk, status=403)
            with state["lock"]:
                state["read"] += 1
            yield page

    return read_kind, state


def test_pages_arrive_in_order_for_each_kind_even_when_asked_out_of_order():
    pages = {INGRESS: [[1], [2], [3]], HTTPROUTE: [["a"]], VS: [["x"], ["y"]]}
    read_kind, _state = _reader(pages)
    route_pages = _read_ahead([INGRESS, HTTPROUTE, VS], read_kind)
    # Asked in another order than read: earlier kinds' pages wait for their turn.
    assert list(route_pages(*VS)) == [["x"], ["y"]]
    assert list(route_pages(*INGRESS)) == [[1], [2], [3]]
    assert list(route_pages(*HTTPROUTE)) == [["a"]]
    # A kind not read (not served) has no pages; a kind is read once.
    assert list(route_pages("projectcontour.io", "HTTPProxy")) == []
    with pytest.raises(ValueError, match="already read"):
        list(route_pages(*INGRESS))


def test_reading_stays_a_bounded_number_of_pages_ahead():
    pages = {INGRESS: [[i] for i in range(30)]}
    read_kind, state = _reader(pages)
    route_pages = _read_ahead([INGRESS], read_kind, depth=2)
    most_ahead = 0
    taken = 0
    for _page in route_pages(*INGRESS):
        taken += 1
        # Give the reader every chance to run ahead before looking.
        for _spin in range(200):
            threading.Event().wait(0.0005)
            if state["read"] - taken >= 4:
                break
        most_ahead = max(most_ahead, state["read"] - taken)
    assert taken == 30
    # The queue's 2, plus the page the reader holds while it waits to hand it over.
    assert 1 <= most_ahead <= 3, most_ahead


def test_an_error_reaches_the_caller_after_the_pages_before_it():
    pages = {INGRESS: [[1], [2]], HTTPROUTE: [["a"], ["b"]]}
    read_kind, _state = _reader(pages, fail_at=(HTTPROUTE, 1))
    route_pages = _read_ahead([INGRESS, HTTPROUTE], read_kind)
    assert list(route_pages(*INGRESS)) == [[1], [2]]
    got = []
    with pytest.raises(K8sError) as exc:
        for page in route_pages(*HTTPROUTE):
            got.append(page)
    assert got == [["a"]]
    assert exc.value.reason == "forbidden" and "HTTPRoute" in str(exc.value)
