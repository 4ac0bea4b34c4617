# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""In-cluster load balancers: started before their routes are seen, take the routes a page at
a time, finished with their mode, mTLS and the findings that depend on it."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.cloud import (
    service_cloud_vendor,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rules import (
    finish_lb,
    run_lb,
    take_lb_routes,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.index import OLD_GATEWAY_API
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.installs import (
    route_install_ids,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import (
    injection_state,
    parse_proxy_config,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.mesh_routes import (
    mesh_routed_hosts,
    our_mesh_routes,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.native_sidecars import (
    decision_for,
    workload_kind,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    host_network,
    name_of,
    namespace_of,
    obj_id,
    template_annotations,
    template_labels,
    truthy,
    workload_readiness,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.owners import (
    gitops_owner,
    object_owner,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.routing import (
    route_host_rewrite,
    route_service_routing,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.services import (
    service_summary,
    services_selecting,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import (
    lists_to_counts,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.workloads import (
    configmap_ref,
    pod_has_proxy,
    pods_of,
    workload_editions,
    xff_passed_on,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import ISTIO
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.registry import route_entry


def lb_start(idx, item, istio, controllers, findings, keep_routes):
    """What a workload LB's result needs before its routes are seen, and its findings that
    do not depend on routes. Routes are then taken a page at a time (lb_take_routes) and
    the result made at the end (lb_finish)."""
    wl = item["wl"]
    entry = item["entry"]
    ns = namespace_of(wl)
    inj = injection_state(wl, istio)
    pods = pods_of(idx, wl)
    anns = template_annotations(wl)
    sidecar_intended = inj["injection"] == "enabled"
    label = "%s %s/%s" % (wl.get("kind"), ns, name_of(wl))
    state = {
        "item": item,
        "id": obj_id(wl),
        "service": _first_service(idx, wl),
        # Whether it passes on the X-Forwarded-For entries of the cloud LBs in front of it.
        "xff_passed_on": xff_passed_on(idx, wl, entry),
        # Its Services, each with the Service-level cloud LB exposing it (fronted_by).
        "services": [
            (namespace_of(s), name_of(s), service_cloud_vendor(s))
            for s in services_selecting(idx, wl)
        ],
        "sidecar": _sidecar(wl, inj, pods, anns, istio),
        "anns": anns,
        "sidecar_intended": sidecar_intended,
        "in_mesh": sidecar_intended or inj["ambient"],
        "ambient": inj["ambient"],
        "label": label,
        "controllers": sorted(
            "%s/%s/%s" % (c["wl"].get("kind"), namespace_of(c["wl"]), name_of(c["wl"]))
            for c in controllers
            if c["vendor"] == item["vendor"] and c is not item
        ),
        "config_map": configmap_ref(wl, entry, idx),
        # Hosts its sidecar can route by Host (detect/mesh_routes.py), leaving out our own.
        "foreign_mesh_routes": mesh_routed_hosts(idx, ns, include_ours=False),
        "our_mesh_routes": our_mesh_routes(idx, ns),
        "owner": (
            template_labels(wl).get(entry["owner_label"]) if entry.get("owner_label") else None
        ),
        # Taken from the routes, page by page:
        "route_keys": [] if keep_routes else None,  # (route key, id) when routes are kept
        "route_count": 0,
        "backend_count": 0,
        "backend_names": set(),
        # (namespace, service) -> ((route key, backend index), backend): the first in route
        # order, as MG0013 reports each gateway name once, for the first backend reaching it.
        "to_gateway": {},
        "to_gateway_count": 0,
        "routing": [0, 0],  # routes judged for Service routing, routes with it on
        # What the finding rules need of the LB (detect/findings/: sidecar, workloads).
        "pods": pods,
        # Each lb_routes rule's memory (detect/findings/rules.py), made as routes come.
        "rule_stores": {},
    }

    run_lb(idx, state, istio, findings)
    return state


def _first_service(idx, wl):
    """The summary of the LB's first Service (LoadBalancer first), with the cloud LB that
    serves it, if any."""
    svcs = services_selecting(idx, wl)
    service = service_summary(svcs[0]) if svcs else None
    if service:
        cloud = service_cloud_vendor(svcs[0])
        if cloud:
            service["cloud_lb"] = cloud
    return service


def _sidecar(wl, inj, pods, anns, istio):
    """What the LB's pods get of Istio: injection and why, the pods observed, inbound capture
    and holdApplicationUntilProxyStarts (when a sidecar is intended), ambient's bypass, and the
    kind of sidecar they run or would get when injected (native or classic)."""
    injected = None
    if pods:
        injected = all(pod_has_proxy(p) for p in pods)
    inbound_off = anns.get("traffic.sidecar.istio.io/includeInboundPorts") == ""
    pc = parse_proxy_config(anns.get("proxy.istio.io/config"))
    hold = (
        bool(pc.get("holdApplicationUntilProxyStarts"))
        or istio["mesh_config"]["hold_application_until_proxy_starts"]
    )
    sidecar_intended = inj["injection"] == "enabled"
    sidecar = {
        "injection": inj["injection"],
        "injection_source": inj["source"],
        "revision": inj["revision"],
        "injected": injected,
        "pods_observed": len(pods),
        "ambient": inj["ambient"],
        "inbound_capture": ("off" if inbound_off else "on") if sidecar_intended else "n/a",
        "hold_application_until_proxy_starts": hold if sidecar_intended else None,
    }
    kind, evidence = workload_kind(
        wl, pods, decision_for(istio["native_sidecars"], inj["revision"])
    )
    sidecar["kind"] = kind
    sidecar["kind_evidence"] = evidence
    if inj["ambient"]:
        sidecar["bypass_inbound_capture"] = truthy(
            anns.get("ambient.istio.io/bypass-inbound-capture", "false")
        )
    return sidecar


def _names_an_ingress_class(r):
    """An Ingress's class, or a vendor route kind's (its "ingress_class"): an IngressClass, not a
    Gateway API route's GatewayClass."""
    group = (r.get("apiVersion") or "").split("/")[0]
    return r["kind"] == "Ingress" or group not in ("gateway.networking.k8s.io", OLD_GATEWAY_API)


def _serves(state, r):
    item = state["item"]
    if r["vendor"] != item["vendor"]:
        return False
    if item.get("classes") and r["class"] and _names_an_ingress_class(r):
        if r["class"] not in item["classes"]:
            return False
    # A Gateway API route's classes' controllers: those of the install it is (installs.py).
    gateway = item.get("gateway_controllers")
    if gateway is not None and r.get("_controllers") is not None:
        if not set(r["_controllers"]) & set(gateway):
            return False
    install_id = (item.get("install") or {}).get("id")
    if install_id is not None and "_obj" in r:
        if "_install_ids" not in r:
            r["_install_ids"] = route_install_ids(item["entry"], r["_obj"])
        if r["_install_ids"] is not None and install_id not in r["_install_ids"]:
            return False
    if state["owner"] and r["kind"] != "Gateway":
        if not any(p.split("/", 1)[-1] == state["owner"] for p in r.get("parents", [])):
            return False
    return True


def lb_take_routes(idx, state, routes, istio):
    """Take one page of (annotated, sorted) routes into a workload LB's state."""
    item = state["item"]
    wl = item["wl"]
    entry = item["entry"]
    mine = []
    for r in routes:
        if not _serves(state, r):
            continue
        mine.append(r)
        r["served_by"].append(state["id"])
        state["route_count"] += 1
        if state["route_keys"] is not None:
            state["route_keys"].append((r["_key"], r["id"]))
        for i, b in enumerate(r["backends"]):
            state["backend_count"] += 1
            state["backend_names"].add("%s/%s" % (b["namespace"], b["service"]))
            if b.get("istio_gateway"):
                state["to_gateway_count"] += 1
                key, place = (b["namespace"], b["service"]), (r["_key"], i)
                if key not in state["to_gateway"] or place < state["to_gateway"][key][0]:
                    state["to_gateway"][key] = (place, b)
        if r["kind"] == "Gateway":
            continue
        provider = (item.get("provider_classes") or {}).get(r.get("class"))
        if provider and r["kind"] == "Ingress":
            r["provider"] = provider  # served for another vendor's class (serves_classes_of)
        switches = route_entry(entry, r)
        sr = route_service_routing(idx, r, switches, wl)
        hr = route_host_rewrite(idx, r, switches)
        r["service_routing"] = sr
        r["host_rewrite"] = hr
        state["routing"][0] += 1
        state["routing"][1] += 1 if (bool(sr) or hr) else 0
    take_lb_routes(idx, state, mine, istio)


def lb_front(state, fronting):
    """What stands in front of a workload LB, once every route is seen: ``fronting`` (cloud.py
    fronted_by()), and the X-Forwarded-For entries its backends receive - the one it appends
    plus, when it passes on what it receives (vendor data "xff"), the fewest any cloud LB in
    front adds (trusting more would let clients of that path choose their address)."""
    state["fronted_by"] = fronting
    state["xff_hops"] = 1 + (
        min((f["xff_hops"] for f in fronting), default=0) if state["xff_passed_on"] else 0
    )


def _mode(state):
    """standalone, chained (every backend is an Istio gateway's), mixed, or unknown (none)."""
    if not state["backend_count"]:
        return "unknown"
    if state["to_gateway_count"] == state["backend_count"]:
        return "chained"
    if state["to_gateway_count"]:
        return "mixed"
    return "standalone"


def _service_routing(state):
    """on, off, partial (some routes), or n/a (no route judged)."""
    judged, on = state["routing"]
    if not judged:
        return "n/a"
    if on == judged:
        return "on"
    return "partial" if on else "off"


def _istio_pod_template(wl, anns):
    """The LB pod template's Istio labels and annotations: what a plan's patch must keep."""
    return {
        "labels": {k: v for k, v in template_labels(wl).items() if "istio" in k},
        "annotations": {
            k: v
            for k, v in anns.items()
            if any(k.startswith(p) for p in ISTIO["pod_annotation_prefixes"])
        },
    }


# Findings that say some route of a sidecar LB leaves in plain text (detect/findings/routing.py).
_NO_MTLS_ON_A_ROUTE = ("MG0003", "MG0020", "MG0021")


def lb_finish(state, istio, findings, keep_routes):
    """A workload LB's result from its state, and its findings that depend on its mode."""
    item = state["item"]
    wl = item["wl"]
    entry = item["entry"]
    anns = state["anns"]
    mode = _mode(state)
    service_routing = _service_routing(state)
    if mode == "chained" or state["ambient"]:
        mtls = True
    else:
        mtls = bool(state["sidecar_intended"] and service_routing == "on")
    result = {
        "id": state["id"],
        "vendor": item["vendor"],
        "vendor_name": entry.get("name"),
        "kind": wl.get("kind"),
        "namespace": namespace_of(wl),
        "name": name_of(wl),
        "role": item["role"],
        "ingress_classes": item.get("classes", []),
        "service": state["service"],
        "host_network": host_network(wl),
        "replicas": (wl.get("spec") or {}).get("replicas"),
        "ready_replicas": workload_readiness(wl)[1],
        "sidecar": state["sidecar"],
        "mode": mode,
        "mtls": mtls,
        "service_routing": service_routing,
        "service_routing_switch": (entry.get("service_routing") or {}).get("switch"),
        "routes": [i for _k, i in sorted(state["route_keys"] or ())],
        "backends": sorted(state["backend_names"]),
        "controllers": state["controllers"],
        # The vendor editions it runs (entry "editions"), which plans consult.
        "editions": workload_editions(wl, entry),
        "evidence": item["evidence"]
        + (["serves classes %s" % ", ".join(item["classes"])] if item.get("classes") else []),
        "gitops": gitops_owner(wl),
        # Who keeps the workload and how we know (detect/owners.py), GitOps tool or not.
        "owner": object_owner(wl),
        "apiVersion": wl.get("apiVersion"),
        # What a plan needs to patch the pod template without clobbering values already there.
        "pod_template": _istio_pod_template(wl, anns),
        "config_map": state["config_map"],
        # Hosts of mesh-bound VirtualServices its namespace sees that our plans did not make.
        "mesh_routes": state["foreign_mesh_routes"],
        # The mesh routes our plans made there: {host: their http routes}.
        "meshgate_routes": state["our_mesh_routes"],
        # The cloud LBs in front of it, and the X-Forwarded-For entries reaching what it sends
        # to: its own and, on the path adding the fewest, theirs (lb_front() sets them).
        "fronted_by": state.get("fronted_by", []),
        "xff_hops": state.get("xff_hops", 1),
        # False: it sends one X-Forwarded-For entry whatever it receives (vendor data "xff").
        "xff_passed_on": state["xff_passed_on"],
    }
    if not keep_routes:
        lists_to_counts(result, state["route_count"])
    before = len(findings)
    finish_lb(state, istio, mode, findings)
    if any(f["code"] in _NO_MTLS_ON_A_ROUTE for f in findings[before:]):
        result["mtls"] = False  # a route's requests leave the sidecar in plain text
    return result
