# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""lb_plan against the real API server with the real CRD schemas.

Every manifest of every plan (fixture scenarios x modes x options) must be accepted by a
server-side dry-run apply; planning never writes; the conflicts a plan predicts for atomic
lists owned by another manager are the ones the API server reports.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playbook import run_play

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.source import read_source
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.builder import FIELD_MANAGER
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.options import MODES
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.live import collect_live

ROOT = Path(__file__).resolve().parents[2]
GATEWAY = "istio-system/istio-ingressgateway"
OPTION_SETS = [
    {"gateway": GATEWAY},
    {"gateway": GATEWAY, "global_switch": True, "revision": "default"},
    {
        "gateway": GATEWAY,
        "backend_protocol": "HTTPS",
        "gateway_credential_name": "gateway-cert",  # the HTTPS server's certificate on 443
        "managed_certificate_domains": ["shop.example.com"],
        "https_redirect": True,
        "ssl_policy": "modern",
        "static_ip_name": "shop-ip",
    },
    {
        "gateway": GATEWAY,
        "gke_gateway_class": "gke-l7-global-external-managed",
        "hosts": ["shop.example.com"],
    },
    # Multi-cluster GKE Gateway: the route and HealthCheckPolicy name a ServiceImport.
    {
        "gateway": GATEWAY,
        "gke_gateway_class": "gke-l7-global-external-managed-mc",
        "hosts": ["shop.example.com"],
    },
    # Internal GKE Ingress: a regional static IP.
    {"gateway": GATEWAY, "ingress_class": "gce-internal", "static_ip_name": "shop-ip"},
    {"route_api": "gateway-api"},
    {"gateway": GATEWAY, "gateway_credential_name": "gateway-cert"},
]

pytestmark = [pytest.mark.controlplane, pytest.mark.mutates_cluster]


@pytest.fixture(scope="module")
def facts(control_plane, loaded, scenario):
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    idx, _kinds, _pages = collect_live(client)
    facts = detect(idx)
    # What lb_plan reads beside detection for mode migrate (the Ingresses' full annotations).
    facts["migrate_source"] = read_source(client=client)
    return facts


def _plans(facts):
    for mode in MODES:
        for opts in OPTION_SETS:
            if "route_api" in opts and mode != "chained":
                continue  # an option of the chained mode only
            if "gateway_credential_name" in opts and mode not in ("chained", "gclb_chained"):
                continue  # an option of the modes that route through the Istio gateway
            try:
                yield mode, opts, plan(facts, mode, opts)
            except PlanError as exc:  # a refusal of the whole request is not a manifest
                yield mode, opts, exc


def test_every_manifest_of_every_plan_passes_server_side_dry_run(control_plane, facts):
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    mark = control_plane.audit.mark()
    checked = {}
    rejected = []
    for mode, opts, p in _plans(facts):
        assert not isinstance(p, PlanError), (mode, opts, str(p))
        for ph in p["phases"]:
            for patch in ph["patches"]:
                try:
                    # force: ownership conflicts are apply's business (tested below); here the
                    # question is whether the schema and the API accept the object.
                    client.apply(patch["manifest"], FIELD_MANAGER, dry_run=True, force=True)
                except K8sError as exc:
                    rejected.append((mode, patch["target"], str(exc)))
                checked[mode] = checked.get(mode, 0) + 1
    assert rejected == []
    # Every mode produced manifests on this cluster (the fixtures give each something to do).
    assert set(checked) == set(MODES), checked
    # Planning and dry runs wrote nothing.
    writes = [
        e
        for e in control_plane.audit.events(since=mark)
        if e.get("verb") in ("create", "update", "patch", "delete")
        and not (e.get("user") or {}).get("username", "").startswith("system:")
        and "dryRun=All" not in e.get("requestURI", "")
    ]
    assert writes == [], [e.get("requestURI") for e in writes]


def test_kinds_planned_cover_the_modes(facts):
    kinds = {}
    for mode, _opts, p in _plans(facts):
        for ph in p["phases"]:
            for patch in ph["patches"]:
                kinds.setdefault(mode, set()).add(patch["target"]["kind"])
    assert "PeerAuthentication" in kinds["standalone"]
    assert {"Deployment", "Ingress"} <= kinds["standalone_mtls"]
    assert {"Gateway", "VirtualService", "HTTPRoute", "Service", "Ingress", "Deployment"} <= kinds[
        "chained"
    ]
    assert {
        "BackendConfig",
        "Service",
        "Ingress",
        "ManagedCertificate",
        "FrontendConfig",
        "HealthCheckPolicy",
        "HTTPRoute",
    } <= kinds["gclb_chained"]
    assert "Deployment" in kinds["ambient"]
    assert {"Gateway", "HTTPRoute", "DestinationRule"} <= kinds["migrate"]


def test_predicted_conflicts_are_the_servers(control_plane, facts):
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    predicted = []
    for mode in ("standalone_mtls", "chained"):
        p = plan(facts, mode, {"gateway": GATEWAY})
        predicted += [
            pt for ph in p["phases"] for pt in ph["patches"] if pt["risk"].get("conflicts_with")
        ]
    assert predicted, "the fixtures hold atomic lists created by kubectl"
    for pt in predicted:
        with pytest.raises(K8sError) as exc:
            client.apply(pt["manifest"], FIELD_MANAGER, dry_run=True)
        assert exc.value.reason == "conflict"
        assert set(pt["risk"]["conflicts_with"]) <= set(exc.value.managers), (
            pt["target"],
            exc.value.managers,
        )


def test_module_writes_plan_files_idempotently(control_plane, loaded, tmp_path):
    dest = tmp_path / "plan"
    task = {
        "name": "plan",
        "meshgate.istio_lb.lb_plan": {
            "mode": "chained",
            "gateway": GATEWAY,
            "kubeconfig": control_plane.kubeconfig,
            "dest": str(dest),
        },
        "register": "r",
    }
    first, proc = run_play(tmp_path, [task], ["r"])
    assert proc.returncode == 0, proc.stdout[-3000:]
    r1 = first["r"]
    assert r1["changed"] is True and r1["plan"]["summary"]["patches"] > 0
    manifests = sorted(p.name for p in (dest / "manifests").iterdir())
    assert manifests[0].startswith("p001-") and len(manifests) == r1["plan"]["summary"]["patches"]
    second, proc = run_play(tmp_path, [task], ["r"])
    assert proc.returncode == 0
    r2 = second["r"]
    assert r2["changed"] is False  # same cluster, same plan, files unchanged
    assert r2["plan"] == r1["plan"]


def _cloud_lbs_in_front():
    """An ALB and an AGIC Ingress sending to the gateway, and two more LoadBalancer Services of
    the gateway pods: an AWS NLB (LBC, instance targets: the API server allocates the NodePort
    the plan must read) and an Azure load balancer."""
    gw_ports = [
        {"name": "status-port", "port": 15021, "targetPort": 15021},
        {"name": "http2", "port": 80, "targetPort": 8080},
    ]

    def edge(name, klass):
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": name, "namespace": "istio-system"},
            "spec": {
                "ingressClassName": klass,
                "defaultBackend": {
                    "service": {"name": "istio-ingressgateway", "port": {"number": 80}}
                },
            },
        }

    def lb_service(name, annotations):
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": "istio-system", "annotations": annotations},
            "spec": {
                "type": "LoadBalancer",
                "selector": {"istio": "ingressgateway"},
                "ports": gw_ports,
            },
        }

    return [
        edge("meshgate-alb", "alb"),
        edge("meshgate-agic", "azure-application-gateway"),
        lb_service(
            "meshgate-nlb",
            {
                "service.beta.kubernetes.io/aws-load-balancer-type": "external",
                "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance",
            },
        ),
        lb_service(
            "meshgate-azure", {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}
        ),
    ]


def test_cloud_lb_health_checks_are_accepted_and_converge(control_plane, loaded):
    """chained for each cloud LB in front of the gateway: the API server takes every patch, and
    once applied detection finds their health checks right (MG0006 gone for all four)."""
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    objs = _cloud_lbs_in_front()
    for obj in objs:
        control_plane.apply_manifests(obj)
    ours = {"Ingress/istio-system/meshgate-alb", "Ingress/istio-system/meshgate-agic"}
    ours |= {"Service/istio-system/meshgate-nlb", "Service/istio-system/meshgate-azure"}

    def mg0006(facts):
        return {
            "%s/%s/%s" % (f["object"]["kind"], f["object"]["namespace"], f["object"]["name"])
            for f in facts["findings"]
            if f["code"] == "MG0006"
        } & ours

    try:
        facts = detect(collect_live(client)[0])
        assert mg0006(facts) == ours
        for gateway in (GATEWAY, "istio-system/meshgate-nlb", "istio-system/meshgate-azure"):
            p = plan(facts, "chained", {"gateway": gateway})
            cloud = [ph for ph in p["phases"] if ph["name"] == "cloud"]
            assert cloud, (gateway, p["refusals"], p["warnings"])
            for patch in cloud[0]["patches"]:
                client.apply(patch["manifest"], FIELD_MANAGER, dry_run=True)
                client.apply(patch["manifest"], FIELD_MANAGER)
        nlb_plan = plan(facts, "chained", {"gateway": "istio-system/meshgate-nlb"})
        (cloud,) = [ph for ph in nlb_plan["phases"] if ph["name"] == "cloud"]
        (nlb,) = [pt for pt in cloud["patches"] if pt["target"]["name"] == "meshgate-nlb"]
        port = nlb["manifest"]["metadata"]["annotations"][
            "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port"
        ]
        assert port.isdigit() and 30000 <= int(port) <= 32767  # the status port's NodePort
        assert mg0006(detect(collect_live(client)[0])) == set()
    finally:
        for obj in objs:
            control_plane.kubectl(
                "delete",
                obj["kind"].lower(),
                obj["metadata"]["name"],
                "-n",
                "istio-system",
                "--wait=false",
                check=False,
            )
