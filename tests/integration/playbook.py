# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Run a play with ansible-playbook the way users do, and read back what it registered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def run_play(tmp_path, tasks, register, module_defaults=None, timeout=600, extra_args=()):
    """Run ``tasks`` on localhost; returns (the registered variables as a dict, the process).

    ``register`` names the variables to save (each task registers its own).
    """
    out = tmp_path / "registered.json"
    saved = "{{ {%s} | to_json }}" % ", ".join("'%s': %s" % (name, name) for name in register)
    play = {
        "name": "meshgate test play",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "tasks": list(tasks)
        + [
            {
                "name": "save",
                "ansible.builtin.copy": {"content": saved, "dest": str(out), "mode": "0600"},
            }
        ],
    }
    if module_defaults:
        play["module_defaults"] = module_defaults
    pb = tmp_path / "play.yml"
    pb.write_text(yaml.safe_dump([play]))
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
    )
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            "localhost,",
            str(pb),
            *extra_args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    if not out.exists():
        raise AssertionError(
            "the play did not finish:\n" + proc.stdout[-4000:] + proc.stderr[-2000:]
        )
    return json.loads(out.read_text()), proc
