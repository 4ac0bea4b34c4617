# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Every upstream manifest under ../shared/fixtures is detected with the right vendor, as it is.

The expectations below were written from the manifests' own facts (../shared/fixtures/
MANIFEST.md and ../shared/fixtures/upstream/PROVENANCE.md: workload kind/namespace/name, images,
IngressClass controllers), not from running the detector.
"""

from __future__ import annotations

import os

import pytest
from shared_fixtures import SHARED_FIXTURES  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import summarize
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources

SHARED = str(SHARED_FIXTURES)


def run(*paths, **options):
    objects, _warnings = load_sources([os.path.join(SHARED, p) for p in paths])
    return detect(objects, options or None)


def lbs(result):
    return sorted(
        (lb["vendor"], lb["kind"], lb["namespace"], lb["name"]) for lb in result["load_balancers"]
    )


def route(result, kind, name, namespace="default"):
    hits = [
        r
        for r in result["routes"]
        if r["kind"] == kind and r["name"] == name and r["namespace"] == namespace
    ]
    assert len(hits) == 1, (
        kind,
        namespace,
        name,
        [(r["kind"], r["namespace"], r["name"]) for r in result["routes"]],
    )
    return hits[0]


# ------------------------------------------------------------------ controllers (workloads)

CONTROLLERS = [
    (
        ["controllers/ingress-nginx/deploy-cloud.yaml"],
        [("ingress-nginx", "Deployment", "ingress-nginx", "ingress-nginx-controller")],
    ),
    (
        ["controllers/ingress-nginx/deploy-baremetal.yaml"],
        [("ingress-nginx", "Deployment", "ingress-nginx", "ingress-nginx-controller")],
    ),
    # v3.10.0 manifests carry the literal image placeholder $imageRepo$:$version$: labels decide.
    (
        ["controllers/emissary/emissary-emissaryns.yaml.in"],
        [("emissary", "Deployment", "emissary", "emissary-ingress")],
    ),
    (
        ["controllers/emissary/emissary-defaultns.yaml.in"],
        [("emissary", "Deployment", "default", "emissary-ingress")],
    ),
    # The agent runs the same image but is not a data plane.
    (
        ["controllers/emissary/emissary-emissaryns-v2.1.0.yaml"],
        [("emissary", "Deployment", "emissary", "emissary-ingress")],
    ),
    # Contour: the data plane is the envoy DaemonSet, contour itself is the control plane.
    (["controllers/contour/contour.yaml"], [("contour", "DaemonSet", "projectcontour", "envoy")]),
    # Kong 2.x: proxy-kong is the data plane, ingress-kong the controller.
    (["controllers/kong/all-in-one-dbless.yaml"], [("kong", "Deployment", "kong", "proxy-kong")]),
    (
        ["controllers/haproxytech/haproxy-ingress.yaml"],
        [("haproxytech", "Deployment", "haproxy-controller", "haproxy-kubernetes-ingress")],
    ),
    (
        ["controllers/haproxytech/haproxy-ingress-daemonset.yaml"],
        [("haproxytech", "DaemonSet", "haproxy-controller", "haproxy-kubernetes-ingress")],
    ),
    (
        ["controllers/nginx-inc/deployment-nginx-ingress.yaml"],
        [("nginx-inc", "Deployment", "nginx-ingress", "nginx-ingress")],
    ),
    (
        ["controllers/nginx-inc/daemonset-nginx-ingress.yaml"],
        [("nginx-inc", "DaemonSet", "nginx-ingress", "nginx-ingress")],
    ),
    # Istio-only manifests and non-LB controllers: no third-party LB at all.
    (["controllers/istio/ingressgateway-rendered.golden.yaml"], []),
    (["controllers/istio/gateway-api-deployment-simple.golden.yaml"], []),
    (["controllers/istio/istiod-rendered.golden.yaml"], []),
    (["controllers/istio/bookinfo.yaml"], []),
    (["controllers/istio/bookinfo-gateway.yaml"], []),
    (["controllers/istio/bookinfo-gateway-api.yaml"], []),
    (["controllers/gke-managed-certs/managed-certificate-controller.yaml"], []),
    (["controllers/aws-load-balancer-controller/v2_2_4_full.yaml"], []),
]


@pytest.mark.parametrize("paths,expected", CONTROLLERS, ids=[c[0][0] for c in CONTROLLERS])
def test_controller_manifests_detected(paths, expected):
    assert lbs(run(*paths)) == sorted(expected)


def test_all_controllers_together_no_cross_talk():
    everything = [c[0][0] for c in CONTROLLERS]
    expected = sorted({e for c in CONTROLLERS for e in c[1]})
    assert lbs(run(*everything)) == expected


def test_control_planes_reported_as_controllers():
    result = run("controllers/contour/contour.yaml", "controllers/kong/all-in-one-dbless.yaml")
    ctrl = {(c["vendor"], c["namespace"], c["name"], c["role"]) for c in result["controllers"]}
    assert ("contour", "projectcontour", "contour", "control-plane") in ctrl
    assert ("kong", "kong", "ingress-kong", "control-plane") in ctrl
    kong = [lb for lb in result["load_balancers"] if lb["vendor"] == "kong"][0]
    assert kong["controllers"] == ["Deployment/kong/ingress-kong"]


def test_aws_load_balancer_controller_is_a_controller_not_an_lb():
    result = run("controllers/aws-load-balancer-controller/v2_2_4_full.yaml")
    assert [(c["vendor"], c["namespace"], c["name"]) for c in result["controllers"]] == [
        ("aws-alb", "kube-system", "aws-load-balancer-controller")
    ]


def test_ingress_nginx_details():
    result = run("controllers/ingress-nginx/deploy-cloud.yaml")
    (lb,) = result["load_balancers"]
    assert lb["ingress_classes"] == ["nginx"]
    assert lb["service"]["type"] == "LoadBalancer"
    assert lb["service"]["external_traffic_policy"] == "Local"
    assert lb["host_network"] is False
    assert lb["mode"] == "unknown"  # no Ingress in the install manifest
    assert any("ingress-nginx/controller" in e for e in lb["evidence"])
    # The admission Jobs are helpers, not LBs; without injection they are fine.
    assert not [f for f in result["findings"] if f["code"] == "MG0007"]
    # Retired project; and Istio is not in this input.
    assert [f["code"] for f in result["findings"]] == ["MG0008", "MG0018"]


def test_kong_proxy_exposed_by_aws_nlb_service():
    (lb,) = run("controllers/kong/all-in-one-dbless.yaml")["load_balancers"]
    assert lb["service"]["name"] == "kong-proxy"
    assert lb["service"]["cloud_lb"] == "aws-nlb"


def test_istio_pieces_found_and_kept_apart():
    result = run(
        "controllers/istio/istiod-rendered.golden.yaml",
        "controllers/istio/ingressgateway-rendered.golden.yaml",
        "controllers/istio/gateway-api-deployment-simple.golden.yaml",
    )
    istio = result["istio"]
    assert istio["installed"] is True
    assert istio["control_plane_namespace"] == "istio-system"
    names = {(g["namespace"], g["name"]) for g in istio["gateways"]}
    assert ("istio-system", "istio-ingressgateway") in names
    assert ("istio-system", "istio-ingressgateway-custom") in names
    assert ("default", "default-istio") in names
    gw = [g for g in istio["gateways"] if g["name"] == "istio-ingressgateway"][0]
    assert any(s["status_port"] for s in gw["services"])
    assert result["load_balancers"] == []


# ------------------------------------------------------------------ routes (partial snapshots)


def test_class_nginx_is_ambiguous_without_ingressclass_or_annotations():
    r = route(run("examples/nginx-inc/cafe-ingress.yaml"), "Ingress", "cafe-ingress")
    assert r["vendor"] is None
    assert r["vendor_candidates"] == ["ingress-nginx", "nginx-inc"]


def test_class_nginx_decided_by_ingressclass():
    result = run(
        "examples/nginx-inc/cafe-ingress.yaml", "controllers/nginx-inc/common-ingress-class.yaml"
    )
    r = route(result, "Ingress", "cafe-ingress")
    assert (r["vendor"], r["vendor_inferred"]) == ("nginx-inc", False)


def test_class_nginx_decided_by_vendor_annotations():
    r = route(run("examples/nginx-inc/simple-rewrite.yaml"), "Ingress", "cafe-ingress")
    assert (r["vendor"], r["vendor_inferred"]) == ("nginx-inc", True)
    r = route(run("examples/ingress-nginx/affinity-cookie-ingress.yaml"), "Ingress", "nginx-test")
    assert (r["vendor"], r["vendor_inferred"]) == ("ingress-nginx", True)


def test_legacy_class_annotation_and_gke_classes():
    result = run(
        "examples/gke/external-ingress-basic.yaml", "examples/gke/internal-ingress-basic.yaml"
    )
    assert route(result, "Ingress", "foo-external")["vendor"] == "gke-ingress"
    r = route(result, "Ingress", "foo-internal")
    assert (r["vendor"], r["class"]) == ("gke-ingress", "gce-internal")


def test_route_with_nothing_pointing_anywhere_is_null():
    r = route(run("examples/gke/basic-ingress.yaml"), "Ingress", "basic-ingress")
    assert r["vendor"] is None and "vendor_candidates" not in r


def test_vendor_route_kinds():
    assert (
        route(run("examples/contour/basic-httpproxy.yaml"), "HTTPProxy", "basic")["vendor"]
        == "contour"
    )
    assert (
        route(run("examples/emissary/quote-backend-mapping.yaml"), "Mapping", "quote-backend")[
            "vendor"
        ]
        == "emissary"
    )
    vs = route(run("examples/nginx-inc/cafe-virtual-server.yaml"), "VirtualServer", "cafe")
    assert vs["vendor"] == "nginx-inc"
    assert sorted(b["service"] for b in vs["backends"]) == ["coffee-svc", "tea-svc"]


def test_gateway_api_routes_follow_their_gatewayclass():
    result = run("examples/kong/gateway-httproute.yaml")
    for r in result["routes"]:
        if r["kind"] in ("Gateway", "HTTPRoute"):
            assert (r["vendor"], r["vendor_inferred"]) == ("kong", False), r


def test_gke_gateway_class_inferred():
    result = run("examples/gke/gateway-global-l7-xlb")
    kinds = {(r["kind"], r["vendor"]) for r in result["routes"]}
    assert ("Gateway", "gke-gateway") in kinds
    assert ("HTTPRoute", "gke-gateway") in kinds


def test_gke_ingress_chained_to_istio_gateway_with_good_health_check():
    result = run("examples/gke/ingress-asm-multi-backendconfig")
    cloud = [lb for lb in result["load_balancers"] if lb["vendor"] == "gke-ingress"]
    assert len(cloud) == 1
    assert cloud[0]["mode"] == "chained"
    assert cloud[0]["health_check"]["ok"] is True
    assert not [f for f in result["findings"] if f["code"] == "MG0006"]


def test_multicluster_ingress_to_asm_gateway():
    result = run("examples/gke/mci-asm-https-e2e")
    (mci,) = [lb for lb in result["load_balancers"] if lb["kind"] == "MultiClusterIngress"]
    assert mci["vendor"] == "gke-ingress"
    assert mci["mode"] == "chained"
    assert mci["health_check"]["ok"] is True


def test_alb_ingress_is_a_cloud_lb():
    result = run("examples/aws-alb/2048_full.yaml")
    (lb,) = result["load_balancers"]
    assert (lb["vendor"], lb["kind"], lb["namespace"], lb["name"]) == (
        "aws-alb",
        "Ingress",
        "game-2048",
        "ingress-2048",
    )
    assert lb["mode"] == "standalone" and lb["mtls"] is False


def test_no_false_positive_on_istio_routes():
    result = run("controllers/istio/bookinfo-gateway.yaml", "controllers/istio/bookinfo.yaml")
    assert result["load_balancers"] == []
    assert {r["vendor"] for r in result["routes"]} == {"istio"}


def test_all_examples_load_and_every_route_has_a_vendor_or_a_reason():
    result = run("examples")
    for r in result["routes"]:
        assert (
            r["vendor"]
            or r.get("vendor_candidates") is not None
            or r["kind"] in ("Ingress", "HTTPRoute", "Gateway")
        )
    codes = {f["code"] for f in result["findings"]}
    assert "MG0012" in codes  # class nginx / haproxy without IngressClass somewhere in the examples


def test_deterministic_output():
    a = run("examples", "controllers")
    b = run("controllers", "examples")
    assert a == b


def test_summary_keeps_everything_but_the_per_route_lists():
    """lb_info's default detail: the same load balancers, Istio, findings and counts as the full
    result, each route and backend list replaced by its length, and no routes."""
    full = run("examples", "controllers")
    short = summarize(full)
    assert full["detail"] == "full" and short["detail"] == "summary"
    assert "routes" not in short and full["routes"]
    for key in ("istio", "findings", "summary", "controllers", "cluster_facts"):
        assert short[key] == full[key], key
    assert len(short["load_balancers"]) == len(full["load_balancers"])
    served = 0
    for lb_full, lb_short in zip(full["load_balancers"], short["load_balancers"], strict=True):
        assert lb_short["route_count"] == len(lb_full["routes"])
        assert lb_short["backend_count"] == len(lb_full["backends"])
        assert "routes" not in lb_short and "backends" not in lb_short
        rest = {k: v for k, v in lb_full.items() if k not in ("routes", "backends")}
        assert {k: lb_short[k] for k in rest} == rest
        served += lb_short["route_count"]
    assert served > 0
    # The full result is left as it was (the filters and lb_plan keep using it).
    assert full == run("examples", "controllers")
    # Summarising a summary changes nothing.
    assert summarize(short) == short


def test_what_reduction_drops_changes_no_answer(monkeypatch):
    """Reduction drops the command line and environment of workloads no vendor or Istio signal
    singles out, and detection skips classifying them: over every vendor manifest and example,
    the answer is the same as when every workload is kept whole and classified."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect import istio, workloads
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read import reduce

    lean = run("examples", "controllers")
    # Patched where it is looked up: reduction, and the two detection steps that skip on it.
    for where in (reduce, istio, workloads):
        monkeypatch.setattr(where, "singled_out", lambda labels, containers: True)
    assert run("examples", "controllers") == lean


def test_fact_keys_are_what_gather_returns():
    """detect.FACT_KEYS (what lb_plan accepts as facts and copies into its `facts`) is exactly
    what the shared read-and-detect path returns: a new key in detect() must be added there."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import FACT_KEYS
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.gather import gather

    src = [os.path.join(SHARED, "examples"), os.path.join(SHARED, "controllers")]
    facts, kinds, _warnings = gather(src=src, options={"cluster_domain": "cluster.local"})
    assert sorted(facts) == sorted(FACT_KEYS)
    assert facts["cluster"] == {"source": "offline", "src": src}
    # Same answer as detecting the loaded objects directly; kinds name every kind read.
    assert {k: v for k, v in facts.items() if k != "cluster"} == run("examples", "controllers")
    loaded = {
        "%s/%s" % (o["apiVersion"].rpartition("/")[0] or "core", o["kind"])
        for o in load_sources(src)[0]
    }
    assert {k["kind"] for k in kinds} == loaded
