# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""How many X-Forwarded-For entries reach the Istio gateway, as data: an in-cluster LB chained
to it adds one, the cloud LBs in front of that LB (fronted_by) add theirs (vendor data xff_hops:
Google's Application LB 2, AWS ALB 1, Application Gateway 1, the L4 NLB and Azure LB none).
MG0013 asks for that count when numTrustedProxies is unset, MG0023 reports a gateway that
trusts fewer (bridged gateways too), and the chained plan writes it, never lowering a higher
value."""

from __future__ import annotations

import copy
import json

import pytest
from builders import ingress, istio_base, istio_gateway, nginx_lb, service

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan

NGINX_ID = "Deployment/ingress-nginx/ingress-nginx-controller"
NGINX_SVC = "ingress-nginx-controller"


def _gateway(trusted=None):
    gw, svc = istio_gateway()
    if trusted is not None:
        gw["spec"]["template"]["metadata"]["annotations"]["proxy.istio.io/config"] = json.dumps(
            {"gatewayTopology": {"numTrustedProxies": trusted}}
        )
    return [gw, svc]


def _nginx_lb(passes_xff=True):
    """ingress-nginx, told (passes_xff) to pass on the X-Forwarded-For it receives with its peer
    appended (ConfigMap use-forwarded-headers and compute-full-forwarded-for "true")."""
    objs = nginx_lb(args=["/nginx-ingress-controller", "--configmap=$(POD_NAMESPACE)/nginx-cm"])
    if passes_xff:
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "nginx-cm", "namespace": "ingress-nginx"},
                "data": {"use-forwarded-headers": "true", "compute-full-forwarded-for": "true"},
            }
        )
    return objs


def _chained(trusted=None, nginx_service_annotations=None, passes_xff=True):
    """ingress-nginx chained to the Istio gateway (an Ingress of class nginx sending to it)."""
    lb = _nginx_lb(passes_xff)
    if nginx_service_annotations:
        (svc,) = [o for o in lb if o["kind"] == "Service"]
        svc["metadata"]["annotations"].update(nginx_service_annotations)
    return (
        istio_base()
        + lb
        + _gateway(trusted)
        + [ingress("istio-system", "edge", "istio-ingressgateway", 80)]
    )


def _gce_in_front():
    return ingress(
        "ingress-nginx",
        "gclb",
        NGINX_SVC,
        80,
        klass=None,
        annotations={"kubernetes.io/ingress.class": "gce"},
    )


def _gke_gateway_in_front():
    gateway = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "edge", "namespace": "ingress-nginx"},
        "spec": {
            "gatewayClassName": "gke-l7-global-external-managed",
            "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}],
        },
    }
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "edge", "namespace": "ingress-nginx"},
        "spec": {
            "parentRefs": [{"name": "edge"}],
            "rules": [{"backendRefs": [{"name": NGINX_SVC, "port": 80}]}],
        },
    }
    return [gateway, route]


# One case per cloud LB kind in front of ingress-nginx: (objects added, Service annotations of
# ingress-nginx's own Service, the front's id, its hops).
FRONTS = {
    "gke-ingress": (
        [_gce_in_front()],
        None,
        "gke-ingress:Ingress/ingress-nginx/gclb",
        2,
    ),
    "gke-gateway": (
        _gke_gateway_in_front(),
        None,
        "gke-gateway:Gateway/ingress-nginx/edge",
        2,
    ),
    "aws-alb": (
        [ingress("ingress-nginx", "alb", NGINX_SVC, 80, klass="alb")],
        None,
        "aws-alb:Ingress/ingress-nginx/alb",
        1,
    ),
    "azure-agic": (
        [ingress("ingress-nginx", "agic", NGINX_SVC, 80, klass="azure-application-gateway")],
        None,
        "azure-agic:Ingress/ingress-nginx/agic",
        1,
    ),
    "aws-nlb": (
        [],
        {
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        },
        "aws-nlb:Service/ingress-nginx/%s" % NGINX_SVC,
        0,
    ),
    "azure-lb": (
        [],
        {"service.beta.kubernetes.io/azure-load-balancer-internal": "false"},
        "azure-lb:Service/ingress-nginx/%s" % NGINX_SVC,
        0,
    ),
}


def _fronted(vendor, trusted=None, passes_xff=True):
    extra, annotations, _id, _hops = FRONTS[vendor]
    return _chained(trusted, annotations, passes_xff) + copy.deepcopy(extra)


def _nginx(result):
    (lb,) = [x for x in result["load_balancers"] if x["id"] == NGINX_ID]
    return lb


def _codes(result, code):
    return [f for f in result["findings"] if f["code"] == code]


def test_an_in_cluster_lb_alone_adds_one_entry():
    result = detect(_chained())
    lb = _nginx(result)
    assert (lb["mode"], lb["fronted_by"], lb["xff_hops"]) == ("chained", [], 1)
    (f,) = _codes(result, "MG0013")
    assert f["args"]["n"] == 1
    result = detect(_chained(trusted=1))
    assert not _codes(result, "MG0013") and not _codes(result, "MG0023")


@pytest.mark.parametrize("vendor", sorted(FRONTS))
def test_each_cloud_lb_in_front_of_the_in_cluster_lb_adds_its_entries(vendor):
    _extra, _annotations, front_id, hops = FRONTS[vendor]
    lb = _nginx(detect(_fronted(vendor)))
    (front,) = lb["fronted_by"]
    assert (front["id"], front["vendor"], front["xff_hops"]) == (front_id, vendor, hops)
    assert lb["xff_hops"] == 1 + hops


@pytest.mark.parametrize("vendor", sorted(FRONTS))
def test_mg0013_asks_for_the_entries_of_the_whole_path(vendor):
    hops = 1 + FRONTS[vendor][3]
    (f,) = _codes(detect(_fronted(vendor)), "MG0013")
    assert f["args"]["n"] == hops and '"numTrustedProxies": %d' % hops in f["fix"]


@pytest.mark.parametrize("vendor", sorted(FRONTS))
def test_mg0023_fires_below_the_path_and_not_at_it(vendor):
    hops = 1 + FRONTS[vendor][3]
    if hops > 1:
        result = detect(_fronted(vendor, trusted=hops - 1))
        (f,) = _codes(result, "MG0023")
        assert f["level"] == "Warning"
        assert f["object"]["name"] == "istio-ingressgateway"
        assert (f["args"]["have"], f["args"]["n"]) == (hops - 1, hops)
        assert FRONTS[vendor][2] in f["message"]
        assert "the pod's proxy.istio.io/config" in f["message"]
        assert '"numTrustedProxies": %d' % hops in f["fix"]
        assert not _codes(result, "MG0013")
    for enough in (hops, hops + 1):
        result = detect(_fronted(vendor, trusted=enough))
        assert not _codes(result, "MG0023") and not _codes(result, "MG0013")


def test_mg0023_reads_the_mesh_default_too():
    objs = _fronted("gke-ingress")
    objs += istio_base(
        mesh_config="defaultConfig:\n  gatewayTopology:\n    numTrustedProxies: 1\n"
    )[-1:]
    (f,) = _codes(detect(objs), "MG0023")
    assert "the mesh's defaultConfig.gatewayTopology" in f["message"]
    assert f["args"]["n"] == 3


def _bridged(trusted=None, front=False):
    """ingress-nginx sends shop's Ingress to the gateway through an ExternalName Service in shop
    (chained mode's cross-namespace bridge)."""
    bridge = service("shop", "to-gateway", None)
    bridge["spec"] = {
        "type": "ExternalName",
        "externalName": "istio-ingressgateway.istio-system.svc.cluster.local",
    }
    objs = (
        istio_base()
        + _nginx_lb()
        + _gateway(trusted)
        + [bridge, ingress("shop", "web", "to-gateway", 80)]
    )
    return objs + ([_gce_in_front()] if front else [])


def test_a_bridged_gateway_is_judged_too():
    result = detect(_bridged())
    assert _nginx(result)["mode"] == "chained"
    (f,) = _codes(result, "MG0013")
    assert f["object"]["name"] == "istio-ingressgateway"
    result = detect(_bridged(trusted=1, front=True))
    (f,) = _codes(result, "MG0023")
    assert (f["args"]["have"], f["args"]["n"]) == (1, 3)
    assert not _codes(detect(_bridged(trusted=3, front=True)), "MG0023")


def test_a_cloud_lb_straight_in_front_of_the_gateway():
    """Google's LB sending to the gateway itself: 2 entries; AWS ALB: 1."""
    gce = ingress(
        "istio-system",
        "edge",
        "istio-ingressgateway",
        80,
        klass=None,
        annotations={"kubernetes.io/ingress.class": "gce"},
    )
    objs = istio_base() + _gateway(trusted=1) + [gce]
    (f,) = _codes(detect(objs), "MG0023")
    assert (f["args"]["have"], f["args"]["n"]) == (1, 2)
    assert "Ingress istio-system/edge (gke-ingress)" in f["message"]
    alb = ingress("istio-system", "edge", "istio-ingressgateway", 80, klass="alb")
    assert not _codes(detect(istio_base() + _gateway(trusted=1) + [alb]), "MG0023")


def _trusted_by_plan(p):
    for ph in p["phases"]:
        for pt in ph["patches"]:
            if pt["target"]["name"] == "istio-ingressgateway":
                anns = pt["manifest"]["spec"]["template"]["metadata"]["annotations"]
                return json.loads(anns["proxy.istio.io/config"])["gatewayTopology"][
                    "numTrustedProxies"
                ]
    return None


def _to_chain(objs):
    """The Ingresses of class nginx sending to the app, for the chained plan to re-point."""
    return objs + [
        service("shop", "web", {"app": "web"}),
        ingress("shop", "web", "web", 80),
    ]


@pytest.mark.parametrize("vendor", sorted(FRONTS))
def test_the_chained_plan_trusts_the_whole_path(vendor):
    objs = _to_chain(istio_base() + _nginx_lb() + _gateway())
    extra, annotations, _id, hops = FRONTS[vendor]
    if annotations:
        objs[[o["metadata"]["name"] for o in objs].index(NGINX_SVC)]["metadata"][
            "annotations"
        ].update(annotations)
    p = plan(detect(objs + copy.deepcopy(extra)), "chained")
    assert _trusted_by_plan(p) == 1 + hops


def test_the_chained_plan_never_lowers_a_higher_trust():
    p = plan(detect(_to_chain(istio_base() + _nginx_lb() + _gateway(trusted=4))), "chained")
    assert _trusted_by_plan(p) is None
    assert any("trusts 4" in w and "left as it is" in w for w in p["warnings"])
    p = plan(
        detect(_to_chain(istio_base() + _nginx_lb() + _gateway(trusted=4))),
        "chained",
        {"num_trusted_proxies": 2},
    )
    assert _trusted_by_plan(p) == 2  # asked for: written


@pytest.mark.parametrize("vendor", ["gke-ingress", "aws-alb"])
def test_an_lb_that_sends_one_entry_whatever_it_receives(vendor):
    """ingress-nginx's defaults: X-Forwarded-For is its peer's address alone (nginx.tmpl), so
    the entries of the cloud LB in front never reach the gateway: 1 is right, no MG0023; the
    plan trusts 1 and says how to pass the client's address on."""
    result = detect(_fronted(vendor, trusted=1, passes_xff=False))
    lb = _nginx(result)
    assert (lb["xff_passed_on"], lb["xff_hops"]) == (False, 1)
    assert lb["fronted_by"][0]["vendor"] == vendor
    assert not _codes(result, "MG0023")
    objs = _to_chain(istio_base() + _nginx_lb(passes_xff=False) + _gateway())
    p = plan(detect(objs + copy.deepcopy(FRONTS[vendor][0])), "chained")
    assert _trusted_by_plan(p) == 1
    assert any("compute-full-forwarded-for" in w for w in p["warnings"])
