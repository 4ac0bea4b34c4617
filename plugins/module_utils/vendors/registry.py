# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The vendor registry: every vendor file's entries, in one order, and the lookups over them.

Adding a vendor is adding a file beside this one (its ENTRIES, checked by vendors/schema.py)
and naming it in _FILES, plus its fixtures; nothing else branches on a vendor id.
"""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import (
    apisix,
    aws,
    azure,
    contour,
    emissary,
    envoy_gateway,
    gke,
    haproxy_ingress,
    haproxytech,
    ingress_nginx,
    kong,
    nginx_inc,
    skipper,
    traefik,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import ISTIO

# The order is the catalog's: it breaks ties (the first entry whose controller string matches;
# the first of two workload classifications that score the same).
_FILES = (
    ingress_nginx,
    nginx_inc,
    emissary,
    traefik,
    contour,
    envoy_gateway,
    haproxy_ingress,
    haproxytech,
    kong,
    apisix,
    skipper,
    gke,
    aws,
    azure,
)
VENDORS = [entry for source in _FILES for entry in source.ENTRIES]

VENDOR_IDS = tuple(v["id"] for v in VENDORS)
VENDORS_BY_ID = {v["id"]: v for v in VENDORS}


def vendor(vendor_id):
    """Return the catalog entry for a vendor id (KeyError for unknown ids)."""
    return VENDORS_BY_ID[vendor_id]


def route_entry(entry, route):
    """The catalog entry whose route-level switches apply to a route the LB of ``entry``
    serves: its own, or, for a route of another vendor's class it serves through a provider
    (serves_classes_of; the route's "provider"), that vendor's route switches under this
    vendor's identity: its Ingress switch and Service-routing checks, never its global
    (ConfigMap) switch or Helm values."""
    provider = route.get("provider")
    if not provider:
        return entry
    return _provider_entry(entry["id"], provider)


_PROVIDER_ENTRIES = {}


def _provider_entry(vendor_id, provider):
    key = (vendor_id, provider)
    if key not in _PROVIDER_ENTRIES:  # one object per key: routing_checks() caches by it
        entry = vendor(vendor_id)
        spec = next(s for s in entry["serves_classes_of"] if s["provider"] == provider)
        other = vendor(spec["vendor"])
        own_plan, other_plan = entry.get("plan") or {}, other.get("plan") or {}
        plan = dict(own_plan)
        for key_ in ("switch", "host_rewrite"):
            plan[key_] = [s for s in other_plan.get(key_, ()) if s["on"] == "Ingress"] + [
                s for s in own_plan.get(key_, ()) if s["on"] != "Ingress"
            ]
        routing = {
            k: v for k, v in (other.get("service_routing") or {}).items() if k != "configmap"
        }
        if spec.get("switch"):
            routing["switch"] = spec["switch"]
        _PROVIDER_ENTRIES[key] = dict(
            entry,
            plan=plan,
            service_routing=routing,
            host_rewrite=other.get("host_rewrite") or entry.get("host_rewrite") or {},
        )
    return _PROVIDER_ENTRIES[key]


def _controller_matches(pattern, value):
    if not value:
        return False
    if pattern.endswith("/"):
        return value.startswith(pattern)
    return value == pattern or value.startswith(pattern + "/")


def vendor_for_ingress_controller(controller, extra=None):
    """Vendor id for an IngressClass spec.controller string, or None. ``extra``: {controller
    name: vendor id} the installs in the cluster declare (detect/installs.py), first."""
    if extra and controller in extra:
        return extra[controller]
    for entry in VENDORS:
        for pattern in entry.get("ingress_class_controllers", ()):
            if _controller_matches(pattern, controller):
                return entry["id"]
    return None


def vendor_for_gateway_controller(controller, extra=None):
    """Vendor id for a GatewayClass spec.controllerName, "istio" for Istio, or None; ``extra``
    as for vendor_for_ingress_controller()."""
    if extra and controller in extra:
        return extra[controller]
    for pattern in ISTIO["gateway_class_controllers"]:
        if _controller_matches(pattern, controller):
            return "istio"
    for entry in VENDORS:
        for pattern in entry.get("gateway_class_controllers", ()):
            if _controller_matches(pattern, controller):
                return entry["id"]
    return None


def vendors_for_class_name(class_name):
    """Vendor ids whose conventional class names include class_name (may be several)."""
    if not class_name:
        return []
    return [e["id"] for e in VENDORS if class_name in e.get("class_names", ())]


def vendors_for_annotations(annotations):
    """Vendor ids whose annotation prefixes appear in the given annotations."""
    found = []
    for entry in VENDORS:
        for prefix in entry.get("annotation_prefixes", ()):
            if any(k.startswith(prefix) for k in annotations or {}):
                found.append(entry["id"])
                break
    return found


def route_kind_vendor(group_kind):
    """(vendor id, route spec) for a vendor route kind "group/Kind", or (None, None)."""
    for entry in VENDORS:
        spec = entry.get("route_kinds", {}).get(group_kind)
        if spec:
            return entry["id"], spec
    return None, None


def route_kinds():
    """All vendor route kinds as {"group/Kind": vendor id}."""
    out = {}
    for entry in VENDORS:
        for gk in entry.get("route_kinds", {}):
            out[gk] = entry["id"]
    return out


def vendor_kinds():
    """Every kind a vendor entry declares, as {(group, kind): {"plural", "read", "patched",
    "creates"}}: its route kinds (always read) and its other kinds ("kinds"), in registry order."""
    out = {}
    for entry in VENDORS:
        declared = [
            (gk, dict(spec, read=True)) for gk, spec in entry.get("route_kinds", {}).items()
        ]
        declared += list(entry.get("kinds", {}).items())
        for gk, spec in declared:
            group, kind = gk.split("/", 1)
            out.setdefault(
                (group, kind),
                {
                    "plural": spec["plural"],
                    "read": bool(spec.get("read")),
                    "patched": bool(spec.get("patched")),
                    "creates": bool(spec.get("creates")),
                },
            )
    return out


def configmap_keys():
    """The ConfigMap keys some vendor entry reads (its Service-routing switch, its shutdown
    settings, its mounted install config, what it does with X-Forwarded-For): what a live read
    keeps of ConfigMaps."""
    keys = []
    for entry in VENDORS:
        switch = (entry.get("service_routing") or {}).get("configmap")
        found = [switch["key"]] if switch else []
        found += [f["key"] for f in (entry.get("shutdown") or {}).get("flags", ()) if f.get("key")]
        found += [c["key"] for c in entry.get("install_config", ())]
        found += sorted(((entry.get("xff") or {}).get("appends_when") or {}).get("configmap") or {})
        keys += [k for k in found if k not in keys]
    return tuple(keys)
