# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mode migrate against the real API server (real Gateway API and Istio CRDs): our Ingresses
(tests/migrate/ingresses.yaml, one ingress-nginx feature each) served by the fixtures'
ingress-nginx, translated; every generated object passes the server-side dry run; the parallel
stage is applied (idempotent) and undone; the retire stage scales ingress-nginx to zero and its
undo brings the replicas back."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

import pytest
import yaml
from playbook import run_play

from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import (
    apply_plan,
    read_targets,
    subset_equal,
    undo_plan,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.source import read_source
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.live import collect_live

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "migrate" / "ingresses.yaml"
LB = "Deployment/ingress-nginx/ingress-nginx-controller"
P = "nginx.ingress.kubernetes.io/"

pytestmark = [pytest.mark.controlplane, pytest.mark.mutates_cluster]


def _cases(namespaces):
    docs = [d for d in yaml.safe_load_all(CASES.read_text(encoding="utf-8")) if d]
    for d in docs:
        d["metadata"]["namespace"] = namespaces[d["metadata"]["namespace"]]
    return docs


def _remove_cases(control_plane, *namespaces):
    """Our Ingresses and Services gone now: a namespace's deletion takes a while, and later tests
    of the session must not plan for Ingresses of a namespace being deleted."""
    for ns in namespaces:
        control_plane.kubectl(
            "delete", "ingresses,services", "--all", "-n", ns, "--wait=true", check=False
        )


def _facts(client):
    facts = detect(collect_live(client)[0])
    facts["cluster"] = {"source": "live", "server": client.server}
    facts["migrate_source"] = read_source(client=client)
    return facts


def _key(t):
    group = t["apiVersion"].rpartition("/")[0]
    return (group, t["kind"], t.get("namespace"), t["name"])


def _patches(p):
    return [pt for ph in p["phases"] for pt in ph["patches"]]


def test_migrate_parallel_is_accepted_applied_and_undone(control_plane, loaded, namespace):
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    # shop's Ingresses in the test namespace, api's in a second one: the api Secrets then live
    # outside the Gateway's namespace (ReferenceGrant) and the Gateway admits two namespaces.
    api_ns = "t-migrate-api-%s" % uuid.uuid4().hex[:6]
    control_plane.apply_manifests(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": api_ns}}
    )
    docs = _cases({"shop": namespace, "api": api_ns})
    control_plane.apply_manifests(docs)
    hosts = sorted(
        {r["host"] for d in docs if d["kind"] == "Ingress" for r in d["spec"].get("rules") or ()}
    )
    opts = {
        "load_balancers": [LB],
        "hosts": hosts,
        "gateway": "%s/meshgate-migrate" % namespace,
    }
    applied = []
    try:
        facts = _facts(client)
        refused = plan(facts, "migrate", opts)
        assert _patches(refused) == []
        keys = refused["migration"]["refused"]
        assert {P + "configuration-snippet", P + "limit-rps", P + "proxy-body-size"} <= set(keys)
        ours = {
            "%s/%s" % (d["metadata"]["namespace"], d["metadata"]["name"])
            for d in docs
            if d["kind"] == "Ingress"
        }
        assert {r["ingress"] for r in refused["migration"]["report"]} <= ours

        p = plan(facts, "migrate", dict(opts, migrate_accept=keys))
        kinds = {pt["target"]["kind"] for pt in _patches(p)}
        assert kinds == {
            "Gateway",
            "ReferenceGrant",
            "HTTPRoute",
            "GRPCRoute",
            "DestinationRule",
            "AuthorizationPolicy",
        }
        grants = [pt for pt in _patches(p) if pt["target"]["kind"] == "ReferenceGrant"]
        assert [g["target"]["namespace"] for g in grants] == [api_ns]

        # Every generated object, as the API server's schemas and CEL rules judge it.
        checked = apply_plan(client, p, check_mode=True, wait="none")
        assert checked["changed"] and {r["status"] for r in checked["results"]} == {"changed"}
        assert read_targets(client, [pt["target"] for pt in _patches(p)]) == {}

        applied.append(p)
        out = apply_plan(client, p, wait="none")
        assert {r["status"] for r in out["results"]} == {"changed"}
        stored = read_targets(client, [pt["target"] for pt in _patches(p)])
        for pt in _patches(p):
            assert subset_equal(pt["manifest"], stored[_key(pt["target"])]), pt["target"]
        assert apply_plan(client, p, wait="none")["changed"] is False  # idempotent

        # Planned again, the parallel stage is the same plan (the Gateway is ours).
        after = _facts(client)
        again = plan(after, "migrate", dict(opts, migrate_accept=keys))
        assert [pt["manifest"] for pt in _patches(again)] == [pt["manifest"] for pt in _patches(p)]
        # The next stage sees the Gateway: cutover by DNS writes nothing and names the hosts.
        cutover = plan(after, "migrate", dict(opts, migrate_accept=keys, migrate_stage="cutover"))
        assert _patches(cutover) == [] and cutover["refusals"] == []
        assert "shop.example.com" in cutover["migration"]["dns"]

        # Retire: ingress-nginx to zero replicas; its undo puts them back.
        retire = plan(after, "migrate", dict(opts, migrate_accept=keys, migrate_stage="retire"))
        (scale,) = _patches(retire)
        before = copy.deepcopy(read_targets(client, [scale["target"]])[_key(scale["target"])])
        apply_plan(client, retire, wait="none")
        now = read_targets(client, [scale["target"]])[_key(scale["target"])]
        assert now["spec"]["replicas"] == 0
        assert undo_plan(client, retire)["changed"] is True
        now = read_targets(client, [scale["target"]])[_key(scale["target"])]
        assert now["spec"]["replicas"] == before["spec"]["replicas"]

        undone = undo_plan(client, p)
        applied.remove(p)
        assert undone["changed"] is True
        assert read_targets(client, [pt["target"] for pt in _patches(p)]) == {}
        assert undo_plan(client, p)["changed"] is False
    finally:
        for left in applied:
            undo_plan(client, left)
        _remove_cases(control_plane, namespace, api_ns)
        control_plane.kubectl("delete", "namespace", api_ns, "--wait=false", check=False)


def _role(tmp_path, kubeconfig, options, check=False):
    task = {
        "name": "migrate",
        "ansible.builtin.include_role": {"name": "meshgate.istio_lb.migrate_ingress_nginx"},
        "vars": dict(
            {
                "migrate_ingress_nginx_plan_dir": str(tmp_path / "plans"),
                "migrate_ingress_nginx_wait": "none",
            },
            **options,
        ),
    }
    tasks = [task]
    if check:
        # ansible-playbook --check: the play's own saving task would not write, this one does.
        tasks.append(
            {
                "name": "save in check mode",
                "ansible.builtin.copy": {
                    "content": "{{ {'lb_mode_result': lb_mode_result} | to_json }}",
                    "dest": str(tmp_path / "registered.json"),
                    "mode": "0600",
                },
                "check_mode": False,
            }
        )
    return run_play(
        tmp_path,
        tasks,
        ["lb_mode_result"],
        module_defaults={"group/meshgate.istio_lb.istio_lb": {"kubeconfig": kubeconfig}},
        extra_args=["--check"] if check else (),
    )


def test_the_role_refuses_then_applies_the_parallel_stage_and_undoes_it(
    control_plane, loaded, namespace, tmp_path
):
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    docs = [
        d
        for d in _cases({"shop": namespace, "api": namespace})
        if d["kind"] == "Service" or d["metadata"]["name"] in ("web", "snippets", "cors", "grpc")
    ]
    control_plane.apply_manifests(docs)
    hosts = sorted(
        {r["host"] for d in docs if d["kind"] == "Ingress" for r in d["spec"].get("rules") or ()}
    )
    base = {
        "migrate_ingress_nginx_load_balancers": [LB],
        "migrate_ingress_nginx_hosts": hosts,
        "migrate_ingress_nginx_gateway": "%s/meshgate-migrate" % namespace,
    }
    # A snippet is not translated: the role fails, naming it, and writes nothing.
    with pytest.raises(AssertionError, match="configuration-snippet"):
        _role(tmp_path, control_plane.kubeconfig, base)
    accept = dict(
        base, migrate_ingress_nginx_migrate_accept="configuration-snippet, server-snippet"
    )
    # Check mode: the plan and its server-side dry run, nothing written.
    saved, proc = _role(tmp_path, control_plane.kubeconfig, accept, check=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    the_plan = saved["lb_mode_result"]["plan"]
    targets = [pt["target"] for ph in the_plan["phases"] for pt in ph["patches"]]
    assert {t["kind"] for t in targets} >= {"Gateway", "HTTPRoute", "GRPCRoute"}
    assert read_targets(client, targets) == {}
    try:
        saved, proc = _role(tmp_path, control_plane.kubeconfig, accept)
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert (tmp_path / "plans" / "localhost-migrate-parallel.json").exists()
        assert len(read_targets(client, targets)) == len(targets)
        saved, proc = _role(
            tmp_path, control_plane.kubeconfig, dict(accept, migrate_ingress_nginx_state="absent")
        )
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert read_targets(client, targets) == {}
    finally:
        plan_file = tmp_path / "plans" / "localhost-migrate-parallel.json"
        if plan_file.exists():
            import json

            undo_plan(client, json.loads(plan_file.read_text()))
        _remove_cases(control_plane, namespace)


def test_the_service_cutover_repoints_the_lb_service_and_its_undo_restores_it(
    control_plane, loaded, namespace
):
    """migrate_cutover: service on the real API server: the ingress-nginx LoadBalancer Service
    selects the gateway pods (an atomic selector, taken whole) with the listener ports as
    target ports; undo puts the selector and the named target ports back exactly."""
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    docs = [
        d
        for d in _cases({"shop": namespace, "api": namespace})
        if d["kind"] == "Service" or d["metadata"]["name"] == "web"
    ]
    control_plane.apply_manifests(docs)
    opts = {
        "load_balancers": [LB],
        "hosts": ["shop.example.com"],
        "migrate_cutover": "service",
    }
    svc_target = {"apiVersion": "v1", "kind": "Service", "name": "ingress-nginx-controller"}
    svc_target["namespace"] = "ingress-nginx"
    before = copy.deepcopy(read_targets(client, [svc_target])[_key(svc_target)]["spec"])
    applied = []
    try:
        parallel = plan(_facts(client), "migrate", opts)
        assert parallel["migration"]["gateway"]["namespace"] == "ingress-nginx"
        apply_plan(client, parallel, wait="none")
        applied.append(parallel)
        cutover = plan(_facts(client), "migrate", dict(opts, migrate_stage="cutover"))
        (patch,) = _patches(cutover)
        assert patch["target"] == svc_target
        apply_plan(client, cutover, wait="none", force_conflicts=True)
        applied.append(cutover)
        spec = read_targets(client, [svc_target])[_key(svc_target)]["spec"]
        assert spec["selector"] == {"gateway.networking.k8s.io/gateway-name": "meshgate-migrate"}
        assert sorted((p["port"], p["targetPort"]) for p in spec["ports"]) == [(80, 80), (443, 443)]
        undo_plan(client, cutover)
        applied.remove(cutover)
        spec = read_targets(client, [svc_target])[_key(svc_target)]["spec"]
        assert spec["selector"] == before["selector"]
        assert [(p["port"], p["targetPort"]) for p in spec["ports"]] == [
            (p["port"], p["targetPort"]) for p in before["ports"]
        ]
    finally:
        for left in reversed(applied):
            undo_plan(client, left)
        _remove_cases(control_plane, namespace)
