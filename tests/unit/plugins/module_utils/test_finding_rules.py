# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""One home per finding: every code of the message catalog is raised by rules of one file under
detect/findings/, each rule says when it runs and what it reads, and nothing outside
detect/findings/ makes a finding."""

from __future__ import annotations

import ast
import os

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings import rules
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    MESSAGES,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import (
    STAGES,
    STANDS,
)

MODULE_UTILS = os.path.dirname(os.path.dirname(os.path.dirname(rules.__file__)))


def _homes():
    homes = {}
    for group in rules.GROUPS:
        for rule in group.RULES:
            for code in rule.codes:
                homes.setdefault(code, set()).add(group.__name__.rsplit(".", 1)[1])
    return homes


def test_every_catalog_code_has_exactly_one_home():
    homes = _homes()
    assert sorted(homes) == sorted(MESSAGES), set(MESSAGES) ^ set(homes)
    assert {code: files for code, files in homes.items() if len(files) > 1} == {}


def test_every_rule_declares_a_known_stage_what_it_reads_and_when_it_stands():
    assert rules.RULES
    for rule in rules.RULES:
        assert rule.when in STAGES, rule
        assert rule.stands in STANDS, rule
        assert rule.inputs and rule.codes and callable(rule.check), rule
        assert all(code in MESSAGES for code in rule.codes), rule
        if rule.stands != "always":
            assert rule.when == "lb_routes", rule  # only route findings wait for the mode
    assert sum(len(v) for v in rules.BY_STAGE.values()) == len(rules.RULES)


def test_every_group_file_is_collected():
    folder = os.path.dirname(rules.__file__)
    not_groups = {"__init__", "messages", "rule", "rules"}
    files = sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py"))
    assert sorted(g.__name__.rsplit(".", 1)[1] for g in rules.GROUPS) == [
        f for f in files if f not in not_groups
    ]


def test_only_the_rules_make_findings():
    """A finding's condition lives in its rule: no other file of the core calls make_finding."""
    callers = []
    for folder, _dirs, files in os.walk(MODULE_UTILS):
        if os.path.join("detect", "findings") in folder:
            continue
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name)) as fh:
                    tree = ast.parse(fh.read())
                callers += [
                    "%s:%d" % (os.path.join(folder, name), n.lineno)
                    for n in ast.walk(tree)
                    if isinstance(n, ast.Name) and n.id == "make_finding"
                ]
    assert callers == []
