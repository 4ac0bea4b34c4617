# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The signals that single out a workload as a load balancer's or Istio's (catalog images and
pod labels), and the image and label matching they use."""

from __future__ import annotations

import re
from functools import lru_cache

from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import ISTIO


def normalise_image(image):
    """Image reference -> repository path without registry, tag or digest.

    "registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:..." -> "ingress-nginx/controller";
    "docker.io/library/traefik:v3" -> "traefik"; mirrors keep their path prefix, which the
    catalog's suffix-anchored regexes tolerate.
    """
    if not image:
        return ""
    image = image.split("@", 1)[0]
    last = image.rsplit("/", 1)
    if ":" in last[-1]:
        image = image[: len(image) - len(last[-1])] + last[-1].split(":", 1)[0]
    parts = image.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts)


def labels_match(wanted, labels):
    """wanted {k: v}; v None means 'key present'."""
    if not wanted:
        return False
    for key, value in wanted.items():
        if key not in labels:
            return False
        if value is not None and labels[key] != value:
            return False
    return True


# The signal shapes of the catalog (vendors/schema.py workload_signals), by the key that names
# each; container and port names are weak whatever the entry says.
SIGNAL_KINDS = ("image", "command", "env", "labels", "chart", "container", "port")
_ALWAYS_WEAK = ("container", "port")
CHART_LABELS = ("helm.sh/chart", "chart")


def signal_kind(sig):
    return next(k for k in SIGNAL_KINDS if k in sig)


def is_weak(sig):
    return bool(sig.get("weak")) or signal_kind(sig) in _ALWAYS_WEAK


# Leading anchors many command-line signals share: factored out of the combined regex, so it is
# tried only at the start of the line and after a space or slash, not at every character (a
# 1 KB command line of an application; bench/NOTES.md: 7.5 s -> 1.35 s for 20,000 of them).
_ANCHORS = (r"(^|\s)", r"(^|[\s/])")


def _alternation(patterns):
    by_anchor = {a: [] for a in _ANCHORS}
    rest = []
    for p in patterns:
        anchor = next((a for a in _ANCHORS if p.startswith(a)), None)
        if anchor is None:
            rest.append(p)
        else:
            by_anchor[anchor].append(p[len(anchor) :])
    branches = ["(?:%s)" % p for p in rest]
    branches += [
        "(?:%s(?:%s))" % (a, "|".join("(?:%s)" % p for p in ps))
        for a, ps in by_anchor.items()
        if ps
    ]
    return re.compile("|".join(branches) or r"(?!)")


def _signals():
    """One combined regex per signal kind and the label sets, over every vendor and Istio
    signal: what singled_out() tries before any entry is looked at."""
    patterns = {k: [] for k in SIGNAL_KINDS if k != "labels"}
    labels = []
    for entry in registry.VENDORS:
        for sig in entry.get("workload_signals", ()):
            kind = signal_kind(sig)
            if kind == "labels":
                labels.append(sig["labels"])
            else:
                patterns[kind].append(sig[kind])
            if "with_image" in sig:
                patterns["image"].append(sig["with_image"])
    for key in ("istiod_images", "proxy_images", "ztunnel_images"):
        patterns["image"] += ISTIO[key]
    labels += ISTIO["istiod_labels"] + ISTIO["gateway_labels"]
    by_key = {}  # a signal is looked at only when its first key is among the labels
    for wanted in labels:
        if wanted:
            by_key.setdefault(next(iter(wanted)), []).append(wanted)
    return {k: _alternation(v) for k, v in patterns.items()}, by_key


_SIGNAL_PATTERNS, _SIGNAL_LABELS = _signals()


@lru_cache(maxsize=4096)  # a cluster runs few distinct images
def _image_signalled(image):
    return bool(_SIGNAL_PATTERNS["image"].search(normalise_image(image)))


def command_line(container):
    """A container's command and args as one line ("contour serve --incluster ...")."""
    parts = list(container.get("command") or ()) + list(container.get("args") or ())
    return " ".join(str(p) for p in parts)


def chart_label(labels):
    for key in CHART_LABELS:
        if labels.get(key):
            return str(labels[key])
    return None


def _container_signalled(c):
    if _image_signalled(c.get("image")):
        return True
    if c.get("command") or c.get("args"):
        if _SIGNAL_PATTERNS["command"].search(command_line(c)):
            return True
    for e in c.get("env") or ():
        if isinstance(e, dict) and _SIGNAL_PATTERNS["env"].search(str(e.get("name") or "")):
            return True
    if _SIGNAL_PATTERNS["container"].search(str(c.get("name") or "")):
        return True
    return any(
        isinstance(p, dict) and _SIGNAL_PATTERNS["port"].search(str(p.get("name") or ""))
        for p in c.get("ports") or ()
    )


def singled_out(labels, containers):
    """Whether detection may read this workload's container args/command/env: only a vendor's
    or Istio's (class arguments, ConfigMap flags, the gateway's "router" argument) - the same
    signals classify_workload and the Istio inventory match on, so nothing they read is lost.
    Weak signals count here: two of them may make a vendor's workload."""
    for c in containers:
        if isinstance(c, dict) and _container_signalled(c):
            return True
    chart = chart_label(labels)
    if chart and _SIGNAL_PATTERNS["chart"].search(chart):
        return True
    for key in labels:
        for wanted in _SIGNAL_LABELS.get(key, ()):
            if labels_match(wanted, labels):
                return True
    return False
