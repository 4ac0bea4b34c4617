# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The fleet report (playbooks/report.yml), rendered by ansible-playbook from per-cluster
results as the lb_mode role records them: a cluster whose plan touches objects Helm, Argo CD
or Flux keep lists, per object, who keeps it, where to change it and the files to change; a
cluster without such objects has no such section."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent / "plugins" / "module_utils"))
from shared_fixtures import helm_install_under_strict_mtls  # noqa: E402 - test helper

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import (  # noqa: E402
    detect,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import (  # noqa: E402
    summarize,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import (  # noqa: E402
    plan,
)

ROOT = Path(__file__).resolve().parents[2]


def _result(argo_app=None):
    objects = helm_install_under_strict_mtls("ingress-nginx/edge-default.yaml")
    for o in objects:
        if argo_app and o["kind"] == "Ingress" and o["metadata"]["name"] == "storefront-edge":
            o["metadata"]["labels"] = {"argocd.argoproj.io/instance": argo_app}
        if not argo_app and o["kind"] == "Deployment":
            # Not Helm's: the rendered chart's labels removed, so no GitOps owner at all.
            o["metadata"]["labels"] = {}
    facts = detect(objects)
    facts["cluster"] = {"source": "offline"}  # what lb_plan adds for src: input
    the_plan = plan(facts, "standalone_mtls")
    return {
        "ok": True,
        "mode": "standalone_mtls",
        "state": "present",
        "check_mode": True,
        "facts": summarize(facts),
        "plan": the_plan,
        "applied": {"results": []},
        "gitops_dir": "/plans/%s-standalone_mtls" % ("kept" if argo_app else "plain"),
    }


def _report(tmp_path, clusters):
    inventory = {
        "clusters": {
            "hosts": {name: {"lb_mode_result": result} for name, result in clusters.items()},
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        }
    }
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"))
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            str(tmp_path / "inventory.yml"),
            str(ROOT / "playbooks" / "report.yml"),
            "-e",
            json.dumps({"meshgate_report_dir": str(tmp_path / "report")}),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return (tmp_path / "report" / "fleet-report.md").read_text()


def _section(md, cluster):
    return md.split("## Cluster %s" % cluster, 1)[1].split("## Cluster ", 1)[0]


def test_the_report_lists_per_cluster_the_files_the_owners_must_change(tmp_path):
    kept, plain = _result(argo_app="shop"), _result()
    md = _report(tmp_path, {"cluster-kept": kept, "cluster-plain": plain})
    section = _section(md, "cluster-kept")
    assert "### Changes for the objects' owners" in section
    assert "/plans/kept-standalone_mtls/" in section
    table = section.split("### Changes for the objects' owners", 1)[1].split("###", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ")][1:]  # after the header
    by_object = {row.split(" | ")[0].lstrip("| "): row for row in rows}
    items = kept["plan"]["gitops"]
    assert len(by_object) == len(items) >= 2  # the Helm-rendered Deployment and the Argo CD route
    for item in items:
        t = item["target"]
        row = by_object["%s %s/%s" % (t["kind"], t["namespace"], t["name"])]
        assert item["owner_name"] in row and all(f in row for f in item["files"])
    route = by_object["Ingress shop/storefront-edge"]
    assert "Argo CD Application shop" in route
    assert "gitops/" in route and "kustomize-patch.yaml" in route
    assert "### Changes for the objects' owners" not in _section(md, "cluster-plain")
    assert not plain["plan"]["gitops"]


def test_the_lb_plan_files_filter_writes_what_lb_plan_dest_writes(tmp_path):
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.files import plan_files

    the_plan = _result(argo_app="shop")["plan"]
    (tmp_path / "plan.json").write_text(json.dumps(the_plan))
    play = [
        {
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "vars": {"ansible_python_interpreter": sys.executable},
            "tasks": [
                {
                    "name": "write the gitops files",
                    "ansible.builtin.copy": {
                        "content": "{{ item.content }}",
                        "dest": str(tmp_path / "out") + "/{{ item.path | basename }}",
                        "mode": "0600",
                    },
                    # From a JSON file, as the lb_mode role reads a saved plan: Ansible's types.
                    "loop": "{{ lookup('ansible.builtin.file', '%s') | ansible.builtin.from_json"
                    " | meshgate.istio_lb.lb_plan_files(only='gitops') }}"
                    % (tmp_path / "plan.json"),
                }
            ],
        }
    ]
    (tmp_path / "out").mkdir()
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"))
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            "localhost,",
            str(tmp_path / "play.yml"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    expected = {Path(p).name: text for p, text in plan_files(the_plan) if p.startswith("gitops/")}
    assert len(expected) == 3
    assert {f.name: f.read_text() for f in (tmp_path / "out").iterdir()} == expected


def _migrate_result():
    sys.path.insert(0, str(Path(__file__).parent / "plugins" / "module_utils"))
    from builders import istio_base, namespace, nginx_lb

    from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.source import (
        read_source,
    )

    cases = ROOT / "tests" / "migrate" / "ingresses.yaml"
    docs = [d for d in yaml.safe_load_all(cases.read_text(encoding="utf-8")) if d]
    objects = istio_base("STRICT") + nginx_lb() + [namespace("shop"), namespace("api")] + docs
    facts = detect(objects)
    facts["cluster"] = {"source": "offline"}
    facts["migrate_source"] = read_source(objects=objects)
    the_plan = plan(facts, "migrate")
    return {
        "ok": True,
        "mode": "migrate",
        "state": "present",
        "check_mode": True,
        "facts": summarize(facts),
        "plan": the_plan,
        "applied": {"results": []},
        "gitops_dir": "",
    }


def test_the_report_shows_the_migration_and_what_was_not_translated(tmp_path):
    migrated = _migrate_result()
    md = _report(tmp_path, {"cluster-migrate": migrated, "cluster-plain": _result()})
    section = _section(md, "cluster-migrate")
    m = migrated["plan"]["migration"]
    head = "### Migration of Deployment/ingress-nginx/ingress-nginx-controller (ingress-nginx), stage parallel"
    assert head in section
    counts = m["counts"]
    assert (
        "%d translated, %d approximated, %d not translated"
        % (
            counts["translated"],
            counts["approximated"],
            counts["not-translated"],
        )
        in section
    )
    assert "refused until accepted: " + ", ".join(m["refused"]) in section
    table = section.split(head, 1)[1].split("###", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ")][1:]
    expected = [r for r in m["report"] if r["status"] != "translated"]
    assert len(rows) == len(expected) > 10
    assert (
        "| shop/snippets | nginx.ingress.kubernetes.io/server-snippet | not-translated |" in table
    )
    assert "### Migration" not in _section(md, "cluster-plain")
