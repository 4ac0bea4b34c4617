# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""Client layer shared by every module of meshgate.istio_lb.

Deliberately small and fast:

* Auth options, aliases and ``K8S_AUTH_*`` environment fallbacks are the ones of
  kubernetes.core (``plugins/module_utils/args_common.py`` and ``k8s/client.py``), so an
  AWX/AAP "Kubernetes Bearer Token" credential or ``module_defaults`` written for
  kubernetes.core work unchanged.
* Static credentials (``host`` with ``api_key`` or a client certificate, ``host`` alone, or a
  kubeconfig context whose user has only a token, token file, client certificate/key or
  username/password) are loaded by our own code, a step-by-step mirror of kubernetes'
  KubeConfigLoader and RESTClientObject (StaticConfig, static_pool_manager): the
  ``kubernetes`` package (~0.1 s of CPU and 10+ MB per module run) is not imported at all.
* ``kubernetes`` is still used, imported lazily, to *build a configuration* for the rest: a
  kubeconfig user with ``exec`` or ``auth-provider`` (or any other key), and the in-cluster
  service account. Requests always go straight through urllib3 and are decoded with
  ``json.loads``: no dynamic client, no model objects, no per-group discovery (the slow parts
  of kubernetes.core, see docs/benchmarks.md). Importing this file costs nothing, so filters,
  ``src`` (offline) runs and unit tests do not pay for it.
* Every failure is a ``K8sError`` with a ``reason`` the caller can branch on and a message that
  names what was requested and how to fix it. Secrets never appear in messages.

This file must not import ``ansible.module_utils.basic``; modules own the AnsibleModule.
Kept compatible with Python 3.8 (managed nodes).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import gc
import json
import os
import re
import threading
import time
from contextlib import contextmanager
from urllib.parse import quote, urlencode

# --------------------------------------------------------------------------------------------
# Argument spec (same names, types and aliases as kubernetes.core's AUTH_ARG_SPEC)
# --------------------------------------------------------------------------------------------

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
DEFAULT_KUBECONFIG = "~/.kube/config"
IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
IN_CLUSTER_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
USER_AGENT = "meshgate.istio_lb"
RBAC_HINT = "see the ClusterRole meshgate-istio-lb-reader in rbac/meshgate-istio-lb-reader.yaml"
RBAC_WRITE_HINT = (
    "see the ClusterRole meshgate-istio-lb-applier in rbac/meshgate-istio-lb-applier.yaml, "
    "bound together with the reader role"
)

ACCEPT_JSON = "application/json"
ACCEPT_AGGREGATED_DISCOVERY = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json"
)
APPLY_PATCH = "application/apply-patch+yaml"

REASONS = (
    "config",
    "unreachable",
    "tls",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "invalid",
    "timeout",
    "server",
)

# Keys of a kubeconfig whose string values are secrets (same list as kubernetes.core).
_KUBECONFIG_SECRET_KEYS = frozenset(
    (
        "token",
        "password",
        "secret",
        "client-key-data",
        "client-certificate-data",
        "certificate-authority-data",
        "api_key",
        "access-token",
        "refresh-token",
        "id-token",
        "client-secret",
    )
)

_TRUE = frozenset(("y", "yes", "on", "1", "true", "t"))
_FALSE = frozenset(("n", "no", "off", "0", "false", "f", ""))


# --------------------------------------------------------------------------------------------
# Errors and redaction
# --------------------------------------------------------------------------------------------


class K8sError(Exception):
    """A failure talking to (or configuring access to) a Kubernetes API server.

    ``reason`` is one of REASONS; ``status`` the HTTP status when there was one; ``message`` a
    complete sentence naming what was requested and the fix. ``causes`` holds the Status
    ``details.causes`` of a 409/422, ``managers`` the conflicting field managers of a 409.
    """

    def __init__(self, reason, message, status=None, causes=None, managers=None, details=None):
        if reason not in REASONS:
            raise ValueError("unknown K8sError reason %r" % (reason,))
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status = status
        self.causes = list(causes or [])
        self.managers = list(managers or [])
        self.details = details or {}

    def __str__(self):
        return self.message

    def to_dict(self):
        out = {"reason": self.reason, "status": self.status, "message": self.message}
        if self.causes:
            out["causes"] = self.causes
        if self.managers:
            out["managers"] = self.managers
        return out


_REDACT_PATTERNS = (
    (
        re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)", re.S),
        "<redacted PEM>",
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 <redacted>"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "<redacted JWT>"),
    (
        re.compile(
            r"(?i)(['\"]?(?:token|password|secret|api_key|client-key-data|client-certificate-data|"
            r"certificate-authority-data|access-token|refresh-token|id-token|client-secret)['\"]?"
            r"\s*[:=]\s*)(['\"]?)[^\s'\",}]+"
        ),
        r"\1\2<redacted>",
    ),
)


def redact(text, secrets=()):
    """Return ``text`` with secrets removed.

    Every string in ``secrets`` (tokens, passwords, kubeconfig data...) is replaced, then generic
    patterns are masked: PEM blocks, ``Bearer``/``Basic`` credentials, JWTs and ``token: ...``
    style key/value pairs.
    """
    if text is None:
        return text
    text = str(text)
    for secret in sorted((s for s in secrets if s and len(str(s)) >= 4), key=len, reverse=True):
        secret = str(secret)
        # Also the escaped form a repr() of a dict or list shows (quotes, backslashes).
        for form in (secret, repr(secret)[1:-1]):
            text = text.replace(form, "<redacted>")
    for pattern, repl in _REDACT_PATTERNS:
        text = pattern.sub(repl, text)
    return text


def kubeconfig_no_log_values(kubeconfig):
    """Secret strings inside a kubeconfig given as a dict (empty set for a path or None).

    Modules call ``module.no_log_values.update(kubeconfig_no_log_values(params["kubeconfig"]))``
    right after creating the AnsibleModule, like kubernetes.core does, so tokens and key/cert
    data of an in-memory kubeconfig are masked in results and the invocation while the server
    URL, names and paths stay readable.
    """
    values = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _KUBECONFIG_SECRET_KEYS and isinstance(value, str):
                    values.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    if isinstance(kubeconfig, dict):
        walk(kubeconfig)
    return values


# --------------------------------------------------------------------------------------------
# Parameter resolution (params > K8S_AUTH_* environment), as kubernetes.core does
# --------------------------------------------------------------------------------------------


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
        spec = AUTH_ARG_SPEC[name]
        value = params.get(name)
        if value is not None:
            auth[name] = value
            origin[name] = "option %s" % name
            continue
        auth[name] = None
        if name == "proxy_headers":
            headers = {}
            for key in AUTH_PROXY_HEADERS_SPEC:
                env_name = "K8S_AUTH_PROXY_HEADERS_%s" % key.upper()
                env_value = environ.get(env_name)
                if env_value is not None:
                    headers[key] = env_value
            if headers:
                auth[name] = headers
                origin[name] = "environment variables K8S_AUTH_PROXY_HEADERS_*"
            continue
        env_names = ["K8S_AUTH_%s" % name.upper()]
        if client_name != name:
            env_names.append("K8S_AUTH_%s" % client_name.upper())
        for env_name in env_names:
            env_value = environ.get(env_name)
            if env_value:
                break
        else:
            continue
        if spec.get("type") == "bool":
            env_value = env_value.lower() not in ("0", "false", "no")
        elif spec.get("type") == "list":
            env_value = [x for x in env_value.split(",") if x != ""]
        auth[name] = env_value
        origin[name] = "environment variable %s" % env_name

    # Normalise types for callers that bypass AnsibleModule (filters, tests, plain dicts).
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
    auth["request_timeout"] = timeout
    return auth, origin


# --------------------------------------------------------------------------------------------
# Building a client
# --------------------------------------------------------------------------------------------


def _import_kubernetes():
    try:
        from kubernetes.client import configuration as k8s_configuration
        from kubernetes.client import rest as k8s_rest
        from kubernetes.config import incluster_config, kube_config
        from kubernetes.config.config_exception import ConfigException
    except ImportError as exc:
        raise K8sError(
            "config",
            "the Python library 'kubernetes' is required to talk to a cluster but could not be "
            "imported (%s). Install it on the host that runs the module (pip install "
            "'kubernetes>=24.2.0', or add it to the execution environment), or read manifests "
            "offline with src" % exc,
        ) from None
    return k8s_configuration, k8s_rest, kube_config, incluster_config, ConfigException


def _yaml_load(text):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - safe loader


def _yaml_problem(exc):
    """Line/column and problem of a YAML error, without the source snippet (may hold secrets)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or exc.__class__.__name__
    if mark is not None:
        return "line %d, column %d: %s" % (mark.line + 1, mark.column + 1, problem)
    return problem


def _kubeconfig_paths(value):
    sep = ";" if os.name == "nt" else ":"
    return [os.path.expanduser(os.path.expandvars(p)) for p in value.split(sep) if p]


def _default_kubeconfig(environ):
    return environ.get("KUBECONFIG") or DEFAULT_KUBECONFIG


class _KubeconfigSource:
    """One kubeconfig (file list or dict), validated up front for clear errors."""

    def __init__(self, value, origin):
        self.value = value
        self.origin = origin
        self.secrets = set()
        self.is_dict = isinstance(value, dict)
        self.paths = []
        self.merged = {}
        # (list, name) -> the file that defined the merged entry: relative paths in it resolve
        # against that file's directory (the static loader needs it, as KubeConfigMerger does).
        self.defined_in = {}
        if self.is_dict:
            self.label = "the kubeconfig given as a dict"
            self._check_doc(value, self.label)
            self.merged = value
            self.secrets |= kubeconfig_no_log_values(value)
            return
        if not isinstance(value, str):
            raise K8sError(
                "config",
                "kubeconfig must be a path or a dict, got %s (%s)" % (type(value).__name__, origin),
            )
        if "\n" in value or value.lstrip().startswith(("apiVersion:", "{")):
            raise K8sError(
                "config",
                "kubeconfig (%s) looks like the content of a kubeconfig file, not a path. Pass a "
                "path, or the parsed content as a dict (e.g. \"{{ lookup('file', 'kubeconfig') "
                '| from_yaml }}")' % origin,
            )
        paths = _kubeconfig_paths(value)
        existing = [p for p in paths if os.path.exists(p)]
        self.label = "kubeconfig %s" % ":".join(paths)
        if not existing:
            raise K8sError(
                "config",
                "kubeconfig file %s does not exist (%s). Point kubeconfig / K8S_AUTH_KUBECONFIG / "
                "KUBECONFIG at an existing file, or give host and api_key"
                % (" or ".join(paths) or repr(value), origin),
            )
        for path in existing:
            self._load_file(path)
        self.paths = existing
        self.label = "kubeconfig %s" % ":".join(existing)

    def _load_file(self, path):
        if os.path.isdir(path):
            raise K8sError("config", "kubeconfig %s is a directory, not a file" % path)
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            raise K8sError(
                "config",
                "cannot read kubeconfig %s: %s. Check the path and its permissions"
                % (path, exc.strerror or exc),
            ) from None
        try:
            doc = _yaml_load(raw)
        except Exception as exc:  # yaml.YAMLError and decoding errors
            raise K8sError(
                "config",
                "kubeconfig %s is not valid YAML (%s). Fix the file or point kubeconfig at "
                "another one" % (path, _yaml_problem(exc)),
            ) from None
        self._check_doc(doc, "kubeconfig %s" % path)
        self.secrets |= kubeconfig_no_log_values(doc)
        # Merge like kubectl/KubeConfigMerger: first definition of a name wins.
        if not self.merged:
            self.merged = {"clusters": [], "contexts": [], "users": []}
        for key in ("clusters", "contexts", "users"):
            for item in doc.get(key) or []:
                if (key, item.get("name")) not in self.defined_in:
                    self.defined_in[(key, item.get("name"))] = path
                    self.merged[key].append(item)
        if doc.get("current-context") and not self.merged.get("current-context"):
            self.merged["current-context"] = doc["current-context"]

    @staticmethod
    def _check_doc(doc, label):
        if doc is None:
            raise K8sError("config", "%s is empty" % label)
        if not isinstance(doc, dict):
            raise K8sError(
                "config",
                "%s is not a kubeconfig: expected a mapping with clusters, contexts and users, "
                "got a %s" % (label, type(doc).__name__),
            )
        for key in ("clusters", "contexts", "users"):
            items = doc.get(key)
            if items is None:
                continue
            if not isinstance(items, list) or not all(
                isinstance(i, dict) and isinstance(i.get("name"), str) for i in items
            ):
                raise K8sError(
                    "config",
                    "%s is malformed: '%s' must be a list of entries that each have a name"
                    % (label, key),
                )

    def contexts(self):
        return [c["name"] for c in self.merged.get("contexts") or []]

    def pick_context(self, wanted, wanted_origin):
        names = self.contexts()
        available = ", ".join(names) if names else "none"
        if wanted:
            if wanted not in names:
                raise K8sError(
                    "config",
                    "context '%s' (%s) not found in %s; available contexts: %s. Set context / "
                    "K8S_AUTH_CONTEXT to one of them"
                    % (wanted, wanted_origin, self.label, available),
                )
            return wanted
        current = self.merged.get("current-context")
        if not current:
            raise K8sError(
                "config",
                "%s has no current-context; set context (or K8S_AUTH_CONTEXT) to one of: %s"
                % (self.label, available),
            )
        if current not in names:
            raise K8sError(
                "config",
                "%s: current-context '%s' is not defined in its contexts (available: %s). Set "
                "context to one of them" % (self.label, current, available),
            )
        return current


# --------------------------------------------------------------------------------------------
# Static credentials, without the kubernetes package
# --------------------------------------------------------------------------------------------
#
# Importing kubernetes costs ~0.1 s of CPU and 10+ MB per module run (pydantic, requests,
# oauthlib, every API model). Credentials that need none of its code - a token, a token file,
# client certificates, basic auth, or nothing - are loaded by the classes below, which mirror
# kubernetes.config.kube_config (ConfigNode, FileOrData, KubeConfigLoader, and the per-file paths
# of KubeConfigMerger) and the pool of kubernetes.client.rest.RESTClientObject step by step, error
# messages included (adapted from the Kubernetes Python client, Copyright The Kubernetes Authors,
# Apache License 2.0 like this collection). One deliberate difference: a token file is trimmed,
# as client-go does. A user with exec or auth-provider (or any key not listed here) and the
# in-cluster service account still go through kubernetes.
# tests/unit/plugins/module_utils/test_k8s_static_config.py builds both and compares them.

# The keys of a kubeconfig user / cluster the static loader handles; "extensions" holds data for
# other tools, which kubernetes ignores as well.
_STATIC_USER_KEYS = frozenset(
    (
        "token",
        "tokenFile",
        "client-certificate",
        "client-certificate-data",
        "client-key",
        "client-key-data",
        "username",
        "password",
        "extensions",
    )
)
_STATIC_CLUSTER_KEYS = frozenset(
    (
        "server",
        "certificate-authority",
        "certificate-authority-data",
        "insecure-skip-tls-verify",
        "tls-server-name",
        "proxy-url",
        "extensions",
    )
)
_SOCKS_PROXY_SCHEMES = frozenset(("socks5", "socks5h", "socks4", "socks4a"))


class _StaticConfigError(Exception):
    """The static loader's kubernetes.config.ConfigException (same messages)."""


class _ConfigNode:
    """kubernetes' ConfigNode: a kubeconfig value, the file that defined it (``path``) and the
    name used in error messages."""

    def __init__(self, name, value, path=None):
        self.name = name
        self.value = value
        self.path = path

    def __contains__(self, key):
        return key in self.value

    def __len__(self):
        return len(self.value)

    def safe_get(self, key):
        if isinstance(self.value, list) and isinstance(key, int) or key in self.value:
            return self.value[key]
        return None

    def __getitem__(self, key):
        value = self.safe_get(key)
        if value is None:
            raise _StaticConfigError(
                "Invalid kube-config file. Expected key %s in %s" % (key, self.name)
            )
        if isinstance(value, (dict, list)):
            return _ConfigNode("%s/%s" % (self.name, key), value, self.path)
        return value

    def get_with_name(self, name, safe=False):
        if not isinstance(self.value, list):
            raise _StaticConfigError(
                "Invalid kube-config file. Expected %s to be a list" % self.name
            )
        result = None
        for item in self.value:
            if "name" not in item:
                raise _StaticConfigError(
                    "Invalid kube-config file. Expected all values in %s list to have 'name' key"
                    % self.name
                )
            if item["name"] == name:
                if result is None:
                    result = item
                else:
                    raise _StaticConfigError(
                        "Invalid kube-config file. Expected only one object with name %s in %s "
                        "list" % (name, self.name)
                    )
        if result is not None:
            if isinstance(result, _ConfigNode):
                return result
            return _ConfigNode("%s[name=%s]" % (self.name, name), result, self.path)
        if safe:
            return None
        raise _StaticConfigError(
            "Invalid kube-config file. Expected object with name %s in %s list" % (name, self.name)
        )


def _kubeconfig_root(kc):
    """A _KubeconfigSource as kubernetes' KubeConfigLoader sees it.

    A dict is used as is (relative paths then resolve against the working directory). Files are
    already merged by _KubeconfigSource (first definition of a name wins); each entry keeps the
    file it came from, against whose directory its relative paths resolve.
    """
    if kc.is_dict:
        return _ConfigNode("kube-config", kc.value)
    merged = dict(kc.merged)
    for key in ("clusters", "contexts", "users"):
        merged[key] = []
        for item in kc.merged[key]:
            path = kc.defined_in[(key, item["name"])]
            merged[key].append(_ConfigNode("%s/%s" % (path, item), item, path))
    return _ConfigNode(kc.paths[0], merged, kc.paths[0])


# Files written for *-data fields, removed at exit (as kubernetes does): content -> path.
_temp_files = {}


def _cleanup_temp_files():
    for name in list(_temp_files.values()):
        try:
            os.remove(name)
        except OSError:
            pass
    _temp_files.clear()


def _temp_file_with_content(content, force_recreate=False):
    import atexit
    import tempfile

    if not _temp_files:
        atexit.register(_cleanup_temp_files)
    key = str(content)
    if not force_recreate and key in _temp_files:
        return _temp_files[key]
    handle, name = tempfile.mkstemp()  # mode 0600
    os.close(handle)
    _temp_files[key] = name
    with open(name, "wb") as out:
        out.write(content.encode() if isinstance(content, str) else content)
    return name


class _FileOrData:
    """kubernetes' FileOrData: ``<key>-data`` (base64, preferred) or the file ``<key>``."""

    def __init__(
        self, obj, file_key_name, data_key_name=None, file_base_path="", base64_file_content=True
    ):
        if not data_key_name:
            data_key_name = file_key_name + "-data"
        self._file = None
        self._data = None
        self._base64_file_content = base64_file_content
        if not obj:
            return
        if data_key_name in obj:
            self._data = obj[data_key_name]
        elif file_key_name in obj:
            self._file = os.path.normpath(os.path.join(file_base_path, obj[file_key_name]))

    def as_file(self):
        if not self._file and self._data:
            self._write_file()
            if self._file and not os.path.isfile(self._file):
                self._write_file(force_rewrite=True)
        if self._file and not os.path.isfile(self._file):
            raise _StaticConfigError("File does not exist: %s" % self._file)
        return self._file

    def as_data(self):
        if not self._data and self._file:
            # Text mode and no strip(), as kubernetes reads a tokenFile.
            with open(self._file) as handle:  # pylint: disable=unspecified-encoding
                if self._base64_file_content:
                    self._data = base64.standard_b64encode(handle.read().encode()).decode()
                else:
                    self._data = handle.read()
        return self._data

    def _write_file(self, force_rewrite=False):
        content = self._data
        if self._base64_file_content:
            if isinstance(content, str):
                content = content.encode()
            content = base64.standard_b64decode(content)
        self._file = _temp_file_with_content(content, force_recreate=force_rewrite)


class _StaticKubeconfigLoader:
    """kubernetes' KubeConfigLoader (``load_and_set``) for a user with static credentials.

    ``is_static()`` says whether the selected user and cluster hold only fields handled here;
    otherwise the caller uses kubernetes. Selecting the context raises what kubernetes raises.
    """

    def __init__(self, config, active_context):
        self._config = config
        self._user = None
        self._cluster = None
        self._loaded = {}  # what KubeConfigLoader keeps in its __dict__: token, host, ...
        current = self._config["contexts"].get_with_name(active_context)
        if current["context"].safe_get("user") and self._config.safe_get("users"):
            user = self._config["users"].get_with_name(current["context"]["user"], safe=True)
            self._user = user["user"] if user else None
        self._cluster = self._config["clusters"].get_with_name(current["context"]["cluster"])[
            "cluster"
        ]
        cluster = self._cluster.value if isinstance(self._cluster, _ConfigNode) else None
        insecure = cluster.get("insecure-skip-tls-verify") if isinstance(cluster, dict) else None
        if insecure is not None and not isinstance(insecure, bool):
            # kubernetes would read the string 'false' as true and skip certificate checks;
            # kubectl refuses the file. Refused here for every user, static or not.
            raise _StaticConfigError(
                "insecure-skip-tls-verify of cluster %s must be true or false, not %r"
                % (current["context"]["cluster"], insecure)
            )

    @property
    def host(self):
        return self._loaded.get("host")

    def is_static(self):
        for node, keys in ((self._user, _STATIC_USER_KEYS), (self._cluster, _STATIC_CLUSTER_KEYS)):
            if node is None:
                continue
            if not isinstance(node, _ConfigNode) or not isinstance(node.value, dict):
                return False
            if any(key not in keys for key in node.value):
                return False
        return True

    @staticmethod
    def _base_path(config_path):
        # config_base_path=None, as _load_kubeconfig gives kubernetes' loader.
        if config_path is not None:
            return os.path.abspath(os.path.dirname(config_path))
        return ""

    def load_and_set(self, cfg):
        self._load_authentication()
        self._load_cluster_info()
        if "token" in self._loaded:
            cfg.api_key["BearerToken"] = self._loaded["token"]
        for key in (
            "host",
            "ssl_ca_cert",
            "cert_file",
            "key_file",
            "verify_ssl",
            "tls_server_name",
            "proxy",
        ):
            if key in self._loaded:
                setattr(cfg, key, self._loaded[key])

    def _load_authentication(self):
        # kubernetes' order: auth-provider, token/tokenFile, exec, username/password.
        if not self._user:
            return
        token = _FileOrData(
            self._user,
            "tokenFile",
            "token",
            file_base_path=self._base_path(self._user.path),
            base64_file_content=False,
        ).as_data()
        if "tokenFile" in self._user and "token" not in self._user:
            # client-go (kubectl) trims a token file and refuses an empty one; kubernetes'
            # Python loader sends the trailing newline of `kubectl create token > file`
            # (urllib3 then refuses the header) or silently falls back to basic auth.
            token = (token or "").strip()
            if not token:
                raise _StaticConfigError(
                    "the token file %s is empty"
                    % os.path.join(self._base_path(self._user.path), self._user["tokenFile"])
                )
        if token:
            self._loaded["token"] = "Bearer %s" % token
        elif "username" in self._user and "password" in self._user:
            import urllib3

            self._loaded["token"] = urllib3.util.make_headers(
                basic_auth=(self._user["username"] + ":" + self._user["password"])
            ).get("authorization")

    def _load_cluster_info(self):
        cluster = self._cluster
        if "server" in cluster:
            self._loaded["host"] = cluster["server"].rstrip("/")
            if self._loaded["host"].startswith("https"):
                # Client certificate and key resolve against the directory of the file that
                # defined the *cluster*, as kubernetes does.
                base_path = self._base_path(cluster.path)
                self._loaded["ssl_ca_cert"] = _FileOrData(
                    cluster, "certificate-authority", file_base_path=base_path
                ).as_file()
                self._loaded["cert_file"] = _FileOrData(
                    self._user, "client-certificate", file_base_path=base_path
                ).as_file()
                self._loaded["key_file"] = _FileOrData(
                    self._user, "client-key", file_base_path=base_path
                ).as_file()
        if "insecure-skip-tls-verify" in cluster:
            self._loaded["verify_ssl"] = not cluster["insecure-skip-tls-verify"]
        if "tls-server-name" in cluster:
            self._loaded["tls_server_name"] = cluster["tls-server-name"]
        if "proxy-url" in cluster:
            self._loaded["proxy"] = cluster["proxy-url"]


class StaticConfig:
    """Connection settings for static credentials: the attributes of
    kubernetes.client.Configuration that KubeClient and static_pool_manager read, with the same
    defaults (no proxy from the environment: _build_client ignores it for both)."""

    def __init__(self):
        self.host = "http://localhost"
        self.api_key = {}
        self.api_key_prefix = {}
        self.refresh_api_key_hook = None
        self.verify_ssl = True
        self.ssl_ca_cert = None
        self.cert_file = None
        self.key_file = None
        self.tls_server_name = None
        self.proxy = None
        self.no_proxy = None
        self.proxy_headers = None
        # kubernetes: multiprocessing.cpu_count() * 5
        self.connection_pool_maxsize = (os.cpu_count() or 1) * 5

    def get_api_key_with_prefix(self, identifier, alias=None):
        key = self.api_key.get(identifier, self.api_key.get(alias) if alias is not None else None)
        if not key:
            return None
        prefix = self.api_key_prefix.get(
            identifier, self.api_key_prefix.get(alias) if alias is not None else None
        )
        return "%s %s" % (prefix, key) if prefix else key


def _should_bypass_proxies(url, no_proxy):
    """kubernetes.client.rest.should_bypass_proxies: does ``url`` match a ``no_proxy`` rule?"""
    import ipaddress
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if not parsed.hostname:
        return True
    host = parsed.hostname.lower()
    host_and_port = parsed.netloc.lower()
    try:
        host_ip = ipaddress.ip_address(host)
    except ValueError:
        host_ip = None
    for entry in (entry.strip().lower() for entry in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        if host_ip is not None:
            try:
                if host_ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
        entry = entry.lstrip(".")
        if (
            host == entry
            or host.endswith("." + entry)
            or host_and_port == entry
            or host_and_port.endswith("." + entry)
        ):
            return True
    return False


def static_pool_manager(configuration):
    """The urllib3 pool kubernetes' RESTClientObject(configuration) would build."""
    import ssl

    import urllib3

    pool_args = {
        "cert_reqs": ssl.CERT_REQUIRED if configuration.verify_ssl else ssl.CERT_NONE,
        "ca_certs": configuration.ssl_ca_cert,
        "cert_file": configuration.cert_file,
        "key_file": configuration.key_file,
        "ca_cert_data": None,
    }
    if configuration.tls_server_name:
        pool_args["server_hostname"] = configuration.tls_server_name
    if configuration.connection_pool_maxsize is not None:
        pool_args["maxsize"] = configuration.connection_pool_maxsize
    proxy = configuration.proxy
    if proxy and not _should_bypass_proxies(configuration.host, configuration.no_proxy or ""):
        scheme = proxy.split("://", 1)
        if len(scheme) == 2 and scheme[0].lower() in _SOCKS_PROXY_SCHEMES:
            from urllib3.contrib.socks import SOCKSProxyManager

            pool_args["proxy_url"] = proxy
            pool_args["headers"] = configuration.proxy_headers
            return SOCKSProxyManager(**pool_args)
        pool_args["proxy_url"] = proxy
        pool_args["proxy_headers"] = configuration.proxy_headers
        return urllib3.ProxyManager(**pool_args)
    return urllib3.PoolManager(**pool_args)


def proxy_for_display(proxy):
    """A proxy URL without the user and password it may carry."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(proxy or "")
    except ValueError:
        return "<invalid proxy URL>"
    if parts.username is None and parts.password is None:
        return proxy
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=host).geturl()


def _proxy_credentials(cfg, secrets):
    """``http://user:password@proxy:3128``: kubectl sends them as Proxy-Authorization, urllib3
    ignores them in the URL. Move them into the proxy headers (an explicit
    proxy_headers.proxy_basic_auth wins) and keep the password out of every message. SOCKS
    proxies take them from the URL, so theirs stay."""
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(cfg.proxy)
        user, password = parts.username, parts.password
    except ValueError:
        return  # the pool reports the bad URL (its message is redacted)
    if user is None and password is None:
        return
    if password:
        secrets.add(unquote(password))
        secrets.add(password)
    if parts.scheme.lower() in _SOCKS_PROXY_SCHEMES:
        return
    import urllib3

    headers = dict(cfg.proxy_headers or {})
    if not any(k.lower() == "proxy-authorization" for k in headers):
        headers.update(
            urllib3.util.make_headers(
                proxy_basic_auth="%s:%s" % (unquote(user or ""), unquote(password or ""))
            )
        )
    cfg.proxy_headers = headers
    cfg.proxy = proxy_for_display(cfg.proxy)


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

    cfg = None
    rest_module = None  # kubernetes.client.rest when kubernetes built cfg
    context = None
    kc = None
    host = auth["host"].rstrip("/") if auth["host"] else None

    if host and (auth["api_key"] or (auth["client_cert"] and auth["client_key"])):
        source = "options host/%s" % ("api_key" if auth["api_key"] else "client_cert/client_key")
    elif auth["kubeconfig"] or auth["context"]:
        if auth["kubeconfig"]:
            kc = _KubeconfigSource(auth["kubeconfig"], origin.get("kubeconfig", "kubeconfig"))
        else:
            kc = _KubeconfigSource(_default_kubeconfig(environ), "default kubeconfig")
    else:
        default = _default_kubeconfig(environ)
        paths = [p for p in _kubeconfig_paths(default) if os.path.exists(p)]
        if paths:
            kc = _KubeconfigSource(default, "KUBECONFIG" if environ.get("KUBECONFIG") else default)
        elif _in_cluster_available(environ):
            k8s_configuration, rest_module, _kube_config, incluster_config, ConfigException = (
                _import_kubernetes()
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
            source = "in-cluster service account"
        elif host:
            source = "option host (no credentials)"
        else:
            raise K8sError(
                "config",
                "no Kubernetes cluster configured: %s does not exist and this is not a pod with a "
                "service account. Set kubeconfig (and context), or host with api_key or "
                "client_cert/client_key; the K8S_AUTH_* environment variables work too"
                % (" or ".join(_kubeconfig_paths(default)) or default,),
            )
    if kc is not None:
        cfg, rest_module, context = _load_kubeconfig(kc, auth, origin, secrets)
        source = kc.label
    if cfg is None:
        cfg = StaticConfig()

    # Explicit options override the kubeconfig (kubernetes.core semantics).
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
    if cfg.proxy:
        _proxy_credentials(cfg, secrets)

    if not cfg.host or not re.match(r"^https?://", cfg.host):
        raise K8sError(
            "config",
            "the API server URL %r (from %s) must start with https:// or http://"
            % (cfg.host, source),
        )

    return KubeClient(
        cfg,
        context=context,
        request_timeout=auth["request_timeout"],
        impersonate_user=auth["impersonate_user"],
        impersonate_groups=auth["impersonate_groups"],
        secrets=secrets,
        config_source=source,
        rest_module=rest_module,
    )


def _kubeconfig_error(exc, context, kc, secrets, config_errors):
    """The K8sError for an exception raised while loading context ``context`` of ``kc``."""
    if isinstance(exc, config_errors):
        return K8sError(
            "config",
            "cannot use context '%s' of %s: %s. Fix the kubeconfig or choose another context"
            % (context, kc.label, redact(exc, secrets)),
        )
    if isinstance(exc, (KeyError, TypeError, ValueError, AttributeError)):
        return K8sError(
            "config",
            "%s is malformed for context '%s' (%s: %s). Fix the kubeconfig or choose another "
            "context" % (kc.label, context, exc.__class__.__name__, redact(exc, secrets)),
        )
    if isinstance(exc, OSError):
        return K8sError(
            "config",
            "cannot use context '%s' of %s: %s: %s"
            % (context, kc.label, exc.strerror or exc, getattr(exc, "filename", "") or ""),
        )
    # exec plugins, auth providers: report, never leak
    return K8sError(
        "config",
        "cannot load credentials for context '%s' of %s: %s"
        % (context, kc.label, redact(exc, secrets)),
    )


def _load_kubeconfig(kc, auth, origin, secrets):
    """Load the selected context of ``kc``: ``(configuration, rest_module, context)``.

    Static credentials give a StaticConfig and no rest module, without importing kubernetes;
    anything else (exec, auth-provider, unknown user keys) kubernetes' configuration and rest.
    """
    secrets |= kc.secrets
    context = kc.pick_context(auth["context"], origin.get("context", "option context"))
    rest_module = None
    cfg = None
    try:
        # Selecting the context raises what kubernetes would raise, for any user.
        loader = _StaticKubeconfigLoader(_kubeconfig_root(kc), context)
        if loader.is_static():
            cfg = StaticConfig()
            loader.load_and_set(cfg)
    except Exception as exc:
        raise _kubeconfig_error(exc, context, kc, secrets, _StaticConfigError) from None
    if cfg is None:
        k8s_configuration, rest_module, kube_config, _incluster, ConfigException = (
            _import_kubernetes()
        )
        cfg = k8s_configuration.Configuration()
        try:
            if kc.is_dict:
                loader = kube_config.KubeConfigLoader(
                    config_dict=kc.value, active_context=context, config_base_path=None
                )
            else:
                merger = kube_config.KubeConfigMerger(
                    ":".join(kc.paths) if os.name != "nt" else ";".join(kc.paths)
                )
                loader = kube_config.KubeConfigLoader(
                    config_dict=merger.config, active_context=context, config_base_path=None
                )
            loader.load_and_set(cfg)
        except Exception as exc:
            raise _kubeconfig_error(exc, context, kc, secrets, ConfigException) from None
    if not getattr(loader, "host", None) and not auth["host"]:
        raise K8sError(
            "config",
            "the cluster of context '%s' in %s has no server URL. Add clusters[].cluster.server "
            "to the kubeconfig or give host" % (context, kc.label),
        )
    return cfg, rest_module, context


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


@contextmanager
def gc_paused():
    """Pause the cyclic GC while decoding big JSON (27-51% of a LIST's time otherwise)."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# managedFields is the last field of every object's metadata (ObjectMeta's field order) and its
# entries hold only strings and fieldsV1 - a trie of objects, never an array - so the first "]"
# after it closes the list, and each entry starts with "manager" (omitted when empty). A "]"
# inside a string leaves an unpaired quote behind the cut, so the text cannot decode and is
# decoded as the server sent it (KubeClient.request); a list whose "]" is not followed by the end
# of metadata is left as it is. Pretty-printed JSON (the API server indents answers to curl-like
# User-Agents) has no match and is decoded whole.
_MANAGED_FIELDS_OPEN = b'"managedFields":['
_MANAGER_NAME = re.compile(rb'(?:\[|\},)\{"manager":("[^"\\]*(?:\\.[^"\\]*)*")')


def compact_managed_fields(raw):
    """JSON text of a LIST with each object's managedFields cut to its managers' names.

    For kinds whose field sets nothing reads (inventory.needs_field_sets): fieldsV1 is a third
    of a Deployment's JSON and, being thousands of tiny objects, half of the time spent
    decoding it (bench/: a page of 500 Deployments 18.5 -> 8.7 ms, compaction 1.2 ms). Bytes in,
    bytes out; anything unexpected returns ``raw`` unchanged.
    """
    out = []
    copied = search = 0  # raw[:copied] is in out; the next list is looked for from search
    find = raw.find
    names = _MANAGER_NAME.findall
    while True:
        i = find(_MANAGED_FIELDS_OPEN, search)
        if i < 0:
            break
        start = i + len(_MANAGED_FIELDS_OPEN)
        end = find(b"]", start)
        if end < 0:
            break
        search = start
        if raw[end - 1 : end] not in (b"}", b"[") or raw[end + 1 : end + 2] != b"}":
            continue  # not the end of metadata: this list stays as it is
        out.append(raw[copied:start])
        out.append(b",".join([b'{"manager":%s}' % name for name in names(raw, start - 1, end)]))
        copied = search = end
    if not out:
        return raw
    out.append(raw[copied:])
    return b"".join(out)


def describe_request(method, path, content_type=None):
    """Human description of a request: 'list ingresses.networking.k8s.io at cluster scope'."""
    bare = path.split("?", 1)[0]
    segments = [s for s in bare.split("/") if s]
    if not segments or segments[0] not in ("api", "apis"):
        return "%s %s" % (method, bare)
    if segments[0] == "api":
        group, rest = "", segments[2:]
    else:
        if len(segments) < 3:
            return "read API discovery (%s %s)" % (method, bare)
        group, rest = segments[1], segments[3:]
    if not rest:
        return "read API discovery (%s %s)" % (method, bare)
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
        namespace, rest = rest[1], rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else None
    sub = "/".join(rest[2:]) if len(rest) > 2 else None
    verb = {
        "GET": "get" if name else "list",
        "POST": "create",
        "PUT": "update",
        "PATCH": "apply" if content_type == APPLY_PATCH else "patch",
        "DELETE": "delete" if name else "deletecollection",
    }.get(method.upper(), method.lower())
    what = "%s.%s" % (resource, group) if group else resource
    if sub:
        what = "%s/%s" % (what, sub)
    text = "%s %s" % (verb, what)
    if name:
        text += ' "%s"' % name
    if namespace:
        text += " in namespace %s" % namespace
    elif not (resource == "namespaces" and name):
        text += " at cluster scope"
    return text


def _rbac_target(method, path):
    """(verb, "resource.group[ scope]") for RBAC hints."""
    desc = describe_request(method, path)
    parts = desc.split(" ")
    verb = parts[0] if parts else method.lower()
    if verb == "apply":
        verb = "patch"
    target = parts[1] if len(parts) > 1 else path
    if " in namespace " in desc:
        target += " in namespace " + desc.rsplit(" in namespace ", 1)[1]
    elif desc.endswith(" at cluster scope"):
        target += " at cluster scope"
    return verb, target


def _short_reason(exc):
    text = str(exc)
    for marker in ("Failed to establish a new connection: ", "Failed to resolve "):
        if marker in text:
            text = text.split(marker, 1)[1]
            break
    text = re.sub(
        r"^(HTTPS?Connection|HTTPSConnectionPool|HTTPConnectionPool)\([^)]*\):\s*", "", text
    )
    return text.strip() or exc.__class__.__name__


def _status_causes(status_obj):
    details = status_obj.get("details") if isinstance(status_obj, dict) else None
    causes = (details or {}).get("causes") or []
    return [c for c in causes if isinstance(c, dict)]


def token_expiry(secrets, now=None):
    """When one of the credentials is a JWT whose ``exp`` has passed, that time (ISO, UTC).

    Reads only the unsigned claims (base64 JSON), never verifies or prints the token: enough
    to tell the user "expired, get a new one" apart from "wrong token" on a 401.
    """
    now = time.time() if now is None else now
    for secret in secrets or ():
        parts = str(secret).split(".")
        if len(parts) != 3:
            continue
        try:
            padded = parts[1] + "=" * (-len(parts[1]) % 4)
            claims = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            exp = float(claims["exp"])
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
            continue
        if exp < now:
            return datetime.datetime.fromtimestamp(exp, datetime.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
    return None


def error_from_response(
    status, body, method, path, server, context=None, content_type=None, secrets=()
):
    """Map an HTTP error answer of the API server to a K8sError (pure; used by KubeClient)."""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    status_obj = {}
    try:
        parsed = json.loads(body) if body else {}
        if isinstance(parsed, dict):
            status_obj = parsed
    except ValueError:
        pass
    api_message = status_obj.get("message") or (body or "").strip()[:300] or "HTTP %d" % status
    api_message = redact(api_message, secrets)
    api_reason = status_obj.get("reason") or ""
    desc = describe_request(method, path, content_type)
    where = "%s (context %s)" % (server, context) if context else server
    causes = _status_causes(status_obj)
    cause_text = "; ".join(
        "%s: %s" % (c.get("field"), c.get("message")) if c.get("field") else str(c.get("message"))
        for c in causes
    )

    if status == 401:
        expired = token_expiry(secrets)
        if expired:
            return K8sError(
                "unauthorized",
                "the bearer token expired at %s and was rejected by the API server at %s "
                "while trying to %s. Get a new token (kubectl create token <serviceaccount>, or "
                "refresh the AWX/Tower credential) and pass it as api_key or in the kubeconfig"
                % (expired, where, desc),
                status=status,
            )
        return K8sError(
            "unauthorized",
            "credentials rejected by the API server at %s (expired or invalid token/cert) while "
            "trying to %s. Refresh the token or client certificate (api_key, client_cert/"
            "client_key, or the kubeconfig user)" % (where, desc),
            status=status,
        )
    if status == 403:
        verb, target = _rbac_target(method, path)
        # The API server names the verb it checked: a server-side apply that would create the
        # object is checked as "create", not "patch".
        checked = re.search(r"cannot (\w+) resource", api_message)
        if checked:
            verb = checked.group(1)
        user = re.search(r'User "([^"]*)"', api_message)
        text = re.sub(r"^.*? is forbidden: ", "", api_message).rstrip(".")
        hint = RBAC_HINT if verb in ("get", "list", "watch") else RBAC_WRITE_HINT
        return K8sError(
            "forbidden",
            "forbidden: %s. Grant '%s' on %s to %s (%s)"
            % (text, verb, target, '"%s"' % user.group(1) if user else "this user", hint),
            status=status,
            details=status_obj.get("details") or {},
        )
    if status == 404:
        details = status_obj.get("details") or {}
        if status_obj.get("kind") == "Status" and details.get("name"):
            msg = "not found: %s (while trying to %s on %s)" % (api_message, desc, where)
        else:
            msg = (
                "not found: %s on %s answered 404 (%s). The API group/version may not be "
                "installed (missing CRD) or the object does not exist" % (desc, where, api_message)
            )
        return K8sError("not_found", msg, status=status, details=details)
    if status == 409:
        managers = []
        for cause in causes:
            managers.extend(re.findall(r'conflict with "([^"]+)"', str(cause.get("message", ""))))
        managers = sorted(set(managers))
        if managers:
            fields = sorted({str(c.get("field")) for c in causes if c.get("field")})
            msg = (
                "conflict: %s failed: %s. Fields %s are owned by field manager(s) %s. Leave these "
                "fields out, or set force=true to take ownership"
                % (desc, api_message, ", ".join(fields) or "?", ", ".join(managers))
            )
        else:
            msg = "conflict: %s failed: %s%s" % (
                desc,
                api_message,
                " (%s)" % cause_text if cause_text else "",
            )
        return K8sError(
            "conflict",
            msg,
            status=status,
            causes=causes,
            managers=managers,
            details=status_obj.get("details") or {},
        )
    if status == 410:
        return K8sError(
            "timeout",
            "expired: %s on %s: %s (410 Gone). The list took longer than the API server keeps "
            "its snapshot; run again (a larger page limit makes fewer, faster pages)"
            % (desc, where, api_message),
            status=status,
        )
    if status in (400, 405, 406, 413, 415, 422):
        extra = ""
        if cause_text and cause_text not in api_message:
            extra = " (%s)" % cause_text
        return K8sError(
            "invalid",
            "invalid: %s rejected by %s: %s%s" % (desc, where, api_message, extra),
            status=status,
            causes=causes,
            details=status_obj.get("details") or {},
        )
    if status in (408, 504) or api_reason == "Timeout":
        return K8sError(
            "timeout",
            "timeout: the API server at %s did not complete %s in time: %s"
            % (where, desc, api_message),
            status=status,
        )
    if status == 429:
        return K8sError(
            "server",
            "the API server at %s is throttling requests (429 Too Many Requests) while trying "
            "to %s: %s. Retry later" % (where, desc, api_message),
            status=status,
        )
    return K8sError(
        "server",
        "the API server at %s failed to %s: HTTP %d %s%s"
        % (where, desc, status, api_message, " (%s)" % api_reason if api_reason else ""),
        status=status,
    )


class KubeClient:
    """Raw JSON access to one API server (one cluster and context).

    ``server`` and ``context`` name the cluster (echo them in results), ``config_source`` says
    where the configuration came from, ``request_counts`` counts requests by HTTP method.
    """

    def __init__(
        self,
        configuration,
        context=None,
        request_timeout=DEFAULT_REQUEST_TIMEOUT,
        impersonate_user=None,
        impersonate_groups=None,
        secrets=(),
        config_source=None,
        rest_module=None,
        pool_factory=None,
    ):
        """``configuration``: a StaticConfig or a kubernetes.client.Configuration.

        The urllib3 pool is ``pool_factory(configuration)``; by default static_pool_manager for a
        StaticConfig, else ``rest_module.RESTClientObject(configuration).pool_manager`` (module
        kubernetes.client.rest unless given).
        """
        import urllib3

        if pool_factory is None:
            if rest_module is None and isinstance(configuration, StaticConfig):
                pool_factory = static_pool_manager
            else:
                if rest_module is None:
                    from kubernetes.client import rest as rest_module

                def pool_factory(cfg, rest_module=rest_module):
                    return rest_module.RESTClientObject(cfg).pool_manager

        self._urllib3 = urllib3
        self.configuration = configuration
        self.server = configuration.host.rstrip("/")
        self.context = context
        self.config_source = config_source
        self.request_timeout = int(request_timeout)
        self.impersonate_user = impersonate_user or None
        self.impersonate_groups = list(impersonate_groups or [])
        self.request_counts = {}
        self._count_lock = threading.Lock()
        self.discovery_warnings = []
        self._secrets = set(secrets or ())
        self._discovery = None
        if not configuration.verify_ssl:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        try:
            self._pool = pool_factory(configuration)
        except Exception as exc:  # bad cert/key/CA files, bad proxy URL
            raise K8sError(
                "tls" if "ssl" in str(exc).lower() or "pem" in str(exc).lower() else "config",
                "cannot set up the connection to %s: %s. Check ca_cert, client_cert, client_key "
                "and proxy" % (self.server, redact(exc, self._secrets)),
            ) from None

    # -- plumbing --------------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self._pool.clear()

    def _where(self):
        return "%s (context %s)" % (self.server, self.context) if self.context else self.server

    def _token(self):
        """Authorization header value; runs the refresh hook (exec plugins, in-cluster tokens).

        Kubeconfig loaders store the token under "BearerToken" (kubernetes >= 25) or
        "authorization" (older), already prefixed.
        """
        cfg = self.configuration
        if cfg.refresh_api_key_hook is not None:
            cfg.refresh_api_key_hook(cfg)
        for key in ("BearerToken", "authorization"):
            value = cfg.api_key.get(key)
            if value:
                prefix = cfg.api_key_prefix.get(key)
                return "%s %s" % (prefix, value) if prefix else value
        return None

    def _headers(self, accept, content_type):
        headers = self._urllib3.HTTPHeaderDict()
        headers["Accept"] = accept or ACCEPT_JSON
        headers["User-Agent"] = USER_AGENT
        if content_type:
            headers["Content-Type"] = content_type
        token = self._token()
        if token:
            headers["Authorization"] = token
            self._secrets.add(token.split(" ", 1)[-1])
        if self.impersonate_user:
            headers["Impersonate-User"] = self.impersonate_user
        for group in self.impersonate_groups:
            headers.add("Impersonate-Group", group)
        return headers

    def _transport_error(self, exc, method, path, timeout):
        e = self._urllib3.exceptions
        desc = describe_request(method, path)
        where = self._where()
        reason = redact(_short_reason(exc), self._secrets)
        name_resolution = getattr(e, "NameResolutionError", ())
        if isinstance(exc, e.ProxyError):
            return K8sError(
                "unreachable",
                "cannot reach the API server at %s through the proxy %s: %s. Check proxy / "
                "no_proxy" % (where, proxy_for_display(self.configuration.proxy), reason),
            )
        if isinstance(exc, e.SSLError):
            text = reason
            hint = (
                "Give the cluster CA with ca_cert (K8S_AUTH_SSL_CA_CERT) or fix "
                "certificate-authority-data in the kubeconfig; validate_certs=false skips the "
                "check (insecure)"
            )
            if "WRONG_VERSION_NUMBER" in text.upper() or "wrong version number" in text:
                hint = "The server does not speak TLS here: check the scheme (http/https) in host"
            elif "certificate verify failed" not in text and (
                self.configuration.cert_file or self.configuration.key_file
            ):
                hint += "; check client_cert/client_key"
            return K8sError(
                "tls",
                "TLS handshake with the API server at %s failed: %s. %s" % (where, text, hint),
            )
        if (name_resolution and isinstance(exc, name_resolution)) or isinstance(
            exc, e.NewConnectionError
        ):
            return K8sError(
                "unreachable",
                "cannot reach the API server at %s: %s. Check host/kubeconfig/context and that "
                "the cluster is up" % (where, reason),
            )
        if isinstance(exc, e.ConnectTimeoutError):
            return K8sError(
                "unreachable",
                "cannot reach the API server at %s: no connection within %ss. Check "
                "host/kubeconfig/context, firewalls and that the cluster is up" % (where, timeout),
            )
        if isinstance(exc, e.ReadTimeoutError):
            return K8sError(
                "timeout",
                "timeout: the API server at %s did not answer within %ss (request_timeout) while "
                "trying to %s. Raise request_timeout or check the API server's load"
                % (where, timeout, desc),
            )
        if isinstance(exc, (e.LocationParseError, e.LocationValueError)):
            return K8sError("config", "invalid API server URL %s: %s" % (self.server, reason))
        return K8sError(
            "unreachable",
            "cannot reach the API server at %s: %s (while trying to %s). Check "
            "host/kubeconfig/context and that the cluster is up" % (where, reason, desc),
        )

    def raw_request(
        self, method, path, query=None, body=None, content_type=None, timeout=None, accept=None
    ):
        """Send one request; return ``(status, headers, body bytes)`` for 2xx, raise otherwise."""
        method = method.upper()
        if not path.startswith("/"):
            path = "/" + path
        url = self.server + path
        if query:
            url += ("&" if "?" in path else "?") + urlencode(
                [(k, v) for k, v in query.items() if v is not None], doseq=True
            )
        data = None
        if body is not None:
            if isinstance(body, (bytes, bytearray)):
                data = bytes(body)
            elif isinstance(body, str):
                data = body.encode("utf-8")
            else:
                data = json.dumps(body, separators=(",", ":")).encode("utf-8")
                content_type = content_type or ACCEPT_JSON
        timeout = self.request_timeout if timeout is None else timeout
        headers = self._headers(accept, content_type)
        with self._count_lock:  # collect_live lists kinds from several threads
            self.request_counts[method] = self.request_counts.get(method, 0) + 1
        e = self._urllib3.exceptions
        try:
            resp = self._pool.request(
                method,
                url,
                body=data,
                headers=headers,
                timeout=self._urllib3.Timeout(connect=timeout, read=timeout),
                retries=False,
                redirect=False,
                preload_content=False,
            )
            try:
                raw = resp.read()
            finally:
                resp.release_conn()
        except e.HTTPError as exc:
            raise self._transport_error(exc, method, path, timeout) from None
        except OSError as exc:
            raise self._transport_error(exc, method, path, timeout) from None
        if resp.status >= 400 or resp.status < 200:
            raise error_from_response(
                resp.status,
                raw,
                method,
                path,
                self.server,
                self.context,
                content_type,
                self._secrets,
            )
        return resp.status, resp.headers, raw

    def request(
        self,
        method,
        path,
        query=None,
        body=None,
        content_type=None,
        timeout=None,
        accept=None,
        compact=None,
    ):
        """One API request; returns the decoded JSON answer ({} when empty).

        ``body`` (dict/list) is sent as JSON; ``content_type`` defaults to application/json
        (use APPLY_PATCH, "application/merge-patch+json", ...). ``timeout`` (seconds) defaults to
        request_timeout. ``compact(raw) -> raw`` may shorten the answer's JSON text before it is
        decoded; if its text does not decode, the answer is decoded as sent. Raises K8sError.
        """
        status, headers, raw = self.raw_request(
            method,
            path,
            query=query,
            body=body,
            content_type=content_type,
            timeout=timeout,
            accept=accept,
        )
        if not raw:
            return {}
        try:
            with gc_paused():
                if compact is not None:
                    try:
                        return json.loads(compact(raw))
                    except ValueError:
                        pass  # a "]" in a string fooled it: decode what the server sent
                return json.loads(raw)
        except ValueError:
            raise K8sError(
                "server",
                "the server at %s answered %s %s with non-JSON content (Content-Type %s). Is host "
                "pointing at a Kubernetes API server (not a proxy or dashboard)?"
                % (self.server, method.upper(), path, headers.get("Content-Type", "unknown")),
                status=status,
            ) from None

    # -- reads -----------------------------------------------------------------------------

    def list_items(self, path, limit=500, reduce=None, query=None, field_sets=True):
        """Yield the items of a LIST, page by page (``limit`` per request, following
        ``metadata.continue``).

        Items keep their raw JSON form; ``apiVersion``/``kind`` are filled in from the list when
        the server left them out (built-in types do). ``reduce(item)`` is applied to each item
        as its page arrives and its result is yielded instead (None results are dropped), so
        only one page of full objects is in memory at a time. ``field_sets=False``: each item's
        ``metadata.managedFields`` keeps only its entries' ``manager`` (see
        compact_managed_fields). An expired continue token (410) raises
        K8sError(reason="timeout").
        """
        compact = None if field_sets else compact_managed_fields
        cont = None
        page = 0
        while True:
            q = dict(query or {})
            if limit:
                q["limit"] = int(limit)
            if cont:
                q["continue"] = cont
            try:
                body = self.request("GET", path, query=q, compact=compact)
            except K8sError as exc:
                if exc.status == 410 and cont:
                    raise K8sError(
                        "timeout",
                        "expired: the continue token for %s expired after %d page(s) of %d (410 "
                        "Gone): the list took longer than the API server keeps its snapshot. Run "
                        "again; a larger limit makes fewer pages"
                        % (describe_request("GET", path), page, limit or 0),
                        status=410,
                    ) from None
                raise
            page += 1
            items = body.get("items") or []
            list_kind = body.get("kind") or ""
            item_kind = (
                list_kind[:-4] if list_kind.endswith("List") and list_kind != "List" else None
            )
            api_version = body.get("apiVersion")
            cont = (body.get("metadata") or {}).get("continue")
            del body
            for item in items:
                if item_kind and isinstance(item, dict):
                    if "kind" not in item:
                        item["kind"] = item_kind
                    if "apiVersion" not in item and api_version:
                        item["apiVersion"] = api_version
                if reduce is None:
                    yield item
                else:
                    reduced = reduce(item)
                    if reduced is not None:
                        yield reduced
            del items
            if not cont:
                return

    def discover(self, refresh=False):
        """Map (group, kind) -> {"version", "resource", "namespaced", "versions"}.

        Uses aggregated discovery: two requests (``GET /api`` and ``GET /apis``). A server that
        does not support it (< 1.26, or the feature off) is read the legacy way, one request per
        group version. ``version`` is the preferred version serving the kind, ``versions`` all of
        them in preference order. Group-versions the server could not list (an aggregated API
        down) are skipped and named in ``discovery_warnings``. Cached per client.
        """
        if self._discovery is not None and not refresh:
            return self._discovery
        self.discovery_warnings = []
        out = {}
        for path in ("/api", "/apis"):
            doc = self.request("GET", path, accept=ACCEPT_AGGREGATED_DISCOVERY)
            if doc.get("kind") == "APIGroupDiscoveryList":
                self._merge_aggregated(doc, out)
            elif path == "/api":
                self._legacy_core(doc, out)
            else:
                self._legacy_groups(doc, out)
        self._discovery = out
        return out

    def _add(self, out, group, version, resource, kind, namespaced):
        if not kind or not resource or "/" in resource:
            return
        entry = out.get((group, kind))
        if entry is None:
            out[(group, kind)] = {
                "version": version,
                "resource": resource,
                "namespaced": bool(namespaced),
                "versions": [version],
            }
        elif version not in entry["versions"]:
            entry["versions"].append(version)

    def _merge_aggregated(self, doc, out):
        for item in doc.get("items") or []:
            group = (item.get("metadata") or {}).get("name") or ""
            for ver in item.get("versions") or []:
                version = ver.get("version")
                if ver.get("freshness") == "Stale":
                    self.discovery_warnings.append(
                        "discovery of %s is stale (its API service is unavailable)"
                        % ("%s/%s" % (group, version) if group else version)
                    )
                for res in ver.get("resources") or []:
                    kind = (res.get("responseKind") or {}).get("kind")
                    self._add(
                        out,
                        group,
                        version,
                        res.get("resource"),
                        kind,
                        res.get("scope") == "Namespaced",
                    )

    def _legacy_resources(self, out, group, version, path):
        try:
            doc = self.request("GET", path)
        except K8sError as exc:
            if exc.reason in ("unreachable", "tls", "unauthorized", "timeout"):
                raise
            self.discovery_warnings.append("cannot discover %s: %s" % (path, exc.message))
            return
        for res in doc.get("resources") or []:
            self._add(out, group, version, res.get("name"), res.get("kind"), res.get("namespaced"))

    def _legacy_core(self, doc, out):
        for version in doc.get("versions") or ["v1"]:
            self._legacy_resources(out, "", version, "/api/%s" % version)

    def _legacy_groups(self, doc, out):
        for group in doc.get("groups") or []:
            name = group.get("name") or ""
            preferred = (group.get("preferredVersion") or {}).get("version")
            versions = [v.get("version") for v in group.get("versions") or [] if v.get("version")]
            if preferred in versions:
                versions.remove(preferred)
                versions.insert(0, preferred)
            for version in versions:
                self._legacy_resources(out, name, version, "/apis/%s/%s" % (name, version))

    def resource_path(self, api_version, kind, namespace=None, name=None):
        """API path of a kind (its collection, or one object with ``name``), via discover().

        Raises K8sError not_found when the kind or version is not served, invalid when a
        namespaced kind is given no namespace for a named object.
        """
        group, version = api_version.rsplit("/", 1) if "/" in api_version else ("", api_version)
        info = self.discover().get((group, kind))
        if info is None:
            raise K8sError(
                "not_found",
                "not found: kind %s (apiVersion %s) is not served by the API server at %s. "
                "Install its CRD / enable its API, or check apiVersion and kind"
                % (kind, api_version, self._where()),
                status=404,
            )
        if version not in info["versions"]:
            raise K8sError(
                "not_found",
                "not found: %s %s is not served by the API server at %s (served versions: %s)"
                % (api_version, kind, self._where(), ", ".join(info["versions"])),
                status=404,
            )
        prefix = "/api/%s" % version if not group else "/apis/%s/%s" % (group, version)
        if info["namespaced"] and namespace:
            prefix += "/namespaces/%s" % quote(namespace, safe="")
        elif info["namespaced"] and name:
            raise K8sError(
                "invalid",
                "invalid: %s %s is namespaced; metadata.namespace is required" % (kind, name),
            )
        path = "%s/%s" % (prefix, info["resource"])
        if name:
            path += "/%s" % quote(name, safe="")
        return path

    # -- writes ----------------------------------------------------------------------------

    def apply(self, obj, field_manager, dry_run=False, force=False):
        """Server-side apply ``obj`` (a partial manifest of the fields we own).

        PATCH with ``application/apply-patch+yaml`` (the body is JSON, which is YAML) to the path
        found through discover(), ``fieldManager=field_manager``; ``dry_run`` adds
        ``dryRun=All`` (nothing is written; use it for check mode), ``force`` takes ownership of
        fields held by other managers. Returns the object as the server has (or would have)
        stored it. A 409 raises K8sError(reason="conflict") naming the other field managers.
        """
        if not field_manager:
            raise K8sError("invalid", "invalid: server-side apply needs a field_manager")
        if not isinstance(obj, dict):
            raise K8sError(
                "invalid", "invalid: apply needs an object (dict), got %s" % type(obj).__name__
            )
        api_version = obj.get("apiVersion")
        kind = obj.get("kind")
        metadata = obj.get("metadata") or {}
        name = metadata.get("name")
        if not api_version or not kind or not name:
            raise K8sError(
                "invalid",
                "invalid: an applied object needs apiVersion, kind and metadata.name (got %s/%s %s)"
                % (api_version, kind, name),
            )
        path = self.resource_path(api_version, kind, metadata.get("namespace"), name)
        query = {"fieldManager": field_manager}
        if force:
            query["force"] = "true"
        if dry_run:
            query["dryRun"] = "All"
        return self.request("PATCH", path, query=query, body=obj, content_type=APPLY_PATCH)
