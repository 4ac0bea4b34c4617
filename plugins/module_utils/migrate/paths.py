# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Ingress paths as Gateway API path matches, and rewrite-target as a URLRewrite filter.

ingress-nginx semantics (controller-v1.15.1, internal/ingress/controller/template/template.go
buildLocation; docs/user-guide/ingress-path-matching.md):
- Exact -> ``location = /p``; Prefix -> element-wise prefix (as Gateway API PathPrefix);
  ImplementationSpecific -> ``location /p``, a plain string prefix (/p also matches /pq).
- On a host where any Ingress sets use-regex: "true" or rewrite-target, every path of that host
  is ``location ~* "^/p"``: a case-insensitive regular expression anchored at the start only.
- rewrite-target T -> ``rewrite "(?i)/p" T break;``: NGINX replaces the whole URI with T, where
  $1.. are the path's capture groups.
"""

from __future__ import annotations

import re

# path P(/|$)(.*) with target T$2, the documented capture-group form (rewrite example).
_SLASH_OR_END = re.compile(r"^(?P<prefix>/[^()\\$^*+?\[\]{}|]*?)\(/\|\$\)\(\.\*\)$")
# path P/(.*) or P(.*) with target T$1.
_REST = re.compile(r"^(?P<prefix>/[^()\\$^*+?\[\]{}|]*?)\((?P<group>\.\*|/\.\*)\)$")
_META = re.compile(r"[()\\$^*+?\[\]{}|]")
# PCRE constructs RE2 (Envoy's and istiod's regular expressions) does not have.
_PCRE_ONLY = re.compile(r"\(\?[=!>]|\(\?<[=!]|\\[1-9]|[*+?}][+]")


def regex_value(path):
    """An NGINX ``~* "^path"`` location as a Gateway API (RE2, full-match) regular expression."""
    body = path[:-1] if path.endswith("$") and not path.endswith("\\$") else path + ".*"
    return "(?i)" + body


def path_match(entry, regex_host):
    """(Gateway API path match, status, detail) of one Ingress path."""
    path, kind = entry["path"], entry["type"]
    if regex_host and _PCRE_ONLY.search(path):
        return (
            {"type": "RegularExpression", "value": regex_value(path)},
            "not-translated",
            "%r uses lookaround, a backreference or a possessive quantifier: NGINX's PCRE has them, "
            "RE2 (Envoy, istiod) does not and istiod rejects the route; rewrite the path, then "
            "accept" % path,
        )
    if regex_host:
        return (
            {"type": "RegularExpression", "value": regex_value(path)},
            "translated",
            "use-regex on this host (or a rewrite-target on it): NGINX matches every path of "
            "the host as a case-insensitive regular expression anchored at the start; the "
            "same as an RE2 full match of (?i)<path>.*",
        )
    if kind == "Exact":
        return {"type": "Exact", "value": path}, "translated", ""
    if kind == "Prefix":
        return {"type": "PathPrefix", "value": path}, "translated", ""
    return (
        {"type": "PathPrefix", "value": path},
        "approximated",
        "ImplementationSpecific is a string prefix in NGINX (%s also matches %sx); PathPrefix "
        "matches whole path elements" % (path, path.rstrip("/") or "/"),
    )


def rewrite(path, target):
    """How rewrite-target T translates for path P.

    Returns (path match or None to keep the path's own, URLRewrite filter or None, status,
    detail)."""
    groups = set(re.findall(r"\$(\d)", target))
    if not groups:
        return (
            None,
            {"type": "URLRewrite", "urlRewrite": {"path": _full(target)}},
            "translated",
            "NGINX replaces the whole path with %s; so does ReplaceFullPath" % target,
        )
    m = _SLASH_OR_END.match(path)
    if m and groups == {"2"} and target.endswith("$2") and _plain(target[:-2]):
        return _prefix(m.group("prefix"), target[:-2] or "/", path, target)
    m = _REST.match(path)
    if m and groups == {"1"} and target.endswith("$1") and _plain(target[:-2]):
        prefix = m.group("prefix")
        replacement = target[:-2] or "/"
        if m.group("group") == "/.*":
            replacement = replacement.rstrip("/") or "/"
        return _prefix(prefix, replacement, path, target)
    return (
        None,
        None,
        "not-translated",
        "capture groups of %r in %r have no Gateway API equivalent (only a prefix replacement "
        "or a full path); rewrite the path as P(/|$)(.*) -> /T/$2, or accept the unrewritten path"
        % (path, target),
    )


def _plain(text):
    return not _META.search(text)


def _full(target):
    return {"type": "ReplaceFullPath", "replaceFullPath": target}


def _prefix(prefix, replacement, path, target):
    prefix = prefix.rstrip("/") or "/"
    return (
        {"type": "PathPrefix", "value": prefix},
        {
            "type": "URLRewrite",
            "urlRewrite": {
                "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": replacement}
            },
        },
        "approximated",
        "%s -> %s as PathPrefix %s with ReplacePrefixMatch %s: the same rewrite, but matched "
        "case-sensitively and by path element (NGINX: case-insensitive regular expression)"
        % (path, target, prefix, replacement),
    )
