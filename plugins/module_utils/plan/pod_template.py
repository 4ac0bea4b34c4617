# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The patch of a load balancer workload's pod template (labels and annotations: a rolling
restart), with its undo and GitOps forms; standalone_mtls and ambient both use it."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.envoyproxy import (
    envoyproxy_pod_template,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import workload_target
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.gitops import (
    gitops_alternative,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import meta


# Eight parameters, kept: each says one thing the patch needs - where (b, phase), whose (lb;
# entry for its Helm keys), what (labels, annotations) and why (reason, reference).
def pod_template_patch(b, phase, lb, entry, labels, annotations, reason, reference):
    """Patch the LB workload's pod template (rolling restart), with undo and GitOps forms; or,
    for a vendor that makes its data plane's workload from another object (plan
    "pod_template_in": Envoy Gateway's EnvoyProxy), that object."""
    owner = (entry.get("plan") or {}).get("pod_template_in")
    if owner and lb.get("role") == "data-plane":
        if envoyproxy_pod_template(b, phase, lb, owner, labels, annotations, reason):
            return
    current = lb.get("pod_template") or {"labels": {}, "annotations": {}}
    target = workload_target(lb)
    template_meta = {}
    if labels:
        template_meta["labels"] = labels
    if annotations:
        template_meta["annotations"] = annotations
    manifest = {
        "apiVersion": target["apiVersion"],
        "kind": target["kind"],
        "metadata": meta(target),
        "spec": {"template": {"metadata": template_meta}},
    }
    fields, restore = [], {}
    for section, values in (("labels", labels), ("annotations", annotations)):
        for key in sorted(values):
            path = "spec.template.metadata.%s.%s" % (section, key)
            fields.append(path)
            if key in current[section]:
                restore[path] = current[section][key]  # the value this replaces comes back on undo
    b.patch(
        phase,
        target,
        manifest,
        reason,
        reference,
        {"restart": True, "traffic": "rolling restart of the load balancer pods"},
        {"action": "remove-fields", "fields": fields, "restore": restore},
        owner=lb.get("owner") or lb.get("gitops"),
    )
    gitops_alternative(
        b, lb, entry, manifest, {"pod_labels": labels, "pod_annotations": annotations}
    )
