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
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import api
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.gitops import (
    gitops_alternative,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    MANAGED_LABEL,
    meta,
    patch_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import LB_DOC


def service_routing_patches(b, lb, entry, routes, phase):
    opts = b.opts
    plan_spec = entry.get("plan") or {}
    svc_by = {}
    for r in routes:
        if r.get("service_routing") or r.get("host_rewrite"):
            continue
        kind = r["kind"]
        if plan_spec.get("default_service_routing"):
            continue
        if (
            opts["global_switch"]
            and plan_spec.get("global_switch") == "configmap"
            and lb.get("config_map")
        ):
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
                owner=lb.get("gitops"),
            )
            gitops_alternative(b, lb, entry, manifest, config={cm["key"]: cm["value"]})
            continue
        switch = next((s for s in plan_spec.get("switch", ()) if s["on"] in (kind, "*")), None)
        if switch:
            _apply_switch(b, lb, r, switch, phase, svc_by)
            continue
        rewrite = next(
            (s for s in plan_spec.get("host_rewrite", ()) if s["on"] in (kind, "*")), None
        )
        if rewrite:
            _apply_host_rewrite(b, opts, lb, r, rewrite, phase)
            continue
        b.warn(
            "%s %s/%s (%s): no Service-routing switch for this kind; use mode chained for it"
            % (kind, r["namespace"], r["name"], lb["vendor"])
        )
    if plan_spec.get("default_service_routing"):
        b.warn(plan_spec["default_service_routing"])


def _apply_switch(b, lb, r, switch, phase, svc_by):
    facts = b.facts
    risk = {
        "restart": False,
        "traffic": "the controller reloads; this route now targets the Service VIP (sticky sessions and per-endpoint balancing stop applying)",
    }
    target_kind = switch["target"]
    if target_kind == "route":
        target = patch_target(r["apiVersion"], r["kind"], r["name"], r["namespace"])
        current = r.get("annotations") or {}
        wanted = dict(switch["annotations"])
        if switch.get("host_annotation"):
            fqdns = sorted({be.get("fqdn") for be in r.get("backends") or () if be.get("fqdn")})
            if len(fqdns) == 1:
                wanted[switch["host_annotation"]] = fqdns[0]
                b.warn(
                    "%s: the upstream Host becomes %s so the sidecar recognises the Service; the "
                    "application sees that Host (an Istio VirtualService can put the original back)"
                    % (r["id"], fqdns[0])
                )
            elif fqdns:
                b.warn(
                    "%s sends to %d Services: one Host rewrite cannot fit them all; split it per Service "
                    "or use mode chained" % (r["id"], len(fqdns))
                )
        anns = {k: v for k, v in wanted.items() if current.get(k) != v}
        if not anns:
            return
        manifest = {
            "apiVersion": r["apiVersion"],
            "kind": r["kind"],
            "metadata": meta(target, annotations=anns),
        }
        restore = {"metadata.annotations.%s" % k: current[k] for k in anns if k in current}
        b.patch(
            phase,
            target,
            manifest,
            "Service routing for %s (served by %s)" % (r["id"], lb["id"]),
            LB_DOC,
            risk,
            {
                "action": "remove-fields",
                "fields": ["metadata.annotations.%s" % k for k in sorted(anns)],
                "restore": restore,
            },
        )
    elif target_kind == "backend_service":
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
                risk,
                {
                    "action": "remove-fields",
                    "fields": [
                        "metadata.annotations.%s" % k for k in sorted(switch["annotations"])
                    ],
                },
            )
    elif target_kind in ("route_list", "route_nested"):
        spec = (r.get("spec") or {}).get(switch["field"])
        if not spec:
            b.warn(
                "%s: its %s list is not in the facts; cannot plan Service routing"
                % (r["id"], switch["field"])
            )
            return
        new = copy.deepcopy(spec)
        items = (
            new
            if target_kind == "route_list"
            else [s for item in new for s in (item.get(switch["nested"]) or [])]
        )
        for item in items:
            item.update(switch["set"])
        target = patch_target(r["apiVersion"], r["kind"], r["name"], r["namespace"])
        manifest = {
            "apiVersion": r["apiVersion"],
            "kind": r["kind"],
            "metadata": meta(target),
            "spec": {switch["field"]: new},
        }
        b.patch(
            phase,
            target,
            manifest,
            "Service routing for %s (%s)"
            % (r["id"], ", ".join("%s: %s" % kv for kv in switch["set"].items())),
            LB_DOC,
            atomic_risk(risk, r, "spec.%s" % switch["field"]),
            {
                "action": "restore-field",
                "fields": ["spec.%s" % switch["field"]],
                "restore": {"spec.%s" % switch["field"]: spec},
            },
        )
    elif target_kind == "envoyproxy":
        ns = lb["namespace"]
        version = api(facts, "gateway.envoyproxy.io", "EnvoyProxy", "v1alpha1")
        target = patch_target(version, "EnvoyProxy", "meshgate-service-routing", ns)
        manifest = {
            "apiVersion": version,
            "kind": "EnvoyProxy",
            "metadata": meta(target, labels=MANAGED_LABEL),
            "spec": {"routingType": "Service"},
        }
        b.patch(
            phase,
            target,
            manifest,
            "Envoy Gateway Service routing (EnvoyProxy routingType: Service, Envoy Gateway >= 1.1)",
            LB_DOC,
            {"restart": True, "traffic": "Envoy Gateway reconfigures its proxies"},
            {"action": "delete"},
            creates=True,
        )
        classes = sorted(
            {
                x["class"]
                for x in facts.get("routes") or ()
                if x["kind"] == "Gateway" and x["vendor"] == lb["vendor"] and x.get("class")
            }
        )
        for klass in classes:
            gc = patch_target("gateway.networking.k8s.io/v1", "GatewayClass", klass)
            b.patch(
                phase,
                gc,
                {
                    "apiVersion": gc["apiVersion"],
                    "kind": "GatewayClass",
                    "metadata": meta(gc),
                    "spec": {
                        "parametersRef": {
                            "group": "gateway.envoyproxy.io",
                            "kind": "EnvoyProxy",
                            "name": "meshgate-service-routing",
                            "namespace": ns,
                        }
                    },
                },
                "GatewayClass %s uses the EnvoyProxy with routingType: Service" % klass,
                LB_DOC,
                {"restart": True, "traffic": "Envoy Gateway redeploys the proxies of this class"},
                {"action": "remove-fields", "fields": ["spec.parametersRef"]},
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


def _apply_host_rewrite(b, opts, lb, r, rewrite, phase):
    fqdns = sorted({be.get("fqdn") for be in r.get("backends") or () if be.get("fqdn")})
    caveat = "the LB still picks a pod but Istio ignores that choice and routes by Host; the application sees the Service FQDN as Host"
    if rewrite["target"] == "route_annotation":
        if len(fqdns) != 1:
            b.warn(
                "%s: Host rewrite needs exactly one backend Service (found %d); use mode chained for it"
                % (r["id"], len(fqdns))
            )
            return
        target = patch_target(r["apiVersion"], r["kind"], r["name"], r["namespace"])
        anns = {rewrite["annotation"]: fqdns[0]}
        manifest = {
            "apiVersion": r["apiVersion"],
            "kind": r["kind"],
            "metadata": meta(target, annotations=anns),
        }
        b.patch(
            phase,
            target,
            manifest,
            "Host header set to %s for %s (%s has no Service-routing switch)"
            % (fqdns[0], r["id"], lb["vendor"]),
            LB_DOC,
            {"restart": False, "traffic": caveat},
            {
                "action": "remove-fields",
                "fields": ["metadata.annotations.%s" % rewrite["annotation"]],
            },
        )
    elif rewrite["target"] == "route_nested_header":
        spec = (r.get("spec") or {}).get(rewrite["field"])
        if not spec:
            b.warn(
                "%s: its %s list is not in the facts; cannot plan the Host rewrite"
                % (r["id"], rewrite["field"])
            )
            return
        new = copy.deepcopy(spec)
        for route in new:
            services = route.get("services") or []
            if len(services) != 1:
                b.warn(
                    "%s: a route with %d services cannot get one Host; left as is"
                    % (r["id"], len(services))
                )
                continue
            fqdn = "%s.%s.svc.%s" % (services[0]["name"], r["namespace"], opts["cluster_domain"])
            policy = route.setdefault("requestHeadersPolicy", {})
            policy["set"] = [
                h for h in policy.get("set") or [] if h.get("name", "").lower() != "host"
            ] + [{"name": "Host", "value": fqdn}]
        target = patch_target(r["apiVersion"], r["kind"], r["name"], r["namespace"])
        manifest = {
            "apiVersion": r["apiVersion"],
            "kind": r["kind"],
            "metadata": meta(target),
            "spec": {rewrite["field"]: new},
        }
        b.patch(
            phase,
            target,
            manifest,
            "Host header set to the Service FQDN on %s (%s has no Service-routing switch)"
            % (r["id"], lb["vendor"]),
            LB_DOC,
            atomic_risk({"restart": False, "traffic": caveat}, r, "spec.%s" % rewrite["field"]),
            {
                "action": "restore-field",
                "fields": ["spec.%s" % rewrite["field"]],
                "restore": {"spec.%s" % rewrite["field"]: spec},
            },
        )
    b.warn("Host-header rewrite for %s: %s" % (lb["vendor"], caveat))
