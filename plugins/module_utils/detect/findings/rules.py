# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Every finding rule, by stage, and the runners detection calls at each stage.

A rule lives in the file of its group (sidecar, shutdown, workloads, routing, mtls, cloud, routes,
cluster); this file only collects them. Detection calls run_lb(), take_lb_routes(),
finish_lb(), run_cloud_lb(), run_route_page() and run_cluster(): the stages in rule.py.
"""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings import (
    cloud,
    cluster,
    mtls,
    routes,
    routing,
    shutdown,
    sidecar,
    workloads,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import STAGES

GROUPS = (workloads, sidecar, shutdown, routing, mtls, cloud, routes, cluster)
RULES = tuple(rule for group in GROUPS for rule in group.RULES)
BY_STAGE = {stage: tuple(r for r in RULES if r.when == stage) for stage in STAGES}


def run_lb(idx, state, istio, findings):
    for rule in BY_STAGE["lb"]:
        findings.extend(rule.check(idx, state, istio))


def take_lb_routes(idx, state, page, istio):
    """``page``: the routes of one page the LB serves, annotated and in route order."""
    stores = state.setdefault("rule_stores", {})
    for i, rule in enumerate(BY_STAGE["lb_routes"]):
        if i not in stores:
            stores[i] = rule.store()
        rule.check(idx, state, page, istio, stores[i])


def finish_lb(state, istio, mode, findings):
    """What stands once the LB's mode is known (nothing for a control plane alone)."""
    if state["item"]["role"] == "control-plane":
        return
    stores = state.get("rule_stores", {})
    for i, rule in enumerate(BY_STAGE["lb_routes"]):
        if i in stores and (rule.stands == "always" or mode != "chained"):
            findings.extend(rule.release(stores[i]))
    for rule in BY_STAGE["lb_end"]:
        findings.extend(rule.check(state, istio, mode))


def run_cloud_lb(idx, cloud_lb, istio, findings):
    for rule in BY_STAGE["cloud_lb"]:
        findings.extend(rule.check(idx, cloud_lb, istio))


def run_route_page(idx, page, findings):
    for rule in BY_STAGE["route_page"]:
        findings.extend(rule.check(idx, page))


def run_cluster(idx, istio, load_balancers, findings):
    for rule in BY_STAGE["cluster"]:
        findings.extend(rule.check(idx, istio, load_balancers))
