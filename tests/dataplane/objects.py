# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Builders for the small clusters the oracle tests describe (our own objects, plain dicts).

Pods carry what a kubelet and istiod's injector would give them (status.podIP, Ready, the
sidecar status annotation and the istio-proxy container, the tlsMode label); EndpointSlices
are what the endpointslice controller would make for Ready pods.
"""

from __future__ import annotations

SIDECAR_STATUS = '{"initContainers":["istio-init"],"containers":["istio-proxy"]}'


def istiod() -> list[dict]:
    """istio-system and an istiod Deployment as detection knows it (vendors/istio.py: its
    labels and pilot image): what a plan needs to see that Istio is installed."""
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "istio-system"}},
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "istiod",
                "namespace": "istio-system",
                "labels": {"app": "istiod"},
            },
            "spec": {
                "selector": {"matchLabels": {"app": "istiod"}},
                "template": {
                    "metadata": {"labels": {"app": "istiod", "istio": "pilot"}},
                    "spec": {
                        "containers": [
                            {"name": "discovery", "image": "docker.io/istio/pilot:1.30.3"}
                        ]
                    },
                },
            },
        },
    ]


def namespace(name: str, injection: bool = False) -> dict:
    labels = {"istio-injection": "enabled"} if injection else {}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def service(
    ns: str, name: str, cluster_ip: str, ports: list[tuple[str, int, int]], selector=None
) -> dict:
    """ports: (name, port, targetPort)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "clusterIP": cluster_ip,
            "selector": selector or {"app": name},
            "ports": [
                {"name": n, "port": p, "targetPort": t, "protocol": "TCP"} for n, p, t in ports
            ],
        },
    }


def pod(ns: str, name: str, ip: str, labels: dict, sidecar: bool = True, annotations=None) -> dict:
    labels = dict(labels)
    annotations = dict(annotations or {})
    containers = [{"name": "app", "image": "example/app"}]
    if sidecar:
        labels["security.istio.io/tlsMode"] = "istio"
        annotations["sidecar.istio.io/status"] = SIDECAR_STATUS
        containers.append({"name": "istio-proxy", "image": "istio/proxyv2"})
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels, "annotations": annotations},
        "spec": {"containers": containers},
        "status": {
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }


def endpoint_slice(svc: dict, pods: list[dict]) -> dict:
    """The slice the endpointslice controller makes for a Service and its Ready pods."""
    meta = svc["metadata"]
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": meta["name"] + "-slice",
            "namespace": meta["namespace"],
            "labels": {"kubernetes.io/service-name": meta["name"]},
        },
        "addressType": "IPv4",
        "ports": [
            {"name": p["name"], "port": p["targetPort"], "protocol": "TCP"}
            for p in svc["spec"]["ports"]
        ],
        "endpoints": [
            {
                "addresses": [p["status"]["podIP"]],
                "conditions": {"ready": True},
                "targetRef": {
                    "kind": "Pod",
                    "name": p["metadata"]["name"],
                    "namespace": p["metadata"]["namespace"],
                },
            }
            for p in pods
        ],
    }


def peer_authentication(ns: str, name: str, mode: str, selector=None, port_modes=None) -> dict:
    spec: dict = {"mtls": {"mode": mode}}
    if selector:
        spec["selector"] = {"matchLabels": selector}
    if port_modes:
        spec["portLevelMtls"] = {str(port): {"mode": m} for port, m in port_modes.items()}
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def virtual_service(
    ns: str,
    name: str,
    hosts: list[str],
    gateways: list[str],
    dest: str,
    port: int,
    match_port: int | None = None,
    export_to: list[str] | None = None,
) -> dict:
    route: dict = {"route": [{"destination": {"host": dest, "port": {"number": port}}}]}
    if match_port is not None:
        route["match"] = [{"port": match_port}]
    spec: dict = {"hosts": hosts, "gateways": gateways, "http": [route]}
    if export_to is not None:
        spec["exportTo"] = export_to
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def istio_gateway(ns: str, name: str, selector: dict, hosts: list[str], port: int = 80) -> dict:
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "selector": selector,
            "servers": [
                {"port": {"number": port, "name": "http", "protocol": "HTTP"}, "hosts": hosts}
            ],
        },
    }


def hop(
    name: str,
    caller: str,
    proxy: str,
    address: str,
    port: int,
    host: str,
    protocol: str = "http",
    tls: str = "plaintext",
) -> dict:
    return {
        "name": name,
        "caller": {"pod": caller, "proxy": proxy},
        "call": {"address": address, "port": port, "host": host, "protocol": protocol, "tls": tls},
    }


def gateway_api_gateway(ns: str, name: str, hostname: str, port: int = 80) -> dict:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "gatewayClassName": "istio",
            "listeners": [
                {
                    "name": "http",
                    "port": port,
                    "protocol": "HTTP",
                    "hostname": hostname,
                    "allowedRoutes": {"namespaces": {"from": "All"}},
                }
            ],
        },
    }


def http_route(ns: str, name: str, parent: tuple[str, str], hosts: list[str], svc: str, port: int):
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "parentRefs": [{"namespace": parent[0], "name": parent[1]}],
            "hostnames": hosts,
            "rules": [{"backendRefs": [{"name": svc, "port": port}]}],
        },
    }


ISTIO_GATEWAY_CLASS = {
    "apiVersion": "gateway.networking.k8s.io/v1",
    "kind": "GatewayClass",
    "metadata": {"name": "istio"},
    "spec": {"controllerName": "istio.io/gateway-controller"},
}


def ingress(ns: str, name: str, host: str, svc: str, port: int, klass=None, annotations=None):
    """An Ingress sending host / (Prefix) to one Service port; klass: spec.ingressClassName."""
    spec: dict = {
        "rules": [
            {
                "host": host,
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": svc, "port": {"number": port}}},
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
        "metadata": {"name": name, "namespace": ns, "annotations": dict(annotations or {})},
        "spec": spec,
    }


# A SIMULATED ambient install: the ztunnel DaemonSet Istio's ambient profile runs (nothing
# runs its pods here); detection reads ambient as enabled from it.
ZTUNNEL = {
    "apiVersion": "apps/v1",
    "kind": "DaemonSet",
    "metadata": {"name": "ztunnel", "namespace": "istio-system"},
    "spec": {
        "selector": {"matchLabels": {"app": "ztunnel"}},
        "template": {
            "metadata": {"labels": {"app": "ztunnel"}},
            "spec": {
                "containers": [{"name": "istio-proxy", "image": "docker.io/istio/ztunnel:1.30.3"}]
            },
        },
    },
}
