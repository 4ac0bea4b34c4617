# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Pieces of the manifests a plan writes: patch targets, metadata, DNS-1123 names, the
managed-by label on objects we create, and keys merged into a proxy.istio.io/config value."""

from __future__ import annotations

import copy
import json

MANAGED_LABEL = {"app.kubernetes.io/managed-by": "meshgate"}


def patch_target(api_version, kind, name, namespace=None):
    out = {"apiVersion": api_version, "kind": kind, "name": name}
    if namespace:
        out["namespace"] = namespace
    return out


def meta(target, labels=None, annotations=None):
    meta = {"name": target["name"]}
    if target.get("namespace"):
        meta["namespace"] = target["namespace"]
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def dns_name(*parts):
    """A DNS-1123 name from parts (lower case, '-' joined, at most 63 characters)."""
    raw = "-".join(str(p) for p in parts if p)
    out = "".join(c if c.isalnum() else "-" for c in raw.lower()).strip("-")
    while "--" in out:
        out = out.replace("--", "-")
    return out[:63].rstrip("-")


def merge_proxy_config(current, updates):
    """Merge keys into a proxy.istio.io/config value (JSON or YAML text), deterministically."""
    value = {}
    if current:
        try:
            value = json.loads(current)
        except ValueError:
            try:
                import yaml

                value = yaml.safe_load(current) or {}
            except Exception:  # noqa: BLE001 - unparsable: replaced, and the plan warns
                value = {}
    if not isinstance(value, dict):
        value = {}
    merged = copy.deepcopy(value)
    for key, val in updates.items():
        if isinstance(val, dict) and isinstance(merged.get(key), dict):
            merged[key] = dict(merged[key], **val)
        else:
            merged[key] = val
    return json.dumps(merged, sort_keys=True, separators=(",", ":")), merged != value
