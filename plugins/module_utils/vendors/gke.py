# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Google Cloud: GKE Ingress (Application Load Balancer, MultiClusterIngress) and the GKE Gateway controller.

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "gke-ingress",
        # Its Ingresses are the Google load balancer gclb_chained puts in front of the gateway.
        "plan": {
            "switch": [],
            "gclb_edge": True,
            # What gclb_chained writes per Ingress class: the static IP annotation (an internal
            # LB's address is regional: kubernetes/ingress-gce pkg/loadbalancers/l7.go), and
            # whether a Google-managed certificate can serve it (external LBs only: GKE docs
            # "Using Google-managed SSL certificates").
            "ingress_classes": {
                "gce": {
                    "static_ip_annotation": "kubernetes.io/ingress.global-static-ip-name",
                    "managed_certificates": True,
                },
                "gce-internal": {
                    "static_ip_annotation": "kubernetes.io/ingress.regional-static-ip-name",
                    "managed_certificates": False,
                },
            },
        },
        # Its own kinds beyond routes: LISTed ("read"), or written by plans ("patched").
        "kinds": {
            "cloud.google.com/BackendConfig": {
                "plural": "backendconfigs",
                "read": True,
                "patched": True,
                "creates": True,
            },
            "networking.gke.io/MultiClusterService": {
                "plural": "multiclusterservices",
                "read": True,
            },
            "networking.gke.io/FrontendConfig": {
                "plural": "frontendconfigs",
                "patched": True,
                "creates": True,
            },
            "networking.gke.io/ManagedCertificate": {
                "plural": "managedcertificates",
                "patched": True,
                "creates": True,
            },
        },
        "name": "GKE Ingress (Google Cloud Application Load Balancer)",
        "kind": "cloud",
        "ingress_class_controllers": ["k8s.io/ingress-gce", "networking.gke.io/ingress-gce"],
        "class_names": ["gce", "gce-internal"],
        "annotation_prefixes": [
            "networking.gke.io/",
            "ingress.gcp.kubernetes.io/",
            "kubernetes.io/ingress.global-static-ip-name",
            "kubernetes.io/ingress.allow-http",
            "kubernetes.io/ingress.regional-static-ip-name",
        ],
        "route_kinds": {
            "networking.gke.io/MultiClusterIngress": {
                "plural": "multiclusteringresses",
                "backends": "[spec.template.spec.backend, spec.template.spec.rules[].http.paths[].backend][]"
                ".{service: serviceName, port: servicePort}",
                "hosts": "spec.template.spec.rules[].host",
            },
        },
        # A class-less Ingress whose backend Services carry these is served by GKE's controller.
        "backend_service_annotation_prefixes": [
            "cloud.google.com/backend-config",
            "beta.cloud.google.com/backend-config",
            "cloud.google.com/app-protocols",
        ],
        # Google's L7 load balancer appends "<client IP>, <load balancer IP>" to
        # X-Forwarded-For: the client is the 2nd entry from the right (docs/vendor-facts.md).
        "xff_hops": 2,
        "health_check": {
            "reader": "backend_config",
            "where": "BackendConfig (cloud.google.com/v1) spec.healthCheck referenced by the backend "
            "Service annotation cloud.google.com/backend-config",
            "planned_by": "the gclb_chained plan creates that BackendConfig",
        },
    },
    {
        "id": "gke-gateway",
        # Its own kinds beyond routes: LISTed ("read"), or written by plans ("patched").
        "kinds": {
            "networking.gke.io/HealthCheckPolicy": {
                "plural": "healthcheckpolicies",
                "read": True,
                "patched": True,
                "creates": True,
            }
        },
        "name": "GKE Gateway controller",
        "kind": "cloud",
        "gateway_class_controllers": ["networking.gke.io/gateway"],
        "gateway_class_prefixes": ["gke-l7-"],
        # Multi-cluster GatewayClasses (gke-l7-global-external-managed-mc, ...) route to, and
        # attach policies to, ServiceImports of the fleet, not Services (GKE "Configure Gateway
        # resources using Policies"; multi-cluster Gateways).
        "multi_cluster_classes": {
            "suffix": "-mc",
            "backend": {"group": "net.gke.io", "kind": "ServiceImport"},
        },
        "xff_hops": 2,  # the same Google front ends as gke-ingress
        "health_check": {
            "reader": "health_check_policy",
            "where": "HealthCheckPolicy (networking.gke.io/v1) targeting the backend Service",
            "planned_by": "the gclb_chained plan (gke_gateway_class) creates that HealthCheckPolicy",
        },
    },
]
