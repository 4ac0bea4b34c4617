# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Vendors the shared fixtures lack, on the vendors' own manifests (../shared/fixtures/upstream).

Expectations come from ../shared/fixtures/upstream/PROVENANCE.md (what each file demonstrates).
"""

from __future__ import annotations

import os

from shared_fixtures import SHARED_FIXTURES  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources

UPSTREAM = str(SHARED_FIXTURES / "upstream")


def run(*paths):
    objects, _warnings = load_sources([os.path.join(UPSTREAM, p) for p in paths])
    return detect(objects)


def lbs(result):
    return sorted(
        (lb["vendor"], lb["kind"], lb["namespace"], lb["name"]) for lb in result["load_balancers"]
    )


def test_traefik_v2_deployment_and_ingressroutes():
    result = run("traefik/crd-acme-03-deployments.yml", "traefik/crd-acme-04-ingressroutes.yml")
    assert lbs(result) == [("traefik", "Deployment", "default", "traefik")]
    routes = {(r["kind"], r["name"]): r for r in result["routes"]}
    assert routes[("IngressRoute", "simpleingressroute")]["vendor"] == "traefik"
    assert routes[("IngressRoute", "simpleingressroute")]["backends"][0]["service"] == "whoami"
    assert result["load_balancers"][0]["mode"] == "standalone"


def test_traefik_ingressclass_controller():
    result = run("traefik/crd-acme-03-deployments.yml", "traefik/Ingress-with-ingressClass.yml")
    (lb,) = result["load_balancers"]
    assert lb["ingress_classes"] == ["traefik-lb"]


def test_k3s_helmchart_is_not_a_workload():
    # k3s ships Traefik as a helm.cattle.io HelmChart: no pods to inspect in this file.
    assert run("traefik/k3s-manifests-traefik.yaml")["load_balancers"] == []


def test_envoy_gateway_quickstart_routes_and_controller():
    result = run("envoy-gateway")
    routes = {(r["kind"], r["name"]): r for r in result["routes"]}
    assert routes[("Gateway", "eg")]["vendor"] == "envoy-gateway"
    assert routes[("HTTPRoute", "backend")]["vendor"] == "envoy-gateway"
    assert routes[("HTTPRoute", "backend")]["backends"][0]["service"] == "backend"
    # Only the control plane is in the input (proxies are created per Gateway at run time).
    assert lbs(result) == [("envoy-gateway", "Deployment", "envoy-gateway-system", "envoy-gateway")]
    assert result["load_balancers"][0]["role"] == "control-plane"


def test_haproxy_ingress_old_api_groups():
    # apps/v1beta2 Deployment and extensions/v1beta1 DaemonSet, as in the upstream examples.
    result = run("haproxy-ingress")
    assert lbs(result) == [
        ("haproxy-ingress", "DaemonSet", "default", "haproxy-ingress"),
        ("haproxy-ingress", "Deployment", "default", "haproxy-ingress"),
    ]


def test_skipper_host_network_cannot_get_a_sidecar():
    result = run("skipper/deploy-daemonset.yaml")
    assert lbs(result) == [("skipper", "DaemonSet", "kube-system", "skipper-ingress")]
    assert "MG0004" in [f["code"] for f in result["findings"]]


def test_skipper_routegroup_service_backend():
    result = run("skipper/deploy-deployment.yaml", "skipper/routegroup-service-backend.yaml")
    (rg,) = [r for r in result["routes"] if r["kind"] == "RouteGroup"]
    assert rg["vendor"] == "skipper" and rg["backends"][0]["service"] == "myapp"
    assert rg["served_by"] == ["Deployment/kube-system/skipper-ingress"]


def test_apisix_controller_and_route():
    result = run("apisix")
    (route,) = [r for r in result["routes"] if r["kind"] == "ApisixRoute"]
    assert route["vendor"] == "apisix" and route["backends"][0]["service"] == "httpbin"
    # No resolveGranularity in the sample: endpoint routing.
    assert route["service_routing"] is False


def test_azure_agic_ingresses():
    result = run("azure-agic")
    assert {lb["vendor"] for lb in result["load_balancers"]} == {"azure-agic"}
    classes = {lb["name"]: lb["ingress_classes"] for lb in result["load_balancers"]}
    assert classes["aspnetapp"] == ["azure/application-gateway"]


def test_aws_nlb_services_with_trailing_space_value():
    result = run("aws-nlb/eks-workshop-ipv6-nlb-external.yaml")
    assert lbs(result) == [("aws-nlb", "Service", "ui", "ui-nlb")]


def test_aws_gateway_api_alb_is_one_lb_with_its_routes():
    result = run("aws-alb")
    (lb,) = result["load_balancers"]
    assert (lb["vendor"], lb["kind"]) == ("aws-alb", "Gateway")
    assert len(lb["routes"]) == 2  # the Gateway and its HTTPRoute
    assert lb["backends"]
