# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Detection on the vendors' own Helm charts, rendered with their defaults
(../shared/fixtures/helm, see its PROVENANCE.md), and on variants of them made here: the same
install as a DaemonSet, on the host network, from a mirror registry, repackaged under another
image name, and next to a second controller of the same vendor with another class.

The expectations are written out per file (vendor, workload, hostNetwork, classes): they are
what an operator reading the rendered chart sees, not what the code happens to return."""

from __future__ import annotations

import copy
import os

import pytest
import yaml
from shared_fixtures import SHARED_FIXTURES  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.workloads import (
    match_catalog,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import (
    load_sources,
    with_namespace,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.signals import (
    normalise_image,
)

HELM = SHARED_FIXTURES / "helm"

# file -> (vendor, "Kind/namespace/name" of the load balancer, hostNetwork, classes,
#          namespace to read it into, as `helm template -n` was given it)
# Cloud controllers (aws-alb, azure-agic) are reported under "controllers", not as LBs.
EXPECTED = {
    "apisix/gateway-with-ic.yaml": (
        "apisix",
        "Deployment/ingress-apisix/apisix",
        False,
        ["apisix"],
        None,
    ),
    "contour/default.yaml": (
        "contour",
        "DaemonSet/projectcontour/ingress-contour-envoy",
        False,
        ["contour"],
        None,
    ),
    "emissary/edge-listeners.yaml": (
        "emissary",
        "Deployment/emissary/edge-emissary-ingress",
        False,
        ["ambassador"],
        None,
    ),
    "envoy-gateway/default.yaml": (
        "envoy-gateway",
        "Deployment/envoy-gateway-system/envoy-gateway",
        False,
        [],
        None,
    ),
    "haproxy-ingress/edge-default.yaml": (
        "haproxy-ingress",
        "Deployment/ingress-haproxy/edge-haproxy-ingress",
        False,
        ["haproxy"],
        None,
    ),
    "haproxytech/edge-default.yaml": (
        "haproxytech",
        "Deployment/haproxy-controller/edge-kubernetes-ingress",
        False,
        ["haproxy"],
        None,
    ),
    "ingress-nginx/edge-default.yaml": (
        "ingress-nginx",
        "Deployment/ingress-edge/edge-ingress-nginx-controller",
        False,
        ["nginx"],
        None,
    ),
    "kong/edge-default.yaml": ("kong", "Deployment/kong/edge-kong", False, ["kong"], None),
    "nginx-inc/edge-default.yaml": (
        "nginx-inc",
        "Deployment/nginx-ingress/edge-nginx-ingress-controller",
        False,
        ["nginx"],
        None,
    ),
    # Skipper creates no IngressClass and names none: it serves "skipper" by default.
    "skipper/raw-deployment.yaml": (
        "skipper",
        "Deployment/kube-system/skipper-ingress",
        True,
        ["skipper"],
        None,
    ),
    "traefik/edge-default.yaml": (
        "traefik",
        "Deployment/traefik/edge-traefik",
        False,
        ["edge-traefik"],
        None,
    ),
}
CONTROLLERS = {
    "aws-alb/default.yaml": (
        "aws-alb",
        "Deployment/kube-system/aws-load-balancer-controller",
        None,
    ),
    # AGIC's chart leaves metadata.namespace out: rendered with -n agic.
    "azure-agic/default.yaml": ("azure-agic", "Deployment/agic/ingress-azure", "agic"),
}


def _lbs(result):
    return {lb["id"]: lb for lb in result["load_balancers"]}


def _detect_file(name, namespace=None, transform=None):
    objects, warnings = load_sources([str(HELM / name)], namespace)
    if transform is not None:
        objects = transform(copy.deepcopy(objects))
    return detect(objects), warnings


def test_every_rendered_install_is_in_the_table():
    rendered = sorted(
        os.path.relpath(os.path.join(d, f), HELM)
        for d, _dirs, files in os.walk(HELM)
        for f in files
        if f.endswith(".yaml") and f != "routes.yaml"
    )
    istio = [f for f in rendered if f.startswith("istio/")]
    assert sorted(set(rendered) - set(istio)) == sorted(set(EXPECTED) | set(CONTROLLERS))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_rendered_chart_gives_its_vendor_workload_host_network_and_classes(name):
    vendor, lb_id, host_network, classes, namespace = EXPECTED[name]
    result, warnings = _detect_file(name, namespace)
    assert warnings == []
    lbs = _lbs(result)
    assert list(lbs) == [lb_id], name
    lb = lbs[lb_id]
    assert (lb["vendor"], lb["host_network"], lb["ingress_classes"]) == (
        vendor,
        host_network,
        classes,
    )
    assert lb["evidence"], "the evidence says which signals matched"


@pytest.mark.parametrize("name", sorted(CONTROLLERS))
def test_a_rendered_cloud_controller_chart_gives_its_controller(name):
    vendor, controller_id, namespace = CONTROLLERS[name]
    result, _warnings = _detect_file(name, namespace)
    assert result["load_balancers"] == []
    assert [(c["vendor"], c["id"]) for c in result["controllers"]] == [(vendor, controller_id)]


def test_the_istio_charts_give_istiod_and_the_gateway_not_a_load_balancer():
    istiod, _w = _detect_file("istio/istiod-default.yaml")
    gateway, _w = _detect_file("istio/gateway-istio-ingress.yaml")
    assert istiod["load_balancers"] == [] and gateway["load_balancers"] == []
    assert istiod["istio"]["istiod"] == ["istio-system/istiod"]
    assert [g["name"] for g in gateway["istio"]["gateways"]] == ["istio-ingress"]


# --- variants of our own -----------------------------------------------------------------


def _lb_workload(objects, lb_id):
    kind, ns, name = lb_id.split("/")
    return next(
        o
        for o in objects
        if o["kind"] == kind
        and o["metadata"]["name"] == name
        and (o["metadata"].get("namespace") or "default") == ns
    )


def _pod_spec(wl):
    return wl["spec"]["template"]["spec"]


def _as_daemonset(lb_id):
    def transform(objects):
        wl = _lb_workload(objects, lb_id)
        wl["kind"] = "DaemonSet"
        for key in ("replicas", "strategy"):
            wl["spec"].pop(key, None)
        return objects

    return transform


def _on_host_network(lb_id):
    def transform(objects):
        _pod_spec(_lb_workload(objects, lb_id))["hostNetwork"] = True
        return objects

    return transform


def _images(lb_id, rename):
    def transform(objects):
        spec = _pod_spec(_lb_workload(objects, lb_id))
        for c in spec.get("containers", []) + spec.get("initContainers", []):
            c["image"] = rename(c["image"])
        return objects

    return transform


def _mirror_keeping_the_path(image):
    # registry.corp.example/mirror/<project path>:<tag>, as pull-through mirrors store them
    return "registry.corp.example/mirror/%s:1.0" % normalise_image(image)


def _chainguard_style(image):
    # cgr.dev/chainguard/<last path part>: distribution builds keep only the project's name
    return "cgr.dev/chainguard/%s:latest" % normalise_image(image).rsplit("/", 1)[-1]


def _renamed(image):
    # a private build under a name of the platform team's: nothing of the project's path
    return "registry.corp.example/platform/edge-proxy-%d:1.0" % (len(image) % 7)


def _unlabelled(lb_id):
    def transform(objects):
        wl = _lb_workload(objects, lb_id)
        wl["metadata"]["labels"] = {}
        wl["spec"]["template"]["metadata"]["labels"] = {"app": "edge"}
        wl["spec"]["selector"] = {"matchLabels": {"app": "edge"}}
        return objects

    return transform


def _both(*transforms):
    def transform(objects):
        for t in transforms:
            objects = t(objects)
        return objects

    return transform


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_install_as_a_daemonset_is_still_the_vendor(name):
    vendor, lb_id, _host, classes, namespace = EXPECTED[name]
    result, _w = _detect_file(name, namespace, _as_daemonset(lb_id))
    ds_id = "DaemonSet/" + lb_id.split("/", 1)[1]
    lb = _lbs(result)[ds_id]
    assert (lb["vendor"], lb["kind"], lb["ingress_classes"]) == (vendor, "DaemonSet", classes)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_install_on_the_host_network_says_so(name):
    vendor, lb_id, _host, _classes, namespace = EXPECTED[name]
    result, _w = _detect_file(name, namespace, _on_host_network(lb_id))
    lb = _lbs(result)[lb_id]
    assert (lb["vendor"], lb["host_network"]) == (vendor, True)


@pytest.mark.parametrize("rename", [_mirror_keeping_the_path, _chainguard_style])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_images_from_a_mirror_or_another_builder_are_still_the_vendor(name, rename):
    vendor, lb_id, _host, classes, namespace = EXPECTED[name]
    result, _w = _detect_file(name, namespace, _images(lb_id, rename))
    lb = _lbs(result)[lb_id]
    assert (lb["vendor"], lb["ingress_classes"]) == (vendor, classes)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_renamed_image_is_known_by_its_labels_and_chart(name):
    vendor, lb_id, _host, _classes, namespace = EXPECTED[name]
    result, _w = _detect_file(name, namespace, _images(lb_id, _renamed))
    lb = _lbs(result)[lb_id]
    assert lb["vendor"] == vendor
    assert not any(e.startswith("container image") for e in lb["evidence"])


# The vendors whose software says what it is on its command line or in its environment: a
# renamed image without the chart's labels is still theirs. (APISIX and Contour's Envoy run
# their images' default command; Skipper's labels are its upstream manifest's, kept.)
KNOWN_BY_COMMAND_OR_ENV = {
    "ingress-nginx/edge-default.yaml",
    "traefik/edge-default.yaml",
    "kong/edge-default.yaml",
    "contour/default.yaml",
    "haproxytech/edge-default.yaml",
    "nginx-inc/edge-default.yaml",
    "skipper/raw-deployment.yaml",
    "envoy-gateway/default.yaml",
    "emissary/edge-listeners.yaml",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_renamed_image_without_chart_labels(name):
    vendor, lb_id, _host, _classes, namespace = EXPECTED[name]
    result, _w = _detect_file(name, namespace, _both(_images(lb_id, _renamed), _unlabelled(lb_id)))
    found = _lbs(result).get(lb_id)
    if name in KNOWN_BY_COMMAND_OR_ENV:
        assert found is not None and found["vendor"] == vendor
        assert any(e.startswith(("command line", "environment")) for e in found["evidence"])
    else:
        # Nothing of the vendor's is left on the workload: not guessed from a generic label.
        assert found is None or found["vendor"] == vendor and found["evidence"]


def _class_flag_values(entry):
    return (entry.get("class_args") or {}).get("ingress_class") or []


def _second_controller(lb_id, vendor):
    """A copy of the install (the LB and its control plane, if it has one in its namespace)
    in namespace <ns>-internal serving class "internal": its class flag or variable set, or
    added where the vendor reads it (the control plane, else the LB), as teams run an internal
    and an external controller."""
    flags = _class_flag_values(registry.vendor(vendor))
    ns = lb_id.split("/")[1]

    def transform(objects):
        install = [
            copy.deepcopy(o)
            for o in objects
            if o["kind"] in ("Deployment", "DaemonSet", "StatefulSet")
            and (o["metadata"].get("namespace") or "default") == ns
            and match_catalog(o)[0] == vendor
        ]
        hit = False
        for wl in install:
            wl["metadata"]["namespace"] = ns + "-internal"
            wl["metadata"]["name"] += "-internal"
            for c in _pod_spec(wl)["containers"]:
                args = c.get("args") or []
                for i, arg in enumerate(args):
                    for flag in flags:
                        if isinstance(arg, str) and arg.startswith(flag + "="):
                            args[i], hit = flag + "=internal", True
                        elif isinstance(arg, str) and arg.startswith("--controller-class="):
                            args[i] = "--controller-class=k8s.io/internal-ingress-nginx"
                for e in c.get("env") or []:
                    if e.get("name") in flags:
                        e["value"], hit = "internal", True
        if not hit:
            planes = [wl for wl in install if match_catalog(wl)[1] == "control-plane"]
            main = _pod_spec((planes or install)[0])["containers"][0]
            flag = next(f for f in flags if f.startswith("-"))
            main["args"] = list(main.get("args") or []) + [flag + "=internal"]
        return objects + install

    return transform


WITH_CLASS_FLAGS = sorted(
    n for n, e in EXPECTED.items() if _class_flag_values(registry.vendor(e[0]))
)


@pytest.mark.parametrize("name", WITH_CLASS_FLAGS)
def test_a_second_controller_with_another_class_is_a_second_load_balancer(name):
    vendor, lb_id, _host, classes, namespace = EXPECTED[name]
    result, _w = _detect_file(name, namespace, _second_controller(lb_id, vendor))
    lbs = _lbs(result)
    kind, ns, wl_name = lb_id.split("/")
    second = "%s/%s-internal/%s-internal" % (kind, ns, wl_name)
    assert sorted(lbs) == sorted([lb_id, second])
    assert lbs[second]["vendor"] == vendor
    assert lbs[second]["ingress_classes"] == ["internal"]
    assert lbs[lb_id]["ingress_classes"] == classes


def test_every_vendor_with_a_chart_has_its_variants():
    """Each in-cluster vendor of the catalog with a rendered chart is in the table above."""
    in_cluster = {e["id"] for e in registry.VENDORS if e["kind"] == "in-cluster"}
    charted = {v[0] for v in EXPECTED.values()}
    # GKE's and the cloud vendors' pieces run outside the cluster or as controllers only.
    assert in_cluster - charted == set()


def test_the_namespace_option_fills_only_namespaced_objects():
    objects, _w = load_sources([str(HELM / "azure-agic/default.yaml")])
    filled = with_namespace(objects, "agic")
    by_kind = {(o["kind"], o["metadata"]["name"]): o["metadata"].get("namespace") for o in filled}
    assert by_kind[("Deployment", "ingress-azure")] == "agic"
    assert by_kind[("IngressClass", "azure-application-gateway")] is None
    assert all(o["metadata"].get("namespace") is None for o in objects), "input left as read"
    # Without the option, the objects are read as kubectl reads them without -n.
    result = detect(objects)
    assert [c["id"] for c in result["controllers"]] == ["Deployment/default/ingress-azure"]


def test_a_custom_kind_is_cluster_scoped_when_its_crd_in_the_input_says_so():
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Cluster", "names": {"kind": "Widget"}},
    }
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}
    out = with_namespace([crd, widget, gadget], "team")
    assert [o["metadata"].get("namespace") for o in out] == [None, None, "team"]


def test_the_default_docs_of_the_routes_files_detect_with_their_install():
    """routes.yaml (hand-written: Namespace shop, storefront, a route of the vendor's class)
    is served by the install next to it."""
    for name, (_vendor, lb_id, _h, _c, namespace) in sorted(EXPECTED.items()):
        routes = HELM / os.path.dirname(name) / "routes.yaml"
        with open(routes, encoding="utf-8") as fh:
            kinds = {d["kind"] for d in yaml.safe_load_all(fh) if d}
        objects, _w = load_sources([str(HELM / name), str(routes)], namespace)
        result = detect(objects)
        lb = _lbs(result)[lb_id]
        served = [r for r in result["routes"] if lb_id in r["served_by"]]
        if kinds & {"Ingress", "IngressRoute", "HTTPProxy", "Mapping", "ApisixRoute"}:
            assert served, (name, lb["ingress_classes"])


# The vendors whose second install is told apart by its own config file or install id
# (vendors' install_config / install_id), not by a class flag: the same chart installed again
# in <ns>-internal, its workloads and the ConfigMaps they mount copied, made an install of its
# own where the vendor reads it, next to routes for each install.
WITH_INSTALL_IDENTITY = sorted(
    n
    for n, e in EXPECTED.items()
    if registry.vendor(e[0]).get("install_config") or registry.vendor(e[0]).get("install_id")
)
INTERNAL_CONTROLLER = "example.com/internal-controller"


def _set_path(data, path, value):
    *parents, last = path.split(".")
    for key in parents:
        data = data.setdefault(key, {})
    data[last] = value


def _mounted(wl):
    spec = _pod_spec(wl)
    return {v["configMap"]["name"] for v in spec.get("volumes") or () if v.get("configMap")}


def _second_install(lb_id, vendor):
    entry = registry.vendor(vendor)
    ns = lb_id.split("/")[1]
    other = ns + "-internal"

    def transform(objects):
        install = [
            copy.deepcopy(o)
            for o in objects
            if o["kind"] in ("Deployment", "DaemonSet", "StatefulSet")
            and (o["metadata"].get("namespace") or "default") == ns
            and match_catalog(o)[0] == vendor
        ]
        mounted = set().union(*(_mounted(wl) for wl in install))
        config_maps = [
            copy.deepcopy(o)
            for o in objects
            if o["kind"] == "ConfigMap"
            and o["metadata"].get("namespace") == ns
            and o["metadata"]["name"] in mounted
        ]
        for obj in install + config_maps:
            obj["metadata"]["namespace"] = other
        for wl in install:
            wl["metadata"]["name"] += "-internal"
        added = []
        for spec in entry.get("install_config", ()):
            for cm in config_maps:
                if spec["key"] not in cm.get("data", {}):
                    continue
                config = yaml.safe_load(cm["data"][spec["key"]])
                _set_path(config, spec["controller"], INTERNAL_CONTROLLER)
                cm["data"][spec["key"]] = yaml.safe_dump(config)
            if "IngressClass" in spec["serves"]:
                added.append(_ingress_class("internal", INTERNAL_CONTROLLER))
            if "GatewayClass" in spec["serves"]:
                added.append(_gateway_class("internal", INTERNAL_CONTROLLER))
        if entry.get("install_id"):
            for wl in install:
                for c in _pod_spec(wl)["containers"]:
                    c.setdefault("env", []).append(
                        {"name": entry["install_id"]["env"], "value": "internal"}
                    )
        return objects + install + config_maps + added

    return transform


def _ingress_class(name, controller):
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": name},
        "spec": {"controller": controller},
    }


def _gateway_class(name, controller):
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "GatewayClass",
        "metadata": {"name": name},
        "spec": {"controllerName": controller},
    }


def _gateway(name, klass):
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"gatewayClassName": klass, "listeners": [{"name": "http", "port": 80}]},
    }


def _mapping(name, ids=None):
    spec = {"hostname": "%s.example.com" % name, "prefix": "/", "service": "web.shop:80"}
    if ids is not None:
        spec["ambassador_id"] = ids
    return {
        "apiVersion": "getambassador.io/v3alpha1",
        "kind": "Mapping",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": spec,
    }


def _ingress(name, klass, annotations=None):
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": "shop", "annotations": annotations or {}},
        "spec": {
            "ingressClassName": klass,
            "rules": [
                {
                    "host": "%s.example.com" % name,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "web", "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ],
        },
    }


def _apisix_route(name, klass=None):
    spec = {
        "http": [
            {
                "name": "r",
                "match": {"hosts": ["%s.example.com" % name], "paths": ["/*"]},
                "backends": [{"serviceName": "web", "servicePort": 80}],
            }
        ]
    }
    if klass:
        spec["ingressClassName"] = klass
    return {
        "apiVersion": "apisix.apache.org/v2",
        "kind": "ApisixRoute",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": spec,
    }


# Per vendor: routes of each install, and which install ("first" / "second") serves each.
INSTALL_ROUTES = {
    # An ApisixRoute names its IngressClass in spec.ingressClassName; without it, every install.
    "apisix": [
        (_ingress("to-first", "apisix"), "first"),
        (_ingress("to-second", "internal"), "second"),
        (_apisix_route("ar-to-first", "apisix"), "first"),
        (_apisix_route("ar-to-second", "internal"), "second"),
        (_apisix_route("ar-to-both"), "both"),
    ],
    "envoy-gateway": [
        (_gateway_class("eg", "gateway.envoyproxy.io/gatewayclass-controller"), None),
        (_gateway("to-first", "eg"), "first"),
        (_gateway("to-second", "internal"), "second"),
    ],
    # A Mapping without ambassador_id is the "default" install's; one listing both ids is
    # served by both; an Ingress names its id in an annotation.
    "emissary": [
        (_mapping("to-first"), "first"),
        (_mapping("to-second", ["internal"]), "second"),
        (_mapping("to-both", ["default", "internal"]), "both"),
        (_mapping("to-none", ["other"]), "none"),
        (
            _ingress("ing-to-second", "ambassador", {"getambassador.io/ambassador-id": "internal"}),
            "second",
        ),
        (_ingress("ing-to-first", "ambassador"), "first"),
    ],
}


def test_every_vendor_has_a_second_controller_variant():
    with_flags = {EXPECTED[n][0] for n in WITH_CLASS_FLAGS}
    with_identity = {EXPECTED[n][0] for n in WITH_INSTALL_IDENTITY}
    assert with_flags | with_identity == {e[0] for e in EXPECTED.values()}
    assert with_identity == set(INSTALL_ROUTES)


@pytest.mark.parametrize("name", WITH_INSTALL_IDENTITY)
def test_a_second_install_of_its_own_is_a_second_load_balancer_with_its_own_routes(name):
    vendor, lb_id, _host, classes, namespace = EXPECTED[name]
    routes = INSTALL_ROUTES[vendor]

    def transform(objects):
        return _second_install(lb_id, vendor)(objects) + [copy.deepcopy(r) for r, _owner in routes]

    result, _w = _detect_file(name, namespace, transform)
    lbs = _lbs(result)
    kind, ns, wl_name = lb_id.split("/")
    second = "%s/%s-internal/%s-internal" % (kind, ns, wl_name)
    assert sorted(lbs) == sorted([lb_id, second])
    assert lbs[second]["vendor"] == vendor
    assert lbs[lb_id]["ingress_classes"] == classes
    want = {"first": [lb_id], "second": [second], "both": sorted([lb_id, second]), "none": []}
    served = {(r["kind"], r["name"]): sorted(r["served_by"]) for r in result["routes"]}
    for route, who in routes:
        if who is not None:
            assert served[(route["kind"], route["metadata"]["name"])] == want[who], route
    for spec in registry.vendor(vendor).get("install_config", ()):
        assert any(INTERNAL_CONTROLLER in e for e in lbs[second]["evidence"])
        if "IngressClass" in spec["serves"]:
            assert lbs[second]["ingress_classes"] == ["internal"]
