# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Istio's own pieces, as data: how istiod, sidecars, ztunnel and Istio's gateways are recognised
(they are never reported as third-party load balancers), and the gateway's status port."""

from __future__ import annotations

ISTIO_STATUS_PORT = 15021
ISTIO_READY_PATH = "/healthz/ready"

# Istio's own pieces (never reported as third-party LBs).
ISTIO = {
    "istiod_images": [r"(^|/)pilot$"],
    "istiod_labels": [{"app": "istiod"}, {"istio": "pilot"}],
    "proxy_images": [r"(^|/)proxyv2$"],
    "ztunnel_images": [r"(^|/)ztunnel$"],
    "gateway_labels": [
        {"istio": "ingressgateway"},
        {"app": "istio-ingressgateway"},
        {"gateway.istio.io/managed": "istio.io-gateway-controller"},
        {"istio.io/gateway-name": None},
    ],
    "gateway_class_controllers": ["istio.io/gateway-controller", "istio.io/mesh-controller"],
    "gateway_class_names": ["istio", "istio-remote", "istio-waypoint", "istio-east-west"],
    "pod_annotation_prefixes": [
        "traffic.sidecar.istio.io/",
        "sidecar.istio.io/",
        "proxy.istio.io/",
        "ambient.istio.io/",
        "inject.istio.io/",
        "status.sidecar.istio.io/",
        "readiness.status.sidecar.istio.io/",
    ],
}
