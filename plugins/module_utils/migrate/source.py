# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""What the migrate mode reads beside detection: the Ingresses with all their annotations and
the Services (named ports, the load balancer's Service selector), live or from files.

Detection keeps only reported annotations, values redacted (vendors/reported.py): snippets and
auth URLs may hold credentials. The translator needs them, so lb_plan reads them here, hands
them to the planner as facts["migrate_source"] and never returns them (only the translation
report, which names annotations and what they became, without snippet text or URL queries).
"""

from __future__ import annotations

SOURCE_KEY = "migrate_source"
_LISTS = (
    ("ingresses", "/apis/networking.k8s.io/v1/ingresses", "Ingress"),
    ("services", "/api/v1/services", "Service"),
)


def _bare(obj):
    meta = dict(obj.get("metadata") or {})
    for key in ("managedFields", "resourceVersion", "uid", "generation", "creationTimestamp"):
        meta.pop(key, None)
    out = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": meta}
    out["spec"] = obj.get("spec") or {}
    return out


def read_source(client=None, objects=None, page_size=500, namespace=None):
    """{"ingresses": [...], "services": [...]} from the cluster (client) or loaded objects
    (offline: load_sources()); a namespaced object without a namespace gets ``namespace``
    (or default)."""
    out = {key: [] for key, _path, _kind in _LISTS}
    kinds = {kind: key for key, _path, kind in _LISTS}
    if client is not None:
        for key, path, _kind in _LISTS:
            out[key] = [_bare(o) for o in client.list_items(path, limit=page_size)]
    else:
        for obj in objects or ():
            key = kinds.get(obj.get("kind"))
            if key and (obj.get("apiVersion") or "").rpartition("/")[2] == "v1":
                o = _bare(obj)
                o["metadata"].setdefault("namespace", namespace or "default")
                out[key].append(o)
    for key in out:
        out[key].sort(key=lambda o: (o["metadata"].get("namespace"), o["metadata"].get("name")))
    return out
