# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Route backends: read from each route kind, then linked to their Service, the workloads it
selects, and the mTLS mode of the port they reach."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import (
    effective_mtls,
    injection_state,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    containers_of,
    name_of,
    namespace_of,
    selector_matches,
    template_labels,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import ISTIO
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.signals import labels_match


def ingress_backends(ing):
    spec = ing.get("spec") or {}
    out = []
    backends = []
    if spec.get("defaultBackend"):
        backends.append(spec["defaultBackend"])
    if spec.get("backend"):  # extensions/v1beta1 shape in old dumps
        backends.append(spec["backend"])
    for rule in spec.get("rules") or ():
        for path in ((rule.get("http") or {}).get("paths")) or ():
            backends.append(path.get("backend") or {})
    for b in backends:
        svc = b.get("service")
        if svc:
            port = svc.get("port") or {}
            out.append({"service": svc.get("name"), "port": port.get("number", port.get("name"))})
        elif b.get("serviceName"):
            out.append({"service": b["serviceName"], "port": b.get("servicePort")})
    return out


def _parse_service_ref(value, namespace):
    """Emissary-style 'scheme://name.ns:port' -> (service, namespace, port)."""
    if not isinstance(value, str):
        return None
    value = value.split("://", 1)[-1].split("/", 1)[0]
    host, _sep, port = value.partition(":")
    parts = host.split(".")
    name = parts[0]
    ns = parts[1] if len(parts) > 1 and parts[1] != "svc" else namespace
    return name, ns, int(port) if port.isdigit() else (port or None)


def route_backends(route, raw_backends):
    ns = namespace_of(route)
    out = []
    seen = set()
    for b in raw_backends or ():
        if not isinstance(b, dict):
            continue
        svc = b.get("service")
        port = b.get("port")
        bns = b.get("namespace") or ns
        if isinstance(svc, str) and ("." in svc or "://" in svc or ":" in svc):
            parsed = _parse_service_ref(svc, ns)
            if parsed:
                svc, bns, p2 = parsed
                port = port or p2
        if not svc:
            continue
        key = (bns, svc, port)
        if key in seen:
            continue
        seen.add(key)
        out.append({"namespace": bns, "service": svc, "port": port})
    return out


def gateway_api_backends(route):
    raw = []
    for rule in (route.get("spec") or {}).get("rules") or ():
        for b in rule.get("backendRefs") or ():
            if (b.get("kind") or "Service") == "Service" and not b.get("group"):
                raw.append(
                    {
                        "service": b.get("name"),
                        "port": b.get("port"),
                        "namespace": b.get("namespace"),
                    }
                )
    return raw


def _selects_gateway(istio, namespace, selector):
    """Does a Service-style selector pick Istio gateway pods (detected or by convention)?"""
    if any(labels_match(w, selector) for w in ISTIO["gateway_labels"]):
        return True
    return any(
        ns == namespace and selector_matches(selector, labels)
        for ns, labels in istio["_gateway_pods"]
    )


def annotate_backends(idx, routes, istio, cluster_domain, gw_services):
    """Link each route backend to its Service, and say whether it is an Istio gateway's
    (``gw_services``: the (namespace, name) of every gateway Service)."""
    # ExternalName Services that lead to a gateway (how an Ingress reaches another namespace).
    gw_hosts = {"%s.%s" % (name, ns) for ns, name in gw_services}
    for route in routes:
        for b in route["backends"]:
            svc_name = b["service"]
            # Istio VirtualService hosts may be FQDNs.
            if isinstance(svc_name, str) and "." in svc_name:
                parts = svc_name.split(".")
                b["service"], b["namespace"] = parts[0], (
                    parts[1] if len(parts) > 1 else b["namespace"]
                )
            svc = idx.get("", "Service", b["namespace"], b["service"])
            b["istio_gateway"] = (b["namespace"], b["service"]) in gw_services
            external = ((svc or {}).get("spec") or {}).get("externalName") or ""
            if external and ".".join(external.split(".")[:2]) in gw_hosts:
                b["istio_gateway"] = True
                b["via"] = "ExternalName %s" % external
                # The gateway Service the bridge leads to (its trust is judged there).
                name, ns = external.split(".")[:2]
                b["gateway_service"] = "%s/%s" % (ns, name)
            if svc is None:
                mcs = idx.get(
                    "networking.gke.io", "MultiClusterService", b["namespace"], b["service"]
                )
                if mcs is not None:
                    sel = (((mcs.get("spec") or {}).get("template") or {}).get("spec") or {}).get(
                        "selector"
                    ) or {}
                    b["istio_gateway"] = _selects_gateway(istio, b["namespace"], sel)
                    b["multi_cluster_service"] = True
                b["found"] = False
                continue
            b["found"] = True
            b["waypoint"] = waypoint_of(idx, svc)
            b["headless"] = (svc.get("spec") or {}).get("clusterIP") == "None"
            b["fqdn"] = "%s.%s.svc.%s" % (b["service"], b["namespace"], cluster_domain)
            b["service_port"] = service_port(svc, b["port"])
            selector = (svc.get("spec") or {}).get("selector") or {}
            b["selector"] = selector or None
            _svc, wls = backend_workloads(idx, b["namespace"], b["service"])
            if wls and istio["installed"]:
                wl = wls[0]
                inj = injection_state(wl, istio)
                b["in_mesh"] = inj["injection"] == "enabled" or inj["ambient"]
                b["target_port"] = target_port(svc, b["port"], wl)
                b["mtls_mode"], b["mtls_policy"] = effective_mtls(
                    istio, b["namespace"], template_labels(wl), b["target_port"]
                )


def backend_workloads(idx, ns, svc_name):
    """(Service, workloads it selects) - memoised per run (routes share backends), sorted so
    the answer never depends on input order."""
    key = ("backend-workloads", ns, svc_name)
    if key not in idx._cache:
        svc = idx.get("", "Service", ns, svc_name)
        if svc is None:
            idx._cache[key] = (None, [])
        else:
            wls = idx.workloads_selected(ns, (svc.get("spec") or {}).get("selector"))
            idx._cache[key] = (svc, sorted(wls, key=lambda w: (w.get("kind"), name_of(w))))
    return idx._cache[key]


# The label that binds a Service (or every Service of a namespace) to an ambient waypoint.
USE_WAYPOINT = "istio.io/use-waypoint"


def waypoint_of(idx, svc):
    """The waypoint the Service's traffic goes through in ambient (its label, else its
    namespace's; "none" opts out), or None."""
    labels = (svc.get("metadata") or {}).get("labels") or {}
    if USE_WAYPOINT not in labels:
        ns = idx.get("", "Namespace", None, (svc.get("metadata") or {}).get("namespace"))
        labels = ((ns or {}).get("metadata") or {}).get("labels") or {}
    value = labels.get(USE_WAYPOINT)
    return None if value in (None, "", "none") else value


def service_port(svc, port):
    """The Service port number a route's port (number or name) means: the port a sidecar's
    outbound listener and a mesh route match on."""
    for p in (svc.get("spec") or {}).get("ports") or ():
        if port in (p.get("port"), p.get("name")) or (port is None and p):
            return p.get("port")
    return None


def target_port(svc, port, wl):
    """Container port behind a Service port (PeerAuthentication portLevelMtls uses it)."""
    for p in (svc.get("spec") or {}).get("ports") or ():
        if port in (p.get("port"), p.get("name")) or (port is None and p):
            target = p.get("targetPort", p.get("port"))
            if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
                return int(target)
            for c in containers_of(wl, init=False):
                for cp in c.get("ports") or ():
                    if cp.get("name") == target:
                        return cp.get("containerPort")
            return None
    return None
