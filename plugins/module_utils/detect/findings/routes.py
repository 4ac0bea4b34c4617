# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Findings about routes themselves: no or several possible vendors (MG0012, MG0019), an
endpoint resolver that bypasses the Service (MG0009). Stage route_page (rule.py)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import Rule
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.routes import route_ref
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry


def _vendor_unknown(idx, routes):
    findings = []
    for r in routes:
        if r["kind"] not in ("Ingress",):
            continue
        if r.get("vendor_candidates") and not r["vendor"]:
            findings.append(
                make_finding(
                    "MG0012",
                    route_ref(r),
                    route="%s %s/%s" % (r["kind"], r["namespace"], r["name"]),
                    klass=r["class"],
                    candidates=r["vendor_candidates"],
                )
            )
        elif not r["vendor"] and not r.get("vendor_candidates"):
            findings.append(
                make_finding(
                    "MG0019",
                    route_ref(r),
                    route="%s %s/%s" % (r["kind"], r["namespace"], r["name"]),
                )
            )
    return findings


def _endpoint_resolver(idx, routes):
    findings = []
    for r in routes:
        field = (registry.VENDORS_BY_ID.get(r["vendor"]) or {}).get("resolver_field")
        if field:
            resolver = (r["_obj"].get("spec") or {}).get(field)
            resolver = resolver if isinstance(resolver, str) else ""
            if "endpoint" in resolver.lower():
                findings.append(
                    make_finding(
                        "MG0009",
                        route_ref(r),
                        route="%s %s/%s" % (r["kind"], r["namespace"], r["name"]),
                        resolver=resolver,
                        vendor=r["vendor"],
                    )
                )
    return findings


RULES = (
    Rule(
        ("MG0012", "MG0019"),
        "route_page",
        "each Ingress's class, its vendor candidates (detect/classes.py)",
        _vendor_unknown,
    ),
    Rule(
        ("MG0009",),
        "route_page",
        "the route spec field its vendor's entry names as resolver_field",
        _endpoint_resolver,
    ),
)
