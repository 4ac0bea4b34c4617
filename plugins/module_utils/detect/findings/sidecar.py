# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Findings about the sidecar (or ambient enrolment) of a load balancer's pods: hostNetwork
(MG0004), inbound capture on (MG0002), the application not held until the proxy starts
(MG0011), running pods without the proxy (MG0016), ambient without the inbound bypass (MG0017).
Stage lb (rule.py); data-plane pods only (a control plane alone says nothing of them)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import Rule
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.native_sidecars import (
    NATIVE,
    classic_args,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    host_network,
    ref,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.workloads import (
    pod_has_proxy,
)


def _data_plane(check):
    """The check, for LBs whose data plane is in the input."""

    def run(idx, state, istio):
        if state["item"]["role"] == "control-plane":
            return []
        args = {"lb": state["label"], "vendor": state["item"]["vendor"]}
        return check(state, ref(state["item"]["wl"]), args)

    return run


@_data_plane
def _host_network(state, lb_ref, args):
    return [make_finding("MG0004", lb_ref, **args)] if host_network(state["item"]["wl"]) else []


@_data_plane
def _inbound_capture(state, lb_ref, args):
    if not state["sidecar_intended"] or state["sidecar"]["inbound_capture"] == "off":
        return []
    value = state["anns"].get("traffic.sidecar.istio.io/includeInboundPorts", "unset (all ports)")
    return [make_finding("MG0002", lb_ref, value=repr(value), **args)]


@_data_plane
def _not_held(state, lb_ref, args):
    sidecar = state["sidecar"]
    held = sidecar["hold_application_until_proxy_starts"]
    # A native sidecar starts before the app whatever the setting (the template ignores it).
    if not state["sidecar_intended"] or held or sidecar["kind"] == NATIVE:
        return []
    return [
        make_finding(
            "MG0011", lb_ref, **classic_args(sidecar["kind"], sidecar["kind_evidence"]), **args
        )
    ]


@_data_plane
def _ambient_bypass(state, lb_ref, args):
    if state["ambient"] and not state["sidecar"].get("bypass_inbound_capture"):
        return [make_finding("MG0017", lb_ref, **args)]
    return []


@_data_plane
def _not_injected(state, lb_ref, args):
    pods = state["pods"]
    if not (state["sidecar_intended"] and pods and not state["sidecar"]["injected"]):
        return []
    missing = sum(1 for p in pods if not pod_has_proxy(p))
    return [make_finding("MG0016", lb_ref, pods="%d of %d" % (missing, len(pods)), **args)]


RULES = (
    Rule(("MG0004",), "lb", "the LB pod template's hostNetwork", _host_network),
    Rule(
        ("MG0002",),
        "lb",
        "injection intended, the pod template's includeInboundPorts",
        _inbound_capture,
    ),
    Rule(
        ("MG0011",),
        "lb",
        "injection intended, holdApplicationUntilProxyStarts (pod proxy config or mesh config), "
        "the sidecar kind (detect/native_sidecars.py)",
        _not_held,
    ),
    Rule(("MG0017",), "lb", "ambient enrolment, bypass-inbound-capture", _ambient_bypass),
    Rule(("MG0016",), "lb", "injection intended, the LB's running pods", _not_injected),
)
