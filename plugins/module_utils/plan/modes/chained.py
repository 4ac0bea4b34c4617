# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mode chained (C): in-cluster load balancer -> Istio ingress gateway.

Istio routing (Gateway + VirtualService, gateway.py) or, with route_api gateway-api, an Istio
Gateway API Gateway and HTTPRoutes (chained_gateway_api.py); the load balancers' Ingresses are
re-pointed at the gateway."""

from __future__ import annotations

import copy
from typing import TypedDict

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import (
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
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.modes.chained_cloud import (
    chain_cloud_lbs,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.modes.chained_gateway_api import (
    gateway_api_gateway,
    gateway_api_routing,
    gateway_api_trust,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import LB_DOC
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.switches import atomic_risk
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry


class Hop(TypedDict):
    """The Istio ingress gateway the load balancers are re-pointed at."""

    workload: dict  # pick_gateway()'s gateway, or gateway_api_gateway()'s (target, trust)
    service: dict  # its Service: name, namespace, ports
    port: int  # the Service port they send to (the TLS one with gateway_credential_name)
    fqdn: str  # the Service's cluster DNS name


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
    if served(b.facts, "networking.istio.io", "Gateway") is False:
        raise PlanError(
            "the Istio networking CRDs (networking.istio.io) are not served: chained mode needs Istio installed"
        )
    gateway_phase = b.phase(
        "gateway", "Istio routing for the load balancers' hosts, and client-IP trust on the gateway"
    )
    if b.opts["route_api"] == "gateway-api":
        gw, svc = gateway_api_gateway(b)
    else:
        gw, svc = pick_gateway(b.facts, b.opts)
    repoint = b.phase(
        "repoint", "The load balancers send to the Istio ingress gateway (Host header preserved)"
    )
    hop = _hop(b, gw, svc)
    any_lb = False
    hops = []
    for lb in lbs(b):
        if _chain_lb(b, gateway_phase, repoint, lb, hop):
            any_lb = True
            # The X-Forwarded-For entries reaching the gateway through lb: the one it adds and
            # those of the cloud LBs in front of it (detection's xff_hops).
            hops.append(lb.get("xff_hops", 1))
            _warn_xff_not_passed_on(b, lb)
    if b.opts["route_api"] != "gateway-api":
        cloud = b.phase(
            "cloud", "The cloud load balancers in front of the gateway probe its status port"
        )
        hops += chain_cloud_lbs(b, cloud, svc)
    if hops:
        if b.opts["route_api"] == "gateway-api":
            gateway_api_trust(b, gateway_phase, gw)
        else:
            _trust(b, gateway_phase, gw, hops)
    if any_lb:
        b.warn(
            "chained mode: the hop LB -> Istio gateway is plaintext HTTP inside the cluster; gateway -> backends is Istio mTLS."
        )


def _warn_xff_not_passed_on(b, lb):
    """A cloud LB adding X-Forwarded-For entries stands in front of lb, which sends one entry
    whatever it receives: the client's address stops there."""
    fronts = [f["id"] for f in lb.get("fronted_by") or () if f["xff_hops"]]
    if fronts and lb.get("xff_passed_on") is False:
        b.warn(
            "%s: the X-Forwarded-For entries of %s in front of it stop there (it sends one "
            "entry); for the client's address to reach the gateway set its %s, then plan again"
            % (lb["id"], ", ".join(fronts), registry.vendor(lb["vendor"])["xff"]["switch"])
        )


def _trust(b, phase, gw, hops):
    """numTrustedProxies for the load balancers in front: the option, else the fewest
    X-Forwarded-For entries any of them adds (trusting more would let clients of that path
    choose their address)."""
    n = b.opts["num_trusted_proxies"]
    if n is None:
        n = min(hops)
        have = gw.get("num_trusted_proxies")
        if n == 0 and have:
            # An L4 LB adds no entry, but something before it may (a CDN): not lowered unasked.
            b.warn(
                "the gateway trusts %d X-Forwarded-For entries; the load balancers in front add "
                "none, so that value is left as it is (set num_trusted_proxies to change it)" % have
            )
            return
        if isinstance(have, int) and have > n:
            # More proxies may stand in front than we see (a CDN): never lowered unasked.
            b.warn(
                "the gateway trusts %d X-Forwarded-For entries, more than the %d the load "
                "balancers in front add; left as it is (set num_trusted_proxies to change it)"
                % (have, n)
            )
            return
        if len(set(hops)) > 1:
            b.warn(
                "the load balancers in front of the gateway add %s X-Forwarded-For entries: "
                "numTrustedProxies %d (the fewest); set num_trusted_proxies to choose"
                % (" or ".join(str(h) for h in sorted(set(hops))), n)
            )
    if n == 0 and not gw.get("num_trusted_proxies"):
        return  # Istio's default: nothing to write
    trusted_proxies(
        b, phase, gw, n, "%d X-Forwarded-For entr%s added in front" % (n, "y" if n == 1 else "ies")
    )


def _hop(b, gw, svc):
    """The Hop: the gateway Service and the port the load balancers send to, its HTTP port or,
    with gateway_credential_name, its TLS port."""
    opts = b.opts
    port = gateway_http_port(svc)
    if opts["gateway_credential_name"]:
        port = _tls_port(b, svc)
    fqdn = "%s.%s.svc.%s" % (svc["name"], svc["namespace"], opts["cluster_domain"])
    return {"workload": gw, "service": svc, "port": port, "fqdn": fqdn}


def _tls_port(b, svc):
    """The gateway Service port TLS from the load balancers goes to (443, or named https)."""
    tls_secret = b.opts["gateway_credential_name"]
    if b.opts["route_api"] == "gateway-api":
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
    return port


def _chain_lb(b, gateway_phase, repoint, lb, hop):
    """Routing on the gateway for lb's Ingresses, and the Ingresses re-pointed at it; False when
    lb has none to re-point (or is refused)."""
    tls_secret = b.opts["gateway_credential_name"]
    routes = _ingresses(b, lb, hop)
    if not routes:
        return False
    backend_tls = (
        ((registry.VENDORS_BY_ID[lb["vendor"]].get("plan") or {}).get("backend_tls"))
        if tls_secret
        else None
    )
    if tls_secret and not backend_tls:
        b.refuse(
            lb,
            "no-backend-tls",
            "the catalog has no verified way to make %s speak HTTPS to its backends" % lb["vendor"],
            "chain it without gateway_credential_name (plaintext inside the cluster), or configure its upstream TLS by hand",
        )
        return False
    routes = _bridgeable(b, lb, _supported(b, routes, hop), hop)
    if not routes:
        return False
    if b.opts["route_api"] == "gateway-api":
        gateway_api_routing(b, gateway_phase, hop["service"], routes)
    else:
        server = {
            "name": dns_name("meshgate", lb["namespace"], lb["name"]),
            "port": hop["port"],
            "tls_secret": tls_secret,
            "routes_of": lb["id"],
        }
        istio_routing(b, gateway_phase, hop["workload"], hop["service"], server, routes)
    for r in routes:
        _warn_host_rewrite(b, r)
        backend_name = _backend_service(b, gateway_phase, r["namespace"], hop)
        _repoint_ingress(b, repoint, r, backend_name, hop, backend_tls)
    if (registry.vendor(lb["vendor"]).get("plan") or {}).get("external_name_services"):
        b.warn(
            "%s must allow ExternalName Services (Traefik: allowExternalNameServices; Contour: enableExternalNameService) for the cross-namespace bridge"
            % lb["vendor"]
        )
    return True


def _ingresses(b, lb, hop):
    """lb's Ingresses not yet sending to an Istio gateway; warns about its other routes."""
    facts, opts = b.facts, b.opts
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
            % (r["id"], r["kind"], hop["fqdn"], hop["port"])
        )
    return routes


def _supported(b, routes, hop):
    """The routes without rules we cannot carry over; warns about the others."""
    for r in [r for r in routes if (r.get("rules") or {}).get("unsupported")]:
        b.warn(
            "%s has %s; re-point it by hand to %s:%d"
            % (r["id"], r["rules"]["unsupported"], hop["fqdn"], hop["port"])
        )
    return [r for r in routes if not (r.get("rules") or {}).get("unsupported")]


def _bridgeable(b, lb, routes, hop):
    """The routes lb can send to the gateway: those in the gateway's namespace, and the others
    (through the ExternalName bridge) unless the vendor follows ExternalName Services only in
    editions lb does not run (vendor data "plan" "external_name_editions"); refuses those."""
    plan_spec = registry.vendor(lb["vendor"]).get("plan") or {}
    editions = plan_spec.get("external_name_editions")
    if editions is None or set(editions) & set(lb.get("editions") or ()):
        return routes
    gw_ns = hop["service"]["namespace"]
    crossing = [r for r in routes if r["namespace"] != gw_ns]
    if crossing:
        names = registry.vendor(lb["vendor"]).get("editions") or {}
        b.refuse(
            lb,
            "no-externalname-bridge",
            "%s cannot follow an ExternalName Service (only %s can), and %s live outside the "
            "gateway's namespace %s, which an Ingress reaches only through one"
            % (
                lb["id"],
                ", ".join(names.get(e, {}).get("name", e) for e in editions),
                ", ".join(r["id"] for r in crossing),
                gw_ns,
            ),
            "move those Ingresses to namespace %s, or put an Istio ingress gateway in their "
            "namespace and pass it as gateway, or run %s with a resolver"
            % (gw_ns, " or ".join(names.get(e, {}).get("name", e) for e in editions)),
        )
    return [r for r in routes if r["namespace"] == gw_ns]


def _warn_host_rewrite(b, r):
    host_keys = [k for k in (r.get("annotations") or {}) if k in _HOST_REWRITE_KEYS]
    if host_keys:
        b.warn(
            "%s carries %s: the gateway would see the rewritten Host and match none of its "
            "hosts; remove it (undo the standalone_mtls plan) before re-pointing"
            % (r["id"], ", ".join(host_keys))
        )


def _backend_service(b, phase, namespace, hop):
    """The Service name an Ingress of namespace sends to: the gateway's own, or in another
    namespace an ExternalName Service bridging to it."""
    if namespace == hop["service"]["namespace"]:
        return hop["service"]["name"]
    # An Ingress can only name Services in its own namespace.
    backend_name = "meshgate-istio-gateway"
    bridge = patch_target("v1", "Service", backend_name, namespace)
    b.patch(
        phase,
        bridge,
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(bridge, labels=MANAGED_LABEL),
            "spec": {
                "type": "ExternalName",
                "externalName": hop["fqdn"],
                "ports": [{"name": "http", "port": hop["port"]}],
            },
        },
        "the Ingresses of namespace %s reach the Istio gateway through this ExternalName Service"
        % namespace,
        LB_DOC,
        {"restart": False, "traffic": "none"},
        {"action": "delete"},
        creates=True,
    )
    return backend_name


def _repoint_ingress(b, phase, r, backend_name, hop, backend_tls):
    """The Ingress r sends its paths and default backend to backend_name (the gateway), over TLS
    with the vendor's backend_tls annotations; undo restores its rules."""
    spec = _repointed_spec(r, backend_name, hop["port"])
    if not spec:
        b.warn("%s: no rules or default backend to re-point; left as is" % r["id"])
        return
    tls_annotations = (backend_tls or {}).get("annotations")
    was = sorted({"%s:%s" % (be["service"], be["port"]) for be in r.get("backends") or ()})
    target = patch_target(r["apiVersion"], "Ingress", r["name"], r["namespace"])
    b.patch(
        phase,
        target,
        {
            "apiVersion": r["apiVersion"],
            "kind": "Ingress",
            "metadata": meta(target, annotations=tls_annotations),
            "spec": spec,
        },
        "%s now sends to the Istio ingress gateway %s%s (was: %s)"
        % (r["id"], hop["fqdn"], " over TLS" if backend_tls else "", ", ".join(was)),
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
            + ["metadata.annotations.%s" % k for k in sorted(tls_annotations or {})],
            "restore": {"spec": _ingress_spec_from_rules(r.get("rules") or {})},
        },
    )


def _repointed_spec(r, backend_name, port):
    """The Ingress spec of r with every path and the default backend sent to backend_name:port
    (hosts, paths and path types kept)."""
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
        spec["defaultBackend"] = {"service": {"name": backend_name, "port": {"number": port}}}
    return spec


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
