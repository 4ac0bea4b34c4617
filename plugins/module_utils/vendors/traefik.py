# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Traefik Proxy.

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "traefik",
        "plan": {
            # It must be told to follow ExternalName Services (chained mode's bridge).
            "external_name_services": True,
            "switch": [
                {
                    "on": "Ingress",
                    "target": "backend_service",
                    "annotations": {"traefik.ingress.kubernetes.io/service.nativelb": "true"},
                },
                {
                    "on": "IngressRoute",
                    "target": "route_nested",
                    "field": "routes",
                    "nested": "services",
                    "set": {"nativeLB": True},
                },
            ],
        },
        "name": "Traefik Proxy",
        "kind": "in-cluster",
        "ingress_class_controllers": ["traefik.io/ingress-controller"],
        "gateway_class_controllers": ["traefik.io/gateway-controller"],
        "class_names": ["traefik"],
        "annotation_prefixes": ["traefik.ingress.kubernetes.io/", "traefik.io/"],
        "route_kinds": {
            "traefik.io/IngressRoute": {
                "plural": "ingressroutes",
                "patched": True,
                "plan_fields": ["routes"],
                "backends": "spec.routes[].services[?!kind || kind == 'Service'][].{service: name, port: port, namespace: namespace}",
                # The hosts are in the match rules: Host(`a`) || Host(`b`), or Host(`a`, `b`) (v2).
                "hosts": "spec.routes[].match",
                "hosts_pattern": r"\bHost\(([^)]*)\)",
            },
            "traefik.containo.us/IngressRoute": {
                "plural": "ingressroutes",
                "patched": True,
                "plan_fields": ["routes"],
                "backends": "spec.routes[].services[?!kind || kind == 'Service'][].{service: name, port: port, namespace: namespace}",
                # The hosts are in the match rules: Host(`a`) || Host(`b`), or Host(`a`, `b`) (v2).
                "hosts": "spec.routes[].match",
                "hosts_pattern": r"\bHost\(([^)]*)\)",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)(mirrored-library-)?traefik$", "role": "all-in-one"},
            {"labels": {"app.kubernetes.io/name": "traefik"}, "role": "all-in-one"},
        ],
        "class_args": {"ingress_class": ["--providers.kubernetesingress.ingressclass"]},
        "service_routing": {
            "switch": 'Service annotation traefik.ingress.kubernetes.io/service.nativelb: "true"; '
            "IngressRoute services[].nativeLB: true (both Traefik >= 2.10); or provider "
            "nativeLBByDefault (Traefik >= 3.0)",
            "also": {"workload": ["contains(join(' ', args), 'nativelbbydefault=true')"]},
            "default": False,
        },
        # With nativeLB a headless Service is an error ("no clusterIP on headless service":
        # traefik/traefik pkg/provider/kubernetes getNativeServiceAddress).
        "headless_service": "rejects such a backend with an error (no clusterIP on headless "
        "service), so the route serves nothing",
    },
]
