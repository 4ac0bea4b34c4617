# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Second installs read live (detect/installs.py): what tells two installs of one vendor apart
survives the real API server and the live read's reduction - the ConfigMap an Envoy Gateway
control plane mounts (its volume, the mount, the file's key) and Emissary's AMBASSADOR_ID -
and each install serves only its own GatewayClasses or routes.

Envoy Gateway's ConfigMap and Deployment are its chart's (../shared/fixtures/helm), installed
twice in namespaces of their own, the second with another gateway.controllerName; the classes,
Gateways, Emissary workloads and Ingresses are ours."""

from __future__ import annotations

import copy
import uuid

import pytest
import yaml
from fixture_root import shared_fixtures_dir

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.live import collect_live

pytestmark = [pytest.mark.controlplane, pytest.mark.mutates_cluster]

EG_CHART = shared_fixtures_dir() / "helm" / "envoy-gateway" / "default.yaml"


def _chart_objects(kinds_names):
    with open(EG_CHART, encoding="utf-8") as fh:
        docs = [d for d in yaml.safe_load_all(fh) if d]
    return [copy.deepcopy(d) for d in docs if (d["kind"], d["metadata"]["name"]) in kinds_names]


def _envoy_gateway(ns, controller):
    objs = _chart_objects({("ConfigMap", "envoy-gateway-config"), ("Deployment", "envoy-gateway")})
    for o in objs:
        o["metadata"]["namespace"] = ns
        if o["kind"] == "ConfigMap":
            config = yaml.safe_load(o["data"]["envoy-gateway.yaml"])
            config["gateway"]["controllerName"] = controller
            o["data"]["envoy-gateway.yaml"] = yaml.safe_dump(config)
    return objs


def _emissary(ns, ambassador_id=None):
    labels = {"app.kubernetes.io/name": "emissary-ingress"}
    env = [{"name": "AMBASSADOR_NAMESPACE", "value": ns}]
    if ambassador_id:
        env.append({"name": "AMBASSADOR_ID", "value": ambassador_id})
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "emissary", "namespace": ns},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "emissary",
                            "image": "ghcr.io/emissary-ingress/emissary:4.1.0",
                            "env": env,
                        }
                    ]
                },
            },
        },
    }


def _ingress(ns, name, ambassador_id=None):
    """An Ingress for Emissary (Mapping's CRD, with its conversion webhook, is not installable
    on the test API server): its install id in the getambassador.io/ambassador-id annotation."""
    annotations = {"kubernetes.io/ingress.class": "ambassador"}
    if ambassador_id:
        annotations["getambassador.io/ambassador-id"] = ambassador_id
    backend = {"service": {"name": "web", "port": {"number": 80}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations},
        "spec": {
            "rules": [
                {
                    "host": "%s.example.com" % name,
                    "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]},
                }
            ]
        },
    }


def _gateway_class(name, controller):
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "GatewayClass",
        "metadata": {"name": name},
        "spec": {"controllerName": controller},
    }


def _gateway(ns, name, klass):
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "gatewayClassName": klass,
            "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}],
        },
    }


def _namespace(name):
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"meshgate-test": "true"}},
    }


@pytest.fixture
def two_installs(control_plane, loaded):
    tag = uuid.uuid4().hex[:6]
    first, second, routes = "t-eg-a-%s" % tag, "t-eg-b-%s" % tag, "t-inst-routes-%s" % tag
    internal = "example.com/internal-%s" % tag
    classes = [
        _gateway_class("t-eg-%s" % tag, "gateway.envoyproxy.io/gatewayclass-controller"),
        _gateway_class("t-internal-%s" % tag, internal),
    ]
    objects = (
        [_namespace(n) for n in (first, second, routes)]
        + _envoy_gateway(first, "gateway.envoyproxy.io/gatewayclass-controller")
        + _envoy_gateway(second, internal)
        + [_emissary(first), _emissary(second, "internal")]
        + classes
        + [
            _gateway(routes, "to-first", classes[0]["metadata"]["name"]),
            _gateway(routes, "to-second", classes[1]["metadata"]["name"]),
            _ingress(routes, "to-first"),
            _ingress(routes, "to-second", "internal"),
        ]
    )
    control_plane.apply_manifests(objects)
    try:
        yield first, second, routes
    finally:
        for c in classes:
            control_plane.kubectl("delete", "gatewayclass", c["metadata"]["name"], check=False)
        for n in (first, second, routes):
            control_plane.kubectl("delete", "namespace", n, "--wait=false", check=False)


def test_each_install_read_live_serves_only_its_own_classes_and_routes(control_plane, two_installs):
    first, second, routes = two_installs
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    result = detect(collect_live(client)[0])
    lbs = {lb["id"]: lb for lb in result["load_balancers"] if lb["namespace"] in (first, second)}
    eg_first, eg_second = (
        "Deployment/%s/envoy-gateway" % first,
        "Deployment/%s/envoy-gateway" % second,
    )
    em_first, em_second = "Deployment/%s/emissary" % first, "Deployment/%s/emissary" % second
    assert sorted(lbs) == sorted([eg_first, eg_second, em_first, em_second])
    # The fixtures' own Emissary (AMBASSADOR_ID unset) serves the route without an id too.
    served = {
        (r["kind"], r["name"]): [i for i in r["served_by"] if i in lbs]
        for r in result["routes"]
        if r["namespace"] == routes
    }
    assert served == {
        ("Gateway", "to-first"): [eg_first],
        ("Gateway", "to-second"): [eg_second],
        ("Ingress", "to-first"): [em_first],
        ("Ingress", "to-second"): [em_second],
    }
    assert any("example.com/internal-" in e for e in lbs[eg_second]["evidence"])
    assert "install id internal (AMBASSADOR_ID)" in lbs[em_second]["evidence"]
