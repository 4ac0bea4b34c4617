"""The migrate translator over plain data: our Ingresses (tests/migrate/ingresses.yaml, one
ingress-nginx feature each) and ingress-nginx's own annotated examples (shared fixtures)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from shared_fixtures import SHARED_FIXTURES

from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.catalog.registry import (
    SOURCES,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.translate import (
    TranslateError,
    translate_ingresses,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.names import object_name_problem

CASES = Path(__file__).resolve().parents[3] / "migrate" / "ingresses.yaml"
GATEWAY = {"gateway": {"name": "meshgate-migrate", "namespace": "istio-ingress"}}
P = "nginx.ingress.kubernetes.io/"


def _load(path):
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    for d in docs:
        d.setdefault("metadata", {}).setdefault("namespace", "default")
    return [d for d in docs if d["kind"] == "Ingress"], [d for d in docs if d["kind"] == "Service"]


INGRESSES, SERVICES = _load(CASES)


@pytest.fixture(scope="module")
def result():
    return translate_ingresses(INGRESSES, SERVICES, "ingress-nginx", GATEWAY)


def _obj(result, kind, name, namespace=None):
    found = [
        o
        for o in result["objects"]
        if o["kind"] == kind
        and o["metadata"]["name"] == name
        and (namespace is None or o["metadata"]["namespace"] == namespace)
    ]
    assert len(found) == 1, (kind, name, [o["metadata"]["name"] for o in result["objects"]])
    return found[0]


def _row(result, ingress, annotation):
    rows = [
        r for r in result["report"] if r["ingress"] == ingress and r["annotation"] == annotation
    ]
    assert len(rows) == 1, (ingress, annotation)
    return rows[0]


def _rules(result, name, kind="HTTPRoute"):
    return _obj(result, kind, name)["spec"]["rules"]


def _listener(result, name):
    gw = _obj(result, "Gateway", "meshgate-migrate")
    return [x for x in gw["spec"]["listeners"] if x["name"] == name][0]


def test_path_types_and_named_port(result):
    rules = _rules(result, "web")
    paths = {json.dumps(m["path"], sort_keys=True): r for r in rules for m in r["matches"]}
    exact = paths[json.dumps({"type": "Exact", "value": "/api"}, sort_keys=True)]
    assert exact["backendRefs"] == [{"name": "api", "port": 8080}]  # port name http -> 8080
    legacy = paths[json.dumps({"type": "PathPrefix", "value": "/legacy"}, sort_keys=True)]
    assert legacy["backendRefs"] == [{"name": "legacy", "port": 80}]
    row = _row(result, "shop/web", "path shop.example.com/legacy (ImplementationSpecific)")
    assert row["status"] == "approximated" and "string prefix" in row["detail"]


def test_tls_listener_secret_reference_grant_and_redirect(result):
    https = _listener(result, "https-shop-example-com")
    assert https["port"] == 443 and https["hostname"] == "shop.example.com"
    assert https["tls"]["certificateRefs"] == [
        {"group": "", "kind": "Secret", "name": "shop-tls", "namespace": "shop"}
    ]
    grant = _obj(
        result, "ReferenceGrant", "meshgate-istio-ingress-meshgate-migrate-certificates", "shop"
    )
    assert {"group": "", "kind": "Secret", "name": "shop-tls"} in grant["spec"]["to"]
    assert grant["spec"]["from"] == [
        {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "istio-ingress"}
    ]
    web = _obj(result, "HTTPRoute", "web")
    assert [p["sectionName"] for p in web["spec"]["parentRefs"]] == ["https-shop-example-com"]
    redirect = _obj(result, "HTTPRoute", "web-https-redirect")
    assert [p["sectionName"] for p in redirect["spec"]["parentRefs"]] == ["http-shop-example-com"]
    for rule in redirect["spec"]["rules"]:
        assert rule["filters"] == [
            {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 308}}
        ]
        assert "backendRefs" not in rule


def test_ssl_redirect_false_serves_http_and_https(result):
    route = _obj(result, "HTTPRoute", "no-ssl-redirect")
    assert sorted(p["sectionName"] for p in route["spec"]["parentRefs"]) == [
        "http-nossl-example-com",
        "https-nossl-example-com",
    ]
    names = [o["metadata"]["name"] for o in result["objects"]]
    assert "no-ssl-redirect-https-redirect" not in names


def test_force_ssl_redirect_without_tls(result):
    redirect = _obj(result, "HTTPRoute", "force-ssl-https-redirect")
    assert redirect["spec"]["rules"][0]["filters"][0]["requestRedirect"]["scheme"] == "https"
    names = [o["metadata"]["name"] for o in result["objects"]]
    assert "force-ssl" not in names  # no HTTPS listener, and HTTP only redirects
    row = _row(result, "shop/force-ssl", P + "force-ssl-redirect")
    assert row["status"] == "approximated" and "default certificate" in row["detail"]


def test_use_regex_makes_every_path_of_the_host_a_case_insensitive_regex(result):
    values = sorted(m["path"]["value"] for r in _rules(result, "regex") for m in r["matches"])
    assert values == ["(?i)/static.*", "(?i)/user/[0-9]+.*"]
    types = {m["path"]["type"] for r in _rules(result, "regex") for m in r["matches"]}
    assert types == {"RegularExpression"}
    # longest path first, as ingress-nginx orders its regex locations
    assert _rules(result, "regex")[0]["matches"][0]["path"]["value"] == "(?i)/user/[0-9]+.*"


def test_rewrite_target_capture_groups_as_prefix_replacement(result):
    (rule,) = _rules(result, "rewrite")
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/something"}}]
    assert rule["filters"] == [
        {
            "type": "URLRewrite",
            "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}},
        }
    ]
    assert _row(result, "shop/rewrite", P + "rewrite-target")["status"] == "approximated"


def test_rewrite_target_without_groups_replaces_the_full_path(result):
    (rule,) = _rules(result, "rewrite-full")
    assert rule["filters"][0]["urlRewrite"]["path"] == {
        "type": "ReplaceFullPath",
        "replaceFullPath": "/new",
    }
    # rewrite-target makes the host's paths regular expressions, as use-regex does
    assert rule["matches"][0]["path"] == {"type": "RegularExpression", "value": "(?i)/old.*"}
    assert _row(result, "shop/rewrite-full", P + "rewrite-target")["status"] == "translated"


def test_rewrite_target_reordering_groups_is_not_translated_and_refused(result):
    row = _row(result, "shop/rewrite-swap", P + "rewrite-target")
    assert row["status"] == "not-translated" and "$2/$1" in row["detail"]
    assert P + "rewrite-target" in result["refused"]


def test_app_root(result):
    rules = _rules(result, "app-root")
    root = [r for r in rules if r["matches"] == [{"path": {"type": "Exact", "value": "/"}}]]
    assert root[0]["filters"] == [
        {
            "type": "RequestRedirect",
            "requestRedirect": {
                "path": {"type": "ReplaceFullPath", "replaceFullPath": "/app1"},
                "statusCode": 302,
            },
        }
    ]


@pytest.mark.parametrize(
    "name,url,code",
    [
        ("permanent", "https://www.example.org/new", 308),
        ("temporal", "https://maintenance.example.org/", 302),
    ],
)
def test_permanent_and_temporal_redirect(result, name, url, code):
    (rule,) = _rules(result, name)
    redirect = rule["filters"][0]["requestRedirect"]
    assert redirect["statusCode"] == code and redirect["scheme"] == "https"
    assert url.startswith("https://" + redirect["hostname"] + redirect["path"]["replaceFullPath"])
    assert "backendRefs" not in rule
    key = "permanent-redirect" if name == "permanent" else "temporal-redirect"
    assert _row(result, "shop/" + name, P + key)["status"] == "approximated"


def test_redirect_code_outside_gateway_api_falls_back():
    ing = _ingress(
        "r", {"permanent-redirect": "https://x.example.com/", "permanent-redirect-code": "399"}
    )
    out = translate_ingresses([ing], [], "ingress-nginx", GATEWAY)
    (route,) = [o for o in out["objects"] if o["kind"] == "HTTPRoute"]
    assert route["spec"]["rules"][0]["filters"][0]["requestRedirect"]["statusCode"] == 301
    assert "399" in out["report"][0]["detail"]


def test_canary_weight_and_header(result):
    rules = _rules(result, "web")
    root = [r for r in rules if r["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}}]]
    assert root[0]["backendRefs"] == [
        {"name": "web", "port": 80, "weight": 80},
        {"name": "web-v2", "port": 80, "weight": 20},
    ]
    by_header = {
        m["headers"][0]["value"]: r["backendRefs"]
        for r in rules
        for m in r["matches"]
        if m.get("headers")
    }
    assert by_header["always"] == [{"name": "web-v2", "port": 80}]
    assert by_header["never"] == [{"name": "web", "port": 80}]
    names = [o["metadata"]["name"] for o in result["objects"]]
    assert "web-canary" not in names
    assert _row(result, "shop/web-canary", P + "canary")["status"] == "translated"


def test_canary_by_cookie_is_a_cookie_header_regex(result):
    rules = _rules(result, "beta")
    cookie = [r for r in rules for m in r["matches"] if m.get("headers")]
    assert cookie[0]["matches"][0]["headers"] == [
        {"type": "RegularExpression", "name": "Cookie", "value": "(.*; ?)?beta=always(;.*)?"}
    ]
    assert cookie[0]["backendRefs"] == [{"name": "web-v2", "port": 80}]
    assert _row(result, "shop/beta-canary", P + "canary")["status"] == "approximated"


def test_canary_without_main_ingress_is_not_translated():
    ing = _ingress("lonely", {"canary": "true", "canary-weight": "10"})
    out = translate_ingresses([ing], [], "ingress-nginx", GATEWAY)
    assert P + "canary" in out["refused"]


def test_cors_filter(result):
    (rule,) = _rules(result, "cors")
    cors = rule["filters"][0]
    assert cors["type"] == "CORS"
    assert cors["cors"]["allowOrigins"] == ["https://a.example.com", "https://b.example.com"]
    assert cors["cors"]["allowMethods"] == ["GET", "POST"]
    assert cors["cors"]["allowCredentials"] is False and cors["cors"]["maxAge"] == 600
    assert cors["cors"]["exposeHeaders"] == ["X-Trace"]


def test_timeouts(result):
    (rule,) = _rules(result, "timeouts")
    assert rule["timeouts"] == {"request": "120s"}
    dr = _obj(result, "DestinationRule", "meshgate-shop-slow")
    assert dr["spec"]["trafficPolicy"]["connectionPool"]["tcp"]["connectTimeout"] == "5s"
    assert _row(result, "shop/timeouts", P + "proxy-read-timeout")["status"] == "approximated"
    assert _row(result, "shop/timeouts", P + "proxy-connect-timeout")["status"] == "translated"


def test_backend_protocol_grpc_is_a_grpc_route(result):
    route = _obj(result, "GRPCRoute", "grpc")
    assert route["metadata"]["namespace"] == "api"
    assert route["spec"]["rules"] == [{"backendRefs": [{"name": "greeter", "port": 50051}]}]
    dr = _obj(result, "DestinationRule", "meshgate-api-greeter")
    assert dr["spec"]["trafficPolicy"]["portLevelSettings"] == [
        {"port": {"number": 50051}, "connectionPool": {"http": {"h2UpgradePolicy": "UPGRADE"}}}
    ]


def test_backend_protocol_https_is_tls_simple(result):
    dr = _obj(result, "DestinationRule", "meshgate-api-secure")
    assert dr["metadata"]["namespace"] == "istio-ingress"
    assert dr["spec"]["host"] == "secure.api.svc.cluster.local"
    assert dr["spec"]["exportTo"] == ["."]
    assert dr["spec"]["trafficPolicy"]["portLevelSettings"][0]["tls"]["mode"] == "SIMPLE"


def test_upstream_vhost_sets_host(result):
    (rule,) = _rules(result, "vhost")
    assert rule["filters"] == [
        {
            "type": "RequestHeaderModifier",
            "requestHeaderModifier": {"set": [{"name": "Host", "value": "internal.shop.svc"}]},
        }
    ]


def test_source_ranges_are_deny_policies_on_the_gateway(result):
    allow = _obj(result, "AuthorizationPolicy", "meshgate-shop-allow-allow-sources")
    assert allow["metadata"]["namespace"] == "istio-ingress"
    assert allow["spec"]["targetRefs"][0]["name"] == "meshgate-migrate"
    assert allow["spec"]["action"] == "DENY"
    (rule,) = allow["spec"]["rules"]
    assert rule["from"] == [{"source": {"notRemoteIpBlocks": ["10.0.0.0/8", "192.168.0.0/16"]}}]
    assert rule["to"] == [
        {
            "operation": {
                "ports": ["80", "443"],
                "paths": ["/admin", "/admin/*"],
                "hosts": ["admin.example.com", "admin.example.com:*"],
            }
        }
    ]
    deny = _obj(result, "AuthorizationPolicy", "meshgate-shop-deny-deny-sources")
    assert deny["spec"]["rules"][0]["from"] == [{"source": {"remoteIpBlocks": ["203.0.113.0/24"]}}]
    detail = _row(result, "shop/allow", P + "whitelist-source-range")["detail"]
    assert "externalTrafficPolicy" in detail and "numTrustedProxies" in detail


def test_session_cookie_affinity(result):
    dr = _obj(result, "DestinationRule", "meshgate-shop-cart")
    assert dr["spec"]["trafficPolicy"]["loadBalancer"]["consistentHash"] == {
        "httpCookie": {"name": "SHOPID", "path": "/", "ttl": "3600s"}
    }


def test_upstream_hash_by_remote_addr(result):
    dr = _obj(result, "DestinationRule", "meshgate-shop-session")
    assert dr["spec"]["trafficPolicy"]["loadBalancer"]["consistentHash"] == {"useSourceIp": True}


def test_two_hashes_of_one_service_conflict():
    a = _ingress("a", {"affinity": "cookie"}, host="a.example.com")
    b = _ingress("b", {"upstream-hash-by": "$remote_addr"}, host="b.example.com")
    out = translate_ingresses([a, b], [], "ingress-nginx", GATEWAY)
    row = [r for r in out["report"] if r["ingress"] == "shop/b"][0]
    assert row["status"] == "not-translated" and "shop/a" in row["detail"]
    (dr,) = [o for o in out["objects"] if o["kind"] == "DestinationRule"]
    assert list(dr["spec"]["trafficPolicy"]["loadBalancer"]["consistentHash"]) == ["httpCookie"]


def test_auth_url_is_a_custom_policy_and_names_the_mesh_config(result):
    ap = _obj(result, "AuthorizationPolicy", "meshgate-shop-auth-ext-authz")
    assert ap["spec"]["action"] == "CUSTOM"
    provider = ap["spec"]["provider"]["name"]
    row = _row(result, "shop/auth", P + "auth-url")
    assert row["status"] == "approximated"
    needs = json.loads(row["detail"].split("entry ", 1)[1].split(" (istiod", 1)[0])
    assert needs["name"] == provider
    assert needs["envoyExtAuthzHttp"]["service"] == "auth.shop.svc.cluster.local"
    assert needs["envoyExtAuthzHttp"]["port"] == 8080
    assert needs["envoyExtAuthzHttp"]["headersToUpstreamOnAllow"] == ["X-User"]


@pytest.mark.parametrize(
    "ingress,keys",
    [
        ("shop/body", ["proxy-body-size"]),
        ("shop/limits", ["limit-connections", "limit-rps"]),
        ("shop/errors", ["custom-http-errors"]),
        ("shop/snippets", ["configuration-snippet", "server-snippet"]),
    ],
)
def test_untranslatable_annotations_are_reported_and_refused(result, ingress, keys):
    for key in keys:
        row = _row(result, ingress, P + key)
        assert row["status"] == "not-translated" and row["detail"]
        assert P + key in result["refused"]


def test_accepting_by_name_with_or_without_prefix():
    ing = _ingress("x", {"configuration-snippet": "x", "limit-rps": "5", "proxy-body-size": "0"})
    out = translate_ingresses([ing], [], "ingress-nginx", GATEWAY)
    assert out["refused"] == [P + "configuration-snippet", P + "limit-rps"]
    out = translate_ingresses(
        [ing], [], "ingress-nginx", GATEWAY, accept=[P + "configuration-snippet", "limit-rps"]
    )
    assert out["refused"] == []
    # the route is made all the same
    assert [o["kind"] for o in out["objects"]] == ["Gateway", "HTTPRoute"]


def test_unknown_annotation_of_the_vendor_is_refused():
    out = translate_ingresses([_ingress("x", {"brand-new": "1"})], [], "ingress-nginx", GATEWAY)
    assert out["refused"] == [P + "brand-new"]


def test_default_backend_only_is_a_catch_all(result):
    route = _obj(result, "HTTPRoute", "default")
    assert "hostnames" not in route["spec"]
    assert route["spec"]["parentRefs"][0]["sectionName"] == "http"
    assert route["spec"]["rules"] == [
        {
            "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
            "backendRefs": [{"name": "web", "port": 80}],
        }
    ]
    assert "hostname" not in _listener(result, "http")


def test_listeners_allow_exactly_the_ingress_namespaces(result):
    gw = _obj(result, "Gateway", "meshgate-migrate")
    assert gw["spec"]["gatewayClassName"] == "istio"
    names = [x["name"] for x in gw["spec"]["listeners"]]
    assert len(names) == len(set(names))
    for x in gw["spec"]["listeners"]:
        sel = x["allowedRoutes"]["namespaces"]["selector"]["matchExpressions"]
        assert sel == [
            {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["api", "shop"]}
        ]


def test_every_object_has_a_valid_name_and_our_label(result):
    for o in result["objects"]:
        assert object_name_problem(o) is None, o["metadata"]
        assert o["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "meshgate"}


def test_every_annotation_of_the_cases_is_reported(result):
    reported = {(r["ingress"], r["annotation"]) for r in result["report"]}
    catalog = SOURCES["ingress-nginx"]["annotations"]
    for ing in INGRESSES:
        iid = "%s/%s" % (ing["metadata"]["namespace"], ing["metadata"]["name"])
        for key in ing["metadata"].get("annotations") or {}:
            info = catalog[key[len(P) :]].get("feature") == "info"
            if not info:
                assert (iid, key) in reported


def test_deterministic_and_order_free():
    a = translate_ingresses(INGRESSES, SERVICES, "ingress-nginx", GATEWAY)
    b = translate_ingresses(
        list(reversed(INGRESSES)), list(reversed(SERVICES)), "ingress-nginx", GATEWAY
    )
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert [r["ingress"] for r in a["report"]] == sorted(r["ingress"] for r in a["report"])


def test_input_is_not_changed():
    before = copy.deepcopy(INGRESSES)
    translate_ingresses(INGRESSES, SERVICES, "ingress-nginx", GATEWAY)
    assert INGRESSES == before


def test_existing_gateway_gets_no_gateway_and_routes_attach_by_port():
    target = {"gateway": {"name": "public", "namespace": "edge", "existing": True}}
    out = translate_ingresses(INGRESSES, SERVICES, "ingress-nginx", target)
    kinds = {o["kind"] for o in out["objects"]}
    assert "Gateway" not in kinds and "ReferenceGrant" not in kinds
    web = [o for o in out["objects"] if o["metadata"]["name"] == "web"][0]
    assert web["spec"]["parentRefs"] == [
        {
            "group": "gateway.networking.k8s.io",
            "kind": "Gateway",
            "name": "public",
            "namespace": "edge",
            "port": 443,
        }
    ]


def test_more_than_sixteen_rules_split_routes():
    paths = [("/p%02d" % i, "Exact", "svc%02d" % i, 80) for i in range(20)]
    out = translate_ingresses([_ingress("many", paths=paths)], [], "ingress-nginx", GATEWAY)
    routes = [o for o in out["objects"] if o["kind"] == "HTTPRoute"]
    assert [r["metadata"]["name"] for r in routes] == ["many", "many-2"]
    assert [len(r["spec"]["rules"]) for r in routes] == [16, 4]


def test_hosts_with_different_paths_get_a_route_each():
    ing = _ingress("two", host="a.example.com")
    ing["spec"]["rules"].append(
        {"host": "b.example.com", "http": {"paths": [_path("/b", "Prefix", "other", 80)]}}
    )
    out = translate_ingresses([ing], [], "ingress-nginx", GATEWAY)
    names = sorted(o["metadata"]["name"] for o in out["objects"] if o["kind"] == "HTTPRoute")
    assert names == ["two-a-example-com", "two-b-example-com"]


def test_bad_host_and_missing_port_name_are_reported():
    ing = _ingress("bad", host="registry.<your domain>")
    ing2 = _ingress("named", host="n.example.com", paths=[("/", "Prefix", "nosuch", "web")])
    out = translate_ingresses([ing, ing2], [], "ingress-nginx", GATEWAY)
    assert "host registry.<your domain>" in out["refused"]
    assert "backend nosuch:web" in out["refused"]


def test_bad_request():
    with pytest.raises(TranslateError, match="no migration catalog"):
        translate_ingresses([], [], "haproxy", GATEWAY)
    with pytest.raises(TranslateError, match="name and a namespace"):
        translate_ingresses([], [], "ingress-nginx", {"gateway": {"name": "x"}})


def test_ingress_nginx_examples():
    """ingress-nginx's own annotated examples: every annotation reported, what has an
    equivalent translated, snippets / client certs / sign-in refused."""
    ingresses, services = [], []
    for f in sorted((SHARED_FIXTURES / "examples" / "ingress-nginx").glob("*.yaml")):
        i, s = _load(f)
        ingresses += i
        services += s
    out = translate_ingresses(ingresses, services, "ingress-nginx", GATEWAY)
    status = {(r["ingress"], r["annotation"]): r["status"] for r in out["report"]}
    assert status[("default/nginx-test", P + "affinity")] == "approximated"
    assert status[("default/nginxhello-ingress", P + "upstream-hash-by")] == "translated"
    assert status[("docker-registry/docker-registry", P + "proxy-body-size")] == "translated"
    assert status[("docker-registry/docker-registry", P + "proxy-read-timeout")] == "approximated"
    assert status[("default/public-demo-echo-service", P + "auth-url")] == "approximated"
    # auth-url with $host: NGINX variables cannot name an extension provider
    assert status[("kube-system/external-auth-oauth2", P + "auth-url")] == "not-translated"
    assert P + "configuration-snippet" in out["refused"]
    assert P + "auth-tls-verify-client" in out["refused"]
    assert P + "auth-signin" in out["refused"]
    kinds = sorted({o["kind"] for o in out["objects"]})
    assert kinds == [
        "AuthorizationPolicy",
        "DestinationRule",
        "Gateway",
        "HTTPRoute",
        "ReferenceGrant",
    ]
    multi = [o for o in out["objects"] if o["metadata"]["name"].startswith("foo-tls")]
    assert len(multi) == 4  # two hosts with different backends, each with its HTTPS redirect


def _path(path, kind, service, port):
    port_ref = {"number": port} if isinstance(port, int) else {"name": port}
    return {
        "path": path,
        "pathType": kind,
        "backend": {"service": {"name": service, "port": port_ref}},
    }


def _ingress(name, annotations=None, host="x.example.com", paths=(("/", "Prefix", "web", 80),)):
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": "shop",
            "annotations": {P + k: v for k, v in (annotations or {}).items()},
        },
        "spec": {
            "ingressClassName": "nginx",
            "rules": [{"host": host, "http": {"paths": [_path(*p) for p in paths]}}],
        },
    }


def test_docs_name_every_catalog_annotation():
    """docs/migrate.md lists every annotation the catalog translates or refuses (the ones that
    only tune another are covered by it)."""
    doc = (Path(__file__).resolve().parents[4] / "docs" / "migrate.md").read_text(encoding="utf-8")
    catalog = SOURCES["ingress-nginx"]["annotations"]
    missing = [k for k, v in catalog.items() if v.get("feature") != "info" and "`%s" % k not in doc]
    assert missing == []
    assert "<!-- migrate-equivalence:start -->" in doc and "<!-- migrate-equivalence:end -->" in doc


def test_long_names_stay_distinct_and_valid():
    ns = "a-very-long-namespace-name-for-the-shop-team-production-eu"
    ings = [
        _ingress(
            name,
            {"affinity": "cookie"},
            host="%s.example.com" % name,
            paths=[("/", "Prefix", svc, 80)],
        )
        for name, svc in (("one", "greeter-service-alpha"), ("two", "greeter-service-beta"))
    ]
    for ing in ings:
        ing["metadata"]["namespace"] = ns
    out = translate_ingresses(ings, [], "ingress-nginx", GATEWAY)
    drs = [o["metadata"]["name"] for o in out["objects"] if o["kind"] == "DestinationRule"]
    assert len(set(drs)) == 2 and all(len(n) <= 63 for n in drs), drs
    for o in out["objects"]:
        assert object_name_problem(o) is None, o["metadata"]


def test_nothing_to_route_makes_no_gateway():
    out = translate_ingresses([], [], "ingress-nginx", GATEWAY)
    assert out == {"objects": [], "report": [], "refused": []}
    bad_host_only = _ingress("x", {"configuration-snippet": "x"}, host="<your host>")
    out = translate_ingresses([bad_host_only], [], "ingress-nginx", GATEWAY)
    assert out["objects"] == [] and "host <your host>" in out["refused"]


def test_ssl_redirect_is_per_ingress_on_a_shared_host():
    """ingress-nginx decides the redirect per location: an Ingress with ssl-redirect "false" on
    a host another Ingress gives a certificate keeps serving plain HTTP."""
    secure = _ingress("secure", host="both.example.com", paths=[("/app", "Prefix", "web", 80)])
    secure["spec"]["tls"] = [{"hosts": ["both.example.com"], "secretName": "both-tls"}]
    plain = _ingress(
        "plain",
        {"ssl-redirect": "false"},
        host="both.example.com",
        paths=[("/hook", "Prefix", "hook", 80)],
    )
    out = translate_ingresses([secure, plain], [], "ingress-nginx", GATEWAY)
    routes = {o["metadata"]["name"]: o for o in out["objects"] if o["kind"] == "HTTPRoute"}
    assert sorted(routes) == ["plain", "secure", "secure-https-redirect"]
    sections = sorted(p["sectionName"] for p in routes["plain"]["spec"]["parentRefs"])
    assert sections == ["http-both-example-com", "https-both-example-com"]
    assert [p["sectionName"] for p in routes["secure"]["spec"]["parentRefs"]] == [
        "https-both-example-com"
    ]


def test_pcre_only_regex_and_resource_backends_are_refused():
    ing = _ingress(
        "pcre", {"use-regex": "true"}, paths=[("/(?!admin).*", "ImplementationSpecific", "web", 80)]
    )
    res = _ingress("res", host="res.example.com")
    res["spec"]["rules"][0]["http"]["paths"][0]["backend"] = {
        "resource": {"apiGroup": "k8s.example.com", "kind": "StorageBucket", "name": "assets"}
    }
    out = translate_ingresses([ing, res], [], "ingress-nginx", GATEWAY)
    assert "path x.example.com/(?!admin).* (ImplementationSpecific)" in out["refused"]
    assert "backend res.example.com/" in out["refused"]


def test_external_auth_url_names_the_service_entry_it_needs():
    ing = _ingress("ext", {"auth-url": "https://auth.example.org/check"})
    out = translate_ingresses([ing], [], "ingress-nginx", GATEWAY)
    (row,) = [r for r in out["report"] if r["annotation"] == P + "auth-url"]
    assert "needs a ServiceEntry and TLS origination" in row["detail"]
