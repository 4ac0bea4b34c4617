# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""detect() and detect_summary(): plain Kubernetes objects in, a compact inventory + findings out.

Pure functions over dicts. The same code serves live clusters (objects reduced page by page
by read/reduce.py), offline snapshots and filters. Vendor knowledge comes from the catalog;
finding texts from detect/findings/messages.py."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.backends import (
    annotate_backends,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.classes import (
    gateway_class_parameters,
    gateway_classes,
    gateway_parameters,
    ingress_classes,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.cloud import (
    cloud_finish,
    cloud_start,
    cloud_take_routes,
    fronted_by,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    sort_findings,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rules import (
    run_cluster,
    run_route_page,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.index import (
    OLD_GATEWAY_API,
    Index,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.installs import (
    install_controllers,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import istio_inventory
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.load_balancers import (
    lb_finish,
    lb_front,
    lb_start,
    lb_take_routes,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    name_of,
    namespace_of,
    obj_id,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.routes import (
    STREAMED_ROUTE_KINDS,
    route_context,
    route_sort_key,
    routes_of,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.workloads import (
    class_args,
    provider_classes,
    workload_lbs,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import PATCHED_KINDS

DEFAULT_OPTIONS = {"cluster_domain": "cluster.local", "namespaces": None, "vendors": None}


MODES = ("standalone", "chained", "mixed", "unknown")


def detect(objects, options=None, route_pages=None):
    """Detect LBs, routes and Istio from plain objects, and diagnose them.

    Returns {"load_balancers", "routes", "istio", "findings", "summary"}; deterministic.
    ``route_pages(group, kind)``: where the objects of STREAMED_ROUTE_KINDS come from, a list
    of (reduced) objects at a time, when the index does not hold them (a live read passes its
    paginated LISTs, so the route objects are never all in memory; their route records are).
    The answer does not depend on how the routes are paged.
    """
    idx = objects if isinstance(objects, Index) else Index(objects)
    return _detect(idx, route_pages or _index_pages(idx), options, keep_routes=True)


def detect_summary(objects, options=None, route_pages=None):
    """``summarize(detect(objects))`` without ever holding every route.

    Routes are judged a page at a time and only what the summary reports is kept per load
    balancer (counts, the backend names, the findings), so memory grows with the cluster's
    workloads and Services, not with its routes. ``route_pages`` as for detect(); without it
    the index's own route objects are judged 500 at a time.
    """
    idx = objects if isinstance(objects, Index) else Index(objects)
    return _detect(idx, route_pages or _index_pages(idx, 500), options, keep_routes=False)


def _index_pages(idx, size=None):
    def pages(group, kind):
        items = idx.kind(group, kind)
        step = size or len(items) or 1
        for start in range(0, len(items), step):
            yield items[start : start + step]

    return pages


def _detect(idx, route_pages, options, keep_routes):
    opts = dict(DEFAULT_OPTIONS)
    opts.update({k: v for k, v in (options or {}).items() if v is not None})
    istio = istio_inventory(idx)
    wl_lbs, controllers = workload_lbs(idx, istio)
    # Controller names the installs' own configs declare (a second install's).
    extra = install_controllers(wl_lbs + controllers)
    classes = ingress_classes(idx, extra)
    lb_classes = _lb_classes(wl_lbs + controllers, classes)
    _claim_classes(wl_lbs, classes)
    # Scope filters apply to what is reported; linking sees everything (routes keep their
    # served_by whatever the scope).
    in_scope = _Scope(opts)
    ctx = route_context(idx, classes, gateway_classes(idx, extra), lb_classes)
    # The Gateways come first: routes of the other kinds attach to them.
    gateway_routes = routes_of(
        ctx,
        "gateway.networking.k8s.io",
        "Gateway",
        idx.kind("gateway.networking.k8s.io", "Gateway"),
    ) + routes_of(ctx, OLD_GATEWAY_API, "Gateway", idx.kind(OLD_GATEWAY_API, "Gateway"))
    findings = []
    judge = _RouteJudge(idx, istio, opts, _gateway_services(istio, gateway_routes), in_scope)
    judge.lb_states = [
        lb_start(idx, item, istio, controllers, findings, keep_routes) for item in wl_lbs
    ]
    judge.cloud, judge.findings = cloud_start(wl_lbs, controllers, findings), findings
    judge.keep_routes = keep_routes
    judge(gateway_routes)
    for group, kind in STREAMED_ROUTE_KINDS:
        for page in route_pages(group, kind):
            judge(routes_of(ctx, group, kind, page))

    for state in judge.lb_states:
        lb_front(state, fronted_by(judge.cloud, state["services"]))
    load_balancers = [lb_finish(state, istio, findings, keep_routes) for state in judge.lb_states]
    load_balancers += cloud_finish(idx, judge.cloud, istio, keep_routes)
    run_cluster(idx, istio, load_balancers, findings)

    load_balancers = [lb for lb in load_balancers if in_scope(lb["namespace"], lb["vendor"])]
    load_balancers.sort(key=lambda lb: (lb["namespace"] or "", lb["kind"], lb["name"] or ""))
    findings = sort_findings([f for f in findings if in_scope.finding(f)])
    kept = sorted(judge.kept, key=route_sort_key)
    for r in kept:
        del r["_key"]
    lb_ids = {lb["id"] for lb in load_balancers}
    out = {
        "detail": "full" if keep_routes else "summary",
        "cluster_facts": _cluster_facts(idx, istio, extra),
        "load_balancers": load_balancers,
        "controllers": _controller_list(controllers, lb_ids, in_scope),
        "routes": kept,
        "istio": {k: v for k, v in istio.items() if not k.startswith("_")},
        "findings": findings,
        "summary": _summary(load_balancers, findings, judge.routes_in_scope),
    }
    if not keep_routes:
        del out["routes"]
    return out


def _lb_classes(items, classes):
    """{class name: [vendors]} the detected LBs serve (from their args, their install config and
    IngressClasses); each item's ``classes`` (and, when its install config says, its
    ``gateway_controllers``: the GatewayClass controller names it serves) is set on the way."""
    lb_classes = {}
    # A data plane serves the classes its control plane in its namespace is told (Contour's
    # Envoy: the contour Deployment's --ingress-class-name; APISIX: the ingress controller's
    # config.yaml).
    told = {}
    for item in items:
        if item["role"] == "control-plane":
            args, gateway = _told(item)
            if args["ingress_class"] or args["controller_class"] or gateway is not None:
                told.setdefault((item["vendor"], namespace_of(item["wl"])), (args, gateway, item))
    for item in items:
        args, gateway = _told(item)
        plane = told.get((item["vendor"], namespace_of(item["wl"])))
        if (
            item["role"] == "data-plane"
            and plane
            and not (args["ingress_class"] or args["controller_class"] or gateway is not None)
        ):
            args, gateway = plane[0], plane[1]
            item["evidence"] = item["evidence"] + [
                "its control plane's: %s" % e for e in plane[2]["install"]["evidence"]
            ]
        item["gateway_controllers"] = gateway
        flagged = set(args["ingress_class"])
        names = set(flagged)
        ctrl = args["controller_class"]
        for name, c in classes.items():
            if c["vendor"] != item["vendor"]:
                continue
            # Its controller class flag picks its IngressClasses; else its class flag names
            # them; else it serves every IngressClass of its vendor.
            if (ctrl and c["controller"] in ctrl) or (not ctrl and not flagged):
                names.add(name)
        claimed = provider_classes(item["wl"], item["entry"], classes)
        item["provider_classes"] = {n: spec["provider"] for n, spec in claimed.items()}
        for n in sorted(claimed):
            names.add(n)
            item["evidence"] = item["evidence"] + [
                "serves class %s of %s through its %s provider"
                % (n, claimed[n]["vendor"], claimed[n]["provider"])
            ]
        default = item["entry"].get("default_ingress_class")
        if not names and default and item["entry"]["kind"] == "in-cluster":
            names.add(default)
            item["evidence"] = item["evidence"] + [
                "serves class %s by default (no class flag, no IngressClass)" % default
            ]
        item["classes"] = sorted(names)
        for n in names:
            lb_classes.setdefault(n, [])
            if item["vendor"] not in lb_classes[n]:
                lb_classes[n].append(item["vendor"])
    return lb_classes


def _told(item):
    """(class args, GatewayClass controller names or None) of one workload: its flags, and the
    controller names its install config gives (detect/installs.py)."""
    args = class_args(item["wl"], item["entry"])
    install = item.get("install") or {}
    controllers = install.get("controllers")
    if not controllers:
        return args, None
    if "IngressClass" in install["serves"]:
        args = dict(args, controller_class=args["controller_class"] + list(controllers))
    return args, (list(controllers) if "GatewayClass" in install["serves"] else None)


def _claim_classes(items, classes):
    """The IngressClasses a workload serves through a provider for another vendor's classes
    (Traefik's ingress-nginx provider) are that workload's vendor's: the workload's identity
    wins over the class's controller string."""
    served = {(i["vendor"], c) for i in items for c in i.get("classes") or ()}
    for item in items:
        for name in item.get("provider_classes") or {}:
            own = classes.get(name, {}).get("vendor")
            if own and own != item["vendor"] and (own, name) in served:
                # The class's own controller runs too: its Ingresses stay its own (both
                # controllers pick them up; lb_info says so in the evidence).
                item["evidence"] = item["evidence"] + [
                    "class %s is also served by a running %s: reported under it" % (name, own)
                ]
                continue
            if name in classes:
                classes[name] = dict(classes[name], vendor=item["vendor"])


class _Scope:
    """The namespaces and vendors asked for: what is reported (None: everything)."""

    def __init__(self, opts):
        self.namespaces = set(opts["namespaces"]) if opts["namespaces"] else None
        self.vendors = set(opts["vendors"]) if opts["vendors"] else None

    def __call__(self, ns, vendor):
        return (self.namespaces is None or ns in self.namespaces) and (
            self.vendors is None or vendor in self.vendors
        )

    def finding(self, f):
        return (self.namespaces is None or f["object"].get("namespace") in self.namespaces) and (
            self.vendors is None
            or f["args"].get("vendor") in self.vendors
            or "vendor" not in f["args"]
        )


def _gateway_services(istio, gateway_routes):
    """(namespace, name) of every Istio gateway Service, including the one istiod deploys for
    an istio-class Gateway API Gateway ("<name>-istio")."""
    gw_services = {(s["namespace"], s["name"]) for g in istio["gateways"] for s in g["services"]}
    for r in gateway_routes:
        if r["vendor"] == "istio" and (r["apiVersion"] or "").startswith(
            "gateway.networking.k8s.io/"
        ):
            gw_services.add((r["namespace"], "%s-istio" % r["name"]))
    return gw_services


class _RouteJudge:
    """Judges routes a page at a time: backends linked, then taken by every LB and cloud LB,
    the route page's findings; keeps the routes in scope (detail full) or only counts them."""

    def __init__(self, idx, istio, opts, gw_services, in_scope):
        self.idx, self.istio, self.opts = idx, istio, opts
        self.gw_services, self.in_scope = gw_services, in_scope
        self.lb_states, self.cloud, self.findings = [], None, []
        self.keep_routes = True
        self.kept = []
        self.routes_in_scope = 0

    def __call__(self, routes):
        idx, istio = self.idx, self.istio
        annotate_backends(idx, routes, istio, self.opts["cluster_domain"], self.gw_services)
        routes.sort(key=route_sort_key)
        for state in self.lb_states:
            lb_take_routes(idx, state, routes, istio)
        cloud_take_routes(idx, self.cloud, routes, istio)
        run_route_page(idx, routes, self.findings)
        for r in routes:
            for key in ("_obj", "_controllers", "_install_ids"):
                r.pop(key, None)
            if self.in_scope(r["namespace"], r["vendor"]):
                self.routes_in_scope += 1
                if self.keep_routes:
                    self.kept.append(r)


def _summary(load_balancers, findings, routes_in_scope):
    return {
        "load_balancers": len(load_balancers),
        "routes": routes_in_scope,
        "vendors": sorted({lb["vendor"] for lb in load_balancers}),
        "modes": {m: sum(1 for lb in load_balancers if lb["mode"] == m) for m in MODES},
        "findings": {
            lvl: sum(1 for f in findings if f["level"] == lvl)
            for lvl in ("Error", "Warning", "Info")
        },
    }


def _cluster_facts(idx, istio, extra):
    classes = gateway_class_parameters(idx, extra)
    return {
        # The kubernetes Service's cluster IP (the first family) and all of them (dual-stack).
        "api_server_ip": (istio["_api_server_ips"] or [None])[0],
        "api_server_ips": istio["_api_server_ips"],
        # Each GatewayClass's parametersRef and what the object it names holds (plans extend
        # that object rather than replace the reference).
        "gateway_classes": classes,
        # Each Gateway's own parameters (spec.infrastructure.parametersRef) where its vendor
        # uses them over its class's: whether they are used, merged, or why refused.
        "gateways": gateway_parameters(idx, classes),
        # Served versions of the kinds plans create (live only; null offline = unknown).
        "apis": (
            {
                "%s/%s" % (g, k): idx.served[(g, k)]
                for g, k in sorted(PATCHED_KINDS)
                if (g, k) in idx.served
            }
            if idx.served
            else None
        ),
    }


def _controller_list(controllers, lb_ids, in_scope):
    """The controllers in scope that are not load balancers themselves (control planes)."""
    return sorted(
        (
            {
                "id": obj_id(c["wl"]),
                "vendor": c["vendor"],
                "kind": c["wl"].get("kind"),
                "namespace": namespace_of(c["wl"]),
                "name": name_of(c["wl"]),
                "role": c["role"],
                "evidence": c["evidence"],
            }
            for c in controllers
            if obj_id(c["wl"]) not in lb_ids and in_scope(namespace_of(c["wl"]), c["vendor"])
        ),
        key=lambda c: (c["namespace"] or "", c["kind"], c["name"] or ""),
    )
