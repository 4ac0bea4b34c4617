# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A SIMULATED cluster for offline data-path checks: what the controllers, the kubelet and
istiod's injector would add to a set of manifests (Helm output, a snapshot without Pods).

Nothing here decides routing or TLS (Istio's own code does, in the oracle); this only plays the
parts that are not Istio's, and the names say so:
- simulated_pods(): one Pod per workload template (Deployment, StatefulSet, DaemonSet), with
  an IP and Ready, injected when Istio's default injection rules say so (namespace label
  `istio-injection` / `istio.io/rev`, pod label `sidecar.istio.io/inject`; hostNetwork pods
  never), the way the injector marks a pod (istio-proxy container, `sidecar.istio.io/status`,
  the `security.istio.io/tlsMode: istio` label);
- simulated_endpoint_slices(): the endpointslice controller's slices for Ready selected Pods,
  named target ports resolved against the containers' ports;
- simulated_gateway_deployments(): what Istio's deployment controller makes for a Gateway API
  Gateway of an Istio class (a Deployment and Service <gateway>-<class>);
- simulated_envoy_gateway_proxies(): what Envoy Gateway's controller makes for a Gateway of
  its classes (an Envoy Deployment in the controller's namespace);
- merged_plan(): the objects after a plan's server-side apply, approximated by a merge (maps
  merged, lists of named items merged by name, other lists replaced, as the manifests' atomic
  lists are); the live tests use the real API server instead.
The live tests (tests/integration/test_istio_live.py) replace all three with the real API
server, controller-manager and istiod webhook.
"""

from __future__ import annotations

import copy
import ipaddress

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.backends import target_port

SIDECAR_STATUS = '{"initContainers":["istio-init"],"containers":["istio-proxy"]}'
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
POD_NET = ipaddress.ip_network("10.244.0.0/16")
SERVICE_NET = ipaddress.ip_network("10.96.0.0/16")
NODE = {
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {"name": "simulated-node", "labels": {"kubernetes.io/hostname": "simulated-node"}},
    "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.10"}]},
}


def _key(obj):
    meta = obj.get("metadata") or {}
    return obj.get("apiVersion"), obj.get("kind"), meta.get("namespace"), meta.get("name")


def _namespaces(objects):
    return {
        o["metadata"]["name"]: (o["metadata"].get("labels") or {})
        for o in objects
        if o.get("kind") == "Namespace"
    }


# Namespaces Istio's injector never injects, whatever their labels say
# (istio.io/istio pkg/kube/inject/initializer.go IgnoredNamespaces).
NEVER_INJECTED = frozenset(("kube-system", "kube-public", "kube-node-lease", "local-path-storage"))


def injected(ns_labels: dict, template: dict, namespace: str | None = None) -> bool:
    """Istio's default injection rules (istiod chart's webhooks, default revision)."""
    spec = template.get("spec") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    if spec.get("hostNetwork") or namespace in NEVER_INJECTED:
        return False
    pod_says = labels.get("sidecar.istio.io/inject")
    if pod_says == "false" or ns_labels.get("istio-injection") == "disabled":
        return False
    if ns_labels.get("istio-injection") == "enabled" or ns_labels.get("istio.io/rev"):
        return True
    return pod_says == "true" or bool(labels.get("istio.io/rev"))


def _pod(workload, ns_labels, ip):
    template = copy.deepcopy(workload["spec"]["template"])
    meta = template.get("metadata") or {}
    labels = dict(meta.get("labels") or {})
    annotations = dict(meta.get("annotations") or {})
    spec = template.get("spec") or {}
    if injected(ns_labels, template, (workload.get("metadata") or {}).get("namespace")):
        labels.setdefault("security.istio.io/tlsMode", "istio")
        annotations["sidecar.istio.io/status"] = SIDECAR_STATUS
        containers = list(spec.get("containers") or [])
        if not any(c.get("name") == "istio-proxy" for c in containers):  # a gateway has its own
            containers.append(
                {"name": "istio-proxy", "image": "istio/proxyv2", "args": ["proxy", "sidecar"]}
            )
        spec["containers"] = containers
    spec["nodeName"] = NODE["metadata"]["name"]
    wmeta = workload["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "%s-simulated-0" % wmeta["name"],
            "namespace": wmeta["namespace"],
            "labels": labels,
            "annotations": annotations,
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "ownerReferences": [
                {
                    "apiVersion": workload["apiVersion"],
                    "kind": workload["kind"],
                    "name": wmeta["name"],
                }
            ],
        },
        "spec": spec,
        "status": {
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "hostIP": "10.0.0.10",
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }


def simulated_pods(objects):
    """One Running, Ready Pod per workload template, injected as Istio's webhook would."""
    namespaces = _namespaces(objects)
    pods = []
    for obj in objects:
        if obj.get("kind") not in WORKLOAD_KINDS or not (obj.get("spec") or {}).get("template"):
            continue
        ns = obj["metadata"].get("namespace") or "default"
        obj["metadata"]["namespace"] = ns
        ip = str(POD_NET[10 + len(pods)])
        pods.append(_pod(obj, namespaces.get(ns, {}), ip))
    return pods


def _selected(pod, selector):
    labels = pod["metadata"].get("labels") or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def simulated_endpoint_slices(services, pods):
    """The endpointslice controller's slices: one per Service and target-port set."""
    slices = []
    for svc in services:
        spec = svc.get("spec") or {}
        chosen = [
            p
            for p in pods
            if p["metadata"]["namespace"] == svc["metadata"].get("namespace")
            and _selected(p, spec.get("selector"))
        ]
        if not chosen:
            continue
        ports = [
            {
                "name": p.get("name", ""),
                "port": target_port(svc, p.get("port"), chosen[0]),
                "protocol": "TCP",
            }
            for p in spec.get("ports") or ()
        ]
        slices.append(
            {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "name": svc["metadata"]["name"] + "-simulated",
                    "namespace": svc["metadata"]["namespace"],
                    "labels": {"kubernetes.io/service-name": svc["metadata"]["name"]},
                },
                "addressType": "IPv4",
                "ports": [p for p in ports if p["port"] is not None],
                "endpoints": [
                    {
                        "addresses": [p["status"]["podIP"]],
                        "conditions": {"ready": True},
                        "nodeName": NODE["metadata"]["name"],
                        "targetRef": {
                            "kind": "Pod",
                            "name": p["metadata"]["name"],
                            "namespace": p["metadata"]["namespace"],
                        },
                    }
                    for p in chosen
                ],
            }
        )
    return slices


def simulated_gateway_deployments(objects):
    """What Istio's deployment controller creates for each Gateway API Gateway of an Istio
    class: a Deployment and a Service named <gateway>-<class>, pods labelled with the gateway's
    name, the Gateway's spec.infrastructure annotations on the pod template."""
    istio_classes = {
        o["metadata"]["name"]
        for o in objects
        if o.get("kind") == "GatewayClass"
        and (o.get("spec") or {}).get("controllerName") == "istio.io/gateway-controller"
    } | {"istio"}
    out = []
    for gw in objects:
        spec = gw.get("spec") or {}
        if gw.get("kind") != "Gateway" or not gw.get("apiVersion", "").startswith(
            "gateway.networking.k8s.io/"
        ):
            continue
        if spec.get("gatewayClassName") not in istio_classes:
            continue
        ns, name = gw["metadata"].get("namespace") or "default", gw["metadata"]["name"]
        labels = {
            "gateway.networking.k8s.io/gateway-name": name,
            "gateway.istio.io/managed": "istio.io-gateway-controller",
            "sidecar.istio.io/inject": "true",
        }
        annotations = dict((spec.get("infrastructure") or {}).get("annotations") or {})
        annotations["inject.istio.io/templates"] = "gateway"
        deployed = "%s-%s" % (name, spec["gatewayClassName"])
        out.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": deployed, "namespace": ns},
                "spec": {
                    "selector": {"matchLabels": {"gateway.networking.k8s.io/gateway-name": name}},
                    "template": {
                        "metadata": {"labels": labels, "annotations": annotations},
                        "spec": {"containers": [{"name": "istio-proxy", "image": "auto"}]},
                    },
                },
            }
        )
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": deployed, "namespace": ns},
                "spec": {
                    "selector": {"gateway.networking.k8s.io/gateway-name": name},
                    "ports": [
                        {
                            "name": "%s-%s" % (x.get("name"), x["port"]),
                            "port": x["port"],
                            "targetPort": x["port"],
                        }
                        for x in spec.get("listeners") or ()
                    ],
                },
            }
        )
    return out


EG_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller"


def _envoyproxy_pod(objects, class_name):
    """spec.provider.kubernetes.envoyDeployment.pod of the EnvoyProxy the GatewayClass names:
    the extra labels and annotations Envoy Gateway gives the Envoy pods it makes."""
    gc = next(
        (
            o
            for o in objects
            if o.get("kind") == "GatewayClass" and o["metadata"]["name"] == class_name
        ),
        None,
    )
    ref = ((gc or {}).get("spec") or {}).get("parametersRef") or {}
    proxy = next(
        (
            o
            for o in objects
            if o.get("kind") == "EnvoyProxy"
            and o["metadata"]["name"] == ref.get("name")
            and o["metadata"].get("namespace") == ref.get("namespace")
        ),
        None,
    )
    spec = (proxy or {}).get("spec") or {}
    kube = (spec.get("provider") or {}).get("kubernetes") or {}
    return (kube.get("envoyDeployment") or {}).get("pod") or {}


def simulated_envoy_gateway_proxies(objects):
    """What Envoy Gateway's controller creates for each Gateway of one of its classes: an Envoy
    Deployment in the controller's namespace, labelled with the owning Gateway (named without
    the hash suffix the real one has)."""
    classes = {
        o["metadata"]["name"]
        for o in objects
        if o.get("kind") == "GatewayClass"
        and (o.get("spec") or {}).get("controllerName") == EG_CONTROLLER
    }
    home = next(
        (
            o["metadata"].get("namespace")
            for o in objects
            if o.get("kind") == "Deployment"
            and any(
                "envoyproxy/gateway" in c.get("image", "")
                for c in o["spec"]["template"]["spec"].get("containers") or ()
            )
        ),
        "envoy-gateway-system",
    )
    out = []
    for gw in objects:
        if (
            gw.get("kind") != "Gateway"
            or (gw.get("spec") or {}).get("gatewayClassName") not in classes
        ):
            continue
        ns, name = gw["metadata"].get("namespace") or "default", gw["metadata"]["name"]
        labels = {
            "app.kubernetes.io/name": "envoy",
            "app.kubernetes.io/managed-by": "envoy-gateway",
            "gateway.envoyproxy.io/owning-gateway-name": name,
            "gateway.envoyproxy.io/owning-gateway-namespace": ns,
        }
        pod = _envoyproxy_pod(objects, gw["spec"]["gatewayClassName"])
        out.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": "envoy-%s-%s" % (ns, name),
                    "namespace": home,
                    "labels": labels,
                },
                "spec": {
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {
                            "labels": dict(pod.get("labels") or {}, **labels),
                            **(
                                {"annotations": dict(pod["annotations"])}
                                if pod.get("annotations")
                                else {}
                            ),
                        },
                        "spec": {
                            "containers": [
                                {
                                    "name": "envoy",
                                    "image": "docker.io/envoyproxy/envoy:distroless-v1.35.0",
                                }
                            ]
                        },
                    },
                },
            }
        )
    return out


def simulated_cluster(objects):
    """The objects plus what the cluster would add: cluster IPs, Pods, EndpointSlices, a Node."""
    out = [copy.deepcopy(o) for o in objects if o.get("kind") not in ("Pod", "EndpointSlice")]
    # The data planes controllers create at run time; what a plan applied to them (a partial
    # object in out) is merged over what the controller makes.
    present = {_key(o): i for i, o in enumerate(out)}
    for made in simulated_gateway_deployments(out) + simulated_envoy_gateway_proxies(out):
        if _key(made) in present:
            i = present[_key(made)]
            out[i] = _merge(made, out[i])
        else:
            out.append(made)
    services = [o for o in out if o.get("kind") == "Service"]
    for i, svc in enumerate(services):
        svc["metadata"].setdefault("namespace", "default")
        spec = svc.setdefault("spec", {})
        if not spec.get("clusterIP") and spec.get("type") != "ExternalName":
            spec["clusterIP"] = str(SERVICE_NET[100 + i])
    pods = simulated_pods(out)
    return out + pods + simulated_endpoint_slices(services, pods) + [copy.deepcopy(NODE)]


def _merge(base, patch):
    if isinstance(base, dict) and isinstance(patch, dict):
        for k, v in patch.items():
            base[k] = _merge(base[k], v) if k in base else copy.deepcopy(v)
        return base
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(i, dict) and "name" in i for i in base + patch)
        and base
    ):
        by_name = {i["name"]: i for i in base}
        for item in patch:
            if item["name"] in by_name:
                _merge(by_name[item["name"]], item)
            else:
                base.append(copy.deepcopy(item))
        return base
    return copy.deepcopy(patch)


def merged_plan(objects, the_plan):
    """The objects after every patch of every phase (approximated server-side apply)."""
    out = [copy.deepcopy(o) for o in objects]
    index = {_key(o): o for o in out}
    for phase in the_plan.get("phases") or ():
        for patch in phase.get("patches") or ():
            manifest = patch["manifest"]
            found = index.get(_key(manifest))
            if found is None:
                found = copy.deepcopy(manifest)
                out.append(found)
                index[_key(found)] = found
            else:
                _merge(found, manifest)
    return out
