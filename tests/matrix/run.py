# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""make matrix: the collection on every ansible-core of cells.txt (2.19, the main venv's, runs
every stage of `make test` itself). For each cell, in its own cached venv (lock-<core>.txt, on
the cell's Python): ansible-test sanity (with that version's ignore file), the unit tests, the
offline demo (its plan must be byte-identical to the main venv's), ansible-doc of every module,
filter and role, the roles' argument-spec validation (tests/matrix/argspec.yml), and on the first
and last cell a live Molecule scenario. Prints one line per check and a table of timings.

    python tests/matrix/run.py [--cell 2.16] [--check sanity,units,...] [--no-molecule]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cells import REPO, cache_root, cells, dev_pins

CHECKS = ("sanity", "units", "demo", "ansible-doc", "argspec", "molecule")
# The managed node's Pythons tests/config.yml claims for modules and module_utils (>= 3.9, as the modules' DOCUMENTATION says):
# every one pyenv has byte-compiles plugins/ (ansible-test compiles only with the cell's Python).
TARGET_PYTHON_MIN = (3, 9)
# The live Molecule scenario of the oldest cell and of the newest: two different ones, so the two
# can run side by side (each scenario keeps its control planes in its own ephemeral folder).
MOLECULE_SCENARIOS = ("role_standalone_mtls", "role_chained_gateway")
COLLECTIONS = REPO / ".build" / "collections"


# Cells run side by side (--jobs); each writes to its own log (.build/matrix/<core>.log), which
# is printed whole when the cell ends, so the CI log reads cell by cell.
_OUT = threading.local()


def _out():
    return getattr(_OUT, "fh", None) or sys.stdout


def log(msg: str) -> None:
    fh = _out()
    fh.write(msg + "\n")
    fh.flush()


def ensure_venv(cell) -> Path:
    """The cell's venv, created from its lock file unless a complete one is cached."""
    venv = cell.venv_dir(cache_root())
    stamp = venv / ".meshgate-matrix.stamp"
    py = venv / "bin" / "python"
    if stamp.exists() and subprocess.run([str(py), "-c", ""], check=False).returncode == 0:
        return venv
    log("==> creating %s (%s on %s)" % (venv, cell.core, cell.interpreter()))
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    run([cell.interpreter(), "-m", "venv", str(venv)])
    run([str(py), "-m", "pip", "install", "-q", "pip==" + dev_pins()["pip"]])
    run([str(py), "-m", "pip", "install", "-q", "-r", str(cell.lock)])
    run([str(py), "-m", "pip", "check"])
    stamp.touch()
    return venv


def run(argv, env=None, cwd=REPO, capture=False):
    proc = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=env,
        check=False,
        text=True,
        stdout=subprocess.PIPE if capture else _out(),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        if capture:
            _out().write(proc.stdout[-6000:])
        raise CheckFailed(
            "%s exited with %d" % (" ".join(str(a) for a in argv[:4]), proc.returncode)
        )
    return proc.stdout if capture else ""


class CheckFailed(Exception):
    pass


def cell_env(venv: Path) -> dict:
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env.update(
        PATH="%s:%s" % (venv / "bin", env.get("PATH", "")),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        PYTHONPATH=str(COLLECTIONS),
        # Each ansible-core keeps its own local temp, so versions never share cached plugins.
        ANSIBLE_LOCAL_TEMP=str(Path(tempfile.gettempdir()) / ("meshgate-matrix-" + venv.name)),
    )
    return env


_COMPILE = (
    "import pathlib, sys\n"
    "bad = []\n"
    "for p in sorted(pathlib.Path('plugins').rglob('*.py')):\n"
    "    try:\n"
    "        compile(p.read_text(encoding='utf-8'), str(p), 'exec')\n"
    "    except SyntaxError as e:\n"
    "        bad.append('%s:%s %s' % (p, e.lineno, e.msg))\n"
    "print('\\n'.join(bad))\n"
    "sys.exit(1 if bad else 0)\n"
)


def target_pythons() -> list[Path]:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = []
    for d in sorted(
        root.glob("3.*"), key=lambda d: [int(x) if x.isdigit() else 0 for x in d.name.split(".")]
    ):
        parts = d.name.split(".")
        if (
            len(parts) >= 2
            and parts[1].isdigit()
            and (int(parts[0]), int(parts[1])) >= TARGET_PYTHON_MIN
        ):
            if (d / "bin" / "python").exists():
                found.append(d / "bin" / "python")
    return found


def check_target_pythons() -> list[str]:
    """plugins/ byte-compiles on every target Python pyenv has from TARGET_PYTHON_MIN up."""
    done = []
    for py in target_pythons():
        run([py, "-c", _COMPILE], capture=True)
        done.append(py.parent.parent.name)
    if not done:
        raise CheckFailed(
            "no Python >= %d.%d in pyenv to compile plugins/ with" % TARGET_PYTHON_MIN
        )
    return done


def check_sanity(cell, venv, env):
    root = REPO / ".build" / "matrix" / cell.core / "ansible_collections" / "meshgate" / "istio_lb"
    run(
        [
            "make",
            "--no-print-directory",
            "sanity-run",
            "SANITY_BIN=%s" % (venv / "bin"),
            "SANITY_ROOT=%s" % root,
            "SANITY_PYTHON=%s" % cell.python,
        ],
        env=env,
    )


def check_units(cell, venv, env):
    run(
        [
            venv / "bin" / "python",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
            "tests/unit",
        ],
        env=env,
    )


def _demo(ansible_playbook: Path, env: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    run(
        [ansible_playbook, "playbooks/demo.yml"],
        env=dict(env, MESHGATE_REPORT_DIR=str(out)),
        capture=True,
    )


def check_demo(cell, venv, env, reference: Path):
    """The demo on this ansible-core plans exactly what it plans on the main venv's."""
    out = Path(tempfile.mkdtemp(prefix="meshgate-matrix-demo-"))
    try:
        _demo(venv / "bin" / "ansible-playbook", env, out)
        diff = _tree_diff(reference / "demo-plan", out / "demo-plan")
        if diff:
            raise CheckFailed(
                "the demo plan differs from the main venv's: %s" % ", ".join(diff[:10])
            )
        if not (out / "demo-report.md").stat().st_size:
            raise CheckFailed("the demo wrote an empty report")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _tree_diff(a: Path, b: Path) -> list[str]:
    files_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        return sorted(set(files_a) ^ set(files_b)) or ["file lists differ"]
    if not files_a:
        return ["no plan files"]
    return [f for f in files_a if not filecmp.cmp(a / f, b / f, shallow=False)]


def plugins():
    """(type, fqcn) of every module, filter and role of the checkout."""
    out = []
    for f in sorted((REPO / "plugins" / "modules").glob("*.py")):
        if f.stem != "__init__":
            out.append(("module", "meshgate.istio_lb." + f.stem))
    for f in sorted((REPO / "plugins" / "filter").glob("*.yml")):
        out.append(("filter", "meshgate.istio_lb." + f.stem))
    for d in sorted((REPO / "roles").iterdir()):
        if (d / "meta" / "argument_specs.yml").exists():
            out.append(("role", "meshgate.istio_lb." + d.name))
    return out


# ansible-core 2.20+ `ansible-doc -t role` warns about its own internal collection
# (ansible._protomatter has no MANIFEST.json), whatever collection is asked for; ansible-galaxy
# stopped listing it (ansible/ansible#85571), ansible-doc has not. Not ours: dropped before the
# warning check, every other warning still fails.
_CORE_OWN_WARNING = (
    "/ansible/_internal/ansible_collections/ansible/_protomatter' does not have a MANIFEST.json"
)


def _warnings(stderr: str) -> str:
    return "\n".join(ln for ln in stderr.splitlines() if _CORE_OWN_WARNING not in ln)


def check_ansible_doc(cell, venv, env):
    failed = []
    items = plugins()
    for kind, fqcn in items:
        proc = subprocess.run(
            [str(venv / "bin" / "ansible-doc"), "--json", "-t", kind, fqcn],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            ok = proc.returncode == 0 and json.loads(proc.stdout).get(fqcn)
        except ValueError:
            ok = False
        stderr = _warnings(proc.stderr)
        if not ok or "[WARNING]" in stderr or "[ERROR]" in stderr:
            failed.append("%s %s: %s" % (kind, fqcn, (proc.stderr or proc.stdout)[-400:]))
    if failed:
        raise CheckFailed("ansible-doc failed for:\n  " + "\n  ".join(failed))
    log("    ansible-doc: %d plugins and roles" % len(items))


def check_argspec(cell, venv, env):
    out = run(
        [venv / "bin" / "ansible-playbook", "tests/matrix/argspec.yml"],
        env=env,
        capture=True,
    )
    if "failed=0" not in out:
        _out().write(out[-4000:])
        raise CheckFailed("tests/matrix/argspec.yml failed")


def check_molecule(cell, venv, env):
    scenario = MOLECULE_SCENARIOS[0 if cell == cells()[0] else 1]
    log("    molecule test -s %s" % scenario)
    run([venv / "bin" / "molecule", "test", "-s", scenario], env=env)


def run_cell(cell, checks, reference):
    """Every check of one cell, its output in .build/matrix/<core>.log (printed at the end)."""
    path = REPO / ".build" / "matrix" / ("%s.log" % cell.core)
    path.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    with open(path, "w", encoding="utf-8") as fh:
        _OUT.fh = fh
        try:
            t0 = time.monotonic()
            row = {"cell": "ansible-core %s / Python %s" % (cell.core, cell.python)}
            try:
                venv = ensure_venv(cell)
            except CheckFailed as exc:
                row["venv"] = time.monotonic() - t0
                failures.append("%s venv: %s" % (cell.core, exc))
                return row, failures
            row["venv"] = time.monotonic() - t0
            env = cell_env(venv)
            for name in checks:
                if name == "molecule" and not cell.molecule:
                    continue
                log("==> [%s] %s" % (cell.core, name))
                t1 = time.monotonic()
                try:
                    fn = globals()["check_" + name.replace("-", "_")]
                    if name == "demo":
                        fn(cell, venv, env, reference)
                    else:
                        fn(cell, venv, env)
                    status = "ok"
                except CheckFailed as exc:
                    status = "FAILED"
                    failures.append("%s %s: %s" % (cell.core, name, exc))
                row[name] = (status, time.monotonic() - t1)
                log("    %s %s (%.0f s)" % (name, status, row[name][1]))
            return row, failures
        finally:
            _OUT.fh = None
            fh.flush()
            with _PRINT_LOCK:
                sys.stdout.write("\n######## matrix cell %s (%s)\n" % (cell.core, path))
                sys.stdout.write(path.read_text(encoding="utf-8", errors="replace"))
                sys.stdout.flush()


_PRINT_LOCK = threading.Lock()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cell", action="append", help="only these cells (core version or series)")
    ap.add_argument("--check", help="comma-separated subset of " + ",".join(CHECKS))
    ap.add_argument("--no-molecule", action="store_true")
    ap.add_argument(
        "--jobs", type=int, default=int(os.environ.get("MATRIX_JOBS", "2")), help="cells at once"
    )
    args = ap.parse_args(argv)
    checks = args.check.split(",") if args.check else list(CHECKS)
    unknown = set(checks) - set(CHECKS)
    if unknown:
        ap.error("unknown checks: %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(CHECKS)))
    if args.no_molecule and "molecule" in checks:
        checks.remove("molecule")
    chosen = [c for c in cells() if not args.cell or c.core in args.cell or c.series in args.cell]
    if not chosen:
        ap.error("no cell matches %s" % args.cell)
    reference = None
    if "demo" in checks:  # the main venv's demo plan, which every cell must reproduce
        reference = Path(tempfile.mkdtemp(prefix="meshgate-matrix-reference-"))
        _demo(REPO / ".venv" / "bin" / "ansible-playbook", cell_env(REPO / ".venv"), reference)
    rows, failures = [], []
    try:
        compiled = check_target_pythons()
        log("==> plugins/ byte-compiles on Python %s" % ", ".join(compiled))
    except CheckFailed as exc:
        failures.append("target Pythons: %s" % exc)
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            done = list(pool.map(lambda c: run_cell(c, checks, reference), chosen))
    finally:
        if reference:
            shutil.rmtree(reference, ignore_errors=True)
    for row, cell_failures in done:
        rows.append(row)
        failures += cell_failures
    log("\n| cell | venv | " + " | ".join(checks) + " |")
    log("|---|---|" + "---|" * len(checks))
    for row in rows:
        cols = []
        for name in checks:
            cols.append("%s %.0f s" % row[name] if name in row else "-")
        log("| %s | %.0f s | %s |" % (row["cell"], row["venv"], " | ".join(cols)))
    if failures:
        log("\nmatrix FAILED:\n  " + "\n  ".join(failures))
        return 1
    log("\nmatrix passed: %d cells" % len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
