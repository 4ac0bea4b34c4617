# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Envoy Gateway.

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "envoy-gateway",
        "plan": {"switch": [{"on": "*", "target": "envoyproxy"}]},
        "name": "Envoy Gateway",
        "kind": "in-cluster",
        "gateway_class_controllers": ["gateway.envoyproxy.io/gatewayclass-controller"],
        # Helm-hook Job that generates the control plane's certificates.
        "helper_jobs": [r"certgen$"],
        "workload_signals": [
            {"labels": {"gateway.envoyproxy.io/owning-gateway-name": None}, "role": "data-plane"},
            {
                "labels": {
                    "app.kubernetes.io/managed-by": "envoy-gateway",
                    "app.kubernetes.io/component": "proxy",
                },
                "role": "data-plane",
            },
            {"image": r"(^|/)envoyproxy/gateway(-dev)?$", "role": "control-plane"},
            {"labels": {"control-plane": "envoy-gateway"}, "role": "control-plane"},
        ],
        "service_routing": {
            "switch": "EnvoyProxy spec.routingType: Service (or BackendTrafficPolicy routingType: Service)",
            "cluster": [
                "gateway.envoyproxy.io/EnvoyProxy:spec.routingType == 'Service'",
                "gateway.envoyproxy.io/BackendTrafficPolicy:spec.routingType == 'Service'",
            ],
            "default": False,
        },
    },
]
