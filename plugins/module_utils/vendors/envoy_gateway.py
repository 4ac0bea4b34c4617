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
        # Its own kinds beyond routes: LISTed ("read"), or written by plans ("patched").
        "kinds": {
            "gateway.envoyproxy.io/EnvoyProxy": {
                "plural": "envoyproxies",
                "read": True,
                "patched": True,
                "creates": True,
            },
            "gateway.envoyproxy.io/BackendTrafficPolicy": {
                "plural": "backendtrafficpolicies",
                "read": True,
            },
        },
        # The EnvoyProxy its GatewayClasses reference (kept and extended when one is already
        # referenced, else created) gets these spec fields.
        "plan": {
            "switch": [{"on": "*", "target": "envoyproxy", "set": {"routingType": "Service"}}],
            # Its data plane's Deployment (or DaemonSet) is made from that EnvoyProxy: the pod
            # labels and annotations a plan sets go there (EnvoyProxy CRD v1.9.0:
            # KubernetesPodSpec labels, annotations), not to the generated workload.
            "pod_template_in": {
                "kind": "EnvoyProxy",
                "paths": {
                    "Deployment": "spec.provider.kubernetes.envoyDeployment.pod",
                    "DaemonSet": "spec.provider.kubernetes.envoyDaemonSet.pod",
                },
            },
        },
        "name": "Envoy Gateway",
        # A Gateway's own EnvoyProxy (spec.infrastructure.parametersRef, in the Gateway's
        # namespace) is used over its class's: it replaces it whole unless it sets mergeType
        # StrategicMerge or JSONMerge; a Gateway with one is refused when its class's EnvoyProxy
        # merges gateways (Envoy Gateway v1.9.0, docs/vendor-facts.md).
        "gateway_parameters": {
            "kind": "gateway.envoyproxy.io/EnvoyProxy",
            "refused_if_class": "spec.mergeGateways == `true`",
            "merge_field": "mergeType",
            "merges": ["StrategicMerge", "JSONMerge"],
        },
        # Its data-plane pods serve only the routes of the Gateway this pod label names.
        "owner_label": "gateway.envoyproxy.io/owning-gateway-name",
        "kind": "in-cluster",
        "gateway_class_controllers": ["gateway.envoyproxy.io/gatewayclass-controller"],
        # It serves the GatewayClasses whose controllerName is its EnvoyGateway config's
        # gateway.controllerName (the chart's envoy-gateway-config ConfigMap, mounted at /config).
        "install_config": [
            {
                "key": "envoy-gateway.yaml",
                "role": "control-plane",
                "controller": "gateway.controllerName",
                "default": ["gateway.envoyproxy.io/gatewayclass-controller"],
                "serves": ["GatewayClass"],
            }
        ],
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
            {
                "command": r"(^|\s)server --config-path=\S*envoy-gateway\.yaml",
                "role": "control-plane",
            },
            {"chart": r"^gateway-helm-", "role": "control-plane", "weak": True},
            {"labels": {"control-plane": "envoy-gateway"}, "role": "control-plane"},
        ],
        "service_routing": {
            "switch": "EnvoyProxy spec.routingType: Service (or BackendTrafficPolicy routingType: Service)",
            "also": {
                "cluster": [
                    "gateway.envoyproxy.io/BackendTrafficPolicy:spec.routingType == 'Service'"
                ]
            },
            "default": False,
        },
    },
]
