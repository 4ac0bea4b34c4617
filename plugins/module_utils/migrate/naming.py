# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Names of the objects and listeners a migration makes: as manifests.dns_name() (lower case,
'-' joined), and when that is longer than the limit, its start and a hash of the whole, so two
long names never become the same one (dns_name's cut alone would merge two objects)."""

from __future__ import annotations

import hashlib


def safe_name(*parts, limit=63):
    full = _join(parts)
    if len(full) <= limit:
        return full
    digest = hashlib.sha256(full.encode("utf-8")).hexdigest()[:10]
    return "%s-%s" % (full[: limit - 11].rstrip("-"), digest)


def _join(parts):
    """manifests.dns_name() without its 63-character cut."""
    raw = "-".join(str(p) for p in parts if p)
    out = "".join(c if c.isalnum() else "-" for c in raw.lower()).strip("-")
    while "--" in out:
        out = out.replace("--", "-")
    return out
