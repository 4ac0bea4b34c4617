# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mode chained with route_api gateway-api: the Istio Gateway API Gateway the load balancers send
to (the existing one or a new ClusterIP one), one HTTPRoute per Ingress on it, and client-IP
trust through the Gateway's infrastructure annotations."""

from __future__ import annotations

import json
import re

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import (
    api,
    planned_xff_hops,
    served,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.gateway import create_routing
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    MANAGED_LABEL,
    dns_name,
    meta,
    patch_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import TOPO_DOC


def gateway_api_gateway(b):
    """The Istio Gateway API Gateway the LB sends to: the existing one, or a new ClusterIP one.

    istiod deploys a Gateway of class istio as a Deployment + Service "<name>-istio"; the LB
    targets that Service. Returns (gateway info, Service summary).
    """
    existing = _existing_gateways(b)
    n = b.opts["num_trusted_proxies"] or planned_xff_hops(b)
    trust = {"gatewayTopology": {"numTrustedProxies": n}}
    annotations = {
        "proxy.istio.io/config": json.dumps(trust, sort_keys=True, separators=(",", ":"))
    }
    if existing:
        target, manifest = _trust_on_existing(b, existing[0], annotations)
    else:
        target, manifest = _new_gateway(b.facts, annotations)
    svc = {
        "name": "%s-istio" % target["name"],
        "namespace": target["namespace"],
        "ports": [{"name": "http", "port": 80}],
    }
    gw = {
        "target": target,
        "trust_manifest": manifest,
        "creates": not existing,
        "trust_reason": "Istio Gateway API gateway %s/%s (its ClusterIP Service %s is deployed by istiod) "
        "trusts %d proxy in X-Forwarded-For"
        % (target["namespace"], target["name"], svc["name"], n),
    }
    return gw, svc


def _existing_gateways(b):
    """The Istio Gateway API Gateways found (the one named by gateway, if set); refuses when the
    CRDs are not served or the choice is ambiguous."""
    facts, opts = b.facts, b.opts
    if served(facts, "gateway.networking.k8s.io", "Gateway") is False:
        raise PlanError(
            "the Gateway API CRDs (gateway.networking.k8s.io) are not served: install them, "
            "or use route_api istio"
        )
    existing = [
        r
        for r in facts.get("routes") or ()
        if r["kind"] == "Gateway"
        and r["vendor"] == "istio"
        and (r["apiVersion"] or "").startswith("gateway.networking.k8s.io/")
    ]
    if opts["gateway"]:
        ns, _sep, name = opts["gateway"].rpartition("/")
        existing = [r for r in existing if r["name"] == name and (not ns or r["namespace"] == ns)]
    if len(existing) > 1:
        raise PlanError(
            "several Istio Gateway API gateways were found (%s); choose one with "
            "gateway=<namespace>/<name>"
            % ", ".join("%s/%s" % (r["namespace"], r["name"]) for r in existing)
        )
    return existing


def _trust_on_existing(b, r, annotations):
    """(target, manifest) of the trust annotations on the existing Gateway r."""
    target = patch_target(r["apiVersion"], "Gateway", r["name"], r["namespace"])
    manifest = {
        "apiVersion": r["apiVersion"],
        "kind": "Gateway",
        "metadata": meta(target),
        "spec": {"infrastructure": {"annotations": annotations}},
    }
    b.warn(
        "Gateway %s/%s must accept routes from the Ingress namespaces "
        "(listeners[].allowedRoutes.namespaces)" % (r["namespace"], r["name"])
    )
    return target, manifest


def _new_gateway(facts, annotations):
    """(target, manifest) of a new Gateway of class istio, ClusterIP, HTTP on port 80 for routes
    of every namespace, in the namespace of the first Istio gateway found (else istiod's)."""
    version = api(facts, "gateway.networking.k8s.io", "Gateway", "v1")
    gateways = (facts.get("istio") or {}).get("gateways") or [{}]
    ns = (
        gateways[0].get("namespace")
        or (facts.get("istio") or {}).get("control_plane_namespace")
        or "istio-system"
    )
    target = patch_target(version, "Gateway", "meshgate-chained", ns)
    manifest = {
        "apiVersion": version,
        "kind": "Gateway",
        "metadata": meta(
            target,
            labels=MANAGED_LABEL,
            annotations={"networking.istio.io/service-type": "ClusterIP"},
        ),
        "spec": {
            "gatewayClassName": "istio",
            "infrastructure": {"annotations": annotations},
            "listeners": [
                {
                    "name": "http",
                    "port": 80,
                    "protocol": "HTTP",
                    "allowedRoutes": {"namespaces": {"from": "All"}},
                }
            ],
        },
    }
    return target, manifest


# The Gateway API's rule for Exact and PathPrefix values (its CRD's CEL validation), and the
# characters that make an ImplementationSpecific path a regular expression under ingress-nginx.
GATEWAY_API_PATH = re.compile(r"^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$")
REGEX_CHARACTERS = re.compile(r"[\\^$*+?()\[\]{}|]")


def _plain_path(p):
    path = p.get("path") or "/"
    if not GATEWAY_API_PATH.match(path):
        return False
    return p.get("pathType") != "ImplementationSpecific" or not REGEX_CHARACTERS.search(path)


def gateway_api_routing(b, phase, svc, routes):
    """One HTTPRoute per Ingress, attached to the Istio Gateway API gateway."""
    facts = b.facts
    version = api(facts, "gateway.networking.k8s.io", "HTTPRoute", "v1")
    parent = {"name": svc["name"][: -len("-istio")], "namespace": svc["namespace"]}
    for r in routes:
        rules = []
        compact = r.get("rules") or {}
        for rule in compact.get("rules") or ():
            for p in rule.get("paths") or ():
                if not isinstance(p.get("port"), int):
                    b.warn(
                        "%s: backend %s uses a named port; an HTTPRoute needs a number, left out"
                        % (r["id"], p.get("service"))
                    )
                    continue
                if not _plain_path(p):
                    b.warn(
                        "%s: path %r is not a plain path (a regular expression, as use-regex "
                        "allows); an HTTPRoute Exact or PathPrefix match cannot carry it, left out: "
                        "mode migrate translates it, or keep route_api: istio for this route"
                        % (r["id"], p.get("path"))
                    )
                    continue
                kind = "Exact" if p.get("pathType") == "Exact" else "PathPrefix"
                rules.append(
                    {
                        "matches": [{"path": {"type": kind, "value": p.get("path") or "/"}}],
                        "backendRefs": [{"name": p["service"], "port": p["port"]}],
                    }
                )
        default = compact.get("default_backend")
        if default and isinstance(default.get("port"), int):
            rules.append({"backendRefs": [{"name": default["service"], "port": default["port"]}]})
        if not rules:
            continue
        target = patch_target(version, "HTTPRoute", dns_name("meshgate", r["name"]), r["namespace"])
        spec = {"parentRefs": [dict(parent)], "rules": rules}
        hosts = sorted(h for h in r.get("hosts") or () if h)
        if hosts:
            spec["hostnames"] = hosts
        create_routing(
            b,
            phase,
            target,
            spec,
            "routes of %s as a Gateway API HTTPRoute on the Istio gateway (paths and backends preserved)"
            % r["id"],
        )


def gateway_api_trust(b, phase, gw):
    """The trust annotations on the Gateway (or the new Gateway itself), first in the phase: the
    phase then waits for the Deployment istiod makes of it."""
    b.patch(
        phase,
        gw["target"],
        gw["trust_manifest"],
        gw["trust_reason"],
        TOPO_DOC,
        {
            "restart": True,
            "traffic": "Istio (re)deploys the gateway pods with the new proxy config",
        },
        (
            {"action": "delete"}
            if gw["creates"]
            else {
                "action": "remove-fields",
                "fields": ["spec.infrastructure.annotations.proxy.istio.io/config"],
            }
        ),
        creates=gw["creates"],
    )
    # The Gateway goes first; the next phase waits for the Deployment istiod makes of it.
    phase["patches"].insert(0, phase["patches"].pop())
    t = gw["target"]
    phase["wait"] = [
        {
            "for": "rollout",
            "targets": ["Deployment/%s/%s-istio" % (t["namespace"], t["name"])],
            "timeout": 600,
        }
    ]
