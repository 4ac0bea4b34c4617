# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mode chained (C): in-cluster load balancer -> Istio ingress gateway.

Istio routing (Gateway + VirtualService, gateway.py) or, with route_api gateway-api, an Istio
Gateway API Gateway and HTTPRoutes; the load balancers' Ingresses are re-pointed at the gateway."""

from __future__ import annotations

import copy
import json

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import (
    api,
    lbs,
    routes_of,
    served,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.gateway import (
    gateway_http_port,
    istio_routing,
    pick_gateway,
    trusted_proxies,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    MANAGED_LABEL,
    dns_name,
    meta,
    patch_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import (
    LB_DOC,
    TOPO_DOC,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.switches import atomic_risk
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry


def _gateway_api_gateway(b, phase):
    """The Istio Gateway API Gateway the LB sends to: the existing one, or a new ClusterIP one.

    istiod deploys a Gateway of class istio as a Deployment + Service "<name>-istio"; the LB
    targets that Service. Returns (gateway info, Service summary).
    """
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
    version = api(facts, "gateway.networking.k8s.io", "Gateway", "v1")
    n = opts["num_trusted_proxies"] or 1
    trust = {"gatewayTopology": {"numTrustedProxies": n}}
    annotations = {
        "proxy.istio.io/config": json.dumps(trust, sort_keys=True, separators=(",", ":"))
    }
    if existing:
        r = existing[0]
        target = patch_target(r["apiVersion"], "Gateway", r["name"], r["namespace"])
        manifest = {
            "apiVersion": r["apiVersion"],
            "kind": "Gateway",
            "metadata": meta(target),
            "spec": {"infrastructure": {"annotations": annotations}},
        }
        creates = False
        b.warn(
            "Gateway %s/%s must accept routes from the Ingress namespaces "
            "(listeners[].allowedRoutes.namespaces)" % (r["namespace"], r["name"])
        )
    else:
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
        creates = True
    svc = {
        "name": "%s-istio" % target["name"],
        "namespace": target["namespace"],
        "ports": [{"name": "http", "port": 80}],
    }
    gw = {
        "target": target,
        "trust_manifest": manifest,
        "creates": creates,
        "trust_reason": "Istio Gateway API gateway %s/%s (its ClusterIP Service %s is deployed by istiod) "
        "trusts %d proxy in X-Forwarded-For"
        % (target["namespace"], target["name"], svc["name"], n),
    }
    return gw, svc


def _gateway_api_routing(b, phase, svc, routes):
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
        b.patch(
            phase,
            target,
            {
                "apiVersion": version,
                "kind": "HTTPRoute",
                "metadata": meta(target, labels=MANAGED_LABEL),
                "spec": spec,
            },
            "routes of %s as a Gateway API HTTPRoute on the Istio gateway (paths and backends preserved)"
            % r["id"],
            LB_DOC,
            {"restart": False, "traffic": "none until traffic is re-pointed"},
            {"action": "delete"},
            creates=True,
        )


# Host-rewrite annotations of every vendor (catalog data): they break Host routing at a gateway.
_HOST_REWRITE_KEYS = frozenset(
    k
    for e in registry.VENDORS
    for item in list((e.get("plan") or {}).get("switch", []))
    + list((e.get("plan") or {}).get("host_rewrite", []))
    for k in ([item["host_annotation"]] if item.get("host_annotation") else [])
    + ([item["annotation"]] if item.get("annotation") else [])
)


def plan_chained(b):
    facts, opts = b.facts, b.opts
    if served(facts, "networking.istio.io", "Gateway") is False:
        raise PlanError(
            "the Istio networking CRDs (networking.istio.io) are not served: chained mode needs Istio installed"
        )
    gateway_phase = b.phase(
        "gateway", "Istio routing for the load balancers' hosts, and client-IP trust on the gateway"
    )
    gateway_api = opts["route_api"] == "gateway-api"
    if gateway_api:
        gw, svc = _gateway_api_gateway(b, gateway_phase)
    else:
        gw, svc = pick_gateway(facts, opts)
    repoint = b.phase(
        "repoint", "The load balancers send to the Istio ingress gateway (Host header preserved)"
    )
    port = gateway_http_port(svc)
    tls_secret = opts["gateway_credential_name"]
    if tls_secret:
        if gateway_api:
            raise PlanError("gateway_credential_name works with route_api istio only for now")
        tls_ports = [
            p["port"]
            for p in svc.get("ports") or ()
            if p.get("port") == 443 or p.get("name") == "https"
        ]
        if not tls_ports:
            raise PlanError(
                "gateway Service %s/%s has no port 443 (or named https) for TLS from the load balancer"
                % (svc["namespace"], svc["name"])
            )
        port = tls_ports[0]
        b.warn(
            "TLS to the gateway: Secret %s must exist in namespace %s (istiod serves it as the gateway "
            "certificate); the Gateway matches any SNI on port %d, so no other Gateway may use that port "
            "on the same gateway (istioctl IST0145)" % (tls_secret, svc["namespace"], port)
        )
    gw_fqdn = "%s.%s.svc.%s" % (svc["name"], svc["namespace"], opts["cluster_domain"])
    any_lb = False
    for lb in lbs(b):
        routes = [
            r
            for r in routes_of(facts, lb, opts)
            if r["kind"] == "Ingress"
            and not all(be.get("istio_gateway") for be in r.get("backends") or [{}])
        ]
        other = [r for r in routes_of(facts, lb, opts) if r["kind"] != "Ingress"]
        for r in other:
            b.warn(
                "%s (%s): only Ingress objects are re-pointed; point this route at %s:%d yourself"
                % (r["id"], r["kind"], gw_fqdn, port)
            )
        if not routes:
            continue
        backend_tls = (
            ((registry.VENDORS_BY_ID[lb["vendor"]].get("plan") or {}).get("backend_tls"))
            if tls_secret
            else None
        )
        if tls_secret and not backend_tls:
            b.refuse(
                lb,
                "no-backend-tls",
                "the catalog has no verified way to make %s speak HTTPS to its backends"
                % lb["vendor"],
                "chain it without gateway_credential_name (plaintext inside the cluster), or configure its upstream TLS by hand",
            )
            continue
        for r in [r for r in routes if (r.get("rules") or {}).get("unsupported")]:
            b.warn(
                "%s has %s; re-point it by hand to %s:%d"
                % (r["id"], r["rules"]["unsupported"], gw_fqdn, port)
            )
        routes = [r for r in routes if not (r.get("rules") or {}).get("unsupported")]
        if not routes:
            continue
        any_lb = True
        if gateway_api:
            _gateway_api_routing(b, gateway_phase, svc, routes)
        else:
            gw_name = dns_name("meshgate", lb["namespace"], lb["name"])
            istio_routing(b, gateway_phase, gw, svc, lb["id"], routes, gw_name, port, tls_secret)
        for r in routes:
            host_keys = [k for k in (r.get("annotations") or {}) if k in _HOST_REWRITE_KEYS]
            if host_keys:
                b.warn(
                    "%s carries %s: the gateway would see the rewritten Host and match none of its "
                    "hosts; remove it (undo the standalone_mtls plan) before re-pointing"
                    % (r["id"], ", ".join(host_keys))
                )
            backend_name = svc["name"]
            if r["namespace"] != svc["namespace"]:
                # An Ingress can only name Services in its own namespace.
                backend_name = "meshgate-istio-gateway"
                bridge = patch_target("v1", "Service", backend_name, r["namespace"])
                b.patch(
                    gateway_phase,
                    bridge,
                    {
                        "apiVersion": "v1",
                        "kind": "Service",
                        "metadata": meta(bridge, labels=MANAGED_LABEL),
                        "spec": {
                            "type": "ExternalName",
                            "externalName": gw_fqdn,
                            "ports": [{"name": "http", "port": port}],
                        },
                    },
                    "the Ingresses of namespace %s reach the Istio gateway through this ExternalName Service"
                    % r["namespace"],
                    LB_DOC,
                    {"restart": False, "traffic": "none"},
                    {"action": "delete"},
                    creates=True,
                )
            rules = copy.deepcopy((r.get("rules") or {}).get("rules") or [])
            new_rules = []
            for rule in rules:
                paths = [
                    {
                        "path": p.get("path") or "/",
                        "pathType": p.get("pathType") or "Prefix",
                        "backend": {"service": {"name": backend_name, "port": {"number": port}}},
                    }
                    for p in rule.get("paths") or ()
                ]
                out = {"http": {"paths": paths}}
                if rule.get("host"):
                    out["host"] = rule["host"]
                new_rules.append(out)
            spec = {}
            if new_rules:
                spec["rules"] = new_rules
            if (r.get("rules") or {}).get("default_backend"):
                spec["defaultBackend"] = {
                    "service": {"name": backend_name, "port": {"number": port}}
                }
            if not spec:
                b.warn("%s: no rules or default backend to re-point; left as is" % r["id"])
                continue
            target = patch_target(r["apiVersion"], "Ingress", r["name"], r["namespace"])
            b.patch(
                repoint,
                target,
                {
                    "apiVersion": r["apiVersion"],
                    "kind": "Ingress",
                    "metadata": meta(target, annotations=(backend_tls or {}).get("annotations")),
                    "spec": spec,
                },
                "%s now sends to the Istio ingress gateway %s%s (was: %s)"
                % (
                    r["id"],
                    gw_fqdn,
                    " over TLS" if backend_tls else "",
                    ", ".join(
                        sorted(
                            {
                                "%s:%s" % (be["service"], be["port"])
                                for be in r.get("backends") or ()
                            }
                        )
                    ),
                ),
                LB_DOC,
                atomic_risk(
                    {
                        "restart": False,
                        "traffic": "requests for these hosts now pass through the Istio gateway",
                    },
                    r,
                    "spec.rules",
                ),
                {
                    "action": "restore-field",
                    "fields": ["spec.rules", "spec.defaultBackend"]
                    + [
                        "metadata.annotations.%s" % k
                        for k in sorted((backend_tls or {}).get("annotations") or {})
                    ],
                    "restore": {"spec": _ingress_spec_from_rules(r.get("rules") or {})},
                },
            )
        if (registry.vendor(lb["vendor"]).get("plan") or {}).get("external_name_services"):
            b.warn(
                "%s must allow ExternalName Services (Traefik: allowExternalNameServices; Contour: enableExternalNameService) for the cross-namespace bridge"
                % lb["vendor"]
            )
    if any_lb and gateway_api:
        b.patch(
            gateway_phase,
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
        gateway_phase["patches"].insert(0, gateway_phase["patches"].pop())
        t = gw["target"]
        gateway_phase["wait"] = [
            {
                "for": "rollout",
                "targets": ["Deployment/%s/%s-istio" % (t["namespace"], t["name"])],
                "timeout": 600,
            }
        ]
    elif any_lb:
        trusted_proxies(
            b,
            gateway_phase,
            gw,
            opts["num_trusted_proxies"] or 1,
            "one in-cluster load balancer in front",
        )
    if any_lb:
        b.warn(
            "chained mode: the hop LB -> Istio gateway is plaintext HTTP inside the cluster; gateway -> backends is Istio mTLS."
        )


def _ingress_spec_from_rules(compact):
    rules = []
    for rule in compact.get("rules") or ():
        paths = [
            {
                "path": p.get("path"),
                "pathType": p.get("pathType"),
                "backend": {
                    "service": {
                        "name": p["service"],
                        "port": (
                            {"number": p["port"]}
                            if isinstance(p["port"], int)
                            else {"name": p["port"]}
                        ),
                    }
                },
            }
            for p in rule.get("paths") or ()
        ]
        out = {"http": {"paths": paths}}
        if rule.get("host"):
            out["host"] = rule["host"]
        rules.append(out)
    spec = {"rules": rules} if rules else {}
    d = compact.get("default_backend")
    if d:
        spec["defaultBackend"] = {
            "service": {
                "name": d["service"],
                "port": (
                    {"number": d["port"]} if isinstance(d["port"], int) else {"name": d["port"]}
                ),
            }
        }
    return spec
