# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""What is read is kept out of the cyclic GC's sight while a gather() runs (settle, settled_gc)."""

from __future__ import annotations

import gc
from contextlib import contextmanager

# CPython's cyclic GC rescans every object it tracks on each full collection, and one comes each
# time the tracked objects grow by a quarter: building an index of 20,000 objects per kind
# rescanned it again and again (bench/NOTES.md, 20,000 per kind: offline reading and detecting
# 3.32 -> 2.20 s, a live gather() 5.1-5.8 -> 4.3-5.0 s; nothing at 5,000). What is read is kept,
# not garbage, so while gather() runs each page read is moved out of the collector's sight
# (gc.freeze); new objects are still collected as usual.
_SETTLING = [0]


def settle():
    """Freeze what is tracked so far, while a gather() is running (see settled_gc)."""
    if _SETTLING[0]:
        gc.freeze()


@contextmanager
def settled_gc(keep=False):
    """Let settle() freeze what is read; unfreeze it at the end, unless ``keep`` (a module
    process ends with its result: unfreezing would only have everything rescanned once more)
    or the caller had frozen objects of its own (unfreezing would release theirs too; ours then
    stay frozen - refcounting still frees them, only cycles among them wait)."""
    frozen_before = gc.get_freeze_count()
    _SETTLING[0] += 1
    try:
        yield
    finally:
        _SETTLING[0] -= 1
        if not keep and not _SETTLING[0] and not frozen_before:
            gc.unfreeze()
