# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Services: which select a workload, and the summary a result reports of each."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    annotations_of,
    name_of,
    namespace_of,
    template_labels,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import (
    ISTIO_STATUS_PORT,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.reported import (
    reported_annotations,
)


def service_summary(svc):
    spec = svc.get("spec") or {}
    ports = spec.get("ports") or []
    out = {
        "name": name_of(svc),
        "namespace": namespace_of(svc),
        "type": spec.get("type") or "ClusterIP",
        "ports": [_port_summary(p) for p in ports],
        "status_port": any(p.get("port") == ISTIO_STATUS_PORT for p in ports),
    }
    anns = reported_annotations(annotations_of(svc))
    if anns:
        out["annotations"] = anns
    if spec.get("externalTrafficPolicy"):
        out["external_traffic_policy"] = spec["externalTrafficPolicy"]
    if spec.get("loadBalancerClass"):
        out["load_balancer_class"] = spec["loadBalancerClass"]
    return out


def _port_summary(port):
    out = {"name": port.get("name"), "port": port.get("port"), "targetPort": port.get("targetPort")}
    if port.get("nodePort"):
        # Cloud LBs with node targets probe the status port's NodePort (vendors/health_checks.py).
        out["nodePort"] = port["nodePort"]
    return out


def services_selecting(idx, wl):
    labels = template_labels(wl)
    ns = namespace_of(wl)
    out = idx.services_selecting_labels(ns, labels)
    order = {"LoadBalancer": 0, "NodePort": 1, "ClusterIP": 2}
    out.sort(
        key=lambda s: (order.get((s.get("spec") or {}).get("type") or "ClusterIP", 3), name_of(s))
    )
    return out
