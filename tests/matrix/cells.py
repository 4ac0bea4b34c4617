# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The ansible-core matrix's cells (cells.txt) and where each cell's Python and pins are."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# What every cell's venv holds besides ansible-core: the runtime dependencies at the pins of
# requirements-dev.txt, and what the checks run with. Molecule only where it runs (first and
# last cell; molecule refuses ansible-core 2.17).
BASE = ["kubernetes", "jmespath", "PyYAML", "pytest", "pytest-xdist"]
MOLECULE = ["molecule", "ansible-compat"]


@dataclass(frozen=True)
class Cell:
    core: str  # ansible-core version
    python: str  # major.minor
    molecule: bool

    @property
    def series(self) -> str:
        return ".".join(self.core.split(".")[:2])

    @property
    def lock(self) -> Path:
        return HERE / ("lock-%s.txt" % self.core)

    def interpreter(self) -> str:
        """The cell's Python: from pyenv, else pythonX.Y on PATH."""
        root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
        found = sorted(root.glob(self.python + ".*"), key=_version_key)
        for d in reversed(found):
            if (d / "bin" / "python").exists():
                return str(d / "bin" / "python")
        exe = shutil.which("python" + self.python)
        if exe:
            return exe
        raise SystemExit(
            "ansible-core %s needs Python %s: not in pyenv (%s) nor on PATH; install it "
            "(pyenv install %s)" % (self.core, self.python, root, self.python)
        )

    def venv_dir(self, cache_root: Path) -> Path:
        """A venv per cell, keyed by its lock file and its interpreter."""
        key = hashlib.sha256(self.lock.read_bytes())
        key.update(subprocess.check_output([self.interpreter(), "--version"]))
        return cache_root / ("matrix-%s-py%s-%s" % (self.core, self.python, key.hexdigest()[:12]))


def _version_key(p: Path):
    return tuple(int(x) if x.isdigit() else 0 for x in p.name.split("."))


def cells() -> list[Cell]:
    rows = []
    with open(HERE / "cells.txt", encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                core, python = line.split()
                rows.append((core, python))
    return [Cell(core, py, i in (0, len(rows) - 1)) for i, (core, py) in enumerate(rows)]


def dev_pins() -> dict[str, str]:
    """name (lower case) -> version, from requirements-dev.txt."""
    pins = {}
    with open(REPO / "requirements-dev.txt", encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if "==" in line:
                name, version = line.split("==", 1)
                pins[name.strip().lower()] = version.strip()
    return pins


def cache_root() -> Path:
    base = os.environ.get("MESHGATE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(str(Path.home()), ".cache"),
        "meshgate-istio-lb",
    )
    return Path(base)
