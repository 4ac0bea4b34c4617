# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Route entries (one per Ingress path, with its match, filters and backends) grouped into
HTTPRoutes or GRPCRoutes in the Ingress's namespace.

Hosts of one Ingress with the same paths and TLS share a route (named after the Ingress); an
Ingress whose hosts differ gets one route per host (<ingress>-<host>), as a route's rules apply
to all its hostnames. An HTTPS host that redirects HTTP gets a second route on its HTTP listener
(<route>-https-redirect, 308 as ingress-nginx's default http-redirect-code). Rules with the same
filters and backends share one rule (at most 16 rules a route: more go to <route>-2, ...).
"""

from __future__ import annotations

import json

from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.gateway import (
    GATEWAY_API,
    parent_ref,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.naming import safe_name
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.policies import (
    MIGRATED_FROM,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import MANAGED_LABEL

MAX_RULES = 16
HTTPS_REDIRECT = {
    "type": "RequestRedirect",
    "requestRedirect": {"scheme": "https", "statusCode": 308},
}


def _key(value):
    return json.dumps(value, sort_keys=True)


def route_objects(rec, entries, route, gw, tls_hosts, redirect_hosts):
    """The routes of one Ingress."""
    by_host = {}
    for e in entries:
        by_host.setdefault(e["host"], []).append(e)
    units = {}
    for host, items in sorted(by_host.items()):
        signature = _key(
            [
                sorted(_key({k: v for k, v in e.items() if k != "host"}) for e in items),
                host in tls_hosts,
                host in redirect_hosts,
            ]
        )
        units.setdefault(signature, []).append(host)
    out = []
    for hosts in sorted(units.values()):
        base = (
            rec["name"]
            if len(units) == 1
            else safe_name(rec["name"], hosts[0] or "any-host", limit=253)
        )
        items = [e for h in hosts for e in by_host[h]]
        tls = hosts[0] in tls_hosts
        redirect = hosts[0] in redirect_hosts
        parents = []
        if tls:
            parents += [parent_ref(gw, "https", h) for h in hosts]
        if not redirect:
            parents += [parent_ref(gw, "http", h) for h in hosts]
        if parents:
            out += _routes(rec, base, hosts, items, route, parents)
        if redirect:
            redirect_items = [
                dict(e, filters=[HTTPS_REDIRECT], backends=[], headers=e["headers"]) for e in items
            ]
            out += _routes(
                rec,
                safe_name(base, "https-redirect", limit=253),
                hosts,
                redirect_items,
                {},
                [parent_ref(gw, "http", h) for h in hosts],
            )
    return out


def _routes(rec, base, hosts, items, route, parents):
    grpc = route.get("grpc")
    rules = {}
    for e in items:
        key = _key([e["filters"], e["backends"]])
        match = _grpc_match(e) if grpc else _http_match(e)
        rules.setdefault(key, {"filters": e["filters"], "backends": e["backends"], "matches": []})
        if match not in rules[key]["matches"]:
            rules[key]["matches"].append(match)
    rendered = []
    # Longest path first, as ingress-nginx orders its locations: the order istiod keeps for
    # regular expressions (Gateway API leaves their precedence to the implementation).
    for key in sorted(rules, key=lambda k: (-max(_length(m) for m in rules[k]["matches"]), k)):
        r = rules[key]
        rule = {}
        matches = sorted(r["matches"], key=_key)
        if matches and matches != [{}]:
            rule["matches"] = matches
        if r["filters"]:
            rule["filters"] = r["filters"]
        if r["backends"]:
            rule["backendRefs"] = [_ref(b) for b in r["backends"]]
        if route.get("timeouts") and not grpc and r["backends"]:
            rule["timeouts"] = dict(route["timeouts"])
        rendered.append(rule)
    out = []
    for i in range(0, len(rendered), MAX_RULES):
        name = base if i == 0 else safe_name(base, str(i // MAX_RULES + 1), limit=253)
        spec = {"parentRefs": parents, "rules": rendered[i : i + MAX_RULES]}
        named = sorted(h for h in hosts if h)
        if named:
            spec["hostnames"] = named
        out.append(
            {
                "apiVersion": GATEWAY_API,
                "kind": "GRPCRoute" if grpc else "HTTPRoute",
                "metadata": {
                    "name": name,
                    "namespace": rec["namespace"],
                    "labels": dict(MANAGED_LABEL),
                    "annotations": {MIGRATED_FROM: rec["id"]},
                },
                "spec": spec,
            }
        )
    return out


def _length(match):
    return len((match.get("path") or {}).get("value") or "")


def _ref(b):
    out = {"name": b["name"], "port": b["port"]}
    if "weight" in b:
        out["weight"] = b["weight"]
    return out


def _http_match(e):
    match = {"path": dict(e["match"])}
    if e["headers"]:
        match["headers"] = e["headers"]
    return match


def _grpc_match(e):
    """A gRPC method match for an Ingress path: / is every method, /pkg.Service a service,
    /pkg.Service/Method one method (gRPC requests are POST /pkg.Service/Method)."""
    parts = [p for p in e["path"].split("/") if p]
    match = {}
    if len(parts) == 1:
        match["method"] = {"type": "Exact", "service": parts[0]}
    elif len(parts) == 2:
        match["method"] = {"type": "Exact", "service": parts[0], "method": parts[1]}
    if e["headers"]:
        match["headers"] = e["headers"]
    return match
