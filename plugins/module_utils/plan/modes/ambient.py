# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mode ambient (D): the load balancer pods enrolled in ambient, inbound capture bypassed; and
Service routing for the routes whose backends are bound to a waypoint.

Why the Service routing: ztunnel carries an enrolled third-party LB's traffic with mTLS
whatever its Host, but traffic addressed to a pod IP skips the Service's waypoint (ztunnel
does not send it there: istio/istio architecture/ambient/ztunnel.md), so the L7 policy of a
waypoint-bound Service would not apply. istio.io/ingress-use-waypoint does not help: only
Istio's own gateways read it. Istio's simulator does not model ztunnel (docs/dataplane.md), so
the data-path matrix checks what it can: those routes dial the Service after the plan."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import lbs, routes_of
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.pod_template import (
    pod_template_patch,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import AMBIENT_DOC
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.switches import (
    service_routing_patches,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry


def plan_ambient(b):
    facts = b.facts
    istio = facts.get("istio") or {}
    if not (istio.get("ambient") or {}).get("enabled"):
        raise PlanError(
            "ambient mode is not running in this cluster (no ztunnel DaemonSet found); install Istio with the ambient profile first"
        )
    routing = b.phase(
        "service-routing",
        "Routes to waypoint-bound Services sent to the Service, so ztunnel hands them to the waypoint",
    )
    phase = b.phase("enroll", "Enrol the load balancer pods in ambient, bypassing inbound capture")
    rolled = set()
    for lb in lbs(b):
        if lb.get("host_network"):
            b.refuse(
                lb,
                "host-network",
                "%s shares the node network and cannot be enrolled in ambient" % lb["id"],
                "use mode chained",
            )
            continue
        _waypoint_routing(b, lb, routing)
        current = lb.get("pod_template") or {"labels": {}, "annotations": {}}
        labels = (
            {}
            if current["labels"].get("istio.io/dataplane-mode") == "ambient"
            else {"istio.io/dataplane-mode": "ambient"}
        )
        anns = (
            {}
            if current["annotations"].get("ambient.istio.io/bypass-inbound-capture") == "true"
            else {"ambient.istio.io/bypass-inbound-capture": "true"}
        )
        if not labels and not anns:
            continue
        rolled.add(lb["id"])
        pod_template_patch(
            b,
            phase,
            lb,
            registry.VENDORS_BY_ID[lb["vendor"]],
            labels,
            anns,
            "%s joins ambient (ztunnel mTLS to the backends); inbound capture bypassed so clients reach it directly"
            % lb["id"],
            AMBIENT_DOC,
        )
    if rolled:
        # The LB workloads that roll: their pod template, or the object their controller makes
        # it from (an EnvoyProxy, perhaps merged into the routing phase), was patched.
        wait = [{"for": "rollout", "targets": sorted(rolled), "timeout": 600}]
        (phase if phase["patches"] or not routing["patches"] else routing)["wait"] = wait


def _waypoint_routing(b, lb, phase):
    """Service routing for the LB's routes that send to a waypoint-bound Service by pod IP;
    warns for those the vendor cannot switch."""
    entry = registry.VENDORS_BY_ID[lb["vendor"]]
    bound = [
        r
        for r in routes_of(b.facts, lb, b.opts)
        if r["kind"] != "Gateway"
        and not r.get("service_routing")
        and any(x.get("waypoint") for x in r.get("backends") or ())
    ]
    if not bound:
        return
    sent = service_routing_patches(b, lb, entry, bound, phase, rewrite_host=False)
    for r in bound:
        if sent[r["id"]] != "service":
            b.warn(
                "ambient: %s sends to waypoint-bound Services by pod IP and %s has no Service "
                "routing for it: ztunnel does not hand pod-addressed traffic to the waypoint, so its "
                "L7 policy is skipped; use mode chained for it" % (r["id"], lb["vendor"])
            )
