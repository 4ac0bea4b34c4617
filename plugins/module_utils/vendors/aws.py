# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""AWS: the Load Balancer Controller's ALB (Ingress) and NLB (Service annotations).

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "aws-alb",
        "name": "AWS Load Balancer Controller (ALB via Ingress)",
        "kind": "cloud",
        "ingress_class_controllers": ["ingress.k8s.aws/alb"],
        "gateway_class_controllers": ["gateway.k8s.aws/alb"],
        "class_names": ["alb"],
        "annotation_prefixes": ["alb.ingress.kubernetes.io/"],
        "workload_signals": [
            {"image": r"(^|/)(eks/)?aws-load-balancer-controller$", "role": "control-plane"},
            {"image": r"(^|/)aws-alb-ingress-controller$", "role": "control-plane"},
            {"chart": r"^aws-load-balancer-controller-\d", "role": "control-plane"},
        ],
        "class_args": {"ingress_class": ["--ingress-class"]},
        "health_check": {
            "where": "annotations alb.ingress.kubernetes.io/healthcheck-port and healthcheck-path "
            "(on the Ingress or the backend Service)",
            "port_annotation": "alb.ingress.kubernetes.io/healthcheck-port",
            "path_annotation": "alb.ingress.kubernetes.io/healthcheck-path",
        },
    },
    {
        "id": "aws-nlb",
        "name": "AWS Network Load Balancer (Service annotations)",
        "kind": "cloud",
        # Values are compared after trimming white space (an upstream example carries "external ").
        "service_signals": [
            {"field": "spec.loadBalancerClass", "values": ["service.k8s.aws/nlb"]},
            {
                "annotation": "service.beta.kubernetes.io/aws-load-balancer-type",
                "values": ["external", "nlb", "nlb-ip"],
            },
        ],
        "gateway_class_controllers": ["gateway.k8s.aws/nlb"],
        "health_check": {
            "where": "Service annotations service.beta.kubernetes.io/aws-load-balancer-healthcheck-port / "
            "-healthcheck-path / -healthcheck-protocol",
            "port_annotation": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port",
            "path_annotation": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path",
        },
    },
]
