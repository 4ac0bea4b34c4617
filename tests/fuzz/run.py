# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Run the fuzz targets of tests/fuzz (``make fuzz``): each ``fuzz_<target>.py`` for
``--seconds`` under libFuzzer (atheris), with its seeds (tests/fuzz/corpus/<target>, plus the
shared fixtures' Helm renderings for the offline reader, written at run time into
.build/fuzz/seeds and never into the repository) and a working corpus kept in
.build/fuzz/corpus/<target> between runs. Prints the executions and the new coverage of each
target and writes them to .build/fuzz/summary.json; a crash leaves its input in
.build/fuzz/crashes/ and fails the run (exit 1): turn it into a unit test, then fix it.

``--seconds`` bounds each target's time, ``-rss_limit_mb`` its memory, ``-timeout`` one input.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BUILD = REPO / ".build" / "fuzz"
TARGETS = ("sources", "kubeconfig", "detect", "plan")

sys.path.insert(0, str(REPO / "tests"))
from fixture_root import shared_fixtures_dir  # noqa: E402


def _seed_dirs(target):
    dirs = [HERE / "corpus" / target]
    if target == "sources":
        # Every rendered Helm chart and hand-written routes file, as a .yaml input (first byte 0).
        seeds = BUILD / "seeds" / target
        seeds.mkdir(parents=True, exist_ok=True)
        for path in sorted((shared_fixtures_dir() / "helm").glob("*/*.yaml")):
            data = path.read_bytes()
            if len(data) <= 64 * 1024:
                (seeds / ("%s-%s" % (path.parent.name, path.name))).write_bytes(b"\0" + data)
        dirs.append(seeds)
    return dirs


def run_target(target, seconds, python, extra_path, runs=None, seed=None):
    # A run of fixed length and seed (CI's) starts from the committed seeds alone, so a commit
    # always gives the same verdict; an open-ended one keeps its working corpus between runs.
    work = BUILD / ("corpus-fixed" if runs else "corpus") / target
    if runs and work.exists():
        shutil.rmtree(work)
    crashes = BUILD / "crashes"
    work.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    bounds = ["-max_total_time=%d" % seconds]
    if runs:
        bounds.append("-runs=%d" % runs)
    if seed is not None:
        bounds.append("-seed=%d" % seed)
    cmd = [
        python,
        str(HERE / ("fuzz_%s.py" % target)),
        *bounds,
        "-rss_limit_mb=2048",
        "-timeout=30",
        "-max_len=65536",
        "-print_final_stats=1",
        "-artifact_prefix=%s/%s-" % (crashes, target),
        str(work),
    ] + [str(d) for d in _seed_dirs(target)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (extra_path, env.get("PYTHONPATH")) if p)
    start = time.monotonic()
    proc = subprocess.run(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )
    took = time.monotonic() - start
    out = proc.stdout
    runs = re.findall(r"stat::number_of_executed_units: (\d+)", out)
    cov = re.findall(r"cov: (\d+)", out)
    result = {
        "target": target,
        "seconds": round(took, 1),
        "executions": int(runs[-1]) if runs else 0,
        "coverage": int(cov[-1]) if cov else 0,
        "corpus": len(list(work.iterdir())),
        "exit": proc.returncode,
        "crash": None,
    }
    if proc.returncode != 0:
        found = re.findall(r"Test unit written to (\S+)", out)
        result["crash"] = found[-1] if found else "(no input written)"
        tail = out[out.find("=== Uncaught") :] if "=== Uncaught" in out else out[-4000:]
        print(tail, file=sys.stderr)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--seconds", type=int, default=60, help="per target (default 60)")
    parser.add_argument("--runs", type=int, help="executions per target (a fixed-length run)")
    parser.add_argument("--seed", type=int, help="libFuzzer's random seed (a repeatable run)")
    parser.add_argument("--target", action="append", choices=TARGETS, help="default: all")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--path", default="", help="where atheris is installed (PYTHONPATH)")
    args = parser.parse_args(argv)
    results = []
    for target in args.target or TARGETS:
        result = run_target(
            target, args.seconds, args.python, args.path, runs=args.runs, seed=args.seed
        )
        results.append(result)
        print(
            "==> fuzz %-10s %7d executions in %5.1fs, coverage %d, corpus %d%s"
            % (
                target,
                result["executions"],
                result["seconds"],
                result["coverage"],
                result["corpus"],
                ", CRASH: %s" % result["crash"] if result["crash"] else "",
            ),
            flush=True,
        )
    BUILD.mkdir(parents=True, exist_ok=True)
    (BUILD / "summary.json").write_text(json.dumps(results, indent=2) + "\n")
    total = sum(r["executions"] for r in results)
    failed = [r["target"] for r in results if r["crash"]]
    print("==> fuzz: %d executions, %d crash(es)%s" % (total, len(failed), failed or ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
