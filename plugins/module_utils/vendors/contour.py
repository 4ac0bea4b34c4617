# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Contour (projectcontour).

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "contour",
        "plan": {
            # bitnami/contour, the common chart: its Envoy (data plane) and Contour (control
            # plane) have keys of their own.
            "helm": {
                "chart": "bitnami/contour",
                "roles": {
                    "data-plane": {
                        "pod_labels": "envoy.podLabels",
                        "pod_annotations": "envoy.podAnnotations",
                    },
                    "control-plane": {
                        "pod_labels": "contour.podLabels",
                        "pod_annotations": "contour.podAnnotations",
                    },
                },
            },
            # It must be told to follow ExternalName Services (chained mode's bridge).
            "external_name_services": True,
            "switch": [],
            "host_rewrite": [
                {"on": "HTTPProxy", "target": "route_nested_header", "field": "routes"}
            ],
        },
        "name": "Contour (projectcontour)",
        "kind": "in-cluster",
        "ingress_class_controllers": ["projectcontour.io/"],
        # Contour matches Ingress classes by name (--ingress-class-name, default "contour"),
        # not by IngressClass spec.controller; its Gateway controller is projectcontour.io/gateway-controller.
        "gateway_class_controllers": ["projectcontour.io/"],
        "class_names": ["contour"],
        # --ingress-class-name unset: Ingresses of class "contour" (and those with no class).
        "default_ingress_class": "contour",
        # On the contour Deployment; its Envoy in the same namespace serves those classes.
        "class_args": {"ingress_class": ["--ingress-class-name"]},
        "annotation_prefixes": ["projectcontour.io/"],
        "route_kinds": {
            "projectcontour.io/HTTPProxy": {
                "plural": "httpproxies",
                "patched": True,
                "plan_fields": ["routes"],
                "backends": "spec.routes[].services[].{service: name, port: port}",
                "hosts": "[spec.virtualhost.fqdn]",
            },
        },
        "workload_signals": [
            # The Envoy DaemonSet carries a contour "shutdown-manager" container: data plane.
            {
                "image": r"(^|/)contour$",
                "with_image": r"(^|/)envoy(-distroless)?$",
                "role": "data-plane",
            },
            {
                "command": r"(^|[\s/])contour (envoy shutdown-manager|bootstrap)(\s|$)",
                "role": "data-plane",
            },
            {"image": r"(^|/)contour$", "role": "control-plane"},
            {"command": r"(^|[\s/])contour serve(\s|$)", "role": "control-plane"},
            {"chart": r"^contour-\d", "role": "control-plane", "weak": True},
            {"labels": {"app": "contour"}, "role": "control-plane", "weak": True},
            {
                "labels": {"app.kubernetes.io/name": "contour"},
                "role": "control-plane",
                "weak": True,
            },
            {"container": r"^shutdown-manager$", "role": "data-plane"},
        ],
        # The Envoy pod's preStop "contour envoy shutdown" waits --drain-delay, fails Envoy's
        # health checks, waits --check-delay, then polls until the open connections are down
        # to --min-open-connections, however long that takes (cmd/contour/shutdownmanager.go:
        # both delays default 0s). Only the delays are known in advance.
        "shutdown": {
            "flags": [
                {
                    "in": "pre_stop",
                    "command": r"(^|[\s/])contour envoy shutdown(\s|$)",
                    "flag": r"--drain-delay",
                    "unit": "duration",
                },
                {
                    "in": "pre_stop",
                    "command": r"(^|[\s/])contour envoy shutdown(\s|$)",
                    "flag": r"--check-delay",
                    "unit": "duration",
                },
            ],
        },
        "service_routing": {"switch": None, "default": False},
    },
]
