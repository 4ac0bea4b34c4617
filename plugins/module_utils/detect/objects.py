# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Accessors over plain Kubernetes objects (dicts): metadata, pod templates, containers,
selectors. Safe on missing or oddly typed fields."""

from __future__ import annotations


def ref(obj):
    meta = obj.get("metadata") or {}
    out = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "name": meta.get("name")}
    if meta.get("namespace"):
        out["namespace"] = meta["namespace"]
    return out


def obj_id(obj):
    meta = obj.get("metadata") or {}
    if meta.get("namespace"):
        return "%s/%s/%s" % (obj.get("kind"), meta["namespace"], meta.get("name"))
    return "%s/%s" % (obj.get("kind"), meta.get("name"))


def labels_of(obj):
    return (obj.get("metadata") or {}).get("labels") or {}


def annotations_of(obj):
    return (obj.get("metadata") or {}).get("annotations") or {}


def namespace_of(obj):
    return (obj.get("metadata") or {}).get("namespace")


def name_of(obj):
    return (obj.get("metadata") or {}).get("name")


def pod_template_of(obj):
    return ((obj.get("spec") or {}).get("template")) or {}


def template_labels(obj):
    return (pod_template_of(obj).get("metadata") or {}).get("labels") or {}


def template_annotations(obj):
    return (pod_template_of(obj).get("metadata") or {}).get("annotations") or {}


def containers_of(obj, init=True):
    spec = (
        pod_template_of(obj).get("spec")
        or (obj.get("spec") if obj.get("kind") == "Pod" else {})
        or {}
    )
    out = list(spec.get("containers") or ())
    if init:
        out += list(spec.get("initContainers") or ())
    return out


def workload_readiness(wl):
    """(desired, ready) replicas of a workload. ready is None unless the cluster reported it
    (offline manifests carry no status; status only counts once its controller has observed
    the object). A DaemonSet's desired count is what its controller scheduled."""
    spec = wl.get("spec") or {}
    status = wl.get("status") or {}
    observed = "observedGeneration" in status
    if wl.get("kind") == "DaemonSet":
        desired = status.get("desiredNumberScheduled") if observed else None
        ready = status.get("numberReady", 0) if observed else None
    else:
        desired = spec.get("replicas")
        # readyReplicas is left out of the status when it is 0.
        ready = status.get("readyReplicas", 0) if observed else None
    return desired, ready


def host_network(obj):
    return bool((pod_template_of(obj).get("spec") or {}).get("hostNetwork"))


def selector_matches(selector, labels):
    """Service-style selector (all pairs present in labels); empty selects nothing."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def mapping_or_empty(value):
    """value if it is a mapping, else {} (annotations are free text and may hold anything)."""
    return value if isinstance(value, dict) else {}


def truthy(value):
    return str(value).strip().lower() in ("true", "1", "yes", "on")
