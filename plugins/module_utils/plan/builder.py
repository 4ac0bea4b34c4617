# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The plan under construction and its result.

Builder accumulates phases, patches (a second patch of one object merges into the first),
warnings, refusals and GitOps alternatives, and renders the plan: patch ids, undo in reverse
order, the observed objects apply checks for staleness, and the summary. FIELD_MANAGER is the
server-side apply field manager of every patch; PLAN_VERSION the version of the plan format.
"""

from __future__ import annotations

import copy
from typing import Optional, TypedDict

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.route_sources import (
    route_owners,
)

FIELD_MANAGER = "meshgate"
PLAN_VERSION = 1


class Builder:
    """Accumulates phases, patches, warnings, refusals and GitOps alternatives."""

    def __init__(self, facts, mode, opts):
        self.facts = facts
        self.mode = mode
        self.opts = opts
        self.phases = []
        self.warnings = []
        self.refusals = []
        self.gitops = []
        self._ids = set()
        # Patches by target and warnings seen: looked up once per patch, so a plan of thousands
        # of routes stays linear (a scan of every patch so far was 0.26 s at 3,000 patches).
        self._patches = {}
        self._warned = set()
        self._route_owners = None  # route_sources.route_owners(facts), on the first patch
        # Mode-specific parts of the result (mode migrate: "migration", its translation report).
        self.extra = {}

    def phase(self, name, description, wait=None):
        for ph in self.phases:
            if ph["name"] == name:
                return ph
        ph = {"name": name, "description": description, "patches": [], "wait": wait or []}
        self.phases.append(ph)
        return ph

    # Nine parameters, kept: they are exactly the fields of the Patch record it builds (below),
    # so a call reads as that record (six files of plan/ call it).
    def patch(
        self,
        phase,
        target,
        manifest,
        reason,
        reference,
        risk,
        undo,
        owner=None,
        creates=False,
    ):
        key = (
            target["apiVersion"].split("/")[0],
            target["kind"],
            target.get("namespace"),
            target["name"],
        )
        p = self._patches.get(key)
        if p is not None:
            # Same object touched twice in one plan: merge into the first patch.
            _deep_merge(p["manifest"], manifest)
            p["reason"] = p["reason"] + "; " + reason
            for f in undo.get("fields", []):
                if f not in p["undo"].setdefault("fields", []):
                    p["undo"]["fields"].append(f)
            p["undo"].setdefault("restore", {}).update(undo.get("restore", {}))
            return p
        if owner is None:
            # A route's owner travels with each patch of it, as an LB's does (plan/route_sources.py).
            if self._route_owners is None:
                self._route_owners = route_owners(self.facts)
            owner = self._route_owners.get(key)
        item = {
            "target": target,
            "manifest": manifest,
            "creates": creates,
            "reason": reason,
            "reference": reference,
            "risk": risk,
            "undo": undo,
            "owner": owner,
        }
        phase["patches"].append(item)
        self._patches[key] = item
        return item

    def refuse(self, lb, code, reason, suggestion):
        self.refusals.append(
            {
                "load_balancer": lb.get("id") if isinstance(lb, dict) else lb,
                "code": code,
                "reason": reason,
                "suggestion": suggestion,
            }
        )

    def warn(self, text):
        if text not in self._warned:
            self._warned.add(text)
            self.warnings.append(text)

    def result(self):
        phases = []
        n = 0
        for ph in self.phases:
            if not ph["patches"]:
                continue
            patches = []
            for p in ph["patches"]:
                n += 1
                p = dict(p)
                p["id"] = "p%03d" % n
                patches.append(p)
            phases.append(dict(ph, patches=patches))
        undo = [
            {"patch": p["id"], "target": p["target"], **p["undo"]}
            for ph in reversed(phases)
            for p in reversed(ph["patches"])
        ]
        cluster = self.facts.get("cluster") or {}
        out = {
            "version": PLAN_VERSION,
            "mode": self.mode,
            "field_manager": FIELD_MANAGER,
            "cluster": {
                k: cluster.get(k)
                for k in ("source", "server", "context", "src")
                if cluster.get(k) is not None
            },
            "phases": phases,
            "warnings": self.warnings,
            "refusals": self.refusals,
            "undo": undo,
            "gitops": self.gitops,
            "observed": _observed(self.facts, phases),
            "summary": {
                "phases": len(phases),
                "patches": n,
                "creates": sum(1 for ph in phases for p in ph["patches"] if p["creates"]),
                "restarts": sorted(
                    {
                        "%s/%s/%s"
                        % (p["target"]["kind"], p["target"].get("namespace"), p["target"]["name"])
                        for ph in phases
                        for p in ph["patches"]
                        if p["risk"].get("restart")
                    }
                ),
                "refusals": len(self.refusals),
                "warnings": len(self.warnings),
            },
        }
        out.update(copy.deepcopy(self.extra))
        return out


def _deep_merge(dst, src):
    for key, val in src.items():
        if isinstance(val, dict) and isinstance(dst.get(key), dict):
            _deep_merge(dst[key], val)
        else:
            dst[key] = copy.deepcopy(val)


def _observed(facts, phases):
    """Objects the plan was computed from that it patches, so apply can detect a stale plan."""
    return sorted(
        {
            "%s/%s/%s"
            % (p["target"]["kind"], p["target"].get("namespace") or "", p["target"]["name"])
            for ph in phases
            for p in ph["patches"]
            if not p["creates"]
        }
    )


class Patch(TypedDict):
    """One server-side apply patch of a plan (Builder.patch())."""

    target: dict  # apiVersion, kind, namespace?, name
    manifest: dict  # the fields we own, for server-side apply with FIELD_MANAGER
    creates: bool  # the plan may create the object (undo deletes it)
    reason: str
    reference: str  # the documentation it implements
    risk: dict  # restart: bool, traffic: what happens to traffic
    undo: dict  # action: delete | remove-fields | restore-field, fields, restore
    owner: Optional[dict]  # who keeps the target (detect/owners.py): its LB's or route's owner
