# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Envoy Gateway's Service routing lives in an EnvoyProxy that its GatewayClass references: an
EnvoyProxy the class already uses is extended (its settings are the user's) and undo puts back
what it held; only a class without one gets ours. On Envoy Gateway's own quickstart and
EnvoyProxy example (../shared/fixtures/upstream/envoy-gateway)."""

from __future__ import annotations

import copy

from shared_fixtures import SHARED_FIXTURES  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources

EG = SHARED_FIXTURES / "upstream" / "envoy-gateway"
HELM = SHARED_FIXTURES / "helm"


def _envoy_proxy_pods_of_gateway_eg():
    """The Envoy Deployment Envoy Gateway's controller makes for Gateway default/eg."""
    labels = {
        "app.kubernetes.io/name": "envoy",
        "app.kubernetes.io/managed-by": "envoy-gateway",
        "gateway.envoyproxy.io/owning-gateway-name": "eg",
        "gateway.envoyproxy.io/owning-gateway-namespace": "default",
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "envoy-default-eg", "namespace": "envoy-gateway-system"},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "envoy", "image": "envoyproxy/envoy:v1.35.0"}]},
            },
        },
    }


def _cluster(with_class_parameters, routing_type=None):
    files = [HELM / "envoy-gateway/default.yaml", HELM / "istio/istiod-default.yaml"]
    files.append(EG / "quickstart.yaml")
    objects, _w = load_sources([str(f) for f in files])
    objects = [o for o in objects if o["kind"] != "GatewayClass" or not with_class_parameters]
    if with_class_parameters:
        extra, _w = load_sources([str(EG / "envoy-proxy-config.yaml")])
        extra = copy.deepcopy(extra)
        if routing_type:
            proxy = next(o for o in extra if o["kind"] == "EnvoyProxy")
            proxy["spec"]["routingType"] = routing_type
        objects += extra
    strict = {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": "default", "namespace": "istio-system"},
        "spec": {"mtls": {"mode": "STRICT"}},
    }
    return objects + [strict, _envoy_proxy_pods_of_gateway_eg()]


def _patches(p, kind):
    return [pt for ph in p["phases"] for pt in ph["patches"] if pt["target"]["kind"] == kind]


def test_the_envoyproxy_a_gatewayclass_already_uses_is_extended_not_replaced():
    facts = detect(_cluster(with_class_parameters=True))
    eg_class = facts["cluster_facts"]["gateway_classes"]["eg"]
    assert eg_class["parameters_ref"]["name"] == "config"
    assert eg_class["parameters"] == {
        "found": True,
        "apiVersion": "gateway.envoyproxy.io/v1alpha1",
        "spec": {},
    }
    p = plan(facts, "standalone_mtls")
    assert _patches(p, "GatewayClass") == []  # the user's reference stays
    (proxy,) = _patches(p, "EnvoyProxy")
    assert proxy["target"]["namespace"] == "envoy-gateway-system"
    assert proxy["target"]["name"] == "config"
    assert proxy["manifest"]["spec"] == {"routingType": "Service"}  # only the field we own
    assert "creates" not in proxy or not proxy["creates"]
    assert proxy["undo"] == {
        "action": "remove-fields",
        "fields": ["spec.routingType"],
        "restore": {},
    }


def test_undo_puts_back_the_routing_type_the_envoyproxy_had():
    p = plan(
        detect(_cluster(with_class_parameters=True, routing_type="Endpoint")), "standalone_mtls"
    )
    (proxy,) = _patches(p, "EnvoyProxy")
    assert proxy["undo"]["restore"] == {"spec.routingType": "Endpoint"}


def test_an_envoyproxy_already_routing_to_services_is_not_written_again():
    p = plan(
        detect(_cluster(with_class_parameters=True, routing_type="Service")), "standalone_mtls"
    )
    assert _patches(p, "EnvoyProxy") == [] and _patches(p, "GatewayClass") == []


def test_a_gatewayclass_without_parameters_gets_ours():
    p = plan(detect(_cluster(with_class_parameters=False)), "standalone_mtls")
    (proxy,) = _patches(p, "EnvoyProxy")
    assert proxy["target"]["name"] == "meshgate-service-routing"
    assert proxy["undo"] == {"action": "delete"}
    (gc,) = _patches(p, "GatewayClass")
    assert gc["manifest"]["spec"]["parametersRef"]["name"] == "meshgate-service-routing"
    assert gc["undo"] == {"action": "remove-fields", "fields": ["spec.parametersRef"]}


def test_a_reference_to_an_envoyproxy_that_is_not_there_is_left_alone_with_a_warning():
    objects = [o for o in _cluster(with_class_parameters=True) if o["kind"] != "EnvoyProxy"]
    p = plan(detect(objects), "standalone_mtls")
    assert _patches(p, "EnvoyProxy") == [] and _patches(p, "GatewayClass") == []
    assert any("EnvoyProxy envoy-gateway-system/config" in w for w in p["warnings"])
