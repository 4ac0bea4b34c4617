# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""What to merge, read from a plan: the plan.gitops entry of one target, its Helm values, and
what they expect of the file - the chart the cluster runs (owner.chart, the helm.sh/chart
label: name and version, else the vendor's chart name in helm_chart), the Flux HelmRelease or
Argo CD Application that keeps the release, and the Helm release name. Pure."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.errors import (
    GitopsEditError,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.targets import (
    split_chart_label,
)

TARGET_KEYS = ("kind", "namespace", "name")


def _ref(target):
    t = target or {}
    return "%s %s" % (t.get("kind"), "/".join(str(t[k]) for k in ("namespace", "name") if t.get(k)))


def gitops_entries(plan):
    """plan.gitops of an lb_plan result, of its plan, or [the entry] when given one entry."""
    if isinstance(plan.get("plan"), dict) and "gitops" in plan["plan"]:
        plan = plan["plan"]
    if "gitops" in plan:
        return list(plan["gitops"] or ())
    if isinstance(plan.get("target"), dict) and "owner" in plan:
        return [plan]
    raise GitopsEditError(
        "plan: neither an lb_plan result, its plan, nor an entry of plan.gitops (it has keys %s); "
        "give the registered lb_plan result or one item of its plan.gitops"
        % ", ".join(sorted(map(str, plan))[:8])
    )


def select_entry(plan, target=None):
    """The plan.gitops entry with Helm values for ``target`` ({kind, namespace, name}, any of
    them), or the only entry with Helm values when no target is given."""
    entries = gitops_entries(plan)
    if not entries:
        raise GitopsEditError(
            "the plan has no gitops entry: nothing it changes is kept by Helm, Argo CD or Flux, "
            "so there are no values to merge (apply the plan with lb_apply instead)"
        )
    want = {k: v for k, v in (target or {}).items() if k in TARGET_KEYS and v}
    if want:
        entries = [
            e for e in entries if all((e.get("target") or {}).get(k) == v for k, v in want.items())
        ]
        if not entries:
            raise GitopsEditError(
                "the plan has no gitops entry for %s (it has %s); set target to one of those"
                % (_ref(want), ", ".join(_ref(e.get("target")) for e in gitops_entries(plan)))
            )
    with_values = [e for e in entries if e.get("helm_values")]
    if len(with_values) == 1:
        return with_values[0]
    if not with_values:
        e = entries[0]
        raise GitopsEditError(
            "the plan's gitops entry for %s has no Helm values%s: its owner (%s) keeps the object "
            "itself, so apply the entry's kustomize patch%s where that object is defined"
            % (
                _ref(e.get("target")),
                " (%s)" % "; ".join(e["helm_notes"]) if e.get("helm_notes") else "",
                e.get("owner_name") or (e.get("owner") or {}).get("tool"),
                " (%s)" % ", ".join(e["files"]) if e.get("files") else "",
            )
        )
    raise GitopsEditError(
        "the plan has several gitops entries with Helm values (%s); set target to the one whose "
        "file this is" % ", ".join(_ref(e.get("target")) for e in with_values)
    )


def expectations(entry):
    """What the entry's values expect of the file: {"chart", "version", "name", "namespace",
    "release"} (None where the plan does not say)."""
    owner = entry.get("owner") or {}
    chart, version = split_chart_label(owner.get("chart"))
    if not chart and entry.get("helm_chart"):
        chart = str(entry["helm_chart"]).rsplit("/", 1)[-1]
    name = namespace = None
    if owner.get("tool") == "flux" and owner.get("helm_release"):
        namespace, _sep, name = owner["helm_release"].rpartition("/")
    elif owner.get("tool") == "argocd" and owner.get("app"):
        # Apps in any namespace are tracked as "<namespace>_<name>" (names have no "_").
        namespace, _sep, name = owner["app"].rpartition("_")
    return {
        "chart": chart,
        "version": version,
        "name": name or None,
        "namespace": namespace or None,
        "release": owner.get("release"),
    }
