# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A pure model of how ingress-nginx routes one request over a set of Ingresses (issue 23).

route(ingresses, services, request) -> outcome, where a request is
    {"host", "path" (with any query), "scheme": "http"|"https", "headers": {lower-case name:
     value}, "cookies": {name: value}, "source_ip", "method"}
and an outcome is one of
    {"kind": "backend", "backends": [{"service": "ns/name", "port": N, "weight": W}, ...],
     "upstream_path", "upstream_host", "ingress": "ns/name", "features": [...]}
    {"kind": "redirect", "code": N, "location": "...", "ingress", "features"}
    {"kind": "reject", "code": N, "ingress", "features"}
    {"kind": "answer", "code": N, ...}: answered by NGINX itself (a CORS preflight)
"features" names the Ingress features and annotations that decided the outcome, so a
difference from Istio can be matched to the translation report's entry for it.

Every rule is ingress-nginx's (controller v1.x; the project is retired, its last behaviour is
the reference), cited by the document or source file it comes from:
  [paths]   docs user-guide/ingress-path-matching.md
  [annot]   docs user-guide/nginx-configuration/annotations.md
  [cm]      docs user-guide/nginx-configuration/configmap.md (defaults: ssl-redirect true,
            http-redirect-code 308)
  [ctrl]    internal/ingress/controller/controller.go (createServers, updateServerLocations,
            mergeAlternativeBackends, the location sort)
  [tmpl]    rootfs/etc/nginx/template/nginx.tmpl (buildLocation, buildServerName, the location
            block: app-root, redirect, rewrite, allow/deny)
  [lua]     rootfs/etc/nginx/lua/lua_ingress.lua (redirect_to_https, the trailing slash)
  [canary]  rootfs/etc/nginx/lua/balancer.lua (route_to_alternative_balancer)
  [nginx]   nginx's ngx_http_core_module `location` (exact, then longest prefix, then regexes in
            order) and request phases (server rewrite, location rewrite, access, content)
Not modelled (the outcome says which feature it ignored, never a guess): the external auth
call's answer (auth-url), CORS preflight answers, rate limits, body size, custom error pages,
snippets, upstream TLS/GRPC framing, session affinity's choice of pod.
"""

from __future__ import annotations

import ipaddress
import re

PREFIX = "nginx.ingress.kubernetes.io/"
DEFAULT_SERVER = "_"
# [cm]: http-redirect-code default 308; [annot]: permanent-redirect-code 301,
# temporal-redirect-code 302, app-root 302.
HTTP_REDIRECT_CODE = 308
NOT_MODELLED = (
    "auth-url",
    "enable-cors",
    "limit-rps",
    "limit-connections",
    "proxy-body-size",
    "custom-http-errors",
    "configuration-snippet",
    "server-snippet",
    "backend-protocol",
    "affinity",
)


def _ann(ing, key, default=None):
    return ((ing.get("metadata") or {}).get("annotations") or {}).get(PREFIX + key, default)


def _true(ing, key, default=False):
    v = _ann(ing, key)
    return default if v is None else str(v).strip().lower() == "true"


def _ref(obj):
    m = obj.get("metadata") or {}
    return "%s/%s" % (m.get("namespace") or "default", m["name"])


def service_port(services, ns, backend):
    """(ns/name, Service port number) of an Ingress backend; a named port is resolved against
    the Service (ingress-nginx upstreams are Service ports, [ctrl] createUpstreams)."""
    svc = backend.get("service") or {}
    port = svc.get("port") or {}
    name = svc.get("name")
    if "number" in port:
        return "%s/%s" % (ns, name), int(port["number"])
    for s in services:
        m = s.get("metadata") or {}
        if m.get("name") == name and (m.get("namespace") or "default") == ns:
            for p in (s.get("spec") or {}).get("ports") or ():
                if p.get("name") == port.get("name"):
                    return "%s/%s" % (ns, name), int(p["port"])
    return "%s/%s" % (ns, name), None


class _Location:
    def __init__(self, path, path_type, ing, backend, default_backend=False):
        self.path, self.path_type, self.ing = path, path_type, ing
        self.backend = backend  # (service ref, port) or None: the controller's 404 backend
        self.default_backend = default_backend
        self.canaries = []  # canary Ingresses merged here ([ctrl] mergeAlternativeBackends)


def _servers(ingresses, services):
    """host -> {"locations": [...], "regex": bool, "tls": bool}, as [ctrl] createServers."""
    main = [i for i in ingresses if not _true(i, "canary")]
    canaries = [i for i in ingresses if _true(i, "canary")]
    servers: dict = {DEFAULT_SERVER: {"locations": [], "regex": False, "tls": False}}
    # [ctrl]: an Ingress without rules but with spec.defaultBackend is the catch-all server's
    # backend; otherwise the controller's default backend (404).
    catch_all = None
    for ing in main:
        spec = ing.get("spec") or {}
        if spec.get("defaultBackend") and not spec.get("rules") and catch_all is None:
            catch_all = (ing, service_port(services, _ns(ing), spec["defaultBackend"]))
    servers[DEFAULT_SERVER]["locations"].append(
        _Location(
            "/",
            "Prefix",
            catch_all[0] if catch_all else None,
            catch_all[1] if catch_all else None,
            True,
        )
    )
    for ing in main:
        spec = ing.get("spec") or {}
        ns = _ns(ing)
        for rule in spec.get("rules") or ():
            host = (rule.get("host") or DEFAULT_SERVER).lower()
            if host not in servers:
                # [ctrl]: each new server gets a root location on the default backend; the
                # defaultBackend of the Ingress that creates the server replaces it.
                dflt = spec.get("defaultBackend")
                servers[host] = {
                    "locations": [
                        _Location(
                            "/",
                            "Prefix",
                            ing if dflt else None,
                            service_port(services, ns, dflt) if dflt else None,
                            True,
                        )
                    ],
                    "regex": False,
                    "tls": False,
                }
            srv = servers[host]
            for p in (rule.get("http") or {}).get("paths") or ():
                path = p.get("path") or "/"
                loc = _Location(
                    path,
                    p.get("pathType") or "ImplementationSpecific",
                    ing,
                    service_port(services, ns, p["backend"]),
                )
                # [ctrl]: a path defined by a second Ingress for the same host and path is
                # dropped (the first wins); "/" replaces the default-backend root location.
                same = [
                    x
                    for x in srv["locations"]
                    if x.path == path and x.path_type == loc.path_type and not x.default_backend
                ]
                if same:
                    continue
                if path == "/":
                    srv["locations"] = [
                        x for x in srv["locations"] if not (x.default_backend and x.path == "/")
                    ]
                srv["locations"].append(loc)
            # [annot] use-regex / rewrite-target: regex locations for ALL paths of the host.
            if _true(ing, "use-regex") or _ann(ing, "rewrite-target"):
                srv["regex"] = True
        for tls in spec.get("tls") or ():
            for h in tls.get("hosts") or ():
                if h.lower() in servers:
                    servers[h.lower()]["tls"] = True
    for can in canaries:
        for rule in (can.get("spec") or {}).get("rules") or ():
            srv = servers.get((rule.get("host") or DEFAULT_SERVER).lower())
            for p in (rule.get("http") or {}).get("paths") or ():
                # [ctrl] mergeAlternativeBackends: the canary joins the main location of the
                # same host, path and pathType; a canary without one is ignored.
                ptype = p.get("pathType") or "ImplementationSpecific"
                for loc in (srv or {}).get("locations") or ():
                    if (
                        loc.path == (p.get("path") or "/")
                        and loc.path_type == ptype
                        and not loc.default_backend
                    ):
                        loc.canaries.append((can, service_port(services, _ns(can), p["backend"])))
    for srv in servers.values():
        srv["locations"] = _nginx_locations(srv["locations"], srv["regex"])
    return servers


def _ns(ing):
    return (ing.get("metadata") or {}).get("namespace") or "default"


def _nginx_locations(locations, regex):
    """[ctrl] updateServerLocations: a Prefix path /foo (not "/", no regex/rewrite) becomes
    `location /foo/` plus `location = /foo` (unless an Exact /foo exists); then the locations
    are sorted by descending path length ([paths]: "ingress-nginx first orders the paths by
    descending length before writing them to the NGINX template")."""
    out = []
    exact = {x.path for x in locations if x.path_type == "Exact"}
    for loc in locations:
        loc.kind = "regex" if regex else ("exact" if loc.path_type == "Exact" else "prefix")
        if loc.path_type == "Prefix" and loc.path != "/" and not regex:
            prefix = _Location(
                loc.path.rstrip("/") + "/", "Prefix", loc.ing, loc.backend, loc.default_backend
            )
            prefix.kind, prefix.canaries, prefix.ingress_path = "prefix", loc.canaries, loc.path
            out.append(prefix)
            if loc.path.rstrip("/") not in exact:
                ex = _Location(
                    loc.path.rstrip("/"), "Exact", loc.ing, loc.backend, loc.default_backend
                )
                ex.kind, ex.canaries, ex.ingress_path = "exact", loc.canaries, loc.path
                out.append(ex)
            continue
        loc.ingress_path = loc.path
        out.append(loc)
    out.sort(key=lambda x: x.path, reverse=True)
    out.sort(key=lambda x: len(x.path), reverse=True)
    return out


def _server_for(servers, host):
    """[tmpl] buildServerName: an exact server_name first; a wildcard `*.example.com` becomes
    `~^(?<subdomain>[\\w-]+)\\.example\\.com$`, one label only; else the default server.
    nginx compares host names case-insensitively."""
    host = (host or "").lower().split(":")[0]
    if host in servers and host != DEFAULT_SERVER:
        return host
    for name in sorted(servers):
        if name.startswith("*.") and re.fullmatch(r"[\w-]+\." + re.escape(name[2:]), host):
            return name
    return DEFAULT_SERVER


def _location_for(locations, uri):
    """[nginx] location selection: `=` exact locations first; then the longest matching
    prefix is remembered; regex locations (`~* "^path"`, [tmpl] buildLocation, case-
    insensitive) are tried in order and the first match wins; else the remembered prefix.
    Prefix matching is case-sensitive."""
    for loc in locations:
        if loc.kind == "exact" and uri == loc.path:
            return loc
    best = None
    for loc in locations:
        if loc.kind == "prefix" and uri.startswith(loc.path):
            if best is None or len(loc.path) > len(best.path):
                best = loc
    for loc in locations:
        if loc.kind == "regex" and re.match(loc.path, uri, re.IGNORECASE):
            return loc
    return best


def _canary(loc, req):
    """[canary] route_to_alternative_balancer, in its order: header (canary-by-header-value
    exact, or -pattern regex, else "always"/"never"), then cookie ("always"/"never"), then
    weight (of canary-weight-total, default 100). Returns (canary backend or None: main,
    weights or None, features)."""
    for can, backend in loc.canaries:
        header = _ann(can, "canary-by-header")
        if header:
            got = req.get("headers", {}).get(header.lower())
            value, pattern = _ann(can, "canary-by-header-value"), _ann(
                can, "canary-by-header-pattern"
            )
            if got is not None:
                if value:
                    if got == value:
                        return backend, None, ["canary-by-header"]
                elif pattern:
                    if re.search(pattern, got):
                        return backend, None, ["canary-by-header"]
                elif got == "always":
                    return backend, None, ["canary-by-header"]
                elif got == "never":
                    return None, None, ["canary-by-header"]
        cookie = _ann(can, "canary-by-cookie")
        if cookie:
            got = req.get("cookies", {}).get(cookie)
            if got == "always":
                return backend, None, ["canary-by-cookie"]
            if got == "never":
                return None, None, ["canary-by-cookie"]
        weight = _ann(can, "canary-weight")
        if weight is not None:
            total = int(_ann(can, "canary-weight-total", "100"))
            w = int(weight)
            if w > 0:
                return None, (total - w, w, backend), ["canary-weight"]
    return None, None, []


def _in(ip, cidrs):
    addr = ipaddress.ip_address(ip)
    return any(addr in ipaddress.ip_network(c.strip(), strict=False) for c in cidrs.split(","))


def route(ingresses, services, req):
    """The outcome of one request (see the module docstring)."""
    servers = _servers(ingresses, services)
    host = req["host"]
    srv = servers[_server_for(servers, host)]
    full = req.get("path") or "/"
    uri, _, query = full.partition("?")
    loc = _location_for(srv["locations"], uri)
    if loc is None:
        return {"kind": "reject", "code": 404, "ingress": None, "features": ["no-location"]}
    ing = loc.ing
    ref = _ref(ing) if ing is not None else None
    features = ["default-backend"] if loc.default_backend else []
    server = _server_for(servers, host)
    if server != DEFAULT_SERVER:
        features.append("host:" + server)
    if loc.kind == "regex" or loc.path_type == "ImplementationSpecific":
        features.append("path:" + getattr(loc, "ingress_path", loc.path))
    if loc.kind == "regex":
        features.append("use-regex")
    for n in sorted(servers):
        if n.startswith("*.") and host.lower().endswith(n[1:]) and n != server:
            features.append("host:" + n)  # a wildcard deeper than nginx's one label
    if loc.backend is None:
        # The controller's default backend answers 404 ([ctrl] upstream-default-backend).
        return {"kind": "reject", "code": 404, "ingress": ref, "features": features}
    # Location rewrite phase ([nginx] phases; [tmpl] location block order): app-root's
    # `if ($uri = /) return 302`, then the redirect annotations' `return`, then lua's
    # ssl-redirect ([lua] rewrite runs after the rewrite module's directives).
    app_root = _ann(ing, "app-root")
    if app_root and uri == "/":
        return {
            "kind": "redirect",
            "code": 302,
            "location": "%s://%s%s" % (req.get("scheme", "http"), host, app_root),
            "ingress": ref,
            "features": features + ["app-root"],
        }
    # [annot] redirect: temporal-redirect is read first, then permanent-redirect; the URL is
    # returned as written (no path appended).
    temporal, permanent = _ann(ing, "temporal-redirect"), _ann(ing, "permanent-redirect")
    if temporal:
        code = int(_ann(ing, "temporal-redirect-code", "302"))
        return _redirect(code, temporal, ref, features + ["temporal-redirect"])
    if permanent:
        code = int(_ann(ing, "permanent-redirect-code", "301"))
        return _redirect(code, permanent, ref, features + ["permanent-redirect"])
    # [lua] redirect_to_https: force-ssl-redirect for http, else ssl-redirect (default true,
    # [cm]) when the server has TLS; the request URI's trailing slash is dropped unless
    # preserve-trailing-slash.
    if req.get("scheme", "http") == "http":
        force = _true(ing, "force-ssl-redirect")
        ssl = srv["tls"] and _true(ing, "ssl-redirect", True)
        if force or ssl:
            request_uri = full
            if not _true(ing, "preserve-trailing-slash") and request_uri.endswith("/"):
                request_uri = request_uri[:-1]
            return _redirect(
                HTTP_REDIRECT_CODE,
                "https://%s%s" % (host.split(":")[0], request_uri),
                ref,
                features + ["force-ssl-redirect" if force else "ssl-redirect"],
            )
    # Access phase ([tmpl] deny before allow; [annot] denylist/whitelist-source-range): 403.
    src = req.get("source_ip")
    deny = _ann(ing, "denylist-source-range")
    allow = _ann(ing, "whitelist-source-range") or _ann(ing, "allowlist-source-range")
    if src and deny and _in(src, deny):
        return {
            "kind": "reject",
            "code": 403,
            "ingress": ref,
            "features": features + ["denylist-source-range"],
        }
    if src and allow and not _in(src, allow):
        return {
            "kind": "reject",
            "code": 403,
            "ingress": ref,
            "features": features + ["whitelist-source-range"],
        }
    # [annot] enable-cors: a preflight (OPTIONS with Origin) is answered by NGINX itself, 204,
    # without reaching the backend ([tmpl] the cors block's `if ($request_method = 'OPTIONS')`).
    headers = req.get("headers") or {}
    if _true(ing, "enable-cors") and req.get("method") == "OPTIONS" and "origin" in headers:
        return {
            "kind": "answer",
            "code": 204,
            "ingress": ref,
            "features": features + ["enable-cors"],
        }
    canary, split, cfeatures = _canary(loc, req)
    main = loc.backend
    if split:
        main_w, can_w, can_backend = split
        backends = [
            {"service": main[0], "port": main[1], "weight": main_w},
            {"service": can_backend[0], "port": can_backend[1], "weight": can_w},
        ]
    else:
        chosen = canary or main
        backends = [{"service": chosen[0], "port": chosen[1], "weight": 100}]
    features += cfeatures
    related = [ref] + [_ref(c) for c, _ in loc.canaries]
    if canary is not None or split:
        # [canary] the canary's own annotations are not applied (only its backend): the
        # main location's rewrite and Host stay.
        pass
    upstream_path = full
    target = _ann(ing, "rewrite-target")
    if target:
        # [tmpl] `rewrite "(?i)<path>" <target> break;`: nginx replaces the WHOLE URI with
        # the target, $1.. from the path's groups; the query string is kept.
        m = re.search(loc.path, uri, re.IGNORECASE)
        if m:
            upstream_path = re.sub(r"\$(\d)", lambda g: m.group(int(g.group(1))) or "", target)
            if query:
                upstream_path += "?" + query
            features.append("rewrite-target")
    upstream_host = _ann(ing, "upstream-vhost") or host
    if _ann(ing, "upstream-vhost"):
        features.append("upstream-vhost")
    for key in NOT_MODELLED:
        if _ann(ing, key) is not None:
            features.append(key)
    if _ann(ing, "backend-protocol"):
        features.append("backend-protocol:" + str(_ann(ing, "backend-protocol")).upper())
    return {
        "kind": "backend",
        "backends": backends,
        "upstream_path": upstream_path,
        "upstream_host": upstream_host,
        "ingress": ref,
        "ingresses": related,
        "features": features,
    }


def _redirect(code, location, ref, features):
    return {
        "kind": "redirect",
        "code": code,
        "location": location,
        "ingress": ref,
        "features": features,
    }
