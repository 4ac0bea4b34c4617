# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Kong Ingress Controller.

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "kong",
        "plan": {
            # Its default podAnnotations already hold includeInboundPorts: "" (values merge).
            "helm": {
                "chart": "kong/kong",
                "pod_labels": "podLabels",
                "pod_annotations": "podAnnotations",
            },
            "switch": [
                {
                    "on": "*",
                    "target": "backend_service",
                    "annotations": {"ingress.kubernetes.io/service-upstream": "true"},
                },
            ],
        },
        "name": "Kong Ingress Controller",
        "kind": "in-cluster",
        "ingress_class_controllers": ["ingress-controllers.konghq.com/kong"],
        "gateway_class_controllers": ["konghq.com/kic-gateway-controller"],
        "class_names": ["kong"],
        "annotation_prefixes": ["konghq.com/"],
        "route_kinds": {
            "configuration.konghq.com/TCPIngress": {
                "plural": "tcpingresses",
                "backends": "spec.rules[].backend.{service: serviceName, port: servicePort}",
                "hosts": "spec.rules[].host",
            },
            "configuration.konghq.com/UDPIngress": {
                "plural": "udpingresses",
                "backends": "spec.rules[].backend.{service: serviceName, port: servicePort}",
                "hosts": "[]",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)kong(-gateway|-enterprise-edition)?$", "role": "data-plane"},
            {"image": r"(^|/)(kubernetes|kong)-ingress-controller$", "role": "control-plane"},
            # Kong reads its configuration from KONG_* variables, its controller from CONTROLLER_*.
            {"env": r"^KONG_(PROXY_LISTEN|ADMIN_LISTEN|DATABASE)$", "role": "data-plane"},
            {"env": r"^CONTROLLER_KONG_ADMIN_URL$", "role": "control-plane"},
            {"labels": {"app.kubernetes.io/name": "kong"}, "role": "all-in-one"},
            {"chart": r"^kong-\d", "role": "all-in-one", "weak": True},
        ],
        "class_args": {"ingress_class": ["CONTROLLER_INGRESS_CLASS", "--ingress-class"]},
        # Its chart's preStop runs "kong quit": it waits --wait seconds (default 0), sends
        # nginx QUIT and stops it by force after --timeout seconds (default 10; kong/cmd/quit.lua).
        # nginx's own worker_shutdown_timeout is cut short by that timeout.
        "shutdown": {
            "flags": [
                {
                    "in": "pre_stop",
                    "command": r"(^|[\s/])kong quit(\s|$)",
                    "flag": r"--wait|-w",
                    "name": "kong quit --wait",
                    "unit": "seconds",
                },
                {
                    "in": "pre_stop",
                    "command": r"(^|[\s/])kong quit(\s|$)",
                    "flag": r"--timeout|-t",
                    "name": "kong quit --timeout",
                    "unit": "seconds",
                    "default": 10,
                },
            ],
        },
        "service_routing": {
            "switch": 'Service annotation ingress.kubernetes.io/service-upstream: "true" on each backend Service',
            "default": False,
        },
        "host_rewrite": {
            "also": {"backend_service": ['metadata.annotations."konghq.com/host-header"']}
        },
    },
]
