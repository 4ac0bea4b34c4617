# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Findings about a load balancer's workload and its helpers: a retired project (MG0008), Istio
annotations on the workload instead of its pods (MG0005), install Jobs that get a sidecar
(MG0007), nothing serving (MG0015). Stage lb (rule.py)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import regex
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.rule import Rule
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import injection_state
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.native_sidecars import (
    NATIVE,
    classic_args,
    decision_for,
    template_kind,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    annotations_of,
    containers_of,
    name_of,
    namespace_of,
    ref,
    workload_readiness,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import ISTIO
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.signals import (
    normalise_image,
)


def _args(state):
    return {"lb": state["label"], "vendor": state["item"]["vendor"]}


def _retired(idx, state, istio):
    entry = state["item"]["entry"]
    if not entry.get("retired"):
        return []
    return [
        make_finding("MG0008", ref(state["item"]["wl"]), retired=entry["retired"], **_args(state))
    ]


def _misplaced_annotations(idx, state, istio):
    wl = state["item"]["wl"]
    findings = []
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
    return findings


def _helper_jobs(idx, state, istio):
    item = state["item"]
    findings = []
    patterns = item["entry"].get("helper_jobs") or ()
    if not patterns:
        return findings
    ns = namespace_of(item["wl"])
    for job in idx.in_namespace("batch", "Job", ns):
        names = [normalise_image(c.get("image")) for c in containers_of(job)] + [name_of(job) or ""]
        if not any(regex(p).search(n) for p in patterns for n in names):
            continue
        inj = injection_state(job, istio)
        if inj["injection"] != "enabled":
            continue
        # A native sidecar ends with the Job's containers: the Job finishes.
        kind, evidence = template_kind(job, decision_for(istio["native_sidecars"], inj["revision"]))
        if kind == NATIVE:
            continue
        findings.append(
            make_finding(
                "MG0007",
                ref(job),
                job="%s/%s" % (ns, name_of(job)),
                vendor=item["vendor"],
                namespace=ns,
                injection=inj["source"],
                **classic_args(kind, evidence),
            )
        )
    return findings


def _not_serving(idx, state, istio):
    wl = state["item"]["wl"]
    if state["item"]["role"] == "control-plane":
        return []  # the data-plane pods are not in the input: nothing to say of them
    desired, ready = workload_readiness(wl)
    if desired == 0 or (desired and ready == 0):
        return [make_finding("MG0015", ref(wl), replicas=desired, ready=0, **_args(state))]
    return []


RULES = (
    Rule(("MG0008",), "lb", "the vendor entry's retired text", _retired),
    Rule(("MG0005",), "lb", "the LB workload's own annotations", _misplaced_annotations),
    Rule(
        ("MG0007",),
        "lb",
        "Jobs in the LB's namespace that match the entry's helper_jobs; their injection and "
        "sidecar kind (detect/native_sidecars.py)",
        _helper_jobs,
    ),
    Rule(("MG0015",), "lb", "the LB workload's replicas and ready count", _not_serving),
)
