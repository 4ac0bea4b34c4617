# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Route records: one per Ingress, Gateway API route or Gateway, vendor route kind and Istio
VirtualService bound to a gateway, in a stable order."""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.backends import (
    gateway_api_backends,
    ingress_backends,
    route_backends,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.classes import (
    gateway_class_controllers,
    gateway_class_vendor,
    resolve_ingress_vendor,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import jp
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.index import OLD_GATEWAY_API
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    annotations_of,
    name_of,
    namespace_of,
    obj_id,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.owners import object_owner
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import group_of
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.reported import (
    reported_annotations,
)

# Route kinds in the order detection collects them. The order only breaks ties between
# routes of the same namespace, kind and name (HTTPRoute exists in both Gateway API groups,
# VirtualService in Istio and Gloo): routes are sorted by (namespace, kind, name, rank).
ROUTE_KINDS = (
    (
        ("networking.k8s.io", "Ingress"),
        ("gateway.networking.k8s.io", "Gateway"),
        (OLD_GATEWAY_API, "Gateway"),
    )
    + tuple(
        ("gateway.networking.k8s.io", k) for k in ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute")
    )
    + ((OLD_GATEWAY_API, "HTTPRoute"),)
    + tuple(tuple(gk.split("/", 1)) for gk in sorted(registry.route_kinds()))
    + (("networking.istio.io", "VirtualService"),)
)


_ROUTE_RANK = {gk: i for i, gk in enumerate(ROUTE_KINDS)}


# The route kinds judged a page at a time (live, LISTed as detection goes): all but the Gateways,
# which the other kinds' routes attach to, so they are read with the rest of the cluster.
STREAMED_ROUTE_KINDS = tuple(gk for gk in ROUTE_KINDS if gk[1] != "Gateway")


def route_context(idx, classes, gclasses, lb_classes):
    """What judging a route of any kind needs from the rest of the cluster."""
    gateways = {}
    old_gateways = []
    for gw in idx.kind("gateway.networking.k8s.io", "Gateway") + idx.kind(
        OLD_GATEWAY_API, "Gateway"
    ):
        klass = (gw.get("spec") or {}).get("gatewayClassName")
        if group_of(gw.get("apiVersion")) == OLD_GATEWAY_API:
            old_gateways.append(gw)
        gateways[(namespace_of(gw), name_of(gw))] = gateway_class_vendor(klass, gclasses) + (klass,)
    return {
        "idx": idx,
        "classes": classes,
        "gclasses": gclasses,
        "gclass_controllers": gateway_class_controllers(idx),
        "lb_classes": lb_classes,
        "gateways": gateways,
        "old_gateways": old_gateways,
    }


def routes_of(ctx, group, kind, objects):
    """Route records for some objects of one route kind (a page of them, or all)."""
    rank = _ROUTE_RANK[(group, kind)]
    if (group, kind) == ("networking.k8s.io", "Ingress"):
        make = _ingress_route
    elif kind == "Gateway":
        make = _gateway_route
    elif group == "gateway.networking.k8s.io":
        make = _gateway_api_route
    elif group == OLD_GATEWAY_API:
        make = _old_gateway_api_route
    elif (group, kind) == ("networking.istio.io", "VirtualService"):
        make = _virtual_service_route
    else:
        gk = "%s/%s" % (group, kind)
        vendor, spec = registry.route_kind_vendor(gk)

        def make(ctx, obj):
            raw = jp(spec["backends"], obj) or []
            hosts = [h for h in (jp(spec.get("hosts", "[]"), obj) or []) if isinstance(h, str)]
            if spec.get("hosts_pattern"):
                hosts = _hosts_in(spec["hosts_pattern"], hosts)
            klass = jp(spec["ingress_class"], obj) if spec.get("ingress_class") else None
            served = Served(
                vendor,
                False,
                [],
                klass if isinstance(klass, str) and klass else None,
                "kind %s" % gk,
            )
            return route_record(obj, served, hosts, route_backends(obj, raw))

    routes = []
    for obj in objects:
        route = make(ctx, obj)
        if route is not None:
            route["_key"] = (route["namespace"] or "", route["kind"], route["name"] or "", rank)
            routes.append(route)
    return routes


def _ingress_route(ctx, ing):
    vendor, inferred, candidates, klass, why = resolve_ingress_vendor(
        ctx["idx"], ing, ctx["classes"], ctx["lb_classes"]
    )
    hosts = [r.get("host") for r in (ing.get("spec") or {}).get("rules") or () if r.get("host")]
    served = Served(vendor, inferred, candidates, klass, why)
    return route_record(ing, served, hosts, route_backends(ing, ingress_backends(ing)))


def _gateway_route(ctx, gw):
    klass = (gw.get("spec") or {}).get("gatewayClassName")
    vendor, inferred = gateway_class_vendor(klass, ctx["gclasses"])
    hosts = [
        ls.get("hostname")
        for ls in (gw.get("spec") or {}).get("listeners") or ()
        if ls.get("hostname")
    ]
    route = route_record(
        gw, Served(vendor, inferred, [], klass, "GatewayClass %s" % klass), hosts, []
    )
    # Its class's controller name: which install of the vendor serves it (while detecting).
    route["_controllers"] = [ctx["gclass_controllers"].get(klass)]
    return route


def _gateway_api_route(ctx, rt):
    vendors = []
    parents = []
    for p in (rt.get("spec") or {}).get("parentRefs") or ():
        if (p.get("kind") or "Gateway") != "Gateway":
            continue
        key = (p.get("namespace") or namespace_of(rt), p.get("name"))
        parents.append("%s/%s" % key)
        if key in ctx["gateways"]:
            vendors.append(ctx["gateways"][key])
    vendor = vendors[0][0] if vendors else None
    inferred = vendors[0][1] if vendors else False
    klass = vendors[0][2] if vendors else None
    why = "parent Gateway %s" % ", ".join(parents) if parents else None
    route = route_record(
        rt,
        Served(vendor, inferred, [], klass, why),
        (rt.get("spec") or {}).get("hostnames") or [],
        route_backends(rt, gateway_api_backends(rt)),
    )
    route["parents"] = parents
    route["_controllers"] = [ctx["gclass_controllers"].get(v[2]) for v in vendors]
    return route


def _old_gateway_api_route(ctx, rt):
    """Gateway API v1alpha1 (networking.x-k8s.io): Gateways select routes, routes use
    forwardTo."""
    parents = [
        gw
        for gw in ctx["old_gateways"]
        if any(
            (ls.get("routes") or {}).get("kind", "HTTPRoute") == "HTTPRoute"
            and (
                ((ls.get("routes") or {}).get("namespaces") or {}).get("from") == "All"
                or namespace_of(gw) == namespace_of(rt)
            )
            for ls in (gw.get("spec") or {}).get("listeners") or ()
        )
    ]
    raw = [
        {"service": f.get("serviceName"), "port": f.get("port")}
        for rule in (rt.get("spec") or {}).get("rules") or ()
        for f in rule.get("forwardTo") or ()
        if f.get("serviceName")
    ]
    first = (
        ctx["gateways"].get((namespace_of(parents[0]), name_of(parents[0]))) if parents else None
    )
    why = (
        "selected by Gateway %s"
        % ", ".join("%s/%s" % (namespace_of(g), name_of(g)) for g in parents)
        if parents
        else None
    )
    served = (
        Served(first[0], first[1], [], first[2], why)
        if first
        else Served(None, False, [], None, why)
    )
    route = route_record(
        rt, served, (rt.get("spec") or {}).get("hostnames") or [], route_backends(rt, raw)
    )
    route["parents"] = ["%s/%s" % (namespace_of(g), name_of(g)) for g in parents]
    return route


def _virtual_service_route(ctx, vs):
    spec = vs.get("spec") or {}
    gws = [g for g in spec.get("gateways") or () if g != "mesh"]
    if not gws:
        return None  # a mesh-internal VirtualService is not a route into the mesh
    raw = []
    for section in ("http", "tls", "tcp"):
        for r in spec.get(section) or ():
            for d in r.get("route") or ():
                dest = d.get("destination") or {}
                port = (dest.get("port") or {}).get("number")
                raw.append({"service": dest.get("host"), "port": port})
    route = route_record(
        vs,
        Served("istio", False, [], None, "Istio VirtualService"),
        spec.get("hosts") or [],
        route_backends(vs, raw),
    )
    route["parents"] = gws
    return route


class Served(NamedTuple):
    """Who serves a route and how we know (detect/classes.py resolve_ingress_vendor() gives the
    same five for an Ingress)."""

    vendor: Optional[str]
    inferred: bool  # from a convention (class name, annotations), not a controller object
    candidates: list  # the vendors it may be, when it cannot be told
    klass: Optional[str]  # its class (IngressClass or GatewayClass name)
    evidence: Optional[str]


# A host quoted inside a match rule's argument list.
_QUOTED = re.compile(r"[`\"]([^`\"]+)[`\"]")


def _hosts_in(pattern, texts):
    """The hosts a route kind's hosts_pattern finds in its match rules, first seen first."""
    found = []
    for text in texts:
        for args in re.findall(pattern, text):
            found += [h for h in _QUOTED.findall(args) if h not in found]
    return found


def route_record(obj, served, hosts, backends):
    """The route record (detect/records.py Route) of one object."""
    vendor, inferred, candidates, klass, why = served
    out = {
        "id": obj_id(obj),
        "apiVersion": obj.get("apiVersion"),
        "kind": obj.get("kind"),
        "namespace": namespace_of(obj),
        "name": name_of(obj),
        "vendor": vendor,
        "vendor_inferred": bool(inferred and vendor),
        "class": klass,
        "hosts": sorted(set(hosts)),
        "backends": backends,
        "served_by": [],
    }
    if candidates:
        out["vendor_candidates"] = sorted(candidates)
    if why:
        out["vendor_evidence"] = why
    anns = reported_annotations(annotations_of(obj))
    if anns:
        out["annotations"] = anns
    managers = (obj.get("metadata") or {}).get("managers")
    if managers:
        out["managers"] = managers
    spec_owners = (obj.get("metadata") or {}).get("spec_owners")
    if spec_owners:
        out["spec_owners"] = spec_owners
    # Who keeps the route: a plan's change to it belongs in that owner's source (plan/gitops.py).
    out["owner"] = object_owner(obj)
    if obj.get("kind") == "Ingress":
        out["rules"] = _ingress_rules(obj)
    else:
        _vid, spec = registry.route_kind_vendor(
            "%s/%s" % (group_of(obj.get("apiVersion")), obj.get("kind"))
        )
        if spec and spec.get("plan_fields"):
            # Atomic lists a plan must send whole (server-side apply replaces them).
            out["spec"] = {f: (obj.get("spec") or {}).get(f) for f in spec["plan_fields"]}
    out["_obj"] = obj
    return out


def _ingress_rules(ing):
    """Ingress spec reduced to what re-pointing needs (spec.rules is an atomic list)."""
    spec = ing.get("spec") or {}
    out = {"rules": []}
    for rule in spec.get("rules") or ():
        if not rule.get("http"):
            out["unsupported"] = "a rule without http paths"
        paths = []
        for p in ((rule.get("http") or {}).get("paths")) or ():
            svc = (p.get("backend") or {}).get("service") or {}
            port = svc.get("port") or {}
            if (p.get("backend") or {}).get("resource"):
                out["unsupported"] = "a resource backend"
            paths.append(
                {
                    "path": p.get("path"),
                    "pathType": p.get("pathType"),
                    "service": svc.get("name") or (p.get("backend") or {}).get("serviceName"),
                    "port": (
                        port.get("number", port.get("name"))
                        if port
                        else (p.get("backend") or {}).get("servicePort")
                    ),
                }
            )
        out["rules"].append({"host": rule.get("host"), "paths": paths})
    default = spec.get("defaultBackend") or spec.get("backend")
    if default:
        svc = default.get("service") or {}
        port = svc.get("port") or {}
        out["default_backend"] = {
            "service": svc.get("name") or default.get("serviceName"),
            "port": port.get("number", port.get("name")) if port else default.get("servicePort"),
        }
    if spec.get("tls"):
        out["tls"] = spec["tls"]
    return out


def route_sort_key(route):
    return route["_key"]


def route_ref(route):
    out = {"apiVersion": route["apiVersion"], "kind": route["kind"], "name": route["name"]}
    if route["namespace"]:
        out["namespace"] = route["namespace"]
    return out
