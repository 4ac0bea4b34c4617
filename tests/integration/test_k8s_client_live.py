# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""The k8s/ client layer against a real API server (session fixture ``control_plane``, tests/integration/
conftest.py): aggregated discovery, paginated LIST, RBAC errors, server-side apply.

control_plane provides: .kubeconfig (path), .server, .context, .kubectl(*args),
.create_user(name, rules=None, cluster_role=None) -> kubeconfig path, and .audit.mark(),
.filter(), .count() over the API server's audit log; ``namespace`` is a fresh namespace per test.
"""

from __future__ import annotations

import pytest

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError

WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"]
FIELD_MANAGER = "meshgate-integration"


@pytest.fixture(scope="module")
def client(control_plane):
    kube = client_from_params(
        {"kubeconfig": control_plane.kubeconfig, "context": control_plane.context}, environ={}
    )
    yield kube
    kube.close()


def whoami(client):
    review = client.request(
        "POST",
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
    )
    return review["status"]["userInfo"]["username"]


def test_client_names_the_cluster(client, control_plane):
    assert client.server == control_plane.server.rstrip("/")
    assert client.context == control_plane.context


def test_discovery_finds_builtin_and_crd_kinds_in_two_requests(control_plane):
    fresh = client_from_params(
        {"kubeconfig": control_plane.kubeconfig, "context": control_plane.context}, environ={}
    )
    found = fresh.discover()
    assert fresh.request_counts == {"GET": 2}  # aggregated discovery: /api and /apis only
    deployment = found[("apps", "Deployment")]
    assert deployment["resource"] == "deployments"
    assert deployment["namespaced"] is True
    assert deployment["version"] == "v1"
    gateway = found[("networking.istio.io", "Gateway")]
    assert gateway["resource"] == "gateways"
    assert gateway["namespaced"] is True
    assert gateway["version"] in gateway["versions"]
    assert ("", "Service") in found and found[("", "Namespace")]["namespaced"] is False


def test_list_items_paginates(client, namespace):
    names = ["cm-%d" % i for i in range(7)]
    for name in names:
        client.request(
            "POST",
            "/api/v1/namespaces/%s/configmaps" % namespace,
            body={
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "labels": {"meshgate-test": "pagination"}},
                "data": {"name": name},
            },
        )
    before = client.request_counts.get("GET", 0)
    items = list(client.list_items("/api/v1/namespaces/%s/configmaps" % namespace, limit=3))
    requests = client.request_counts["GET"] - before
    listed = [item["metadata"]["name"] for item in items]
    # the controller-manager may add kube-root-ca.crt: 7 or 8 items, 3 pages either way
    assert set(names) <= set(listed)
    assert set(listed) - set(names) <= {"kube-root-ca.crt"}
    assert requests == 3
    assert all(item["kind"] == "ConfigMap" and item["apiVersion"] == "v1" for item in items)

    reduced = list(
        client.list_items(
            "/api/v1/namespaces/%s/configmaps" % namespace,
            limit=3,
            reduce=lambda item: (
                item["data"]["name"] if "name" in (item.get("data") or {}) else None
            ),
        )
    )
    assert sorted(reduced) == names


def test_restricted_user_gets_forbidden_naming_the_resource(control_plane):
    kubeconfig = control_plane.create_user(
        "mg-restricted",
        rules=[{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}],
    )
    restricted = client_from_params({"kubeconfig": kubeconfig}, environ={})
    with pytest.raises(K8sError) as info:
        list(restricted.list_items("/apis/networking.k8s.io/v1/ingresses"))
    err = info.value
    assert err.reason == "forbidden"
    assert err.status == 403
    assert "ingresses" in err.message and "networking.k8s.io" in err.message
    assert "mg-restricted" in err.message
    assert "Grant 'list' on ingresses.networking.k8s.io at cluster scope" in err.message


def test_apply_dry_run_writes_nothing(client, control_plane, namespace):
    user = whoami(client)
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "mg-dry-run", "namespace": namespace},
        "data": {"mode": "dry-run"},
    }
    audit = control_plane.audit
    since = audit.mark() if audit.available else None
    result = client.apply(obj, field_manager=FIELD_MANAGER, dry_run=True)
    assert result["data"] == {"mode": "dry-run"}
    with pytest.raises(K8sError) as info:
        client.request("GET", "/api/v1/namespaces/%s/configmaps/mg-dry-run" % namespace)
    assert info.value.reason == "not_found"
    if not audit.available:
        pytest.skip(audit.reason)
    writes = audit.filter(since, user=user, verbs=WRITE_VERBS)
    dry = [ev for ev in writes if "dryRun=All" in ev.get("requestURI", "")]
    assert len(dry) == 1  # the request reached the server as a dry run...
    assert [ev for ev in writes if ev not in dry] == []  # ...and nothing was written


def test_apply_twice_is_stable(client, namespace):
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "mg-apply",
            "namespace": namespace,
            "annotations": {"meshgate.io/x": "1"},
        },
        "data": {"mode": "real"},
    }
    first = client.apply(obj, field_manager=FIELD_MANAGER)
    second = client.apply(obj, field_manager=FIELD_MANAGER)
    assert first["data"] == second["data"] == {"mode": "real"}
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    managers = {(m["manager"], m["operation"]) for m in second["metadata"]["managedFields"]}
    assert (FIELD_MANAGER, "Apply") in managers


def test_apply_conflict_names_the_other_manager(client, namespace):
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "mg-conflict", "namespace": namespace},
        "data": {"owner": "other"},
    }
    client.apply(obj, field_manager="someone-else")
    mine = dict(obj, data={"owner": "meshgate"})
    with pytest.raises(K8sError) as info:
        client.apply(mine, field_manager=FIELD_MANAGER)
    assert info.value.reason == "conflict"
    assert info.value.managers == ["someone-else"]
    assert "force=true" in info.value.message
    forced = client.apply(mine, field_manager=FIELD_MANAGER, force=True)
    assert forced["data"] == {"owner": "meshgate"}


def test_missing_crd_kind_is_not_found(client):
    with pytest.raises(K8sError) as info:
        client.apply(
            {
                "apiVersion": "example.invalid/v1",
                "kind": "Widget",
                "metadata": {"name": "w", "namespace": "default"},
            },
            field_manager=FIELD_MANAGER,
        )
    assert info.value.reason == "not_found"
    with pytest.raises(K8sError) as info:
        list(client.list_items("/apis/example.invalid/v1/widgets"))
    assert info.value.reason == "not_found"
