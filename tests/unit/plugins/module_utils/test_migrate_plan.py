"""lb_plan mode migrate over plain objects: stages, refusals, undo of each stage, the report in
the plan, and the PERMISSIVE exceptions listed for removal at retire."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from builders import istio_base, namespace, nginx_lb, peer_auth
from shared_fixtures import SHARED_FIXTURES

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.source import read_source
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan

CASES = Path(__file__).resolve().parents[3] / "migrate" / "ingresses.yaml"
DOCS = [d for d in yaml.safe_load_all(CASES.read_text(encoding="utf-8")) if d]
P = "nginx.ingress.kubernetes.io/"
NOT_TRANSLATED = [
    "configuration-snippet",
    "custom-http-errors",
    "limit-connections",
    "limit-rps",
    "proxy-body-size",
    "rewrite-target",
    "server-snippet",
]
LB = "Deployment/ingress-nginx/ingress-nginx-controller"


def _objects(extra=()):
    return (
        istio_base("STRICT")
        + nginx_lb()
        + [namespace("shop"), namespace("api")]
        + [dict(d) for d in DOCS]
        + list(extra)
    )


def _facts(objects):
    facts = detect(objects)
    facts["migrate_source"] = read_source(objects=objects)
    return facts


def _gateway(ns="istio-system", name="meshgate-migrate"):
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"gatewayClassName": "istio", "listeners": []},
    }


def _patches(p):
    return [pt for ph in p["phases"] for pt in ph["patches"]]


def test_untranslatable_annotations_refuse_the_plan_naming_each():
    p = plan(_facts(_objects()), "migrate")
    assert _patches(p) == []
    assert sorted(r["code"] for r in p["refusals"]) == ["migrate-not-translated"] * 7
    reasons = " ".join(r["reason"] for r in p["refusals"])
    for key in NOT_TRANSLATED:
        assert P + key in reasons
    assert "migrate_accept: [%sconfiguration-snippet]" % P in " ".join(
        r["suggestion"] for r in p["refusals"]
    )
    assert p["migration"]["refused"] == sorted(P + k for k in NOT_TRANSLATED)
    assert p["migration"]["counts"]["not-translated"] == 7


def test_parallel_creates_the_translation_and_undo_deletes_it():
    p = plan(_facts(_objects()), "migrate", {"migrate_accept": NOT_TRANSLATED})
    assert p["refusals"] == []
    assert [ph["name"] for ph in p["phases"]] == ["gateway", "routes"]
    gateway_phase = p["phases"][0]
    assert {pt["target"]["kind"] for pt in gateway_phase["patches"]} == {
        "Gateway",
        "ReferenceGrant",
    }
    assert gateway_phase["wait"] == [
        {
            "for": "rollout",
            "targets": ["Deployment/istio-system/meshgate-migrate-istio"],
            "timeout": 600,
        }
    ]
    kinds = {pt["target"]["kind"] for pt in _patches(p)}
    assert kinds == {
        "Gateway",
        "ReferenceGrant",
        "HTTPRoute",
        "GRPCRoute",
        "DestinationRule",
        "AuthorizationPolicy",
    }
    assert all(pt["creates"] and pt["undo"] == {"action": "delete"} for pt in _patches(p))
    assert len(p["undo"]) == len(_patches(p))
    # the source is not touched in this stage
    assert not [pt for pt in _patches(p) if pt["target"]["kind"] in ("Deployment", "Service")]
    assert p["migration"]["stage"] == "parallel" and p["migration"]["source"] == LB
    assert p["migration"]["accepted"] == sorted(NOT_TRANSLATED)
    assert {r["ingress"] for r in p["migration"]["report"]} >= {"shop/web", "api/grpc"}


def test_plan_is_deterministic():
    a = plan(_facts(_objects()), "migrate", {"migrate_accept": NOT_TRANSLATED})
    b = plan(_facts(list(reversed(_objects()))), "migrate", {"migrate_accept": NOT_TRANSLATED})
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_facts_without_the_source_are_refused_with_the_way_out():
    facts = detect(_objects())
    with pytest.raises(PlanError, match="leave facts out"):
        plan(facts, "migrate")


def test_later_stages_need_the_parallel_stage_first():
    for stage in ("cutover", "retire"):
        p = plan(
            _facts(_objects()),
            "migrate",
            {"migrate_accept": NOT_TRANSLATED, "migrate_stage": stage},
        )
        assert _patches(p) == []
        assert [r["code"] for r in p["refusals"]] == ["migrate-stage-order"]


def test_cutover_dns_writes_nothing_and_names_the_hosts():
    p = plan(
        _facts(_objects([_gateway()])),
        "migrate",
        {"migrate_accept": NOT_TRANSLATED, "migrate_stage": "cutover"},
    )
    assert _patches(p) == [] and p["refusals"] == []
    assert "shop.example.com" in p["migration"]["dns"]
    assert any("meshgate-migrate-istio" in w and "shop.example.com" in w for w in p["warnings"])


def test_cutover_service_repoints_the_lb_service_and_undo_restores_it():
    gw = _gateway(ns="ingress-nginx")
    p = plan(
        _facts(_objects([gw])),
        "migrate",
        {
            "migrate_accept": NOT_TRANSLATED,
            "migrate_stage": "cutover",
            "migrate_cutover": "service",
        },
    )
    (patch,) = _patches(p)
    assert patch["target"] == {
        "apiVersion": "v1",
        "kind": "Service",
        "name": "ingress-nginx-controller",
        "namespace": "ingress-nginx",
    }
    assert patch["manifest"]["spec"] == {
        "selector": {"gateway.networking.k8s.io/gateway-name": "meshgate-migrate"},
        "ports": [
            {"port": 80, "protocol": "TCP", "targetPort": 80},
            {"port": 443, "protocol": "TCP", "targetPort": 443},
        ],
    }
    assert patch["undo"]["action"] == "restore-field"
    assert patch["undo"]["restore"]["spec.selector"] == {
        "app.kubernetes.io/name": "ingress-nginx",
        "app.kubernetes.io/component": "controller",
    }
    assert [x["targetPort"] for x in patch["undo"]["restore"]["spec.ports"]] == [80, 443]
    assert any("Helm chart or GitOps sync" in w for w in p["warnings"])


def test_cutover_service_refuses_a_gateway_in_another_namespace():
    p = plan(
        _facts(_objects([_gateway()])),
        "migrate",
        {
            "migrate_accept": NOT_TRANSLATED,
            "migrate_stage": "cutover",
            "migrate_cutover": "service",
            "gateway": "istio-system/meshgate-migrate",
        },
    )
    assert _patches(p) == []
    assert [r["code"] for r in p["refusals"]] == ["migrate-service-namespace"]
    assert "ingress-nginx/<name>" in p["refusals"][0]["suggestion"]


def test_the_service_cutover_default_gateway_is_in_the_source_namespace():
    p = plan(
        _facts(_objects()),
        "migrate",
        {"migrate_accept": NOT_TRANSLATED, "migrate_cutover": "service"},
    )
    (gw,) = [pt for pt in _patches(p) if pt["target"]["kind"] == "Gateway"]
    assert gw["target"]["namespace"] == "ingress-nginx"


def test_retire_scales_to_zero_lists_permissive_exceptions_and_undo_restores_replicas():
    web_pods = {"app": "web"}
    extra = [
        _gateway(),
        peer_auth("shop", "meshgate-permissive-app-web", None, web_pods, {"8080": "PERMISSIVE"}),
        peer_auth("shop", "someone-elses", None, web_pods, {"8080": "PERMISSIVE"}),
    ]
    p = plan(
        _facts(_objects(extra)),
        "migrate",
        {"migrate_accept": NOT_TRANSLATED, "migrate_stage": "retire"},
    )
    (patch,) = _patches(p)
    assert patch["target"]["kind"] == "Deployment"
    assert patch["manifest"]["spec"] == {"replicas": 0}
    assert patch["undo"] == {
        "action": "restore-field",
        "fields": ["spec.replicas"],
        "restore": {"spec.replicas": 1},
    }
    assert p["migration"]["permissive_for_removal"] == [
        "PeerAuthentication/shop/meshgate-permissive-app-web"
    ]
    assert any("IngressClass" in w or "nginx stays" in w for w in p["warnings"])


def test_an_existing_gateway_is_used_not_created():
    p = plan(
        _facts(_objects([_gateway(ns="edge", name="public")])),
        "migrate",
        {"migrate_accept": NOT_TRANSLATED, "gateway": "edge/public"},
    )
    kinds = {pt["target"]["kind"] for pt in _patches(p)}
    assert "Gateway" not in kinds and "ReferenceGrant" not in kinds
    assert p["migration"]["gateway"] == {
        "name": "public",
        "namespace": "edge",
        "class": "istio",
        "existing": True,
    }


def test_no_source_load_balancer():
    objects = istio_base("STRICT") + [namespace("shop")]
    facts = _facts(objects)
    with pytest.raises(PlanError, match="no load balancer of a vendor"):
        plan(facts, "migrate")


def test_the_gateway_an_earlier_parallel_stage_made_is_planned_the_same():
    ours = _gateway()
    ours["metadata"]["managedFields"] = [{"manager": "meshgate", "operation": "Apply"}]
    first = plan(_facts(_objects()), "migrate", {"migrate_accept": NOT_TRANSLATED})
    again = plan(_facts(_objects([ours])), "migrate", {"migrate_accept": NOT_TRANSLATED})
    assert [pt["manifest"] for pt in _patches(again)] == [pt["manifest"] for pt in _patches(first)]
    assert again["migration"]["gateway"]["existing"] is False
    retire = plan(
        _facts(_objects([ours])),
        "migrate",
        {"migrate_accept": NOT_TRANSLATED, "migrate_stage": "retire"},
    )
    assert [pt["target"]["kind"] for pt in _patches(retire)] == ["Deployment"]


def test_an_acceptance_that_matches_nothing_is_named():
    p = plan(
        _facts(_objects()),
        "migrate",
        {"migrate_accept": NOT_TRANSLATED + ["configuraton-snippet"]},
    )
    assert p["refusals"] == []
    assert any("configuraton-snippet matched nothing" in w for w in p["warnings"])


def test_objects_take_the_version_the_cluster_serves():
    facts = _facts(_objects())
    facts["cluster_facts"] = {
        "apis": {
            "gateway.networking.k8s.io/Gateway": "v1",
            "gateway.networking.k8s.io/HTTPRoute": "v1",
            "gateway.networking.k8s.io/GRPCRoute": "v1",
            "gateway.networking.k8s.io/ReferenceGrant": "v1beta1",
            "networking.istio.io/DestinationRule": "v1",
            "security.istio.io/AuthorizationPolicy": "v1",
        }
    }
    p = plan(facts, "migrate", {"migrate_accept": NOT_TRANSLATED})
    grants = [pt for pt in _patches(p) if pt["target"]["kind"] == "ReferenceGrant"]
    assert grants and all(
        g["target"]["apiVersion"]
        == g["manifest"]["apiVersion"]
        == "gateway.networking.k8s.io/v1beta1"
        for g in grants
    )


def test_ingresses_in_a_namespace_being_deleted_are_left_out():
    objects = _objects()
    for o in objects:
        if o["kind"] == "Namespace" and o["metadata"]["name"] == "api":
            o["metadata"]["deletionTimestamp"] = "2026-12-08T00:00:00Z"
            o["status"] = {"phase": "Terminating"}
    p = plan(_facts(objects), "migrate", {"migrate_accept": NOT_TRANSLATED})
    assert not [pt for pt in _patches(p) if pt["target"].get("namespace") == "api"]
    assert "Ingress/api/grpc" not in p["migration"]["ingresses"]
    assert any("namespace is being deleted" in w and "Ingress/api/grpc" in w for w in p["warnings"])


def test_the_module_reads_the_ingresses_offline_and_never_returns_their_annotations(tmp_path):
    """lb_plan mode migrate from files (src): the Ingresses' full annotations reach the
    translator (a snippet is refused), but the result carries no annotation value."""
    import json
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[4]
    play = [
        {
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "vars": {"ansible_python_interpreter": sys.executable},
            "tasks": [
                {
                    "meshgate.istio_lb.lb_plan": {
                        "mode": "migrate",
                        "src": [
                            str(SHARED_FIXTURES / "controllers/ingress-nginx/deploy-cloud.yaml"),
                            str(CASES),
                        ],
                    },
                    "register": "planned",
                },
                {
                    "ansible.builtin.copy": {
                        "content": "{{ planned | to_json }}",
                        "dest": str(tmp_path / "out.json"),
                        "mode": "0600",
                    }
                },
            ],
        }
    ]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(root / ".build" / "collections"))
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
    text = (tmp_path / "out.json").read_text()
    result = json.loads(text)
    assert P + "configuration-snippet" in result["plan"]["migration"]["refused"]
    assert "more_set_headers" not in text and "auth.shop.svc.cluster.local:8080/verify" not in text
    assert "migrate_source" not in result["facts"]
