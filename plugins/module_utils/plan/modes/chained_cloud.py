# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Chained mode's cloud load balancers: those already in front of the Istio gateway (an AWS ALB
or Azure Application Gateway Ingress, the gateway's own LoadBalancer Service for an AWS NLB or
an Azure load balancer) get the health check on the gateway's status port, as their vendor
entry's "health_check" declares it (vendors/health_checks.py), and say how many
X-Forwarded-For entries they add (numTrustedProxies). Nothing here names a vendor."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import lbs
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    meta,
    patch_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import LB_DOC
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.health_checks import (
    effective_annotations,
    judge,
    plan_supports,
    pod_targets_needed,
    wanted,
)


def chain_cloud_lbs(b, phase, svc):
    """The health checks of the cloud LBs in front of the gateway Service svc; returns the
    X-Forwarded-For hops each of them adds (one per LB the plan covers)."""
    gw_ref = "%s/%s" % (svc["namespace"], svc["name"])
    hops = []
    for lb in lbs(b, cloud=True):
        if lb.get("mode") != "chained" or gw_ref not in (lb.get("backends") or ()):
            continue
        hc = registry.vendor(lb["vendor"]).get("health_check") or {}
        if not hc.get("plan"):
            if not (lb.get("health_check") or {}).get("ok"):
                b.warn(
                    "%s: this mode does not set its health check; %s"
                    % (lb["id"], hc.get("planned_by") or "set it by hand")
                )
            continue
        if _health_check(b, phase, lb, hc, svc):
            hops.append(hc["plan"]["xff_hops"])
            if hc["plan"].get("client_ip"):
                b.warn("%s: %s" % (lb["id"], hc["plan"]["client_ip"]))
    return hops


def _health_check(b, phase, lb, hc, svc):
    """The annotations lb's health check needs (on its Ingress or on the gateway Service);
    False when the plan cannot cover it (refused)."""
    if not plan_supports(hc, svc):
        b.refuse(
            lb,
            "health-check-not-planned",
            "%s: the health check annotations this plan knows are not read by the controller "
            "serving %s/%s" % (lb["vendor"], svc["namespace"], svc["name"]),
            "point its health check at port 15021 path /healthz/ready by hand (%s)" % hc["where"],
        )
        return False
    on_route = hc["plan"]["on"] == "route"
    route_anns = dict(lb.get("annotations") or {}) if on_route else {}
    svc_anns = svc.get("annotations") or {}
    anns = effective_annotations(hc, route_anns, svc_anns)
    writes = pod_targets_needed(hc, svc, anns) if on_route else None
    if writes:
        b.warn(
            "%s: the gateway Service %s is ClusterIP, which has no NodePort for instance targets: "
            "the plan sets %s (the cluster's network plugin must give pods VPC addresses)"
            % (lb["id"], "%s/%s" % (svc["namespace"], svc["name"]), writes)
        )
        anns = dict(anns, **writes)
    needed, problem = wanted(hc, svc, anns)
    if problem:
        b.refuse(
            lb,
            "health-check-port-unknown",
            problem,
            "plan from the live cluster (it shows the NodePort) or use ip targets",
        )
        return False
    writes = dict(writes or {}, **needed)
    if writes:
        current = route_anns if on_route else svc_anns
        _annotate(b, phase, _target(b, lb, svc, on_route), writes, current, lb)
    if on_route:
        _warn_overridden(b, lb, hc, svc, dict(route_anns, **writes), svc_anns)
    return True


def _target(b, lb, svc, on_route):
    if not on_route:
        return patch_target("v1", "Service", svc["name"], svc["namespace"])
    route = next(
        (r for r in b.facts.get("routes") or () if r["id"] in (lb.get("routes") or ())), {}
    )
    api = route.get("apiVersion") or "networking.k8s.io/v1"
    return patch_target(api, lb["kind"], lb["name"], lb["namespace"])


def _annotate(b, phase, target, writes, current, lb):
    """The annotations writes on target; undo removes them and restores the values they
    replace."""
    b.patch(
        phase,
        target,
        {
            "apiVersion": target["apiVersion"],
            "kind": target["kind"],
            "metadata": meta(target, annotations=writes),
        },
        "%s health-checks the Istio gateway's status port 15021 /healthz/ready (its traffic "
        "ports answer 404 until a route exists)" % lb["id"],
        LB_DOC,
        {"restart": False, "traffic": "the cloud LB re-registers its targets with the new check"},
        {
            "action": "remove-fields",
            "fields": ["metadata.annotations.%s" % k for k in sorted(writes)],
            "restore": {"metadata.annotations.%s" % k: current[k] for k in writes if k in current},
        },
    )


def _warn_overridden(b, lb, hc, svc, route_anns, svc_anns):
    """A value on the gateway Service wins over the Ingress's for some vendors: say so when it
    undoes what the plan writes."""
    ok, actual = judge(hc, svc, effective_annotations(hc, route_anns, svc_anns))
    if not ok:
        b.warn(
            "%s: annotations on the gateway Service %s/%s override the Ingress's (%s); remove "
            "them there" % (lb["id"], svc["namespace"], svc["name"], actual)
        )
