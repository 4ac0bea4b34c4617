# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The places that list the collection's modules agree with plugins/modules: the README's status
table, docs/architecture.md, the sanity ignore file (Apache-2.0 headers), and the istio_lb
action group, which must hold exactly the modules that take the cluster options (its
module_defaults pass them to every member, and a module given an option it does not take
fails)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("lb_*.py"))


def test_there_are_modules():
    assert {"lb_info", "lb_plan", "lb_apply", "lb_gitops"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_each_module_is_listed(module):
    readme = (ROOT / "README.md").read_text()
    assert any(
        line.startswith("| done | `%s` module" % module) for line in readme.splitlines()
    ), "README.md status table"
    assert "modules/%s.py" % module in (ROOT / "docs" / "architecture.md").read_text()
    ignores = (ROOT / "tests" / "sanity" / "ignore-2.19.txt").read_text()
    assert "plugins/modules/%s.py validate-modules:missing-gplv3-license" % module in ignores


def test_the_action_group_is_the_modules_with_the_cluster_options():
    group = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["action_groups"]["istio_lb"]
    with_auth = [
        m
        for m in MODULES
        if "kubeconfig"
        in importlib.import_module(
            "ansible_collections.meshgate.istio_lb.plugins.modules.%s" % m
        ).argument_spec()
    ]
    assert sorted(group) == with_auth and "lb_gitops" not in group
