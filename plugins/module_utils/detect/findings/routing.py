# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Findings about Service routing on a load balancer's routes: a sidecar without the vendor's
Service-routing switch or a Host rewrite (MG0003), Service routing with a Host that names no
Service (MG0020), a Host rewrite to a pod port the sidecar has no route for (MG0021), Service
routing to a headless Service (MG0014). Stage lb_routes (rule.py): they stand unless the LB
turns out chained. The data-path ones name, in the catalog, the oracle case that reproduces
them (tests/dataplane/test_oracle_cases.py)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import Rule
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.mesh_routes import (
    host_covered,
    mesh_routed_hosts,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import namespace_of
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


# What the Host is when a route names no host of its own: whatever the client sends.
_ANY_HOST = "(any: the route names no host)"


def _unrouted_host(idx, namespace, r):
    """The first Host of the route the LB's sidecar cannot route (None: all can be)."""
    hosts = [h for h in r.get("hosts") or () if h and "*" not in h]
    if not hosts:
        return _ANY_HOST
    routed = mesh_routed_hosts(idx, namespace)
    return next((h for h in hosts if not host_covered(routed, h)), None)


def _host_names_no_service(idx, state, routes, istio, store):
    if not state["sidecar_intended"]:
        return
    namespace = namespace_of(state["item"]["wl"])
    for r, route_label in _judged(state, routes):
        found = [b for b in r["backends"] if b.get("found") and not b.get("headless")]
        if not r["service_routing"] or r["host_rewrite"] or not found:
            continue
        host = _unrouted_host(idx, namespace, r)
        if host is None:
            continue
        store.append(
            make_finding(
                "MG0020",
                route_ref(r),
                lb=state["label"],
                vendor=state["item"]["vendor"],
                route=route_label,
                backend="%s/%s" % (found[0]["namespace"], found[0]["service"]),
                host=host,
                namespace=namespace,
                fqdn=found[0]["fqdn"],
            )
        )


def _host_rewrite_to_target_port(idx, state, routes, istio, store):
    if not state["sidecar_intended"]:
        return
    for r, route_label in _judged(state, routes):
        if r["service_routing"] or not r["host_rewrite"]:
            continue
        for b in r["backends"]:
            port, target = b.get("service_port"), b.get("target_port")
            if b.get("found") and port and target and port != target:
                store.append(
                    make_finding(
                        "MG0021",
                        route_ref(r),
                        lb=state["label"],
                        vendor=state["item"]["vendor"],
                        route=route_label,
                        backend="%s/%s" % (b["namespace"], b["service"]),
                        port=port,
                        target_port=target,
                        fqdn=b["fqdn"],
                    )
                )


# What MG0014 says of a vendor whose entry does not declare "headless_service".
_HEADLESS_UNKNOWN = (
    "has no documented behaviour for it here (it may fall back to pod IPs or drop the backend)"
)


def _headless_backend(idx, state, routes, istio, store):
    if not state["in_mesh"]:
        return
    behaviour = state["item"]["entry"].get("headless_service") or _HEADLESS_UNKNOWN
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
                        behaviour=behaviour,
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
        ("MG0020",),
        "lb_routes",
        "injection intended; each route with Service routing on and no Host rewrite, its hosts "
        "against the mesh-bound VirtualServices its namespace sees (detect/mesh_routes.py)",
        _host_names_no_service,
        release=list,
        stands="unless_chained",
    ),
    Rule(
        ("MG0021",),
        "lb_routes",
        "injection intended; each route with a Host rewrite but pod routing, its backends' "
        "Service port against their target port",
        _host_rewrite_to_target_port,
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
