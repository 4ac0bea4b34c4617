# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""HAProxy Kubernetes Ingress Controller (haproxytech).

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "haproxytech",
        "plan": {
            "helm": {
                "chart": "haproxytech/kubernetes-ingress",
                "pod_labels": "controller.podLabels",
                "pod_annotations": "controller.podAnnotations",
                "pods_also": "the chart's CRD Job pods get them too (a classic sidecar keeps that "
                "Job from finishing)",
            },
            "switch": [],
            "host_rewrite": [
                {
                    "on": "Ingress",
                    "target": "route_annotation",
                    "annotation": "haproxy.org/set-host",
                }
            ],
        },
        "name": "HAProxy Kubernetes Ingress Controller (haproxytech)",
        "kind": "in-cluster",
        "ingress_class_controllers": ["haproxy.org/ingress-controller"],
        "class_names": ["haproxy"],
        "annotation_prefixes": ["haproxy.org/"],
        "workload_signals": [
            {"image": r"(^|/)haproxytech/kubernetes-ingress$", "role": "all-in-one"},
            # Its flags (--ingress.class with a dot is its own spelling).
            {
                "command": r"(^|\s)--(ingress\.class|http-bind-port|https-bind-port|quic-bind-port)=",
                "role": "all-in-one",
            },
            {"chart": r"^kubernetes-ingress-\d", "role": "all-in-one", "weak": True},
            {"labels": {"app.kubernetes.io/name": "kubernetes-ingress"}, "role": "all-in-one"},
        ],
        "class_args": {"ingress_class": ["--ingress.class"]},
        "service_routing": {"switch": None, "default": False},
    },
]
