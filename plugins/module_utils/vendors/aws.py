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
            {"chart": r"^aws-load-balancer-controller-\d", "role": "control-plane", "weak": True},
        ],
        "class_args": {"ingress_class": ["--ingress-class"]},
        "health_check": {
            "where": "annotations alb.ingress.kubernetes.io/healthcheck-port, healthcheck-path and "
            "healthcheck-protocol (on the Ingress or the backend Service; the Service's win)",
            # LBC: "Annotations applied to Service have higher priority over annotations applied
            # to Ingress" (docs/guide/ingress/annotations.md): later sources win.
            "read_from": ["route", "service"],
            "port_annotation": "alb.ingress.kubernetes.io/healthcheck-port",
            "path_annotation": "alb.ingress.kubernetes.io/healthcheck-path",
            "protocol_annotation": "alb.ingress.kubernetes.io/healthcheck-protocol",
            "protocol_default": "HTTP",
            # A named port is resolved to its NodePort (target-type instance) or its targetPort
            # (target-type ip), so the status port's name is right for both.
            "port_value": "name",
            "target_type": {
                "annotation": "alb.ingress.kubernetes.io/target-type",
                "default": "instance",
                "node": ["instance"],
                # instance targets need a NodePort or LoadBalancer Service
                "pod": "ip",
            },
            "plan": {"on": "route", "protocol": "HTTP", "xff_hops": 1},
            "planned_by": "the chained_gateway plan sets them on each ALB Ingress in front of the "
            "gateway (named status port, HTTP, /healthz/ready)",
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
            "read_from": ["service"],
            "port_annotation": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port",
            "path_annotation": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path",
            "protocol_annotation": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol",
            # LBC takes traffic-port or a number only (model_build_target_group.go): the status
            # port itself for ip targets, its NodePort for instance targets.
            "port_value": "number",
            "target_type": {
                "annotation": "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type",
                "default": "instance",
                "node": ["instance"],
                "pod": "ip",
                "implied": {"service.beta.kubernetes.io/aws-load-balancer-type": {"nlb-ip": "ip"}},
            },
            "plan": {
                "on": "service",
                "protocol": "HTTP",
                # NLB is L4: it adds no X-Forwarded-For entry.
                "xff_hops": 0,
                # These annotations are the AWS Load Balancer Controller's; the in-tree
                # controller's are not documented there: plans patch only the Services it serves.
                "requires": [
                    {
                        "annotation": "service.beta.kubernetes.io/aws-load-balancer-type",
                        "values": ["external", "nlb-ip"],
                    },
                    {"field": "load_balancer_class", "values": ["service.k8s.aws/nlb"]},
                ],
                "client_ip": "the NLB adds no X-Forwarded-For: the gateway sees the client IP only "
                "with proxy protocol (Service annotation service.beta.kubernetes.io/"
                'aws-load-balancer-proxy-protocol: "*" together with proxy.istio.io/config '
                "gatewayTopology.proxyProtocol: {} on the gateway pods) or, with instance targets, "
                "externalTrafficPolicy: Local",
            },
            "planned_by": "the chained_gateway plan sets them on the gateway Service (HTTP, "
            "/healthz/ready, the status port or, with instance targets, its NodePort)",
        },
    },
]
