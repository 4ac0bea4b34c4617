# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The plan as files, for review, GitOps or istioctl analyze."""

from __future__ import annotations

import json

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import dns_name


def plan_files(the_plan):
    """The plan as files (relative path, text), for review, GitOps or istioctl analyze.

    plan.json, one manifest per patch under manifests/ (numbered in apply order), and under
    gitops/ the kustomize patch and Helm values for every target owned by a GitOps tool, and
            the patch of the object its owner edits (a Flux HelmRelease, an Argo CD Application).
    """
    import yaml

    def dump(obj):
        return yaml.safe_dump(obj, sort_keys=True, default_flow_style=False)

    files = [("plan.json", json.dumps(the_plan, sort_keys=True, indent=2) + "\n")]
    for ph in the_plan["phases"]:
        for p in ph["patches"]:
            t = p["target"]
            name = dns_name(p["id"], ph["name"], t["kind"], t.get("namespace"), t["name"])
            files.append(("manifests/%s.yaml" % name, dump(p["manifest"])))
    for i, item in enumerate(the_plan.get("gitops") or (), 1):
        for part, rel in gitops_file_names(i, item).items():
            files.append((rel, dump(item[part])))
    return files


def gitops_file_names(i, item):
    """{part of the i-th plan.gitops entry: its file under gitops/}, for each part it has: the
    kustomize patch, the Helm values, and the patch of the object its owner edits."""
    t = item["target"]
    base = "gitops/" + dns_name("%02d" % i, t["kind"], t.get("namespace"), t["name"])
    names = {"kustomize_patch": "%s-kustomize-patch.yaml" % base}
    if item.get("helm_values"):
        names["helm_values"] = "%s-helm-values.yaml" % base
    if item.get("source_patch"):
        names["source_patch"] = "%s-%s-patch.yaml" % (base, item["source_patch"]["kind"].lower())
    return names
