# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Findings about a load balancer's workload and its helpers: Istio annotations on the
workload instead of its pods (MG0005), install Jobs that get a sidecar (MG0007)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import regex
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import injection_state
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    annotations_of,
    containers_of,
    name_of,
    namespace_of,
    ref,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import ISTIO
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.signals import (
    normalise_image,
)


def misplaced_annotation_findings(wl, findings):
    prefixes = ISTIO["pod_annotation_prefixes"]
    misplaced = sorted(k for k in annotations_of(wl) if any(k.startswith(p) for p in prefixes))
    if misplaced:
        findings.append(
            make_finding(
                "MG0005",
                ref(wl),
                workload="%s %s/%s" % (wl.get("kind"), namespace_of(wl), name_of(wl)),
                annotations=misplaced,
            )
        )


def helper_job_findings(idx, item, istio, findings):
    patterns = item["entry"].get("helper_jobs") or ()
    if not patterns:
        return
    ns = namespace_of(item["wl"])
    for job in idx.in_namespace("batch", "Job", ns):
        names = [normalise_image(c.get("image")) for c in containers_of(job)] + [name_of(job) or ""]
        if not any(regex(p).search(n) for p in patterns for n in names):
            continue
        inj = injection_state(job, istio)
        if inj["injection"] == "enabled":
            findings.append(
                make_finding(
                    "MG0007",
                    ref(job),
                    job="%s/%s" % (ns, name_of(job)),
                    vendor=item["vendor"],
                    namespace=ns,
                    injection=inj["source"],
                )
            )
