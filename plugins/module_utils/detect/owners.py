# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Who keeps an object, and how we know: Helm 3 or 4 (release labels and annotations; Helm 4
applies server-side as field manager "helm"), Argo CD (instance label, tracking annotation),
Flux (the HelmRelease or Kustomization labels its controllers set), kubectl, or nobody we can
tell. Pure: one object in, {"tool", ..., "evidence"} out."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    annotations_of,
    labels_of,
)

# Tools whose source of truth is outside the cluster: a direct patch is drift there.
GITOPS_TOOLS = ("helm", "argocd", "flux")
_KUBECTL_MANAGERS = ("kubectl", "kubectl-client-side-apply", "kubectl-edit", "kubectl-patch")


def object_owner(obj):
    """{"tool": helm | argocd | flux | kubectl | none, and what names the source: "release",
    "release_namespace", "helm" ("3", "4" or None when managedFields do not tell), "app",
    "helm_release" / "kustomization" (namespace/name), "evidence": [...]}."""
    labels, anns = labels_of(obj), annotations_of(obj)
    meta = obj.get("metadata") or {}
    managers = set(meta.get("managers") or ())
    appliers = set(meta.get("appliers") or ())
    out = _flux(labels) or _argocd(labels, anns) or {}
    helm = _helm(labels, anns, managers, appliers, meta)
    if helm:
        # Flux's helm-controller and Argo CD render charts too: the release is named either way.
        for key, value in helm.items():
            if key == "evidence":
                out["evidence"] = out.get("evidence", []) + value
            else:
                out.setdefault(key, value)
    if not out:
        out = _by_manager(managers)
    if not out and managers & set(_KUBECTL_MANAGERS):
        out = {
            "tool": "kubectl",
            "evidence": ["field manager %s" % ", ".join(sorted(managers & set(_KUBECTL_MANAGERS)))],
        }
    return out or {"tool": "none", "evidence": []}


def gitops_owner(obj):
    """object_owner() when a tool outside the cluster keeps the object, else None."""
    owner = object_owner(obj)
    return owner if owner["tool"] in GITOPS_TOOLS else None


# Field managers of the GitOps controllers, for objects whose labels say nothing.
_CONTROLLER_MANAGERS = {
    "argocd-controller": "argocd",
    "helm-controller": "flux",
    "kustomize-controller": "flux",
}


def _by_manager(managers):
    for manager, tool in sorted(_CONTROLLER_MANAGERS.items()):
        if manager in managers:
            return {"tool": tool, "evidence": ["field manager %s" % manager]}
    return {}


def _release_of_instance(instance, namespace):
    suffix = "-%s" % namespace if namespace else None
    if suffix and instance.endswith(suffix) and len(instance) > len(suffix):
        return instance[: -len(suffix)]
    return instance


def _helm(labels, anns, managers, appliers, meta):
    release = anns.get("meta.helm.sh/release-name")
    if labels.get("app.kubernetes.io/managed-by") != "Helm" and not release:
        return None
    evidence = []
    if labels.get("app.kubernetes.io/managed-by") == "Helm":
        evidence.append("label app.kubernetes.io/managed-by=Helm")
    if release:
        evidence.append("annotation meta.helm.sh/release-name=%s" % release)
    elif labels.get("app.kubernetes.io/instance"):
        # `helm template` output has no release annotations; charts name the release here, some
        # (Traefik's) as "<release>-<namespace>".
        release = _release_of_instance(labels["app.kubernetes.io/instance"], meta.get("namespace"))
        evidence.append(
            "label app.kubernetes.io/instance=%s (release %s, as charts name it)"
            % (labels["app.kubernetes.io/instance"], release)
        )
    version = None
    if "helm" in appliers:
        version = "4"
        evidence.append("field manager helm applies server-side (Helm 4)")
    elif "helm" in managers:
        version = "3"
        evidence.append("field manager helm updates (Helm 3's three-way merge)")
    return {
        "tool": "helm",
        "release": release,
        "release_namespace": anns.get("meta.helm.sh/release-namespace"),
        "chart": labels.get("helm.sh/chart"),  # "<name>-<version>", when the chart sets it
        "helm": version,
        "evidence": evidence,
    }


def _argocd(labels, anns):
    app = labels.get("argocd.argoproj.io/instance")
    tracking = anns.get("argocd.argoproj.io/tracking-id")
    if not app and not tracking:
        return None
    if tracking and not app:
        app = tracking.split(":", 1)[0]  # "<app>:<group>/<kind>:<namespace>/<name>"
    evidence = (
        ["label argocd.argoproj.io/instance=%s" % labels["argocd.argoproj.io/instance"]]
        if "argocd.argoproj.io/instance" in labels
        else []
    )
    if tracking:
        evidence.append("annotation argocd.argoproj.io/tracking-id=%s" % tracking)
    return {"tool": "argocd", "app": app, "evidence": evidence}


def _flux(labels):
    for kind, prefix, key in (
        ("HelmRelease", "helm.toolkit.fluxcd.io", "helm_release"),
        ("Kustomization", "kustomize.toolkit.fluxcd.io", "kustomization"),
    ):
        name, ns = labels.get(prefix + "/name"), labels.get(prefix + "/namespace")
        if name:
            return {
                "tool": "flux",
                key: "%s/%s" % (ns, name) if ns else name,
                "evidence": ["labels %s/name, %s/namespace (a Flux %s)" % (prefix, prefix, kind)],
            }
    return None
