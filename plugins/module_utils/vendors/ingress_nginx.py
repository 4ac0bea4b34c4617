# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""ingress-nginx (kubernetes/ingress-nginx).

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "ingress-nginx",
        "plan": {
            "switch": [
                {
                    "on": "Ingress",
                    "target": "route",
                    "annotations": {"nginx.ingress.kubernetes.io/service-upstream": "true"},
                    # Without it the sidecar sees the client's Host, matches no Service and sends
                    # plaintext through PassthroughCluster (ingress-nginx#3171).
                    "host_annotation": "nginx.ingress.kubernetes.io/upstream-vhost",
                },
            ],
            "global_switch": "configmap",
            # chained mode with TLS to the Istio gateway: what makes the LB speak HTTPS upstream
            "backend_tls": {
                "target": "route",
                "annotations": {"nginx.ingress.kubernetes.io/backend-protocol": "HTTPS"},
            },
            "helm": {
                "chart": "ingress-nginx/ingress-nginx",
                "pod_annotations": "controller.podAnnotations",
                "pod_labels": "controller.podLabels",
                "config": "controller.config",
                "job_labels": "controller.admissionWebhooks.patch.labels",
            },
        },
        "name": "ingress-nginx (kubernetes/ingress-nginx)",
        "kind": "in-cluster",
        "ingress_class_controllers": ["k8s.io/ingress-nginx"],
        "class_names": ["nginx"],
        "annotation_prefixes": ["nginx.ingress.kubernetes.io/"],
        "workload_signals": [
            {"image": r"(^|/)ingress-nginx/controller(-chroot)?$", "role": "all-in-one"},
            # bitnami's nginx-ingress-controller, chainguard's ingress-nginx-controller(-fips)
            {
                "image": r"(^|/)(nginx-ingress|ingress-nginx)-controller(-[a-z0-9]+)?$",
                "role": "all-in-one",
            },
            # Whatever the image is called: its entry point, or its own controller class.
            {"command": r"(^|[\s/])nginx-ingress-controller(\s|$)", "role": "all-in-one"},
            {
                "command": r"(^|\s)--controller-class=k8s\.io/ingress-nginx(\s|$)",
                "role": "all-in-one",
            },
            {
                "labels": {
                    "app.kubernetes.io/name": "ingress-nginx",
                    "app.kubernetes.io/component": "controller",
                },
                "role": "all-in-one",
            },
            {"chart": r"^ingress-nginx-\d", "role": "all-in-one", "weak": True},
        ],
        "class_args": {
            "ingress_class": ["--ingress-class"],
            "controller_class": ["--controller-class"],
        },
        "helper_jobs": [r"(^|/)kube-webhook-certgen$", r"admission-(create|patch)$"],
        "webhook_ports": [8443],
        "service_routing": {
            "switch": 'Ingress annotation nginx.ingress.kubernetes.io/service-upstream: "true" '
            '(or controller ConfigMap key service-upstream: "true")',
            "configmap": {"arg": "--configmap", "key": "service-upstream", "value": "true"},
            "default": False,
        },
        # The X-Forwarded-For it sends on: the one it received with its peer appended only when
        # both controller ConfigMap keys are "true", else one entry (its peer's address, or the
        # client's that use-forwarded-headers took from it): rootfs/etc/nginx/template/nginx.tmpl.
        "xff": {
            "appends_when": {
                "configmap": {"use-forwarded-headers": "true", "compute-full-forwarded-for": "true"}
            },
            "switch": 'controller ConfigMap keys use-forwarded-headers and compute-full-forwarded-for: "true"',
        },
        # What its shutdown waits for (docs/vendor-facts.md): it sleeps --shutdown-grace-period,
        # quits nginx, whose workers finish their requests for up to worker-shutdown-timeout
        # (controller ConfigMap; internal/ingress/controller/config/config.go: 240s), then
        # waits --post-shutdown-grace-period (pkg/flags/flags.go).
        "shutdown": {
            "flags": [
                {"flag": r"--shutdown-grace-period", "unit": "seconds", "default": 0},
                {
                    "in": "configmap",
                    "arg": "--configmap",
                    "key": "worker-shutdown-timeout",
                    "unit": "duration",
                    "default": 240,
                },
                {"flag": r"--post-shutdown-grace-period", "unit": "seconds", "default": 10},
            ],
        },
        # service-upstream finds no ClusterIP and falls back to the Service's endpoints
        # (kubernetes/ingress-nginx internal/ingress/controller/controller.go createUpstreams).
        "headless_service": "falls back to the pod IPs (plain endpoints), so Service routing is "
        "silently off for it",
        "retired": "ingress-nginx is retired: best-effort maintenance ended in March 2026 (no more "
        "releases or security fixes). Plan a migration (Istio Gateway API, or another vendor).",
    },
]
