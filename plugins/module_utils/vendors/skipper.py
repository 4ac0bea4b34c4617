# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Skipper (zalando).

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "skipper",
        "plan": {"switch": []},
        "name": "Skipper (zalando)",
        "kind": "in-cluster",
        "class_names": ["skipper"],
        # -kubernetes-ingress-class defaults to "skipper" (a regex); it creates no IngressClass.
        "default_ingress_class": "skipper",
        "annotation_prefixes": ["zalando.org/"],
        "route_kinds": {
            "zalando.org/RouteGroup": {
                "plural": "routegroups",
                "backends": "spec.backends[?type == 'service'].{service: serviceName, port: servicePort}",
                "hosts": "spec.hosts",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)skipper(-ingress)?$", "role": "all-in-one"},
            {"command": r"(^|[\s/])skipper(\s.*)?\s-kubernetes(\s|$)", "role": "all-in-one"},
            {"labels": {"application": "skipper-ingress"}, "role": "all-in-one", "weak": True},
        ],
        "class_args": {
            "ingress_class": ["-kubernetes-ingress-class", "--kubernetes-ingress-class"]
        },
        # On SIGTERM it keeps serving, failing its health check, for
        # -wait-for-healthcheck-interval before it shuts down (config/config.go: 45s).
        "shutdown": {
            "flags": [
                {
                    "flag": r"--?wait-for-healthcheck-interval",
                    "name": "-wait-for-healthcheck-interval",
                    "unit": "duration",
                    "default": 45,
                }
            ],
        },
        "service_routing": {"switch": None, "default": False},
    },
]
