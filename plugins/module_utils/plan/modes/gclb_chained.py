# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mode gclb_chained (C, GKE): GKE Ingress (or GKE Gateway) -> Istio ingress gateway, health
check on the gateway status port 15021, container-native load balancing (NEG)."""

from __future__ import annotations

import json

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import (
    api,
    lbs,
    routes_of,
    served,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.gateway import (
    created_manifest,
    gateway_http_port,
    istio_routing,
    pick_gateway,
    trusted_proxies,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    MANAGED_LABEL,
    meta,
    patch_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import GCLB_DOC
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.health_checks import (
    xff_hops,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import (
    ISTIO_READY_PATH,
    ISTIO_STATUS_PORT,
)


def plan_gclb(b):
    opts = b.opts
    gw, svc = pick_gateway(b.facts, opts)
    _check_options(b)
    gateway_phase = b.phase(
        "gateway",
        "Health check on the gateway status port, NEG on the gateway Service, Istio routing, client-IP trust",
    )
    edge = b.phase("edge", "The Google load balancer in front of the Istio ingress gateway")
    moved, existing = _gke_load_balancers(b, svc)
    port = _backend_port(svc, opts["backend_protocol"])
    if moved:
        istio_routing(b, gateway_phase, gw, svc, _gateway_server(opts, port), moved)
    elif opts["backend_protocol"] != "HTTP":
        b.warn(
            "backend_protocol %s: Google's load balancer sends TLS to port %s of the gateway; an "
            "Istio Gateway server must listen there with HTTPS (this plan creates none: no GKE "
            "Ingress routes were moved)" % (opts["backend_protocol"], port)
        )
    anns = {"cloud.google.com/neg": '{"ingress": true}'}
    # An existing GKE load balancer whose health check already targets 15021 needs none.
    hc_ok = bool(existing) and all((lb.get("health_check") or {}).get("ok") for lb in existing)
    if opts["gke_gateway_class"]:
        _gke_gateway(b, edge, gateway_phase, svc, port)
    elif not hc_ok:
        anns["cloud.google.com/backend-config"] = _backend_config(
            b, gateway_phase, svc["namespace"]
        )
    _neg_on_service(b, gateway_phase, svc, port, anns)
    if svc.get("type") == "LoadBalancer":
        b.warn(
            "the Istio gateway Service %s/%s is type LoadBalancer: it keeps its own L4 load "
            "balancer; switch it to ClusterIP (Helm: service.type) once the GKE load balancer serves"
            % (svc["namespace"], svc["name"])
        )
    trusted_proxies(
        b,
        gateway_phase,
        gw,
        _trusted_hops(opts),
        "the Google L7 load balancer in front",
    )
    if existing and not moved and not opts["gke_gateway_class"]:
        b.warn(
            "kept the existing GKE load balancer(s) %s in front of the gateway; only the health check and NEG settings change"
            % ", ".join(lb["id"] for lb in existing)
        )
    elif not opts["gke_gateway_class"]:
        _gke_ingress(b, edge, svc, port, moved)
    if moved:
        b.warn(
            "the old GKE Ingresses (%s) still send to the apps directly; delete them once the new load balancer serves these hosts"
            % ", ".join(r["id"] for r in moved)
        )


def _gateway_server(opts, port):
    """The Istio Gateway server the Google load balancer reaches: HTTP on 80, or with an HTTPS
    or HTTP2 backend_protocol HTTPS (SIMPLE) on the port it sends to, with the certificate
    gateway_credential_name names (Google's recipe: ingress-asm-multi-backendconfig). Without
    it the gateway has no listener for what the load balancer sends (the data-path oracle:
    tests/dataplane/test_gclb_path.py)."""
    tls = opts["backend_protocol"] != "HTTP"
    if tls and not opts["gateway_credential_name"]:
        raise PlanError(
            "backend_protocol %s: Google's load balancer sends TLS to the gateway, which then needs "
            "an HTTPS server and a certificate; set gateway_credential_name to a Secret in the "
            "gateway's namespace holding one (Google does not validate it: a self-signed "
            "certificate works)" % opts["backend_protocol"]
        )
    return {
        "name": "meshgate-gclb",
        "port": port if tls else 80,
        "tls_secret": opts["gateway_credential_name"] if tls else None,
        "routes_of": "GKE Ingress",
    }


def _check_options(b):
    """Stops the plan (PlanError) on a backend protocol or Ingress class GKE does not have, or
    when the cluster is not GKE."""
    opts = b.opts
    if opts["backend_protocol"] not in ("HTTP", "HTTPS", "HTTP2"):
        raise PlanError(
            "backend_protocol must be HTTP, HTTPS or HTTP2 (got %r)" % opts["backend_protocol"]
        )
    classes = _edge_classes()
    if opts["ingress_class"] not in classes:
        raise PlanError(
            "ingress_class must be one of %s (got %r)"
            % (", ".join(sorted(classes)), opts["ingress_class"])
        )
    if opts["managed_certificate_domains"] and not opts["gke_gateway_class"]:
        if not classes[opts["ingress_class"]]["managed_certificates"]:
            raise PlanError(
                "managed_certificate_domains: Google-managed certificates serve external load "
                "balancers only, and ingress_class %s makes an internal one; drop "
                "managed_certificate_domains and give the Ingress a certificate of your own "
                "(a regional pre-shared certificate, or a Secret in spec.tls), or use "
                "ingress_class gce" % opts["ingress_class"]
            )
    if (
        served(b.facts, "cloud.google.com", "BackendConfig") is False
        and not opts["gke_gateway_class"]
    ):
        raise PlanError(
            "BackendConfig (cloud.google.com) is not served: this is not a GKE cluster with the Ingress controller; gclb_chained needs GKE"
        )


def _edge_entry():
    """The catalog entry of gclb_chained's edge vendor ("plan" "gclb_edge")."""
    return next(e for e in registry.VENDORS if (e.get("plan") or {}).get("gclb_edge"))


def _edge_classes():
    """The Ingress classes of gclb_chained's edge vendor, with what each takes (vendor data:
    "plan" "ingress_classes")."""
    return (_edge_entry().get("plan") or {}).get("ingress_classes") or {}


def _gke_load_balancers(b, svc):
    """The GKE load balancers in scope: (the Ingresses of those sending to the apps, to move
    behind the gateway; those already in front of this gateway)."""
    moved = []
    existing = []
    gw_ref = "%s/%s" % (svc["namespace"], svc["name"])
    for lb in lbs(b, cloud=True):
        if not (registry.vendor(lb["vendor"]).get("plan") or {}).get("gclb_edge"):
            continue
        if lb["mode"] == "chained" and gw_ref in (lb.get("backends") or ()):
            # Already in front of this gateway: only its health check needs fixing.
            existing.append(lb)
            continue
        moved += [r for r in routes_of(b.facts, lb, b.opts) if r["kind"] == "Ingress"]
    return moved, existing


def _backend_port(svc, protocol):
    """The gateway Service port the Google load balancer sends to: HTTP, else 443."""
    if protocol == "HTTP":
        return gateway_http_port(svc)
    return next((p["port"] for p in svc.get("ports") or () if p.get("port") == 443), 443)


def _backend_config(b, phase, ns):
    """The BackendConfig whose health check targets the gateway status port; returns the
    Service annotation that names it."""
    bc_version = api(b.facts, "cloud.google.com", "BackendConfig", "v1")
    _create(
        b,
        phase,
        patch_target(bc_version, "BackendConfig", "meshgate-istio-gateway", ns),
        {
            "healthCheck": {
                "type": "HTTP",
                "port": ISTIO_STATUS_PORT,
                "requestPath": ISTIO_READY_PATH,
            }
        },
        "the Google health check targets the gateway status port 15021 /healthz/ready (traffic ports answer 404 until a route exists)",
        "none",
    )
    return '{"default": "meshgate-istio-gateway"}'


def _neg_on_service(b, phase, svc, port, anns):
    """The annotations anns on the gateway Service (with the app protocol of port unless HTTP),
    those it lacks; undo restores the values they replace."""
    protocol = b.opts["backend_protocol"]
    port_name = next((p["name"] for p in svc.get("ports") or () if p.get("port") == port), None)
    if protocol != "HTTP" and port_name:
        anns["cloud.google.com/app-protocols"] = json.dumps({port_name: protocol}, sort_keys=True)
    current = svc.get("annotations") or {}
    anns = {k: v for k, v in anns.items() if current.get(k) != v}
    if not anns:
        return
    target = patch_target("v1", "Service", svc["name"], svc["namespace"])
    b.patch(
        phase,
        target,
        {"apiVersion": "v1", "kind": "Service", "metadata": meta(target, annotations=anns)},
        "container-native load balancing (NEG) and the BackendConfig on the Istio gateway Service",
        GCLB_DOC,
        {"restart": False, "traffic": "GKE creates NEGs for the gateway pods"},
        {
            "action": "remove-fields",
            "fields": ["metadata.annotations.%s" % k for k in sorted(anns)],
            "restore": {"metadata.annotations.%s" % k: current[k] for k in anns if k in current},
        },
    )


def _gke_ingress(b, phase, svc, port, moved):
    opts = b.opts
    ns = svc["namespace"]
    anns = {"kubernetes.io/ingress.class": opts["ingress_class"]}
    if opts["static_ip_name"]:
        # A global address for the external LB, a regional one for gce-internal.
        anns[_edge_classes()[opts["ingress_class"]]["static_ip_annotation"]] = opts[
            "static_ip_name"
        ]
    if opts["managed_certificate_domains"]:
        anns["networking.gke.io/managed-certificates"] = _managed_certificate(b, phase, ns)
    if opts["https_redirect"] or opts["ssl_policy"]:
        anns["networking.gke.io/v1beta1.FrontendConfig"] = _frontend_config(b, phase, ns)
    hosts = sorted({h for r in moved for h in r.get("hosts") or ()})
    if opts["hosts"]:
        hosts = sorted(set(hosts) | set(opts["hosts"]))
    backend = {"service": {"name": svc["name"], "port": {"number": port}}}
    spec = {"defaultBackend": backend}
    if hosts:
        spec["rules"] = [
            {
                "host": h,
                "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]},
            }
            for h in hosts
        ]
    ing = patch_target("networking.k8s.io/v1", "Ingress", opts["ingress_name"], ns)
    b.patch(
        phase,
        ing,
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": meta(ing, labels=MANAGED_LABEL, annotations=anns),
            "spec": spec,
        },
        "GKE Ingress (class %s) in front of the Istio ingress gateway" % opts["ingress_class"],
        GCLB_DOC,
        {"restart": False, "traffic": "a new Google load balancer and IP; DNS must point at it"},
        {"action": "delete"},
        creates=True,
    )


def _managed_certificate(b, phase, ns):
    """A Google-managed certificate for the domains asked for; returns its name."""
    domains = sorted(b.opts["managed_certificate_domains"])
    mc_version = api(b.facts, "networking.gke.io", "ManagedCertificate", "v1")
    _create(
        b,
        phase,
        patch_target(mc_version, "ManagedCertificate", "meshgate-gclb", ns),
        {"domains": domains},
        "Google-managed certificate for %s" % ", ".join(domains),
        "none",
    )
    return "meshgate-gclb"


def _frontend_config(b, phase, ns):
    """A FrontendConfig with the HTTPS redirect and / or SSL policy asked for; returns its name."""
    opts = b.opts
    fc_version = api(b.facts, "networking.gke.io", "FrontendConfig", "v1beta1")
    spec = {}
    if opts["https_redirect"]:
        spec["redirectToHttps"] = {"enabled": True}
    if opts["ssl_policy"]:
        spec["sslPolicy"] = opts["ssl_policy"]
    _create(
        b,
        phase,
        patch_target(fc_version, "FrontendConfig", "meshgate-gclb", ns),
        spec,
        "HTTPS redirect / SSL policy on the Google front end",
        "none",
    )
    return "meshgate-gclb"


def _gke_gateway(b, edge, gateway_phase, svc, port):
    """A GKE Gateway of class gke_gateway_class with an HTTPRoute to the gateway Service, and the
    health check on its status port."""
    klass = b.opts["gke_gateway_class"]
    if not klass.startswith("gke-l7-"):
        raise PlanError(
            "gke_gateway_class must be a GKE L7 GatewayClass (gke-l7-...), got %r" % klass
        )
    backend = _gateway_backend(b, klass, svc)
    _health_check_policy(b, gateway_phase, svc, backend)
    _gke_edge_gateway(b, edge, svc["namespace"], klass)
    _gke_http_route(b, edge, svc, port, backend)


def _gateway_backend(b, klass, svc):
    """The group and kind the GKE Gateway's route and policies name the gateway Service by: the
    Service itself, or for a multi-cluster class (vendor data "multi_cluster_classes") the
    fleet's ServiceImport of it, which only a ServiceExport of it creates."""
    multi = next(
        (
            entry["multi_cluster_classes"]
            for entry in registry.VENDORS
            if entry.get("multi_cluster_classes")
            and any(klass.startswith(p) for p in entry.get("gateway_class_prefixes") or ())
        ),
        None,
    )
    if not (multi and klass.endswith(multi["suffix"])):
        return {"group": "", "kind": "Service"}
    b.warn(
        "gke_gateway_class %s is multi-cluster: its route and HealthCheckPolicy name the "
        "%s %s/%s, which exists only once the Service %s/%s is exported (a ServiceExport of the "
        "same name, multi-cluster Services enabled on the fleet)"
        % (
            klass,
            multi["backend"]["kind"],
            svc["namespace"],
            svc["name"],
            svc["namespace"],
            svc["name"],
        )
    )
    return dict(multi["backend"])


def _health_check_policy(b, phase, svc, backend):
    """GKE does not derive the GKE Gateway's health check from probes: it targets 15021."""
    hcp_version = api(b.facts, "networking.gke.io", "HealthCheckPolicy", "v1")
    _create(
        b,
        phase,
        patch_target(hcp_version, "HealthCheckPolicy", "meshgate-istio-gateway", svc["namespace"]),
        {
            "default": {
                "config": {
                    "type": "HTTP",
                    "httpHealthCheck": {
                        "port": ISTIO_STATUS_PORT,
                        "requestPath": ISTIO_READY_PATH,
                    },
                }
            },
            "targetRef": dict(backend, name=svc["name"]),
        },
        "the GKE Gateway health check targets the gateway status port 15021 /healthz/ready (GKE does not derive it from probes)",
        "none",
    )


def _gke_edge_gateway(b, phase, ns, klass):
    """The GKE Gateway (a new Google load balancer) of class klass, HTTP on port 80."""
    gw_version = api(b.facts, "gateway.networking.k8s.io", "Gateway", "v1")
    _create(
        b,
        phase,
        patch_target(gw_version, "Gateway", "meshgate-gclb", ns),
        {
            "gatewayClassName": klass,
            "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}],
        },
        "GKE Gateway (%s) in front of the Istio ingress gateway" % klass,
        "a new Google load balancer and IP; DNS must point at it",
    )


def _gke_http_route(b, phase, svc, port, backend):
    """The GKE Gateway's HTTPRoute: everything (for hosts, if set) to the gateway Service (or
    its ServiceImport)."""
    rt_version = api(b.facts, "gateway.networking.k8s.io", "HTTPRoute", "v1")
    ref = {"name": svc["name"], "port": port}
    if backend["kind"] != "Service":
        ref.update(backend)
    spec = {
        "parentRefs": [{"name": "meshgate-gclb"}],
        "rules": [{"backendRefs": [ref]}],
    }
    if b.opts["hosts"]:
        spec["hostnames"] = sorted(b.opts["hosts"])
    _create(
        b,
        phase,
        patch_target(rt_version, "HTTPRoute", "meshgate-gclb", svc["namespace"]),
        spec,
        "the GKE Gateway sends everything to the Istio ingress gateway",
        "none until DNS points at the new address",
    )


def _create(b, phase, target, spec, reason, traffic):
    """A new object of ours (managed label) for the Google load balancer; undo deletes it."""
    b.patch(
        phase,
        target,
        created_manifest(target, spec),
        reason,
        GCLB_DOC,
        {"restart": False, "traffic": traffic},
        {"action": "delete"},
        creates=True,
    )


def _trusted_hops(opts):
    """numTrustedProxies: the option, else the X-Forwarded-For entries Google's LB adds (the
    edge vendor's catalog entry)."""
    if opts["num_trusted_proxies"] is not None:
        return opts["num_trusted_proxies"]
    return xff_hops(_edge_entry())
