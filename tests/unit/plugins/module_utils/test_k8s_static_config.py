# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""The client layer without the kubernetes package: static credentials (StaticConfig,
static_pool_manager, StaticKubeconfigLoader) against kubernetes' own KubeConfigLoader and
RESTClientObject.

Every equivalence case builds the client both ways and compares what reaches the wire: server,
TLS verification, the CONTENTS of the CA / client certificate / key files, every keyword the
urllib3 pool hands its connections (server_hostname, maxsize, ...), the proxy and its headers,
and the Authorization header. A drift on either side fails here.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import ssl
import subprocess
import sys
import textwrap

import pytest
import yaml
from test_k8s_client import FakeAPI, _start, serve_version_over_tls

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s import connect, static_config
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.args import resolve_auth_params
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.client import KubeClient
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.kubeconfig import (
    KubeconfigSource,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.redact import redact
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.static_config import (
    StaticConfig,
    StaticConfigError,
    StaticKubeconfigLoader,
    kubeconfig_root,
)

kube_config = pytest.importorskip("kubernetes.config.kube_config")
k8s_rest = pytest.importorskip("kubernetes.client.rest")
Configuration = pytest.importorskip("kubernetes.client").Configuration
ConfigException = pytest.importorskip("kubernetes.config.config_exception").ConfigException

TOKEN = "st4tic-token-value-0123456789"
PASSWORD = "hunter2-password"
PROXY_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


# ============================================================================================
# A throwaway PKI: CA, API server certificate (SAN 127.0.0.1 or a DNS name only), client cert
# ============================================================================================


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def pem_key(key):
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def issue(cn, issuer_key=None, issuer_name=None, san=None, ca=False, usage=None, aki=True):
        """A certificate as a cluster's PKI issues it: with the key identifiers RFC 5280 asks
        for (Python 3.13+ refuses a non-root certificate without an authority key identifier)."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer_name or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        if issuer_key is not None and aki:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        if usage:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        cert = builder.sign(issuer_key or key, hashes.SHA256())
        return pem_key(key), cert.public_bytes(serialization.Encoding.PEM), key, name

    ca_key_pem, ca_pem, ca_key, ca_name = issue("meshgate-test-ca", ca=True)
    out = {"ca": ca_pem}
    for label, san in (
        ("server", [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
        ("named", [x509.DNSName("kubernetes.default.svc")]),
    ):
        key_pem, cert_pem = issue(
            "apiserver", ca_key, ca_name, san=san, usage=ExtendedKeyUsageOID.SERVER_AUTH
        )[:2]
        out[label] = (cert_pem, key_pem)
    # A serving certificate without an authority key identifier (hand-made PKIs have them).
    key_pem, cert_pem = issue(
        "apiserver",
        ca_key,
        ca_name,
        san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        aki=False,
    )[:2]
    out["server_without_aki"] = (cert_pem, key_pem)
    key_pem, cert_pem = issue("alice", ca_key, ca_name, usage=ExtendedKeyUsageOID.CLIENT_AUTH)[:2]
    out["client"] = (cert_pem, key_pem)
    other_key, other_cert = issue("mallory")[:2]
    out["other"] = (other_cert, other_key)
    directory = tmp_path_factory.mktemp("pki")
    for label in ("server", "named", "server_without_aki"):
        (directory / ("%s.crt" % label)).write_bytes(out[label][0])
        (directory / ("%s.key" % label)).write_bytes(out[label][1])
    (directory / "ca.crt").write_bytes(ca_pem)
    out["dir"] = directory
    return out


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return str(path)


def kubeconfig(cluster, user=None, name="ctx", extra_users=(), extra_clusters=()):
    context = {"cluster": "c"}
    if user is not None:
        context["user"] = "u"
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": name,
        "clusters": [{"name": "c", "cluster": cluster}] + list(extra_clusters),
        "users": ([{"name": "u", "user": user}] if user is not None else []) + list(extra_users),
        "contexts": [{"name": name, "context": context}],
    }


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No proxy, KUBECONFIG or K8S_AUTH_* from the environment; an empty HOME."""
    for name in list(os.environ):
        if (
            name.startswith("K8S_AUTH_")
            or name.upper() in PROXY_ENV
            or name in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST")
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


# ============================================================================================
# Building the client both ways
# ============================================================================================


def reference_client(params, context):
    """The client as kubernetes builds it: KubeConfigLoader(+Merger) into a Configuration,
    the explicit options set on top (kubernetes.core semantics), RESTClientObject's pool."""
    auth, _origin = resolve_auth_params(params, {})
    cfg = Configuration()
    kubeconfig_value = auth["kubeconfig"]
    host = auth["host"].rstrip("/") if auth["host"] else None
    with_credentials = host and (auth["api_key"] or (auth["client_cert"] and auth["client_key"]))
    if kubeconfig_value and not with_credentials:
        if isinstance(kubeconfig_value, dict):
            config_dict = kubeconfig_value
        else:
            config_dict = kube_config.KubeConfigMerger(kubeconfig_value).config
        kube_config.KubeConfigLoader(
            config_dict=config_dict, active_context=context, config_base_path=None
        ).load_and_set(cfg)
    if host:
        cfg.host = host
    if auth["api_key"]:
        cfg.api_key = {"BearerToken": "Bearer %s" % auth["api_key"]}
        cfg.api_key_prefix = {}
        cfg.refresh_api_key_hook = None
    if auth["validate_certs"] is not None:
        cfg.verify_ssl = auth["validate_certs"]
    for option, attr in (
        ("ca_cert", "ssl_ca_cert"),
        ("client_cert", "cert_file"),
        ("client_key", "key_file"),
        ("proxy", "proxy"),
    ):
        if auth[option]:
            setattr(cfg, attr, auth[option])
    cfg.no_proxy = auth["no_proxy"]
    if auth["proxy_headers"]:
        import urllib3

        cfg.proxy_headers = urllib3.util.make_headers(**auth["proxy_headers"])
    return KubeClient(cfg, context=context, rest_module=k8s_rest)


def _content(path):
    if path is None:
        return None
    with open(path, "rb") as handle:
        return handle.read()


def wire_view(client):
    """What a client puts on the wire, file paths replaced by the files' contents."""
    pool = client._pool
    pool_kw = dict(pool.connection_pool_kw)
    for key in ("ca_certs", "cert_file", "key_file"):
        pool_kw[key] = _content(pool_kw.get(key))
    cfg = client.configuration
    return {
        "pool": pool.__class__.__name__,
        "server": client.server,
        "host": cfg.host,
        "verify_ssl": cfg.verify_ssl,
        "files": [_content(p) for p in (cfg.ssl_ca_cert, cfg.cert_file, cfg.key_file)],
        "authorization": client._token(),
        "proxy": str(getattr(pool, "proxy", None)),
        "proxy_headers": dict(getattr(pool, "proxy_headers", None) or {}),
        "headers": dict(pool.headers or {}),
        "pool_kw": pool_kw,
    }


def build_both(params):
    ours = client_from_params(params, environ={})
    assert isinstance(ours.configuration, StaticConfig), "static credentials went to kubernetes"
    ref = reference_client(params, ours.context)
    assert ref.configuration.__class__ is Configuration
    return ours, ref


def _case_token(tmp, pki):
    return {"kubeconfig": kubeconfig({"server": "https://h:6443/"}, {"token": TOKEN})}


def _case_token_file(tmp, pki):
    write(tmp / "kc" / "secrets" / "token", TOKEN)
    return {
        "kubeconfig": write(
            tmp / "kc" / "config",
            kubeconfig({"server": "https://h:6443"}, {"tokenFile": "secrets/token"}),
        )
    }


def _case_inline_token_kept_as_written(tmp, pki):
    # Only a token *file* is trimmed (as client-go does); an inline token goes out as written.
    return {"kubeconfig": kubeconfig({"server": "https://h"}, {"token": " " + TOKEN + " "})}


def _case_token_wins_over_basic(tmp, pki):
    user = {"token": TOKEN, "username": "bob", "password": PASSWORD}
    return {"kubeconfig": kubeconfig({"server": "https://h"}, user)}


def _case_empty_token_then_basic(tmp, pki):
    user = {"token": "", "tokenFile": "ignored", "username": "bob", "password": PASSWORD}
    return {"kubeconfig": kubeconfig({"server": "https://h"}, user)}


def _case_basic_auth(tmp, pki):
    return {
        "kubeconfig": kubeconfig({"server": "https://h"}, {"username": "bob", "password": PASSWORD})
    }


def _case_cert_files_relative(tmp, pki):
    # The cluster (with its CA) and the user (with its relative client cert/key) live in two
    # files in two directories: kubernetes resolves the user's cert/key against the directory
    # of the file that defined the *cluster*. A decoy pair next to the user's file differs.
    cert, key = pki["client"]
    write(tmp / "a" / "pki" / "ca.crt", pki["ca"])
    write(tmp / "a" / "pki" / "client.crt", cert)
    write(tmp / "a" / "pki" / "client.key", key)
    write(tmp / "b" / "pki" / "client.crt", pki["other"][0])
    write(tmp / "b" / "pki" / "client.key", pki["other"][1])
    first = kubeconfig({"server": "https://h:6443", "certificate-authority": "pki/ca.crt"})
    first["users"] = []
    first["contexts"][0]["context"]["user"] = "u"
    second = kubeconfig(
        {"server": "https://elsewhere"},
        {"client-certificate": "pki/client.crt", "client-key": "./pki/../pki/client.key"},
    )
    second["clusters"] = []
    second["contexts"] = []
    paths = [write(tmp / "a" / "config", first), write(tmp / "b" / "config", second)]
    return {"kubeconfig": ":".join(paths)}


def _case_data_fields(tmp, pki):
    cert, key = pki["client"]
    user = {"client-certificate-data": b64(cert), "client-key-data": b64(key)}
    cluster = {"server": "https://h:6443", "certificate-authority-data": b64(pki["ca"])}
    return {"kubeconfig": kubeconfig(cluster, user)}


def _case_data_wins_over_file(tmp, pki):
    cert, key = pki["client"]
    user = {
        "client-certificate-data": b64(cert),
        "client-certificate": "/nonexistent.crt",
        "client-key-data": b64(key),
        "client-key": "/nonexistent.key",
    }
    cluster = {
        "server": "https://h",
        "certificate-authority-data": b64(pki["ca"]),
        "certificate-authority": "/nonexistent.ca",
    }
    return {"kubeconfig": kubeconfig(cluster, user)}


def _case_http_server_ignores_tls_fields(tmp, pki):
    user = {"token": TOKEN, "client-certificate": "/nonexistent.crt"}
    cluster = {"server": "http://h:8080", "certificate-authority": "/nonexistent.ca"}
    return {"kubeconfig": kubeconfig(cluster, user)}


def _case_insecure(tmp, pki):
    cluster = {"server": "https://h", "insecure-skip-tls-verify": True}
    return {"kubeconfig": kubeconfig(cluster, {"token": TOKEN})}


def _case_insecure_false(tmp, pki):
    cluster = {"server": "https://h", "insecure-skip-tls-verify": False}
    return {"kubeconfig": kubeconfig(cluster, {"token": TOKEN})}


def _case_tls_server_name(tmp, pki):
    cluster = {
        "server": "https://127.0.0.1:6443",
        "tls-server-name": "kubernetes.default.svc",
        "certificate-authority-data": b64(pki["ca"]),
    }
    return {"kubeconfig": kubeconfig(cluster, {"token": TOKEN})}


def _case_proxy_url(tmp, pki):
    cluster = {"server": "https://h.example:6443", "proxy-url": "http://proxy.example:3128"}
    return {"kubeconfig": kubeconfig(cluster, {"token": TOKEN})}


def _case_proxy_bypassed_by_no_proxy(tmp, pki):
    params = _case_proxy_url(tmp, pki)
    params["no_proxy"] = "localhost,.example"
    return params


def _case_proxy_not_bypassed(tmp, pki):
    params = _case_proxy_url(tmp, pki)
    params["no_proxy"] = "10.0.0.0/8,other.example:6443"
    return params


def _case_proxy_bypassed_by_host_and_port(tmp, pki):
    params = _case_proxy_url(tmp, pki)
    params["no_proxy"] = "other, h.example:6443"
    return params


def _case_proxy_bypassed_by_cidr(tmp, pki):
    cluster = {"server": "https://10.1.2.3:6443", "proxy-url": "http://proxy.example:3128"}
    return {"kubeconfig": kubeconfig(cluster, {"token": TOKEN}), "no_proxy": "10.0.0.0/8"}


def _case_proxy_headers(tmp, pki):
    params = _case_proxy_url(tmp, pki)
    params["proxy_headers"] = {"proxy_basic_auth": "u:p", "user_agent": "ua/1"}
    return params


def _case_no_user(tmp, pki):
    return {"kubeconfig": kubeconfig({"server": "https://h"})}


def _case_empty_user_and_extensions(tmp, pki):
    cluster = {"server": "https://h", "extensions": [{"name": "x", "extension": {"a": 1}}]}
    return {"kubeconfig": kubeconfig(cluster, {"extensions": []})}


def _case_several_files(tmp, pki):
    one = kubeconfig({"server": "https://first"}, {"token": TOKEN}, name="one")
    two = kubeconfig({"server": "https://second"}, {"token": "other-token-xyz"}, name="two")
    paths = [write(tmp / "one.yaml", one), write(tmp / "two.yaml", two)]
    # context "two" (only in the second file) uses cluster "c" and user "u" of the first
    return {"kubeconfig": ":".join(paths), "context": "two"}


def _case_token_file_of_a_user_in_another_file(tmp, pki):
    # A user's tokenFile resolves against the directory of the file that defines the user
    # (client certificates, unlike it, against the cluster's).
    write(tmp / "a" / "tok", "token-from-a-dir")
    write(tmp / "b" / "tok", "token-from-b-dir")
    first = kubeconfig({"server": "https://h"}, {"token": "unused-token-first"}, name="one")
    first["users"] = []
    first["contexts"][0]["context"].pop("user")
    second = kubeconfig({"server": "https://other"}, {"tokenFile": "tok"}, name="two")
    second["clusters"] = []
    second["contexts"] = [{"name": "two", "context": {"cluster": "c", "user": "u"}}]
    paths = [write(tmp / "a" / "config", first), write(tmp / "b" / "config", second)]
    return {"kubeconfig": ":".join(paths), "context": "two"}


def _case_dict_relative_paths(tmp, pki):
    # a dict has no file: kubernetes resolves its relative paths against the working directory
    write(tmp / "cwd" / "ca.crt", pki["ca"])
    write(tmp / "cwd" / "tok", TOKEN)
    cluster = {"server": "https://h", "certificate-authority": "ca.crt"}
    return {"kubeconfig": kubeconfig(cluster, {"tokenFile": "tok"})}


def _case_explicit_overrides(tmp, pki):
    cert, key = pki["client"]
    paths = {
        name: write(tmp / "opt" / name, data)
        for name, data in (("ca", pki["ca"]), ("crt", cert), ("key", key))
    }
    user = {"token": TOKEN, "client-certificate-data": b64(pki["other"][0])}
    cluster = {
        "server": "https://kubeconfig:6443",
        "insecure-skip-tls-verify": True,
        "proxy-url": "http://kubeconfig-proxy:3128",
    }
    return {
        "kubeconfig": kubeconfig(cluster, user),
        "host": "https://override:443/",
        "api_key": "override-token-value",
        "validate_certs": True,
        "ca_cert": paths["ca"],
        "client_cert": paths["crt"],
        "client_key": paths["key"],
        "proxy": "http://option-proxy:8080",
        "no_proxy": "nothing.example",
        "proxy_headers": {"proxy_basic_auth": "u:p"},
    }


def _case_override_keeps_kubeconfig_rest(tmp, pki):
    params = _case_data_fields(tmp, pki)
    params.update({"host": "https://other:6443", "validate_certs": False})
    return params


def _case_host_and_api_key(tmp, pki):
    return {"host": "https://h:6443", "api_key": TOKEN}


def _case_host_and_client_cert(tmp, pki):
    cert, key = pki["client"]
    return {
        "host": "https://h:6443",
        "client_cert": write(tmp / "c.crt", cert),
        "client_key": write(tmp / "c.key", key),
        "ca_cert": write(tmp / "ca.crt", pki["ca"]),
    }


def _case_host_alone(tmp, pki):
    return {"host": "https://h:6443/", "validate_certs": False, "proxy": "http://p:1"}


EQUIVALENCE_CASES = {
    name[len("_case_") :]: func for name, func in sorted(globals().items()) if name[:6] == "_case_"
}


@pytest.mark.parametrize("case", sorted(EQUIVALENCE_CASES))
def test_static_loader_equals_kubernetes(case, tmp_path, pki, clean_env, monkeypatch):
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    params = EQUIVALENCE_CASES[case](tmp_path, pki)
    ours, ref = build_both(params)
    assert wire_view(ours) == wire_view(ref)


def test_equivalence_cases_cover_every_handled_field(tmp_path, pki, clean_env, monkeypatch):
    """Each user/cluster key the static loader accepts appears in some equivalence case."""
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    seen = set()
    for func in EQUIVALENCE_CASES.values():
        value = func(tmp_path, pki).get("kubeconfig")
        docs = [value] if isinstance(value, dict) else []
        if isinstance(value, str):
            docs = [yaml.safe_load(open(p)) for p in value.split(":")]
        for doc in docs:
            for entry in doc.get("users") or []:
                seen |= set(entry["user"])
            for entry in doc.get("clusters") or []:
                seen |= set(entry["cluster"])
    handled = static_config._STATIC_USER_KEYS | static_config._STATIC_CLUSTER_KEYS
    assert handled <= seen


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.DependencyWarning")
def test_socks_proxy_fails_or_builds_the_same(tmp_path, clean_env):
    cluster = {"server": "https://h", "proxy-url": "socks5://127.0.0.1:1080"}
    params = {"kubeconfig": kubeconfig(cluster, {"token": TOKEN})}
    try:
        ours = wire_view(client_from_params(params, environ={}))
    except K8sError as exc:
        ours = exc.to_dict()
    try:
        ref = wire_view(reference_client(params, "ctx"))
    except K8sError as exc:
        ref = exc.to_dict()
    assert ours == ref
    # Without PySocks both fail alike; the proxy each loader read must be the same too.
    loaded = [Configuration(), StaticConfig()]
    kube_config.KubeConfigLoader(
        config_dict=params["kubeconfig"], active_context="ctx", config_base_path=None
    ).load_and_set(loaded[0])
    StaticKubeconfigLoader(
        kubeconfig_root(KubeconfigSource(params["kubeconfig"], "test")), "ctx"
    ).load_and_set(loaded[1])
    assert loaded[0].proxy == loaded[1].proxy == "socks5://127.0.0.1:1080"


def test_data_fields_are_temp_files_removed_at_exit(pki, clean_env):
    params = _case_data_fields(None, pki)
    client = client_from_params(params, environ={})
    ca = client.configuration.ssl_ca_cert
    assert _content(ca) == pki["ca"]
    assert ca in static_config._temp_files.values()
    assert os.stat(ca).st_mode & 0o077 == 0
    # the same content is written once per process, as kubernetes does
    assert client_from_params(params, environ={}).configuration.ssl_ca_cert == ca
    static_config._cleanup_temp_files()
    assert not os.path.exists(ca) and not static_config._temp_files
    assert _content(client_from_params(params, environ={}).configuration.ssl_ca_cert) == pki["ca"]


# ============================================================================================
# Which path: static, or kubernetes for anything else
# ============================================================================================


@pytest.mark.parametrize(
    "user, cluster_extra",
    [
        ({"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "true"}}, {}),
        ({"token": TOKEN, "exec": {"command": "true"}}, {}),
        ({"auth-provider": {"name": "oidc", "config": {"id-token": "x"}}}, {}),
        ({"token": TOKEN, "as": "someone-else"}, {}),
        ({"token": TOKEN}, {"certificate-authority-datum": "typo"}),
        ("not-a-mapping", {}),
    ],
)
def test_other_users_and_clusters_go_through_kubernetes(user, cluster_extra, clean_env):
    data = kubeconfig(dict({"server": "http://h"}, **cluster_extra), user)
    kc = KubeconfigSource(data, "test")
    assert not StaticKubeconfigLoader(kubeconfig_root(kc), "ctx").is_static()
    if not isinstance(user, dict):  # kubernetes' own error, as before
        with pytest.raises(K8sError, match="is malformed for context 'ctx'"):
            client_from_params({"kubeconfig": data}, environ={})
    elif "exec" not in user:
        client = client_from_params({"kubeconfig": data}, environ={})
        assert client.configuration.__class__ is Configuration


def test_in_cluster_goes_through_kubernetes(tmp_path, clean_env, monkeypatch):
    monkeypatch.setattr(connect, "IN_CLUSTER_TOKEN", write(tmp_path / "token", "in-cluster"))
    monkeypatch.setattr(connect, "IN_CLUSTER_CA", write(tmp_path / "ca.crt", "x"))
    env = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    client = client_from_params({}, environ=env)
    assert client.configuration.__class__ is Configuration


# ============================================================================================
# Bad input: the same errors as kubernetes
# ============================================================================================


def _error_view(exc):
    if isinstance(exc, (ConfigException, StaticConfigError)):
        return ("ConfigException", str(exc))
    if isinstance(exc, OSError):
        return (exc.__class__.__name__, exc.strerror, exc.filename)
    return (exc.__class__.__name__, str(exc))


def _bad(cluster=None, user=None, **changes):
    data = kubeconfig(cluster or {"server": "https://h"}, user if user is not None else {})
    for path, value in changes.items():
        node = data
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        node[keys[-1]] = value
    return data


BAD_KUBECONFIGS = {
    "context_null": _bad(contexts__0__context=None),
    "context_a_string": _bad(contexts__0__context="c"),
    "context_without_cluster": _bad(contexts__0__context={"user": "u"}),
    "unknown_cluster": _bad(contexts__0__context={"cluster": "gone", "user": "u"}),
    "unknown_user_is_anonymous": _bad(contexts__0__context={"cluster": "c", "user": "nobody"}),
    "cluster_entry_null": _bad(clusters__0__cluster=None),
    "user_entry_null": _bad(users__0__user=None),
    "duplicate_clusters": _bad(
        clusters=[{"name": "c", "cluster": {"server": "https://a"}}] * 2,
    ),
    "server_not_a_string": _bad(cluster={"server": 6443}),
    "ca_data_null": _bad(cluster={"server": "https://h", "certificate-authority-data": None}),
    "ca_data_not_base64": _bad(cluster={"server": "https://h", "certificate-authority-data": "a"}),
    "ca_data_a_number": _bad(cluster={"server": "https://h", "certificate-authority-data": 12}),
    "ca_file_missing": _bad(cluster={"server": "https://h", "certificate-authority": "no.crt"}),
    "ca_file_empty_name": _bad(cluster={"server": "https://h", "certificate-authority": ""}),
    "cert_file_missing": _bad(user={"client-certificate": "/nonexistent/client.crt"}),
    "key_file_a_number": _bad(user={"client-key": 5}),
    "token_file_missing": _bad(user={"tokenFile": "missing-token"}),
    "username_a_number": _bad(user={"username": 1, "password": "x"}),
    "password_null": _bad(user={"username": "bob", "password": None}),
    "tls_server_name_null": _bad(cluster={"server": "https://h", "tls-server-name": None}),
}


@pytest.mark.parametrize("form", ["dict", "file"])
@pytest.mark.parametrize("case", sorted(BAD_KUBECONFIGS))
def test_loader_errors_equal_kubernetes(case, form, tmp_path, monkeypatch, clean_env):
    """Loader against loader, so the names of entries in messages (for a file:
    KubeConfigMerger's "<path>/<entry>") are compared too."""
    monkeypatch.chdir(tmp_path)
    data = BAD_KUBECONFIGS[case]
    value = data if form == "dict" else write(tmp_path / "kc" / "config", data)
    config_dict = data if form == "dict" else kube_config.KubeConfigMerger(value).config
    outcomes = []
    for load in (
        lambda: kube_config.KubeConfigLoader(
            config_dict=config_dict, active_context="ctx", config_base_path=None
        ).load_and_set(Configuration()),
        lambda: StaticKubeconfigLoader(
            kubeconfig_root(KubeconfigSource(value, "test")), "ctx"
        ).load_and_set(StaticConfig()),
    ):
        try:
            load()
            outcomes.append(None)
        except Exception as exc:  # noqa: BLE001 - comparing whatever both raise
            outcomes.append(_error_view(exc))
    assert outcomes[0] == outcomes[1]
    # files are merged, which drops a second definition of a name
    no_error = case == "unknown_user_is_anonymous" or (form, case) == ("file", "duplicate_clusters")
    assert (outcomes[0] is None) == no_error


@pytest.mark.parametrize(
    "case", ["ca_file_missing", "cert_file", "token_file_missing", "server_not_a_string"]
)
def test_file_kubeconfig_errors_equal_kubernetes_path(case, tmp_path, monkeypatch, clean_env):
    """The whole K8sError (message, reason) through client_from_params, static vs the
    kubernetes path (forced) of load_kubeconfig."""
    if case == "cert_file":
        data = _bad(user={"token": TOKEN, "client-certificate": "pki/none.crt"})
    else:
        data = BAD_KUBECONFIGS[case]
    path = write(tmp_path / "dir" / "config", data)
    errors = []
    for force_kubernetes in (False, True):
        if force_kubernetes:
            monkeypatch.setattr(StaticKubeconfigLoader, "is_static", lambda self: False)
        with pytest.raises(K8sError) as info:
            client_from_params({"kubeconfig": path}, environ={})
        errors.append(info.value.to_dict())
    assert errors[0] == errors[1]
    assert errors[0]["reason"] == "config" and path in errors[0]["message"]
    assert TOKEN not in errors[0]["message"]


# ============================================================================================
# kubernetes is not imported for static credentials (fresh interpreters)
# ============================================================================================

CHILD = textwrap.dedent("""
    import json, sys
    if sys.argv[1] == "blocked":
        sys.modules["kubernetes"] = None  # as if not installed
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s import connect
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
        client_from_params)
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
    params, environ, token_path = json.loads(sys.argv[2])
    if token_path:
        connect.IN_CLUSTER_TOKEN = token_path
    def loaded():
        return sorted(
            m for m in sys.modules
            if m.split(".")[0] == "kubernetes" and sys.modules[m] is not None)
    out = {}
    try:
        client = client_from_params(params, environ=environ)
        out["built"] = loaded()
        out["answer"] = client.request("GET", "/version")
    except K8sError as exc:
        out["error"] = exc.to_dict()
    out["imported"] = loaded()
    print(json.dumps(out))
    """)


def run_child(tmp_path, mode, params, environ=None, token_path=None):
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
        HOME=str(tmp_path / "child-home"),  # no ~/.kube/config
    )
    for name in list(env):
        if name.upper() in PROXY_ENV or name.startswith("K8S_AUTH_") or name == "KUBECONFIG":
            del env[name]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode, json.dumps([params, environ or {}, token_path])],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def api():
    fake = FakeAPI()
    fake.on("GET", "/version", body={"gitVersion": "v1.36.2"})
    server = _start(fake)
    yield fake
    server.shutdown()
    server.server_close()


def exec_user(tmp_path, token="exec-token-value-123"):
    plugin = write(
        tmp_path / "plugin.py",
        "import json\nprint(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1', "
        "'kind': 'ExecCredential', 'status': {'token': %r}}))\n" % token,
    )
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": sys.executable,
            "args": [plugin],
        }
    }


@pytest.mark.parametrize("content", ["", "\n", "  \t\n"])
@pytest.mark.parametrize("with_basic_auth", [False, True], ids=["alone", "with-basic-auth"])
def test_an_empty_token_file_is_a_config_error(content, with_basic_auth, tmp_path, clean_env):
    """kubectl refuses an empty token file ("read empty token from file"); kubernetes' Python
    loader would send an empty Bearer header or silently fall back to basic auth."""
    write(tmp_path / "token", content)
    user = {"tokenFile": "token"}
    if with_basic_auth:
        user.update(username="bob", password=PASSWORD)
    path = write(tmp_path / "kc", kubeconfig({"server": "https://h"}, user))
    with pytest.raises(K8sError) as err:
        client_from_params({"kubeconfig": path}, environ={})
    assert err.value.reason == "config"
    assert "token file %s is empty" % (tmp_path / "token") in err.value.message
    assert PASSWORD not in err.value.message


@pytest.mark.parametrize("value", ["false", "False", "no", "true", 0, 1])
@pytest.mark.parametrize(
    "user",
    [{"token": TOKEN}, {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "x"}}],
    ids=["static", "exec"],
)
def test_insecure_skip_tls_verify_must_be_a_boolean(value, user, clean_env):
    """kubernetes reads the string 'false' as true and turns certificate checks off; kubectl
    refuses such a kubeconfig, and so do we, whatever the user's credentials."""
    cluster = {"server": "https://h", "insecure-skip-tls-verify": value}
    with pytest.raises(K8sError) as err:
        client_from_params({"kubeconfig": kubeconfig(cluster, user)}, environ={})
    assert err.value.reason == "config"
    assert "insecure-skip-tls-verify of cluster c must be true or false" in err.value.message
    assert TOKEN not in err.value.message


PROXY_PASSWORD = "S3cret proxy:pw@/"


@pytest.mark.parametrize("source", ["kubeconfig", "option"])
def test_proxy_credentials_are_sent_as_proxy_authorization_and_never_shown(source, clean_env):
    """kubectl sends the user and password of http://user:password@proxy as
    Proxy-Authorization; urllib3 would ignore them, and messages must never show them."""
    import socket
    from urllib.parse import quote

    with socket.socket() as sock:  # a port nothing listens on: the proxy is unreachable
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proxy = "http://alice:%s@127.0.0.1:%d" % (quote(PROXY_PASSWORD, safe=""), port)
    cluster = {"server": "http://h.example:6443"}
    params = {"kubeconfig": kubeconfig(cluster, {"token": TOKEN}), "request_timeout": 5}
    if source == "kubeconfig":
        cluster["proxy-url"] = proxy
    else:
        params["proxy"] = proxy
    client = client_from_params(params, environ={})
    expected = "Basic " + base64.b64encode(("alice:" + PROXY_PASSWORD).encode()).decode()
    assert client._pool.proxy_headers == {"proxy-authorization": expected}
    assert client.configuration.proxy == "http://127.0.0.1:%d" % port
    with pytest.raises(K8sError) as err:
        client.request("GET", "/version")
    assert err.value.reason == "unreachable"
    assert "through the proxy http://127.0.0.1:%d" % port in err.value.message
    assert "S3cret" not in err.value.message and "alice" not in err.value.message


def test_explicit_proxy_basic_auth_wins_over_the_url(clean_env):
    params = {
        "host": "http://h.example",
        "proxy": "http://alice:pw-in-url@127.0.0.1:3128",
        "proxy_headers": {"proxy_basic_auth": "bob:explicit-pw"},
    }
    client = client_from_params(params, environ={})
    expected = "Basic " + base64.b64encode(b"bob:explicit-pw").decode()
    assert client._pool.proxy_headers == {"proxy-authorization": expected}


def test_secrets_are_redacted_in_their_escaped_form_too():
    """An error that shows a dict (a kubeconfig entry) shows a secret with quotes escaped."""
    secret = 'it\'s "S3cret" pw'
    text = str({"password": secret, "username": "bob"})
    assert secret not in text  # the dict's repr escapes it
    out = redact(text, {secret})
    assert "S3cret" not in out and "bob" in out


def test_token_file_is_trimmed_like_client_go(api, tmp_path):
    """`kubectl create token sa > file` ends the file with a newline: kubectl trims it, and so
    do we (kubernetes' Python loader would send it, and urllib3 refuses the header)."""
    write(tmp_path / "token", "  " + TOKEN + "\n")
    path = write(tmp_path / "kc", kubeconfig({"server": api.url}, {"tokenFile": "token"}))
    client = client_from_params({"kubeconfig": path}, environ={})
    assert client.request("GET", "/version")
    assert api.requests[-1]["headers"]["authorization"] == ["Bearer " + TOKEN]


@pytest.mark.parametrize("mode", ["installed", "blocked"])
def test_static_credentials_never_import_kubernetes(mode, api, tmp_path):
    write(tmp_path / "token", TOKEN)
    path = write(tmp_path / "kc", kubeconfig({"server": api.url}, {"tokenFile": "token"}))
    out = run_child(tmp_path, mode, {"kubeconfig": path})
    assert out.get("answer") == {"gitVersion": "v1.36.2"}, out
    assert out["built"] == [] and out["imported"] == []
    assert api.requests[-1]["headers"]["authorization"] == ["Bearer " + TOKEN]
    # host + api_key, and host alone, too
    out = run_child(tmp_path, mode, {"host": api.url, "api_key": "opt-token-value"})
    assert out.get("answer") and out["imported"] == []
    assert api.requests[-1]["headers"]["authorization"] == ["Bearer opt-token-value"]
    out = run_child(tmp_path, mode, {"host": api.url})
    assert out.get("answer") and out["imported"] == []
    assert "authorization" not in api.requests[-1]["headers"]


def test_exec_user_imports_kubernetes(api, tmp_path):
    path = write(tmp_path / "kc", kubeconfig({"server": api.url}, exec_user(tmp_path)))
    out = run_child(tmp_path, "installed", {"kubeconfig": path})
    assert out.get("answer") == {"gitVersion": "v1.36.2"}, out
    assert "kubernetes.config.kube_config" in out["built"]
    assert api.requests[-1]["headers"]["authorization"] == ["Bearer exec-token-value-123"]


def test_without_kubernetes_exec_and_in_cluster_say_it_is_required(tmp_path):
    path = write(tmp_path / "kc", kubeconfig({"server": "https://h"}, exec_user(tmp_path)))
    token = write(tmp_path / "sa-token", "in-cluster-token")
    for params, environ, token_path in (
        ({"kubeconfig": path}, {}, None),
        (
            {},
            {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"},
            token,
        ),
    ):
        out = run_child(tmp_path, "blocked", params, environ, token_path)
        assert out["error"]["reason"] == "config", out
        assert "the Python library 'kubernetes' is required" in out["error"]["message"]
        assert out["imported"] == []


# ============================================================================================
# Real TLS: mutual TLS with CA and client certificate as kubeconfig data, tls-server-name
# ============================================================================================


@pytest.fixture
def mtls_api(pki, request):
    label = getattr(request, "param", "server")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(
        str(pki["dir"] / ("%s.crt" % label)), str(pki["dir"] / ("%s.key" % label))
    )
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(str(pki["dir"] / "ca.crt"))
    yield from serve_version_over_tls(context)


def mtls_kubeconfig(pki, url, client="client", **cluster):
    cert, key = pki[client]
    cluster = dict({"server": url, "certificate-authority-data": b64(pki["ca"])}, **cluster)
    return kubeconfig(cluster, {"client-certificate-data": b64(cert), "client-key-data": b64(key)})


def test_mutual_tls_with_kubeconfig_data(mtls_api, pki, clean_env):
    client = client_from_params({"kubeconfig": mtls_kubeconfig(pki, mtls_api.url)}, environ={})
    assert isinstance(client.configuration, StaticConfig)
    assert client.request("GET", "/version") == {"gitVersion": "v1.36.2"}
    # a certificate the server's CA did not sign is refused
    untrusted = client_from_params(
        {"kubeconfig": mtls_kubeconfig(pki, mtls_api.url, client="other")}, environ={}
    )
    with pytest.raises(K8sError) as info:
        untrusted.request("GET", "/version")
    assert info.value.reason in ("tls", "unreachable")
    # and so is a client without any certificate
    anonymous = kubeconfig(
        {"server": mtls_api.url, "certificate-authority-data": b64(pki["ca"])}, {"token": TOKEN}
    )
    without_cert = client_from_params({"kubeconfig": anonymous}, environ={})
    with pytest.raises(K8sError) as info:
        without_cert.request("GET", "/version")
    assert info.value.reason in ("tls", "unreachable")


@pytest.mark.parametrize("mtls_api", ["named"], indirect=True)
def test_tls_server_name_verifies_the_named_certificate(mtls_api, pki, clean_env):
    named = mtls_kubeconfig(pki, mtls_api.url, **{"tls-server-name": "kubernetes.default.svc"})
    client = client_from_params({"kubeconfig": named}, environ={})
    assert client.request("GET", "/version") == {"gitVersion": "v1.36.2"}
    # without it the certificate (issued for kubernetes.default.svc only) does not match
    with pytest.raises(K8sError) as info:
        client_from_params({"kubeconfig": mtls_kubeconfig(pki, mtls_api.url)}, environ={}).request(
            "GET", "/version"
        )
    assert info.value.reason == "tls"
    assert "ca_cert" in info.value.message


@pytest.mark.parametrize("mtls_api", ["server_without_aki"], indirect=True)
def test_a_certificate_python_finds_too_loose_is_named_with_the_fix(mtls_api, pki, clean_env):
    """Python 3.13+ verifies strictly (RFC 5280, ssl.VERIFY_X509_STRICT, as urllib3 and the
    kubernetes client do there): a serving certificate without an authority key identifier is
    refused, and the error says why and what to do. Older Pythons accept it (make matrix runs
    this on 3.11, 3.12 and 3.13)."""
    client = client_from_params({"kubeconfig": mtls_kubeconfig(pki, mtls_api.url)}, environ={})
    if sys.version_info < (3, 13):
        assert client.request("GET", "/version") == {"gitVersion": "v1.36.2"}
        return
    with pytest.raises(K8sError) as info:
        client.request("GET", "/version")
    assert info.value.reason == "tls"
    message = info.value.message
    assert "Missing Authority Key Identifier" in message
    assert "RFC 5280" in message and "reissue" in message, message


def test_untrusted_ca_is_a_tls_error_and_insecure_skip_works(mtls_api, pki, clean_env):
    data = mtls_kubeconfig(pki, mtls_api.url)
    del data["clusters"][0]["cluster"]["certificate-authority-data"]
    with pytest.raises(K8sError) as info:
        client_from_params({"kubeconfig": data}, environ={}).request("GET", "/version")
    assert info.value.reason == "tls"
    data["clusters"][0]["cluster"]["insecure-skip-tls-verify"] = True
    assert client_from_params({"kubeconfig": data}, environ={}).request("GET", "/version")
