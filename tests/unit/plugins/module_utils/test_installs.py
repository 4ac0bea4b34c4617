# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Which install of its vendor a workload is (detect/installs.py): the controller name in its
mounted config file, or its install id; on plain objects of our own."""

from __future__ import annotations

import copy

from builders import deployment, namespace  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.index import Index
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.installs import (
    install_identity,
    route_install_ids,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import reduce_object
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry

EG = "gateway.envoyproxy.io/gatewayclass-controller"


def _with_config(wl, cm_name, mount="/config"):
    spec = wl["spec"]["template"]["spec"]
    spec["volumes"] = [{"name": "config", "configMap": {"name": cm_name}}]
    spec["containers"][0]["volumeMounts"] = [{"name": "config", "mountPath": mount}]
    return wl


def _config_map(ns, name, key, text):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": {key: text},
    }


def _envoy_gateway(ns, controller=None):
    wl = deployment(
        ns,
        "envoy-gateway",
        "docker.io/envoyproxy/gateway:v1.9.0",
        labels={"control-plane": "envoy-gateway"},
        args=["server", "--config-path=/config/envoy-gateway.yaml"],
    )
    text = "apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyGateway\n"
    if controller:
        text += "gateway:\n  controllerName: %s\n" % controller
    return [
        namespace(ns),
        _with_config(wl, "envoy-gateway-config"),
        _config_map(ns, "envoy-gateway-config", "envoy-gateway.yaml", text),
    ]


def _data_plane(ns, gateway):
    return deployment(
        ns,
        "envoy-%s" % gateway,
        "docker.io/envoyproxy/envoy:distroless-v1.36.0",
        labels={
            "gateway.envoyproxy.io/owning-gateway-name": gateway,
            "app.kubernetes.io/managed-by": "envoy-gateway",
            "app.kubernetes.io/component": "proxy",
        },
    )


def _classes_and_gateways():
    out = []
    for klass, controller in (("eg", EG), ("internal", "example.com/internal")):
        out.append(
            {
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "GatewayClass",
                "metadata": {"name": klass},
                "spec": {"controllerName": controller},
            }
        )
        out.append(
            {
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "Gateway",
                "metadata": {"name": "gw-%s" % klass, "namespace": "edge"},
                "spec": {"gatewayClassName": klass, "listeners": [{"name": "h", "port": 80}]},
            }
        )
    return out


def test_the_config_file_a_control_plane_mounts_names_its_controller():
    objs = _envoy_gateway("eg-internal", "example.com/internal")
    idx = Index(objs)
    wl = objs[1]
    entry = registry.vendor("envoy-gateway")
    found = install_identity(idx, wl, entry, "control-plane")
    assert (found["controllers"], found["serves"]) == (["example.com/internal"], ["GatewayClass"])
    # Left out of the file: the vendor's default; another role's file is not read.
    plain = _envoy_gateway("eg")
    assert install_identity(Index(plain), plain[1], entry, "control-plane")["controllers"] == [EG]
    assert install_identity(idx, wl, entry, "data-plane")["controllers"] is None
    # Not mounted (or not in the input): not known, every class of the vendor.
    unmounted = copy.deepcopy(wl)
    del unmounted["spec"]["template"]["spec"]["volumes"]
    assert install_identity(idx, unmounted, entry, "control-plane")["controllers"] is None


def test_two_envoy_gateway_installs_serve_their_own_gateway_classes():
    objs = _envoy_gateway("envoy-gateway-system") + _envoy_gateway(
        "eg-internal", "example.com/internal"
    )
    result = detect(objs + _classes_and_gateways())
    lbs = sorted(lb["id"] for lb in result["load_balancers"])
    assert lbs == [
        "Deployment/eg-internal/envoy-gateway",
        "Deployment/envoy-gateway-system/envoy-gateway",
    ]
    served = {r["name"]: r["served_by"] for r in result["routes"]}
    assert served == {
        "gw-eg": ["Deployment/envoy-gateway-system/envoy-gateway"],
        "gw-internal": ["Deployment/eg-internal/envoy-gateway"],
    }
    # A GatewayClass of the second install's controller is Envoy Gateway's.
    assert result["cluster_facts"]["gateway_classes"]["internal"]["vendor"] == "envoy-gateway"


def test_data_plane_pods_follow_the_controller_names_of_their_control_plane():
    objs = (
        _envoy_gateway("envoy-gateway-system")
        + _envoy_gateway("eg-internal", "example.com/internal")
        + [_data_plane("envoy-gateway-system", "gw-eg"), _data_plane("eg-internal", "gw-internal")]
    )
    result = detect(objs + _classes_and_gateways())
    served = {r["name"]: r["served_by"] for r in result["routes"]}
    assert served == {
        "gw-eg": ["Deployment/envoy-gateway-system/envoy-gw-eg"],
        "gw-internal": ["Deployment/eg-internal/envoy-gw-internal"],
    }


def test_a_live_read_keeps_the_config_volumes_and_mounts_of_a_load_balancer_only():
    objs = _envoy_gateway("eg-internal", "example.com/internal")
    reduced = reduce_object(objs[1])["spec"]["template"]["spec"]
    assert reduced["volumes"] == [{"name": "config", "configMap": {"name": "envoy-gateway-config"}}]
    assert reduced["containers"][0]["volumeMounts"] == [{"name": "config"}]
    assert reduce_object(objs[2])["data"] == objs[2]["data"]
    app = _with_config(deployment("shop", "web", "nginx:1.27"), "web-config")
    assert "volumes" not in reduce_object(app)["spec"]["template"]["spec"]


def _emissary_with(env):
    wl = deployment(
        "emissary",
        "emissary",
        "ghcr.io/emissary-ingress/emissary:4.1.0",
        labels={"app.kubernetes.io/name": "emissary-ingress"},
    )
    wl["spec"]["template"]["spec"]["containers"][0]["env"] = env
    return wl


def test_the_install_id_comes_from_its_environment_and_routes_name_theirs():
    entry = registry.vendor("emissary")
    idx = Index([])
    role = "all-in-one"
    unset = install_identity(idx, _emissary_with([]), entry, role)
    assert unset["id"] == "default"
    set_ = install_identity(
        idx, _emissary_with([{"name": "AMBASSADOR_ID", "value": "blue"}]), entry, role
    )
    assert set_["id"] == "blue"
    # Its agent (a control plane) is no install of its own.
    assert install_identity(idx, _emissary_with([]), entry, "control-plane")["id"] is None
    # From a Secret or the downward API (or reduced to its name): not known, every route.
    hidden = [{"name": "AMBASSADOR_ID", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}]
    assert install_identity(idx, _emissary_with(hidden), entry, role)["id"] is None

    def mapping(spec=None, annotations=None):
        return {"metadata": {"annotations": annotations or {}}, "spec": spec or {}}

    assert route_install_ids(entry, mapping()) == ["default"]
    assert route_install_ids(entry, mapping({"ambassador_id": ["a", "b"]})) == ["a", "b"]
    assert route_install_ids(entry, mapping({"ambassador_id": "a"})) == ["a"]
    ingress = mapping(annotations={"getambassador.io/ambassador-id": "blue"})
    assert route_install_ids(entry, ingress) == ["blue"]
    assert route_install_ids(registry.vendor("kong"), mapping()) is None


def test_an_install_whose_id_is_not_known_serves_every_route_of_its_vendor():
    hidden = [{"name": "AMBASSADOR_ID", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]
    route = {
        "apiVersion": "getambassador.io/v3alpha1",
        "kind": "Mapping",
        "metadata": {"name": "m", "namespace": "shop"},
        "spec": {"ambassador_id": ["blue"], "prefix": "/", "service": "web.shop:80"},
    }
    result = detect([_emissary_with(hidden), route])
    (r,) = result["routes"]
    assert r["served_by"] == ["Deployment/emissary/emissary"]
    result = detect([_emissary_with([]), route])
    assert result["routes"][0]["served_by"] == []
