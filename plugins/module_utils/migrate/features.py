# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""One function per catalog feature: it reads the Ingress record's annotations, changes the
Ingress's route entries (filters, backends, matches) or adds Istio policies, and says in the
report what it became. Defaults are ingress-nginx's (controller-v1.15.1 annotations.md)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.model import (
    csv,
    is_true,
    seconds,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.policies import (
    operation_paths,
)

_GATEWAY_CODES = (301, 302, 303, 307, 308)
_CORS_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS"
_CORS_HEADERS = (
    "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,"
    "Range,Authorization"
)


def _backends(entries):
    return sorted({(b["name"], b["port"]) for e in entries for b in e["backends"] if "port" in b})


def redirect(ctx, rec, key, default_code, entries):
    url = rec["ann"][key]
    code = default_code
    notes = []
    try:
        code = int(rec["ann"].get(key + "-code") or default_code)
    except ValueError:
        code = default_code
    if code not in _GATEWAY_CODES:
        notes.append(
            "status %s is not a Gateway API redirect code, %d is used" % (code, default_code)
        )
        code = default_code
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return "not-translated", "", "the value is not an absolute URL (scheme://host/path)"
    spec = {"scheme": parts.scheme, "hostname": parts.hostname, "statusCode": code}
    if parts.port:
        spec["port"] = parts.port
    spec["path"] = {"type": "ReplaceFullPath", "replaceFullPath": parts.path or "/"}
    for e in entries:
        e["filters"] = [{"type": "RequestRedirect", "requestRedirect": dict(spec)}]
        e["backends"] = []
    # Shown without user info or query, which may hold credentials (reported.py's rule).
    shown = "%s://%s%s%s%s" % (
        parts.scheme,
        parts.hostname,
        ":%d" % parts.port if parts.port else "",
        parts.path or "/",
        "?..." if parts.query else "",
    )
    notes.append(
        "Envoy keeps the request's query string%s, NGINX's return %d sends exactly the URL"
        % (" (and cannot add the URL's own)" if parts.query else "", code)
    )
    return "approximated", "HTTPRoute RequestRedirect %s (%d)" % (shown, code), "; ".join(notes)


def app_root(ctx, rec, entries):
    root = rec["ann"]["app-root"]
    if not root.startswith("/"):
        return "not-translated", "", "app-root %r must start with /" % root
    for host in rec["hosts"]:
        entries.append(
            {
                "host": host,
                "path": "/",
                "match": {"type": "Exact", "value": "/"},
                "headers": [],
                "filters": [
                    {
                        "type": "RequestRedirect",
                        "requestRedirect": {
                            "path": {"type": "ReplaceFullPath", "replaceFullPath": root},
                            "statusCode": 302,
                        },
                    }
                ],
                "backends": [],
            }
        )
    return "translated", "HTTPRoute rule Exact / -> RequestRedirect %s (302)" % root, ""


def cors(ctx, rec, entries):
    ann = rec["ann"]
    if not is_true(ann.get("enable-cors")):
        return "translated", "nothing", 'enable-cors is not "true": NGINX adds no CORS headers'
    spec = {
        "allowOrigins": csv(ann.get("cors-allow-origin") or "*"),
        "allowMethods": [m.upper() for m in csv(ann.get("cors-allow-methods") or _CORS_METHODS)],
        "allowHeaders": csv(ann.get("cors-allow-headers") or _CORS_HEADERS),
        "allowCredentials": ann.get("cors-allow-credentials", "true").lower() != "false",
        "maxAge": int(ann.get("cors-max-age") or 1728000),
    }
    if ann.get("cors-expose-headers"):
        spec["exposeHeaders"] = csv(ann["cors-expose-headers"])
    for e in entries:
        if e["backends"]:
            e["filters"].append({"type": "CORS", "cors": spec})
    return (
        "translated",
        "HTTPRoute CORS filter",
        "Gateway API CORS filter (v1.5 standard, Extended support); istiod turns it into the "
        "route's corsPolicy (pilot/pkg/config/kube/gateway/conversion.go createCorsFilter)",
    )


def timeout(ctx, rec, route):
    ann = rec["ann"]
    values = [seconds(ann[k]) for k in ("proxy-read-timeout", "proxy-send-timeout") if k in ann]
    values = [v for v in values if v]
    if not values:
        return "not-translated", "", "not a number of seconds"
    route["timeouts"] = {"request": "%ds" % max(values)}
    return (
        "approximated",
        "HTTPRoute rules[].timeouts.request %ds" % max(values),
        "NGINX's read/send timeouts bound the time between two reads or writes; Gateway API's "
        "request timeout bounds the whole request: a response streaming longer than %ds is cut"
        % max(values),
    )


def connect_timeout(ctx, rec, entries):
    value = seconds(rec["ann"]["proxy-connect-timeout"])
    if not value:
        return "not-translated", "", "not a number of seconds"
    for name, _port in _backends(entries):
        ctx.policies.backend(
            rec["namespace"],
            name,
            rec["id"],
            {"connectionPool": {"tcp": {"connectTimeout": "%ds" % value}}},
        )
    return "translated", "DestinationRule connectionPool.tcp.connectTimeout %ds" % value, ""


def backend_protocol(ctx, rec, route, entries):
    proto = rec["ann"]["backend-protocol"].upper()
    if proto == "HTTP":
        return "translated", "nothing (HTTP is the default)", ""
    if proto in ("GRPC", "GRPCS"):
        route["grpc"] = True
    if proto in ("HTTPS", "GRPCS"):
        for name, port in _backends(entries):
            ctx.policies.backend(
                rec["namespace"],
                name,
                rec["id"],
                port=port,
                port_policy={"tls": {"mode": "SIMPLE", "insecureSkipVerify": True}},
            )
    if proto == "GRPC":
        for name, port in _backends(entries):
            ctx.policies.backend(
                rec["namespace"],
                name,
                rec["id"],
                port=port,
                port_policy={"connectionPool": {"http": {"h2UpgradePolicy": "UPGRADE"}}},
            )
    if proto == "HTTPS":
        return (
            "translated",
            "DestinationRule tls SIMPLE (insecureSkipVerify, as NGINX's proxy-ssl-verify off)",
            "the backend's own TLS replaces Istio mTLS on this port",
        )
    if proto in ("GRPC", "GRPCS"):
        return (
            "translated",
            "GRPCRoute"
            + (" + DestinationRule tls SIMPLE" if proto == "GRPCS" else "")
            + (" + DestinationRule h2UpgradePolicy UPGRADE" if proto == "GRPC" else ""),
            "paths become gRPC service/method matches",
        )
    return (
        "not-translated",
        "",
        "backend protocol %s has no Istio equivalent; serve the backend over HTTP, then accept"
        % proto,
    )


def upstream_vhost(ctx, rec, entries):
    host = rec["ann"]["upstream-vhost"]
    for e in entries:
        if e["backends"]:
            e["filters"].append(
                {
                    "type": "RequestHeaderModifier",
                    "requestHeaderModifier": {"set": [{"name": "Host", "value": host}]},
                }
            )
    return (
        "translated",
        "HTTPRoute RequestHeaderModifier set Host: %s" % host,
        "istiod turns a Host header set into Envoy's host_rewrite_literal "
        "(pilot/pkg/networking/core/route/route.go)",
    )


def source_range(ctx, rec, key, entries):
    ranges = csv(rec["ann"][key])
    if not ranges:
        return "not-translated", "", "no address ranges"
    # The gateway's HTTP ports: a DENY rule of HTTP attributes only would deny all TCP traffic
    # on the gateway (istioctl analyze IST0133).
    op = dict(_operation(rec, entries), ports=["80", "443"])
    allow = key == "whitelist-source-range"
    source = {"notRemoteIpBlocks" if allow else "remoteIpBlocks": ranges}
    to = ctx.policies.authorization(
        ctx.gateway,
        rec["id"],
        "allow-sources" if allow else "deny-sources",
        "DENY",
        [{"from": [{"source": source}], "to": [{"operation": op}]}],
    )
    return (
        "translated",
        "%s (DENY %s)"
        % (to, "from outside %s" % ", ".join(ranges) if allow else "from " + ", ".join(ranges)),
        "remoteIpBlocks is the client address the gateway sees: the real client only when the "
        "load balancer in front keeps it (Service externalTrafficPolicy: Local) or the gateway "
        "trusts its X-Forwarded-For (numTrustedProxies); otherwise it is the node or LB address",
    )


def affinity(ctx, rec, entries):
    ann = rec["ann"]
    if ann["affinity"] != "cookie":
        return "not-translated", "", "affinity %r is not cookie" % ann["affinity"]
    ttl = seconds(ann.get("session-cookie-max-age") or ann.get("session-cookie-expires") or "0")
    cookie = {
        "name": ann.get("session-cookie-name") or "INGRESSCOOKIE",
        "path": ann.get("session-cookie-path") or "/",
        "ttl": "%ds" % (ttl or 0),
    }
    conflict = _hash(ctx, rec, entries, {"httpCookie": cookie}, "affinity")
    if conflict:
        return conflict
    return (
        "approximated",
        "DestinationRule consistentHash httpCookie %s" % cookie["name"],
        "Envoy hashes the cookie onto a ring of endpoints: when endpoints change, some sessions "
        "move (NGINX's sticky cookie names the endpoint)",
    )


def hash_by(ctx, rec, entries):
    value = rec["ann"]["upstream-hash-by"]
    if value in ("$remote_addr", "$binary_remote_addr"):
        how = {"useSourceIp": True}
    elif value.startswith("$http_"):
        how = {"httpHeaderName": value[len("$http_") :].replace("_", "-")}
    elif value.startswith("$arg_"):
        how = {"httpQueryParameterName": value[len("$arg_") :]}
    elif value.startswith("$cookie_"):
        how = {"httpCookie": {"name": value[len("$cookie_") :]}}
    else:
        return (
            "not-translated",
            "",
            "Istio's consistent hash takes a header, a cookie, a query parameter or the source "
            "IP, not %r; choose one of those, then accept" % value,
        )
    conflict = _hash(ctx, rec, entries, how, "upstream-hash-by")
    if conflict:
        return conflict
    return "translated", "DestinationRule consistentHash %s" % json.dumps(how, sort_keys=True), ""


def auth_url(ctx, rec, entries):
    ann = rec["ann"]
    url = ann["auth-url"]
    parts = urlsplit(url)
    if "$" in url or not parts.hostname:
        return (
            "not-translated",
            "",
            "the URL uses NGINX variables (%s) or is not absolute; Istio's extension provider "
            "names one fixed service: point auth-url at it, then plan again"
            % ", ".join(sorted(set(re.findall(r"\$[a-z_]+", url)))),
        )
    provider = "meshgate-ext-authz-" + parts.hostname.replace(".", "-")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    needs = {
        "name": provider,
        "envoyExtAuthzHttp": {
            "service": parts.hostname,
            "port": port,
            "pathPrefix": parts.path or "/",
            "includeRequestHeadersInCheck": ["authorization", "cookie"],
        },
    }
    if ann.get("auth-response-headers"):
        needs["envoyExtAuthzHttp"]["headersToUpstreamOnAllow"] = csv(ann["auth-response-headers"])
    op = _operation(rec, entries)
    to = ctx.policies.authorization(
        ctx.gateway, rec["id"], "ext-authz", "CUSTOM", [{"to": [{"operation": op}]}], provider
    )
    return (
        "approximated",
        "%s (CUSTOM, provider %s)" % (to, provider),
        "needs meshConfig.extensionProviders entry %s (istiod's mesh config); Istio appends the "
        "request path to pathPrefix, NGINX calls the URL as is with X-Original-URI%s"
        % (
            json.dumps(needs, sort_keys=True, separators=(",", ":")),
            (
                ""
                if ".svc." in parts.hostname
                else "; %s is outside the cluster: it needs a ServiceEntry%s"
                % (parts.hostname, " and TLS origination" if parts.scheme == "https" else "")
            ),
        ),
    )


def _operation(rec, entries):
    """The AuthorizationPolicy operation of the Ingress's hosts and paths. Each host also as
    host:* - a Host header with a port would not match the bare name and pass a DENY policy."""
    # The gateway's HTTP ports (its pods listen on the listener ports): a DENY policy with only
    # HTTP attributes would also deny every TCP connection in its scope (istioctl validate).
    op = {"ports": ["80", "443"], "paths": operation_paths(entries)}
    hosts = sorted({x for h in rec["hosts"] if h for x in (h, h + ":*")})
    if hosts:
        op["hosts"] = hosts
    return op


def _hash(ctx, rec, entries, how, feature):
    """Set the consistent hash of the Ingress's Services; the report row of a conflict with
    another Ingress's hash of the same Service (a DestinationRule has one per host), or None."""
    for name, _port in _backends(entries):
        other = ctx.policies.hash_of(rec["namespace"], name)
        if other and other[0] != how:
            return (
                "not-translated",
                "",
                "Service %s/%s is already hashed by %s (%s); an Istio DestinationRule has one "
                "consistent hash per Service, ingress-nginx one per Ingress: make them agree, or "
                "accept the other one" % (rec["namespace"], name, other[1], feature),
            )
    for name, _port in _backends(entries):
        ctx.policies.backend(
            rec["namespace"], name, rec["id"], {"loadBalancer": {"consistentHash": how}}
        )
    return None


def body_size(ctx, rec):
    value = rec["ann"]["proxy-body-size"]
    if value.strip() in ("0", "0m", "0k"):
        return "translated", "nothing", "0 is no limit; Envoy streams request bodies without one"
    return (
        "not-translated",
        "",
        "a request body limit (%s) needs an EnvoyFilter (Envoy buffer filter); set one up, or "
        "accept that the gateway enforces no body limit" % value,
    )
