# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Ingresses of a source load balancer as Gateway API routes on an Istio Gateway, with the
Istio policies their annotations need, and a report of what each annotation became.

translate_ingresses() is a pure function over plain data (same input, same output, sorted).
The source vendor's annotations come from its catalog (migrate/catalog/); the translation of
each feature lives in features.py, paths in paths.py, routes in routes.py, the Gateway in
gateway.py, DestinationRules and AuthorizationPolicies in policies.py.
"""

from __future__ import annotations

import copy
import json

from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate import features
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.catalog.registry import (
    SOURCES,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.gateway import (
    gateway_objects,
    tls_secrets,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.model import (
    Report,
    is_true,
    read_ingress,
    service_ports,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.paths import (
    path_match,
    rewrite,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.policies import Policies
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.routes import (
    route_objects,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.names import is_hostname

KIND_ORDER = (
    "Gateway",
    "ReferenceGrant",
    "HTTPRoute",
    "GRPCRoute",
    "DestinationRule",
    "AuthorizationPolicy",
)
GRPC_FILTERS = ("RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror")


class TranslateError(ValueError):
    """The request itself is wrong (unknown source, no target gateway)."""


class _Context:
    def __init__(self, gateway, cluster_domain):
        self.gateway = gateway
        self.policies = Policies(gateway, cluster_domain)
        self.report = Report()


def translate_ingresses(
    ingresses, services, source, target, accept=(), cluster_domain="cluster.local"
):
    """Translate the Ingresses of one source load balancer.

    ingresses: networking.k8s.io/v1 Ingress dicts (already those of the source's class);
    services: Service dicts (to resolve named backend ports); source: a catalog key
    ("ingress-nginx"); target: {"gateway": {"name", "namespace", "class", "existing"}};
    accept: annotation keys (with or without the vendor prefix) the user accepts as not
    translated. Returns {"objects", "report", "refused"}.
    """
    if source not in SOURCES:
        raise TranslateError(
            "source %r has no migration catalog; choose one of: %s" % (source, ", ".join(SOURCES))
        )
    gw = dict((target or {}).get("gateway") or {})
    if not gw.get("name") or not gw.get("namespace"):
        raise TranslateError("target.gateway needs a name and a namespace")
    gw.setdefault("class", "istio")
    catalog = SOURCES[source]
    ctx = _Context(gw, cluster_domain)
    ports = service_ports(services)
    records = sorted(
        (read_ingress(i, catalog, ports) for i in ingresses or ()), key=lambda r: r["id"]
    )
    canaries = [r for r in records if is_true(r["ann"].get("canary"))]
    mains = [r for r in records if r not in canaries]
    regex_hosts = {
        p["host"]
        for r in records
        if is_true(r["ann"].get("use-regex")) or _rewrites(r)
        for p in r["paths"]
    }
    secrets = tls_secrets(mains)
    built = []
    for rec in mains:
        entries, route = _translate(ctx, catalog, rec, regex_hosts)
        if _redirects(rec, secrets) and not is_true(rec["ann"].get("preserve-trailing-slash")):
            why = (
                "force-ssl-redirect"
                if is_true(rec["ann"].get("force-ssl-redirect"))
                else "ssl-redirect"
            )
            ctx.report.add(
                rec["id"],
                "%s (trailing slash)" % why,
                "approximated",
                "HTTPRoute RequestRedirect https",
                "ingress-nginx's HTTPS redirect drops a trailing slash of the request URI "
                "(lua_ingress.lua, unless preserve-trailing-slash); the Gateway API "
                "redirect keeps the path as sent",
            )
        built.append((rec, entries, route))
    _canaries(ctx, catalog, canaries, built)
    objects = []
    hosts = set()
    namespaces = set()
    for rec, entries, route in built:
        if not entries:
            continue
        hosts.update(e["host"] for e in entries)
        namespaces.add(rec["namespace"])
        objects += route_objects(rec, entries, route, gw, set(secrets), _redirects(rec, secrets))
    if objects:
        # A Gateway needs a listener: with no route to serve, nothing is made.
        objects = gateway_objects(gw, hosts, secrets, namespaces) + objects
    objects += ctx.policies.objects()
    objects.sort(
        key=lambda o: (
            KIND_ORDER.index(o["kind"]),
            o["metadata"].get("namespace") or "",
            o["metadata"]["name"],
        )
    )
    report = ctx.report.rows()
    accepted = {
        a[len(catalog["prefix"]) :] if a.startswith(catalog["prefix"]) else a for a in accept or ()
    }
    refused = sorted(
        {
            row["annotation"]
            for row in report
            if row["status"] == "not-translated"
            and _bare(catalog, row["annotation"]) not in accepted
        }
    )
    # Plain data without shared sub-objects (routes reuse filter dicts while they are built).
    return json.loads(json.dumps({"objects": objects, "report": report, "refused": refused}))


def _redirects(rec, secrets):
    """The Ingress's hosts whose HTTP requests it redirects to HTTPS: ssl-redirect is per
    location in ingress-nginx (default true once the host has a certificate, from any Ingress);
    force-ssl-redirect redirects without one."""
    if is_true(rec["ann"].get("force-ssl-redirect")):
        return set(rec["hosts"])
    if rec["ann"].get("ssl-redirect", "true") == "false":
        return set()
    return {h for h in rec["hosts"] if h in secrets}


def _bare(catalog, key):
    return key[len(catalog["prefix"]) :] if key.startswith(catalog["prefix"]) else key


def _rewrites(rec):
    target = rec["ann"].get("rewrite-target")
    return bool(target) and any(target != p["path"] for p in rec["paths"])


def _translate(ctx, catalog, rec, regex_hosts):
    """(route entries, route settings) of one non-canary Ingress; reports every annotation."""
    report = ctx.report
    entries = []
    rewrite_status = []
    for p in rec["paths"]:
        if p["host"] and not is_hostname(p["host"]):
            report.add(
                rec["id"],
                "host %s" % p["host"],
                "not-translated",
                "",
                "not a DNS host name (RFC 1123, optionally *.): the Gateway API refuses it; fix the Ingress or accept leaving the rule out",
            )
            continue
        if p["host"].startswith("*."):
            report.add(
                rec["id"],
                "host %s" % p["host"],
                "approximated",
                "HTTPRoute hostname %s" % p["host"],
                "ingress-nginx matches one label for the wildcard (server_name ~^[\\w-]+\\.); "
                "Gateway API matches any number: deeper names now reach this route",
            )
        match, status, detail = path_match(p, p["host"] in regex_hosts)
        filters = []
        if status != "translated":
            report.add(
                rec["id"],
                "path %s%s (%s)" % (p["host"], p["path"], p["type"]),
                status,
                "HTTPRoute " + match["type"],
                detail,
            )
        if _rewrites(rec):
            new_match, filt, st, det = rewrite(p["path"], rec["ann"]["rewrite-target"])
            rewrite_status.append((st, det))
            if new_match:
                match = new_match
            if filt:
                filters.append(filt)
        entries.append(_entry(ctx, rec, p["host"], p["path"], match, p["backend"], filters))
    if rec["default"]:
        for host in rec["hosts"] or [""]:
            # ingress-nginx: a rule's own "/" path replaces the default backend's root location.
            if any(
                p["host"] == host and p["path"] == "/" and p["type"] != "Exact"
                for p in rec["paths"]
            ):
                continue
            entries.append(
                _entry(
                    ctx, rec, host, "/", {"type": "PathPrefix", "value": "/"}, rec["default"], []
                )
            )
        report.add(
            rec["id"], "spec.defaultBackend", "translated", "HTTPRoute rule PathPrefix /", ""
        )
    for t in rec["tls"]:
        hosts = ", ".join(t["hosts"]) or "(no hosts)"
        if not t["secret"]:
            report.add(
                rec["id"],
                "spec.tls %s" % hosts,
                "not-translated",
                "",
                "no secretName: ingress-nginx serves its default certificate; the Gateway needs a "
                "Secret per HTTPS listener; add one, or accept plain HTTP for these hosts",
            )
        else:
            report.add(
                rec["id"],
                "spec.tls %s" % hosts,
                "translated",
                'HTTPS listeners with Secret %s/%s; HTTP redirected to HTTPS (308) unless ssl-redirect is "false"'
                % (rec["namespace"], t["secret"]),
                "",
            )
    prefix = catalog["prefix"]
    route = {}
    for key in sorted(rec["ann"]):
        item = catalog["annotations"].get(key)
        name = prefix + key
        if item is None:
            report.add(
                rec["id"],
                name,
                "not-translated",
                "",
                "not an ingress-nginx annotation the translator knows; check what it does, then accept",
            )
            continue
        if "why" in item:
            report.add(rec["id"], name, "not-translated", "", item["why"])
            continue
        if item["feature"] == "info":
            if item["of"] not in rec["ann"]:
                report.add(
                    rec["id"],
                    name,
                    "translated",
                    "nothing",
                    "ingress-nginx ignores it without %s%s" % (prefix, item["of"]),
                )
            continue
        result = _feature(ctx, rec, key, item, entries, route, rewrite_status)
        if result:
            status, to, detail = result
            report.add(rec["id"], name, status, to, detail)
    if route.get("grpc"):
        for e in entries:
            dropped = [f["type"] for f in e["filters"] if f["type"] not in GRPC_FILTERS]
            if dropped:
                report.add(
                    rec["id"],
                    "GRPCRoute filters",
                    "not-translated",
                    "",
                    "a GRPCRoute has no %s filter" % ", ".join(sorted(set(dropped))),
                )
            e["filters"] = [f for f in e["filters"] if f["type"] in GRPC_FILTERS]
    return entries, route


def _entry(ctx, rec, host, path, match, backend, filters):
    backends = []
    if backend and "port" in backend:
        backends = [dict(backend)]
    elif backend:
        ctx.report.add(
            rec["id"],
            "backend %s:%s" % (backend["name"], backend["port_name"]),
            "not-translated",
            "",
            "Service %s/%s has no port named %s: ingress-nginx answers 503; fix the Ingress or "
            "the Service, or accept the rule without a backend (404 on the gateway)"
            % (rec["namespace"], backend["name"], backend["port_name"]),
        )
    else:
        ctx.report.add(
            rec["id"],
            "backend %s%s" % (host, path),
            "not-translated",
            "",
            "not a Service backend (a resource backend): an HTTPRoute names Services; accept the "
            "rule without a backend (404 on the gateway) or point it at a Service",
        )
    return {
        "host": host,
        "path": path,
        "match": match,
        "headers": [],
        "filters": filters,
        "backends": backends,
    }


def _feature(ctx, rec, key, item, entries, route, rewrite_status):
    feature = item["feature"]
    if feature == "regex":
        return (
            "translated",
            "HTTPRoute RegularExpression path matches",
            "every path of the Ingress's hosts as (?i)<path>.* (RE2 full match), as NGINX's ~* \"^<path>\"",
        )
    if feature == "rewrite":
        if not rewrite_status:
            return "translated", "nothing", "the target equals the path"
        worst = max(
            rewrite_status,
            key=lambda s: ("translated", "approximated", "not-translated").index(s[0]),
        )
        return worst[0], "HTTPRoute URLRewrite" if worst[0] != "not-translated" else "", worst[1]
    if feature == "app-root":
        return features.app_root(ctx, rec, entries)
    if feature == "ssl-redirect":
        return (
            "translated",
            (
                "HTTPRoute on the HTTP listener: RequestRedirect https (308)"
                if rec["ann"][key] != "false"
                else "no redirect route"
            ),
            "",
        )
    if feature == "force-ssl-redirect":
        if not is_true(rec["ann"][key]):
            return "translated", "nothing", ""
        untls = [h for h in rec["hosts"] if not any(t["secret"] for t in rec["tls"])]
        if untls:
            return (
                "approximated",
                "HTTPRoute on the HTTP listener: RequestRedirect https (308)",
                "no TLS for %s in the Ingress: ingress-nginx answers the redirected request "
                "with its default certificate, the Gateway has no HTTPS listener for it; add a "
                "spec.tls entry with a Secret" % ", ".join(h or "(any host)" for h in untls),
            )
        return "translated", "HTTPRoute on the HTTP listener: RequestRedirect https (308)", ""
    if feature == "redirect":
        return features.redirect(ctx, rec, key, item["code"], entries)
    if feature == "canary":
        return None
    if feature == "cors":
        return features.cors(ctx, rec, entries)
    if feature == "timeout":
        return features.timeout(ctx, rec, route)
    if feature == "connect-timeout":
        return features.connect_timeout(ctx, rec, entries)
    if feature == "backend-protocol":
        return features.backend_protocol(ctx, rec, route, entries)
    if feature == "upstream-vhost":
        return features.upstream_vhost(ctx, rec, entries)
    if feature in ("source-allow", "source-deny"):
        return features.source_range(ctx, rec, key, entries)
    if feature == "affinity":
        return features.affinity(ctx, rec, entries)
    if feature == "hash-by":
        return features.hash_by(ctx, rec, entries)
    if feature == "auth-url":
        return features.auth_url(ctx, rec, entries)
    if feature == "body-size":
        return features.body_size(ctx, rec)
    raise AssertionError("catalog feature %r has no translation" % feature)


def _canaries(ctx, catalog, canaries, built):
    """Canary Ingresses become weights and extra matches on the main Ingress's routes."""
    prefix = catalog["prefix"]
    for rec in canaries:
        ann = rec["ann"]
        found = False
        for p in rec["paths"]:
            for _main, entries, _route in built:
                for e in list(entries):
                    if (
                        e["host"] != p["host"]
                        or e["path"] != p["path"]
                        or not e["backends"]
                        or e["headers"]
                    ):
                        continue
                    if not p["backend"] or "port" not in p["backend"]:
                        continue
                    found = True
                    _canary_entry(ann, e, entries, p["backend"])
        for key in sorted(k for k in ann if k.startswith("canary")):
            if not found:
                ctx.report.add(
                    rec["id"],
                    prefix + key,
                    "not-translated",
                    "",
                    "no main Ingress with the same host and path: ingress-nginx ignores this canary",
                )
                continue
            if key == "canary":
                to = "backendRefs weights / header matches on the main Ingress's HTTPRoute"
                detail = (
                    "canary-by-cookie is matched on the Cookie header with a regular expression"
                    if ann.get("canary-by-cookie")
                    else ""
                )
                ctx.report.add(
                    rec["id"],
                    prefix + key,
                    "approximated" if ann.get("canary-by-cookie") else "translated",
                    to,
                    detail,
                )
        for key in sorted(k for k in ann if not k.startswith("canary")):
            ctx.report.add(
                rec["id"],
                prefix + key,
                "translated",
                "nothing",
                "ingress-nginx applies only the canary annotations of a canary Ingress",
            )


def _canary_entry(ann, e, entries, canary_backend):
    canary = dict(canary_backend)
    if ann.get("canary-by-header"):
        header = {
            "type": "Exact",
            "name": ann["canary-by-header"],
            "value": ann.get("canary-by-header-value") or "always",
        }
        if ann.get("canary-by-header-pattern") and not ann.get("canary-by-header-value"):
            header = {
                "type": "RegularExpression",
                "name": ann["canary-by-header"],
                "value": ann["canary-by-header-pattern"],
            }
        entries.append(dict(copy.deepcopy(e), headers=[header], backends=[canary]))
    if ann.get("canary-by-cookie"):
        cookie = {
            "type": "RegularExpression",
            "name": "Cookie",
            "value": "(.*; ?)?%s=always(;.*)?" % ann["canary-by-cookie"],
        }
        entries.append(dict(copy.deepcopy(e), headers=[cookie], backends=[canary]))
    if (
        ann.get("canary-by-header")
        and not ann.get("canary-by-header-value")
        and not ann.get("canary-by-header-pattern")
    ):
        # "never" keeps the request off the canary, whatever the weight.
        never = {"type": "Exact", "name": ann["canary-by-header"], "value": "never"}
        entries.append(dict(copy.deepcopy(e), headers=[never]))
    if ann.get("canary-weight"):
        total = int(ann.get("canary-weight-total") or 100)
        weight = min(max(int(ann["canary-weight"]), 0), total)
        main = dict(e["backends"][0], weight=total - weight)
        e["backends"] = [main, dict(canary, weight=weight)]
