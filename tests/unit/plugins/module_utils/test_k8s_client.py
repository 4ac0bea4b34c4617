# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""The client layer (plugins/module_utils/k8s/): option/env resolution, kubeconfig handling,
error mapping, redaction, pagination, managedFields compaction, discovery and server-side apply.

HTTP behaviour is exercised against a real HTTP server on 127.0.0.1 (http.server in a thread)
that answers like the Kubernetes API does (Status objects, continue tokens, aggregated
discovery); nothing in the client is mocked.
"""

from __future__ import annotations

import datetime
import http.server
import json
import random
import socket
import ssl
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from ansible_collections.meshgate.istio_lb.plugins.doc_fragments.k8s_auth import ModuleDocFragment
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s import connect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.args import (
    AUTH_ARG_SPEC,
    resolve_auth_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import (
    K8sError,
    describe_request,
    error_from_response,
    token_expiry,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.managed_fields import (
    compact_managed_fields,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.media_types import (
    ACCEPT_AGGREGATED_DISCOVERY,
    APPLY_PATCH,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.redact import (
    kubeconfig_no_log_values,
    redact,
)

TOKEN = "sekr3t-token-value-0123456789"
CLIENT_KEY_DATA = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCmZha2Uta2V5LWRhdGEK"


# ============================================================================================
# A tiny Kubernetes-shaped HTTP server (real sockets, real urllib3 responses)
# ============================================================================================


def status_body(code, reason, message, details=None):
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


class FakeAPI:
    """Routes: {(METHOD, path): callable(req) -> (status, body[, headers])} or a fallback."""

    def __init__(self):
        self.routes = {}
        self.fallback = None
        self.requests = []
        self.url = None

    def on(self, method, path, status=200, body=None, headers=None, handler=None):
        if handler is None:

            def handler(req, status=status, body=body, headers=headers):
                return status, body, headers or {}

        self.routes[(method, path)] = handler

    def handle(self, req):
        self.requests.append(req)
        handler = self.routes.get((req["method"], req["path"])) or self.fallback
        if handler is None:
            return 404, "404 page not found\n", {"Content-Type": "text/plain"}
        result = handler(req)
        if len(result) == 2:
            return result[0], result[1], {}
        return result


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _serve(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        req = {
            "method": self.command,
            "path": parts.path,
            "query": parse_qs(parts.query, keep_blank_values=True),
            "headers": {k.lower(): self.headers.get_all(k) for k in set(self.headers.keys())},
            "body": raw,
        }
        status, body, headers = self.server.api.handle(req)
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            headers = dict({"Content-Type": "application/json"}, **headers)
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body or b""
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


def _start(api, context=None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.api = api
    scheme = "http"
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    api.url = "%s://127.0.0.1:%d" % (scheme, server.server_address[1])
    return server


@pytest.fixture
def api():
    fake = FakeAPI()
    server = _start(fake)
    yield fake
    server.shutdown()
    server.server_close()


def client_for(api, **extra):
    params = {"host": api.url, "api_key": TOKEN}
    params.update(extra)
    return client_from_params(params, environ={})


@pytest.fixture
def closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


# ============================================================================================
# Argument spec and documentation
# ============================================================================================

# kubernetes.core plugins/module_utils/args_common.py (AUTH_ARG_SPEC), for the options we share.
KUBERNETES_CORE_AUTH_ARG_SPEC = {
    "kubeconfig": {"type": "raw"},
    "context": {},
    "host": {},
    "api_key": {"no_log": True},
    "validate_certs": {"type": "bool", "aliases": ["verify_ssl"]},
    "ca_cert": {"type": "path", "aliases": ["ssl_ca_cert"]},
    "client_cert": {"type": "path", "aliases": ["cert_file"]},
    "client_key": {"type": "path", "aliases": ["key_file"]},
    "proxy": {"type": "str"},
    "no_proxy": {"type": "str"},
    "proxy_headers": {"type": "dict"},
    "impersonate_user": {},
    "impersonate_groups": {"type": "list", "elements": "str"},
}


def test_arg_spec_matches_kubernetes_core():
    for name, theirs in KUBERNETES_CORE_AUTH_ARG_SPEC.items():
        ours = AUTH_ARG_SPEC[name]
        assert ours.get("type", "str") == theirs.get("type", "str"), name
        assert ours.get("aliases", []) == theirs.get("aliases", []), name
        assert ours.get("elements") == theirs.get("elements"), name
        assert bool(ours.get("no_log")) == bool(theirs.get("no_log")), name
    assert set(AUTH_ARG_SPEC["proxy_headers"]["options"]) == {
        "proxy_basic_auth",
        "basic_auth",
        "user_agent",
    }
    assert AUTH_ARG_SPEC["request_timeout"] == {"type": "int", "default": 30}
    # a path is never no_log; a dict kubeconfig is masked through kubeconfig_no_log_values()
    assert "no_log" not in AUTH_ARG_SPEC["kubeconfig"]
    assert AUTH_ARG_SPEC["client_key"]["no_log"] is False


def _compare_spec_and_doc(spec, doc, where):
    assert set(spec) == set(doc), where
    for name, option in spec.items():
        documented = doc[name]
        assert documented.get("type", "str") == option.get("type", "str"), (where, name)
        assert documented.get("aliases", []) == option.get("aliases", []), (where, name)
        assert documented.get("elements") == option.get("elements"), (where, name)
        assert documented.get("default") == option.get("default"), (where, name)
        assert documented.get("description"), (where, name)
        if "options" in option:
            _compare_spec_and_doc(option["options"], documented["suboptions"], name)


def test_doc_fragment_matches_arg_spec():
    doc = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    _compare_spec_and_doc(AUTH_ARG_SPEC, doc["options"], "k8s_auth")


def test_doc_fragment_names_every_env_var():
    text = ModuleDocFragment.DOCUMENTATION
    for env in (
        "K8S_AUTH_HOST",
        "K8S_AUTH_API_KEY",
        "K8S_AUTH_KUBECONFIG",
        "K8S_AUTH_CONTEXT",
        "K8S_AUTH_CERT_FILE",
        "K8S_AUTH_KEY_FILE",
        "K8S_AUTH_SSL_CA_CERT",
        "K8S_AUTH_VERIFY_SSL",
        "K8S_AUTH_PROXY",
        "K8S_AUTH_NO_PROXY",
        "K8S_AUTH_IMPERSONATE_USER",
        "K8S_AUTH_IMPERSONATE_GROUPS",
        "K8S_AUTH_PROXY_HEADERS_PROXY_BASIC_AUTH",
    ):
        assert "E(%s)" % env in text


# ============================================================================================
# Parameter / environment resolution
# ============================================================================================


def test_params_win_over_environment():
    env = {"K8S_AUTH_HOST": "https://env:6443", "K8S_AUTH_API_KEY": "env-token"}
    auth, origin = resolve_auth_params({"host": "https://param:6443"}, env)
    assert auth["host"] == "https://param:6443"
    assert origin["host"] == "option host"
    assert auth["api_key"] == "env-token"
    assert origin["api_key"] == "environment variable K8S_AUTH_API_KEY"


def test_none_param_falls_back_to_env_and_unset_stays_none():
    auth, origin = resolve_auth_params({"host": None, "context": None}, {"K8S_AUTH_CONTEXT": "c1"})
    assert auth["host"] is None
    assert auth["context"] == "c1"
    assert "host" not in origin


@pytest.mark.parametrize(
    "value, expected",
    [("no", False), ("False", False), ("0", False), ("yes", True), ("true", True), ("x", True)],
)
def test_verify_ssl_env_is_boolean_like_kubernetes_core(value, expected):
    auth, _origin = resolve_auth_params({}, {"K8S_AUTH_VERIFY_SSL": value})
    assert auth["validate_certs"] is expected


def test_option_env_name_is_read_before_client_env_name():
    env = {"K8S_AUTH_VALIDATE_CERTS": "false", "K8S_AUTH_VERIFY_SSL": "true"}
    auth, origin = resolve_auth_params({}, env)
    assert auth["validate_certs"] is False
    assert origin["validate_certs"] == "environment variable K8S_AUTH_VALIDATE_CERTS"


def test_tls_file_env_vars(tmp_path):
    env = {
        "K8S_AUTH_SSL_CA_CERT": "/ca.pem",
        "K8S_AUTH_CERT_FILE": "/c.pem",
        "K8S_AUTH_KEY_FILE": "/k.pem",
    }
    auth, origin = resolve_auth_params({}, env)
    assert (auth["ca_cert"], auth["client_cert"], auth["client_key"]) == (
        "/ca.pem",
        "/c.pem",
        "/k.pem",
    )
    assert origin["client_key"] == "environment variable K8S_AUTH_KEY_FILE"
    auth, _origin = resolve_auth_params({}, {"K8S_AUTH_CA_CERT": "/other.pem"})
    assert auth["ca_cert"] == "/other.pem"


def test_remaining_env_vars():
    env = {
        "K8S_AUTH_KUBECONFIG": "/kc",
        "K8S_AUTH_PROXY": "http://proxy:3128",
        "K8S_AUTH_NO_PROXY": "localhost,.local",
        "K8S_AUTH_IMPERSONATE_USER": "alice",
        "K8S_AUTH_IMPERSONATE_GROUPS": "g1,,g2",
        "K8S_AUTH_PROXY_HEADERS_PROXY_BASIC_AUTH": "u:p",
        "K8S_AUTH_PROXY_HEADERS_USER_AGENT": "ua/1",
    }
    auth, _origin = resolve_auth_params({}, env)
    assert auth["kubeconfig"] == "/kc"
    assert auth["proxy"] == "http://proxy:3128"
    assert auth["no_proxy"] == "localhost,.local"
    assert auth["impersonate_user"] == "alice"
    assert auth["impersonate_groups"] == ["g1", "g2"]
    assert auth["proxy_headers"] == {"proxy_basic_auth": "u:p", "user_agent": "ua/1"}


def test_aliases_accepted_in_plain_params():
    auth, _origin = resolve_auth_params(
        {"verify_ssl": "no", "ssl_ca_cert": "/a", "cert_file": "/b", "key_file": "/c"}, {}
    )
    assert auth["validate_certs"] is False
    assert (auth["ca_cert"], auth["client_cert"], auth["client_key"]) == ("/a", "/b", "/c")


def test_request_timeout_default_and_validation():
    assert resolve_auth_params({}, {})[0]["request_timeout"] == 30
    assert resolve_auth_params({"request_timeout": "5"}, {})[0]["request_timeout"] == 5
    with pytest.raises(K8sError) as info:
        resolve_auth_params({"request_timeout": 0}, {})
    assert info.value.reason == "config"
    with pytest.raises(K8sError):
        resolve_auth_params({"validate_certs": "maybe"}, {})


# ============================================================================================
# kubeconfig handling
# ============================================================================================


def kubeconfig_dict(current="one", servers=None, token=TOKEN):
    servers = servers or {"one": "https://one.example:6443", "two": "https://two.example:6443"}
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": current,
        "clusters": [
            {"name": name, "cluster": {"server": url, "insecure-skip-tls-verify": True}}
            for name, url in servers.items()
        ],
        "users": [
            {"name": "admin", "user": {"token": token}},
            {"name": "certuser", "user": {"client-key-data": CLIENT_KEY_DATA}},
        ],
        "contexts": [
            {"name": name, "context": {"cluster": name, "user": "admin"}} for name in servers
        ],
    }


def write_kubeconfig(path, data):
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return str(path)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty HOME and no KUBECONFIG / K8S_AUTH_* in the process environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in list(__import__("os").environ):
        if name.startswith("K8S_AUTH_") or name in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST"):
            monkeypatch.delenv(name, raising=False)
    return home


def test_kubeconfig_path_uses_current_context(tmp_path, home):
    path = write_kubeconfig(tmp_path / "kc", kubeconfig_dict())
    client = client_from_params({"kubeconfig": path})
    assert client.server == "https://one.example:6443"
    assert client.context == "one"
    assert client.config_source == "kubeconfig %s" % path
    assert client.configuration.verify_ssl is False
    assert client.configuration.get_api_key_with_prefix("BearerToken") == "Bearer " + TOKEN


def test_context_param_and_env(tmp_path, home):
    path = write_kubeconfig(tmp_path / "kc", kubeconfig_dict())
    assert client_from_params({"kubeconfig": path, "context": "two"}).server == (
        "https://two.example:6443"
    )
    client = client_from_params(
        {}, environ={"K8S_AUTH_KUBECONFIG": path, "K8S_AUTH_CONTEXT": "two"}
    )
    assert (client.server, client.context) == ("https://two.example:6443", "two")


def test_kubeconfig_dict(home):
    client = client_from_params({"kubeconfig": kubeconfig_dict(), "context": "two"})
    assert client.server == "https://two.example:6443"
    assert client.context == "two"
    assert client.config_source == "the kubeconfig given as a dict"


def test_kubeconfig_env_and_default_home_file(tmp_path, home):
    path = write_kubeconfig(tmp_path / "env-kc", kubeconfig_dict(current="two"))
    assert client_from_params({}, environ={"KUBECONFIG": path}).context == "two"
    (home / ".kube").mkdir()
    write_kubeconfig(home / ".kube" / "config", kubeconfig_dict(current="one"))
    client = client_from_params({}, environ={})
    assert client.context == "one"
    # only a context given: the default kubeconfig is used
    assert client_from_params({"context": "two"}, environ={}).server == "https://two.example:6443"


def test_several_kubeconfig_files_first_definition_wins(tmp_path, home):
    first = write_kubeconfig(
        tmp_path / "a", kubeconfig_dict(current="one", servers={"one": "https://a:1"})
    )
    second = write_kubeconfig(
        tmp_path / "b",
        kubeconfig_dict(current="two", servers={"one": "https://b:1", "two": "https://b:2"}),
    )
    client = client_from_params({"kubeconfig": "%s:%s" % (first, second)})
    assert (client.context, client.server) == ("one", "https://a:1")
    assert client_from_params(
        {"kubeconfig": "%s:%s" % (first, second), "context": "two"}
    ).server == ("https://b:2")


def test_explicit_options_override_kubeconfig(tmp_path, home):
    path = write_kubeconfig(tmp_path / "kc", kubeconfig_dict())
    client = client_from_params(
        {"kubeconfig": path, "host": "https://override:443/", "validate_certs": True}
    )
    assert client.server == "https://override:443"
    assert client.configuration.verify_ssl is True
    assert client.context == "one"


def test_host_and_api_key_skip_kubeconfig(tmp_path, home):
    broken = write_kubeconfig(tmp_path / "broken", "::: not yaml [")
    client = client_from_params(
        {"host": "https://h:6443", "api_key": TOKEN}, environ={"KUBECONFIG": broken}
    )
    assert client.server == "https://h:6443"
    assert client.context is None
    assert client.config_source == "options host/api_key"


def test_in_cluster_service_account_is_last_resort(tmp_path, home, monkeypatch):
    token = tmp_path / "token"
    token.write_text("in-cluster-token-value")
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    monkeypatch.setattr(connect, "IN_CLUSTER_TOKEN", str(token))
    monkeypatch.setattr(connect, "IN_CLUSTER_CA", str(ca))
    env = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    client = client_from_params({}, environ=env)
    assert client.server == "https://10.96.0.1:443"
    assert client.config_source == "in-cluster service account"
    assert client.configuration.ssl_ca_cert == str(ca)
    # a kubeconfig, when there is one, wins over the service account
    (home / ".kube").mkdir()
    write_kubeconfig(home / ".kube" / "config", kubeconfig_dict())
    assert client_from_params({}, environ=env).server == "https://one.example:6443"


def test_nothing_configured_is_a_clear_config_error(home):
    with pytest.raises(K8sError) as info:
        client_from_params({}, environ={})
    err = info.value
    assert err.reason == "config"
    assert str(home / ".kube" / "config") in err.message
    assert "kubeconfig" in err.message and "api_key" in err.message


def test_missing_kubeconfig_file(tmp_path, home):
    missing = str(tmp_path / "nope.yaml")
    with pytest.raises(K8sError) as info:
        client_from_params({}, environ={"K8S_AUTH_KUBECONFIG": missing})
    assert info.value.reason == "config"
    assert missing in info.value.message
    assert "K8S_AUTH_KUBECONFIG" in info.value.message


def test_unknown_context_lists_available_ones(tmp_path, home):
    path = write_kubeconfig(tmp_path / "kc", kubeconfig_dict())
    with pytest.raises(K8sError) as info:
        client_from_params({"kubeconfig": path, "context": "prod"})
    msg = info.value.message
    assert info.value.reason == "config"
    assert "context 'prod'" in msg and path in msg
    assert "available contexts: one, two" in msg


def test_no_current_context_lists_contexts(home):
    data = kubeconfig_dict()
    del data["current-context"]
    with pytest.raises(K8sError, match="no current-context.*one, two"):
        client_from_params({"kubeconfig": data})


@pytest.mark.parametrize(
    "content, expected",
    [
        (
            "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: %s\n   bad: x\n" % TOKEN,
            "line 6",
        ),
        ("- just\n- a list\n", "not a kubeconfig"),
        ("", "is empty"),
        (
            "apiVersion: v1\ncontexts: {a: b}\nusers:\n- name: u\n  user: {token: %s}\n" % TOKEN,
            "contexts",
        ),
    ],
)
def test_malformed_kubeconfig_file(tmp_path, home, content, expected):
    path = write_kubeconfig(tmp_path / "bad-kc", content)
    with pytest.raises(K8sError) as info:
        client_from_params({"kubeconfig": path})
    assert info.value.reason == "config"
    assert path in info.value.message
    assert expected in info.value.message
    assert TOKEN not in info.value.message


def test_context_pointing_at_missing_cluster_never_leaks_secrets(tmp_path, home):
    data = kubeconfig_dict()
    data["contexts"].append({"name": "dangling", "context": {"cluster": "gone", "user": "admin"}})
    path = write_kubeconfig(tmp_path / "kc", data)
    for params in (
        {"kubeconfig": path, "context": "dangling"},
        {"kubeconfig": data, "context": "dangling"},
    ):
        with pytest.raises(K8sError) as info:
            client_from_params(params)
        assert info.value.reason == "config"
        assert "dangling" in info.value.message
        assert TOKEN not in info.value.message
        assert CLIENT_KEY_DATA not in info.value.message


def test_cluster_without_server_is_a_config_error(home):
    data = kubeconfig_dict()
    del data["clusters"][0]["cluster"]["server"]
    with pytest.raises(K8sError, match="context 'one' .* has no server URL"):
        client_from_params({"kubeconfig": data})
    client = client_from_params({"kubeconfig": data, "host": "https://given:6443"})
    assert client.server == "https://given:6443"


def test_kubeconfig_content_given_as_a_string_is_not_echoed(home):
    content = yaml.safe_dump(kubeconfig_dict())
    with pytest.raises(K8sError) as info:
        client_from_params({"kubeconfig": content})
    assert "looks like the content" in info.value.message
    assert TOKEN not in info.value.message
    assert "clusters" not in info.value.message


def test_missing_ca_cert_names_option_and_env(tmp_path, home):
    with pytest.raises(K8sError) as info:
        client_from_params(
            {"host": "https://h", "api_key": TOKEN},
            environ={"K8S_AUTH_SSL_CA_CERT": str(tmp_path / "ca.pem")},
        )
    assert info.value.reason == "config"
    assert "ca_cert" in info.value.message and "K8S_AUTH_SSL_CA_CERT" in info.value.message


def test_kubeconfig_no_log_values():
    values = kubeconfig_no_log_values(kubeconfig_dict())
    assert values == {TOKEN, CLIENT_KEY_DATA}
    assert kubeconfig_no_log_values("/path/to/kubeconfig") == set()
    assert kubeconfig_no_log_values(None) == set()


def test_redact():
    text = (
        "Authorization: Bearer abc.def-ghi token: xyz123 password=hunter22 "
        "jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln "
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- tail " + TOKEN
    )
    out = redact(text, {TOKEN})
    for secret in ("abc.def-ghi", "xyz123", "hunter22", "eyJhbGciOiJSUzI1NiJ9", "MIIE", TOKEN):
        assert secret not in out
    assert "tail" in out
    assert redact(None) is None


def test_https_proxy_environment_is_ignored(api, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    api.on("GET", "/version", body={"gitVersion": "v1.36.2"})
    client = client_for(api)
    assert client.configuration.proxy is None
    assert client.request("GET", "/version") == {"gitVersion": "v1.36.2"}


# ============================================================================================
# Requests and error mapping (real HTTP)
# ============================================================================================


def test_request_headers_and_counts(api):
    api.on("GET", "/api/v1/namespaces", body={"kind": "NamespaceList", "items": []})
    client = client_for(api, impersonate_user="alice", impersonate_groups=["g1", "g2"])
    assert client.request("GET", "/api/v1/namespaces", query={"limit": 1}) == {
        "kind": "NamespaceList",
        "items": [],
    }
    req = api.requests[-1]
    assert req["headers"]["authorization"] == ["Bearer " + TOKEN]
    assert req["headers"]["impersonate-user"] == ["alice"]
    assert req["headers"]["impersonate-group"] == ["g1", "g2"]
    assert req["headers"]["accept"] == ["application/json"]
    assert req["query"] == {"limit": ["1"]}
    assert client.request_counts == {"GET": 1}


def test_non_json_answer_is_a_server_error(api):
    api.on("GET", "/api", body="<html>dashboard</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(K8sError) as info:
        client_for(api).request("GET", "/api")
    assert info.value.reason == "server"
    assert "text/html" in info.value.message


FORBIDDEN = (
    'ingresses.networking.k8s.io is forbidden: User "alice" cannot list resource "ingresses" '
    'in API group "networking.k8s.io" at the cluster scope'
)


@pytest.mark.parametrize(
    "method, path, status, body, reason, fragments",
    [
        (
            "GET",
            "/apis/networking.k8s.io/v1/ingresses",
            401,
            status_body(401, "Unauthorized", "Unauthorized"),
            "unauthorized",
            ["credentials rejected", "expired or invalid token/cert", "list ingresses"],
        ),
        (
            "GET",
            "/apis/networking.k8s.io/v1/ingresses",
            403,
            status_body(
                403,
                "Forbidden",
                FORBIDDEN,
                {"group": "networking.k8s.io", "kind": "ingresses"},
            ),
            "forbidden",
            [
                'forbidden: User "alice" cannot list resource "ingresses"',
                "Grant 'list' on ingresses.networking.k8s.io at cluster scope",
                "ClusterRole meshgate-istio-lb-reader",
            ],
        ),
        (
            # A server-side apply that would create the object is checked as "create".
            "PATCH",
            "/apis/networking.istio.io/v1/namespaces/shop/gateways/meshgate-x",
            403,
            status_body(
                403,
                "Forbidden",
                'gateways.networking.istio.io "meshgate-x" is forbidden: User "bob" cannot create '
                'resource "gateways" in API group "networking.istio.io" in the namespace "shop"',
                {"group": "networking.istio.io", "kind": "gateways"},
            ),
            "forbidden",
            [
                "Grant 'create' on gateways.networking.istio.io in namespace shop",
                "ClusterRole meshgate-istio-lb-applier",
            ],
        ),
        (
            "GET",
            "/api/v1/namespaces/shop/services/web",
            404,
            status_body(
                404, "NotFound", 'services "web" not found', {"name": "web", "kind": "services"}
            ),
            "not_found",
            ['services "web" not found'],
        ),
        (
            "GET",
            "/apis/networking.istio.io/v1/gateways",
            404,
            "404 page not found\n",
            "not_found",
            ["list gateways.networking.istio.io", "missing CRD"],
        ),
        (
            "POST",
            "/api/v1/namespaces/shop/services",
            422,
            status_body(
                422,
                "Invalid",
                'Service "web" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535',
                {
                    "name": "web",
                    "kind": "Service",
                    "causes": [
                        {
                            "reason": "FieldValueInvalid",
                            "message": "Invalid value: 0: must be between 1 and 65535",
                            "field": "spec.ports[0].port",
                        }
                    ],
                },
            ),
            "invalid",
            ["create services in namespace shop", "spec.ports[0].port", "between 1 and 65535"],
        ),
        (
            "GET",
            "/api/v1/pods",
            500,
            status_body(500, "InternalError", "etcdserver: leader changed"),
            "server",
            ["HTTP 500", "etcdserver: leader changed"],
        ),
        (
            "GET",
            "/api/v1/pods",
            504,
            status_body(504, "Timeout", "Timeout: request did not complete within 60s"),
            "timeout",
            ["did not complete"],
        ),
        (
            "GET",
            "/api/v1/pods",
            429,
            status_body(429, "TooManyRequests", "storage is (re)initializing"),
            "server",
            ["throttling"],
        ),
    ],
)
def test_http_errors_map_to_reasons(api, method, path, status, body, reason, fragments):
    api.on(method, path, status=status, body=body)
    client = client_for(api)
    with pytest.raises(K8sError) as info:
        client.request(method, path, body={"kind": "Service"} if method == "POST" else None)
    err = info.value
    assert err.reason == reason
    assert err.status == status
    for fragment in fragments:
        assert fragment in err.message
    assert TOKEN not in err.message
    assert api.url in err.message or reason == "forbidden"


def test_apply_conflict_names_field_managers(api):
    api.fallback = aggregated_discovery_handler
    conflict = status_body(
        409,
        "Conflict",
        'Apply failed with 2 conflicts: conflicts with "helm" using v1:\n- .spec.type\n'
        'conflicts with "kubectl-client-side-apply" using v1:\n- .metadata.annotations.x',
        {
            "causes": [
                {
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "helm" using v1',
                    "field": ".spec.type",
                },
                {
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "kubectl-client-side-apply" using v1',
                    "field": ".metadata.annotations.x",
                },
            ]
        },
    )
    api.on("PATCH", "/api/v1/namespaces/shop/services/web", status=409, body=conflict)
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}}
    with pytest.raises(K8sError) as info:
        client_for(api).apply(obj, field_manager="meshgate")
    err = info.value
    assert err.reason == "conflict" and err.status == 409
    assert err.managers == ["helm", "kubectl-client-side-apply"]
    assert "helm, kubectl-client-side-apply" in err.message
    assert ".spec.type" in err.message and "force=true" in err.message
    assert len(err.causes) == 2


def test_connection_refused_is_unreachable(closed_port):
    client = client_from_params(
        {"host": "http://127.0.0.1:%d" % closed_port, "api_key": TOKEN}, environ={}
    )
    with pytest.raises(K8sError) as info:
        client.request("GET", "/api")
    err = info.value
    assert err.reason == "unreachable"
    assert err.status is None
    assert "cannot reach the API server at http://127.0.0.1:%d" % closed_port in err.message
    assert "refused" in err.message.lower()
    assert "Check host/kubeconfig/context" in err.message


def test_unresolvable_host_is_unreachable():
    client = client_from_params(
        {"host": "https://api.cluster.invalid", "api_key": TOKEN}, environ={}
    )
    with pytest.raises(K8sError) as info:
        client.request("GET", "/api", timeout=5)
    assert info.value.reason == "unreachable"
    assert "api.cluster.invalid" in info.value.message


def test_slow_answer_is_a_timeout(api):
    def slow(req):
        time.sleep(1.5)
        return 200, {}

    api.on("GET", "/api/v1/pods", handler=slow)
    with pytest.raises(K8sError) as info:
        client_for(api).request("GET", "/api/v1/pods", timeout=0.3)
    assert info.value.reason == "timeout"
    assert "request_timeout" in info.value.message


# ============================================================================================
# Pagination
# ============================================================================================


def paged_handler(items, kind="ConfigMapList", api_version="v1", expire_after=None):
    def handler(req):
        limit = int(req["query"].get("limit", ["0"])[0]) or len(items)
        start = int(req["query"].get("continue", ["0"])[0] or 0)
        if expire_after is not None and start >= expire_after:
            return 410, status_body(
                410,
                "Expired",
                "The provided continue parameter is too old to display a consistent list result.",
            )
        page = items[start : start + limit]
        metadata = {"resourceVersion": "100"}
        if start + limit < len(items):
            metadata["continue"] = str(start + limit)
        return 200, {"kind": kind, "apiVersion": api_version, "metadata": metadata, "items": page}

    return handler


def make_items(count):
    return [
        {"metadata": {"name": "cm-%d" % i, "namespace": "ns"}, "data": {"i": str(i)}}
        for i in range(count)
    ]


def test_list_items_follows_continue_tokens(api):
    api.on("GET", "/api/v1/namespaces/ns/configmaps", handler=paged_handler(make_items(7)))
    client = client_for(api)
    items = list(client.list_items("/api/v1/namespaces/ns/configmaps", limit=3))
    assert [i["metadata"]["name"] for i in items] == ["cm-%d" % i for i in range(7)]
    assert all(i["kind"] == "ConfigMap" and i["apiVersion"] == "v1" for i in items)
    assert client.request_counts == {"GET": 3}
    queries = [r["query"] for r in api.requests]
    assert queries == [
        {"limit": ["3"]},
        {"limit": ["3"], "continue": ["3"]},
        {"limit": ["3"], "continue": ["6"]},
    ]


def test_list_items_reduces_each_page_as_it_arrives(api):
    api.on("GET", "/api/v1/configmaps", handler=paged_handler(make_items(5)))
    client = client_for(api)
    seen_requests = []

    def reduce(item):
        seen_requests.append(len(api.requests))
        index = int(item["data"]["i"])
        return None if index % 2 else item["metadata"]["name"]

    gen = client.list_items("/api/v1/configmaps", limit=2, reduce=reduce)
    assert next(gen) == "cm-0"
    assert len(api.requests) == 1  # lazily: the second page is not fetched yet
    assert list(gen) == ["cm-2", "cm-4"]
    assert seen_requests == [1, 1, 2, 2, 3]


def test_list_items_expired_continue_token(api):
    api.on("GET", "/api/v1/configmaps", handler=paged_handler(make_items(9), expire_after=3))
    gen = client_for(api).list_items("/api/v1/configmaps", limit=3)
    assert len([next(gen) for _i in range(3)]) == 3
    with pytest.raises(K8sError) as info:
        next(gen)
    assert info.value.reason == "timeout"
    assert info.value.status == 410
    assert "continue token" in info.value.message and "expired" in info.value.message


def _managed_list(items):
    """A LIST as the API server writes it: compact JSON, managedFields last in metadata."""
    return json.dumps(
        {"kind": "DeploymentList", "apiVersion": "apps/v1", "metadata": {}, "items": items},
        separators=(",", ":"),
    ).encode()


def _entry(manager, fields, subresource=None):
    out = {
        "manager": manager,
        "operation": "Apply" if subresource is None else "Update",
        "apiVersion": "apps/v1",
        "time": "2026-11-27T10:00:00Z",
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
    }
    if subresource:
        out["subresource"] = subresource
    return out


FIELD_SET = {
    "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
    "f:spec": {
        "f:template": {
            "f:spec": {
                "f:containers": {
                    'k:{"name":"app"}': {".": {}, "f:ports": {'k:{"containerPort":80}': {}}}
                }
            }
        }
    },
}


def _deployment(name, managed=None, annotations=None):
    meta = {"name": name, "namespace": "ns", "labels": {"app": "x]"}}
    if annotations:
        meta["annotations"] = annotations
    if managed is not None:
        meta["managedFields"] = managed
    return {"metadata": meta, "spec": {"replicas": 1}, "status": {"conditions": [{"type": "A"}]}}


def _names_only(items):
    """What the cut keeps of each entry: its manager and its operation."""
    out = json.loads(json.dumps(items))
    for item in out:
        if "managedFields" in item["metadata"]:
            item["metadata"]["managedFields"] = [
                {k: m[k] for k in ("manager", "operation") if k in m}
                for m in item["metadata"]["managedFields"]
                if "manager" in m
            ]
    return out


def test_compact_managed_fields_keeps_each_entrys_manager_and_operation_only():
    items = [
        _deployment(
            "a",
            [
                _entry("argocd-controller", FIELD_SET),
                _entry("kube-controller-manager", {"f:status": {"f:replicas": {}}}, "status"),
            ],
            # What kubectl apply leaves: the object again, inside a string (escaped quotes).
            annotations={
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
                    {"metadata": {"managedFields": [{"manager": "not-me"}]}}, separators=(",", ":")
                )
            },
        ),
        _deployment("b"),  # no managedFields at all
        _deployment("c", []),
        _deployment(
            "d",
            [
                _entry('we "quote" \\ and caf\u00e9', FIELD_SET),
                _entry("trail\\", FIELD_SET),
                # Go leaves an empty manager out: an entry with no name at all.
                {k: v for k, v in _entry("", FIELD_SET).items() if k != "manager"},
                _entry("", {}),
                _entry("kubectl-edit", {"f:spec": {"f:replicas": {}}}),
            ],
        ),
    ]
    raw = _managed_list(items)
    compacted = compact_managed_fields(raw)
    assert len(compacted) < len(raw)
    assert json.loads(compacted)["items"] == _names_only(items)


def test_compact_managed_fields_takes_names_of_entries_only():
    # A pod template's metadata may carry managedFields its writer made up, with "manager" keys
    # nested in fieldsV1: only each entry's own name is taken.
    made_up = {"f:a": {"manager": "argocd-controller"}, "f:b": {}}
    item = _deployment("a", [_entry("helm", FIELD_SET)])
    item["spec"]["template"] = {"metadata": {"labels": {"app": "a"}, "managedFields": []}}
    item["spec"]["template"]["metadata"]["managedFields"] = [_entry("x", made_up)]
    got = json.loads(compact_managed_fields(_managed_list([item])))["items"][0]
    assert got["metadata"]["managedFields"] == [{"manager": "helm", "operation": "Apply"}]
    assert got["spec"]["template"]["metadata"]["managedFields"] == [
        {"manager": "x", "operation": "Apply"}
    ]


def test_compact_managed_fields_keeps_what_tells_helm_4_from_helm_3():
    # Helm 4 applies server-side as "helm", Helm 3 updates as "helm": the owner read from the cut
    # text (a live read of Deployments) says which, as from the whole object.
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.owners import (
        object_owner,
    )
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import (
        reduce_object,
    )

    def release(operation):
        item = _deployment("edge", [_entry("helm", FIELD_SET), _entry("meshgate", {})])
        item["metadata"]["managedFields"][0]["operation"] = operation
        item["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "Helm"
        item.update(apiVersion="apps/v1", kind="Deployment")
        item["spec"]["template"] = {"spec": {"containers": [{"name": "proxy", "image": "kong"}]}}
        return item

    for operation, major in (("Apply", "4"), ("Update", "3")):
        whole = release(operation)
        (cut,) = json.loads(compact_managed_fields(_managed_list([whole])))["items"]
        assert "fieldsV1" not in json.dumps(cut)
        assert object_owner(reduce_object(cut))["helm"] == major
        assert reduce_object(cut) == reduce_object(whole)


def test_compact_managed_fields_leaves_a_list_alone_when_its_end_is_unclear():
    # A "]" in a field-set key that is not followed by the end of metadata: that list is kept
    # as sent, the next object's list is still cut, and the text decodes.
    odd = {"f:spec": {"f:args": {'v:"--x=[a]"': {}}}}
    items = [
        _deployment("a", [_entry("helm", odd)]),
        _deployment("b", [_entry("argocd", FIELD_SET)]),
    ]
    got = json.loads(compact_managed_fields(_managed_list(items)))["items"]
    assert got[0] == items[0]
    assert got[1] == _names_only(items[1:])[0]


def _go_json(value):
    """encoding/json's output: compact, <, >, & and U+2028/9 escaped."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def test_compact_managed_fields_never_decodes_to_a_wrong_answer():
    # Seeded random pages whose strings are full of the characters the cut looks for. Each
    # list is either cut to exactly its managers' names or left as sent - or the whole text
    # does not decode (and is then decoded as sent).
    rng = random.Random(9)
    alphabet = list('ab]["\\:{},<&\u2028\u00e9') + ['"managedFields":[', '"manager":"', "\\\\"]

    def text():
        return "".join(rng.choice(alphabet) for _i in range(rng.randint(0, 6)))

    def trie(depth=0):
        out = {}
        for _i in range(rng.randint(0, 3)):
            prefix = rng.choice(["f:", "k:", "v:", "."])
            key = {"k:": json.dumps({"name": text()}), "v:": json.dumps(text())}.get(prefix, text())
            out["." if prefix == "." else prefix + key] = trie(depth + 1) if depth < 3 else {}
        return out

    def entry():
        out = {"operation": "Update", "apiVersion": "apps/v1", "fieldsV1": trie()}
        if rng.random() < 0.9:
            out = dict({"manager": text() or "m"}, **out)
        if rng.random() < 0.3:
            out["subresource"] = text()
        return out

    cut = kept = undecodable = 0
    for _page in range(3000):
        items = []
        for _i in range(rng.randint(1, 3)):
            managed = [entry() for _j in range(rng.randint(0, 3))]
            item = _deployment("x", managed, annotations={text(): text()})
            item["metadata"]["labels"]["app"] = text()
            items.append(item)
        raw = _go_json({"kind": "DeploymentList", "apiVersion": "apps/v1", "items": items})
        try:
            got = json.loads(compact_managed_fields(raw))["items"]
        except ValueError:
            undecodable += 1
            continue
        for sent, item in zip(json.loads(raw)["items"], got, strict=True):
            names = _names_only([sent])[0]
            if item == sent and names != sent:
                kept += 1
            else:
                assert item == names
                cut += names != sent
    # Seed 9 gives 928 / 3497 / 21: every path is taken.
    assert cut > 500 and kept > 1000 and undecodable > 5


def test_compact_managed_fields_leaves_text_without_them_alone():
    raw = _managed_list([_deployment("b")])
    assert compact_managed_fields(raw) is raw


def test_list_items_without_field_sets(api):
    items = [_deployment("a", [_entry("helm", FIELD_SET)]), _deployment("b")]
    api.on("GET", "/apis/apps/v1/deployments", body=_managed_list(items))
    client = client_for(api)
    assert list(client.list_items("/apis/apps/v1/deployments", field_sets=False)) == [
        dict(item, kind="Deployment", apiVersion="apps/v1") for item in _names_only(items)
    ]
    whole = list(client.list_items("/apis/apps/v1/deployments"))
    assert whole[0]["metadata"]["managedFields"][0]["fieldsV1"] == FIELD_SET


def test_list_items_without_field_sets_decodes_as_sent_when_a_string_holds_a_bracket(api):
    # A "]" inside a field-set key that looks like the end of metadata ends the cut early; the
    # cut text is not JSON, so the page is decoded as the server sent it - never a wrong answer.
    odd = {"f:spec": {"f:finalizers": {'v:"example.com/x}]}"': {}}}}
    items = [_deployment("a", [_entry("helm", odd)])]
    raw = _managed_list(items)
    with pytest.raises(ValueError):
        json.loads(compact_managed_fields(raw))
    api.on("GET", "/apis/apps/v1/deployments", body=raw)
    got = list(client_for(api).list_items("/apis/apps/v1/deployments", field_sets=False))
    assert got[0]["metadata"]["managedFields"][0]["fieldsV1"] == odd


def test_list_items_error_on_first_page_propagates(api):
    api.on(
        "GET",
        "/apis/networking.k8s.io/v1/ingresses",
        status=403,
        body=status_body(403, "Forbidden", FORBIDDEN),
    )
    with pytest.raises(K8sError) as info:
        list(client_for(api).list_items("/apis/networking.k8s.io/v1/ingresses"))
    assert info.value.reason == "forbidden"


# ============================================================================================
# Discovery
# ============================================================================================

AGGREGATED_CORE = {
    "kind": "APIGroupDiscoveryList",
    "apiVersion": "apidiscovery.k8s.io/v2",
    "metadata": {},
    "items": [
        {
            "metadata": {"creationTimestamp": None},
            "versions": [
                {
                    "version": "v1",
                    "resources": [
                        {
                            "resource": "services",
                            "responseKind": {"group": "", "version": "v1", "kind": "Service"},
                            "scope": "Namespaced",
                            "verbs": ["get", "list", "patch"],
                            "subresources": [
                                {"subresource": "status", "responseKind": {"kind": "Service"}}
                            ],
                        },
                        {
                            "resource": "namespaces",
                            "responseKind": {"group": "", "version": "v1", "kind": "Namespace"},
                            "scope": "Cluster",
                        },
                    ],
                }
            ],
        }
    ],
}

AGGREGATED_GROUPS = {
    "kind": "APIGroupDiscoveryList",
    "apiVersion": "apidiscovery.k8s.io/v2",
    "metadata": {},
    "items": [
        {
            "metadata": {"name": "apps"},
            "versions": [
                {
                    "version": "v1",
                    "resources": [
                        {
                            "resource": "deployments",
                            "responseKind": {
                                "group": "apps",
                                "version": "v1",
                                "kind": "Deployment",
                            },
                            "scope": "Namespaced",
                        }
                    ],
                }
            ],
        },
        {
            "metadata": {"name": "networking.istio.io"},
            "versions": [
                {
                    "version": "v1",
                    "resources": [
                        {
                            "resource": "gateways",
                            "responseKind": {"kind": "Gateway"},
                            "scope": "Namespaced",
                        }
                    ],
                },
                {
                    "version": "v1beta1",
                    "resources": [
                        {
                            "resource": "gateways",
                            "responseKind": {"kind": "Gateway"},
                            "scope": "Namespaced",
                        },
                        {
                            "resource": "sidecars",
                            "responseKind": {"kind": "Sidecar"},
                            "scope": "Namespaced",
                        },
                    ],
                },
            ],
        },
        {
            "metadata": {"name": "networking.k8s.io"},
            "versions": [
                {
                    "version": "v1",
                    "resources": [
                        {
                            "resource": "ingressclasses",
                            "responseKind": {"kind": "IngressClass"},
                            "scope": "Cluster",
                        }
                    ],
                }
            ],
        },
        {
            "metadata": {"name": "metrics.k8s.io"},
            "versions": [{"version": "v1beta1", "freshness": "Stale"}],
        },
    ],
}


def aggregated_discovery_handler(req):
    accept = req["headers"].get("accept", [""])[0]
    if "as=APIGroupDiscoveryList" not in accept:
        return 406, status_body(406, "NotAcceptable", "expected aggregated discovery")
    if req["path"] == "/api":
        return 200, AGGREGATED_CORE
    if req["path"] == "/apis":
        return 200, AGGREGATED_GROUPS
    return 404, "404 page not found\n"


EXPECTED_DISCOVERY = {
    ("", "Service"): {
        "version": "v1",
        "resource": "services",
        "namespaced": True,
        "versions": ["v1"],
    },
    ("", "Namespace"): {
        "version": "v1",
        "resource": "namespaces",
        "namespaced": False,
        "versions": ["v1"],
    },
    ("apps", "Deployment"): {
        "version": "v1",
        "resource": "deployments",
        "namespaced": True,
        "versions": ["v1"],
    },
    ("networking.istio.io", "Gateway"): {
        "version": "v1",
        "resource": "gateways",
        "namespaced": True,
        "versions": ["v1", "v1beta1"],
    },
    ("networking.istio.io", "Sidecar"): {
        "version": "v1beta1",
        "resource": "sidecars",
        "namespaced": True,
        "versions": ["v1beta1"],
    },
    ("networking.k8s.io", "IngressClass"): {
        "version": "v1",
        "resource": "ingressclasses",
        "namespaced": False,
        "versions": ["v1"],
    },
}


def test_aggregated_discovery_in_two_requests(api):
    api.fallback = aggregated_discovery_handler
    client = client_for(api)
    assert client.discover() == EXPECTED_DISCOVERY
    assert [r["path"] for r in api.requests] == ["/api", "/apis"]
    assert all(r["headers"]["accept"] == [ACCEPT_AGGREGATED_DISCOVERY] for r in api.requests)
    assert client.discovery_warnings == [
        "discovery of metrics.k8s.io/v1beta1 is stale (its API service is unavailable)"
    ]
    client.discover()  # cached
    assert len(api.requests) == 2
    client.discover(refresh=True)
    assert len(api.requests) == 4


def test_legacy_discovery_fallback(api):
    legacy = {
        "/api": {"kind": "APIVersions", "versions": ["v1"]},
        "/api/v1": {
            "kind": "APIResourceList",
            "groupVersion": "v1",
            "resources": [
                {"name": "services", "kind": "Service", "namespaced": True},
                {"name": "services/status", "kind": "Service", "namespaced": True},
                {"name": "namespaces", "kind": "Namespace", "namespaced": False},
            ],
        },
        "/apis": {
            "kind": "APIGroupList",
            "groups": [
                {
                    "name": "apps",
                    "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
                    "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"},
                },
                {
                    "name": "networking.istio.io",
                    "versions": [
                        {"groupVersion": "networking.istio.io/v1beta1", "version": "v1beta1"},
                        {"groupVersion": "networking.istio.io/v1", "version": "v1"},
                    ],
                    "preferredVersion": {"version": "v1"},
                },
                {
                    "name": "networking.k8s.io",
                    "versions": [{"groupVersion": "networking.k8s.io/v1", "version": "v1"}],
                    "preferredVersion": {"version": "v1"},
                },
                {
                    "name": "metrics.k8s.io",
                    "versions": [{"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}],
                    "preferredVersion": {"version": "v1beta1"},
                },
            ],
        },
        "/apis/apps/v1": {
            "resources": [
                {"name": "deployments", "kind": "Deployment", "namespaced": True},
                {"name": "deployments/scale", "kind": "Scale", "namespaced": True},
            ]
        },
        "/apis/networking.istio.io/v1": {
            "resources": [{"name": "gateways", "kind": "Gateway", "namespaced": True}]
        },
        "/apis/networking.istio.io/v1beta1": {
            "resources": [
                {"name": "gateways", "kind": "Gateway", "namespaced": True},
                {"name": "sidecars", "kind": "Sidecar", "namespaced": True},
            ]
        },
        "/apis/networking.k8s.io/v1": {
            "resources": [{"name": "ingressclasses", "kind": "IngressClass", "namespaced": False}]
        },
    }

    def handler(req):
        if req["path"] == "/apis/metrics.k8s.io/v1beta1":
            return 503, status_body(503, "ServiceUnavailable", "the server is currently unable")
        if req["path"] in legacy:
            return 200, legacy[req["path"]]
        return 404, "404 page not found\n"

    api.fallback = handler
    client = client_for(api)
    assert client.discover() == EXPECTED_DISCOVERY
    assert len(client.discovery_warnings) == 1
    assert "/apis/metrics.k8s.io/v1beta1" in client.discovery_warnings[0]


# ============================================================================================
# Server-side apply
# ============================================================================================


def test_apply_sends_server_side_apply(api):
    api.fallback = aggregated_discovery_handler
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"a": "b"}},
    }

    def patch(req):
        return 200, dict(json.loads(req["body"]), status={})

    api.on("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web", handler=patch)
    client = client_for(api)
    result = client.apply(obj, field_manager="meshgate", dry_run=True, force=True)
    assert result["metadata"] == obj["metadata"]
    req = api.requests[-1]
    assert req["headers"]["content-type"] == [APPLY_PATCH]
    assert req["query"] == {"fieldManager": ["meshgate"], "force": ["true"], "dryRun": ["All"]}
    assert json.loads(req["body"]) == obj
    assert client.request_counts == {"GET": 2, "PATCH": 1}

    client.apply(obj, field_manager="meshgate")
    assert api.requests[-1]["query"] == {"fieldManager": ["meshgate"]}


def test_apply_cluster_scoped_path(api):
    api.fallback = aggregated_discovery_handler
    api.on(
        "PATCH", "/apis/networking.k8s.io/v1/ingressclasses/nginx", body={"kind": "IngressClass"}
    )
    obj = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": "nginx"},
    }
    assert client_for(api).apply(obj, "meshgate") == {"kind": "IngressClass"}


@pytest.mark.parametrize(
    "obj, reason, fragment",
    [
        (
            {
                "apiVersion": "example.com/v1",
                "kind": "Widget",
                "metadata": {"name": "w", "namespace": "n"},
            },
            "not_found",
            "Install its CRD",
        ),
        (
            {
                "apiVersion": "networking.istio.io/v1alpha3",
                "kind": "Gateway",
                "metadata": {"name": "g", "namespace": "n"},
            },
            "not_found",
            "served versions: v1, v1beta1",
        ),
        (
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}},
            "invalid",
            "metadata.namespace is required",
        ),
        ({"apiVersion": "v1", "kind": "Service", "metadata": {}}, "invalid", "metadata.name"),
    ],
)
def test_apply_rejects_before_writing(api, obj, reason, fragment):
    api.fallback = aggregated_discovery_handler
    client = client_for(api)
    with pytest.raises(K8sError) as info:
        client.apply(obj, "meshgate")
    assert info.value.reason == reason
    assert fragment in info.value.message
    assert "PATCH" not in client.request_counts


# ============================================================================================
# TLS (real HTTPS server with a throwaway self-signed certificate)
# ============================================================================================


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    x509 = pytest.importorskip("cryptography.x509")
    import ipaddress

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-apiserver")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_path = directory / "server.crt"
    key_path = directory / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def serve_version_over_tls(context):
    """A FakeAPI answering GET /version over TLS with ``context``; yields it, then stops."""
    fake = FakeAPI()
    fake.on("GET", "/version", body={"gitVersion": "v1.36.2"})
    server = _start(fake, context)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def tls_api(tls_files):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    yield from serve_version_over_tls(context)


def test_untrusted_certificate_is_a_tls_error(tls_api):
    with pytest.raises(K8sError) as info:
        client_for(tls_api).request("GET", "/version")
    err = info.value
    assert err.reason == "tls"
    assert tls_api.url in err.message
    assert "ca_cert" in err.message and "validate_certs" in err.message


def test_ca_cert_or_validate_certs_false_succeed(tls_api, tls_files):
    assert client_for(tls_api, ca_cert=tls_files[0]).request("GET", "/version")["gitVersion"]
    assert client_for(tls_api, validate_certs=False).request("GET", "/version")["gitVersion"]


def test_https_to_plain_http_server_hints_at_scheme(api):
    api.on("GET", "/version", body={})
    url = api.url.replace("http://", "https://")
    client = client_from_params({"host": url, "api_key": TOKEN}, environ={})
    with pytest.raises(K8sError) as info:
        client.request("GET", "/version")
    assert info.value.reason == "tls"
    assert "check the scheme (http/https) in host" in info.value.message


# ============================================================================================
# Pure helpers
# ============================================================================================


@pytest.mark.parametrize(
    "method, path, expected",
    [
        (
            "GET",
            "/apis/networking.k8s.io/v1/ingresses",
            "list ingresses.networking.k8s.io at cluster scope",
        ),
        ("GET", "/api/v1/namespaces/shop/services", "list services in namespace shop"),
        ("GET", "/api/v1/namespaces/shop/services/web", 'get services "web" in namespace shop'),
        ("GET", "/api/v1/namespaces", "list namespaces at cluster scope"),
        ("GET", "/api/v1/namespaces/shop", 'get namespaces "shop"'),
        (
            "DELETE",
            "/apis/apps/v1/namespaces/a/deployments",
            "deletecollection deployments.apps in namespace a",
        ),
        ("GET", "/apis", "read API discovery (GET /apis)"),
        ("GET", "/apis/apps/v1", "read API discovery (GET /apis/apps/v1)"),
        ("GET", "/version", "GET /version"),
    ],
)
def test_describe_request(method, path, expected):
    assert describe_request(method, path) == expected


def test_describe_apply():
    assert describe_request("PATCH", "/api/v1/namespaces/a/services/b", APPLY_PATCH) == (
        'apply services "b" in namespace a'
    )


def test_error_from_response_redacts_secrets_in_bodies():
    err = error_from_response(
        500, "internal error for Bearer %s" % TOKEN, "GET", "/api", "https://h", secrets={TOKEN}
    )
    assert err.reason == "server"
    assert TOKEN not in err.message


def test_k8s_error_rejects_unknown_reason():
    with pytest.raises(ValueError):
        raise K8sError("weird", "x")
    err = K8sError("conflict", "m", status=409, managers=["helm"])
    assert err.to_dict() == {
        "reason": "conflict",
        "status": 409,
        "message": "m",
        "managers": ["helm"],
    }


def _jwt(claims):
    import base64

    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return "%s.%s.c2ln" % (b64({"alg": "ES256"}), b64(claims))


def test_token_expiry_reads_only_the_exp_claim():
    now = 1_800_000_000
    assert token_expiry([_jwt({"exp": now - 60})], now=now) == "2027-01-15T07:59:00Z"
    assert token_expiry([_jwt({"exp": now + 60})], now=now) is None
    assert token_expiry([_jwt({"sub": "x"})], now=now) is None  # no exp
    for not_a_jwt in ("plain-token", "a.b.c", "a.!!!.c", "", None):
        assert token_expiry([not_a_jwt], now=now) is None


def test_a_401_with_an_expired_token_says_so_and_never_echoes_it():
    token = _jwt({"exp": 1_000_000_000})
    err = error_from_response(
        401, b'{"kind":"Status","code":401}', "GET", "/api", "https://h:6443", secrets={token}
    )
    assert err.reason == "unauthorized"
    assert "the bearer token expired at 2001-09-09T01:46:40Z" in str(err)
    assert token not in str(err)
    other = error_from_response(401, b"", "GET", "/api", "https://h:6443", secrets={"opaque"})
    assert "expired or invalid token/cert" in str(other)
