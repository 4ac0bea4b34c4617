# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The Istio ingress gateway pieces both chained modes use: choosing the gateway, its HTTP port,
Istio routing (a Gateway and one VirtualService per route; create_routing() writes each routing
object) and client-IP trust (numTrustedProxies) on the gateway workload."""

from __future__ import annotations

from typing import Optional, TypedDict

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import istio_version
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    MANAGED_LABEL,
    dns_name,
    merge_proxy_config,
    meta,
    patch_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import (
    LB_DOC,
    TOPO_DOC,
)


def pick_gateway(facts, opts):
    gateways = (facts.get("istio") or {}).get("gateways") or []
    candidates = []
    for gw in gateways:
        for svc in gw.get("services") or ():
            candidates.append((gw, svc))
    if opts["gateway"]:
        ns, _sep, name = opts["gateway"].rpartition("/")
        for gw, svc in candidates:
            if svc["name"] == name and (not ns or svc["namespace"] == ns):
                return gw, svc
        raise PlanError(
            "gateway %r: no Istio ingress gateway Service with that name (found: %s)"
            % (
                opts["gateway"],
                ", ".join("%s/%s" % (s["namespace"], s["name"]) for _g, s in candidates) or "none",
            )
        )
    ingress = [
        (g, s) for g, s in candidates if s.get("status_port") and "egress" not in (s["name"] or "")
    ]
    if len(ingress) == 1:
        return ingress[0]
    if not ingress:
        raise PlanError(
            "no Istio ingress gateway Service (with status port 15021) was found; install one (the istio/gateway Helm chart) or name it with gateway"
        )
    raise PlanError(
        "several Istio ingress gateways were found (%s); choose one with gateway=<namespace>/<service>"
        # One Service can front several gateway workloads: name each Service once.
        % ", ".join(sorted({"%s/%s" % (s["namespace"], s["name"]) for _g, s in ingress}))
    )


def gateway_http_port(svc):
    ports = svc.get("ports") or []
    for want in ("http2", "http"):
        for p in ports:
            if p.get("name") == want:
                return p["port"]
    for p in ports:
        if p.get("port") in (80, 8080):
            return p["port"]
    return ports[0]["port"] if ports else 80


def _gateway_selector(gw, svc):
    labels = gw.get("labels") or {}
    if labels.get("istio"):
        return {"istio": labels["istio"]}
    return dict(svc.get("selector") or labels)


class GatewayServer(TypedDict):
    """The Istio Gateway istio_routing() plans: its name, its one server, whose routes it takes."""

    name: str  # the Gateway's name, in the gateway Service's namespace
    port: int  # the server's port: the one the load balancers send to
    tls_secret: Optional[str]  # credentialName of an HTTPS server; none: an HTTP server
    routes_of: str  # whose routes these are (the reason names it)


def istio_routing(b, phase, gw, svc, server, routes):
    """Istio Gateway (in the gateway namespace, as server says: a GatewayServer) + one
    VirtualService per route."""
    hosts = sorted({h for r in routes for h in (r.get("hosts") or ["*"])}) or ["*"]
    _istio_gateway(b, phase, gw, svc, server, hosts)
    vs_version = istio_version(b.facts, b.opts, "VirtualService")
    gateway_ref = "%s/%s" % (svc["namespace"], server["name"])
    for r in routes:
        _virtual_service(b, phase, vs_version, gateway_ref, r)


def _istio_gateway(b, phase, gw, svc, server, hosts):
    """The Gateway: one server on the gateway workload, HTTP for the hosts or HTTPS for any."""
    version = istio_version(b.facts, b.opts, "Gateway")
    target = patch_target(version, "Gateway", server["name"], svc["namespace"])
    if server["tls_secret"]:
        # The LB may not send SNI: a catch-all host keeps the TLS filter chain matching.
        listener = {
            "port": {"number": server["port"], "name": "https", "protocol": "HTTPS"},
            "hosts": ["*"],
            "tls": {"mode": "SIMPLE", "credentialName": server["tls_secret"]},
        }
    else:
        listener = {
            "port": {"number": server["port"], "name": "http", "protocol": "HTTP"},
            "hosts": hosts,
        }
    create_routing(
        b,
        phase,
        target,
        {"selector": _gateway_selector(gw, svc), "servers": [listener]},
        "Istio Gateway for the hosts %s sends to the ingress gateway (chained mode)"
        % server["routes_of"],
    )


def _virtual_service(b, phase, version, gateway_ref, r):
    """The VirtualService of one route, bound to the Gateway gateway_ref (namespace/name)."""
    target = patch_target(
        version, "VirtualService", dns_name("meshgate", r["name"]), r["namespace"]
    )
    spec = {
        "hosts": sorted(r.get("hosts") or ["*"]),
        "gateways": [gateway_ref],
        "http": _http_routes(r, b.opts["cluster_domain"]),
    }
    create_routing(
        b,
        phase,
        target,
        spec,
        "routes of %s, now served by the Istio gateway (paths and backends preserved)" % r["id"],
    )


def _http_routes(r, domain):
    """The route's paths and default backend as VirtualService http routes; without either,
    one route per backend."""
    http = []
    compact = r.get("rules") or {}
    for rule in compact.get("rules") or []:
        for p in rule.get("paths") or ():
            kind = "exact" if p.get("pathType") == "Exact" else "prefix"
            match = {"uri": {kind: p.get("path") or "/"}}
            dest = _destination(p, r["namespace"], domain)
            http.append({"match": [match], "route": [{"destination": dest}]})
    default = compact.get("default_backend")
    if default:
        http.append({"route": [{"destination": _destination(default, r["namespace"], domain)}]})
    if not http:
        for be in r.get("backends") or ():
            http.append({"route": [{"destination": _destination(be, be["namespace"], domain)}]})
    return http


def _destination(backend, namespace, domain):
    """A backend (service, port) as a destination: the Service's DNS name, its port if a number."""
    dest = {"host": "%s.%s.svc.%s" % (backend["service"], namespace, domain)}
    if isinstance(backend.get("port"), int):
        dest["port"] = {"number": backend["port"]}
    return dest


def create_routing(b, phase, target, spec, reason):
    """A routing object of ours for the gateway (Gateway, VirtualService, HTTPRoute): created with
    the managed label, idle until the load balancers are re-pointed, deleted on undo."""
    b.patch(
        phase,
        target,
        created_manifest(target, spec),
        reason,
        LB_DOC,
        {"restart": False, "traffic": "none until traffic is re-pointed"},
        {"action": "delete"},
        creates=True,
    )


def created_manifest(target, spec):
    """The manifest of an object a chained mode creates: target's kind and name, our managed-by
    label, spec."""
    return {
        "apiVersion": target["apiVersion"],
        "kind": target["kind"],
        "metadata": meta(target, labels=MANAGED_LABEL),
        "spec": spec,
    }


def trusted_proxies(b, phase, gw, n, reason):
    if not gw.get("name"):
        b.warn(
            "the Istio gateway workload is not in the input: set numTrustedProxies: %d on it yourself"
            % n
        )
        return
    if gw.get("num_trusted_proxies") == n:
        return
    target = patch_target(
        gw.get("apiVersion") or "apps/v1",
        gw.get("kind") or "Deployment",
        gw["name"],
        gw["namespace"],
    )
    value, _changed = merge_proxy_config(
        gw.get("proxy_config"), {"gatewayTopology": {"numTrustedProxies": n}}
    )
    restore = (
        {"spec.template.metadata.annotations.proxy.istio.io/config": gw["proxy_config"]}
        if gw.get("proxy_config")
        else {}
    )
    b.patch(
        phase,
        target,
        {
            "apiVersion": target["apiVersion"],
            "kind": target["kind"],
            "metadata": meta(target),
            "spec": {"template": {"metadata": {"annotations": {"proxy.istio.io/config": value}}}},
        },
        "client IPs survive the hop: the gateway trusts %d proxy in X-Forwarded-For (%s)"
        % (n, reason),
        TOPO_DOC,
        {"restart": True, "traffic": "rolling restart of the Istio ingress gateway pods"},
        {
            "action": "remove-fields",
            "fields": ["spec.template.metadata.annotations.proxy.istio.io/config"],
            "restore": restore,
        },
    )
    phase["wait"] = [
        {
            "for": "rollout",
            "targets": ["%s/%s/%s" % (target["kind"], target["namespace"], target["name"])],
            "timeout": 600,
        }
    ]
