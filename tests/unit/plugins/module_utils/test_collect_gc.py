# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""read/settle.py settled_gc / settle: what gather() reads is kept out of the cyclic GC's sight while
it runs (gc.freeze), and given back after, unless asked to keep it there or the caller had
frozen objects of its own. The real gc module, no fakes."""

from __future__ import annotations

import gc

import pytest
from shared_fixtures import SHARED_FIXTURES  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.read import gather, settle


@pytest.fixture(autouse=True)
def nothing_frozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_settle_freezes_only_while_a_gather_runs():
    kept = [{"object": i} for i in range(100)]
    settle.settle()
    assert gc.get_freeze_count() == 0  # outside gather(): never
    with settle.settled_gc():
        settle.settle()
        assert gc.get_freeze_count() > 0
        with settle.settled_gc():  # nested: the outer one gives them back
            settle.settle()
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    assert kept[99] == {"object": 99}


def test_a_module_keeps_them_frozen_and_a_callers_own_frozen_objects_stay_frozen():
    with settle.settled_gc(keep=True):
        settle.settle()
    assert gc.get_freeze_count() > 0  # a module process: frozen until it exits
    gc.unfreeze()
    gc.freeze()  # the caller's own (a pre-fork server, say)
    before = gc.get_freeze_count()
    with settle.settled_gc():
        settle.settle()
    assert gc.get_freeze_count() >= before > 0


def test_gather_gives_back_what_it_froze_and_answers_the_same(monkeypatch):
    src = [str(SHARED_FIXTURES / "controllers"), str(SHARED_FIXTURES / "examples")]
    free, _kinds, _warnings = gather.gather(src=src)
    settles = []
    real = settle.settle

    def counting():
        settles.append(1)
        real()

    monkeypatch.setattr(gather, "settle", counting)  # where gather() looks it up
    facts, _kinds, _warnings = gather.gather(src=src)
    assert settles and gc.get_freeze_count() == 0
    assert facts == free
    facts, _kinds, _warnings = gather.gather(src=src, keep_frozen=True)
    assert gc.get_freeze_count() > 0 and facts == free
