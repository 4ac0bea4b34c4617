# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""Offline sources for ``src``: Kubernetes objects read from files instead of a cluster.

``load_sources(paths) -> (objects, warnings)`` accepts files and directories:

* a directory is walked recursively in lexical path order, like ``kubectl apply -R``; only
  ``*.yaml``, ``*.yml`` and ``*.json`` files are read there, hidden files and directories
  (``.git``, editor backups) are skipped;
* a file named explicitly is read whatever its extension (e.g. upstream ``*.yaml.in``);
* multi-document YAML (Helm output with ``# Source:`` comments and empty documents, static
  install manifests), JSON, ``kind: List`` (``kubectl get -A -o yaml|json`` dumps) and typed
  lists such as ``DeploymentList`` are all understood; lists are expanded recursively.

Objects are returned as parsed, never modified, except that items of a typed list
(``DeploymentList``) that lack ``apiVersion``/``kind`` get them from the list (what kubectl
does), in a new dict, and so do namespaced objects without a namespace when one is given. A
document that is not a Kubernetes object, or one the API server would refuse for its name, is
skipped with a warning that names the file and the document number; a syntax error or an unreadable path raises
``SourceError`` naming the file (and line and column).

Pure Python + PyYAML (libyaml's CSafeLoader when available). Python 3.8 compatible.
"""

from __future__ import annotations

import json
import os

try:
    import yaml

    HAS_YAML = True
    _BaseLoader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    yaml = None
    HAS_YAML = False
    _BaseLoader = object

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.gc_pause import gc_paused
from ansible_collections.meshgate.istio_lb.plugins.module_utils.names import object_name_problem
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import (
    CLUSTER_SCOPED,
    read_kinds,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.shape import shape_problem

DIRECTORY_EXTENSIONS = (".yaml", ".yml", ".json")

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


if HAS_YAML:

    class _Loader(_BaseLoader):
        """Safe loader that keeps timestamps as strings, as the API server does (a date in an
        annotation or a creationTimestamp stays a str, so results stay JSON-serialisable)."""

    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }
else:  # pragma: no cover
    _Loader = None


class SourceError(Exception):
    """An offline source cannot be used: missing/unreadable path or a syntax error."""

    def __init__(self, message, path=None, line=None, column=None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __str__(self):
        return self.message


def _as_list(paths):
    if paths is None:
        return []
    if isinstance(paths, (str, bytes, os.PathLike)):
        return [paths]
    return list(paths)


def _walk(directory, _visited=None):
    """Manifest files under ``directory`` in lexical path order (as ``kubectl apply -R`` walks:
    entries sorted by name, a sub-directory read where its name sorts), hidden entries skipped.
    """
    visited = set() if _visited is None else _visited
    real = os.path.realpath(directory)
    if real in visited:  # symlink loop
        return []
    visited.add(real)
    found = []
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as exc:
        raise SourceError(
            "src: cannot read directory %s: %s" % (directory, exc.strerror or exc), path=directory
        ) from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            found.extend(_walk(entry.path, visited))
        elif entry.is_file() and entry.name.lower().endswith(DIRECTORY_EXTENSIONS):
            found.append(entry.path)
    return found


def _expand(paths):
    """(files to read, warnings) for the given paths, in order, without duplicates."""
    files = []
    warnings = []
    seen = set()
    for raw in _as_list(paths):
        if raw is None or raw == "":
            raise SourceError("src: empty path given")
        path = os.path.expanduser(os.fspath(raw))
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not os.path.exists(path):
            raise SourceError("src: %s does not exist" % path, path=path)
        if os.path.isdir(path):
            if not os.access(path, os.R_OK | os.X_OK):
                raise SourceError("src: directory %s is not readable" % path, path=path)
            listed = _walk(path)
            if not listed:
                warnings.append(
                    "%s: no *.yaml, *.yml or *.json files in this directory; nothing read" % path
                )
        else:
            listed = [path]
        for item in listed:
            key = os.path.realpath(item)
            if key not in seen:
                seen.add(key)
                files.append(item)
    return files, warnings


def _read(path):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise SourceError(
            "src: cannot read %s: %s" % (path, exc.strerror or exc), path=path
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            "src: %s is not UTF-8 text (invalid byte at line %d); is it a binary file?"
            % (path, line),
            path=path,
            line=line,
        ) from None


# libyaml stops at 1,000 levels with an error; JSON gets the same bound. Python's JSON decoder
# recurses per level, and where it stops depends on the version (3.13 parses 5,000 levels that
# 3.11 refuses), so the bound is checked on what it returns, not left to the interpreter.
MAX_DEPTH = 1000


def _too_deep(path):
    return SourceError(
        "src: %s: JSON nested too deep (more than %d levels of arrays and objects); no "
        "Kubernetes object nests like that: is it the right file?" % (path, MAX_DEPTH),
        path=path,
    )


def _deeper_than(value, limit):
    """Whether arrays and objects nest more than ``limit`` levels (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def _json_loads(path, text):
    """json.loads bounded to MAX_DEPTH levels, whatever the interpreter's own limit."""
    try:
        with gc_paused():
            value = json.loads(text)
    except RecursionError:
        raise _too_deep(path) from None
    if _deeper_than(value, MAX_DEPTH):
        raise _too_deep(path)
    return value


def _parse_json(path, text):
    try:
        return [_json_loads(path, text)]
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        column = getattr(exc, "colno", None)
        raise SourceError(
            "src: %s: JSON syntax error at line %s, column %s: %s"
            % (path, line, column, getattr(exc, "msg", exc)),
            path=path,
            line=line,
            column=column,
        ) from None


def _parse_yaml(path, text):
    if not HAS_YAML:  # pragma: no cover
        raise SourceError("src: PyYAML is required to read %s" % path, path=path)
    try:
        with gc_paused():
            return list(yaml.load_all(text, Loader=_Loader))  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        if context:
            problem = "%s (%s)" % (problem, context)
        if mark is not None:
            line, column = mark.line + 1, mark.column + 1
            msg = "src: %s: YAML syntax error at line %d, column %d: %s" % (
                path,
                line,
                column,
                problem,
            )
        else:
            line = column = None
            msg = "src: %s: YAML syntax error: %s" % (path, problem)
        raise SourceError(msg, path=path, line=line, column=column) from None


def _parse(path, text):
    """Documents of one file (JSON fast path for JSON files and JSON-looking content)."""
    stripped = text.lstrip()
    if path.lower().endswith(".json"):
        if not stripped:
            return []
        return _parse_json(path, text)
    if stripped.startswith("{"):
        try:
            return [_json_loads(path, text)]
        except ValueError:
            pass  # YAML flow mapping or several documents: let YAML parse and report
    return _parse_yaml(path, text)


def _is_list(doc):
    kind = doc.get("kind")
    if not isinstance(kind, str) or not kind.endswith("List"):
        return False
    return "items" in doc and (doc["items"] is None or isinstance(doc["items"], list))


def _collect(doc, where, objects, warnings, inherited=None):
    """Append the Kubernetes objects in ``doc`` (expanding lists) to ``objects``."""
    if not isinstance(doc, dict):
        warnings.append(
            "%s is not a Kubernetes object (a %s, not a mapping); skipped"
            % (where, type(doc).__name__)
        )
        return
    if inherited and ("apiVersion" not in doc or "kind" not in doc):
        filled = dict(inherited)
        filled.update(doc)
        doc = filled
    if _is_list(doc):
        item_kind = doc["kind"][: -len("List")]
        child_defaults = None
        if item_kind and doc.get("apiVersion"):
            child_defaults = {"apiVersion": doc["apiVersion"], "kind": item_kind}
        for index, item in enumerate(doc.get("items") or []):
            _collect(item, "%s, items[%d]" % (where, index), objects, warnings, child_defaults)
        return
    missing = [key for key in ("apiVersion", "kind") if not doc.get(key)]
    if missing:
        warnings.append(
            "%s is not a Kubernetes object (no %s); skipped" % (where, " or ".join(missing))
        )
        return
    if not isinstance(doc.get("apiVersion"), str) or not isinstance(doc.get("kind"), str):
        warnings.append(
            "%s is not a Kubernetes object (apiVersion/kind not strings); skipped" % where
        )
        return
    # Checked for the kinds detection reads (their name rules are known); other documents,
    # a kustomization.yaml or an IPAddress named by its IP, pass as before.
    problem = (object_name_problem(doc) or shape_problem(doc)) if _read_kind(doc) else None
    if problem:
        warnings.append(
            "%s (%s) would be refused by the API server: %s; skipped"
            % (where, doc["kind"], problem)
        )
        return
    objects.append(doc)


_READ_KINDS = frozenset(read_kinds())


def _read_kind(doc):
    return (doc["apiVersion"].rpartition("/")[0], doc["kind"]) in _READ_KINDS


def load_file(path):
    """Objects and warnings of one file (see load_sources)."""
    objects = []
    warnings = []
    documents = _parse(path, _read(path))
    for number, doc in enumerate(documents, start=1):
        if doc is None:
            continue  # empty document: "---" separators, Helm templates rendered to nothing
        _collect(doc, "%s: document %d" % (path, number), objects, warnings)
    return objects, warnings


def load_sources(paths, namespace=None):
    """Read Kubernetes objects from files and directories.

    ``paths``: a path or a list of paths (files or directories). Returns
    ``(objects, warnings)``: the objects in file order then document order, and one warning
    per skipped document or empty directory. Raises SourceError for a missing or unreadable
    path and for a YAML/JSON syntax error (naming the file, line and column).
    ``namespace``: the namespace of namespaced objects that name none, as ``kubectl apply -n``
    gives them (Helm output leaves it out of some charts' objects); each such object is
    returned as a new dict.
    """
    files, warnings = _expand(paths)
    objects = []
    for path in files:
        found, file_warnings = load_file(path)
        objects.extend(found)
        warnings.extend(file_warnings)
    if namespace:
        objects = with_namespace(objects, namespace)
    return objects, warnings


def with_namespace(objects, namespace):
    """The objects, those of a namespaced kind without metadata.namespace given ``namespace``.

    A kind is namespaced unless Kubernetes' own cluster-scoped kinds (read/kinds.py) or a
    CustomResourceDefinition among the objects with ``scope: Cluster`` say otherwise, as the
    discovery that ``kubectl apply -n`` consults would."""
    cluster_scoped = set(CLUSTER_SCOPED) | _cluster_scoped_custom_kinds(objects)
    out = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        key = (obj["apiVersion"].rpartition("/")[0], obj["kind"])
        if meta.get("namespace") or key in cluster_scoped or key in _CLUSTER_SCOPED_EXTRA:
            out.append(obj)
            continue
        out.append(dict(obj, metadata=dict(meta, namespace=namespace)))
    return out


# Cluster-scoped kinds detection never reads, so read/kinds.py does not list them.
_CLUSTER_SCOPED_EXTRA = frozenset(
    (
        ("", "PersistentVolume"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("apiregistration.k8s.io", "APIService"),
        ("policy", "PodSecurityPolicy"),
        ("node.k8s.io", "RuntimeClass"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
    )
)


def _cluster_scoped_custom_kinds(objects):
    out = set()
    for obj in objects:
        if obj["kind"] != "CustomResourceDefinition":
            continue
        spec = obj.get("spec") or {}
        names = spec.get("names") or {}
        if spec.get("scope") == "Cluster" and names.get("kind"):
            out.add((spec.get("group") or "", names["kind"]))
    return out
