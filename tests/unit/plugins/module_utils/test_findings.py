# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Each finding code on plain data: one object set that triggers it, one that must not."""

from __future__ import annotations

import copy
import os
import re

import pytest
from builders import (  # noqa: E402 - test helper next to this file
    GOOD_SIDECAR_ANNOTATIONS,
    NGINX_IMAGE,
    app,
    deployment,
    helper_job,
    ingress,
    ingress_class,
    istio_base,
    istio_gateway,
    namespace,
    nginx_lb,
    peer_auth,
    service,
)

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    MESSAGES,
    make_finding,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry

ROOT = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
)


def codes(objects, **options):
    return [f["code"] for f in detect(objects, options or None)["findings"]]


def only(objects, code):
    return [f for f in detect(objects)["findings"] if f["code"] == code]


# ------------------------------------------------------------------ per code


def test_mg0001_strict_backend_behind_non_mesh_lb():
    objs = istio_base("STRICT") + app() + nginx_lb() + [ingress("shop", "web", "web", 80)]
    (f,) = only(objs, "MG0001")
    assert f["level"] == "Error"
    assert f["object"]["kind"] == "Ingress" and f["object"]["name"] == "web"
    assert "port 8080" in f["message"] and "istio-system/default (mesh)" in f["message"]


def test_mg0001_not_when_permissive_or_port_level_permissive_or_backend_not_in_mesh():
    base = app() + nginx_lb() + [ingress("shop", "web", "web", 80)]
    assert not only(istio_base("PERMISSIVE") + base, "MG0001")
    # Workload policy with portLevelMtls on the container port 8080 (not the Service port 80).
    opened = [
        peer_auth(
            "shop", "web-open", "STRICT", selector={"app": "web"}, port_level={8080: "PERMISSIVE"}
        )
    ]
    assert not only(istio_base("STRICT") + base + opened, "MG0001")
    # Port-level on the Service port does not help: Istio matches container ports.
    wrong = [
        peer_auth(
            "shop", "web-open", "STRICT", selector={"app": "web"}, port_level={80: "PERMISSIVE"}
        )
    ]
    assert only(istio_base("STRICT") + base + wrong, "MG0001")
    # Backend without sidecar: nothing enforces STRICT.
    assert not only(
        istio_base("STRICT")
        + app(injected=False)
        + nginx_lb()
        + [ingress("shop", "web", "web", 80)],
        "MG0001",
    )


def test_mg0001_namespace_policy_overrides_mesh():
    objs = (
        istio_base("STRICT")
        + app()
        + nginx_lb()
        + [ingress("shop", "web", "web", 80), peer_auth("shop", "default", "PERMISSIVE")]
    )
    assert not only(objs, "MG0001")


def test_mg0002_inbound_capture_on():
    on = istio_base() + nginx_lb(ns_labels={"istio-injection": "enabled"})
    (f,) = only(on, "MG0002")
    assert f["level"] == "Warning"
    off = istio_base() + nginx_lb(
        ns_labels={"istio-injection": "enabled"}, pod_annotations=GOOD_SIDECAR_ANNOTATIONS
    )
    assert not only(off, "MG0002")
    # No sidecar intended: inbound capture is irrelevant.
    assert not only(istio_base() + nginx_lb(), "MG0002")


def test_mg0003_sidecar_with_pod_ip_routing_and_the_vendor_switches():
    lb = nginx_lb(
        pod_labels={"sidecar.istio.io/inject": "true"}, pod_annotations=GOOD_SIDECAR_ANNOTATIONS
    )
    plain = istio_base() + app() + lb + [ingress("shop", "web", "web", 80)]
    (f,) = only(plain, "MG0003")
    assert "service-upstream" in f["fix"]
    switched = (
        istio_base()
        + app()
        + lb
        + [
            ingress(
                "shop",
                "web",
                "web",
                80,
                annotations={"nginx.ingress.kubernetes.io/service-upstream": "true"},
            )
        ]
    )
    assert not only(switched, "MG0003")
    result = detect(switched)
    (nginx,) = result["load_balancers"]
    # Service routing alone keeps the client's Host, which names no Service: MG0020, and so
    # the LB's requests are not mTLS.
    assert (nginx["mode"], nginx["mtls"], nginx["service_routing"]) == ("standalone", False, "on")
    assert [f["code"] for f in result["findings"] if f["level"] == "Error"] == ["MG0020"]
    vhost = (
        istio_base()
        + app()
        + lb
        + [
            ingress(
                "shop",
                "web",
                "web",
                80,
                annotations={
                    "nginx.ingress.kubernetes.io/upstream-vhost": "web.shop.svc.cluster.local"
                },
            )
        ]
    )
    assert not only(vhost, "MG0003")
    # upstream-vhost without service-upstream: the Host names the Service but the pod is dialled
    # on 8080, where the Service port is 80: MG0021, still not mTLS.
    assert only(vhost, "MG0021")
    both = {
        "nginx.ingress.kubernetes.io/service-upstream": "true",
        "nginx.ingress.kubernetes.io/upstream-vhost": "web.shop.svc.cluster.local",
    }
    objs = istio_base() + app() + lb + [ingress("shop", "web", "web", 80, annotations=both)]
    result = detect(objs)
    assert result["load_balancers"][0]["mtls"] is True  # the VIP and a Host naming the Service
    assert not [f for f in result["findings"] if f["level"] == "Error"]


def test_mg0003_global_configmap_switch():
    lb = nginx_lb(
        pod_labels={"sidecar.istio.io/inject": "true"},
        pod_annotations=GOOD_SIDECAR_ANNOTATIONS,
        args=["/nginx-ingress-controller", "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller"],
    )
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx"},
        "data": {"service-upstream": "true"},
    }
    objs = istio_base() + app() + lb + [ingress("shop", "web", "web", 80)]
    assert only(objs, "MG0003")
    assert not only(objs + [cm], "MG0003")


def test_mg0003_vendor_without_switch_suggests_host_rewrite():
    contour = [
        namespace("projectcontour", **{"istio-injection": "enabled"}),
        deployment(
            "projectcontour",
            "envoy",
            "docker.io/envoyproxy/envoy:distroless-v1.38.3",
            labels={"app": "envoy"},
            pod_annotations=GOOD_SIDECAR_ANNOTATIONS,
            kind="DaemonSet",
        ),
    ]
    contour[1]["spec"]["template"]["spec"]["containers"].append(
        {"name": "shutdown-manager", "image": "ghcr.io/projectcontour/contour:v1.33.6"}
    )
    proxy = {
        "apiVersion": "projectcontour.io/v1",
        "kind": "HTTPProxy",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "virtualhost": {"fqdn": "web.example.com"},
            "routes": [{"services": [{"name": "web", "port": 80}]}],
        },
    }
    (f,) = only(istio_base() + app() + contour + [proxy], "MG0003")
    assert "no Service-routing switch" in f["fix"] and "web.shop.svc.cluster.local" in f["fix"]
    proxy["spec"]["routes"][0]["requestHeadersPolicy"] = {
        "set": [{"name": "Host", "value": "web.shop.svc.cluster.local"}]
    }
    assert not only(istio_base() + app() + contour + [proxy], "MG0003")


def test_mg0004_host_network():
    (f,) = only(
        istio_base() + nginx_lb(host_network=True, ns_labels={"istio-injection": "enabled"}),
        "MG0004",
    )
    lb = detect(
        istio_base() + nginx_lb(host_network=True, ns_labels={"istio-injection": "enabled"})
    )["load_balancers"][0]
    assert lb["sidecar"]["injection"] == "impossible"
    assert not only(istio_base() + nginx_lb(), "MG0004")


def test_mg0005_annotation_on_workload_metadata():
    objs = istio_base() + nginx_lb(annotations={"traffic.sidecar.istio.io/includeInboundPorts": ""})
    (f,) = only(objs, "MG0005")
    assert f["object"]["kind"] == "Deployment"
    assert not only(
        istio_base()
        + nginx_lb(pod_annotations={"traffic.sidecar.istio.io/includeInboundPorts": ""}),
        "MG0005",
    )


def _gateway():
    return istio_gateway(annotations={"cloud.google.com/neg": '{"ingress": true}'})


def test_mg0006_gke_ingress_health_check():
    gw, svc = _gateway()
    gce = ingress(
        "istio-system",
        "edge",
        "istio-ingressgateway",
        80,
        klass=None,
        annotations={"kubernetes.io/ingress.class": "gce"},
    )
    (f,) = only(istio_base() + [gw, svc, gce], "MG0006")
    assert f["level"] == "Error" and "no BackendConfig" in f["message"]
    svc2 = copy.deepcopy(svc)
    svc2["metadata"]["annotations"]["cloud.google.com/backend-config"] = '{"default": "gw-hc"}'
    bad = {
        "apiVersion": "cloud.google.com/v1",
        "kind": "BackendConfig",
        "metadata": {"name": "gw-hc", "namespace": "istio-system"},
        "spec": {"healthCheck": {"type": "HTTP", "port": 80, "requestPath": "/"}},
    }
    (f,) = only(istio_base() + [gw, svc2, gce, bad], "MG0006")
    assert "port 80 path /" in f["message"]
    good = copy.deepcopy(bad)
    good["spec"]["healthCheck"] = {"type": "HTTP", "port": 15021, "requestPath": "/healthz/ready"}
    assert not only(istio_base() + [gw, svc2, gce, good], "MG0006")


def test_mg0006_alb_annotations():
    gw, svc = _gateway()
    alb = ingress(
        "istio-system",
        "edge",
        "istio-ingressgateway",
        80,
        klass="alb",
        annotations={"alb.ingress.kubernetes.io/target-type": "ip"},
    )
    assert only(istio_base() + [gw, svc, alb], "MG0006")
    alb["metadata"]["annotations"].update(
        {
            "alb.ingress.kubernetes.io/healthcheck-port": "15021",
            "alb.ingress.kubernetes.io/healthcheck-path": "/healthz/ready",
        }
    )
    assert not only(istio_base() + [gw, svc, alb], "MG0006")


def test_mg0007_helper_job_in_injected_namespace():
    job = helper_job()
    objs = istio_base() + nginx_lb(ns_labels={"istio-injection": "enabled"}) + [job]
    (f,) = only(objs, "MG0007")
    assert f["object"]["kind"] == "Job"
    job["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"] = "false"
    assert not only(objs, "MG0007")


def test_mg0008_retired_only_for_ingress_nginx():
    assert only(istio_base() + nginx_lb(), "MG0008")
    traefik = deployment(
        "kube-system",
        "traefik",
        "docker.io/traefik:v3.3",
        labels={"app.kubernetes.io/name": "traefik"},
    )
    assert not only(istio_base() + [traefik], "MG0008")


def test_mg0009_emissary_endpoint_resolver():
    mapping = {
        "apiVersion": "getambassador.io/v3alpha1",
        "kind": "Mapping",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"prefix": "/", "service": "web.shop:80", "resolver": "endpoint"},
    }
    assert only(istio_base() + app() + [mapping], "MG0009")
    del mapping["spec"]["resolver"]
    assert not only(istio_base() + app() + [mapping], "MG0009")


def test_mg0010_catch_all_istio_mutual():
    dr = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "DestinationRule",
        "metadata": {"name": "all-mtls", "namespace": "istio-system"},
        "spec": {"host": "*.local", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}},
    }
    assert only(istio_base() + [dr], "MG0010")
    dr["spec"]["host"] = "web.shop.svc.cluster.local"
    assert not only(istio_base() + [dr], "MG0010")


def test_mg0011_hold_application():
    enabled = {"istio-injection": "enabled"}
    annotations = {"traffic.sidecar.istio.io/includeInboundPorts": ""}
    assert only(istio_base() + nginx_lb(ns_labels=enabled, pod_annotations=annotations), "MG0011")
    assert not only(
        istio_base() + nginx_lb(ns_labels=enabled, pod_annotations=GOOD_SIDECAR_ANNOTATIONS),
        "MG0011",
    )
    mesh = "defaultConfig:\n  holdApplicationUntilProxyStarts: true\n"
    assert not only(
        istio_base(mesh_config=mesh) + nginx_lb(ns_labels=enabled, pod_annotations=annotations),
        "MG0011",
    )


def test_mg0012_ambiguous_class():
    objs = app() + [ingress("shop", "web", "web", 80)]
    (f,) = only(objs, "MG0012")
    assert "ingress-nginx, nginx-inc" in f["message"]
    assert not only(objs + [ingress_class("nginx", "nginx.org/ingress-controller")], "MG0012")


def test_mg0013_chained_gateway_without_trusted_proxies():
    gw, svc = _gateway()
    to_gw = ingress("istio-system", "edge", "istio-ingressgateway", 80)
    objs = istio_base() + nginx_lb() + [gw, svc, to_gw]
    result = detect(objs)
    nginx = [lb for lb in result["load_balancers"] if lb["vendor"] == "ingress-nginx"][0]
    assert (nginx["mode"], nginx["mtls"]) == ("chained", True)
    assert only(objs, "MG0013")
    gw["spec"]["template"]["metadata"]["annotations"][
        "proxy.istio.io/config"
    ] = '{"gatewayTopology": {"numTrustedProxies": 1}}'
    assert not only(objs, "MG0013")


def test_mg0023_gateway_trusts_fewer_proxies_than_stand_in_front():
    """Google's LB in front of ingress-nginx, chained to the gateway: 3 entries; 1 is too few
    (every cloud LB kind and the bridged gateway: test_trusted_proxies.py)."""
    gw, svc = _gateway()
    gw["spec"]["template"]["metadata"]["annotations"][
        "proxy.istio.io/config"
    ] = '{"gatewayTopology": {"numTrustedProxies": 1}}'
    to_gw = ingress("istio-system", "edge", "istio-ingressgateway", 80)
    gclb = ingress(
        "ingress-nginx",
        "gclb",
        "ingress-nginx-controller",
        80,
        klass=None,
        annotations={"kubernetes.io/ingress.class": "gce"},
    )
    # ingress-nginx passing on the X-Forwarded-For it receives (its ConfigMap says so).
    objs = istio_base() + nginx_lb(args=["--configmap=ingress-nginx/cm"]) + [gw, svc, to_gw]
    objs.append(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cm", "namespace": "ingress-nginx"},
            "data": {"use-forwarded-headers": "true", "compute-full-forwarded-for": "true"},
        }
    )
    assert not only(objs, "MG0023")  # ingress-nginx alone adds 1
    (f,) = only(objs + [gclb], "MG0023")
    assert f["level"] == "Warning" and f["args"]["n"] == 3
    assert "gke-ingress:Ingress/ingress-nginx/gclb (2)" in f["message"]


def test_mg0014_headless_backend_with_service_routing():
    lb = nginx_lb(
        pod_labels={"sidecar.istio.io/inject": "true"}, pod_annotations=GOOD_SIDECAR_ANNOTATIONS
    )
    objs = istio_base() + [
        namespace("db", **{"istio-injection": "enabled"}),
        deployment("db", "db", "ghcr.io/example/db:1"),
        service("db", "db", {"app": "db"}, headless=True),
    ]
    route = ingress(
        "db", "db", "db", 80, annotations={"nginx.ingress.kubernetes.io/service-upstream": "true"}
    )
    (f,) = only(objs + lb + [route], "MG0014")
    # ingress-nginx's service-upstream falls back to the endpoints (vendor data).
    assert "ingress-nginx falls back to the pod IPs" in f["message"]


def _headless_behind(vendor_objs, klass, controller):
    objs = istio_base() + [
        namespace("db", **{"istio-injection": "enabled"}),
        deployment("db", "db", "ghcr.io/example/db:1"),
        service(
            "db",
            "db",
            {"app": "db"},
            headless=True,
            annotations={"traefik.ingress.kubernetes.io/service.nativelb": "true"},
        ),
        ingress_class(klass, controller),
        ingress("db", "db", "db", 80, klass=klass),
    ]
    return only(objs + vendor_objs, "MG0014")


def test_mg0014_says_what_each_vendor_does_with_a_headless_backend():
    traefik = deployment(
        "traefik",
        "traefik",
        "docker.io/traefik:v3.3",
        labels={"app.kubernetes.io/name": "traefik", "sidecar.istio.io/inject": "true"},
        pod_annotations=GOOD_SIDECAR_ANNOTATIONS,
    )
    (f,) = _headless_behind(
        [namespace("traefik"), traefik], "traefik", "traefik.io/ingress-controller"
    )
    # Traefik's nativeLB errors on a headless Service instead of falling back to pod IPs.
    assert "traefik rejects such a backend" in f["message"]
    assert "pod IPs" not in f["message"]


def test_mg0014_is_neutral_for_a_vendor_that_declares_nothing(monkeypatch):
    entry = registry.VENDORS_BY_ID["traefik"]
    monkeypatch.delitem(entry, "headless_service")
    traefik = deployment(
        "traefik",
        "traefik",
        "docker.io/traefik:v3.3",
        labels={"app.kubernetes.io/name": "traefik", "sidecar.istio.io/inject": "true"},
        pod_annotations=GOOD_SIDECAR_ANNOTATIONS,
    )
    (f,) = _headless_behind(
        [namespace("traefik"), traefik], "traefik", "traefik.io/ingress-controller"
    )
    assert "no documented behaviour" in f["message"]


def test_mg0015_scaled_to_zero():
    assert only(istio_base() + nginx_lb(replicas=0), "MG0015")
    assert not only(istio_base() + nginx_lb(replicas=2), "MG0015")


def _with_status(objs, status):
    out = copy.deepcopy(objs)
    for o in out:
        if o["kind"] in ("Deployment", "DaemonSet"):
            o["status"] = status
    return out


def test_mg0015_no_ready_pods_as_the_cluster_reports_them():
    lb = nginx_lb(replicas=2)
    # Observed by its controller, 2 wanted, none ready (readyReplicas is omitted when 0).
    hits = only(istio_base() + _with_status(lb, {"observedGeneration": 1, "replicas": 2}), "MG0015")
    assert len(hits) == 1 and "has 2 replicas (0 ready)" in hits[0]["message"]
    ready = {"observedGeneration": 1, "replicas": 2, "readyReplicas": 1}
    assert not only(istio_base() + _with_status(lb, ready), "MG0015")
    # Not observed yet (no observedGeneration), or offline manifests: readiness is unknown.
    assert not only(istio_base() + _with_status(lb, {"replicas": 2}), "MG0015")
    result = detect(istio_base() + _with_status(lb, {"observedGeneration": 3, "replicas": 2}))
    assert result["load_balancers"][0]["ready_replicas"] == 0
    assert detect(istio_base() + lb)["load_balancers"][0]["ready_replicas"] is None


def test_mg0015_daemonset_with_no_ready_pods():
    lb = nginx_lb(kind="DaemonSet")
    status = {"observedGeneration": 1, "desiredNumberScheduled": 3, "numberReady": 0}
    assert only(istio_base() + _with_status(lb, status), "MG0015")
    assert not only(istio_base() + _with_status(lb, dict(status, numberReady=3)), "MG0015")
    # A DaemonSet scheduled on no node at all is not serving either.
    none = {"observedGeneration": 1, "desiredNumberScheduled": 0, "numberReady": 0}
    assert only(istio_base() + _with_status(lb, none), "MG0015")


def test_mg0016_injection_enabled_but_pods_without_proxy():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "ingress-nginx-controller-x",
            "namespace": "ingress-nginx",
            "labels": {
                "app.kubernetes.io/name": "ingress-nginx",
                "app.kubernetes.io/component": "controller",
            },
        },
        "spec": {"containers": [{"name": "controller", "image": NGINX_IMAGE}]},
    }
    objs = (
        istio_base()
        + nginx_lb(
            ns_labels={"istio-injection": "enabled"}, pod_annotations=GOOD_SIDECAR_ANNOTATIONS
        )
        + [pod]
    )
    (f,) = only(objs, "MG0016")
    assert "1 of 1" in f["message"]
    pod["spec"]["containers"].append(
        {"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.30.3"}
    )
    assert not only(objs, "MG0016")
    assert detect(objs)["load_balancers"][0]["sidecar"]["injected"] is True


def test_mg0017_ambient_lb_without_bypass():
    ztunnel = deployment(
        "istio-system",
        "ztunnel",
        "docker.io/istio/ztunnel:1.30.3",
        labels={"app": "ztunnel"},
        kind="DaemonSet",
    )
    objs = istio_base() + [ztunnel] + nginx_lb(ns_labels={"istio.io/dataplane-mode": "ambient"})
    assert only(objs, "MG0017")
    lb = detect(objs)["load_balancers"][0]
    assert lb["sidecar"]["ambient"] is True and lb["mtls"] is True
    objs2 = (
        istio_base()
        + [ztunnel]
        + nginx_lb(
            ns_labels={"istio.io/dataplane-mode": "ambient"},
            pod_annotations={"ambient.istio.io/bypass-inbound-capture": "true"},
        )
    )
    assert not only(objs2, "MG0017")


def test_mg0018_istio_missing():
    assert only(nginx_lb(), "MG0018")
    assert not only(istio_base() + nginx_lb(), "MG0018")


def test_mg0019_route_without_any_vendor_signal():
    objs = app() + [ingress("shop", "web", "web", 80, klass=None)]
    assert only(objs, "MG0019")
    assert not only(
        objs
        + [
            dict(
                ingress_class("nginx", "k8s.io/ingress-nginx"),
                metadata={
                    "name": "nginx",
                    "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"},
                },
            )
        ],
        "MG0019",
    )


def _service_routed(*extra, annotations=None):
    lb = nginx_lb(
        pod_labels={"sidecar.istio.io/inject": "true"}, pod_annotations=GOOD_SIDECAR_ANNOTATIONS
    )
    anns = {"nginx.ingress.kubernetes.io/service-upstream": "true", **(annotations or {})}
    return (
        istio_base()
        + app()
        + lb
        + [ingress("shop", "web", "web", 80, annotations=anns)]
        + list(extra)
    )


def _mesh_vs(ns, host, gateways=None, export_to=None, name="user-route"):
    spec = {
        "hosts": [host],
        "http": [{"route": [{"destination": {"host": "web.shop.svc.cluster.local"}}]}],
    }
    if gateways is not None:
        spec["gateways"] = gateways
    if export_to is not None:
        spec["exportTo"] = export_to
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def test_mg0020_service_routing_with_a_host_naming_no_service():
    (f,) = only(_service_routed(), "MG0020")
    assert f["args"]["host"] == "web.example.com"
    assert f["args"]["namespace"] == "ingress-nginx" and f["args"]["backend"] == "shop/web"
    assert "web.shop.svc.cluster.local" in f["fix"]
    # A Host rewrite to the Service, or a mesh-bound VirtualService the LB's namespace sees
    # (no gateways means the mesh; exportTo * by default), routes it.
    rewrite = {"nginx.ingress.kubernetes.io/upstream-vhost": "web.shop.svc.cluster.local"}
    assert not only(_service_routed(annotations=rewrite), "MG0020")
    assert not only(_service_routed(_mesh_vs("shop", "web.example.com")), "MG0020")
    assert not only(
        _service_routed(_mesh_vs("ingress-nginx", "*.example.com", ["mesh"], ["."])), "MG0020"
    )
    # Not seen by the LB's namespace, or bound to a gateway only: still MG0020.
    assert only(_service_routed(_mesh_vs("shop", "web.example.com", export_to=["."])), "MG0020")
    assert only(_service_routed(_mesh_vs("shop", "web.example.com", ["istio-system/gw"])), "MG0020")


def test_mg0021_host_rewrite_to_a_target_port_that_differs_from_the_service_port():
    contour = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "envoy", "namespace": "projectcontour"},
        "spec": {
            "selector": {"matchLabels": {"app": "envoy"}},
            "template": {
                "metadata": {
                    "labels": {"app": "envoy", "sidecar.istio.io/inject": "true"},
                    "annotations": dict(GOOD_SIDECAR_ANNOTATIONS),
                },
                "spec": {
                    "containers": [
                        {"name": "contour", "image": "ghcr.io/projectcontour/contour:v1.33.0"},
                        {"name": "envoy", "image": "docker.io/envoyproxy/envoy:v1.35.0"},
                    ]
                },
            },
        },
    }

    def proxy(port):
        return {
            "apiVersion": "projectcontour.io/v1",
            "kind": "HTTPProxy",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {
                "virtualhost": {"fqdn": "web.example.com"},
                "routes": [
                    {
                        "services": [{"name": "web", "port": port}],
                        "requestHeadersPolicy": {
                            "set": [{"name": "Host", "value": "web.shop.svc.cluster.local"}]
                        },
                    }
                ],
            },
        }

    objs = istio_base() + [namespace("projectcontour"), contour]
    (f,) = only(objs + app() + [proxy(80)], "MG0021")
    assert (f["args"]["port"], f["args"]["target_port"]) == (80, 8080)
    assert not only(objs + app(svc_port=8080) + [proxy(8080)], "MG0021")


# ------------------------------------------------------------------ catalog and rules


def _lb_pod(objs):
    (wl,) = [o for o in objs if o["kind"] in ("Deployment", "DaemonSet")]
    return wl["spec"]["template"]["spec"]


def _nginx_config(**data):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx"},
        "data": data,
    }


def test_mg0022_drain_longer_than_the_grace_period():
    args = ["/nginx-ingress-controller", "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller"]
    objs = nginx_lb(args=args + ["--shutdown-grace-period=15"])
    objs.append(_nginx_config(**{"worker-shutdown-timeout": "5s"}))
    spec = _lb_pod(objs)
    spec["terminationGracePeriodSeconds"] = 20
    # 15s before nginx stops + its workers' 5s + the post-shutdown wait (default 10s) > 20s.
    (f,) = only(istio_base() + objs, "MG0022")
    assert "needs 30s" in f["message"] and "is 20s" in f["message"], f["message"]
    assert "ConfigMap worker-shutdown-timeout 5s (set)" in f["message"]
    assert "--post-shutdown-grace-period 10s (default)" in f["message"]
    spec["terminationGracePeriodSeconds"] = 300
    assert not only(istio_base() + objs, "MG0022")
    # A preStop sleep counts from the start of the grace period (default 30s).
    objs = nginx_lb(args=args) + [_nginx_config(**{"worker-shutdown-timeout": "5s"})]
    spec = _lb_pod(objs)
    spec["containers"][0]["lifecycle"] = {
        "preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 25 && /wait-shutdown"]}}
    }
    (f,) = only(istio_base() + objs, "MG0022")
    assert "preStop sleep 25s" in f["message"]
    spec["containers"][0]["lifecycle"]["preStop"] = {"sleep": {"seconds": 15}}
    assert not only(istio_base() + objs, "MG0022")


def test_mg0022_nginx_workers_finish_for_240s_unless_its_configmap_says_otherwise():
    """worker-shutdown-timeout (controller ConfigMap, default 240s) is how long nginx's workers
    may still finish requests after the controller quit them."""
    objs = nginx_lb()
    (f,) = only(istio_base() + objs, "MG0022")
    assert "needs 250s" in f["message"] and "is 30s" in f["message"], f["message"]
    assert "ConfigMap worker-shutdown-timeout 240s (default)" in f["message"]
    # The ConfigMap its --configmap names, in its own namespace or another.
    objs = nginx_lb(args=["/nginx-ingress-controller", "--configmap=edge/nginx-settings"])
    config = _nginx_config(**{"worker-shutdown-timeout": "10s"})
    config["metadata"] = {"name": "nginx-settings", "namespace": "edge"}
    assert not only(istio_base() + objs + [config], "MG0022")  # 10s + 10s <= 30s
    config["data"]["worker-shutdown-timeout"] = "1m"
    (f,) = only(istio_base() + objs + [config], "MG0022")
    assert "needs 70s" in f["message"], f["message"]


def test_mg0022_traefik_entry_point_grace_and_a_classic_sidecar_drain():
    traefik = deployment(
        "kube-system",
        "traefik",
        "docker.io/traefik:v3.3",
        labels={"app.kubernetes.io/name": "traefik"},
        args=["--entryPoints.web.transport.lifeCycle.requestAcceptGraceTimeout=25s"],
    )
    # Accepting for 25s, then graceTimeOut's default 10s.
    (f,) = only(istio_base() + [traefik], "MG0022")
    assert "needs 35s" in f["message"]
    traefik["spec"]["template"]["spec"]["containers"][0]["args"] = []
    assert not only(istio_base() + [traefik], "MG0022")
    # A classic sidecar drains beside the LB for terminationDrainDuration; a native one is
    # stopped after the LB's containers and adds nothing the LB waits for.
    anns = {"proxy.istio.io/config": '{"terminationDrainDuration": "45s"}'}
    injected = {"istio-injection": "enabled"}
    args = ["/nginx-ingress-controller", "--configmap=ingress-nginx/ingress-nginx-controller"]
    objs = istio_base() + nginx_lb(ns_labels=injected, pod_annotations=anns, args=args)
    objs.append(_nginx_config(**{"worker-shutdown-timeout": "5s"}))  # nginx itself: 15s
    (f,) = only(objs, "MG0022")
    assert "classic sidecar terminationDrainDuration 45s" in f["message"]
    (istiod,) = [o for o in objs if o["metadata"]["name"] == "istiod"]
    istiod["spec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": "ENABLE_NATIVE_SIDECARS", "value": "true"}
    ]
    assert not only(objs, "MG0022")


def test_every_code_has_a_test_above():
    tested = {name.split("_")[1].upper() for name in globals() if name.startswith("test_mg")}
    assert tested == set(MESSAGES)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_catalog_entries_render(code):
    msg = MESSAGES[code]
    required = {"name", "level", "description", "template", "fix", "reference"}
    assert required <= set(msg) <= required | {"istioctl", "oracle"}
    # The istioctl code a finding corresponds to (proven against istioctl analyze live).
    assert re.fullmatch(r"IST\d{4}", msg.get("istioctl", "IST0000"))
    assert msg["level"] in ("Error", "Warning", "Info")
    f = make_finding(code, {"kind": "X", "name": "y"})
    assert f["code"] == code and f["message"] and f["fix"]


def test_each_data_path_finding_names_an_oracle_case_that_exists():
    """Codes about the data path name the oracle case that reproduces them
    (tests/dataplane/test_oracle_cases.py); the name must be a test there."""
    cases = open(os.path.join(ROOT, "tests", "dataplane", "test_oracle_cases.py")).read()
    named = {code: m["oracle"] for code, m in MESSAGES.items() if "oracle" in m}
    assert {"MG0001", "MG0003", "MG0020", "MG0021"} <= set(named)
    for code, case in named.items():
        assert re.search(r"^def %s\(" % re.escape(case), cases, re.M), (code, case)


def test_injection_revision_rules():
    rev_ns = namespace("edge", **{"istio.io/rev": "canary"})
    lb = deployment(
        "edge",
        "nginx",
        NGINX_IMAGE,
        labels={
            "app.kubernetes.io/name": "ingress-nginx",
            "app.kubernetes.io/component": "controller",
        },
    )
    (res,) = detect(istio_base() + [rev_ns, lb])["load_balancers"]
    assert res["sidecar"]["injection"] == "unknown-revision"
    hook = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "istio-sidecar-injector-canary", "labels": {"istio.io/rev": "canary"}},
        "webhooks": [{"name": "rev.namespace.sidecar-injector.istio.io"}],
    }
    (res,) = detect(istio_base() + [rev_ns, lb, hook])["load_balancers"]
    assert res["sidecar"]["injection"] == "enabled" and res["sidecar"]["revision"] == "canary"
    # istio-injection=disabled on the namespace beats a pod label.
    off = namespace("edge", **{"istio-injection": "disabled"})
    lb["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"] = "true"
    (res,) = detect(istio_base() + [off, lb])["load_balancers"]
    assert res["sidecar"]["injection"] == "disabled"


def test_scope_filters():
    objs = istio_base() + app() + nginx_lb() + [ingress("shop", "web", "web", 80)]
    assert detect(objs, {"namespaces": ["shop"]})["load_balancers"] == []
    assert [r["name"] for r in detect(objs, {"namespaces": ["shop"]})["routes"]] == ["web"]
    assert detect(objs, {"vendors": ["traefik"]})["load_balancers"] == []
    assert len(detect(objs, {"vendors": ["ingress-nginx"]})["load_balancers"]) == 1


def test_oldest_policy_wins_at_one_level():
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import (
        effective_mtls,
    )

    old = peer_auth("shop", "zz-old", "PERMISSIVE", selector={"app": "web"})
    new = peer_auth("shop", "aa-new", "STRICT", selector={"app": "web"})
    old["metadata"]["creationTimestamp"] = "2025-01-01T00:00:00Z"
    new["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z"
    istio = detect(istio_base("STRICT") + app() + [old, new])["istio"]
    assert effective_mtls(istio, "shop", {"app": "web"}, 8080)[0] == "PERMISSIVE"


def test_shutdown_durations_read_as_the_vendors_do():
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.shutdown import (
        parse_seconds,
    )

    assert parse_seconds("1m30s") == 90 and parse_seconds("500ms") == 0.5
    assert parse_seconds("42") == 42  # Traefik: a bare number is seconds
    assert parse_seconds("10s", "seconds") is None and parse_seconds("forever") is None


def test_mg0008_cites_the_retirement_announcement():
    (f,) = only(istio_base() + nginx_lb(), "MG0008")
    assert f["reference"] == "https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/"
