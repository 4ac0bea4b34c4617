# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""How a workload is known to be a vendor's (several independent signals, weak ones not
enough alone), a controller serving another vendor's classes (Traefik's ingress-nginx
provider), and objects the API server would refuse in offline input."""

from __future__ import annotations

import copy
import glob
import os

import pytest
import yaml
from shared_fixtures import SHARED_FIXTURES  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.workloads import (
    classify_workload,
    match_catalog,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import reduce_object
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.signals import (
    singled_out,
)

HELM = SHARED_FIXTURES / "helm"


def _deployment(labels=None, containers=None, name="edge", namespace="edge"):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or {})},
        "spec": {
            "selector": {"matchLabels": dict(labels or {"app": name})},
            "template": {
                "metadata": {"labels": dict(labels or {"app": name})},
                "spec": {"containers": containers or [{"name": "app", "image": "corp/app:1"}]},
            },
        },
    }


def _all_fixture_workloads():
    for path in sorted(glob.glob(str(SHARED_FIXTURES / "**" / "*.y*ml"), recursive=True)):
        if os.sep + "crds" + os.sep in path:
            continue
        try:
            objects, _w = load_sources([path])
        except Exception:  # noqa: BLE001 - some upstream files are templates, not YAML
            continue
        for o in objects:
            if o["kind"] in ("Deployment", "DaemonSet", "StatefulSet"):
                yield path, o


def test_the_short_cut_lets_through_every_workload_the_catalog_matches():
    """singled_out() decides what the reduction keeps of a workload (its command line, env)
    and whether the catalog is consulted at all: whatever the catalog matches, signal by
    signal, must pass it, or a signal kind would be silently dead."""
    matched = 0
    for path, wl in _all_fixture_workloads():
        tmpl = wl["spec"]["template"]
        spec = tmpl.get("spec") or {}
        if match_catalog(wl)[0]:
            matched += 1
            containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
            labels = (tmpl.get("metadata") or {}).get("labels") or {}
            assert singled_out(labels, containers) or singled_out(
                wl["metadata"].get("labels") or {}, ()
            ), path
            # ... and the reduction keeps what the catalog matched on.
            assert match_catalog(reduce_object(wl))[0] == match_catalog(wl)[0], path
    assert matched > 20


def test_a_generic_label_alone_is_not_a_load_balancer():
    assert classify_workload(_deployment({"app": "contour"})) == (None, None, [])
    assert classify_workload(_deployment({"application": "skipper-ingress"}))[0] is None


def test_two_weak_signals_together_are():
    wl = _deployment(
        {"app": "contour"},
        [{"name": "shutdown-manager", "image": "corp/platform/sm:1"}],
    )
    vendor, role, evidence = classify_workload(wl)
    assert (vendor, role) == ("contour", "data-plane")
    assert evidence == ["pod labels app=contour", "container name shutdown-manager"]


def test_a_weak_signal_of_the_software_and_the_vendors_class_are_enough():
    classes = {"contour": "IngressClass contour (controller projectcontour.io/x/y)"}
    wl = _deployment({"app": "edge"}, [{"name": "shutdown-manager", "image": "corp/sm:1"}])
    vendor, _role, evidence = classify_workload(wl, classes)
    assert vendor == "contour"
    assert evidence[-1] == "IngressClass contour (controller projectcontour.io/x/y)"
    # Packaging alone (a label) with the class is not: a chart's other Deployments carry it.
    assert classify_workload(_deployment({"app": "contour"}), classes)[0] is None
    assert classify_workload(_deployment({"app": "web"}), classes)[0] is None


def test_a_charts_default_backend_is_not_a_second_load_balancer():
    """ingress-nginx's chart with defaultBackend.enabled: the backend Deployment carries the
    chart's labels, and the cluster has the vendor's IngressClass; it runs no controller."""
    objects, _w = load_sources([str(HELM / "ingress-nginx/edge-default.yaml")])
    labels = {
        "helm.sh/chart": "ingress-nginx-4.15.1",
        "app.kubernetes.io/name": "ingress-nginx",
        "app.kubernetes.io/component": "default-backend",
        "app.kubernetes.io/instance": "edge",
    }
    backend = _deployment(
        labels,
        [{"name": "default-backend", "image": "registry.k8s.io/defaultbackend-amd64:1.5"}],
        name="edge-ingress-nginx-defaultbackend",
        namespace="ingress-edge",
    )
    facts = detect(objects + [backend])
    assert [lb["name"] for lb in facts["load_balancers"]] == ["edge-ingress-nginx-controller"]


@pytest.mark.parametrize(
    "container, vendor",
    [
        # the project's image under any registry and builder
        ({"name": "c", "image": "docker.io/bitnami/contour:1.32.1-debian-12-r0"}, "contour"),
        (
            {"name": "c", "image": "cgr.dev/chainguard/ingress-nginx-controller:latest"},
            "ingress-nginx",
        ),
        (
            {"name": "c", "image": "docker.io/bitnami/nginx-ingress-controller:1.13"},
            "ingress-nginx",
        ),
        ({"name": "c", "image": "mirror.corp/docker.io/library/traefik:v3.6"}, "traefik"),
        # a private name: the software's own command line
        (
            {"name": "c", "image": "corp/lb:1", "args": ["/nginx-ingress-controller", "--v=2"]},
            "ingress-nginx",
        ),
        (
            {"name": "c", "image": "corp/lb:1", "command": ["contour"], "args": ["serve", "--x"]},
            "contour",
        ),
        ({"name": "c", "image": "corp/lb:1", "args": ["--providers.kubernetesCRD"]}, "traefik"),
        ({"name": "c", "image": "corp/lb:1", "args": ["-nginx-configmaps=ns/cm"]}, "nginx-inc"),
        (
            {
                "name": "c",
                "image": "corp/lb:1",
                "env": [{"name": "KONG_PROXY_LISTEN", "value": "x"}],
            },
            "kong",
        ),
    ],
)
def test_a_specific_signal_alone_is_enough(container, vendor):
    got, _role, evidence = classify_workload(_deployment({"app": "edge"}, [container]))
    assert got == vendor and len(evidence) == 1


def test_ingress_nginx_flags_of_another_controller_are_not_ingress_nginx():
    """--controller-class=k8s.io/ingress-nginx is ingress-nginx's flag; Traefik's provider
    flag with the same value is Traefik's."""
    traefik = {
        "name": "traefik",
        "image": "corp/lb:1",
        "args": [
            "--providers.kubernetesingressnginx",
            "--providers.kubernetesingressnginx.controllerclass=k8s.io/ingress-nginx",
        ],
    }
    assert classify_workload(_deployment({"app": "edge"}, [traefik]))[0] == "traefik"


# --- Traefik serving ingress-nginx's classes ------------------------------------------------


def _traefik_with_the_nginx_provider():
    objects, _w = load_sources([str(HELM / "traefik/edge-default.yaml")])
    objects = copy.deepcopy(objects)
    wl = next(o for o in objects if o["kind"] == "Deployment")
    c = wl["spec"]["template"]["spec"]["containers"][0]
    c["args"] += [
        "--experimental.kubernetesIngressNGINX=true",
        "--providers.kubernetesIngressNGINX",
    ]
    with open(HELM / "ingress-nginx/routes.yaml", encoding="utf-8") as fh:
        routes = [d for d in yaml.safe_load_all(fh) if d]
    nginx_class = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": "nginx"},
        "spec": {"controller": "k8s.io/ingress-nginx"},
    }
    strict = {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": "default", "namespace": "istio-system"},
        "spec": {"mtls": {"mode": "STRICT"}},
    }
    istiod, _w = load_sources([str(HELM / "istio/istiod-default.yaml")])
    return objects + routes + [nginx_class, strict] + istiod


def test_traefik_never_takes_an_ingressclass_of_another_controller_named_nginx():
    """F5 NGINX's IngressClass is also called nginx (controller nginx.org/ingress-controller):
    Traefik matches IngressClass objects by controller, so F5's Ingresses stay F5's."""
    objects = [
        o
        for o in _traefik_with_the_nginx_provider()
        if o["kind"] != "IngressClass" or o["metadata"]["name"] != "nginx"
    ]
    f5, _w = load_sources([str(HELM / "nginx-inc/edge-default.yaml")])
    facts = detect(objects + f5)
    lbs = {lb["vendor"]: lb for lb in facts["load_balancers"]}
    assert "nginx" not in lbs["traefik"]["ingress_classes"]
    nginx_routes = [r for r in facts["routes"] if r.get("class") == "nginx"]
    assert nginx_routes and all(r["vendor"] == "nginx-inc" for r in nginx_routes)


def test_a_running_ingress_nginx_keeps_its_class_next_to_traefiks_provider():
    ingress_nginx, _w = load_sources([str(HELM / "ingress-nginx/edge-default.yaml")])
    facts = detect(_traefik_with_the_nginx_provider() + ingress_nginx)
    lbs = {lb["vendor"]: lb for lb in facts["load_balancers"]}
    nginx_routes = [r for r in facts["routes"] if r.get("class") == "nginx"]
    assert nginx_routes and all(r["vendor"] == "ingress-nginx" for r in nginx_routes)
    assert any("also served by a running ingress-nginx" in e for e in lbs["traefik"]["evidence"])


def test_traefik_serving_ingress_nginx_classes_is_reported_as_traefik():
    facts = detect(_traefik_with_the_nginx_provider())
    (lb,) = facts["load_balancers"]
    assert lb["vendor"] == "traefik"
    assert lb["ingress_classes"] == ["edge-traefik", "nginx"]
    assert "serves class nginx of ingress-nginx through its kubernetesIngressNGINX provider" in (
        lb["evidence"]
    )
    nginx_routes = [r for r in facts["routes"] if r.get("class") == "nginx"]
    assert nginx_routes and all(
        r["vendor"] == "traefik" and r["provider"] == "kubernetesIngressNGINX" for r in nginx_routes
    )
    assert all(lb["id"] in r["served_by"] for r in nginx_routes)
    # Never ingress-nginx's findings (its retirement) for a cluster that runs no ingress-nginx.
    assert not [f for f in facts["findings"] if f["code"] == "MG0008"]


def test_the_plan_for_traefiks_nginx_provider_uses_the_annotations_it_reads():
    facts = detect(_traefik_with_the_nginx_provider())
    p = plan(facts, "standalone_mtls")
    touched = [pt for ph in p["phases"] for pt in ph["patches"]]
    ingresses = [pt for pt in touched if pt["target"]["kind"] == "Ingress"]
    assert ingresses
    for pt in ingresses:
        anns = pt["manifest"]["metadata"]["annotations"]
        assert anns["nginx.ingress.kubernetes.io/service-upstream"] == "true"
    kinds = {pt["target"]["kind"] for pt in touched}
    assert "ConfigMap" not in kinds  # ingress-nginx's global switch is not Traefik's
    assert not any(
        "traefik.ingress.kubernetes.io/service.nativelb"
        in ((pt["manifest"].get("metadata") or {}).get("annotations") or {})
        for pt in touched
        if pt["target"]["kind"] == "Service"
    )
    assert "controller.podAnnotations" not in str(p.get("gitops") or p)


# --- offline objects the API server would refuse ------------------------------------------


@pytest.mark.parametrize(
    "metadata, why",
    [
        ({}, "no metadata.name"),
        ({"name": ""}, "no metadata.name"),
        ({"name": "Web_App"}, "RFC 1123 subdomain"),
        ({"name": "web", "namespace": "Shop"}, "metadata.namespace"),
    ],
)
def test_an_object_with_a_name_kubernetes_refuses_is_skipped_with_a_warning(
    tmp_path, metadata, why
):
    bad = dict(_deployment(), metadata=metadata)
    good = _deployment(name="ok")
    path = tmp_path / "manifests.yaml"
    path.write_text(yaml.safe_dump_all([bad, good]), encoding="utf-8")
    objects, warnings = load_sources([str(path)])
    assert [o["metadata"]["name"] for o in objects] == ["ok"]
    (warning,) = warnings
    assert str(path) in warning and "document 1" in warning and why in warning


def test_names_that_kubernetes_accepts_are_kept(tmp_path):
    docs = [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "system:controller:edge"},
        },
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": "migrate-"}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}},
    ]
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    objects, warnings = load_sources([str(path)])
    assert len(objects) == 3 and warnings == []


def test_the_charts_provider_wide_switch_is_not_offered_for_the_nginx_providers_routes():
    """Traefik's nativeLBByDefault values reach its Ingress and CRD providers only: for routes
    its ingress-nginx provider serves, the Helm values carry no Service-routing switch."""
    objects = [
        o
        for o in _traefik_with_the_nginx_provider()
        if not (o["kind"] == "Ingress" and o["spec"].get("ingressClassName") == "edge-traefik")
    ]
    p = plan(detect(objects), "standalone_mtls")
    values = [g.get("helm_values") or {} for g in p["gitops"]]
    assert values and not any("providers" in v for v in values)


def test_documents_of_kinds_detection_never_reads_are_not_judged_by_name(tmp_path):
    docs = [
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"},
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IPAddress",
            "metadata": {"name": "fd00:10:96::1"},
        },
    ]
    path = tmp_path / "kustomization.yaml"
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    objects, warnings = load_sources([str(path)])
    assert len(objects) == 2 and warnings == []
