# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Plain-data Kubernetes object builders shared by the unit tests (no cluster, no mocks)."""

from __future__ import annotations

import json

NGINX_IMAGE = "registry.k8s.io/ingress-nginx/controller:v1.15.1"


# ------------------------------------------------------------------ object builders


def namespace(name, **labels):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def deployment(
    ns,
    name,
    image,
    labels=None,
    pod_annotations=None,
    annotations=None,
    host_network=False,
    args=None,
    replicas=1,
    kind="Deployment",
):
    labels = labels or {"app": name}
    pod_spec = {"containers": [{"name": "main", "image": image, "args": args or []}]}
    if host_network:
        pod_spec["hostNetwork"] = True
    obj = {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": ns, "annotations": annotations or {}},
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels), "annotations": pod_annotations or {}},
                "spec": pod_spec,
            },
        },
    }
    if kind != "DaemonSet":
        obj["spec"]["replicas"] = replicas
    return obj


def service(
    ns, name, selector, ports=((80, 8080),), svc_type="ClusterIP", annotations=None, headless=False
):
    spec = {
        "type": svc_type,
        "selector": selector,
        "ports": [{"name": "p%d" % p, "port": p, "targetPort": t} for p, t in ports],
    }
    if headless:
        spec["clusterIP"] = "None"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations or {}},
        "spec": spec,
    }


def ingress(ns, name, backend, port, klass="nginx", annotations=None):
    spec = {
        "rules": [
            {
                "host": "%s.example.com" % name,
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": backend, "port": {"number": port}}},
                        }
                    ]
                },
            }
        ]
    }
    if klass:
        spec["ingressClassName"] = klass
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations or {}},
        "spec": spec,
    }


def ingress_class(name, controller):
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": name},
        "spec": {"controller": controller},
    }


def peer_auth(ns, name, mode, selector=None, port_level=None):
    spec = {"mtls": {"mode": mode}}
    if selector:
        spec["selector"] = {"matchLabels": selector}
    if port_level:
        spec["portLevelMtls"] = {str(k): {"mode": v} for k, v in port_level.items()}
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def istio_base(mesh_mode="STRICT", mesh_config=None):
    objs = [
        namespace("istio-system"),
        deployment(
            "istio-system",
            "istiod",
            "docker.io/istio/pilot:1.30.3",
            labels={"app": "istiod", "istio": "pilot"},
        ),
        peer_auth("istio-system", "default", mesh_mode),
    ]
    if mesh_config:
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "istio", "namespace": "istio-system"},
                "data": {"mesh": mesh_config},
            }
        )
    return objs


def istio_gateway(ports=((15021, 15021), (80, 8080)), annotations=None):
    """The istio/gateway chart's workload and Service in istio-system: [Deployment, Service]."""
    labels = {"app": "istio-ingressgateway", "istio": "ingressgateway"}
    gw = deployment(
        "istio-system",
        "istio-ingressgateway",
        "docker.io/istio/proxyv2:1.30.3",
        labels=labels,
        args=["proxy", "router"],
    )
    svc = service(
        "istio-system", "istio-ingressgateway", dict(labels), ports=ports, annotations=annotations
    )
    return [gw, svc]


def app(ns="shop", name="web", port=8080, svc_port=80, injected=True):
    return [
        namespace(ns, **({"istio-injection": "enabled"} if injected else {})),
        deployment(ns, name, "ghcr.io/example/%s:1" % name),
        service(ns, name, {"app": name}, ports=((svc_port, port),)),
    ]


def nginx_lb(pod_annotations=None, ns_labels=None, pod_labels=None, **kw):
    labels = {
        "app.kubernetes.io/name": "ingress-nginx",
        "app.kubernetes.io/component": "controller",
    }
    labels.update(pod_labels or {})
    return [
        namespace("ingress-nginx", **(ns_labels or {})),
        ingress_class("nginx", "k8s.io/ingress-nginx"),
        deployment(
            "ingress-nginx",
            "ingress-nginx-controller",
            NGINX_IMAGE,
            labels=labels,
            pod_annotations=pod_annotations,
            **kw,
        ),
        service(
            "ingress-nginx",
            "ingress-nginx-controller",
            dict(labels),
            ports=((80, 80), (443, 443)),
            svc_type="LoadBalancer",
        ),
    ]


GOOD_SIDECAR_ANNOTATIONS = {
    "traffic.sidecar.istio.io/includeInboundPorts": "",
    "proxy.istio.io/config": json.dumps({"holdApplicationUntilProxyStarts": True}),
}


def helper_job(ns="ingress-nginx", name="ingress-nginx-admission-create"):
    """ingress-nginx's admission certificate Job (one of its entry's helper_jobs)."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "template": {
                "metadata": {"labels": {}},
                "spec": {
                    "containers": [
                        {
                            "name": "create",
                            "image": "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9",
                        }
                    ]
                },
            }
        },
    }
