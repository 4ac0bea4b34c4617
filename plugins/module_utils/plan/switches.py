# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Service routing (standalone_mtls): make a load balancer send to Service VIPs, or the Service
host, instead of pod IPs, per its catalog entry ("plan" switch and host_rewrite): a global
ConfigMap switch, annotations on the route or the backend Service, a field of a route list, an
EnvoyProxy with routingType Service, or a Host-header rewrite. atomic_risk describes applying a
whole atomic list that other field managers may own (chained uses it too)."""

from __future__ import annotations

import copy

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.builder import FIELD_MANAGER
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.envoyproxy import (
    envoyproxy_routing,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.gitops import (
    gitops_alternative,
    gitops_service_routing,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    meta,
    patch_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import LB_DOC
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.registry import route_entry

# What a Host rewrite costs: said in each of its patches' risk, and once as a warning.
_HOST_REWRITE_CAVEAT = "the LB still picks a pod but Istio ignores that choice and routes by Host; the application sees the Service FQDN as Host"


# How a route is sent once a plan is applied: to the Service VIP with the client's Host, to the
# VIP with a Host naming the Service, to a pod IP with that Host, or to a pod IP as before.
SENT = ("service", "service-rewrite", "pod-rewrite", "pod")


def service_routing_patches(b, lb, entry, routes, phase, rewrite_host=True):
    """Plans each route's Service routing; returns how each route will be sent once the plan is
    applied, which mesh_routes.py builds on: {route id: one of SENT}. rewrite_host=False: no
    Host rewrites (ambient: ztunnel's mTLS does not depend on the Host, and a rewrite would
    only change what the application sees)."""
    plan_spec = entry.get("plan") or {}
    svc_by = {}
    sent = {}
    for r in routes:
        sent[r["id"]] = _planned_routing(
            b, lb, route_entry(entry, r), r, phase, (svc_by, rewrite_host)
        )
    if plan_spec.get("default_service_routing"):
        b.warn(plan_spec["default_service_routing"])
    if any(
        not r.get("service_routing")
        and not r.get("provider")  # the chart's switch is its own providers', not these
        and sent[r["id"]] in ("service", "service-rewrite")
        for r in routes
    ):
        gitops_service_routing(b, lb, entry)
    return sent


def _planned_routing(b, lb, entry, r, phase, how):
    """One route's Service routing, planned; how it will be sent (service_routing_patches).
    how: (the Services already annotated for this LB, whether Host rewrites are wanted)."""
    svc_by, rewrite_host = how
    plan_spec = entry.get("plan") or {}
    if r.get("host_rewrite"):
        return "service-rewrite" if r.get("service_routing") else "pod-rewrite"
    if r.get("service_routing") or plan_spec.get("default_service_routing"):
        return "service"
    kind = r["kind"]
    if (
        b.opts["global_switch"]
        and plan_spec.get("global_switch") == "configmap"
        and lb.get("config_map")
    ):
        _apply_global_switch(b, lb, entry, phase)
        return "service"
    switch = next((s for s in plan_spec.get("switch", ()) if s["on"] in (kind, "*")), None)
    if switch:
        if not rewrite_host:
            switch = {k: v for k, v in switch.items() if k != "host_annotation"}
        _apply_switch(b, lb, r, switch, phase, svc_by)
        if switch.get("host_annotation") and len(_backend_fqdns(r)) == 1:
            return "service-rewrite"
        return "service"
    rewrite = next((s for s in plan_spec.get("host_rewrite", ()) if s["on"] in (kind, "*")), None)
    if rewrite and rewrite_host:
        # A vendor with a Host rewrite but no Service-routing switch still dials the pod.
        return "pod-rewrite" if _apply_host_rewrite(b, lb, r, rewrite, phase) else "pod"
    b.warn(
        "%s %s/%s (%s): no Service-routing switch for this kind; use mode chained for it"
        % (kind, r["namespace"], r["name"], lb["vendor"])
    )
    return "pod"


def _apply_global_switch(b, lb, entry, phase):
    """The LB's ConfigMap key that routes every route to Service VIPs (option global_switch)."""
    cm = lb["config_map"]
    target = patch_target("v1", "ConfigMap", cm["name"], cm["namespace"])
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(target),
        "data": {cm["key"]: cm["value"]},
    }
    b.patch(
        phase,
        target,
        manifest,
        "global Service routing for %s (%s: %s)" % (lb["id"], cm["key"], cm["value"]),
        LB_DOC,
        {
            "restart": False,
            "traffic": "the controller reloads; every route now targets Service VIPs",
        },
        {
            "action": "remove-fields",
            "fields": ["data.%s" % cm["key"]],
            "restore": {"data.%s" % cm["key"]: cm["current"]} if "current" in cm else {},
        },
        owner=lb.get("owner") or lb.get("gitops"),
    )
    gitops_alternative(b, lb, entry, manifest, {"config": {cm["key"]: cm["value"]}})


def _apply_switch(b, lb, r, switch, phase, svc_by):
    """Turns the route's Service routing on where its entry's switch says (switch["target"])."""
    target_kind = switch["target"]
    if target_kind == "route":
        _annotate_route(b, lb, r, switch, phase)
    elif target_kind == "backend_service":
        _annotate_backend_services(b, lb, r, switch, phase, svc_by)
    elif target_kind in ("route_list", "route_nested"):
        _set_on_route_list(b, lb, r, switch, phase)
    elif target_kind == "envoyproxy":
        envoyproxy_routing(b, lb, switch, phase)


def _service_vip_risk():
    return {
        "restart": False,
        "traffic": "the controller reloads; this route now targets the Service VIP (sticky sessions and per-endpoint balancing stop applying)",
    }


def _annotate_route(b, lb, r, switch, phase):
    """The switch's annotations on the route itself, those it does not carry already."""
    current = r.get("annotations") or {}
    wanted = dict(switch["annotations"])
    if switch.get("host_annotation"):
        wanted.update(_upstream_host_annotation(b, r, switch["host_annotation"]))
    anns = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not anns:
        return
    target, manifest = _route_object(r, annotations=anns)
    restore = {"metadata.annotations.%s" % k: current[k] for k in anns if k in current}
    b.patch(
        phase,
        target,
        manifest,
        "Service routing for %s (served by %s)" % (r["id"], lb["id"]),
        LB_DOC,
        _service_vip_risk(),
        {
            "action": "remove-fields",
            "fields": ["metadata.annotations.%s" % k for k in sorted(anns)],
            "restore": restore,
        },
    )


def _upstream_host_annotation(b, r, key):
    """The upstream Host annotation, so the sidecar recognises the Service: possible only when
    the route sends to one Service (warns what it costs the application, or why not)."""
    fqdns = _backend_fqdns(r)
    if len(fqdns) == 1:
        b.warn(
            "%s: the upstream Host becomes %s so the sidecar recognises the Service; the "
            "application sees that Host (an Istio VirtualService can put the original back)"
            % (r["id"], fqdns[0])
        )
        return {key: fqdns[0]}
    if fqdns:
        b.warn(
            "%s sends to %d Services: one Host rewrite cannot fit them all; split it per Service "
            "or use mode chained" % (r["id"], len(fqdns))
        )
    return {}


def _annotate_backend_services(b, lb, r, switch, phase, svc_by):
    """The switch's annotations on each backend Service found, once per Service (svc_by holds
    the Services already annotated for this LB)."""
    for be in r.get("backends") or ():
        if not be.get("found"):
            continue
        key = (be["namespace"], be["service"])
        if key in svc_by:
            continue
        svc_by[key] = True
        target = patch_target("v1", "Service", be["service"], be["namespace"])
        manifest = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(target, annotations=switch["annotations"]),
        }
        b.patch(
            phase,
            target,
            manifest,
            "Service routing to %s/%s for %s" % (be["namespace"], be["service"], lb["id"]),
            LB_DOC,
            _service_vip_risk(),
            {
                "action": "remove-fields",
                "fields": ["metadata.annotations.%s" % k for k in sorted(switch["annotations"])],
            },
        )


def _set_on_route_list(b, lb, r, switch, phase):
    """The switch's values set on every item of the route's list field (route_list), or on
    every item of each item's nested list (route_nested): the whole atomic list is applied."""
    field = switch["field"]
    spec = _route_list(b, r, field, "Service routing")
    if not spec:
        return
    new = copy.deepcopy(spec)
    items = (
        new
        if switch["target"] == "route_list"
        else [s for item in new for s in (item.get(switch["nested"]) or [])]
    )
    for item in items:
        item.update(switch["set"])
    target, manifest = _route_object(r, spec={field: new})
    b.patch(
        phase,
        target,
        manifest,
        "Service routing for %s (%s)"
        % (r["id"], ", ".join("%s: %s" % kv for kv in switch["set"].items())),
        LB_DOC,
        atomic_risk(_service_vip_risk(), r, "spec.%s" % field),
        _restore_route_list(field, spec),
    )


def atomic_risk(risk, route, field):
    """Risk of applying a whole atomic list that other field managers own."""
    out = dict(risk, note="%s is an atomic list: the whole list is applied" % field)
    top = field.split(".")[1]
    owners = (route.get("spec_owners") or {}).get(top, route.get("managers") or ())
    others = [m for m in owners if m != FIELD_MANAGER]
    if others:
        out["conflicts_with"] = others
        out["note"] += (
            "; it is owned by %s, so applying needs force_conflicts (or make the change through that owner)"
            % ", ".join(others)
        )
    return out


def _apply_host_rewrite(b, lb, r, rewrite, phase):
    """Sets the Host header to the backend Service's FQDN where the entry's host_rewrite says
    (a vendor without a Service-routing switch); once planned, warns what that costs."""
    rewrite_host = _HOST_REWRITES.get(rewrite["target"])
    if rewrite_host is not None and not rewrite_host(b, lb, r, rewrite, phase):
        return False  # it warned why the route cannot be rewritten
    b.warn("Host-header rewrite for %s: %s" % (lb["vendor"], _HOST_REWRITE_CAVEAT))
    return True


def _rewrite_host_annotation(b, lb, r, rewrite, phase):
    """The rewrite's annotation on the route, naming its one backend Service; False when the
    route does not send to exactly one."""
    fqdns = _backend_fqdns(r)
    if len(fqdns) != 1:
        b.warn(
            "%s: Host rewrite needs exactly one backend Service (found %d); use mode chained for it"
            % (r["id"], len(fqdns))
        )
        return False
    target, manifest = _route_object(r, annotations={rewrite["annotation"]: fqdns[0]})
    b.patch(
        phase,
        target,
        manifest,
        "Host header set to %s for %s (%s has no Service-routing switch)"
        % (fqdns[0], r["id"], lb["vendor"]),
        LB_DOC,
        {"restart": False, "traffic": _HOST_REWRITE_CAVEAT},
        {
            "action": "remove-fields",
            "fields": ["metadata.annotations.%s" % rewrite["annotation"]],
        },
    )
    return True


def _rewrite_host_headers(b, lb, r, rewrite, phase):
    """A Host request header on each item of the route's list field (the whole atomic list is
    applied); False when the list is not in the facts."""
    field = rewrite["field"]
    spec = _route_list(b, r, field, "the Host rewrite")
    if not spec:
        return False
    new = copy.deepcopy(spec)
    for item in new:
        _set_host_header(b, r, item)
    target, manifest = _route_object(r, spec={field: new})
    b.patch(
        phase,
        target,
        manifest,
        "Host header set to the Service FQDN on %s (%s has no Service-routing switch)"
        % (r["id"], lb["vendor"]),
        LB_DOC,
        atomic_risk({"restart": False, "traffic": _HOST_REWRITE_CAVEAT}, r, "spec.%s" % field),
        _restore_route_list(field, spec),
    )
    return True


# How each host_rewrite target (vendors/schema.py HOST_REWRITE_TARGETS) is written.
_HOST_REWRITES = {
    "route_annotation": _rewrite_host_annotation,
    "route_nested_header": _rewrite_host_headers,
}


def _set_host_header(b, r, item):
    """Sets one list item's Host header to the FQDN of its one Service, replacing any Host it
    sets already; an item with several Services is left as is (one Host cannot fit them)."""
    services = item.get("services") or []
    if len(services) != 1:
        b.warn(
            "%s: a route with %d services cannot get one Host; left as is"
            % (r["id"], len(services))
        )
        return
    fqdn = "%s.%s.svc.%s" % (services[0]["name"], r["namespace"], b.opts["cluster_domain"])
    policy = item.setdefault("requestHeadersPolicy", {})
    policy["set"] = [h for h in policy.get("set") or [] if h.get("name", "").lower() != "host"] + [
        {"name": "Host", "value": fqdn}
    ]


def _backend_fqdns(r):
    """The distinct FQDNs of the route's backend Services, sorted."""
    return sorted({be.get("fqdn") for be in r.get("backends") or () if be.get("fqdn")})


def _route_list(b, r, field, planned):
    """The route's list `field` as the facts hold it; when it is missing or empty, warns that
    what is `planned` cannot be."""
    spec = (r.get("spec") or {}).get(field)
    if not spec:
        b.warn("%s: its %s list is not in the facts; cannot plan %s" % (r["id"], field, planned))
    return spec


def _route_object(r, annotations=None, spec=None):
    """The route's patch target and a manifest of it carrying these annotations, this spec."""
    target = patch_target(r["apiVersion"], r["kind"], r["name"], r["namespace"])
    manifest = {
        "apiVersion": r["apiVersion"],
        "kind": r["kind"],
        "metadata": meta(target, annotations=annotations),
    }
    if spec is not None:
        manifest["spec"] = spec
    return target, manifest


def _restore_route_list(field, spec):
    """Undo of a whole atomic list applied: the list as it was."""
    return {
        "action": "restore-field",
        "fields": ["spec.%s" % field],
        "restore": {"spec.%s" % field: spec},
    }
