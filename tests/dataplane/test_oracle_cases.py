"""The outages our findings predict, and their fixes, as Istio's own code computes them.

One small cluster: Service shop/frontend (80 -> 8080, and an admin port 9090), one injected
backend pod, mesh-wide STRICT; a load balancer pod with a sidecar (inbound capture off), one
without, and an Istio ingress gateway. Each test states a hop and reads the oracle's verdict.
"""

from __future__ import annotations

import pytest
from objects import (
    ISTIO_GATEWAY_CLASS,
    endpoint_slice,
    gateway_api_gateway,
    hop,
    http_route,
    istio_gateway,
    namespace,
    peer_authentication,
    pod,
    service,
    virtual_service,
)
from oracle import OracleError, run_objects

FRONTEND_IP, FRONTEND_POD_IP = "10.96.10.10", "10.244.1.10"
GATEWAY_POD_IP = "10.244.3.40"
SERVICE_HOST = "frontend.shop.svc.cluster.local"
FRONTEND_CLUSTER = "outbound|80||" + SERVICE_HOST


def _cluster(*extra: dict) -> list[dict]:
    frontend = service(
        "shop", "frontend", FRONTEND_IP, [("http", 80, 8080), ("http-admin", 9090, 9090)]
    )
    backend = pod("shop", "frontend-1", FRONTEND_POD_IP, {"app": "frontend"})
    gateway_svc = service(
        "istio-ingress",
        "istio-ingressgateway",
        "10.96.20.20",
        [("http", 80, 8080)],
        selector={"istio": "ingressgateway"},
    )
    gateway = pod(
        "istio-ingress",
        "gw-1",
        GATEWAY_POD_IP,
        {"istio": "ingressgateway"},
        annotations={"proxy.istio.io/config": "gatewayTopology:\n  numTrustedProxies: 1\n"},
    )
    return [
        namespace("istio-system"),
        namespace("shop", injection=True),
        namespace("lb"),
        namespace("istio-ingress"),
        frontend,
        backend,
        endpoint_slice(frontend, [backend]),
        pod(
            "lb",
            "mesh-lb-1",
            "10.244.2.20",
            {"app": "mesh-lb"},
            annotations={"traffic.sidecar.istio.io/includeInboundPorts": ""},
        ),
        pod("lb", "plain-lb-1", "10.244.2.30", {"app": "plain-lb"}, sidecar=False),
        gateway_svc,
        gateway,
        endpoint_slice(gateway_svc, [gateway]),
        peer_authentication("istio-system", "default", "STRICT"),
        *extra,
    ]


def _one(oracle_binary, hop_, *extra):
    (answer,) = run_objects(_cluster(*extra), [hop_], binary=oracle_binary)
    return answer


def test_client_host_to_the_cluster_ip_falls_through_to_plain_text(oracle_binary):
    """Service routing alone: the sidecar routes HTTP by Host, and shop.example.com names no
    Service, so the request leaves on PassthroughCluster in plain text; STRICT rejects it."""
    a = _one(
        oracle_binary,
        hop("client host", "lb/mesh-lb-1", "sidecar", FRONTEND_IP, 80, "shop.example.com"),
    )
    assert (a["virtual_host"], a["cluster"]) == ("allow_any", "PassthroughCluster")
    (landing,) = a["endpoints"]
    assert (landing["address"], landing["port"], landing["tls"]) == (
        FRONTEND_POD_IP,
        8080,
        "plaintext",
    )
    assert landing["error"] == "no filter chains matched"
    assert not a["reaches"] and not a["mtls"]


def test_the_service_host_reaches_the_backend_with_mtls(oracle_binary):
    a = _one(
        oracle_binary, hop("service host", "lb/mesh-lb-1", "sidecar", FRONTEND_IP, 80, SERVICE_HOST)
    )
    assert a["cluster"] == FRONTEND_CLUSTER
    (landing,) = a["endpoints"]
    assert (landing["port"], landing["tls"], landing["accepted"]) == (8080, "mtls", True)
    assert a["reaches"] and a["mtls"]


def test_pod_ip_routing_is_plain_text_and_rejected(oracle_binary):
    """MG0003: the LB's sidecar does not know a pod IP as a Service destination."""
    a = _one(
        oracle_binary,
        hop("pod ip", "lb/mesh-lb-1", "sidecar", FRONTEND_POD_IP, 8080, "shop.example.com"),
    )
    assert a["cluster"] == "PassthroughCluster"
    assert [e["error"] for e in a["endpoints"]] == ["no filter chains matched"]
    assert not a["reaches"]


def test_a_load_balancer_without_sidecar_is_rejected_by_strict(oracle_binary):
    """MG0001: plain text from outside the mesh; kube-proxy sends it to the target port."""
    a = _one(
        oracle_binary,
        hop("no sidecar", "lb/plain-lb-1", "none", FRONTEND_IP, 80, "shop.example.com"),
    )
    assert a["listener"] == "" and a["cluster"] == ""
    (landing,) = a["endpoints"]
    assert (landing["port"], landing["tls"], landing["accepted"]) == (8080, "plaintext", False)


def test_a_mesh_bound_virtual_service_keeps_the_client_host_and_gets_mtls(oracle_binary):
    vs = virtual_service("shop", "shop-external", ["shop.example.com"], ["mesh"], SERVICE_HOST, 80)
    a = _one(
        oracle_binary, hop("vs", "lb/mesh-lb-1", "sidecar", FRONTEND_IP, 80, "shop.example.com"), vs
    )
    assert a["virtual_host"].startswith("shop.example.com")
    assert a["cluster"] == FRONTEND_CLUSTER
    assert a["reaches"] and a["mtls"]


def test_a_mesh_route_in_the_load_balancer_namespace_keeps_the_client_host_and_gets_mtls(
    oracle_binary,
):
    """What standalone_mtls plans (plan/mesh_routes.py): the VirtualService lives in the LB's
    namespace, bound to mesh, matches the Service port, exportTo "." so no other workload sees
    it. The same object in the backend's namespace is invisible to the LB: plain text."""
    client_host = hop("vs", "lb/mesh-lb-1", "sidecar", FRONTEND_IP, 80, "shop.example.com")

    def mesh_route(ns):
        return virtual_service(
            ns,
            "meshgate-shop.example.com",
            ["shop.example.com"],
            ["mesh"],
            SERVICE_HOST,
            80,
            match_port=80,
            export_to=["."],
        )

    a = _one(oracle_binary, client_host, mesh_route("lb"))
    assert (a["virtual_host"], a["cluster"]) == ("shop.example.com:80", FRONTEND_CLUSTER)
    assert a["reaches"] and a["mtls"]
    elsewhere = _one(oracle_binary, client_host, mesh_route("shop"))
    assert elsewhere["cluster"] == "PassthroughCluster" and not elsewhere["reaches"]


def test_the_cluster_ip_as_host_names_the_service(oracle_binary):
    """A vendor that sends the upstream address as Host (no Host preserved) names the Service:
    the sidecar's virtual host for a Service includes its cluster IP."""
    a = _one(oracle_binary, hop("ip", "lb/mesh-lb-1", "sidecar", FRONTEND_IP, 80, FRONTEND_IP))
    assert a["cluster"] == FRONTEND_CLUSTER and a["reaches"] and a["mtls"]


def test_a_host_rewrite_to_the_pod_works_only_when_the_service_port_is_the_target_port(
    oracle_binary,
):
    """Contour and haproxytech rewrite Host but dial the pod's target port (MG0021). The
    sidecar matches Host against the Services' own ports: the admin port (9090 -> 9090) is
    found, the http port (80 -> 8080) is not and leaves in plain text."""
    same = _one(
        oracle_binary,
        hop("9090", "lb/mesh-lb-1", "sidecar", FRONTEND_POD_IP, 9090, SERVICE_HOST),
    )
    assert same["cluster"] == "outbound|9090||" + SERVICE_HOST
    assert same["reaches"] and same["mtls"]
    differs = _one(
        oracle_binary,
        hop("8080", "lb/mesh-lb-1", "sidecar", FRONTEND_POD_IP, 8080, SERVICE_HOST),
    )
    assert differs["cluster"] == "PassthroughCluster"
    assert [e["error"] for e in differs["endpoints"]] == ["no filter chains matched"]


def test_a_permissive_port_exception_admits_plain_text_on_that_port_only(oracle_binary):
    exception = peer_authentication(
        "shop",
        "frontend-lb",
        "STRICT",
        selector={"app": "frontend"},
        port_modes={8080: "PERMISSIVE"},
    )
    on_port = _one(
        oracle_binary,
        hop("port", "lb/plain-lb-1", "none", FRONTEND_IP, 80, "shop.example.com"),
        exception,
    )
    other_port = _one(
        oracle_binary,
        hop("admin", "lb/plain-lb-1", "none", FRONTEND_IP, 9090, "shop.example.com"),
        exception,
    )
    assert on_port["reaches"] and not on_port["mtls"]
    assert [(e["port"], e["accepted"]) for e in other_port["endpoints"]] == [(9090, False)]


def test_the_gateway_routes_the_external_host_with_mtls_and_trusts_one_hop(oracle_binary):
    gw = istio_gateway("istio-ingress", "gw", {"istio": "ingressgateway"}, ["shop.example.com"])
    vs = virtual_service(
        "shop", "shop", ["shop.example.com"], ["istio-ingress/gw"], SERVICE_HOST, 80
    )
    a = _one(
        oracle_binary,
        hop("gateway", "istio-ingress/gw-1", "router", GATEWAY_POD_IP, 8080, "shop.example.com"),
        gw,
        vs,
    )
    assert a["listener"] == "0.0.0.0_8080"
    assert a["cluster"] == FRONTEND_CLUSTER
    assert a["xff_num_trusted_hops"] == 1
    assert a["reaches"] and a["mtls"]


def test_the_gateway_api_gateway_routes_the_external_host_with_mtls_and_trusts_one_hop(
    oracle_binary,
):
    """chained with route_api gateway-api: an Istio-class Gateway API Gateway and an HTTPRoute
    (read by Istio's Gateway API controller from the Kubernetes objects, as istiod does); the
    gateway pod is what Istio's deployment controller makes (gateway-name label)."""
    gw_labels = {"gateway.networking.k8s.io/gateway-name": "meshgate"}
    gw_pod = pod(
        "istio-ingress",
        "meshgate-istio-1",
        "10.244.3.50",
        gw_labels,
        annotations={"proxy.istio.io/config": "gatewayTopology:\n  numTrustedProxies: 1\n"},
    )
    gw_svc = service(
        "istio-ingress", "meshgate-istio", "10.96.20.30", [("http", 80, 80)], gw_labels
    )
    objects = [
        ISTIO_GATEWAY_CLASS,
        gateway_api_gateway("istio-ingress", "meshgate", "shop.example.com"),
        gw_pod,
        gw_svc,
        endpoint_slice(gw_svc, [gw_pod]),
    ]
    route = http_route(
        "shop", "shop", ("istio-ingress", "meshgate"), ["shop.example.com"], "frontend", 80
    )
    call = hop(
        "gw api", "istio-ingress/meshgate-istio-1", "router", "10.244.3.50", 80, "shop.example.com"
    )
    a = _one(oracle_binary, call, *objects, route)
    assert (a["listener"], a["cluster"]) == ("0.0.0.0_80", FRONTEND_CLUSTER)
    assert a["xff_num_trusted_hops"] == 1
    assert a["reaches"] and a["mtls"]
    other = dict(call, call=dict(call["call"], host="other.example.com"))
    assert not _one(oracle_binary, other, *objects, route)["reaches"]


def test_the_gateway_without_a_route_for_the_host_answers_no_virtual_host(oracle_binary):
    gw = istio_gateway("istio-ingress", "gw", {"istio": "ingressgateway"}, ["other.example.com"])
    a = _one(
        oracle_binary,
        hop("gateway", "istio-ingress/gw-1", "router", GATEWAY_POD_IP, 8080, "shop.example.com"),
        gw,
    )
    assert a["error"] and not a["reaches"]


def test_an_unknown_caller_is_one_clear_error(oracle_binary):
    with pytest.raises(OracleError, match="Pod lb/nope is not in the folder"):
        _one(oracle_binary, hop("x", "lb/nope", "sidecar", FRONTEND_IP, 80, SERVICE_HOST))


def test_the_gateway_route_is_matched_by_path_element_header_and_client_address(oracle_binary):
    """routes.go and rbac.go: an HTTPRoute PathPrefix /shop matches /shop/x, not /shopping;
    a header match picks its rule; a DENY AuthorizationPolicy on the gateway for a client
    range answers 403 for that client only."""
    gw_labels = {"gateway.networking.k8s.io/gateway-name": "meshgate"}
    gw_pod = pod("istio-ingress", "meshgate-istio-1", "10.244.3.50", gw_labels)
    gw_svc = service(
        "istio-ingress", "meshgate-istio", "10.96.20.30", [("http", 80, 80)], gw_labels
    )
    route = http_route(
        "shop", "shop", ("istio-ingress", "meshgate"), ["shop.example.com"], "frontend", 80
    )
    route["spec"]["rules"] = [
        {
            "matches": [
                {
                    "path": {"type": "PathPrefix", "value": "/shop"},
                    "headers": [{"name": "x-admin", "value": "yes"}],
                }
            ],
            "backendRefs": [{"name": "frontend", "port": 9090}],
        },
        {
            "matches": [{"path": {"type": "PathPrefix", "value": "/shop"}}],
            "backendRefs": [{"name": "frontend", "port": 80}],
        },
    ]
    deny = {
        "apiVersion": "security.istio.io/v1",
        "kind": "AuthorizationPolicy",
        "metadata": {"name": "deny-range", "namespace": "istio-ingress"},
        "spec": {
            "targetRefs": [
                {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "meshgate"}
            ],
            "action": "DENY",
            "rules": [
                {
                    "from": [{"source": {"remoteIpBlocks": ["192.0.2.0/24"]}}],
                    "to": [{"operation": {"ports": ["80"]}}],
                }
            ],
        },
    }
    objects = [
        ISTIO_GATEWAY_CLASS,
        gateway_api_gateway("istio-ingress", "meshgate", "shop.example.com"),
        gw_pod,
        gw_svc,
        endpoint_slice(gw_svc, [gw_pod]),
        route,
        deny,
    ]

    def call(path, **extra):
        h = hop(
            "gw", "istio-ingress/meshgate-istio-1", "router", "10.244.3.50", 80, "shop.example.com"
        )
        h["call"].update(path=path, **extra)
        return h

    hops = [
        call("/shop/x"),
        call("/shopping"),
        call("/shop", headers={"x-admin": "yes"}),
        call("/shop/x", source_ip="192.0.2.7"),
        call("/shop/x", source_ip="198.51.100.7"),
    ]
    element, boundary, header, denied, allowed = run_objects(
        _cluster(*objects), hops, binary=oracle_binary
    )
    assert element["cluster"] == FRONTEND_CLUSTER and element["mtls"]
    assert boundary["error"] == "no route matched" and not boundary["reaches"]
    assert header["cluster"] == "outbound|9090||" + SERVICE_HOST
    assert denied["rbac"].startswith("denied by DENY policy") and not denied["reaches"]
    assert allowed["rbac"] == "allowed" and allowed["reaches"]
