# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The data-path oracle from Python: build it (cached), hand it a folder, read its answers.

The oracle is Istio's own code (tests/dataplane/oracle/oracle_test.go drives
pilot/test/xds and pilot/pkg/simulation); this file only writes its input and reads its JSON.

    python tests/dataplane/oracle.py SRC [--hops HOPS.json] [--out OUT.json]

SRC is a folder of Kubernetes and Istio objects (any YAML/JSON, `kind: List` expanded): what
a cluster runs. Pods need `status.podIP` (a kubelet gives one; a snapshot has it). HOPS is a
JSON list of requests to check (default SRC/hops.json); docs/dataplane.md describes a hop and
an answer.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BUILD_SCRIPT = HERE / "build-oracle.sh"


class OracleError(RuntimeError):
    """The oracle could not run or refused its input (the message says which object)."""


def oracle_binary() -> Path:
    """Path of the oracle test binary: MESHGATE_ORACLE, else built by build-oracle.sh (cached)."""
    if os.environ.get("MESHGATE_ORACLE"):
        return Path(os.environ["MESHGATE_ORACLE"])
    proc = subprocess.run(["bash", str(BUILD_SCRIPT)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise OracleError(
            "build-oracle.sh failed (exit %d):\n%s" % (proc.returncode, proc.stderr[-4000:])
        )
    return Path(proc.stdout.strip().splitlines()[-1]) / "dataplane-oracle.test"


def run_folder(src: Path, hops: Path | None = None, binary: Path | None = None) -> list[dict]:
    """Run the oracle on a folder of objects; one answer per hop, in the hops' order."""
    binary = binary or oracle_binary()
    with tempfile.TemporaryDirectory(prefix="meshgate-oracle-") as tmp:
        out = Path(tmp) / "answers.json"
        argv = [str(binary), "-test.run", "^TestOracle$", "-src", str(src), "-out", str(out)]
        if hops is not None:
            argv += ["-hops", str(hops)]
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600)
        if proc.returncode != 0 or not out.exists():
            raise OracleError(
                "the oracle failed on %s (exit %d):\n%s"
                % (src, proc.returncode, (proc.stdout + proc.stderr)[-4000:])
            )
        return json.loads(out.read_text())


def run_objects(objects: list[dict], hops: list[dict], binary: Path | None = None) -> list[dict]:
    """Write objects and hops to a temporary folder and run the oracle on it."""
    with tempfile.TemporaryDirectory(prefix="meshgate-oracle-src-") as tmp:
        src = Path(tmp)
        (src / "objects.yaml").write_text(yaml.safe_dump_all(objects, sort_keys=True))
        (src / "hops.json").write_text(json.dumps(hops, indent=1))
        return run_folder(src, binary=binary)


def analyze_objects(objects: list[dict], binary: Path | None = None) -> list[dict]:
    """`istioctl analyze` on the objects as files (oracle/analyze_test.go: Istio's analyzers,
    schema validation included): [{"code", "level", "origin", "message"}]."""
    binary = binary or oracle_binary()
    with tempfile.TemporaryDirectory(prefix="meshgate-analyze-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        (src / "objects.yaml").write_text(yaml.safe_dump_all(objects, sort_keys=True))
        out = Path(tmp) / "findings.json"
        argv = [str(binary), "-test.run", "^TestAnalyze$", "-src", str(src), "-out", str(out)]
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600)
        if proc.returncode != 0 or not out.exists():
            raise OracleError(
                "the analyzer failed (exit %d):\n%s"
                % (proc.returncode, (proc.stdout + proc.stderr)[-4000:])
            )
        return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("src", type=Path, help="folder of Kubernetes and Istio objects")
    parser.add_argument("--hops", type=Path, help="JSON list of hops (default SRC/hops.json)")
    parser.add_argument("--out", type=Path, help="write the answers here (default: stdout)")
    args = parser.parse_args(argv)
    try:
        answers = run_folder(args.src, args.hops)
    except OracleError as exc:
        print(exc, file=sys.stderr)
        return 1
    text = json.dumps(answers, indent=2, sort_keys=True) + "\n"
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
