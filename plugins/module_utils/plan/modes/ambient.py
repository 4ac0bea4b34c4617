# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mode ambient (D): the load balancer pods enrolled in ambient, inbound capture bypassed."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import lbs
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.pod_template import (
    pod_template_patch,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import AMBIENT_DOC
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry


def plan_ambient(b):
    facts = b.facts
    istio = facts.get("istio") or {}
    if not (istio.get("ambient") or {}).get("enabled"):
        raise PlanError(
            "ambient mode is not running in this cluster (no ztunnel DaemonSet found); install Istio with the ambient profile first"
        )
    phase = b.phase("enroll", "Enrol the load balancer pods in ambient, bypassing inbound capture")
    for lb in lbs(b):
        if lb.get("host_network"):
            b.refuse(
                lb,
                "host-network",
                "%s shares the node network and cannot be enrolled in ambient" % lb["id"],
                "use mode chained",
            )
            continue
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
    if phase["patches"]:
        phase["wait"] = [
            {
                "for": "rollout",
                "targets": sorted(
                    {
                        "%s/%s/%s"
                        % (p["target"]["kind"], p["target"]["namespace"], p["target"]["name"])
                        for p in phase["patches"]
                    }
                ),
                "timeout": 600,
            }
        ]
        b.warn(
            "ambient: pod-IP routing still skips Service-attached waypoints (L7 policy); set "
            "istio.io/ingress-use-waypoint on those Services or turn on the vendor's Service routing."
        )
