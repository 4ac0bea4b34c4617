# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Write tests/matrix/lock-<ansible-core>.txt for every cell (or the ones named): resolve the
cell's requirements (ansible-core, and the rest at requirements-dev.txt's pins) in a scratch
venv with the cell's Python, and freeze it. A maintainer runs this when a cell changes; CI
installs the lock files as they are (tests/matrix/run.py)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from cells import BASE, MOLECULE, cells, dev_pins


def lock(cell) -> None:
    pins = dev_pins()
    wanted = ["ansible-core==" + cell.core] + [
        "%s==%s" % (n, pins[n.lower()]) for n in BASE + (MOLECULE if cell.molecule else [])
    ]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([cell.interpreter(), "-m", "venv", tmp], check=True)
        py = str(Path(tmp) / "bin" / "python")
        subprocess.run([py, "-m", "pip", "install", "-q", "pip==" + pins["pip"]], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q"] + wanted, check=True)
        frozen = subprocess.check_output([py, "-m", "pip", "freeze", "--all"], text=True)
    lines = [
        ln for ln in frozen.splitlines() if ln and not ln.startswith(("setuptools==", "wheel=="))
    ]
    header = [
        "# ansible-core %s on Python %s: the matrix cell's pins (written by tests/matrix/lock.py"
        % (cell.core, cell.python),
        "# from: %s)" % " ".join(wanted),
    ]
    cell.lock.write_text("\n".join(header + sorted(lines, key=str.lower)) + "\n", encoding="utf-8")
    print("wrote %s (%d pins)" % (cell.lock.name, len(lines)))


def main(argv) -> int:
    for cell in cells():
        if not argv or cell.core in argv or cell.series in argv:
            lock(cell)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
