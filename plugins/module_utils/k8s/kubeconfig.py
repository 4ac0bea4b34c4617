# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""Kubeconfig loading: ``KubeconfigSource`` reads one kubeconfig (a dict, or ``:``-separated
files merged as kubectl does), validated up front for clear errors, and picks the context;
``load_kubeconfig`` turns the selected context into a configuration, a StaticConfig for static
credentials (no ``kubernetes`` import) or kubernetes' own Configuration for the rest.
"""

from __future__ import annotations

import os

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.kubernetes_import import (
    import_kubernetes,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.redact import (
    kubeconfig_no_log_values,
    redact,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.static_config import (
    StaticConfig,
    StaticConfigError,
    StaticKubeconfigLoader,
    kubeconfig_root,
)

DEFAULT_KUBECONFIG = "~/.kube/config"


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


def kubeconfig_paths(value):
    sep = ";" if os.name == "nt" else ":"
    return [os.path.expanduser(os.path.expandvars(p)) for p in value.split(sep) if p]


def default_kubeconfig(environ):
    return environ.get("KUBECONFIG") or DEFAULT_KUBECONFIG


class KubeconfigSource:
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
        paths = kubeconfig_paths(value)
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


def load_kubeconfig(kc, auth, origin, secrets):
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
        loader = StaticKubeconfigLoader(kubeconfig_root(kc), context)
        if loader.is_static():
            cfg = StaticConfig()
            loader.load_and_set(cfg)
    except Exception as exc:
        raise _kubeconfig_error(exc, context, kc, secrets, StaticConfigError) from None
    if cfg is None:
        k8s_configuration, rest_module, kube_config, _incluster, ConfigException = (
            import_kubernetes()
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
