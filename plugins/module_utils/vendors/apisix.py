# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Apache APISIX Ingress Controller.

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "apisix",
        "plan": {
            "helm": {
                "chart": "apisix/apisix",
                "pod_annotations": "podAnnotations",
                # podLabels exists in its values and is ignored (measured).
                "no_pod_labels": "the apisix chart has no key for pod labels (podLabels is "
                "ignored), so the sidecar.istio.io/inject label cannot be set on its pods "
                "through values: label the namespace (istio-injection=enabled or "
                "istio.io/rev=<revision>), or apply the kustomize patch as a Helm post-renderer",
            },
            "switch": [
                {
                    "on": "ApisixRoute",
                    "target": "route_nested",
                    "field": "http",
                    "nested": "backends",
                    "set": {"resolveGranularity": "service"},
                },
            ],
        },
        "name": "Apache APISIX Ingress Controller",
        "kind": "in-cluster",
        # 1.x charts use apisix.apache.org/apisix-ingress, 2.x apisix.apache.org/apisix-ingress-controller.
        "ingress_class_controllers": [
            "apisix.apache.org/apisix-ingress-controller",
            "apisix.apache.org/apisix-ingress",
        ],
        "gateway_class_controllers": ["apisix.apache.org/apisix-ingress-controller"],
        # The 2.x controller serves the IngressClasses and GatewayClasses whose controller is its
        # config.yaml controller_name (internal/controller/config/types.go; default
        # apisix.apache.org/apisix-ingress-controller; 1.x charts name apisix-ingress).
        "install_config": [
            {
                "key": "config.yaml",
                "role": "control-plane",  # the controller's file, not APISIX's own config.yaml
                "controller": "controller_name",
                "default": [
                    "apisix.apache.org/apisix-ingress-controller",
                    "apisix.apache.org/apisix-ingress",
                ],
                "serves": ["IngressClass", "GatewayClass"],
            }
        ],
        "class_names": ["apisix"],
        "annotation_prefixes": ["k8s.apisix.apache.org/"],
        "route_kinds": {
            "apisix.apache.org/ApisixRoute": {
                "plural": "apisixroutes",
                "patched": True,
                "plan_fields": ["http"],
                "backends": "spec.http[].backends[].{service: serviceName, port: servicePort}",
                # The IngressClass whose install serves it (2.x; ../shared/fixtures/helm/apisix).
                "ingress_class": "spec.ingressClassName",
                "hosts": "spec.http[].match.hosts[]",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)apisix$", "role": "data-plane"},
            {"image": r"(^|/)apisix-ingress-controller$", "role": "control-plane"},
            {"labels": {"app.kubernetes.io/name": "apisix"}, "role": "data-plane"},
            {"chart": r"^apisix-\d", "role": "data-plane", "weak": True},
            {
                "chart": r"^apisix-ingress-controller-\d",
                "role": "control-plane",
                "decides_role": True,
                "weak": True,
            },
        ],
        "service_routing": {
            "switch": "ApisixRoute http[].backends[].resolveGranularity: service",
            "default": False,
        },
    },
]
