# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""``client_from_params``: the KubeClient for module params (AUTH_ARG_SPEC names) and the
environment. Picks where the connection settings come from (``host`` with credentials, a
kubeconfig, the in-cluster service account, ``host`` alone), lays explicit options over them,
and keeps secrets out of every error it raises.
"""

from __future__ import annotations

import os
import re

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.args import resolve_auth_params
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.client import (
    KubeClient,
    RequestSettings,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.kubeconfig import (
    KubeconfigSource,
    default_kubeconfig,
    kubeconfig_paths,
    load_kubeconfig,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.kubernetes_import import (
    import_kubernetes,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.redact import redact
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.static_config import (
    StaticConfig,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.transport import (
    proxy_credentials,
)

IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
IN_CLUSTER_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"


def _in_cluster_available(environ):
    return bool(
        environ.get("KUBERNETES_SERVICE_HOST")
        and environ.get("KUBERNETES_SERVICE_PORT")
        and os.path.isfile(IN_CLUSTER_TOKEN)
    )


def client_from_params(params=None, environ=None):
    """Build a KubeClient from module params (AUTH_ARG_SPEC names) and the environment.

    Order, as kubernetes.core, except that the in-cluster service account comes last:

    1. ``host`` plus credentials (``api_key``, or ``client_cert`` and ``client_key``): used as
       given, no kubeconfig is read.
    2. ``kubeconfig`` (path, ``:``-separated paths, or dict) and/or ``context``: that kubeconfig
       (``KUBECONFIG`` or ``~/.kube/config`` when only a context is given).
    3. otherwise ``KUBECONFIG`` / ``~/.kube/config`` when it exists, then the in-cluster service
       account, then ``host`` alone (anonymous).

    Explicit options then override what the kubeconfig says (host, api_key, validate_certs,
    ca_cert, client_cert, client_key, proxy, no_proxy, proxy_headers). Raises K8sError
    (reason "config") when nothing usable is found or something is malformed.

    Static credentials (1., 3. with host alone, and a kubeconfig user with only a token, token
    file, client certificate/key or username/password) give a StaticConfig without importing
    kubernetes; exec, auth-provider and the in-cluster service account need the kubernetes
    package and give its Configuration.
    """
    environ = os.environ if environ is None else environ
    auth, origin = resolve_auth_params(params, environ)
    secrets = set()
    if auth["api_key"]:
        secrets.add(str(auth["api_key"]))
    for key in ("proxy_basic_auth", "basic_auth"):
        if auth["proxy_headers"] and auth["proxy_headers"].get(key):
            secrets.add(str(auth["proxy_headers"][key]))
    if isinstance(auth["kubeconfig"], str) and "\n" in auth["kubeconfig"]:
        secrets.add(auth["kubeconfig"])
    try:
        return _build_client(auth, origin, environ, secrets)
    except K8sError as exc:
        exc.message = redact(exc.message, secrets)
        exc.args = (exc.message,)
        raise


def _check_file(auth, origin, name):
    path = auth[name]
    if not path:
        return
    if not os.path.isfile(path):
        raise K8sError(
            "config",
            "%s file %s does not exist or is not a file (%s)"
            % (name, path, origin.get(name, name)),
        )
    if not os.access(path, os.R_OK):
        raise K8sError(
            "config", "%s file %s is not readable (%s)" % (name, path, origin.get(name, name))
        )


def _build_client(auth, origin, environ, secrets):
    for name in ("ca_cert", "client_cert", "client_key"):
        _check_file(auth, origin, name)
    host = auth["host"].rstrip("/") if auth["host"] else None
    cfg, rest_module, context, source = _connection_settings(auth, origin, environ, secrets, host)
    _apply_options(cfg, auth, host)
    if cfg.proxy:
        proxy_credentials(cfg, secrets)
    if not cfg.host or not re.match(r"^https?://", cfg.host):
        raise K8sError(
            "config",
            "the API server URL %r (from %s) must start with https:// or http://"
            % (cfg.host, source),
        )
    return KubeClient(
        cfg,
        context=context,
        settings=RequestSettings(
            auth["request_timeout"],
            auth["impersonate_user"],
            auth["impersonate_groups"],
            auth["deadline"],
            auth["max_response_size"] * 1024 * 1024,
        ),
        secrets=secrets,
        config_source=source,
        rest_module=rest_module,
    )


def _connection_settings(auth, origin, environ, secrets, host):
    """``(configuration, rest module, context, source)`` from the first place
    client_from_params's order finds settings in; the rest module is kubernetes.client.rest
    when kubernetes built the configuration (else None), ``source`` names the place."""
    if host and (auth["api_key"] or (auth["client_cert"] and auth["client_key"])):
        source = "options host/%s" % ("api_key" if auth["api_key"] else "client_cert/client_key")
        return StaticConfig(), None, None, source
    if auth["kubeconfig"] or auth["context"]:
        if auth["kubeconfig"]:
            kc = KubeconfigSource(auth["kubeconfig"], origin.get("kubeconfig", "kubeconfig"))
        else:
            kc = KubeconfigSource(default_kubeconfig(environ), "default kubeconfig")
        return _from_kubeconfig(kc, auth, origin, secrets)
    default = default_kubeconfig(environ)
    paths = [p for p in kubeconfig_paths(default) if os.path.exists(p)]
    if paths:
        kc = KubeconfigSource(default, "KUBECONFIG" if environ.get("KUBECONFIG") else default)
        return _from_kubeconfig(kc, auth, origin, secrets)
    if _in_cluster_available(environ):
        cfg, rest_module = _in_cluster_config(environ)
        return cfg, rest_module, None, "in-cluster service account"
    if host:
        return StaticConfig(), None, None, "option host (no credentials)"
    raise K8sError(
        "config",
        "no Kubernetes cluster configured: %s does not exist and this is not a pod with a "
        "service account. Set kubeconfig (and context), or host with api_key or "
        "client_cert/client_key; the K8S_AUTH_* environment variables work too"
        % (" or ".join(kubeconfig_paths(default)) or default,),
    )


def _from_kubeconfig(kc, auth, origin, secrets):
    cfg, rest_module, context = load_kubeconfig(kc, auth, origin, secrets)
    return cfg, rest_module, context, kc.label


def _in_cluster_config(environ):
    """``(configuration, rest module)`` of the pod's service account (kubernetes' loader)."""
    k8s_configuration, rest_module, _kube_config, incluster_config, ConfigException = (
        import_kubernetes()
    )
    cfg = k8s_configuration.Configuration()
    try:
        loader = incluster_config.InClusterConfigLoader(
            token_filename=IN_CLUSTER_TOKEN,
            cert_filename=IN_CLUSTER_CA,
            environ=environ,
        )
        loader.load_and_set(cfg)
    except (ConfigException, OSError) as exc:
        raise K8sError(
            "config",
            "in-cluster service account configuration is incomplete: %s. Give kubeconfig "
            "or host and api_key instead" % exc,
        ) from None
    return cfg, rest_module


def _apply_options(cfg, auth, host):
    """Explicit options override the kubeconfig (kubernetes.core semantics)."""
    if host:
        cfg.host = host
    if auth["api_key"]:
        cfg.api_key = {"BearerToken": "Bearer %s" % auth["api_key"]}
        cfg.api_key_prefix = {}
        cfg.refresh_api_key_hook = None
    if auth["validate_certs"] is not None:
        cfg.verify_ssl = auth["validate_certs"]
    if auth["ca_cert"]:
        cfg.ssl_ca_cert = auth["ca_cert"]
    if auth["client_cert"]:
        cfg.cert_file = auth["client_cert"]
    if auth["client_key"]:
        cfg.key_file = auth["client_key"]
    # HTTP(S)_PROXY/NO_PROXY from the environment are ignored (as documented by kubernetes.core);
    # a proxy comes from proxy / K8S_AUTH_PROXY or the kubeconfig's proxy-url.
    if auth["proxy"]:
        cfg.proxy = auth["proxy"]
    elif getattr(cfg, "_proxy_from_env", False):
        cfg.proxy = None
    cfg.no_proxy = auth["no_proxy"] or None
    if auth["proxy_headers"]:
        import urllib3

        cfg.proxy_headers = urllib3.util.make_headers(
            **{k: v for k, v in auth["proxy_headers"].items() if v is not None}
        )
