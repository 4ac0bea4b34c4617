# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A synthetic but realistic cluster for the benchmarks, repeatable from a seed.

`objects(size, seed)` yields plain manifests: an Istio control plane (istiod, mesh ConfigMap,
ingress gateway), five ingress controllers with their IngressClasses and LoadBalancer
Services, and `size` Deployments + `size` Services + `size` Ingresses spread over
size // 100 namespaces. Namespaces mix Istio settings (no injection, istio-injection=enabled,
a revision label, STRICT PeerAuthentication); Ingresses are spread over the controllers'
classes with the annotations each vendor's users really set; Services mix named, unnamed and
appProtocol ports. Every Deployment has replicas: 0 (the benchmark cluster runs no
controller-manager, so no ReplicaSets or Pods appear either way).
"""

from __future__ import annotations

import json
import random

CONTROLLERS = [
    # vendor, namespace, workload name, image, IngressClass, controller string
    (
        "ingress-nginx",
        "ingress-nginx",
        "ingress-nginx-controller",
        "registry.k8s.io/ingress-nginx/controller:v1.15.1",
        "nginx",
        "k8s.io/ingress-nginx",
    ),
    (
        "traefik",
        "traefik",
        "traefik",
        "docker.io/traefik:v3.6.2",
        "traefik",
        "traefik.io/ingress-controller",
    ),
    ("kong", "kong", "proxy-kong", "kong:3.9", "kong", "ingress-controllers.konghq.com/kong"),
    (
        "haproxytech",
        "haproxy-controller",
        "haproxy-kubernetes-ingress",
        "haproxytech/kubernetes-ingress:3.1.5",
        "haproxy",
        "haproxy.org/ingress-controller/haproxy",
    ),
    (
        "nginx-inc",
        "nginx-ingress",
        "nginx-ingress",
        "nginx/nginx-ingress:5.2.1",
        "nginx-plus",
        "nginx.org/ingress-controller",
    ),
]
# What users of each class commonly annotate (values are realistic, not meaningful here).
CLASS_ANNOTATIONS = {
    "nginx": [
        {"nginx.ingress.kubernetes.io/rewrite-target": "/"},
        {"nginx.ingress.kubernetes.io/service-upstream": "true"},
        {"nginx.ingress.kubernetes.io/proxy-body-size": "8m"},
        {},
    ],
    "traefik": [{"traefik.ingress.kubernetes.io/router.entrypoints": "web"}, {}],
    "kong": [{"konghq.com/strip-path": "true"}, {}],
    "haproxy": [{"haproxy.org/timeout-server": "30s"}, {}],
    "nginx-plus": [{"nginx.org/rewrites": "serviceName=svc rewrite=/"}, {}],
}
APP_IMAGES = [
    "ghcr.io/example/shop-frontend:2.4.1",
    "ghcr.io/example/catalog:1.9.0",
    "docker.io/library/nginx:1.29",
    "quay.io/example/orders@sha256:" + "0" * 64,
    "registry.example.com/team-a/payments:7.1",
]


def _meta(name, namespace=None, labels=None, annotations=None):
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    return meta


def _deployment(name, namespace, image, labels, pod_annotations=None, ports=(8080,), replicas=0):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, namespace, labels=dict(labels)),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": _template_meta(labels, pod_annotations),
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": image,
                            "ports": [{"containerPort": p} for p in ports],
                            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
                            "readinessProbe": {"httpGet": {"path": "/healthz", "port": ports[0]}},
                            "env": [
                                {"name": "LOG_LEVEL", "value": "info"},
                                {
                                    "name": "OTEL_EXPORTER_OTLP_ENDPOINT",
                                    "value": "http://otel:4317",
                                },
                                {"name": "OTEL_SERVICE_NAME", "value": name},
                                {"name": "GOMAXPROCS", "value": "2"},
                                {
                                    "name": "POD_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "POD_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                            ],
                            "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}],
                        }
                    ],
                    "volumes": [{"name": "config", "configMap": {"name": "%s-config" % name}}],
                },
            },
        },
    }


def _template_meta(labels, annotations):
    meta = {"labels": dict(labels)}
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def istio_objects():
    labels = {"app": "istiod", "istio": "pilot"}
    gw = {"app": "istio-ingressgateway", "istio": "ingressgateway"}
    yield {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta("istio-system")}
    yield _deployment(
        "istiod", "istio-system", "docker.io/istio/pilot:1.30.3", labels, ports=(15010,)
    )
    yield {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta("istio", "istio-system"),
        "data": {"mesh": "defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n"},
    }
    yield _deployment(
        "istio-ingressgateway", "istio-system", "docker.io/istio/proxyv2:1.30.3", gw, ports=(8080,)
    )
    yield _lb_service(
        "istio-ingressgateway",
        "istio-system",
        gw,
        [("status-port", 15021, 15021), ("http2", 80, 8080)],
    )


def _lb_service(name, namespace, labels, ports):
    """A LoadBalancer Service selecting `labels`; ports are (name, port, targetPort)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name, namespace, labels=dict(labels)),
        "spec": {
            "type": "LoadBalancer",
            "selector": dict(labels),
            "ports": [{"name": n, "port": p, "targetPort": t} for n, p, t in ports],
        },
    }


def controller_objects():
    for vendor, ns, name, image, cls, controller in CONTROLLERS:
        labels = {"app.kubernetes.io/name": vendor, "app.kubernetes.io/component": "controller"}
        yield {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(ns)}
        yield _deployment(name, ns, image, labels, ports=(80, 443))
        yield _lb_service(name, ns, labels, [("http", 80, 80), ("https", 443, 443)])
        yield {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": _meta(cls),
            "spec": {"controller": controller},
        }


def app_objects(size, seed=1):
    rnd = random.Random(seed)
    n_ns = max(1, size // 100)
    classes = [c[4] for c in CONTROLLERS]
    for k in range(n_ns):
        labels = {"team": "team-%d" % (k % 7)}
        choice = k % 4
        if choice == 1:
            labels["istio-injection"] = "enabled"
        elif choice == 2:
            labels["istio.io/rev"] = "default"
        yield {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": _meta("bench-%04d" % k, labels=labels),
        }
        if k % 5 == 0:
            yield {
                "apiVersion": "security.istio.io/v1",
                "kind": "PeerAuthentication",
                "metadata": _meta("default", "bench-%04d" % k),
                "spec": {"mtls": {"mode": "STRICT"}},
            }
    for i in range(size):
        ns = "bench-%04d" % (i % n_ns)
        name = "app-%05d" % i
        labels = {"app": name, "app.kubernetes.io/part-of": "bench", "version": "v1"}
        pod_annotations = {"prometheus.io/scrape": "true"} if rnd.random() < 0.5 else None
        port = rnd.choice((8080, 8000, 3000, 9090))
        yield _deployment(name, ns, rnd.choice(APP_IMAGES), labels, pod_annotations, (port,))
        port_entry = {"port": 80, "targetPort": port}
        style = rnd.random()
        if style < 0.5:
            port_entry["name"] = "http"
        elif style < 0.7:
            port_entry["appProtocol"] = "http"
            port_entry["name"] = "web"
        yield {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(name, ns, labels={"app": name}),
            "spec": {"selector": {"app": name}, "ports": [port_entry]},
        }
        cls = rnd.choice(classes)
        yield {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": _meta(
                name, ns, annotations=dict(rnd.choice(CLASS_ANNOTATIONS[cls])) or None
            ),
            "spec": {
                "ingressClassName": cls,
                "rules": [
                    {
                        "host": "%s.%s.bench.example" % (name, ns),
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": name, "port": {"number": 80}}},
                                }
                            ]
                        },
                    }
                ],
            },
        }


def _as_applied(obj):
    """Most objects in real clusters were created by `kubectl apply` or Helm: Helm's labels and
    kubectl's last-applied-configuration annotation (a copy of the object) come with them."""
    if obj["kind"] in ("Namespace", "IngressClass"):
        return obj
    meta = obj["metadata"]
    meta.setdefault("labels", {}).update(
        {"app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "bench-app-1.4.2"}
    )
    meta.setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = (
        json.dumps(obj, sort_keys=True, separators=(",", ":"))
    )
    return obj


def objects(size, seed=1):
    """The whole cluster: Istio, the controllers, then the apps (namespaces first)."""
    for gen in (istio_objects(), controller_objects(), app_objects(size, seed)):
        for obj in gen:
            yield _as_applied(obj)
