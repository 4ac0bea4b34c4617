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
            {"chart": r"^ingress-azure-\d", "role": "control-plane", "weak": True},
            {"labels": {"app": "ingress-azure"}, "role": "control-plane", "weak": True},
        ],
        "health_check": {
            "where": "Ingress annotations appgw.ingress.kubernetes.io/health-probe-port and "
            "health-probe-path (AGIC >= 1.4.0)",
            "read_from": ["route"],
            "port_annotation": "appgw.ingress.kubernetes.io/health-probe-port",
            "path_annotation": "appgw.ingress.kubernetes.io/health-probe-path",
            # int32 in AGIC's annotation table: the port number itself.
            "port_value": "service_port",
            "plan": {
                "on": "route",
                "xff_hops": 1,
                "client_ip": "Application Gateway writes X-Forwarded-For entries as IP:port, which "
                "the gateway's Envoy does not parse as a client address (envoyproxy/envoy#25517): "
                "strip the port with an Application Gateway rewrite rule for numTrustedProxies "
                "to yield the client IP",
            },
            "planned_by": "the chained_gateway plan sets them on each AGIC Ingress in front of the "
            "gateway (15021, /healthz/ready)",
        },
    },
    {
        "id": "azure-lb",
        "name": "Azure Load Balancer (Service annotations)",
        "kind": "cloud",
        "service_signals": [{"annotation_prefix": "service.beta.kubernetes.io/azure-"}],
        "health_check": {
            "where": "Service annotations service.beta.kubernetes.io/port_{port}_health-probe_port, "
            "_health-probe_protocol and _health-probe_request-path for each Service port",
            "read_from": ["service"],
            # One probe per Service port: {port} is each port of the gateway Service but the
            # status port (cloud-provider-azure azure_loadbalancer_healthprobe.go).
            "per_port": True,
            "port_annotation": "service.beta.kubernetes.io/port_{port}_health-probe_port",
            "path_annotation": "service.beta.kubernetes.io/port_{port}_health-probe_request-path",
            "path_fallback": "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path",
            "protocol_annotation": "service.beta.kubernetes.io/port_{port}_health-probe_protocol",
            "protocol_fallback": "service.beta.kubernetes.io/azure-load-balancer-health-probe-protocol",
            # A Service port number (or name): the provider probes that port's NodePort.
            "port_value": "service_port",
            "plan": {"on": "service", "protocol": "http", "xff_hops": 0},
            "planned_by": "the chained_gateway plan sets them on the gateway Service for each of "
            "its ports (port 15021, http, /healthz/ready)",
        },
    },
]
