# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Findings about Service routing on a load balancer's routes: a sidecar without the vendor's
Service-routing switch or a Host rewrite (MG0003), Service routing to a headless Service
(MG0014). Stage lb_routes (rule.py): they stand unless the LB turns out chained."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import Rule
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.routes import route_ref


def _judged(state, routes):
    """The routes of a data-plane LB that were judged for Service routing (not Gateways)."""
    if state["item"]["role"] == "control-plane":
        return
    for r in routes:
        if r["kind"] != "Gateway":
            yield r, "%s %s/%s" % (r["kind"], r["namespace"], r["name"])


def _no_service_routing(idx, state, routes, istio, store):
    if not state["sidecar_intended"]:
        return
    vendor = state["item"]["vendor"]
    switch_text = (state["item"]["entry"].get("service_routing") or {}).get("switch")
    for r, route_label in _judged(state, routes):
        if r["service_routing"] or r["host_rewrite"] or not r["backends"]:
            continue
        fix = (
            "Turn on Service routing: %s." % switch_text
            if switch_text
            else "%s has no Service-routing switch: rewrite the Host header to the Service FQDN "
            "(%s) or use the chained mode."
            % (vendor, r["backends"][0].get("fqdn", "<svc>.<ns>.svc"))
        )
        store.append(
            make_finding(
                "MG0003",
                route_ref(r),
                route=route_label,
                switch=switch_text or "vendor has no switch",
                fix_switch=fix,
                lb=state["label"],
                vendor=vendor,
            )
        )


def _headless_backend(idx, state, routes, istio, store):
    if not state["in_mesh"]:
        return
    for r, route_label in _judged(state, routes):
        if not r["service_routing"]:
            continue
        for b in r["backends"]:
            if b.get("headless"):
                store.append(
                    make_finding(
                        "MG0014",
                        route_ref(r),
                        route=route_label,
                        backend="%s/%s" % (b["namespace"], b["service"]),
                        vendor=state["item"]["vendor"],
                    )
                )


RULES = (
    Rule(
        ("MG0003",),
        "lb_routes",
        "injection intended; each route's Service routing and Host rewrite (detect/routing.py)",
        _no_service_routing,
        release=list,
        stands="unless_chained",
    ),
    Rule(
        ("MG0014",),
        "lb_routes",
        "in the mesh; each route with Service routing on, its headless backends",
        _headless_backend,
        release=list,
        stands="unless_chained",
    ),
)
