# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""Offline sources: files, directories, multi-document YAML, JSON, lists, Helm output."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from shared_fixtures import SHARED_FIXTURES  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.read import sources
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import (
    SourceError,
    load_sources,
)

REPO = Path(__file__).resolve().parents[4]


def upstream(relpath):
    """A real upstream manifest of the shared fixtures (controllers/..., upstream/...)."""
    for base in (SHARED_FIXTURES, SHARED_FIXTURES / "upstream"):
        candidate = base / relpath
        if candidate.is_file():
            return candidate
    pytest.skip("upstream fixture %s not available" % relpath)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def names(objects):
    return [(o["kind"], o["metadata"]["name"]) for o in objects]


SVC = """apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: default
spec:
  type: LoadBalancer
  ports:
  - port: 80
"""


# --- YAML documents ---------------------------------------------------------------------------


def test_multi_document_yaml_in_order(tmp_path):
    f = write(
        tmp_path / "m.yaml",
        "---\n" + SVC.format(name="a") + "---\n" + SVC.format(name="b") + "...\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c, namespace: x}\n",
    )
    objects, warnings = load_sources(str(f))
    assert names(objects) == [("Service", "a"), ("Service", "b"), ("Deployment", "c")]
    assert warnings == []
    assert objects[0]["spec"]["ports"] == [{"port": 80}]


def test_helm_output_source_comments_and_empty_documents(tmp_path):
    text = (
        "---\n# Source: chart/templates/serviceaccount.yaml\n"
        "---\n# Source: chart/templates/service.yaml\n" + SVC.format(name="web") + "---\n"
        "---\n# Source: chart/templates/disabled.yaml\n\n"
        "---\n# Source: chart/templates/deployment.yaml\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
    )
    objects, warnings = load_sources(write(tmp_path / "rendered.yaml", text))
    assert names(objects) == [("Service", "web"), ("Deployment", "web")]
    assert warnings == []


def test_empty_file_gives_nothing(tmp_path):
    assert load_sources(write(tmp_path / "empty.yaml", "")) == ([], [])
    assert load_sources(write(tmp_path / "comments.yaml", "# only\n---\n# comments\n")) == ([], [])


def test_timestamps_and_dates_stay_strings(tmp_path):
    f = write(
        tmp_path / "ts.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
        "  creationTimestamp: 2024-01-02T03:04:05Z\n"
        "  annotations:\n    released: 2024-01-02\n",
    )
    (obj,), _warnings = load_sources(f)
    assert obj["metadata"]["creationTimestamp"] == "2024-01-02T03:04:05Z"
    assert obj["metadata"]["annotations"]["released"] == "2024-01-02"
    json.dumps(obj)  # results cross a process boundary as JSON


# --- JSON and lists -----------------------------------------------------------------------------


def test_json_object_file(tmp_path):
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "j"}}
    objects, warnings = load_sources(write(tmp_path / "svc.json", json.dumps(obj)))
    assert objects == [obj]
    assert warnings == []


def test_kubectl_get_json_list_is_expanded(tmp_path):
    dump = {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"resourceVersion": ""},
        "items": [
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s1", "namespace": "a"}},
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d1"}},
        ],
    }
    objects, warnings = load_sources(write(tmp_path / "dump.json", json.dumps(dump, indent=2)))
    assert names(objects) == [("Service", "s1"), ("Deployment", "d1")]
    assert objects[0] == dump["items"][0]  # unchanged
    assert warnings == []


def test_kubectl_get_all_namespaces_yaml_dump(tmp_path):
    text = """apiVersion: v1
items:
- apiVersion: v1
  kind: Service
  metadata:
    creationTimestamp: "2026-01-01T00:00:00Z"
    name: kubernetes
    namespace: default
  spec:
    type: ClusterIP
- apiVersion: networking.k8s.io/v1
  kind: Ingress
  metadata:
    name: web
    namespace: shop
kind: List
metadata:
  resourceVersion: ""
"""
    objects, warnings = load_sources(write(tmp_path / "all.yaml", text))
    assert names(objects) == [("Service", "kubernetes"), ("Ingress", "web")]
    assert warnings == []


def test_typed_list_items_get_apiversion_and_kind(tmp_path):
    text = """apiVersion: apps/v1
kind: DeploymentList
metadata: {resourceVersion: "12"}
items:
- metadata: {name: a, namespace: n}
  spec: {replicas: 1}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: b, namespace: n}
"""
    objects, warnings = load_sources(write(tmp_path / "deployments.yaml", text))
    assert warnings == []
    assert objects[0] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "a", "namespace": "n"},
        "spec": {"replicas": 1},
    }
    assert objects[1]["metadata"]["name"] == "b"


def test_nested_lists_and_null_items(tmp_path):
    text = """apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceList
  items:
  - metadata: {name: inner}
- apiVersion: v1
  kind: List
  items: null
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cm}
"""
    objects, warnings = load_sources(write(tmp_path / "nested.yaml", text))
    assert names(objects) == [("Service", "inner"), ("ConfigMap", "cm")]
    assert objects[0]["apiVersion"] == "v1"
    assert warnings == []


def test_kind_ending_in_list_without_items_is_an_object(tmp_path):
    text = "apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: x}\nspec: {ips: []}\n"
    objects, warnings = load_sources(write(tmp_path / "crd-object.yaml", text))
    assert names(objects) == [("AllowList", "x")]
    assert warnings == []


# --- non-Kubernetes documents: warnings ------------------------------------------------------


def test_non_kubernetes_documents_are_skipped_with_warnings(tmp_path):
    f = write(
        tmp_path / "mixed.yaml",
        SVC.format(name="ok")
        + "---\njust a string\n"
        + "---\n- a\n- list\n"
        + "---\nreplicaCount: 2\nimage: {tag: v1}\n"
        + "---\nkind: Service\nmetadata: {name: noversion}\n"
        + "---\n"
        + SVC.format(name="ok2"),
    )
    objects, warnings = load_sources(f)
    assert names(objects) == [("Service", "ok"), ("Service", "ok2")]
    assert len(warnings) == 4
    for number, warning in zip((2, 3, 4, 5), warnings, strict=True):
        assert str(f) in warning
        assert "document %d" % number in warning
        assert "skipped" in warning
    assert "not a mapping" in warnings[0]
    assert "no apiVersion or kind" in warnings[2]
    assert "no apiVersion" in warnings[3]


def test_bad_list_item_warns_with_index(tmp_path):
    text = "apiVersion: v1\nkind: List\nitems:\n- 42\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n"
    f = write(tmp_path / "list.yaml", text)
    objects, warnings = load_sources(f)
    assert names(objects) == [("Service", "s")]
    assert len(warnings) == 1
    assert str(f) in warnings[0] and "document 1, items[0]" in warnings[0]


# --- errors -------------------------------------------------------------------------------------


def test_yaml_syntax_error_names_file_line_and_column(tmp_path):
    f = write(
        tmp_path / "broken.yaml",
        SVC.format(name="fine")
        + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n",
    )
    with pytest.raises(SourceError) as info:
        load_sources(f)
    err = info.value
    assert err.path == str(f)
    assert str(f) in str(err)
    assert "YAML syntax error at line" in str(err)
    assert err.line is not None and err.line >= 14
    assert err.column is not None
    assert "line %d, column %d" % (err.line, err.column) in str(err)


def test_yaml_bad_indentation_error(tmp_path):
    f = write(tmp_path / "indent.yml", "apiVersion: v1\nkind: Service\n metadata: x\n")
    with pytest.raises(SourceError, match=r"indent\.yml: YAML syntax error at line 3, column"):
        load_sources(f)


def test_json_syntax_error_names_file_line_and_column(tmp_path):
    f = write(tmp_path / "bad.json", '{\n  "apiVersion": "v1",\n  "kind": "Service",,\n}\n')
    with pytest.raises(SourceError) as info:
        load_sources(f)
    assert info.value.line == 3
    assert info.value.column is not None
    assert "bad.json: JSON syntax error at line 3, column" in str(info.value)


def test_missing_path_raises(tmp_path):
    missing = tmp_path / "nope" / "manifest.yaml"
    with pytest.raises(SourceError, match="does not exist") as info:
        load_sources([str(missing)])
    assert str(missing) in str(info.value)


def test_binary_file_raises(tmp_path):
    f = tmp_path / "image.yaml"
    f.write_bytes(b"apiVersion: v1\n\xff\xfe\x00binary")
    with pytest.raises(SourceError, match="not UTF-8"):
        load_sources(f)


def test_unreadable_file_raises(tmp_path, monkeypatch):
    # The suite runs as root here, where chmod 0 reads anyway: the permission error is raised
    # for that one file instead, as the OS would for any other user.
    f = write(tmp_path / "secret.yaml", SVC.format(name="s"))
    write(tmp_path / "other.yaml", SVC.format(name="o"))

    def deny(path, *args, **kwargs):
        if str(path) == str(f):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(sources, "open", deny, raising=False)
    with pytest.raises(SourceError, match="cannot read .*secret.yaml: Permission denied"):
        load_sources(str(tmp_path))


def test_unreadable_directory_raises(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    write(locked / "a.yaml", SVC.format(name="a"))
    scandir = os.scandir

    def deny(path):
        if str(path) == str(locked):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return scandir(path)

    monkeypatch.setattr(sources.os, "scandir", deny)
    with pytest.raises(SourceError, match="cannot read directory .*locked: Permission denied"):
        load_sources(str(tmp_path))


def test_error_in_second_file_names_that_file(tmp_path):
    write(tmp_path / "a.yaml", SVC.format(name="a"))
    bad = write(tmp_path / "b.yaml", "key: [1, 2\n")
    with pytest.raises(SourceError) as info:
        load_sources(tmp_path)
    assert info.value.path == str(bad)


# --- directories --------------------------------------------------------------------------------


def test_directory_is_recursive_sorted_and_filtered(tmp_path):
    write(tmp_path / "b.yaml", SVC.format(name="b"))
    write(tmp_path / "a.yml", SVC.format(name="a"))
    write(
        tmp_path / "sub" / "c.json",
        json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "c"}}),
    )
    write(tmp_path / "sub" / "deeper" / "d.YAML", SVC.format(name="d"))
    write(tmp_path / "0-first" / "e.yaml", SVC.format(name="e"))
    write(tmp_path / "upstream.yaml.in", SVC.format(name="ignored-in-dir"))
    write(tmp_path / "notes.txt", SVC.format(name="ignored-txt"))
    write(tmp_path / ".hidden.yaml", SVC.format(name="ignored-hidden"))
    write(tmp_path / ".git" / "x.yaml", SVC.format(name="ignored-git"))
    objects, warnings = load_sources(str(tmp_path))
    assert [o["metadata"]["name"] for o in objects] == ["e", "a", "b", "c", "d"]
    assert warnings == []
    # deterministic
    assert load_sources(str(tmp_path)) == (objects, warnings)


def test_explicit_file_is_read_whatever_its_extension(tmp_path):
    f = write(tmp_path / "manifest.yaml.in", SVC.format(name="explicit"))
    objects, _warnings = load_sources([str(f)])
    assert names(objects) == [("Service", "explicit")]


def test_mixed_paths_keep_order_and_dedupe(tmp_path):
    a = write(tmp_path / "d" / "a.yaml", SVC.format(name="a"))
    b = write(tmp_path / "b.yaml", SVC.format(name="b"))
    objects, _warnings = load_sources([str(b), str(tmp_path / "d"), str(a)])
    assert [o["metadata"]["name"] for o in objects] == ["b", "a"]


def test_empty_directory_warns(tmp_path):
    (tmp_path / "empty").mkdir()
    objects, warnings = load_sources(tmp_path / "empty")
    assert objects == []
    assert len(warnings) == 1 and str(tmp_path / "empty") in warnings[0]


def test_no_paths(tmp_path):
    assert load_sources([]) == ([], [])


# --- real upstream manifests ----------------------------------------------------------------------


def test_upstream_ingress_nginx_cloud_manifest():
    path = upstream("controllers/ingress-nginx/deploy-cloud.yaml")
    objects, warnings = load_sources(str(path))
    assert warnings == []
    assert len(objects) == 19
    by_kind = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], []).append(obj)
    svc = [s for s in by_kind["Service"] if s["metadata"]["name"] == "ingress-nginx-controller"][0]
    assert svc["metadata"]["namespace"] == "ingress-nginx"
    assert svc["spec"]["type"] == "LoadBalancer"
    assert by_kind["IngressClass"][0]["spec"]["controller"] == "k8s.io/ingress-nginx"
    assert len(by_kind["Deployment"]) == 1


def test_upstream_emissary_yaml_in_named_explicitly():
    path = upstream("controllers/emissary/emissary-emissaryns.yaml.in")
    objects, warnings = load_sources([str(path)])
    assert warnings == []
    assert len(objects) == 11
    deployments = [o for o in objects if o["kind"] == "Deployment"]
    assert [d["metadata"]["namespace"] for d in deployments] == ["emissary"]
    # the image placeholder of the upstream template is kept verbatim
    images = [c["image"] for c in deployments[0]["spec"]["template"]["spec"]["containers"]]
    assert any("$imageRepo$" in image for image in images)


def test_upstream_helm_rendered_manifest_with_source_comments():
    path = upstream("controllers/emissary/emissary-emissaryns-v2.1.0.yaml")
    assert "# Source:" in path.read_text(encoding="utf-8")
    objects, warnings = load_sources(str(path))
    assert warnings == []
    assert len(objects) == 20
    assert all(isinstance(o.get("apiVersion"), str) and o.get("kind") for o in objects)


def test_upstream_directory_skips_yaml_in_templates():
    path = upstream("controllers/emissary/emissary-emissaryns-v2.1.0.yaml").parent
    objects, _warnings = load_sources(str(path))
    # only emissary-emissaryns-v2.1.0.yaml: *.yaml.in files are read only when named
    assert len(objects) == 20


def test_directory_symlink_loop_is_read_once(tmp_path):
    write(tmp_path / "d" / "a.yaml", SVC.format(name="a"))
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    objects, warnings = load_sources(tmp_path / "d")
    assert names(objects) == [("Service", "a")]
    assert warnings == []
