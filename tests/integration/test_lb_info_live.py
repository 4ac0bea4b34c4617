# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""lb_info against the real API server: same objects in, same answer out; least privilege;
forbidden and unreachable are errors, never "nothing found".

The vendors' own manifests (tests/fixtures/shared) are loaded with `kubectl apply
--server-side`. Left out of the load, and why:
  - admission webhook configurations: the API server would call webhooks whose pods never run
    here (no kubelet), and reject every Ingress/Pod;
  - CustomResourceDefinitions: the session fixture installed the real CRDs from tests/crds;
  - F5 NGINX's IngressClass "nginx": ingress-nginx ships one with the same name, and a cluster
    can hold only one (spec.controller is immutable).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_collections.meshgate.istio_lb.plugins.module_utils.collect import (
    collect_live,
    collect_offline,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.inventory import rbac_rules
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s_client import (
    K8sError,
    client_from_params,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "tests" / "fixtures" / "shared"
SKIP_KINDS = {
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "CustomResourceDefinition",
    "APIService",
}
FILES = [
    "controllers/ingress-nginx/deploy-cloud.yaml",
    "controllers/contour/contour.yaml",
    "controllers/kong/all-in-one-dbless.yaml",
    "controllers/haproxytech/haproxy-ingress.yaml",
    "controllers/haproxytech/ingressclass.yaml",
    "controllers/nginx-inc/common-ns-and-sa.yaml",
    "controllers/nginx-inc/deployment-nginx-ingress.yaml",
    "controllers/nginx-inc/service-loadbalancer.yaml",
    "controllers/emissary/emissary-emissaryns-v2.1.0.yaml",
    "controllers/istio/istiod-rendered.golden.yaml",
    "controllers/istio/ingressgateway-rendered.golden.yaml",
    "controllers/istio/bookinfo.yaml",
    "controllers/istio/bookinfo-gateway.yaml",
    "examples/gke/ingress-asm-multi-backendconfig/backend-services.yaml",
    "examples/gke/ingress-asm-multi-backendconfig/istio-ingressgateway-service.yaml",
    "examples/contour/basic-httpproxy.yaml",
    "examples/nginx-inc/cafe.yaml",
    "examples/nginx-inc/cafe-virtual-server.yaml",
    "examples/aws-alb/2048_full.yaml",
    "examples/ingress-nginx/http-svc.yaml",
    "examples/ingress-nginx/affinity-cookie-ingress.yaml",
]

pytestmark = pytest.mark.controlplane


@pytest.fixture(scope="module")
def loaded(control_plane, tmp_path_factory):
    """Load the fixtures once; returns the path of the exact objects that were applied."""
    docs = []
    for rel in FILES:
        with open(SHARED / rel) as fh:
            for doc in yaml.safe_load_all(fh):
                if (
                    isinstance(doc, dict)
                    and doc.get("kind") not in SKIP_KINDS
                    and (doc.get("metadata") or {}).get("name")
                ):
                    docs.append(doc)
    namespaces = sorted({(d.get("metadata") or {}).get("namespace") for d in docs} - {None})
    pre = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in namespaces]
    path = tmp_path_factory.mktemp("lbinfo") / "objects.yaml"
    path.write_text(yaml.safe_dump_all(pre + docs))
    control_plane.apply_manifests(str(path))
    return path


def _without_observed_state(result):
    """Drop what only a running cluster has: Pods the controller-manager created, built-in
    namespaces, and the API version the server chose to serve a multi-version kind at."""
    out = json.loads(json.dumps(result))
    out["istio"]["namespaces"] = {k: v for k, v in out["istio"]["namespaces"].items() if v}
    for lb in out["load_balancers"]:
        if lb.get("sidecar"):
            lb["sidecar"].pop("injected")
            lb["sidecar"].pop("pods_observed")
    for r in out["routes"]:
        r["apiVersion"] = r["apiVersion"].split("/")[0]
    for f in out["findings"]:
        if f["object"].get("apiVersion"):
            f["object"]["apiVersion"] = f["object"]["apiVersion"].split("/")[0]
    return out


def test_live_equals_offline_on_the_same_files(control_plane, loaded):
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    idx, kinds = collect_live(client)
    live = detect(idx)
    off_idx, _kinds, warnings = collect_offline([str(loaded)])
    offline = detect(off_idx)
    assert warnings == []
    assert live["summary"]["load_balancers"] >= 6
    assert _without_observed_state(live) == _without_observed_state(offline)
    # Observed state is there live: the controller-manager made Pods for the Deployments.
    nginx = [lb for lb in live["load_balancers"] if lb["vendor"] == "ingress-nginx"][0]
    assert nginx["sidecar"]["pods_observed"] >= 1


def test_live_equals_offline_on_a_kubectl_dump(control_plane, loaded, tmp_path):
    """A `kubectl get -A -o yaml` dump of the same cluster gives exactly the live answer."""
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    idx, _kinds = collect_live(client)
    live = detect(idx)
    kinds = ",".join(
        [
            "namespaces",
            "services",
            "deployments.apps",
            "daemonsets.apps",
            "statefulsets.apps",
            "jobs.batch",
            "ingresses.networking.k8s.io",
            "ingressclasses.networking.k8s.io",
            "pods",
            "configmaps",
            "gateways.networking.istio.io",
            "virtualservices.networking.istio.io",
            "destinationrules.networking.istio.io",
            "peerauthentications.security.istio.io",
            "backendconfigs.cloud.google.com",
            "httpproxies.projectcontour.io",
            "virtualservers.k8s.nginx.org",
        ]
    )
    dump = control_plane.kubectl("get", kinds, "-A", "-o", "yaml").stdout
    path = tmp_path / "dump.yaml"
    path.write_text(dump)
    off_idx, _k, warnings = collect_offline([str(path)])
    offline = detect(off_idx)
    # The dump holds every ConfigMap and Pod; live reads only those detection wants, and the
    # results must not depend on the rest.
    assert json.dumps(live, sort_keys=True) == json.dumps(offline, sort_keys=True)


def test_one_list_per_kind_and_no_gets_of_objects(control_plane, loaded):
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    mark = control_plane.audit.mark()
    _idx, kinds = collect_live(client)
    # Our requests only: the controller-manager and scheduler (system:*) read too.
    events = [
        e
        for e in control_plane.audit.events(since=mark)
        if not (e.get("user") or {}).get("username", "").startswith("system:")
    ]
    gets = [e for e in events if e.get("verb") == "get" and (e.get("objectRef") or {}).get("name")]
    lists = [e for e in events if e.get("verb") == "list"]
    assert gets == [], [e.get("requestURI") for e in gets]
    found = [
        k
        for k in kinds
        if k["status"] == "found" and k["kind"] not in ("core/ConfigMap", "core/Pod")
    ]
    second_pass = [k for k in kinds if k["kind"] in ("core/ConfigMap", "core/Pod")]
    expected = len(found) + len(second_pass[0]["namespaces"]) + second_pass[1]["selectors"]
    assert len(lists) == expected
    assert client.request_counts == {"GET": expected + 2}  # + /api and /apis discovery


def _run_lb_info(tmp_path, args, env=None):
    """Run the module the way users do (ansible-playbook) and return the registered result."""
    out = tmp_path / "result.json"
    play = [
        {
            "name": "lb_info",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "tasks": [
                {
                    "name": "detect",
                    "meshgate.istio_lb.lb_info": args,
                    "register": "r",
                    "ignore_errors": True,
                },
                {
                    "name": "save",
                    "ansible.builtin.copy": {
                        "content": "{{ r | to_json }}",
                        "dest": str(out),
                        "mode": "0600",
                    },
                },
            ],
        }
    ]
    pb = tmp_path / "play.yml"
    pb.write_text(yaml.safe_dump(play))
    run_env = dict(os.environ)
    run_env["ANSIBLE_COLLECTIONS_PATH"] = str(ROOT / ".build" / "collections")
    run_env["ANSIBLE_PYTHON_INTERPRETER"] = sys.executable
    run_env.update(env or {})
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(pb)],
        capture_output=True,
        text=True,
        env=run_env,
        timeout=300,
    )
    assert out.exists(), proc.stdout + proc.stderr
    return json.loads(out.read_text()), proc


def test_module_as_least_privilege_user(control_plane, loaded, tmp_path):
    with open(ROOT / "rbac" / "meshgate-istio-lb-reader.yaml") as fh:
        role = yaml.safe_load(fh)
    kubeconfig = control_plane.create_user("lb-reader", cluster_role=role)
    result, proc = _run_lb_info(tmp_path, {"kubeconfig": kubeconfig})
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False
    assert result["cluster"]["source"] == "live"
    admin = detect(collect_live(client_from_params({"kubeconfig": control_plane.kubeconfig}))[0])
    assert result["load_balancers"] == admin["load_balancers"]
    # Nothing secret in what Ansible printed.
    assert "BEGIN" not in proc.stdout and "client-key-data" not in proc.stdout


def test_forbidden_kind_is_an_error_naming_it(control_plane, loaded, tmp_path):
    rules = [r for r in rbac_rules() if r["apiGroups"] != ["networking.k8s.io"]]
    kubeconfig = control_plane.create_user("lb-reader-no-ingress", rules=rules)
    result, _proc = _run_lb_info(tmp_path, {"kubeconfig": kubeconfig})
    assert result["failed"] is True
    assert "forbidden" in result["msg"].lower()
    assert "ingress" in result["msg"]
    assert "load_balancers" not in result  # never a partial "nothing found"


def test_unreachable_is_an_error(tmp_path, control_plane):
    result, _proc = _run_lb_info(
        tmp_path,
        {"host": "https://127.0.0.1:1", "api_key": "not-a-real-token", "validate_certs": False},
    )
    assert result["failed"] is True
    assert "127.0.0.1:1" in result["msg"]
    assert "not-a-real-token" not in json.dumps(result)


def test_direct_k8s_error_for_missing_context(control_plane):
    with pytest.raises(K8sError) as exc:
        client_from_params({"kubeconfig": control_plane.kubeconfig, "context": "no-such-context"})
    assert exc.value.reason == "config"
    assert "no-such-context" in str(exc.value)
