# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Cloud load balancers (GKE, AWS, Azure): one entry per cloud route, cloud Gateway or
LoadBalancer Service, with its health check against the Istio gateway."""

from __future__ import annotations

import json

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import jp
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rules import (
    run_cloud_lb,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    annotations_of,
    name_of,
    namespace_of,
    obj_id,
    selector_matches,
    template_labels,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.owners import gitops_owner
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.services import (
    service_summary,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import (
    lists_to_counts,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.health_checks import (
    effective_annotations,
    judge,
    xff_hops,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import (
    ISTIO_READY_PATH,
    ISTIO_STATUS_PORT,
)


def cloud_health_check(idx, vendor_id, lb_obj, gw_service):
    """(ok, actual description) for a cloud LB's health check against the gateway Service, read
    where the vendor's entry says it is set (health_check.reader; annotations by default)."""
    hc = registry.vendor(vendor_id).get("health_check") or {}
    svc = idx.get("", "Service", gw_service["namespace"], gw_service["service"])
    if svc is None:
        svc = idx.get(
            "networking.gke.io",
            "MultiClusterService",
            gw_service["namespace"],
            gw_service["service"],
        )
    svc_anns = annotations_of(svc) if svc else {}
    read = HEALTH_CHECK_READERS[hc.get("reader", "annotations")]
    return read(idx, hc, lb_obj, gw_service, svc_anns)


def _backend_config_check(idx, hc, lb_obj, gw_service, svc_anns):
    """GKE Ingress: the BackendConfig the gateway Service's backend-config annotation names for
    the port (or its default)."""
    value = svc_anns.get("cloud.google.com/backend-config") or svc_anns.get(
        "beta.cloud.google.com/backend-config"
    )
    if not value:
        return (
            False,
            "derived by GKE (readiness probe or GET / on the serving port): no BackendConfig",
        )
    try:
        cfg = json.loads(value)
    except ValueError:
        return False, "unparsable cloud.google.com/backend-config annotation %r" % value
    names = []
    port = gw_service.get("port")
    ports = cfg.get("ports") or {}
    if port is not None and str(port) in {str(k) for k in ports}:
        names = [v for k, v in ports.items() if str(k) == str(port)]
    elif cfg.get("default"):
        names = [cfg["default"]]
    else:
        names = list(ports.values())
    for name in names:
        bc = idx.get("cloud.google.com", "BackendConfig", gw_service["namespace"], name)
        if bc is None:
            return False, "BackendConfig %s/%s not found" % (gw_service["namespace"], name)
        h = (bc.get("spec") or {}).get("healthCheck") or {}
        if h.get("port") != ISTIO_STATUS_PORT or h.get("requestPath") != ISTIO_READY_PATH:
            return False, "BackendConfig %s: port %s path %s" % (
                name,
                h.get("port"),
                h.get("requestPath"),
            )
    return bool(names), (
        "BackendConfig %s" % ", ".join(names) if names else "no BackendConfig for the port"
    )


def _health_check_policy_check(idx, hc, lb_obj, gw_service, svc_anns):
    """GKE Gateway: the HealthCheckPolicy that targets the gateway Service."""
    for pol in idx.kind("networking.gke.io", "HealthCheckPolicy"):
        spec = pol.get("spec") or {}
        target = spec.get("targetRef") or {}
        if (
            target.get("kind") == "Service"
            and target.get("name") == gw_service["service"]
            and namespace_of(pol) == gw_service["namespace"]
        ):
            cfg = ((spec.get("default") or {}).get("config")) or {}
            h = (
                cfg.get("httpHealthCheck")
                or cfg.get("httpsHealthCheck")
                or cfg.get("http2HealthCheck")
                or {}
            )
            ok = h.get("port") == ISTIO_STATUS_PORT and h.get("requestPath") == ISTIO_READY_PATH
            return ok, "HealthCheckPolicy %s: port %s path %s" % (
                name_of(pol),
                h.get("port"),
                h.get("requestPath"),
            )
    return False, "no HealthCheckPolicy (GKE Gateway defaults to GET / on the serving port)"


def _annotation_check(idx, hc, lb_obj, gw_service, svc_anns):
    """AWS, Azure: the annotations the entry names, read from the LB's own object (an Ingress)
    and the gateway Service in the entry's order (vendors/health_checks.py)."""
    svc = idx.get("", "Service", gw_service["namespace"], gw_service["service"])
    summary = service_summary(svc) if svc else {"ports": []}
    route_anns = (
        annotations_of(lb_obj) if lb_obj is not None and lb_obj.get("kind") != "Service" else {}
    )
    return judge(hc, summary, effective_annotations(hc, route_anns, svc_anns))


# Where a cloud LB's health check is set: a vendor entry names one (health_check.reader).
HEALTH_CHECK_READERS = {
    "backend_config": _backend_config_check,
    "health_check_policy": _health_check_policy_check,
    "annotations": _annotation_check,
}


def _signal_matches(signal, svc):
    anns = annotations_of(svc)
    if "annotation_prefix" in signal:
        return any(k.startswith(signal["annotation_prefix"]) for k in anns)
    if "annotation" in signal:
        value = anns.get(signal["annotation"])
    else:
        value = jp(signal["field"], svc)
    return isinstance(value, str) and value.strip() in signal["values"]


def service_cloud_vendor(svc):
    if ((svc.get("spec") or {}).get("type")) != "LoadBalancer":
        return None
    for entry in registry.VENDORS:
        if any(_signal_matches(sig, svc) for sig in entry.get("service_signals", ())):
            return entry["id"]
    return None


def is_cloud_route(r):
    return (
        bool(r["vendor"]) and (registry.VENDORS_BY_ID.get(r["vendor"]) or {}).get("kind") == "cloud"
    )


def cloud_start(wl_lbs, controllers, findings):
    lb_pods = {}
    for item in wl_lbs:
        lb_pods.setdefault(namespace_of(item["wl"]), []).append(template_labels(item["wl"]))
    return {
        "lb_pods": lb_pods,
        "controllers": controllers,  # each cloud LB names its vendor's controllers
        "findings": findings,  # where the cloud_lb rules' findings go
        "entries": [],  # (route key, LB entry) of each cloud route that is an LB of its own
        "gateways": [],  # (route, object) of cloud Gateway API Gateways: made at the end
        # (vendor, "namespace/name" of a cloud Gateway) -> [(route key, id, backends)] of the
        # routes attached to it: a Gateway is the cloud LB, its routes bring the backends.
        "attached": {},
        # (namespace, Service) -> {cloud LB id: vendor} of the cloud LBs sending to it: those
        # in front of an in-cluster LB (fronted_by).
        "fronts": {},
    }


def cloud_take_routes(idx, cloud, routes, istio):
    """Take one page of (annotated, sorted) routes: each cloud route is an LB of its own, or
    attaches to a cloud Gateway (judged first: the Gateways are the first page)."""
    for r in routes:
        if not is_cloud_route(r):
            continue
        if r.get("parents") is not None and r["kind"] != "Gateway":
            r["served_by"].extend("%s:Gateway/%s" % (r["vendor"], p) for p in r["parents"])
            for parent in r["parents"]:
                _fronts(cloud, r, "%s:Gateway/%s" % (r["vendor"], parent))
                children = cloud["attached"].get((r["vendor"], parent))
                if children is not None:
                    children.append((r["_key"], r["id"], r["backends"]))
            continue
        r["served_by"].append("%s:%s" % (r["vendor"], r["id"]))
        if r["kind"] == "Gateway":
            cloud["gateways"].append((r, r["_obj"]))
            cloud["attached"].setdefault((r["vendor"], "%s/%s" % (r["namespace"], r["name"])), [])
            continue
        _fronts(cloud, r, "%s:%s" % (r["vendor"], r["id"]))
        entry = cloud_lb_entry(idx, cloud, r["_obj"], r["vendor"], r, istio)
        cloud["entries"].append((r["_key"], entry))


def _fronts(cloud, r, lb_id):
    for b in r["backends"]:
        cloud["fronts"].setdefault((b["namespace"], b["service"]), {})[lb_id] = r["vendor"]


def fronted_by(cloud, services):
    """The cloud LBs in front of an in-cluster LB whose Services are ``services`` ((namespace,
    name, the Service-level cloud LB that exposes it or None)): those whose routes send to
    one of them, and the Service-level ones (NLB, Azure LB), each {"id", "vendor",
    "xff_hops"} (the X-Forwarded-For entries it adds, vendor data), by id."""
    found = {}
    for ns, name, service_lb in services:
        found.update(cloud["fronts"].get((ns, name)) or {})
        if service_lb:
            found["%s:Service/%s/%s" % (service_lb, ns, name)] = service_lb
    return [
        {"id": lb_id, "vendor": vendor, "xff_hops": xff_hops(registry.vendor(vendor))}
        for lb_id, vendor in sorted(found.items())
    ]


def cloud_finish(idx, cloud, istio, keep_routes):
    entries = list(cloud["entries"])
    for r, obj in cloud["gateways"]:
        children = sorted(cloud["attached"][(r["vendor"], "%s/%s" % (r["namespace"], r["name"]))])
        gateway = dict(
            r,
            backends=[b for _k, _i, backends in children for b in backends],
            child_routes=[i for _k, i, _b in children],
        )
        entries.append(
            (
                r["_key"],
                cloud_lb_entry(idx, cloud, obj, r["vendor"], gateway, istio),
            )
        )
    entries.sort(key=lambda e: e[0])
    out = [entry for _key, entry in entries]
    # Service-level cloud LBs (NLB, Azure LB) in front of the gateway or of app pods.
    for svc in idx.kind("", "Service"):
        vendor_id = service_cloud_vendor(svc)
        if not vendor_id:
            continue
        selector = (svc.get("spec") or {}).get("selector")
        if any(
            selector_matches(selector, labels)
            for labels in cloud["lb_pods"].get(namespace_of(svc), ())
        ):
            continue  # exposes a detected in-cluster LB: reported on that LB's service
        ports = (svc.get("spec") or {}).get("ports") or []
        backend = {
            "namespace": namespace_of(svc),
            "service": name_of(svc),
            "port": ports[0].get("port") if ports else None,
            "istio_gateway": any(
                s["namespace"] == namespace_of(svc) and s["name"] == name_of(svc)
                for g in istio["gateways"]
                for s in g["services"]
            ),
        }
        pseudo = {"kind": "Service", "backends": [backend], "id": obj_id(svc)}
        out.append(cloud_lb_entry(idx, cloud, svc, vendor_id, pseudo, istio))
    if not keep_routes:
        for entry in out:
            lists_to_counts(entry)
    return out


def cloud_lb_entry(idx, cloud, obj, vendor_id, route, istio):
    """The load balancer entry (detect/records.py LoadBalancer) of one cloud LB, and its
    findings (stage cloud_lb)."""
    entry = registry.vendor(vendor_id)
    view = _cloud_view(idx, obj, vendor_id, route)
    run_cloud_lb(idx, view, istio, cloud["findings"])
    mode = view["mode"]
    anns = annotations_of(obj)
    evidence = [route.get("vendor_evidence") or "Service %s" % name_of(obj)]
    if route.get("vendor_inferred"):
        evidence.append("vendor inferred (no controller object in the input)")
    return {
        "id": "%s:%s" % (vendor_id, obj_id(obj)),
        "vendor": vendor_id,
        "vendor_name": entry.get("name"),
        "kind": obj.get("kind"),
        "namespace": namespace_of(obj),
        "name": name_of(obj),
        "role": "cloud",
        "ingress_classes": [route["class"]] if route.get("class") else [],
        "service": service_summary(obj) if obj.get("kind") == "Service" else None,
        "host_network": None,
        "sidecar": None,
        "mode": mode,
        # Cloud LBs never speak Istio mTLS; chained traffic is mTLS from the gateway on.
        "mtls": mode == "chained",
        "service_routing": "n/a",
        "routes": (
            ([route["id"]] + route.get("child_routes", []))
            if route.get("kind") != "Service"
            else []
        ),
        "backends": sorted({"%s/%s" % (b["namespace"], b["service"]) for b in route["backends"]}),
        "health_check": view["health_check"],
        "annotations": {
            k: v
            for k, v in anns.items()
            if any(k.startswith(p) for p in entry.get("annotation_prefixes", ()))
        }
        or None,
        "controllers": sorted(
            "%s/%s/%s" % (c["wl"].get("kind"), namespace_of(c["wl"]), name_of(c["wl"]))
            for c in cloud["controllers"]
            if c["vendor"] == vendor_id
        ),
        "evidence": evidence,
        "gitops": gitops_owner(obj),
    }


def _cloud_view(idx, obj, vendor_id, route):
    """What the finding rules see of a cloud LB (stage cloud_lb, detect/findings/rule.py): its
    mode, the backends that are Istio gateways, and the health check of the first of them."""
    backends = route["backends"]
    to_gateway = [b for b in backends if b.get("istio_gateway")]
    hc_state = None
    # The health check is judged on the first backend that is a gateway (one per LB).
    checked = to_gateway[0] if to_gateway else None
    if checked is not None:
        ok, actual = cloud_health_check(idx, vendor_id, obj, checked)
        hc_state = {
            "ok": ok,
            "actual": actual,
            "where": (registry.vendor(vendor_id).get("health_check") or {}).get("where"),
            "planned_by": (registry.vendor(vendor_id).get("health_check") or {}).get("planned_by"),
        }
    return {
        "obj": obj,
        "vendor": vendor_id,
        "label": "%s %s/%s" % (obj.get("kind"), namespace_of(obj), name_of(obj)),
        "mode": "unknown" if not backends else ("chained" if to_gateway else "standalone"),
        "route": dict(
            route,
            kind=obj.get("kind"),
            apiVersion=obj.get("apiVersion"),
            namespace=namespace_of(obj),
            name=name_of(obj),
        ),
        "to_gateway": to_gateway,
        "health_check": hc_state,
        "checked_backend": checked,
    }
