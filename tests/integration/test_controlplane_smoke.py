"""The control plane the integration tests rely on behaves like a real cluster.

These check the harness itself: controllers run, CRD schemas validate, RBAC denies, and the
audit log counts exactly the writes a test makes.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from harness import ControlPlane, KubectlError

pytestmark = pytest.mark.controlplane


def _wait_for(fn, timeout=30.0, interval=0.2):
    """Poll fn() until it returns something truthy; controllers act asynchronously."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def _get(cp, kind, name, namespace):
    res = cp.kubectl("get", kind, name, "-n", namespace, "-o", "json", "--show-managed-fields")
    return json.loads(res.stdout)


def test_deployment_gets_replicaset(control_plane, namespace):
    """(a) kube-controller-manager runs: a Deployment grows a ReplicaSet."""
    if not control_plane.use_existing and "kube-controller-manager" not in (
        control_plane.components
    ):
        pytest.skip("no kube-controller-manager (KUBEBUILDER_ASSETS without it)")
    control_plane.apply_manifests(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    # Never pulled: there is no kubelet, Pods stay Pending.
                    "spec": {"containers": [{"name": "web", "image": "example.invalid/web:1"}]},
                },
            },
        },
        namespace=namespace,
    )

    def replicasets():
        out = control_plane.kubectl("get", "rs", "-n", namespace, "-l", "app=web", "-o", "json")
        return json.loads(out.stdout)["items"]

    items = _wait_for(replicasets)
    assert len(items) == 1, "no ReplicaSet appeared within 30 s"
    owner = items[0]["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"]) == ("Deployment", "web")


def test_peerauthentication_accepted_by_istio_schema(control_plane, namespace):
    """(b) server-side apply of a valid security.istio.io/v1 PeerAuthentication."""
    control_plane.apply_manifests(
        """
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
spec:
  mtls:
    mode: STRICT
""",
        namespace=namespace,
    )
    obj = _get(control_plane, "peerauthentications.security.istio.io", "default", namespace)
    assert obj["spec"]["mtls"]["mode"] == "STRICT"
    managers = {m["manager"] for m in obj["metadata"]["managedFields"]}
    assert "meshgate-test" in managers  # applied server-side with our field manager


def test_peerauthentication_rejected_by_istio_schema(control_plane, namespace):
    """(c) the real CRD schema rejects mtls.mode SOMETIMES with the enum message."""
    with pytest.raises(KubectlError) as err:
        control_plane.apply_manifests(
            {
                "apiVersion": "security.istio.io/v1",
                "kind": "PeerAuthentication",
                "metadata": {"name": "bad", "namespace": namespace},
                "spec": {"mtls": {"mode": "SOMETIMES"}},
            }
        )
    msg = err.value.stderr
    assert 'spec.mtls.mode: Unsupported value: "SOMETIMES"' in msg, msg
    assert '"STRICT"' in msg and '"PERMISSIVE"' in msg, msg
    res = control_plane.kubectl("get", "peerauthentications", "bad", "-n", namespace, check=False)
    assert res.returncode != 0 and "NotFound" in res.stderr


def test_audit_counts_exactly_our_writes(control_plane, namespace):
    """(d) the audit helper sees exactly the 3 creates this test makes (and no reads)."""
    audit = control_plane.audit
    if not audit.available:
        pytest.skip(audit.reason)
    mark = audit.mark()
    for i in range(3):
        control_plane.kubectl("create", "configmap", f"cm{i}", "-n", namespace)
    control_plane.kubectl("get", "configmaps", "-n", namespace)  # reads must not count
    writes = ("create", "update", "patch", "delete")

    assert audit.count(since=mark, user="admin", verbs=writes) == 3
    assert audit.count(since=mark, user="admin", verbs=writes, resource="configmaps") == 3
    assert audit.count(since=mark, verbs="create", namespace=namespace) == 3
    assert audit.count(since=mark, user="admin", verbs=writes, resource="secrets") == 0
    assert audit.count(since=mark, user="admin", verbs=("list",), resource="configmaps") == 1
    names = sorted(
        e["objectRef"].get("name") or e["requestURI"]
        for e in audit.filter(since=mark, user="admin", verbs=writes)
    )
    # kubectl create sends the name in the body; the audit objectRef still names it.
    assert names == ["cm0", "cm1", "cm2"]
    # A later mark excludes everything before it.
    assert audit.count(since=audit.mark(), user="admin", verbs=writes) == 0


@pytest.mark.parametrize("binding", ["rules", "cluster_role"])
def test_restricted_user_can_list_but_not_create_ingress(control_plane, namespace, binding):
    """(e) a user bound to a read-only ClusterRole lists Ingresses but gets 403 on create."""
    user = f"viewer-{binding.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
    if binding == "rules":
        kubeconfig = control_plane.create_user(
            user,
            rules=[
                {
                    "apiGroups": ["networking.k8s.io"],
                    "resources": ["ingresses"],
                    "verbs": ["get", "list", "watch"],
                }
            ],
        )
    else:
        kubeconfig = control_plane.create_user(user, cluster_role="view")

    res = control_plane.kubectl("get", "ingresses", "-n", namespace, kubeconfig=kubeconfig)
    assert res.returncode == 0

    ingress = f"""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: {namespace}
spec:
  defaultBackend:
    service: {{name: web, port: {{number: 80}}}}
"""
    res = control_plane.kubectl(
        "create", "-f", "-", input=ingress, kubeconfig=kubeconfig, check=False
    )
    assert res.returncode != 0
    assert "Forbidden" in res.stderr, res.stderr
    assert f'User "{user}" cannot create resource "ingresses"' in res.stderr, res.stderr
    if control_plane.audit.available:
        denied = [
            e
            for e in control_plane.audit.filter(user=user, verbs="create")
            if e["responseStatus"]["code"] == 403
        ]
        assert len(denied) == 1


def test_gateway_api_and_gke_crds_accept_objects(control_plane, namespace):
    """(f) HTTPRoute (Gateway API v1.6.1), BackendConfig and FrontendConfig are served."""
    control_plane.apply_manifests(
        [
            {
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "HTTPRoute",
                "metadata": {"name": "web"},
                "spec": {
                    "parentRefs": [{"name": "gw", "namespace": "istio-ingress"}],
                    "hostnames": ["web.example.com"],
                    "rules": [
                        {
                            "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                            "backendRefs": [{"name": "web", "port": 80}],
                        }
                    ],
                },
            },
            {
                "apiVersion": "cloud.google.com/v1",
                "kind": "BackendConfig",
                "metadata": {"name": "web"},
                "spec": {
                    "timeoutSec": 40,
                    "healthCheck": {"type": "HTTP", "requestPath": "/healthz", "port": 8080},
                },
            },
            {
                "apiVersion": "networking.gke.io/v1beta1",
                "kind": "FrontendConfig",
                "metadata": {"name": "web"},
                "spec": {
                    "redirectToHttps": {
                        "enabled": True,
                        "responseCodeName": "PERMANENT_REDIRECT",
                    },
                    "sslPolicy": "modern-tls",
                },
            },
        ],
        namespace=namespace,
    )
    route = _get(control_plane, "httproutes.gateway.networking.k8s.io", "web", namespace)
    assert route["spec"]["rules"][0]["backendRefs"][0]["port"] == 80
    # Defaults from the real schema were applied server-side.
    assert route["spec"]["rules"][0]["matches"][0]["path"]["value"] == "/"
    bc = _get(control_plane, "backendconfigs.cloud.google.com", "web", namespace)
    assert bc["spec"]["timeoutSec"] == 40  # kept, not pruned: the field is in the schema
    fc = _get(control_plane, "frontendconfigs.networking.gke.io", "web", namespace)
    assert fc["spec"]["redirectToHttps"]["responseCodeName"] == "PERMANENT_REDIRECT"


def test_apiserver_restart_keeps_data(control_plane, namespace):
    """stop_component/start_component: later fault tests stop the API server mid-apply."""
    if control_plane.use_existing:
        pytest.skip("existing cluster: the harness does not own its API server")
    control_plane.kubectl("create", "configmap", "survivor", "-n", namespace)
    mark = control_plane.audit.mark()
    control_plane.stop_component("apiserver")
    assert not control_plane.component_running("apiserver")
    res = control_plane.kubectl("get", "ns", namespace, check=False, timeout=30)
    assert res.returncode != 0
    control_plane.start_component("apiserver")
    assert control_plane.is_running()
    survivor = _get(control_plane, "configmap", "survivor", namespace)  # etcd kept it
    assert survivor["metadata"]["name"] == "survivor"
    # The audit log is appended across restarts, so marks stay valid.
    control_plane.kubectl("create", "configmap", "after-restart", "-n", namespace)
    assert control_plane.audit.count(since=mark, user="admin", verbs="create") == 1


def test_existing_cluster_mode(control_plane, tmp_path, monkeypatch):
    """USE_EXISTING_CLUSTER=true: nothing started, users signed through the CSR API."""
    if control_plane.use_existing:
        pytest.skip("already running against an existing cluster")
    monkeypatch.setenv("USE_EXISTING_CLUSTER", "true")
    monkeypatch.setenv("KUBECONFIG", control_plane.kubeconfig)
    monkeypatch.setenv("TEST_ASSET_KUBECTL", control_plane.kubectl_path)
    existing = ControlPlane(tmp_path)
    assert existing.use_existing and existing.server == control_plane.server
    existing.start()  # no-op
    assert not (tmp_path / "pids").exists()
    assert not existing.audit.available
    user = f"csr-user-{uuid.uuid4().hex[:6]}"
    kubeconfig = existing.create_user(user, cluster_role="view")
    res = existing.kubectl("auth", "whoami", "-o", "json", kubeconfig=kubeconfig)
    assert json.loads(res.stdout)["status"]["userInfo"]["username"] == user
    existing.stop()  # no-op: the real control plane keeps running
    assert control_plane.is_running()
