# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The request corpus of the migration proof, generated from the Ingresses themselves.

For every rule (host, path, pathType) of every Ingress: requests that hit it and its
near-misses (the prefix boundary /foo vs /foobar, a trailing slash, a sub-path, the path in
upper case, the host in upper case, a host one label deeper for a wildcard, the bare
domain), over http and, for hosts with TLS, https; plus an unknown host; and, from the
annotations, the requests that exercise them (canary header/cookie values, app-root's "/",
source addresses in and out of the allowed ranges, a query string on redirects). Which
backend, redirect or reject each request gets is not written here: the model
(nginx_model.py) and the oracle each say it.
"""

from __future__ import annotations

import re

from nginx_model import PREFIX

UNKNOWN_HOST = "unknown.migrate.invalid"
# Source addresses: one inside the private ranges the test Ingresses allow, one outside.
INSIDE, OUTSIDE = "10.1.2.3", "203.0.113.9"
GRPC_METHOD = "/grpc.health.v1.Health/Check"
GRPC_CALL = {"protocol": "http2", "method": "POST", "headers": {"content-type": "application/grpc"}}


def _ann(ing, key):
    return ((ing.get("metadata") or {}).get("annotations") or {}).get(PREFIX + key)


def sample_path(path, regex):
    """A concrete path for a rule's path: itself, or for a regex one a string it matches."""
    if not regex:
        return path
    s = re.sub(r"\(\?[a-zA-Z]+\)", "", path)
    s = re.sub(r"\((?:[^()]*)\)[*?]", "", s)  # optional groups drop out
    s = re.sub(r"\[(\w)[^\]]*\][*+]?", r"\1", s)  # a character class: its first character
    s = re.sub(r"\\d[*+]?", "1", s)
    s = re.sub(r"\.\*|\.\+|\[[^\]]*\][*+]?|\\w[*+]?", "x", s)
    s = s.replace("(", "").replace(")", "").replace("^", "").replace("$", "").replace("\\", "")
    s = re.sub(r"[|?*+]", "", s)
    return s or "/"


def _hosts(rule_host):
    """(host to request, near-miss hosts) for a rule's host."""
    if not rule_host:
        return "any.migrate.invalid", []
    if rule_host.startswith("*."):
        base = rule_host[2:]
        return "a." + base, ["a.b." + base, base]
    return rule_host, [rule_host.upper()]


def _req(name, host, path, scheme="http", **extra):
    r = {"host": host, "path": path, "scheme": scheme, "headers": {}, "cookies": {}}
    r.update(extra)
    r["headers"] = dict(r["headers"])
    return {"name": name, "request": r}


def corpus(ingresses):
    """The requests for a set of Ingresses, de-duplicated, in a stable order."""
    out = []
    regex_hosts = {
        (r.get("host") or "")
        for i in ingresses
        if str(_ann(i, "use-regex")).lower() == "true" or _ann(i, "rewrite-target")
        for r in (i.get("spec") or {}).get("rules") or ()
    }
    for ing in ingresses:
        spec = ing.get("spec") or {}
        tls_hosts = {h for t in spec.get("tls") or () for h in t.get("hosts") or ()}
        ref = "%s/%s" % (ing["metadata"].get("namespace") or "default", ing["metadata"]["name"])
        for rule in spec.get("rules") or ():
            host, near_hosts = _hosts(rule.get("host"))
            schemes = ["http"] + (["https"] if rule.get("host") in tls_hosts else [])
            for p in (rule.get("http") or {}).get("paths") or ():
                path = p.get("path") or "/"
                ptype = p.get("pathType") or "ImplementationSpecific"
                base = sample_path(path, (rule.get("host") or "") in regex_hosts)
                tag = "%s %s %s %s" % (ref, rule.get("host") or "*", path, ptype)
                variants = [("hit", base)]
                if base.endswith("/") and base != "/":
                    variants.append(("no trailing slash", base.rstrip("/")))
                elif base != "/":
                    variants += [
                        ("trailing slash", base + "/"),
                        ("sub-path", base + "/sub"),
                        ("prefix boundary", base + "bar"),
                        ("upper case", base.upper()),
                    ]
                else:
                    variants += [("any path", "/some/page"), ("trailing slash", "/some/dir/")]
                grpc = str(_ann(ing, "backend-protocol") or "").upper() in ("GRPC", "GRPCS")
                if grpc:
                    # A gRPC backend gets gRPC calls: HTTP/2 POST /<service>/<method>.
                    variants = [("grpc call", base.rstrip("/") + GRPC_METHOD)]
                for scheme in schemes:
                    for what, rp in variants:
                        extra = GRPC_CALL if grpc else {}
                        out.append(
                            _req("%s: %s %s" % (tag, what, scheme), host, rp, scheme, **extra)
                        )
                for nh in near_hosts:
                    out.append(_req("%s: near host %s" % (tag, nh), nh, base))
                out += _annotation_requests(ing, tag, host, base, schemes)
    out.append(_req("unknown host", UNKNOWN_HOST, "/"))
    seen, unique = set(), []
    for item in out:
        key = repr(sorted((k, repr(v)) for k, v in item["request"].items()))
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _annotation_requests(ing, tag, host, path, schemes):
    out = []
    scheme = schemes[-1]
    header = _ann(ing, "canary-by-header")
    if header:
        values = ["always", "never", "other"]
        if _ann(ing, "canary-by-header-value"):
            values.append(_ann(ing, "canary-by-header-value"))
        for v in values:
            out.append(
                _req(
                    "%s: canary header %s=%s" % (tag, header, v),
                    host,
                    path,
                    scheme,
                    headers={header.lower(): v},
                )
            )
    cookie = _ann(ing, "canary-by-cookie")
    if cookie:
        for v in ("always", "never", "other"):
            out.append(
                _req(
                    "%s: canary cookie %s=%s" % (tag, cookie, v),
                    host,
                    path,
                    scheme,
                    cookies={cookie: v},
                )
            )
    if str(_ann(ing, "enable-cors")).lower() == "true":
        origin = (
            (_ann(ing, "cors-allow-origin") or "https://origin.example.com").split(",")[0].strip()
        )
        out.append(
            _req(
                "%s: CORS preflight" % tag,
                host,
                path,
                scheme,
                method="OPTIONS",
                headers={"origin": origin, "access-control-request-method": "POST"},
            )
        )
    if _ann(ing, "app-root"):
        out.append(_req("%s: app-root /" % tag, host, "/", scheme))
    if _ann(ing, "permanent-redirect") or _ann(ing, "temporal-redirect"):
        out.append(_req("%s: redirect with query" % tag, host, path + "?q=1", scheme))
    if len(schemes) > 1 or _ann(ing, "force-ssl-redirect"):
        out.append(_req("%s: http with query" % tag, host, path + "?q=1", "http"))
    for key in ("whitelist-source-range", "denylist-source-range"):
        if _ann(ing, key):
            for ip in (INSIDE, OUTSIDE):
                out.append(
                    _req("%s: %s from %s" % (tag, key, ip), host, path, scheme, source_ip=ip)
                )
    return out
