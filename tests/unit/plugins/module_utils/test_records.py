# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The typed shapes of the records passed between stages (detect/records.py, plan/builder.py
Patch) document every key those records really carry: over every vendor fixture, with a mesh,
every load balancer, route, backend, finding and patch has only documented keys."""

from __future__ import annotations

import os

from builders import app, istio_base, istio_gateway
from fixture_root import shared_fixtures_dir

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect import records
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import summarize
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.builder import Patch
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.options import MODES
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SHARED = str(shared_fixtures_dir())


def _keys(shape):
    return set(shape.__annotations__)


def _facts():
    objects, _warnings = load_sources(
        [os.path.join(SHARED, "controllers"), os.path.join(SHARED, "examples")]
    )
    return detect(objects + istio_base() + istio_gateway() + app())


def test_detection_records_carry_only_documented_keys():
    facts = _facts()
    assert facts["load_balancers"] and facts["routes"] and facts["findings"]
    for lb in facts["load_balancers"] + summarize(facts)["load_balancers"]:
        assert set(lb) <= _keys(records.LoadBalancer), set(lb) - _keys(records.LoadBalancer)
        if lb.get("sidecar"):
            assert set(lb["sidecar"]) <= _keys(records.Sidecar), lb["id"]
    for route in facts["routes"]:
        assert set(route) <= _keys(records.Route), set(route) - _keys(records.Route)
        for b in route["backends"]:
            assert set(b) <= _keys(records.Backend), set(b) - _keys(records.Backend)
    for finding in facts["findings"]:
        assert set(finding) == _keys(records.Finding)
        assert set(finding["object"]) <= _keys(records.ObjectRef)


def test_plan_patches_carry_exactly_the_documented_keys():
    facts = _facts()
    facts["istio"]["ambient"]["enabled"] = True
    patches = 0
    for mode in MODES:
        try:
            the_plan = plan(facts, mode)
        except PlanError:
            continue
        for phase in the_plan["phases"]:
            for patch in phase["patches"]:
                patches += 1
                assert set(patch) - {"id"} == _keys(Patch), set(patch) ^ _keys(Patch)
    assert patches > 10
