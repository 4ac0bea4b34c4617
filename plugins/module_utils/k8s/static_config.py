# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""Static credentials without the ``kubernetes`` package: a step-by-step mirror of kubernetes'
KubeConfigLoader (``StaticKubeconfigLoader`` over ``_ConfigNode`` / ``_FileOrData``, with the
temporary files written for ``*-data`` fields) for a kubeconfig user with only a token, token
file, client certificate/key or username/password, and ``StaticConfig``, the connection
settings it fills in (what kubernetes.client.Configuration holds for KubeClient).
"""

from __future__ import annotations

import base64
import os

# Importing kubernetes costs ~0.1 s of CPU and 10+ MB per module run (pydantic, requests,
# oauthlib, every API model). Credentials that need none of its code - a token, a token file,
# client certificates, basic auth, or nothing - are loaded by the classes below, which mirror
# kubernetes.config.kube_config (ConfigNode, FileOrData, KubeConfigLoader, and the per-file paths
# of KubeConfigMerger) and the pool of kubernetes.client.rest.RESTClientObject step by step, error
# messages included (adapted from the Kubernetes Python client, Copyright The Kubernetes Authors,
# Apache License 2.0 like this collection). One deliberate difference: a token file is trimmed,
# as client-go does. A user with exec or auth-provider (or any key not listed here) and the
# in-cluster service account still go through kubernetes. The pool is static_pool_manager in
# transport.py. tests/unit/plugins/module_utils/test_k8s_static_config.py builds both and
# compares them.


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


class StaticConfigError(Exception):
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
            raise StaticConfigError(
                "Invalid kube-config file. Expected key %s in %s" % (key, self.name)
            )
        if isinstance(value, (dict, list)):
            return _ConfigNode("%s/%s" % (self.name, key), value, self.path)
        return value

    def get_with_name(self, name, safe=False):
        if not isinstance(self.value, list):
            raise StaticConfigError(
                "Invalid kube-config file. Expected %s to be a list" % self.name
            )
        result = None
        for item in self.value:
            if "name" not in item:
                raise StaticConfigError(
                    "Invalid kube-config file. Expected all values in %s list to have 'name' key"
                    % self.name
                )
            if item["name"] == name:
                if result is None:
                    result = item
                else:
                    raise StaticConfigError(
                        "Invalid kube-config file. Expected only one object with name %s in %s "
                        "list" % (name, self.name)
                    )
        if result is not None:
            if isinstance(result, _ConfigNode):
                return result
            return _ConfigNode("%s[name=%s]" % (self.name, name), result, self.path)
        if safe:
            return None
        raise StaticConfigError(
            "Invalid kube-config file. Expected object with name %s in %s list" % (name, self.name)
        )


def kubeconfig_root(kc):
    """A KubeconfigSource as kubernetes' KubeConfigLoader sees it.

    A dict is used as is (relative paths then resolve against the working directory). Files are
    already merged by KubeconfigSource (first definition of a name wins); each entry keeps the
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
            raise StaticConfigError("File does not exist: %s" % self._file)
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


class StaticKubeconfigLoader:
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
            raise StaticConfigError(
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
        # config_base_path=None, as load_kubeconfig gives kubernetes' loader.
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
                raise StaticConfigError(
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
