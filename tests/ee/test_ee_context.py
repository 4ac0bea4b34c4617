# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The execution environment of examples/ee/execution-environment.yml, as far as it can be
built without a container engine (none here): `ansible-builder create` writes its build
context; the context's galaxy step is run as the image build runs it (ansible-galaxy installs
the collection from the context's requirements.yml, offline); and ansible-builder's own
introspection of that install, which gives the image its Python and system packages, must be
exactly requirements.txt (less what ansible-builder says every image has) and
meta/ee-bindep.txt. Run by `make ee` after `make build`."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _requirement_lines(path):
    lines = []
    for line in Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    tarballs = glob.glob(str(ROOT / ".build" / "dist" / "meshgate-istio_lb-*.tar.gz"))
    assert tarballs, "no collection tarball in .build/dist: run `make build` first (make ee does)"
    src = tmp_path_factory.mktemp("ee-src")
    shutil.copy(ROOT / "examples" / "ee" / "execution-environment.yml", src)
    shutil.copy(tarballs[0], src)
    out = src / "context"
    _tool("ansible-builder", "create", "--context", str(out), cwd=src)
    return out


def _tool(name, *args, **kwargs):
    """Run a tool of the venv; it must succeed (its output is the failure message)."""
    proc = subprocess.run(
        [str(BIN / name), *args], capture_output=True, text=True, check=False, **kwargs
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _galaxy_stage(context, dest):
    """What the context's galaxy stage does: its prepend steps, then ansible-galaxy."""
    containerfile = (context / "Dockerfile").read_text()
    build = dest / "build"
    shutil.copytree(context / "_build", build)
    for step in re.findall(r"^RUN (mv /build/collections/.*)$", containerfile, re.M):
        subprocess.run(step.replace("/build/", "%s/" % build), shell=True, check=True)
    installed = dest / "collections"
    # As in the image: no other collection path, so nothing counts as installed already.
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(installed),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
    )
    _tool(
        "ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml",
        "-p", str(installed), cwd=build, env=env,
    )  # fmt: skip
    return installed


def test_the_context_installs_the_collection_from_its_own_tarball(context, tmp_path):
    reqs = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert [c["type"] for c in reqs["collections"]] == ["file"]
    installed = _galaxy_stage(context, tmp_path)
    manifest = installed / "ansible_collections" / "meshgate" / "istio_lb" / "MANIFEST.json"
    assert manifest.exists(), "the galaxy stage did not install meshgate.istio_lb"


def test_the_image_gets_exactly_our_python_and_system_requirements(context, tmp_path):
    from ansible_builder._target_scripts.introspect import EXCLUDE_REQUIREMENTS

    installed = _galaxy_stage(context, tmp_path)
    pip, bindep = tmp_path / "pip.txt", tmp_path / "bindep.txt"
    _tool("ansible-builder", "introspect", str(installed), "--write-pip", str(pip),
          "--write-bindep", str(bindep))  # fmt: skip
    ours = _requirement_lines(ROOT / "requirements.txt")
    # ansible-builder leaves out what every image has (PyYAML comes with ansible-core).
    expected = [
        r
        for r in ours
        if re.split(r"[<>=!~ \[]", r, maxsplit=1)[0].lower() not in EXCLUDE_REQUIREMENTS
    ]
    assert expected and len(expected) < len(ours)  # PyYAML is ours and is left out
    assert _requirement_lines(pip) == expected
    assert _requirement_lines(bindep) == _requirement_lines(ROOT / "meta" / "ee-bindep.txt")
