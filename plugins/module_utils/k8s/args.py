# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""The auth options of every module: AUTH_ARG_SPEC (same names, types and aliases as
kubernetes.core's, so an AWX/AAP "Kubernetes Bearer Token" credential or ``module_defaults``
written for kubernetes.core work unchanged) and ``resolve_auth_params``, which resolves them
from the parameters and the ``K8S_AUTH_*`` environment fallbacks as kubernetes.core does.
"""

from __future__ import annotations

import os

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError

AUTH_PROXY_HEADERS_SPEC = {
    "proxy_basic_auth": {"type": "str", "no_log": True},
    "basic_auth": {"type": "str", "no_log": True},
    "user_agent": {"type": "str"},
}

AUTH_ARG_SPEC = {
    # A path, or a kubeconfig as a dict. Not no_log: a path must stay visible, and marking a dict
    # no_log masks every value equal to one of its strings in the whole result (kubernetes.core
    # #870). As kubernetes.core does since #1014, modules add kubeconfig_no_log_values() of a dict
    # to module.no_log_values instead (only tokens, passwords and key/cert data are masked).
    "kubeconfig": {"type": "raw"},
    "context": {"type": "str"},
    "host": {"type": "str"},
    "api_key": {"type": "str", "no_log": True},
    "validate_certs": {"type": "bool", "aliases": ["verify_ssl"]},
    "ca_cert": {"type": "path", "aliases": ["ssl_ca_cert"]},
    "client_cert": {"type": "path", "aliases": ["cert_file"]},
    # A path, not the key itself; its content is never read by us nor printed.
    "client_key": {"type": "path", "aliases": ["key_file"], "no_log": False},
    "proxy": {"type": "str"},
    "no_proxy": {"type": "str"},
    "proxy_headers": {"type": "dict", "options": AUTH_PROXY_HEADERS_SPEC},
    "impersonate_user": {"type": "str"},
    "impersonate_groups": {"type": "list", "elements": "str"},
    # Ours (not in kubernetes.core): bound on every single HTTP request, in seconds.
    "request_timeout": {"type": "int", "default": 30},
}

# The modules that only read (lb_info, lb_plan): a bound on the whole read, in seconds, and on
# the size of one answer, in MiB (doc fragment read_limits). lb_apply has neither option: a
# deadline must not cut an apply between its writes (resolve_auth_params: no deadline then).
READ_LIMITS_ARG_SPEC = {
    "deadline": {"type": "int", "default": 600},
    "max_response_size": {"type": "int", "default": 64},
}

# Option name -> kubernetes client attribute name. kubernetes.core reads the environment variable
# K8S_AUTH_<OPTION> first and then K8S_AUTH_<CLIENT NAME> (e.g. K8S_AUTH_VALIDATE_CERTS, then
# K8S_AUTH_VERIFY_SSL).
AUTH_ARG_MAP = {
    "kubeconfig": "kubeconfig",
    "context": "context",
    "host": "host",
    "api_key": "api_key",
    "validate_certs": "verify_ssl",
    "ca_cert": "ssl_ca_cert",
    "client_cert": "cert_file",
    "client_key": "key_file",
    "proxy": "proxy",
    "no_proxy": "no_proxy",
    "proxy_headers": "proxy_headers",
    "impersonate_user": "impersonate_user",
    "impersonate_groups": "impersonate_groups",
}


DEFAULT_REQUEST_TIMEOUT = 30
DEFAULT_MAX_RESPONSE_SIZE = 64  # MiB


_TRUE = frozenset(("y", "yes", "on", "1", "true", "t"))
_FALSE = frozenset(("n", "no", "off", "0", "false", "f", ""))


def _alias_map():
    out = {}
    for name, spec in AUTH_ARG_SPEC.items():
        for alias in spec.get("aliases", ()):
            out[alias] = name
    return out


_ALIASES = _alias_map()


def _to_bool(value, name):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise K8sError("config", "%s must be a boolean (true/false), got %r" % (name, str(value)))


def resolve_auth_params(params=None, environ=None):
    """Resolve the auth options the way kubernetes.core does.

    Returns ``(auth, origin)``: ``auth`` maps each option (canonical name) to its value or None;
    ``origin`` maps each set option to where it came from ("option ca_cert", "environment
    variable K8S_AUTH_SSL_CA_CERT"), for error messages.

    A parameter that is not None wins; otherwise ``K8S_AUTH_<OPTION>`` then
    ``K8S_AUTH_<CLIENT NAME>`` (e.g. ``K8S_AUTH_VERIFY_SSL``) is read. Booleans from the
    environment are false for "0", "false", "no" (any case) and true otherwise;
    ``K8S_AUTH_IMPERSONATE_GROUPS`` is comma separated; ``proxy_headers`` comes from
    ``K8S_AUTH_PROXY_HEADERS_<SUBOPTION>``. Aliases (verify_ssl, ssl_ca_cert, cert_file, key_file)
    are accepted in ``params`` too, for callers that are not an AnsibleModule.
    """
    params = dict(params or {})
    environ = os.environ if environ is None else environ
    for alias, name in _ALIASES.items():
        if params.get(name) is None and params.get(alias) is not None:
            params[name] = params[alias]

    auth = {}
    origin = {}
    for name, client_name in AUTH_ARG_MAP.items():
        value = params.get(name)
        if value is not None:
            auth[name] = value
            origin[name] = "option %s" % name
            continue
        auth[name] = None
        if name == "proxy_headers":
            found = _proxy_headers_from_env(environ)
        else:
            found = _option_from_env(name, client_name, environ)
        if found is not None:
            auth[name], origin[name] = found
    _normalise(auth)
    auth["request_timeout"] = _request_timeout(params)
    auth["deadline"] = _positive(params, "deadline", None, "seconds")
    auth["max_response_size"] = _positive(
        params, "max_response_size", DEFAULT_MAX_RESPONSE_SIZE, "MiB"
    )
    return auth, origin


def _proxy_headers_from_env(environ):
    """``(headers, origin)`` from the K8S_AUTH_PROXY_HEADERS_* variables; None when none is set."""
    headers = {}
    for key in AUTH_PROXY_HEADERS_SPEC:
        env_name = "K8S_AUTH_PROXY_HEADERS_%s" % key.upper()
        env_value = environ.get(env_name)
        if env_value is not None:
            headers[key] = env_value
    if headers:
        return headers, "environment variables K8S_AUTH_PROXY_HEADERS_*"
    return None


def _option_from_env(name, client_name, environ):
    """``(value, origin)`` of an option from K8S_AUTH_<OPTION>, then K8S_AUTH_<CLIENT NAME>
    (the first that is set and not empty), typed as its spec says; None when neither is."""
    env_names = ["K8S_AUTH_%s" % name.upper()]
    if client_name != name:
        env_names.append("K8S_AUTH_%s" % client_name.upper())
    for env_name in env_names:
        env_value = environ.get(env_name)
        if env_value:
            break
    else:
        return None
    spec = AUTH_ARG_SPEC[name]
    if spec.get("type") == "bool":
        env_value = env_value.lower() not in ("0", "false", "no")
    elif spec.get("type") == "list":
        env_value = [x for x in env_value.split(",") if x != ""]
    return env_value, "environment variable %s" % env_name


def _normalise(auth):
    """Normalise types for callers that bypass AnsibleModule (filters, tests, plain dicts)."""
    if auth["validate_certs"] is not None:
        auth["validate_certs"] = _to_bool(auth["validate_certs"], "validate_certs")
    for name in ("ca_cert", "client_cert", "client_key"):
        if auth[name]:
            auth[name] = os.path.expanduser(os.path.expandvars(str(auth[name])))
    if isinstance(auth["kubeconfig"], str) and "\n" not in auth["kubeconfig"]:
        auth["kubeconfig"] = auth["kubeconfig"].strip()
    groups = auth["impersonate_groups"]
    if isinstance(groups, str):
        auth["impersonate_groups"] = [x.strip() for x in groups.split(",") if x.strip()]
    if auth["proxy_headers"] is not None and not isinstance(auth["proxy_headers"], dict):
        raise K8sError(
            "config", "proxy_headers must be a dict of %s" % ", ".join(AUTH_PROXY_HEADERS_SPEC)
        )


def _request_timeout(params):
    """request_timeout as a positive int (DEFAULT_REQUEST_TIMEOUT when not given)."""
    timeout = params.get("request_timeout")
    if timeout is None:
        timeout = DEFAULT_REQUEST_TIMEOUT
    try:
        timeout = int(timeout)
    except (TypeError, ValueError):
        raise K8sError(
            "config", "request_timeout must be a number of seconds, got %r" % (timeout,)
        ) from None
    if timeout <= 0:
        raise K8sError(
            "config", "request_timeout must be a positive number of seconds, got %d" % timeout
        )
    return timeout


def _positive(params, name, default, unit):
    """A positive int option (``default`` when not given), or K8sError naming it."""
    value = params.get(name)
    if value is None:
        return default
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise K8sError(
            "config", "%s must be a number of %s, got %r" % (name, unit, value)
        ) from None
    if value <= 0:
        raise K8sError("config", "%s must be a positive number of %s, got %d" % (name, unit, value))
    return value
