# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Which annotations a result may carry: the keys the vendor entries, plans and health checks
read, and known prefixes; values redacted."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import ISTIO
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.registry import VENDORS
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.switches import (
    routing_checks,
)

# Annotations worth reporting in results (everything the catalog, the plans and the health
# checks read). Others - configuration snippets, auth URLs - may carry credentials and are
# never copied into results.
_REPORTED_PREFIXES = (
    "kubernetes.io/ingress.",
    "cloud.google.com/",
    "beta.cloud.google.com/",
    "networking.gke.io/",
    "service.beta.kubernetes.io/",
    "alb.ingress.kubernetes.io/healthcheck-",
    "alb.ingress.kubernetes.io/target-type",
    "alb.ingress.kubernetes.io/backend-protocol",
    "appgw.ingress.kubernetes.io/health-probe-",
    "appgw.ingress.kubernetes.io/backend-protocol",
    "meta.helm.sh/",
    "argocd.argoproj.io/",
) + tuple(ISTIO["pod_annotation_prefixes"])


def _reported_keys():
    keys = {"ingressclass.kubernetes.io/is-default-class"}
    for entry in VENDORS:
        spec = entry.get("plan") or {}
        for item in list(spec.get("switch", ())) + list(spec.get("host_rewrite", ())):
            keys.update((item.get("annotations") or {}).keys())
            if item.get("annotation"):
                keys.add(item["annotation"])
        checks = routing_checks(entry)
        exprs = [
            e
            for part in ("service_routing", "host_rewrite")
            for scope in ("route", "backend_service")
            for e in checks[part].get(scope, ())
        ]
        for expr in exprs:
            for part in expr.split('"')[1::2]:
                if "/" in part:
                    keys.add(part)
    return frozenset(keys)


_REPORTED_KEYS = _reported_keys()


def reported_annotations(annotations):
    """The annotations a result may carry: known keys and prefixes only, values redacted."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.redact import redact

    out = {}
    for key, value in (annotations or {}).items():
        if key in _REPORTED_KEYS or key.startswith(_REPORTED_PREFIXES):
            out[key] = redact(value) if isinstance(value, str) else value
    return out
