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
    assert eg_class["parameters"]["found"] is True
    assert eg_class["parameters"]["apiVersion"] == "gateway.envoyproxy.io/v1alpha1"
    p = plan(facts, "standalone_mtls")
    assert _patches(p, "GatewayClass") == []  # the user's reference stays
    (proxy,) = _patches(p, "EnvoyProxy")
    assert proxy["target"]["namespace"] == "envoy-gateway-system"
    assert proxy["target"]["name"] == "config"
    spec = proxy["manifest"]["spec"]
    assert spec["routingType"] == "Service"
    assert not proxy["creates"]
    assert proxy["undo"]["action"] == "remove-fields" and proxy["undo"]["restore"] == {}
    assert proxy["undo"]["fields"][0] == "spec.routingType"
    # Only the fields we own: the example's replicas, image and resources are not in it.
    assert set(spec["provider"]["kubernetes"]["envoyDeployment"]) == {"pod"}


def test_the_envoy_pods_sidecar_goes_into_the_envoyproxy_not_the_generated_deployment():
    """Envoy Gateway makes the Envoy Deployment from the EnvoyProxy and would undo a patch to
    it: the pod labels and annotations go to EnvoyProxy spec.provider.kubernetes
    .envoyDeployment.pod, next to the user's own pod annotations, which stay."""
    p = plan(detect(_cluster(with_class_parameters=True)), "standalone_mtls")
    generated = [
        pt for pt in _patches(p, "Deployment") if pt["target"]["name"] == "envoy-default-eg"
    ]
    assert generated == []
    (proxy,) = _patches(p, "EnvoyProxy")
    spec = proxy["manifest"]["spec"]
    assert spec["provider"]["type"] == "Kubernetes"
    pod = spec["provider"]["kubernetes"]["envoyDeployment"]["pod"]
    assert pod["labels"] == {"sidecar.istio.io/inject": "true"}
    assert pod["annotations"]["traffic.sidecar.istio.io/includeInboundPorts"] == ""
    assert "custom1" not in pod["annotations"]  # the example's own annotations are not ours
    assert (
        "spec.provider.kubernetes.envoyDeployment.pod.labels.sidecar.istio.io/inject"
        in proxy["undo"]["fields"]
    )


def test_undo_puts_back_the_routing_type_the_envoyproxy_had():
    p = plan(
        detect(_cluster(with_class_parameters=True, routing_type="Endpoint")), "standalone_mtls"
    )
    (proxy,) = _patches(p, "EnvoyProxy")
    assert proxy["undo"]["restore"] == {"spec.routingType": "Endpoint"}


def test_an_envoyproxy_already_routing_to_services_gets_only_the_sidecar():
    p = plan(
        detect(_cluster(with_class_parameters=True, routing_type="Service")), "standalone_mtls"
    )
    (proxy,) = _patches(p, "EnvoyProxy")
    assert "routingType" not in proxy["manifest"]["spec"]
    assert _patches(p, "GatewayClass") == []


def test_a_gatewayclass_without_parameters_gets_ours():
    p = plan(detect(_cluster(with_class_parameters=False)), "standalone_mtls")
    (proxy,) = _patches(p, "EnvoyProxy")
    assert proxy["target"]["name"] == "meshgate-service-routing"
    assert proxy["undo"]["action"] == "delete" and proxy["creates"]
    assert proxy["manifest"]["spec"]["routingType"] == "Service"
    assert proxy["manifest"]["spec"]["provider"]["kubernetes"]["envoyDeployment"]["pod"]["labels"]
    (gc,) = _patches(p, "GatewayClass")
    assert gc["manifest"]["spec"]["parametersRef"]["name"] == "meshgate-service-routing"
    assert gc["undo"]["action"] == "remove-fields"
    assert gc["undo"]["fields"] == ["spec.parametersRef"]


def test_a_reference_to_an_envoyproxy_that_is_not_there_is_left_alone_with_a_warning():
    objects = [o for o in _cluster(with_class_parameters=True) if o["kind"] != "EnvoyProxy"]
    p = plan(detect(objects), "standalone_mtls")
    assert _patches(p, "EnvoyProxy") == [] and _patches(p, "GatewayClass") == []
    assert any("EnvoyProxy envoy-gateway-system/config" in w for w in p["warnings"])


def test_the_plan_waits_for_the_envoy_deployment_envoy_gateway_rolls():
    p = plan(detect(_cluster(with_class_parameters=True)), "standalone_mtls")
    waits = [w for ph in p["phases"] for w in ph.get("wait") or ()]
    assert {
        "for": "rollout",
        "targets": ["Deployment/envoy-gateway-system/envoy-default-eg"],
        "timeout": 600,
    } in waits


def test_undo_puts_back_the_users_own_pod_labels_in_the_envoyproxy():
    objects = _cluster(with_class_parameters=True)
    proxy = next(o for o in objects if o["kind"] == "EnvoyProxy")
    pod = proxy["spec"]["provider"]["kubernetes"]["envoyDeployment"]["pod"]
    pod["labels"] = {"sidecar.istio.io/inject": "false"}
    pod["annotations"]["traffic.sidecar.istio.io/includeInboundPorts"] = "8080"
    p = plan(detect(objects), "standalone_mtls")
    (patch,) = _patches(p, "EnvoyProxy")
    base = "spec.provider.kubernetes.envoyDeployment.pod."
    assert patch["undo"]["restore"] == {
        base + "labels.sidecar.istio.io/inject": "false",
        base + "annotations.traffic.sidecar.istio.io/includeInboundPorts": "8080",
    }


# A Gateway's own EnvoyProxy (spec.infrastructure.parametersRef, in the Gateway's namespace):
# Envoy Gateway v1.9.0 uses it over its class's, replacing it whole unless it sets mergeType
# StrategicMerge or JSONMerge, and does not accept the Gateway when its class's EnvoyProxy sets
# mergeGateways (internal/gatewayapi/contexts.go attachEnvoyProxy, envoyproxy_merge.go;
# internal/provider/kubernetes/controller.go processGatewayParamsRef).
def _gateway_own_envoyproxy(objects, spec=None, name="eg-own"):
    gateway = next(o for o in objects if o["kind"] == "Gateway")
    gateway["spec"]["infrastructure"] = {
        "parametersRef": {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy", "name": name}
    }
    own = {
        "apiVersion": "gateway.envoyproxy.io/v1alpha1",
        "kind": "EnvoyProxy",
        "metadata": {"name": name, "namespace": gateway["metadata"].get("namespace", "default")},
        "spec": copy.deepcopy(
            spec
            if spec is not None
            else {
                "provider": {
                    "type": "Kubernetes",
                    "kubernetes": {
                        "envoyDeployment": {
                            "replicas": 3,
                            "pod": {"labels": {"team": "edge"}, "annotations": {"a": "b"}},
                        }
                    },
                }
            }
        ),
    }
    return objects + [own]


def _routing(facts):
    (lb,) = [x for x in facts["load_balancers"] if x["vendor"] == "envoy-gateway"]
    route = next(r for r in facts["routes"] if r["kind"] == "HTTPRoute")
    return lb["service_routing"], route["service_routing"]


def test_detection_reads_the_envoyproxy_the_gateway_itself_uses():
    objects = _gateway_own_envoyproxy(
        _cluster(with_class_parameters=True), {"routingType": "Service"}
    )
    facts = detect(objects)
    own = facts["cluster_facts"]["gateways"]["default/eg"]
    assert own["used"] is True and own["merged"] is False
    assert own["parameters_ref"]["namespace"] == "default"
    assert own["parameters"]["found"] is True
    assert _routing(facts) == ("on", True)


def test_the_gateways_own_envoyproxy_replaces_the_class_one_whole():
    """The class's EnvoyProxy routes to Services, the Gateway's own does not say: Envoy Gateway
    uses the Gateway's alone (mergeType unset: Replace), so the routes go to pod IPs."""
    objects = _gateway_own_envoyproxy(_cluster(with_class_parameters=True, routing_type="Service"))
    assert _routing(detect(objects)) == ("off", False)


def test_a_merging_gateway_envoyproxy_keeps_the_class_routing_type():
    for merge in ("StrategicMerge", "JSONMerge"):
        objects = _gateway_own_envoyproxy(
            _cluster(with_class_parameters=True, routing_type="Service"), {"mergeType": merge}
        )
        facts = detect(objects)
        assert facts["cluster_facts"]["gateways"]["default/eg"]["merged"] is True
        assert _routing(facts) == ("on", True)


def test_an_envoyproxy_no_gateway_or_class_uses_turns_nothing_on():
    """An EnvoyProxy with routingType Service that nothing references does nothing."""
    objects = _cluster(with_class_parameters=False) + [
        {
            "apiVersion": "gateway.envoyproxy.io/v1alpha1",
            "kind": "EnvoyProxy",
            "metadata": {"name": "unused", "namespace": "default"},
            "spec": {"routingType": "Service"},
        }
    ]
    assert _routing(detect(objects)) == ("off", False)


def test_a_gateway_reference_refused_under_merge_gateways_is_reported_and_left_alone():
    objects = _gateway_own_envoyproxy(_cluster(with_class_parameters=True))
    next(o for o in objects if o["metadata"]["name"] == "config")["spec"]["mergeGateways"] = True
    facts = detect(objects)
    own = facts["cluster_facts"]["gateways"]["default/eg"]
    assert own["used"] is False and "mergeGateways" in own["refused"]
    p = plan(facts, "standalone_mtls")
    assert [x["target"]["name"] for x in _patches(p, "EnvoyProxy")] == []
    assert any("Gateway default/eg" in w and "does not accept" in w for w in p["warnings"])


def test_a_gateway_reference_to_a_missing_envoyproxy_is_refused():
    objects = _gateway_own_envoyproxy(_cluster(with_class_parameters=True))
    objects = [o for o in objects if o["metadata"]["name"] != "eg-own"]
    own = detect(objects)["cluster_facts"]["gateways"]["default/eg"]
    assert own["used"] is False and "default/eg-own" in own["refused"]


def test_the_gateways_own_envoyproxy_is_extended_and_the_class_one_left_alone():
    objects = _gateway_own_envoyproxy(_cluster(with_class_parameters=True))
    p = plan(detect(objects), "standalone_mtls")
    assert _patches(p, "GatewayClass") == []
    (proxy,) = _patches(p, "EnvoyProxy")
    assert (proxy["target"]["namespace"], proxy["target"]["name"]) == ("default", "eg-own")
    assert not proxy["creates"]
    spec = proxy["manifest"]["spec"]
    assert spec["routingType"] == "Service"
    deployment = spec["provider"]["kubernetes"]["envoyDeployment"]
    assert set(deployment) == {"pod"}  # the user's replicas are not ours to send
    assert deployment["pod"]["labels"] == {"sidecar.istio.io/inject": "true"}
    assert "Gateway default/eg already uses EnvoyProxy default/eg-own" in " ".join(
        ph_pt["reason"] for ph_pt in [proxy]
    )


def test_undo_of_the_gateways_own_envoyproxy_restores_the_users_pod_labels():
    spec = {
        "routingType": "Endpoint",
        "provider": {
            "type": "Kubernetes",
            "kubernetes": {
                "envoyDeployment": {"pod": {"labels": {"sidecar.istio.io/inject": "false"}}}
            },
        },
    }
    p = plan(
        detect(_gateway_own_envoyproxy(_cluster(with_class_parameters=True), spec)),
        "standalone_mtls",
    )
    (proxy,) = _patches(p, "EnvoyProxy")
    assert proxy["target"]["name"] == "eg-own"
    assert proxy["undo"]["restore"] == {
        "spec.routingType": "Endpoint",
        "spec.provider.kubernetes.envoyDeployment.pod.labels.sidecar.istio.io/inject": "false",
    }


def test_each_envoy_data_plane_is_judged_on_the_envoyproxy_of_its_own_gateway():
    """One HTTPRoute attached to two Gateways of the class: eg uses its own EnvoyProxy with
    routingType Service, eg-b uses none. The Envoy pods of eg route the route to Services,
    those of eg-b to pod IPs."""
    objects = _gateway_own_envoyproxy(
        _cluster(with_class_parameters=False), {"routingType": "Service"}
    )
    gateway = next(o for o in objects if o["kind"] == "Gateway")
    second = copy.deepcopy(gateway)
    second["metadata"]["name"] = "eg-b"
    del second["spec"]["infrastructure"]
    route = next(o for o in objects if o["kind"] == "HTTPRoute")
    route["spec"]["parentRefs"].append({"name": "eg-b"})
    pods_b = _envoy_proxy_pods_of_gateway_eg()
    pods_b["metadata"]["name"] = "envoy-default-eg-b"
    for labels in (
        pods_b["spec"]["selector"]["matchLabels"],
        pods_b["spec"]["template"]["metadata"]["labels"],
    ):
        labels["gateway.envoyproxy.io/owning-gateway-name"] = "eg-b"
    facts = detect(objects + [second, pods_b])
    routing = {
        lb["name"]: lb["service_routing"]
        for lb in facts["load_balancers"]
        if lb["vendor"] == "envoy-gateway" and lb["role"] == "data-plane"
    }
    assert routing == {"envoy-default-eg": "on", "envoy-default-eg-b": "off"}
