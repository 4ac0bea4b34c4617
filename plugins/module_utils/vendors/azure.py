# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Azure: Application Gateway Ingress Controller and Azure Load Balancer (Service annotations).

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "azure-agic",
        "name": "Azure Application Gateway Ingress Controller",
        "kind": "cloud",
        "ingress_class_controllers": ["azure/application-gateway"],
        "class_names": ["azure/application-gateway", "azure-application-gateway"],
        "annotation_prefixes": ["appgw.ingress.kubernetes.io/"],
        "workload_signals": [
            {
                "image": r"(^|/)azure-application-gateway/kubernetes-ingress$",
                "role": "control-plane",
            },
            {"chart": r"^ingress-azure-\d", "role": "control-plane"},
            {"labels": {"app": "ingress-azure"}, "role": "control-plane", "weak": True},
        ],
        "health_check": {
            "where": "annotations appgw.ingress.kubernetes.io/health-probe-port and health-probe-path",
            "port_annotation": "appgw.ingress.kubernetes.io/health-probe-port",
            "path_annotation": "appgw.ingress.kubernetes.io/health-probe-path",
        },
    },
    {
        "id": "azure-lb",
        "name": "Azure Load Balancer (Service annotations)",
        "kind": "cloud",
        "service_signals": [{"annotation_prefix": "service.beta.kubernetes.io/azure-"}],
        "health_check": {
            "where": "Service annotations service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path "
            "(and port_<port>_health-probe_* per port)",
            "path_annotation": "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path",
        },
    },
]
