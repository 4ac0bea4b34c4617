# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The ansible-core matrix (tests/matrix, make matrix) covers what meta/runtime.yml claims: its
oldest cell is requires_ansible's lower bound, every series from there to the newest has a cell
(2.19 is the main venv's), each lock file pins that ansible-core and the collection's runtime
requirements at requirements-dev.txt's pins, and every sanity ignore file is the same list."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "matrix"))

from cells import cells, dev_pins, runtime_names  # noqa: E402


def _lock(cell):
    pins = {}
    for line in cell.lock.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def _series(version):
    return tuple(int(x) for x in version.split(".")[:2])


def test_the_matrix_starts_where_requires_ansible_does_and_leaves_no_series_out():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    lower = runtime["requires_ansible"].replace(">=", "").split(",")[0].strip()
    main = dev_pins()["ansible-core"]
    series = sorted({_series(c.core) for c in cells()} | {_series(main)})
    assert series[0] == _series(lower), (series, lower)
    assert series == [(2, minor) for minor in range(series[0][1], series[-1][1] + 1)], series
    assert _series(main) not in {_series(c.core) for c in cells()}, "2.19 runs in the main venv"


def test_each_lock_pins_its_core_and_the_runtime_requirements_at_the_dev_pins():
    dev = {k.replace("_", "-"): v for k, v in dev_pins().items()}
    for cell in cells():
        pins = _lock(cell)
        assert pins["ansible-core"] == cell.core, cell.lock.name
        for name in runtime_names():
            key = name.lower().replace("_", "-")
            assert pins.get(key) == dev[key], (cell.lock.name, name)
        assert ("molecule" in pins) == cell.molecule, cell.lock.name


def test_every_sanity_ignore_file_ignores_the_same_unfixable_entries():
    files = sorted((ROOT / "tests" / "sanity").glob("ignore-*.txt"))
    versions = {f.stem.split("-", 1)[1] for f in files}
    assert versions == {".".join(c.core.split(".")[:2]) for c in cells()} | {"2.19"}
    texts = {f.name: f.read_text(encoding="utf-8") for f in files}
    assert len(set(texts.values())) == 1, "ignore files differ: %s" % sorted(texts)
