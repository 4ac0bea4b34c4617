# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""F5 NGINX Ingress Controller (nginx/kubernetes-ingress).

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "nginx-inc",
        "plan": {
            "helm": {
                "chart": "nginx-stable/nginx-ingress",
                "pod_labels": "controller.pod.extraLabels",
                "pod_annotations": "controller.pod.annotations",
            },
            "switch": [
                {
                    "on": "Ingress",
                    "target": "route",
                    "annotations": {"nginx.org/use-cluster-ip": "true"},
                },
                {
                    "on": "VirtualServer",
                    "target": "route_list",
                    "field": "upstreams",
                    "set": {"use-cluster-ip": True},
                },
                {
                    "on": "VirtualServerRoute",
                    "target": "route_list",
                    "field": "upstreams",
                    "set": {"use-cluster-ip": True},
                },
            ],
            # Only NGINX Plus (with a resolver) follows an ExternalName Service; the open-source
            # edition cannot (examples/ingress-resources/externalname-services/README.md).
            "external_name_editions": ["plus"],
        },
        # NGINX Plus runs the nginx-plus-ingress image or the -nginx-plus arg.
        "editions": {
            "plus": {
                "name": "NGINX Plus",
                "image": r"(^|/)nginx-plus-ingress$",
                "args": ["-nginx-plus"],
            }
        },
        "name": "F5 NGINX Ingress Controller (nginx/kubernetes-ingress)",
        "kind": "in-cluster",
        "ingress_class_controllers": ["nginx.org/ingress-controller"],
        "class_names": ["nginx"],
        "annotation_prefixes": ["nginx.org/", "nginx.com/"],
        "route_kinds": {
            "k8s.nginx.org/VirtualServer": {
                "plural": "virtualservers",
                "patched": True,
                "plan_fields": ["upstreams"],
                "backends": "spec.upstreams[].{service: service, port: port}",
                "hosts": "[spec.host]",
            },
            "k8s.nginx.org/VirtualServerRoute": {
                "plural": "virtualserverroutes",
                "patched": True,
                "plan_fields": ["upstreams"],
                "backends": "spec.upstreams[].{service: service, port: port}",
                "hosts": "[spec.host]",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)nginx-(plus-)?ingress$", "role": "all-in-one"},
            # Its flags, single-dash: -nginx-configmaps, -nginx-plus.
            {"command": r"(^|\s)-(nginx-configmaps|nginx-plus)(=|\s|$)", "role": "all-in-one"},
            {"chart": r"^nginx-ingress-\d", "role": "all-in-one", "weak": True},
            {"labels": {"app.kubernetes.io/name": "nginx-ingress"}, "role": "all-in-one"},
        ],
        "class_args": {"ingress_class": ["-ingress-class", "--ingress-class"]},
        "service_routing": {
            "switch": 'Ingress annotation nginx.org/use-cluster-ip: "true" (NIC >= 3.5.0); '
            "VirtualServer upstreams[].use-cluster-ip: true",
            "default": False,
        },
        "host_rewrite": {
            "also": {
                "route": [
                    "spec.routes[].action.proxy.requestHeaders.set[?name == 'Host'][] | length(@) > `0`"
                ]
            }
        },
    },
]
