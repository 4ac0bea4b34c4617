# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The inventory model: objects grouped by kind, by key and by namespace, with the label
indexes detection looks workloads and Services up in."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    name_of,
    namespace_of,
    selector_matches,
    template_labels,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import group_of
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import reduce_object
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.shape import (
    reduced_or_problem,
)

WORKLOAD_KINDS = ("Deployment", "DaemonSet", "StatefulSet")


LEGACY_GROUPS = {
    ("extensions", "Deployment"): ("apps", "Deployment"),
    ("extensions", "DaemonSet"): ("apps", "DaemonSet"),
    ("extensions", "ReplicaSet"): ("apps", "ReplicaSet"),
    ("extensions", "Ingress"): ("networking.k8s.io", "Ingress"),
}
# Gateway API before v1beta1 lived in this group; old clusters and snapshots still carry it.
OLD_GATEWAY_API = "networking.x-k8s.io"


class Index:
    """Objects grouped by (group, kind) and by (group, kind, namespace, name)."""

    def __init__(self, objects, reduce=True):
        self.by_kind = {}
        self.by_key = {}
        self.by_ns = {}
        self._cache = {}
        self.reduce = reduce
        # API groups / kinds the server serves (live reads fill these from discovery;
        # offline they stay empty and mean "unknown").
        self.api_groups = set()
        self.served = {}
        self.add(objects)

    def add(self, objects):
        reduce = self.reduce
        for obj in objects:
            if not isinstance(obj, dict) or not obj.get("kind"):
                continue
            if reduce:
                # What the API server would refuse is skipped (the offline reader warns).
                obj, problem = reduced_or_problem(obj, reduce_object)
                if problem:
                    continue
            if not (obj.get("metadata") or {}).get("name"):
                continue  # not a complete object (e.g. a golden-file fragment)
            gk = (group_of(obj.get("apiVersion")), obj["kind"])
            # Objects from old dumps (extensions/v1beta1) are read as their current group.
            gk = LEGACY_GROUPS.get(gk, gk)
            key = gk + (namespace_of(obj), name_of(obj))
            # One object per key, the last one wins - what applying the files in order does.
            self.by_kind.setdefault(gk, {})[key] = obj
            self.by_key[key] = obj
            self.by_ns.setdefault(gk + (namespace_of(obj),), {})[key] = obj
        self._cache = {}

    def kind(self, group, kind):
        key = (group, kind)
        if key not in self._cache:
            self._cache[key] = tuple(self.by_kind.get(key, {}).values())
        return self._cache[key]

    def in_namespace(self, group, kind, namespace):
        key = (group, kind, namespace)
        if key not in self._cache:
            self._cache[key] = tuple(self.by_ns.get(key, {}).values())
        return self._cache[key]

    def _pair_index(self, name, namespace, items, pairs_of):
        """{(label key, value): [objects]} for one namespace, built once per run from
        ``items()``."""
        key = (name, namespace)
        if key not in self._cache:
            index = {}
            for obj in items():
                for pair in (pairs_of(obj) or {}).items():
                    index.setdefault(pair, []).append(obj)
            self._cache[key] = index
        return self._cache[key]

    def workloads_selected(self, namespace, selector):
        """Workloads whose pod template labels match a Service-style selector (indexed: a
        namespace with thousands of workloads and Services stays linear)."""
        if not selector:
            return []
        # items are listed only when the index is built (once per namespace, not per call).
        index = self._pair_index(
            "wl-labels", namespace, lambda: self.workloads_in(namespace), template_labels
        )
        candidates = min((index.get(pair, ()) for pair in selector.items()), key=len)
        return [w for w in candidates if selector_matches(selector, template_labels(w))]

    def services_selecting_labels(self, namespace, labels):
        """Services of a namespace whose selector matches these pod labels (indexed)."""
        index = self._pair_index(
            "svc-selectors",
            namespace,
            lambda: self.in_namespace("", "Service", namespace),
            lambda s: (s.get("spec") or {}).get("selector"),
        )
        seen = {}
        for pair in (labels or {}).items():
            for svc in index.get(pair, ()):
                seen[id(svc)] = svc
        return [
            s
            for s in seen.values()
            if selector_matches((s.get("spec") or {}).get("selector"), labels)
        ]

    def workloads_in(self, namespace):
        for kind in WORKLOAD_KINDS:
            yield from self.in_namespace("apps", kind, namespace)

    def get(self, group, kind, namespace, name):
        return self.by_key.get((group, kind, namespace, name))

    def workloads(self):
        for kind in WORKLOAD_KINDS:
            yield from self.kind("apps", kind)
