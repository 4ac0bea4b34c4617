# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Findings about a cloud load balancer in front of the Istio gateway: a health check that does
not probe the gateway's status port (MG0006). Stage cloud_lb (rule.py)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import Rule
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import ref


def _health_check(idx, cloud, istio):
    hc, b = cloud["health_check"], cloud["checked_backend"]
    if hc is None or hc["ok"]:
        return []
    return [
        make_finding(
            "MG0006",
            ref(cloud["obj"]),
            lb=cloud["label"],
            vendor=cloud["vendor"],
            service="%s/%s" % (b["namespace"], b["service"]),
            actual=hc["actual"],
            where=hc["where"],
            planned_by=hc.get("planned_by") or "no plan sets it",
        )
    ]


RULES = (
    Rule(
        ("MG0006",),
        "cloud_lb",
        "the health check of the first backend that is an Istio gateway (detect/cloud.py)",
        _health_check,
    ),
)
