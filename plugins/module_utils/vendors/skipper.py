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
        "annotation_prefixes": ["zalando.org/"],
        "route_kinds": {
            "zalando.org/RouteGroup": {
                "plural": "routegroups",
                "backends": "spec.backends[?type == 'service'].{service: serviceName, port: servicePort}",
                "hosts": "spec.hosts",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)(teapot|pathfinder)/skipper(-ingress)?$", "role": "all-in-one"},
            {"image": r"(^|/)skipper$", "role": "all-in-one"},
            {"labels": {"application": "skipper-ingress"}, "role": "all-in-one"},
        ],
        "class_args": {
            "ingress_class": ["-kubernetes-ingress-class", "--kubernetes-ingress-class"]
        },
        "service_routing": {"switch": None, "default": False},
    },
]
