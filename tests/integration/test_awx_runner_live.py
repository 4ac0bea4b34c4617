# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Run a playbook the way AWX runs a job template: ansible-runner with a private data dir, and
cluster credentials only as the K8S_AUTH_* variables AWX's "OpenShift or Kubernetes API Bearer
Token" credential injects (host, token, CA, verify). The token belongs to a ServiceAccount bound
to the shipped read-only ClusterRole, and must never appear in the job output."""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.controlplane


@pytest.fixture
def awx_credential(control_plane, loaded, namespace, tmp_path):
    with open(ROOT / "rbac" / "meshgate-istio-lb-reader.yaml") as fh:
        role = yaml.safe_load(fh)
    control_plane.apply_manifests(role)
    control_plane.apply_manifests(
        [
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": "awx", "namespace": namespace},
            },
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": "awx-%s" % namespace},
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole",
                    "name": role["metadata"]["name"],
                },
                "subjects": [{"kind": "ServiceAccount", "name": "awx", "namespace": namespace}],
            },
        ]
    )
    token = control_plane.kubectl(
        "create", "token", "awx", "-n", namespace, "--duration=10m"
    ).stdout.strip()
    cfg = yaml.safe_load(Path(control_plane.kubeconfig).read_text())["clusters"][0]["cluster"]
    ca = cfg.get("certificate-authority")
    if not ca:  # embedded in the kubeconfig: AWX's credential gives a CA file
        ca = str(tmp_path / "ca.crt")
        Path(ca).write_bytes(base64.b64decode(cfg["certificate-authority-data"]))
    assert token
    return {
        "K8S_AUTH_HOST": control_plane.server,
        "K8S_AUTH_API_KEY": token,
        "K8S_AUTH_SSL_CA_CERT": ca,
        "K8S_AUTH_VERIFY_SSL": "true",
    }


def test_discover_runs_under_ansible_runner_with_k8s_auth_env(
    awx_credential, tmp_path, monkeypatch
):
    import ansible_runner

    pdd = tmp_path / "runner"
    shutil.copytree(ROOT / "playbooks", pdd / "project")
    (pdd / "inventory").mkdir(parents=True)
    (pdd / "inventory" / "hosts.yml").write_text(
        yaml.safe_dump(
            {
                "clusters": {
                    "hosts": {"awx-cluster": {}},
                    "vars": {
                        "ansible_connection": "local",
                        "ansible_python_interpreter": sys.executable,
                    },
                }
            }
        )
    )
    (pdd / "env").mkdir()
    envvars = dict(awx_credential, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"))
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    report_dir = tmp_path / "report"
    (pdd / "env" / "extravars").write_text(yaml.safe_dump({"meshgate_report_dir": str(report_dir)}))
    # As in an execution environment: ansible-playbook on PATH next to this Python.
    monkeypatch.setenv("PATH", "%s:%s" % (Path(sys.executable).parent, os.environ.get("PATH", "")))
    run = ansible_runner.run(private_data_dir=str(pdd), playbook="discover.yml", quiet=True)
    stdout = run.stdout.read()
    assert run.status == "successful" and run.rc == 0, stdout[-3000:]
    stats = run.stats
    assert stats["ok"].get("awx-cluster") and not stats["failures"]
    report = {c["name"]: c for c in json.loads((report_dir / "fleet-report.json").read_text())}
    facts = report["awx-cluster"]["facts"]
    assert facts["cluster"]["server"] == awx_credential["K8S_AUTH_HOST"]
    assert {lb["vendor"] for lb in facts["load_balancers"]} >= {"ingress-nginx", "kong", "contour"}
    # The token is a secret: never in the job's output or its event data.
    assert awx_credential["K8S_AUTH_API_KEY"] not in stdout
    events = json.dumps(list(run.events))
    assert awx_credential["K8S_AUTH_API_KEY"] not in events


def test_a_fleet_job_maps_each_host_to_its_kubeconfig_from_one_credential(
    awx_credential, control_plane, tmp_path, monkeypatch
):
    """examples/awx: one credential of the fleet credential type holds a kubeconfig per
    inventory host; AWX injects it as an unsafe extra var, the example inventory hands each host
    its own. prod-eu reaches the cluster; prod-us has a wrong server and fails alone."""
    import ansible_runner

    def kubeconfig(server):
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "c",
                    "cluster": {
                        "server": server,
                        "certificate-authority": awx_credential["K8S_AUTH_SSL_CA_CERT"],
                    },
                }
            ],
            "users": [{"name": "awx", "user": {"token": awx_credential["K8S_AUTH_API_KEY"]}}],
            "contexts": [{"name": "awx", "context": {"cluster": "c", "user": "awx"}}],
            "current-context": "awx",
        }

    kubeconfigs = {
        "prod-eu": kubeconfig(control_plane.server),
        "prod-us": kubeconfig("https://127.0.0.1:1"),
    }
    pdd = tmp_path / "runner"
    shutil.copytree(ROOT / "playbooks", pdd / "project")
    (pdd / "inventory").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "awx" / "inventory.yml", pdd / "inventory" / "hosts.yml")
    (pdd / "env").mkdir()
    envvars = {"ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".build" / "collections")}
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    report_dir = tmp_path / "report"
    # As AWX writes a credential's injected extra vars: unsafe text (awx safe_yaml.safe_dump).
    (pdd / "env" / "extravars").write_text(
        "meshgate_report_dir: %s\nmeshgate_kubeconfigs: !unsafe %s\n"
        % (json.dumps(str(report_dir)), json.dumps(yaml.safe_dump(kubeconfigs)))
    )
    monkeypatch.setenv("PATH", "%s:%s" % (Path(sys.executable).parent, os.environ.get("PATH", "")))
    for var in [k for k in os.environ if k.startswith("K8S_AUTH_")]:
        monkeypatch.delenv(var)
    run = ansible_runner.run(private_data_dir=str(pdd), playbook="discover.yml", quiet=True)
    stdout = run.stdout.read()
    assert run.stats["ok"].get("prod-eu"), stdout[-3000:]
    assert run.stats["failures"].get("prod-us"), stdout[-3000:]
    report = {c["name"]: c for c in json.loads((report_dir / "fleet-report.json").read_text())}
    assert report["prod-eu"]["facts"]["cluster"]["server"] == control_plane.server
    assert report["prod-us"]["ok"] is False and "127.0.0.1:1" in report["prod-us"]["error"]
    assert awx_credential["K8S_AUTH_API_KEY"] not in stdout
    assert awx_credential["K8S_AUTH_API_KEY"] not in json.dumps(list(run.events))
