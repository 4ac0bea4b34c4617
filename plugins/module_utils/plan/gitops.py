# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""GitOps alternatives to a direct patch: for a load balancer owned by a GitOps tool or a Helm
release, the kustomize patch and the Helm values (from the catalog's "plan" helm paths), and a
warning that says what the owner's next upgrade or sync does to a direct patch."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import workload_target
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.route_sources import (
    owner_name,
)

# The parts of a patch a GitOps alternative can carry as Helm values, each put at the entry's
# "plan" helm path of the same name, in this order.
_HELM_PARTS = ("pod_labels", "pod_annotations", "config")


def _helm_keys(entry, role):
    """The chart's values keys for this LB: its role's own keys (bitnami Contour's envoy.* and
    contour.*) over the chart-wide ones."""
    helm = (entry.get("plan") or {}).get("helm") or {}
    keys = {k: v for k, v in helm.items() if k != "roles"}
    keys.update((helm.get("roles") or {}).get(role) or {})
    return keys


def _put(values, path, value):
    node = values
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    if isinstance(value, dict) and isinstance(node.get(parts[-1]), dict):
        node[parts[-1]].update(value)
    else:
        node[parts[-1]] = value


def _helm_values(keys, helm_parts):
    values = {}
    for name in _HELM_PARTS:
        if helm_parts.get(name) and keys.get(name):
            _put(values, keys[name], helm_parts[name])
    return values


def _gitops_item(b, lb):
    target = workload_target(lb)
    for item in b.gitops:
        if item["target"] == target:
            return item
    item = {"target": target, "owner": lb.get("gitops")}
    b.gitops.append(item)
    return item


def gitops_alternative(b, lb, entry, manifest, helm_parts):
    """For an LB a GitOps tool or Helm owns: the patch as kustomize and helm_parts (by name, see
    _HELM_PARTS) as the chart's Helm values, what the chart cannot take through values and what
    works instead, and a warning saying what the owner's next upgrade or sync does to a direct
    patch."""
    owner = lb.get("gitops")
    if not owner:
        return
    keys = _helm_keys(entry, lb.get("role"))
    item = _gitops_item(b, lb)
    item.setdefault("kustomize_patch", manifest)
    values = _helm_values(keys, helm_parts)
    notes = []
    if helm_parts.get("pod_labels") and not keys.get("pod_labels") and keys.get("no_pod_labels"):
        notes.append(keys["no_pod_labels"])
    if (helm_parts.get("pod_labels") or helm_parts.get("pod_annotations")) and keys.get(
        "pods_also"
    ):
        notes.append("these pod values also reach %s" % keys["pods_also"])
    _add_values(item, keys, values, notes)
    b.warn(
        "%s %s/%s is managed by %s: %s; the change is not in its source, so prefer the Helm "
        "values or kustomize patch in plan.gitops."
        % (lb["kind"], lb["namespace"], lb["name"], owner_label(owner), direct_patch_fate(owner))
    )


# What becomes of a direct patch (fields of the pod template that meshgate applies server-side
# and the owner's source does not set) under each owner. Helm: measured on the real API server
# (tests/integration/test_helm_upgrade_live.py); Argo CD and Flux: what their documentation says
# (docs/gitops.md cites it), not tested here.
_FATE = {
    "helm3": "a direct patch survives `helm upgrade` (Helm's client-side three-way merge - Helm 3's, "
    "and Helm 4's on a release Helm 3 made - leaves fields the chart does not set; measured), but "
    "`helm upgrade --force` replaces the object and drops it, and values that set the same keys "
    "overwrite it without a conflict",
    "helm4": "a direct patch survives `helm upgrade` (Helm 4 applies server-side as field manager "
    "helm and leaves meshgate's fields alone; measured), but values that set the same keys to "
    "other values fail the upgrade with a conflict with meshgate until `--force-conflicts` (or "
    "`--server-side=false`) hands them to Helm, and `--force-replace --server-side=false` drops it",
    "helm": "a direct patch survives `helm upgrade` with Helm 3 and Helm 4 (measured), but a "
    "replacing upgrade (`--force`, `--force-replace`) drops it, and values that set the same keys "
    "take them over",
    "argocd": "by Argo CD's documentation (not tested here) a sync applies only what the "
    "Application's manifests set, so a direct patch of other fields stays unless the Application "
    "syncs with Replace=true; manifests that set the same keys win, and with self-heal on, each "
    "such difference is synced back (ignoreDifferences with managedFieldsManagers: [meshgate] "
    "hides them)",
    "flux": "by Flux's documentation (not tested here) helm-controller's drift correction and "
    "kustomize-controller apply their manifests server-side, so a direct patch of fields those do "
    "not set stays (kustomize-controller undoes only kubectl's edits and those of managers named "
    "with --override-manager); manifests or values that set the same keys take them over",
}


def direct_patch_fate(owner):
    """What the owner's next upgrade or sync does to a direct patch, for the owner found."""
    tool = owner.get("tool")
    if tool == "helm":
        return _FATE["helm%s" % (owner.get("helm") or "")]
    return _FATE[tool]


def owner_label(owner):
    """The owner in a warning: "Helm 4 release edge", "Argo CD Application shop", ..."""
    if owner.get("tool") == "helm" and owner.get("helm"):
        return "Helm %s release %s" % (owner["helm"], owner.get("release") or "(unnamed)")
    return owner_name(owner)


def gitops_service_routing(b, lb, entry):
    """The chart's own Service-routing switch in values (Traefik's nativeLBByDefault), as the
    GitOps form of the per-route switches a plan wrote for this LB."""
    if not lb.get("gitops"):
        return
    keys = _helm_keys(entry, lb.get("role"))
    if not keys.get("service_routing"):
        return
    values = {}
    for path, value in sorted(keys["service_routing"].items()):
        _put(values, path, value)
    _add_values(
        _gitops_item(b, lb),
        keys,
        values,
        ["the chart's provider-wide Service routing replaces the per-route switches of this plan"],
    )


def _add_values(item, keys, values, notes):
    if values:
        merged = item.setdefault("helm_values", {})
        for k, v in values.items():
            _put(merged, k, v)
        item["helm_chart"] = keys.get("chart")
    for note in notes:
        if note not in item.setdefault("helm_notes", []):
            item["helm_notes"].append(note)
    _source_patch(item)


def _source_patch(item):
    """The values as a patch of the object the user edits: a Flux HelmRelease's spec.values, or
    an Argo CD Application's spec.source.helm.valuesObject (both merge into what is there)."""
    owner, values = item.get("owner") or {}, item.get("helm_values")
    if not values:
        return
    named = {k: owner[k] for k in ("release", "chart") if owner.get(k)}
    if owner.get("tool") == "flux" and owner.get("helm_release"):
        ns, _sep, name = owner["helm_release"].rpartition("/")
        item["source_patch"] = {
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": dict({"name": name}, **({"namespace": ns} if ns else {})),
            "spec": {"values": values},
        }
        item["source"] = dict(named, edit="HelmRelease %s spec.values" % owner["helm_release"])
    elif owner.get("tool") == "argocd" and owner.get("app"):
        item["source_patch"] = {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": owner["app"]},
            "spec": {"source": {"helm": {"valuesObject": values}}},
        }
        item["source"] = dict(
            named,
            edit="Application %s spec.source.helm.valuesObject (in Argo CD's namespace, argocd "
            "by default; with several sources, the chart's entry of spec.sources)" % owner["app"],
        )
    elif owner.get("tool") == "helm":
        item["source"] = dict(named, edit="the values file of release %s" % owner.get("release"))
