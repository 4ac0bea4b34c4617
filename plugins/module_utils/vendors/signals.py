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


def _signals():
    """Every image regex and pod-label set by which detection may single out a workload."""
    images, labels = [], []
    for entry in registry.VENDORS:
        for sig in entry.get("workload_signals", ()):
            images += [sig[k] for k in ("image", "with_image") if k in sig]
            if "labels" in sig:
                labels.append(sig["labels"])
    for key in ("istiod_images", "proxy_images", "ztunnel_images"):
        images += ISTIO[key]
    labels += ISTIO["istiod_labels"] + ISTIO["gateway_labels"]
    by_key = {}  # a signal is looked at only when its first key is among the labels
    for wanted in labels:
        if wanted:
            by_key.setdefault(next(iter(wanted)), []).append(wanted)
    return re.compile("|".join("(?:%s)" % p for p in images)), by_key


_SIGNAL_IMAGES, _SIGNAL_LABELS = _signals()


@lru_cache(maxsize=4096)  # a cluster runs few distinct images
def _image_signalled(image):
    return bool(_SIGNAL_IMAGES.search(normalise_image(image)))


def singled_out(labels, containers):
    """Whether detection may read this workload's container args/command/env: only a vendor's
    or Istio's (class arguments, ConfigMap flags, the gateway's "router" argument) - the same
    signals classify_workload and the Istio inventory match on, so nothing they read is lost."""
    for c in containers:
        if _image_signalled(c.get("image")):
            return True
    for key in labels:
        for wanted in _SIGNAL_LABELS.get(key, ()):
            if labels_match(wanted, labels):
                return True
    return False
