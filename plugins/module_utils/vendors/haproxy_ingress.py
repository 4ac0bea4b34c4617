# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""HAProxy Ingress (jcmoraisjr/haproxy-ingress).

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "haproxy-ingress",
        "plan": {
            "helm": {
                "chart": "haproxy-ingress/haproxy-ingress",
                "pod_labels": "controller.podLabels",
                "pod_annotations": "controller.podAnnotations",
                "config": "controller.config",
            },
            "switch": [
                {
                    "on": "Ingress",
                    "target": "route",
                    "annotations": {"haproxy-ingress.github.io/service-upstream": "true"},
                },
            ],
        },
        "name": "HAProxy Ingress (jcmoraisjr/haproxy-ingress)",
        "kind": "in-cluster",
        "ingress_class_controllers": ["haproxy-ingress.github.io/controller"],
        "class_names": ["haproxy"],
        # --ingress-class defaults to "haproxy".
        "default_ingress_class": "haproxy",
        "annotation_prefixes": ["haproxy-ingress.github.io/"],
        "workload_signals": [
            {"image": r"(^|/)haproxy-ingress$", "role": "all-in-one"},
            {"labels": {"app.kubernetes.io/name": "haproxy-ingress"}, "role": "all-in-one"},
            {"chart": r"^haproxy-ingress-\d", "role": "all-in-one", "weak": True},
            # Flags of its own, but short and plain: not enough alone.
            {
                "command": r"(^|\s)--(sort-backends|reload-strategy|master-worker)(=|\s|$)",
                "role": "all-in-one",
                "weak": True,
            },
        ],
        "class_args": {
            "ingress_class": ["--ingress-class"],
            "controller_class": ["--controller-class"],
        },
        # It waits --wait-before-shutdown seconds (default 0) after SIGTERM before it stops
        # (docs/content/en/docs/configuration/command-line.md).
        "shutdown": {
            "flags": [{"flag": r"--wait-before-shutdown", "unit": "seconds"}],
        },
        "service_routing": {
            "switch": 'annotation haproxy-ingress.github.io/service-upstream: "true" (Ingress or Service; '
            "legacy prefix ingress.kubernetes.io/; global ConfigMap key service-upstream)",
            # Recognised, never written: the legacy prefix, and the annotation on the Services.
            "also": {
                "route": [
                    "metadata.annotations.\"ingress.kubernetes.io/service-upstream\" == 'true'"
                ],
                "backend_service": [
                    "metadata.annotations.\"haproxy-ingress.github.io/service-upstream\" == 'true'",
                    "metadata.annotations.\"ingress.kubernetes.io/service-upstream\" == 'true'",
                ],
            },
            "configmap": {"arg": "--configmap", "key": "service-upstream", "value": "true"},
            "default": False,
        },
    },
]
