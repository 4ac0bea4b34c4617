# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Per-route changes go to whoever keeps the route.

A plan's change to an Ingress or a vendor route object (annotations, the Service-routing
switch, a Host rewrite) is drift when Helm, Argo CD or Flux keeps that object: the next render
or sync puts its own copy back. For each such patch, plan.gitops gets an entry naming the owner,
how we know, what to edit, and the change as a kustomize (strategic-merge) patch of the object,
the form a kustomize overlay, an Argo CD source or a Flux Kustomization takes as it is."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.owners import GITOPS_TOOLS


def route_owners(facts):
    """{(group, kind, namespace, name): owner} of the routes in the facts (detect/routes.py)."""
    out = {}
    for r in facts.get("routes") or ():
        if r.get("owner"):
            group = (r.get("apiVersion") or "").split("/")[0]
            out[(group, r["kind"], r.get("namespace"), r["name"])] = r["owner"]
    return out


def route_sources(b):
    """One plan.gitops entry, and one warning, per patched route that a GitOps tool keeps."""
    owners = route_owners(b.facts)
    known = {_key(item["target"]) for item in b.gitops}
    for ph in b.phases:
        for p in ph["patches"]:
            key = _key(p["target"])
            owner = owners.get(key)
            if not owner or owner.get("tool") not in GITOPS_TOOLS or key in known:
                continue
            known.add(key)
            t = p["target"]
            what = "%s %s/%s" % (t["kind"], t.get("namespace"), t["name"])
            b.gitops.append(
                {
                    "target": t,
                    "owner": owner,
                    "kustomize_patch": p["manifest"],
                    "source": dict(_named(owner), edit=route_edit(owner, what)),
                }
            )
            b.warn(
                "%s is kept by %s: %s; a direct patch is drift there (plan.gitops has the change "
                "as a kustomize patch)" % (what, owner_name(owner), route_edit(owner, what))
            )


def _key(target):
    group = target["apiVersion"].split("/")[0]
    return (group, target["kind"], target.get("namespace"), target["name"])


def _named(owner):
    return {
        k: owner[k]
        for k in ("release", "chart", "app", "helm_release", "kustomization")
        if owner.get(k)
    }


def owner_name(owner):
    """The owner as a user names it: "Helm release web", "Argo CD Application shop", ..."""
    if owner.get("tool") == "helm":
        return "Helm release %s" % (owner.get("release") or "(unnamed)")
    if owner.get("tool") == "argocd":
        return "Argo CD Application %s" % owner.get("app")
    if owner.get("helm_release"):
        return "Flux HelmRelease %s" % owner["helm_release"]
    if owner.get("kustomization"):
        return "Flux Kustomization %s" % owner["kustomization"]
    return owner.get("tool") or "nobody we can tell"


def route_edit(owner, what):
    """Where the change to a route belongs, for the owner found."""
    if owner.get("tool") == "argocd" and owner.get("release"):
        return "change %s in the chart values of Application %s (release %s)" % (
            what,
            owner.get("app"),
            owner["release"],
        )
    if owner.get("tool") == "argocd":
        return "change %s in the manifests of Application %s's source" % (what, owner.get("app"))
    if owner.get("tool") == "helm" or owner.get("helm_release"):
        return (
            "change %s through the values of the release that renders it (its chart's annotations "
            "value for this object, or a post-renderer kustomize patch)" % what
        )
    return "change %s in the path of Flux Kustomization %s" % (what, owner.get("kustomization"))
