# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The Istio ingress gateway pieces both chained modes use: choosing the gateway, its HTTP port,
Istio routing (a Gateway and one VirtualService per route) and client-IP trust
(numTrustedProxies) on the gateway workload."""

from __future__ import annotations

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


def istio_routing(b, phase, gw, svc, lb_name, routes, ns_gateway_name, port=80, tls_secret=None):
    """Istio Gateway (in the gateway namespace) + one VirtualService per route."""
    facts, opts = b.facts, b.opts
    gw_version = istio_version(facts, opts, "Gateway")
    vs_version = istio_version(facts, opts, "VirtualService")
    hosts = sorted({h for r in routes for h in (r.get("hosts") or ["*"])}) or ["*"]
    gw_target = patch_target(gw_version, "Gateway", ns_gateway_name, svc["namespace"])
    b.patch(
        phase,
        gw_target,
        {
            "apiVersion": gw_version,
            "kind": "Gateway",
            "metadata": meta(gw_target, labels=MANAGED_LABEL),
            "spec": {
                "selector": _gateway_selector(gw, svc),
                "servers": [
                    (
                        # The LB may not send SNI: a catch-all host keeps the TLS filter chain matching.
                        {
                            "port": {"number": port, "name": "https", "protocol": "HTTPS"},
                            "hosts": ["*"],
                            "tls": {"mode": "SIMPLE", "credentialName": tls_secret},
                        }
                        if tls_secret
                        else {
                            "port": {"number": port, "name": "http", "protocol": "HTTP"},
                            "hosts": hosts,
                        }
                    )
                ],
            },
        },
        "Istio Gateway for the hosts %s sends to the ingress gateway (chained mode)" % lb_name,
        LB_DOC,
        {"restart": False, "traffic": "none until traffic is re-pointed"},
        {"action": "delete"},
        creates=True,
    )
    for r in routes:
        http = []
        rules = (r.get("rules") or {}).get("rules") or []
        for rule in rules:
            for p in rule.get("paths") or ():
                dest = {
                    "host": "%s.%s.svc.%s" % (p["service"], r["namespace"], opts["cluster_domain"])
                }
                if isinstance(p.get("port"), int):
                    dest["port"] = {"number": p["port"]}
                match = {
                    "uri": {
                        "exact" if p.get("pathType") == "Exact" else "prefix": p.get("path") or "/"
                    }
                }
                http.append({"match": [match], "route": [{"destination": dest}]})
        default = (r.get("rules") or {}).get("default_backend")
        if default:
            dest = {
                "host": "%s.%s.svc.%s"
                % (default["service"], r["namespace"], opts["cluster_domain"])
            }
            if isinstance(default.get("port"), int):
                dest["port"] = {"number": default["port"]}
            http.append({"route": [{"destination": dest}]})
        if not http:
            for be in r.get("backends") or ():
                dest = {
                    "host": "%s.%s.svc.%s"
                    % (be["service"], be["namespace"], opts["cluster_domain"])
                }
                if isinstance(be.get("port"), int):
                    dest["port"] = {"number": be["port"]}
                http.append({"route": [{"destination": dest}]})
        vs_target = patch_target(
            vs_version, "VirtualService", dns_name("meshgate", r["name"]), r["namespace"]
        )
        b.patch(
            phase,
            vs_target,
            {
                "apiVersion": vs_version,
                "kind": "VirtualService",
                "metadata": meta(vs_target, labels=MANAGED_LABEL),
                "spec": {
                    "hosts": sorted(r.get("hosts") or ["*"]),
                    "gateways": ["%s/%s" % (svc["namespace"], ns_gateway_name)],
                    "http": http,
                },
            },
            "routes of %s, now served by the Istio gateway (paths and backends preserved)"
            % r["id"],
            LB_DOC,
            {"restart": False, "traffic": "none until traffic is re-pointed"},
            {"action": "delete"},
            creates=True,
        )


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
