# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Emissary-ingress / Ambassador.

Data only (schema: vendors/schema.py; sources: docs/vendor-facts.md).
"""

from __future__ import annotations

ENTRIES = [
    {
        "id": "emissary",
        # Its own kinds beyond routes: LISTed ("read"), or written by plans ("patched").
        "kinds": {"getambassador.io/Module": {"plural": "modules", "read": True}},
        "plan": {
            "switch": [],
            # It routes to Services unless told otherwise: what a plan says instead of a switch.
            "default_service_routing": "Emissary routes to Services by default "
            "(KubernetesServiceResolver); keep endpoint resolvers out of Module/Mapping objects.",
            "helm": {
                "chart": "emissary/emissary-ingress",
                "pod_labels": "podLabels",
                "pod_annotations": "podAnnotations",
            },
        },
        "name": "Emissary-ingress / Ambassador",
        # The route spec field that names its resolver: an endpoint resolver bypasses the
        # Service (MG0009).
        "resolver_field": "resolver",
        "kind": "in-cluster",
        "ingress_class_controllers": ["getambassador.io/ingress-controller"],
        # Installs tell themselves apart by AMBASSADOR_ID (default "default"): a resource is
        # served by the installs its spec.ambassador_id lists (an Ingress: its
        # getambassador.io/ambassador-id annotation), with none by the "default" one
        # (python/ambassador/config/config.py, fetch/k8sobject.py; the CRDs' ambassador_id).
        "install_id": {
            "env": "AMBASSADOR_ID",
            "role": "all-in-one",  # not its agent's
            "default": "default",
            "route": [
                "spec.ambassador_id",
                'metadata.annotations."getambassador.io/ambassador-id"',
            ],
            "route_default": ["default"],
        },
        "class_names": ["ambassador", "emissary"],
        "annotation_prefixes": ["getambassador.io/"],
        "route_kinds": {
            "getambassador.io/Mapping": {
                "plural": "mappings",
                "backends": "[{service: spec.service}]",
                "hosts": "[spec.hostname || spec.host]",
            },
            "getambassador.io/TCPMapping": {
                "plural": "tcpmappings",
                "backends": "[{service: spec.service}]",
                "hosts": "[spec.host]",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)(emissary|ambassador|aes)$", "role": "all-in-one"},
            {"labels": {"app.kubernetes.io/name": "emissary-ingress"}, "role": "all-in-one"},
            {
                "labels": {"app.kubernetes.io/managed-by": "getambassador.io", "profile": "main"},
                "role": "all-in-one",
            },
            {"labels": {"service": "ambassador"}, "role": "all-in-one", "weak": True},
            {"env": r"^AMBASSADOR_(NAMESPACE|ID|SINGLE_NAMESPACE)$", "role": "all-in-one"},
            {"chart": r"^emissary-ingress-\d", "role": "all-in-one", "weak": True},
            {
                "labels": {"app.kubernetes.io/name": "emissary-ingress-agent"},
                "role": "control-plane",
                "decides_role": True,
            },
            {
                "labels": {"app.kubernetes.io/name": "emissary-apiext"},
                "role": "control-plane",
                "decides_role": True,
            },
        ],
        "service_routing": {
            "switch": "default (KubernetesServiceResolver); broken by a Module/Mapping resolver that "
            "points at a KubernetesEndpointResolver",
            "also": {"route": ["!(spec.resolver && contains(spec.resolver, 'endpoint'))"]},
            "default": True,
        },
    },
]
