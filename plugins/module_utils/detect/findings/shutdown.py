# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Findings about how a load balancer's pods shut down: its drain cannot finish within the
grace period (MG0022). Stage lb (rule.py); data-plane pods only."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import Rule
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import (
    parse_proxy_config,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import ref
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.shutdown import (
    shutdown_need,
)


def _drain_exceeds_grace(idx, state, istio):
    item = state["item"]
    if item["role"] == "control-plane":
        return []
    kind = state["sidecar"]["kind"] if state["sidecar_intended"] else None
    mesh_default = {"terminationDrainDuration": istio["mesh_config"]["termination_drain_duration"]}
    need, parts, grace = shutdown_need(
        item["wl"],
        item["entry"],
        kind,
        parse_proxy_config(state["anns"].get("proxy.istio.io/config")),
        mesh_default,
        lambda ns, name: (idx.get("", "ConfigMap", ns, name) or {}).get("data"),
    )
    if need <= grace:
        return []
    return [
        make_finding(
            "MG0022",
            ref(item["wl"]),
            lb=state["label"],
            vendor=item["vendor"],
            need="%g" % need,
            grace="%g" % grace,
            parts="; ".join(parts),
        )
    ]


RULES = (
    Rule(
        ("MG0022",),
        "lb",
        "the LB pod template's preStop sleeps and commands, terminationGracePeriodSeconds, its "
        "vendor's shutdown settings (vendors/ shutdown: flags, preStop command flags, controller "
        "ConfigMap keys), a classic sidecar's terminationDrainDuration",
        _drain_exceeds_grace,
    ),
)
