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
            "helm": {
                "chart": "traefik/traefik",
                "pod_labels": "deployment.podLabels",
                "pod_annotations": "deployment.podAnnotations",
                # Provider-wide Service routing (Traefik >= 3.0), instead of one annotation per
                # backend Service.
                "service_routing": {
                    "providers.kubernetesIngress.nativeLBByDefault": True,
                    "providers.kubernetesCRD.nativeLBByDefault": True,
                },
            },
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
            # Its static configuration flags (case-insensitive in Traefik).
            {
                "command": r"(^|\s)--(?i:providers\.kubernetes(ingress|crd|gateway|ingressnginx)"
                r"|entrypoints\.[\w-]+\.address)",
                "role": "all-in-one",
            },
            {"labels": {"app.kubernetes.io/name": "traefik"}, "role": "all-in-one"},
            {"chart": r"^traefik-\d", "role": "all-in-one", "weak": True},
        ],
        "class_args": {"ingress_class": ["--providers.kubernetesingress.ingressclass"]},
        # Traefik >= 3.5 serves ingress-nginx's Ingresses with its kubernetesIngressNGINX
        # provider (pkg/provider/kubernetes/ingress-nginx): class "nginx", controller
        # k8s.io/ingress-nginx by default; it reads ingress-nginx's service-upstream and
        # upstream-vhost annotations (annotations.go), not ingress-nginx's ConfigMap.
        "serves_classes_of": [
            {
                "vendor": "ingress-nginx",
                "provider": "kubernetesIngressNGINX",
                "enabled_by": r"(^|\s)--(?i:providers\.kubernetesingressnginx(=true|\.[\w.]+=\S*)?)(\s|$)",
                "class_args": {
                    "ingress_class": ["--providers.kubernetesingressnginx.ingressclass"],
                    "controller_class": ["--providers.kubernetesingressnginx.controllerclass"],
                },
                "default_class": "nginx",
                "default_controller": "k8s.io/ingress-nginx",
                "switch": 'Ingress annotation nginx.ingress.kubernetes.io/service-upstream: "true" '
                "(read by Traefik's kubernetesIngressNGINX provider)",
            },
        ],
        "service_routing": {
            "switch": 'Service annotation traefik.ingress.kubernetes.io/service.nativelb: "true"; '
            "IngressRoute services[].nativeLB: true (both Traefik >= 2.10); or provider "
            "nativeLBByDefault (Traefik >= 3.0)",
            "also": {"workload": ["contains(join(' ', args), 'nativelbbydefault=true')"]},
            "default": False,
        },
        # Each entry point keeps accepting for requestAcceptGraceTimeout, then serves what is
        # pending for graceTimeOut (default 10s); docs/vendor-facts.md.
        "shutdown": {
            "flags": [
                {
                    "flag": r"--entrypoints\.[^.=]+\.transport\.lifecycle\.requestacceptgracetimeout",
                    "name": "--entryPoints.<name>.transport.lifeCycle.requestAcceptGraceTimeout",
                    "unit": "duration",
                },
                {
                    "flag": r"--entrypoints\.[^.=]+\.transport\.lifecycle\.gracetimeout",
                    "name": "--entryPoints.<name>.transport.lifeCycle.graceTimeOut",
                    "unit": "duration",
                    "default": 10,
                },
            ],
        },
        # With nativeLB a headless Service is an error ("no clusterIP on headless service":
        # traefik/traefik pkg/provider/kubernetes getNativeServiceAddress).
        "headless_service": "rejects such a backend with an error (no clusterIP on headless "
        "service), so the route serves nothing",
    },
]
