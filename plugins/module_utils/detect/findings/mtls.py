# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Findings about mTLS on the way in: STRICT backends reached from outside the mesh (MG0001),
gateways that do not trust the proxies in front of them (MG0013) or trust fewer than they
add (MG0023). Stages lb_routes, lb_end and
cloud_lb (rule.py): in-cluster and cloud load balancers alike."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.backends import (
    backend_workloads,
    target_port,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import Rule
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import (
    effective_mtls,
    injection_state,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    template_labels,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.routes import route_ref
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.health_checks import (
    xff_hops,
)


def strict_backend_findings(idx, istio, routes, label, vendor, first):
    """MG0001 for backends that require mTLS of a client outside the mesh, once per
    (namespace, service, port): ``first`` maps that key to (route key, finding) and keeps the
    first route in route order, so pages may come in any order."""
    if not istio["installed"]:
        return
    for r in routes:
        route_key = r.get("_key", ())
        for b in r["backends"]:
            svc, wls = backend_workloads(idx, b["namespace"], b["service"])
            if svc is None:
                continue
            for wl in wls:
                inj = injection_state(wl, istio)
                if inj["injection"] != "enabled" and not inj["ambient"]:
                    continue
                port = target_port(svc, b["port"], wl)
                mode, policy = effective_mtls(istio, b["namespace"], template_labels(wl), port)
                key = (b["namespace"], b["service"], port)
                if mode != "STRICT" or (key in first and first[key][0] <= route_key):
                    continue
                first[key] = (
                    route_key,
                    make_finding(
                        "MG0001",
                        route_ref(r),
                        lb=label,
                        vendor=vendor,
                        backend="Service %s/%s" % (b["namespace"], b["service"]),
                        port=port if port is not None else b["port"],
                        policy=policy,
                    ),
                )


def trusted_proxy_findings(istio, gw_backends, label, vendor, findings, n=1, path=None):
    """MG0013 for each Istio gateway among ``gw_backends`` (reached directly or through an
    ExternalName bridge) that trusts no X-Forwarded-For entry, MG0023 for one that trusts
    fewer than the ``n`` entries the proxies in front of it add (``path``: who they are)."""
    reported = set()
    for b in gw_backends:
        for gw in istio["gateways"]:
            if not any(_leads_to(b, s) for s in gw["services"]):
                continue
            if not gw["name"] or gw["name"] in reported:
                continue
            have = gw["num_trusted_proxies"]
            if have and not (isinstance(have, int) and have < n):
                continue
            reported.add(gw["name"])
            obj = {
                "apiVersion": "apps/v1",
                "kind": gw["kind"],
                "namespace": gw["namespace"],
                "name": gw["name"],
            }
            where = "%s/%s" % (gw["namespace"], gw["name"])
            if not have:
                findings.append(
                    make_finding("MG0013", obj, gateway=where, lb=label, vendor=vendor, n=n)
                )
                continue
            findings.append(
                make_finding(
                    "MG0023",
                    obj,
                    gateway=where,
                    lb=label,
                    vendor=vendor,
                    have=have,
                    source=gw.get("num_trusted_proxies_source") or "numTrustedProxies",
                    n=n,
                    path=path or "%s (%s)" % (label, vendor),
                )
            )


def _leads_to(b, svc):
    """Does backend b reach the gateway Service svc (itself, or through an ExternalName)?"""
    return (svc["namespace"] == b["namespace"] and svc["name"] == b["service"]) or b.get(
        "gateway_service"
    ) == "%s/%s" % (svc["namespace"], svc["name"])


def _strict_from_lb(idx, state, routes, istio, store):
    # Only an LB outside the mesh sends plaintext; kept by backend, for the first route.
    if state["item"]["role"] != "control-plane" and not state["in_mesh"]:
        strict_backend_findings(idx, istio, routes, state["label"], state["item"]["vendor"], store)


def _first_routes(store):
    return [f for _key, f in store.values()]


def _untrusted_gateway_from_lb(state, istio, mode):
    if mode != "chained":
        return []
    findings = []
    backends = [b for _place, b in sorted(state["to_gateway"].values(), key=lambda pb: pb[0])]
    vendor = state["item"]["vendor"]
    path = "%s (%s)" % (state["label"], vendor)
    fronts = [f for f in state.get("fronted_by") or () if f["xff_hops"]]
    if fronts:
        path += " and %s in front of it" % ", ".join(
            "%s (%d)" % (f["id"], f["xff_hops"]) for f in fronts
        )
    n = state.get("xff_hops", 1)
    trusted_proxy_findings(istio, backends, state["label"], vendor, findings, n, path)
    return findings


def _from_cloud_lb(idx, cloud, istio):
    findings = []
    if cloud["mode"] == "chained":
        hops = xff_hops(registry.vendor(cloud["vendor"]))
        if hops:  # an L4 LB adds no X-Forwarded-For entry: nothing to trust
            trusted_proxy_findings(
                istio, cloud["to_gateway"], cloud["label"], cloud["vendor"], findings, hops
            )
    elif cloud["mode"] == "standalone":
        first = {}
        strict_backend_findings(
            idx, istio, [cloud["route"]], cloud["label"], cloud["vendor"], first
        )
        findings.extend(f for _key, f in first.values())
    return findings


RULES = (
    Rule(
        ("MG0001",),
        "lb_routes",
        "an LB outside the mesh; each backend's workloads, injection and effective mTLS",
        _strict_from_lb,
        store=dict,
        release=_first_routes,
        stands="unless_chained",
    ),
    Rule(
        ("MG0013", "MG0023"),
        "lb_end",
        "a chained LB's backends that are Istio gateways (bridged too); their numTrustedProxies "
        "against the X-Forwarded-For entries the LB and the cloud LBs in front of it add",
        _untrusted_gateway_from_lb,
    ),
    Rule(
        ("MG0001", "MG0013", "MG0023"),
        "cloud_lb",
        "a cloud LB's mode; standalone: its backends' mTLS; chained: the gateways' trust "
        "against the X-Forwarded-For entries it adds",
        _from_cloud_lb,
    ),
)
