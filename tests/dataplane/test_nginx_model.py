"""The ingress-nginx model (nginx_model.py) against ingress-nginx's documented and coded
behaviour, on plain data: each case is one rule the model cites, with the outcome the cited
document or source states."""

from __future__ import annotations

from nginx_model import route


def _ing(name, rules, annotations=None, tls=None, default=None):
    spec = {"rules": rules}
    if tls:
        spec["tls"] = tls
    if default:
        spec["defaultBackend"] = {"service": {"name": default, "port": {"number": 80}}}
    ann = {"nginx.ingress.kubernetes.io/" + k: v for k, v in (annotations or {}).items()}
    return {"metadata": {"name": name, "namespace": "ns", "annotations": ann}, "spec": spec}


def _rule(host, *paths):
    return {
        "host": host,
        "http": {
            "paths": [
                {
                    "path": p,
                    "pathType": t,
                    "backend": {"service": {"name": s, "port": {"number": 80}}},
                }
                for p, t, s in paths
            ]
        },
    }


def _to(ings, path, host="h.example.com", **req):
    out = route(ings, [], dict({"host": host, "path": path, "scheme": "http"}, **req))
    if out["kind"] == "backend":
        return [b["service"] for b in out["backends"]]
    return out["kind"], out.get("code"), out.get("location")


PATHS = [
    _ing(
        "p",
        [
            _rule(
                "h.example.com",
                ("/exact", "Exact", "exact"),
                ("/foo", "Prefix", "foo"),
                ("/impl", "ImplementationSpecific", "impl"),
                ("/foo/bar", "Prefix", "foobar"),
            )
        ],
    )
]


def test_prefix_matches_by_path_element_and_the_longest_wins():
    """[ctrl] updateServerLocations: Prefix /foo is `location /foo/` plus `= /foo`."""
    assert _to(PATHS, "/foo") == ["ns/foo"]
    assert _to(PATHS, "/foo/") == ["ns/foo"]
    assert _to(PATHS, "/foo/x") == ["ns/foo"]
    assert _to(PATHS, "/foo/bar/x") == ["ns/foobar"]
    assert _to(PATHS, "/foobar") == ("reject", 404, None)


def test_implementation_specific_is_a_string_prefix_and_exact_is_exact():
    assert _to(PATHS, "/implx") == ["ns/impl"]
    assert _to(PATHS, "/exact") == ["ns/exact"]
    assert _to(PATHS, "/exact/") == ("reject", 404, None)
    assert _to(PATHS, "/FOO") == ("reject", 404, None)  # prefix locations are case-sensitive


def test_use_regex_makes_every_path_of_the_host_a_case_insensitive_regex_longest_first():
    """[paths]: use-regex on any Ingress of a host applies to all its paths; paths are
    ordered by descending length, the first matching regex wins."""
    ings = [
        _ing(
            "r",
            [_rule("h.example.com", ("/items/[0-9]+", "ImplementationSpecific", "item"))],
            {"use-regex": "true"},
        ),
        _ing("o", [_rule("h.example.com", ("/items", "Prefix", "list"))]),
    ]
    assert _to(ings, "/items/42") == ["ns/item"]
    assert _to(ings, "/ITEMS/42") == ["ns/item"]
    assert _to(ings, "/itemsx") == ["ns/list"]  # Prefix is a regex too: no element boundary


def test_wildcard_hosts_match_one_label_and_unknown_hosts_the_default_backend():
    """[tmpl] buildServerName: `*.example.com` is ~^[\\w-]+\\.example\\.com$."""
    ings = [_ing("w", [_rule("*.example.com", ("/", "Prefix", "wild"))])]
    assert _to(ings, "/", host="a.example.com") == ["ns/wild"]
    assert _to(ings, "/", host="A.EXAMPLE.COM") == ["ns/wild"]
    assert _to(ings, "/", host="a.b.example.com") == ("reject", 404, None)
    assert _to(ings, "/", host="example.com") == ("reject", 404, None)


def test_default_backend_takes_unmatched_paths_unless_the_rule_has_its_own_root():
    ings = [_ing("d", [_rule("h.example.com", ("/api", "Prefix", "api"))], default="fallback")]
    assert _to(ings, "/other") == ["ns/fallback"]
    own = [_ing("d", [_rule("h.example.com", ("/", "Prefix", "root"))], default="fallback")]
    assert _to(own, "/other") == ["ns/root"]
    catch_all = [
        {
            "metadata": {"name": "c", "namespace": "ns"},
            "spec": {"defaultBackend": {"service": {"name": "any", "port": {"number": 80}}}},
        }
    ]
    assert _to(catch_all, "/", host="unknown.example.com") == ["ns/any"]


def test_ssl_redirect_is_308_drops_the_trailing_slash_and_force_works_without_tls():
    """[cm] ssl-redirect true, http-redirect-code 308; [lua] redirect_to_https and the
    trailing slash; force-ssl-redirect redirects without TLS."""
    tls = [
        _ing(
            "t",
            [_rule("h.example.com", ("/", "Prefix", "web"))],
            tls=[{"hosts": ["h.example.com"], "secretName": "s"}],
        )
    ]
    assert _to(tls, "/a/") == ("redirect", 308, "https://h.example.com/a")
    assert _to(tls, "/a/", scheme="https") == ["ns/web"]
    keep = [
        _ing(
            "t",
            [_rule("h.example.com", ("/", "Prefix", "web"))],
            {"preserve-trailing-slash": "true"},
            tls=[{"hosts": ["h.example.com"], "secretName": "s"}],
        )
    ]
    assert _to(keep, "/a/") == ("redirect", 308, "https://h.example.com/a/")
    off = [
        _ing(
            "t",
            [_rule("h.example.com", ("/", "Prefix", "web"))],
            {"ssl-redirect": "false"},
            tls=[{"hosts": ["h.example.com"], "secretName": "s"}],
        )
    ]
    assert _to(off, "/") == ["ns/web"]
    forced = [
        _ing("f", [_rule("h.example.com", ("/", "Prefix", "web"))], {"force-ssl-redirect": "true"})
    ]
    assert _to(forced, "/x?q=1") == ("redirect", 308, "https://h.example.com/x?q=1")


def test_app_root_and_redirect_annotations():
    """[annot] app-root (302, only /), temporal-redirect before permanent-redirect, the URL as
    written, codes 301/302 unless set."""
    app = [_ing("a", [_rule("h.example.com", ("/", "Prefix", "web"))], {"app-root": "/app"})]
    assert _to(app, "/") == ("redirect", 302, "http://h.example.com/app")
    assert _to(app, "/x") == ["ns/web"]
    both = [
        _ing(
            "r",
            [_rule("h.example.com", ("/", "Prefix", "web"))],
            {"permanent-redirect": "https://p/", "temporal-redirect": "https://t/"},
        )
    ]
    assert _to(both, "/x?q=1") == ("redirect", 302, "https://t/")
    perm = [
        _ing(
            "r",
            [_rule("h.example.com", ("/", "Prefix", "web"))],
            {"permanent-redirect": "https://p/", "permanent-redirect-code": "308"},
        )
    ]
    assert _to(perm, "/x") == ("redirect", 308, "https://p/")


def test_canary_precedence_header_then_cookie_then_weight():
    """[canary] route_to_alternative_balancer: header value (else always/never), cookie
    always/never, then weight."""
    main = _ing("m", [_rule("h.example.com", ("/", "Prefix", "stable"))])
    canary = _ing(
        "c",
        [_rule("h.example.com", ("/", "Prefix", "preview"))],
        {
            "canary": "true",
            "canary-by-header": "X-Canary",
            "canary-by-cookie": "beta",
            "canary-weight": "10",
        },
    )
    ings = [main, canary]
    assert _to(ings, "/", headers={"x-canary": "always"}) == ["ns/preview"]
    assert _to(ings, "/", headers={"x-canary": "never"}, cookies={"beta": "always"}) == [
        "ns/stable"
    ]
    assert _to(ings, "/", headers={"x-canary": "other"}, cookies={"beta": "always"}) == [
        "ns/preview"
    ]
    assert _to(ings, "/", cookies={"beta": "never"}) == ["ns/stable"]
    split = route(ings, [], {"host": "h.example.com", "path": "/", "scheme": "http"})["backends"]
    assert [(b["service"], b["weight"]) for b in split] == [("ns/stable", 90), ("ns/preview", 10)]
    other_type = _ing(
        "c2",
        [_rule("h.example.com", ("/", "Exact", "preview"))],
        {"canary": "true", "canary-by-header": "X"},
    )
    assert _to([main, other_type], "/", headers={"x": "always"}) == [
        "ns/stable"
    ]  # pathType differs


def test_rewrite_target_replaces_the_whole_uri_with_capture_groups():
    """[tmpl] rewrite "(?i)<path>" <target> break: the whole URI becomes the target."""
    cap = [
        _ing(
            "c",
            [_rule("h.example.com", ("/app(/|$)(.*)", "ImplementationSpecific", "app"))],
            {"rewrite-target": "/$2", "use-regex": "true"},
        )
    ]
    out = route(cap, [], {"host": "h.example.com", "path": "/APP/x/y?q=1", "scheme": "http"})
    assert (out["backends"][0]["service"], out["upstream_path"]) == ("ns/app", "/x/y?q=1")
    plain = [
        _ing("p", [_rule("h.example.com", ("/legacy", "Prefix", "app"))], {"rewrite-target": "/"})
    ]
    assert (
        route(plain, [], {"host": "h.example.com", "path": "/legacy/a/b", "scheme": "http"})[
            "upstream_path"
        ]
        == "/"
    )


def test_source_ranges_reject_with_403_after_redirects():
    ings = [
        _ing(
            "s",
            [_rule("h.example.com", ("/", "Prefix", "web"))],
            {"whitelist-source-range": "10.0.0.0/8"},
        )
    ]
    assert _to(ings, "/", source_ip="10.1.1.1") == ["ns/web"]
    assert _to(ings, "/", source_ip="192.0.2.1") == ("reject", 403, None)
    deny = [
        _ing(
            "s",
            [_rule("h.example.com", ("/", "Prefix", "web"))],
            {"denylist-source-range": "10.0.0.0/8", "force-ssl-redirect": "true"},
        )
    ]
    assert _to(deny, "/", source_ip="10.1.1.1") == ("redirect", 308, "https://h.example.com")
    assert _to(deny, "/", source_ip="10.1.1.1", scheme="https") == ("reject", 403, None)


def test_a_cors_preflight_is_answered_by_nginx():
    ings = [_ing("c", [_rule("h.example.com", ("/", "Prefix", "web"))], {"enable-cors": "true"})]
    pre = {"origin": "https://a.example.com", "access-control-request-method": "POST"}
    assert _to(ings, "/", method="OPTIONS", headers=pre) == ("answer", 204, None)
    assert _to(ings, "/", method="OPTIONS") == ["ns/web"]  # no Origin: not a preflight
