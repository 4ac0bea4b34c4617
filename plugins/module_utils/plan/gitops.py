# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""GitOps alternatives to a direct patch: for a load balancer owned by a GitOps tool or a Helm
release, the kustomize patch and the Helm values (from the catalog's "plan" helm paths), and a
warning that a direct patch would be reverted by the next sync or upgrade."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import workload_target

# The parts of a patch a GitOps alternative can carry as Helm values, each put at the entry's
# "plan" helm path of the same name, in this order.
_HELM_PARTS = ("pod_labels", "pod_annotations", "config")


def _helm_values(entry, helm_parts):
    helm = (entry.get("plan") or {}).get("helm") or {}
    values = {}

    def put(path, value):
        node = values
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    for name in _HELM_PARTS:
        if helm_parts.get(name) and helm.get(name):
            put(helm[name], helm_parts[name])
    return values, helm.get("chart")


def gitops_alternative(b, lb, entry, manifest, helm_parts):
    """For an LB a GitOps tool or Helm owns: the patch as kustomize and helm_parts (by name, see
    _HELM_PARTS) as Helm values, and a warning that a direct patch would be reverted."""
    owner = lb.get("gitops")
    if not owner:
        return
    values, chart = _helm_values(entry, helm_parts)
    item = {
        "target": workload_target(lb),
        "owner": owner,
        "kustomize_patch": manifest,
    }
    if values:
        item["helm_values"] = values
        item["helm_chart"] = chart
    b.gitops.append(item)
    b.warn(
        "%s %s/%s is managed by %s%s: a direct patch will be reverted by the next sync/upgrade; "
        "prefer the Helm values or kustomize patch in plan.gitops."
        % (
            lb["kind"],
            lb["namespace"],
            lb["name"],
            owner.get("tool"),
            (" release " + owner["release"]) if owner.get("release") else "",
        )
    )
