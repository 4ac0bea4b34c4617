"""data_path_hops: how each load balancer sends each route's requests, from detection's facts."""

from __future__ import annotations

from builders import (  # noqa: E402 - test helper next to this file
    GOOD_SIDECAR_ANNOTATIONS,
    app,
    ingress,
    istio_base,
    nginx_lb,
)

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.data_path import (
    ANY_HOST,
    data_path_hops,
    gateway_hops,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect

SERVICE_UPSTREAM = {"nginx.ingress.kubernetes.io/service-upstream": "true"}
UPSTREAM_VHOST = {"nginx.ingress.kubernetes.io/upstream-vhost": "web.shop.svc.cluster.local"}


def _hops(lb_kw=None, annotations=None, host=True):
    route = ingress("shop", "web", "web", 80, annotations=annotations)
    if not host:
        del route["spec"]["rules"][0]["host"]
    objs = istio_base("STRICT") + app() + nginx_lb(**(lb_kw or {})) + [route]
    return data_path_hops(detect(objs, {"detail": "full"}))


def test_a_plain_lb_sends_to_pod_ips_with_the_client_host_without_proxy():
    (hop,) = _hops()
    assert hop["lb"] == "Deployment/ingress-nginx/ingress-nginx-controller"
    assert hop["route"] == "Ingress/shop/web"
    assert (hop["proxy"], hop["dials"]) == ("none", "pod")
    assert (hop["host"], hop["host_source"]) == ("web.example.com", "route")
    assert hop["backend"] == {
        "namespace": "shop",
        "service": "web",
        "port": 80,
        "target_port": 8080,
        "fqdn": "web.shop.svc.cluster.local",
    }


def test_the_vendor_switch_makes_it_dial_the_service_and_its_host_rewrite_names_it():
    (hop,) = _hops(annotations=SERVICE_UPSTREAM)
    assert (hop["dials"], hop["host_source"]) == ("service", "route")
    (hop,) = _hops(annotations={**SERVICE_UPSTREAM, **UPSTREAM_VHOST})
    assert (hop["dials"], hop["host"], hop["host_source"]) == (
        "service",
        "web.shop.svc.cluster.local",
        "rewrite",
    )


def test_an_injected_lb_sends_through_its_sidecar():
    kw = {"pod_annotations": GOOD_SIDECAR_ANNOTATIONS, "ns_labels": {"istio-injection": "enabled"}}
    (hop,) = _hops(lb_kw=kw)
    assert hop["proxy"] == "sidecar"


def test_a_route_without_host_gets_any_client_host():
    (hop,) = _hops(host=False)
    assert hop["host"] == ANY_HOST


def test_no_hop_to_a_backend_that_is_not_there():
    objs = istio_base("STRICT") + nginx_lb() + [ingress("shop", "web", "missing", 80)]
    assert data_path_hops(detect(objs, {"detail": "full"})) == []


def _gateway_objects():
    gw = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "gw", "namespace": "istio-system"},
        "spec": {
            "selector": {"istio": "ingressgateway"},
            "servers": [{"port": {"number": 80, "protocol": "HTTP"}, "hosts": ["*"]}],
        },
    }
    vs = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "hosts": ["web.example.com"],
            "gateways": ["istio-system/gw"],
            "http": [{"route": [{"destination": {"host": "web", "port": {"number": 80}}}]}],
        },
    }
    mesh_only = dict(vs, metadata={"name": "internal", "namespace": "shop"})
    mesh_only["spec"] = dict(vs["spec"], gateways=["mesh"])
    return [gw, vs, mesh_only]


def test_the_istio_gateway_hops_start_from_each_gateway_bound_virtual_service():
    objs = istio_base("STRICT") + app() + _gateway_objects()
    (hop,) = gateway_hops(detect(objs, {"detail": "full"}))
    assert hop["lb"] == "Gateway/istio-system/gw"
    assert (hop["proxy"], hop["dials"], hop["host"]) == ("router", "listener", "web.example.com")
    assert hop["route"] == "VirtualService/shop/web"
    assert hop["backend"]["fqdn"] == "web.shop.svc.cluster.local"


def test_a_route_to_an_istio_gateway_ends_the_load_balancers_hop_there():
    objs = istio_base("STRICT") + app() + nginx_lb() + [ingress("shop", "web", "web", 80)]
    for o in objs:
        if o["kind"] == "Deployment" and o["metadata"]["name"] == "web":
            o["spec"]["template"]["metadata"]["labels"]["istio"] = "ingressgateway"
    hops = data_path_hops(detect(objs, {"detail": "full"}))
    assert [h["dials"] for h in hops] == ["gateway"]
