# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Service routing and Host rewrite per route: is the vendor's switch on (route, backend
Services, the LB's arguments or ConfigMap)?"""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.classes import (
    gateway_vendor,
    parameters_in_use,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import jp
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    containers_of,
    template_labels,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.workloads import (
    configmap_switch,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import group_of
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.switches import (
    routing_checks,
)


def _eval_any(exprs, obj):
    return any(bool(jp(e, obj)) for e in exprs or ())


def route_service_routing(idx, route, entry, wl=None):
    """True / False / None (vendor has no switch or nothing to evaluate) for one route."""
    sr = routing_checks(entry)["service_routing"]
    obj = route["_obj"]
    if (
        obj.get("kind") in ("Gateway",)
        and group_of(obj.get("apiVersion")) == "gateway.networking.k8s.io"
    ):
        return None
    if sr.get("cluster") or sr.get("parameters"):
        for spec in sr.get("cluster") or ():
            gk, expr = spec.split(":", 1)
            group, kind = gk.split("/", 1)
            if any(jp(expr, o) for o in idx.kind(group, kind)):
                return True
        if sr.get("parameters"):
            # The parameters each of its parent Gateways (of the route's vendor) uses: the one
            # whose data plane wl is, when its pods name their Gateway (entry "owner_label").
            owner = (
                template_labels(wl).get(entry["owner_label"])
                if wl is not None and entry.get("owner_label")
                else None
            )
            used = [
                parameters_in_use(idx, p)
                for p in route.get("parents") or ()
                if gateway_vendor(idx, p) == route["vendor"]
                and (owner is None or p.split("/", 1)[-1] == owner)
            ]
            if used and all(_eval_any(sr["parameters"], {"spec": s or {}}) for s in used):
                return True
        return sr.get("default", False)
    if _eval_any(sr.get("route"), obj):
        return True
    if wl is not None and workload_switch_on(idx, wl, entry):
        return True
    if sr.get("backend_service") and route["backends"]:
        svcs = [idx.get("", "Service", b["namespace"], b["service"]) for b in route["backends"]]
        if all(s is not None and _eval_any(sr["backend_service"], s) for s in svcs):
            return True
    if sr.get("switch") is None and "switch" in sr:
        return None
    return bool(sr.get("default", False))


def workload_switch_on(idx, wl, entry):
    """Does the LB itself turn Service routing on for every route (its arguments, or the key in
    its ConfigMap)? The same answer for all the routes it serves: worked out once per LB."""
    key = ("workload-switch", id(wl), id(entry))  # a provider's entry has the vendor's id
    if key not in idx._cache:
        sr = routing_checks(entry)["service_routing"]
        idx._cache[key] = bool(
            _eval_any(sr.get("workload"), {"args": _all_args(wl)})
            or configmap_switch(idx, wl, entry)
        )
    return idx._cache[key]


def route_host_rewrite(idx, route, entry):
    hr = routing_checks(entry)["host_rewrite"]
    if _eval_any(hr.get("route"), route["_obj"]):
        return True
    if hr.get("backend_service") and route["backends"]:
        svcs = [idx.get("", "Service", b["namespace"], b["service"]) for b in route["backends"]]
        return all(s is not None and _eval_any(hr["backend_service"], s) for s in svcs)
    return False


def _all_args(wl):
    out = []
    for c in containers_of(wl, init=False):
        out += [str(a).lower() for a in (c.get("args") or [])]
    return out
