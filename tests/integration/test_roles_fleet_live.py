# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The fleet playbooks and roles as users run them: ansible-playbook over an inventory with one
host per cluster - the real API server and one that is unreachable. A failing cluster fails
alone, check mode writes nothing, a re-run writes nothing, undo restores, the fleet report
covers every cluster, and bad role variables are refused by the role's argument specs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NGINX = "ingress-nginx/ingress-nginx-controller"

pytestmark = [pytest.mark.controlplane, pytest.mark.mutates_cluster]


@pytest.fixture
def fleet(control_plane, loaded, tmp_path):
    broken = tmp_path / "broken-kubeconfig"
    cfg = yaml.safe_load(Path(control_plane.kubeconfig).read_text())
    for cluster in cfg["clusters"]:
        cluster["cluster"]["server"] = "https://127.0.0.1:1"
    broken.write_text(yaml.safe_dump(cfg))
    inventory = {
        "clusters": {
            "hosts": {
                "cluster-a": {"meshgate_kubeconfig": control_plane.kubeconfig},
                "cluster-broken": {"meshgate_kubeconfig": str(broken)},
            },
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        }
    }
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory))
    return path


@pytest.fixture
def kept_by_helm(control_plane):
    """The NGINX Deployment as Helm 3 leaves it (release label and annotations), for the test."""
    ns, name = NGINX.split("/")
    release = ("meta.helm.sh/release-name=edge", "meta.helm.sh/release-namespace=%s" % ns)
    kubectl = control_plane.kubectl
    kubectl("label", "deployment", "-n", ns, name, "app.kubernetes.io/managed-by=Helm")
    kubectl("annotate", "deployment", "-n", ns, name, *release)
    yield "edge"
    kubectl("label", "deployment", "-n", ns, name, "app.kubernetes.io/managed-by-")
    kubectl("annotate", "deployment", "-n", ns, name, *(a.split("=")[0] + "-" for a in release))


def _run(tmp_path, inventory, playbook, extra, check=False):
    extra = dict(extra, meshgate_report_dir=str(tmp_path / "report"))
    cmd = [
        str(Path(sys.executable).parent / "ansible-playbook"),
        "-i",
        str(inventory),
        str(ROOT / "playbooks" / playbook),
        "-e",
        json.dumps(extra),
    ]
    if check:
        cmd.append("--check")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=False)
    report_json = tmp_path / "report" / "fleet-report.json"
    report = (
        {c["name"]: c for c in json.loads(report_json.read_text())} if report_json.exists() else {}
    )
    return proc, report


def _writes(control_plane, mark):
    return [
        e
        for e in control_plane.audit.events(since=mark)
        if e.get("verb") in ("create", "update", "patch", "delete")
        and not (e.get("user") or {}).get("username", "").startswith("system:")
        and "dryRun=All" not in e.get("requestURI", "")
    ]


def test_standalone_mtls_fleet_check_apply_rerun_undo(control_plane, fleet, kept_by_helm, tmp_path):
    extra = {
        "standalone_mtls_load_balancers": [NGINX],
        "standalone_mtls_wait": "observed",
        "standalone_mtls_plan_dir": str(tmp_path / "plans"),
    }
    # Check mode: the plan and its server-side dry run only.
    mark = control_plane.audit.mark()
    proc, report = _run(tmp_path, fleet, "standalone_mtls.yml", extra, check=True)
    assert proc.returncode == 2, proc.stdout[-3000:]  # the broken cluster fails, alone
    assert "cluster-a" in report, proc.stdout[-4000:]
    assert report["cluster-a"]["ok"] is True and report["cluster-a"]["check_mode"] is True
    assert report["cluster-a"]["plan"]["summary"]["patches"] == 2
    assert (
        report["cluster-broken"]["ok"] is False
        and "127.0.0.1:1" in report["cluster-broken"]["error"]
    )
    assert _writes(control_plane, mark) == []
    assert not (tmp_path / "plans").exists()

    # Apply: cluster-a converges and is verified; the report says so for each cluster.
    proc, report = _run(tmp_path, fleet, "standalone_mtls.yml", extra)
    assert proc.returncode == 2
    a = report["cluster-a"]
    assert a["ok"] is True and [r["status"] for r in a["applied"]["results"]] == [
        "changed",
        "changed",
    ]
    nginx = [lb for lb in a["facts"]["load_balancers"] if lb["vendor"] == "ingress-nginx"][0]
    assert nginx["service_routing"] == "on" and nginx["sidecar"]["injection"] == "enabled"
    assert (tmp_path / "plans" / "cluster-a-standalone_mtls.json").exists()
    md = (tmp_path / "report" / "fleet-report.md").read_text()
    assert "## Cluster cluster-a" in md and "## Cluster cluster-broken" in md and "**FAILED**" in md
    assert "```mermaid" in md
    # Helm keeps the Deployment: its values are written beside the plan, and the report says
    # which release and which files.
    (item,) = a["plan"]["gitops"]
    assert item["owner"]["release"] == kept_by_helm and item["owner_name"] == "Helm release edge"
    folder = Path(a["gitops_dir"])
    assert folder == tmp_path / "plans" / "cluster-a-standalone_mtls"
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*.yaml")) == item["files"]
    values = [f for f in item["files"] if f.endswith("-helm-values.yaml")]
    assert values and "sidecar.istio.io/inject" in (folder / values[0]).read_text()
    assert "### Changes for the objects' owners" in md and "Helm release edge" in md
    assert all(f in md for f in item["files"])

    # Re-run: nothing to do, no write request.
    mark = control_plane.audit.mark()
    proc, report = _run(tmp_path, fleet, "standalone_mtls.yml", extra)
    assert report["cluster-a"]["plan"]["summary"]["patches"] == 0
    assert _writes(control_plane, mark) == []

    # Undo from the saved plan.
    proc, report = _run(
        tmp_path,
        fleet,
        "undo.yml",
        {"meshgate_mode": "standalone_mtls", "meshgate_plan_dir": str(tmp_path / "plans")},
    )
    assert report["cluster-a"]["ok"] is True
    assert {r["status"] for r in report["cluster-a"]["applied"]["results"]} == {"changed"}
    proc, report = _run(tmp_path, fleet, "discover.yml", {})
    nginx = [
        lb
        for lb in report["cluster-a"]["facts"]["load_balancers"]
        if lb["vendor"] == "ingress-nginx"
    ][0]
    assert nginx["service_routing"] == "off" and nginx["sidecar"]["injection"] == "none"
    # The report of a summary gives each LB's backend count; meshgate_detail=full lists them.
    assert "routes" not in report["cluster-a"]["facts"] and nginx["backend_count"] > 0
    md = (tmp_path / "report" / "fleet-report.md").read_text()
    assert "%d Service(s)" % nginx["backend_count"] in md
    proc, report = _run(tmp_path, fleet, "discover.yml", {"meshgate_detail": "full"})
    full = report["cluster-a"]["facts"]
    nginx = [lb for lb in full["load_balancers"] if lb["vendor"] == "ingress-nginx"][0]
    assert full["routes"] and len(nginx["backends"]) > 0
    md = (tmp_path / "report" / "fleet-report.md").read_text()
    assert all(b in md for b in nginx["backends"])


def test_bad_role_variables_are_refused_by_argument_specs(control_plane, fleet, tmp_path):
    proc, _report = _run(
        tmp_path, fleet, "chained_gateway.yml", {"chained_gateway_route_api": "carrier-pigeon"}
    )
    assert proc.returncode != 0
    assert "chained_gateway_route_api" in proc.stdout and "carrier-pigeon" in proc.stdout
