# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Merging Helm values into a round-trip YAML mapping, the way Helm merges a values file over
a chart's defaults: mappings are merged key by key, recursively; a scalar or a list is replaced
by the new value (a list is never merged item by item). Existing keys keep their place, comments
and quoting; new keys are added at the end of their mapping. Nothing is removed."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.yaml_rt import (
    attach_tail,
    block_style,
    detach_tail,
    is_map,
    new_scalar,
    plain,
    same,
    to_node,
)


def key_path(keys):
    """A readable path: controller.podLabels["sidecar.istio.io/inject"]."""
    out = ""
    for key in keys:
        if isinstance(key, int):
            out += "[%d]" % key
            continue
        key = str(key)
        if key and all(c.isalnum() or c in "-_" for c in key):
            out += ("." if out else "") + key
        else:
            out += '["%s"]' % key.replace("\\", "\\\\").replace('"', '\\"')
    return out


def merge_values(node, values, style, path=()):
    """Merge ``values`` (plain data) into the mapping ``node`` in place; returns the changes,
    [{"path": ..., "action": "added" | "replaced", "before": ... (replaced only)}]."""
    changes = []
    for key, value in values.items():
        here = path + (key,)
        if key in node:
            current = node[key]
            if is_map(value) and is_map(current):
                block_style(current)
                changes.extend(merge_values(current, value, style, here))
            elif not same(current, value):
                node[key] = (
                    to_node(value, style)
                    if isinstance(value, (dict, list))
                    else new_scalar(value, style, like=current)
                )
                changes.append(
                    {"path": key_path(here), "action": "replaced", "before": plain(current)}
                )
        else:
            _append(node, key, to_node(value, style))
            changes.append({"path": key_path(here), "action": "added"})
    return changes


def _append(node, key, value):
    """Add key at the end of node; the comment lines that followed node's last item (the header
    of what comes after node) follow the new item instead."""
    rest = detach_tail(node) if len(node) else ""
    node[key] = value
    attach_tail(node, rest)
