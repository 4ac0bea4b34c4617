# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Cluster-wide findings: Istio missing under detected load balancers (MG0018), a wildcard
ISTIO_MUTUAL DestinationRule (MG0010). Stage cluster (rule.py)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import Rule
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    name_of,
    namespace_of,
    ref,
)


def _istio_missing(idx, istio, load_balancers):
    findings = []
    if load_balancers and not istio["installed"]:
        findings.append(
            make_finding(
                "MG0018", {"apiVersion": "v1", "kind": "Cluster", "name": "cluster"}, scope=""
            )
        )
    return findings


def _wildcard_mutual_tls(idx, istio, load_balancers):
    findings = []
    for dr in idx.kind("networking.istio.io", "DestinationRule"):
        spec = dr.get("spec") or {}
        host = spec.get("host") or ""
        tls = ((spec.get("trafficPolicy") or {}).get("tls") or {}).get("mode")
        if tls == "ISTIO_MUTUAL" and (
            host in ("*", "*.local") or host.startswith("*.svc") or host == "*.cluster.local"
        ):
            findings.append(
                make_finding(
                    "MG0010", ref(dr), dr="%s/%s" % (namespace_of(dr), name_of(dr)), host=host
                )
            )
    return findings


RULES = (
    Rule(
        ("MG0018",),
        "cluster",
        "the load balancers found, whether Istio is installed",
        _istio_missing,
    ),
    Rule(
        ("MG0010",), "cluster", "DestinationRules (host, trafficPolicy.tls)", _wildcard_mutual_tls
    ),
)
