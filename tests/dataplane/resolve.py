# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""From a load balancer's hops (plugins/.../detect/data_path.py: how it sends, in terms of
Services and routes) to the oracle's calls (addresses and ports), using the objects of the
folder the oracle reads: the LB's own Pods, the Service's cluster IP, its EndpointSlices."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.backends import target_port


def _key(obj):
    meta = obj["metadata"]
    return meta.get("namespace"), meta["name"]


def index_objects(objects):
    """{kind: {(namespace, name): object}}, and the same under "<group>/<kind>" for API groups
    (an Istio Gateway and a Gateway API Gateway share the kind)."""
    by_kind = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], {})[_key(obj)] = obj
        group = obj.get("apiVersion", "").rpartition("/")[0]
        if group:
            by_kind.setdefault("%s/%s" % (group, obj["kind"]), {})[_key(obj)] = obj
    return by_kind


def _selected(pod, selector):
    labels = pod["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def caller_pod(idx, lb_id):
    """The LB workload's newest running Pod with an IP (a rollout leaves old ones behind)."""
    kind, ns, name = lb_id.split("/", 2)
    workload = idx.get(kind, {}).get((ns, name))
    if workload is None:
        return None
    return _newest_running(idx, workload["spec"]["selector"].get("matchLabels"), (ns,))


def _newest_running(idx, selector, namespaces=None):
    """The newest Pod with an IP, not terminating, that selector picks (in namespaces, or any)."""
    pods = [
        p
        for p in idx.get("Pod", {}).values()
        if _selected(p, selector)
        and (namespaces is None or p["metadata"]["namespace"] in namespaces)
        and not p["metadata"].get("deletionTimestamp")
        and (p.get("status") or {}).get("podIP")
    ]
    pods.sort(key=lambda p: (p["metadata"]["creationTimestamp"], p["metadata"]["name"]))
    return pods[-1] if pods else None


def _service_port(svc, port):
    for p in svc["spec"].get("ports") or ():
        if port in (p.get("port"), p.get("name")):
            return p
    return None


def _endpoint(idx, ns, service, port_name):
    """The first ready endpoint of the Service and its target port for that Service port."""
    for (sns, _name), sl in sorted(idx.get("EndpointSlice", {}).items()):
        if (
            sns != ns
            or (sl["metadata"].get("labels") or {}).get("kubernetes.io/service-name") != service
        ):
            continue
        ports = [
            p["port"] for p in sl.get("ports") or () if (p.get("name") or "") == (port_name or "")
        ]
        for ep in sl.get("endpoints") or ():
            if (ep.get("conditions") or {}).get("ready") is not False and ports:
                return ep["addresses"][0], ports[0]
    return None


# The label Istio's deployment controller puts on the pods of a Gateway API Gateway.
GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name"


def _gateway_pod(idx, gateway_ref):
    """(Gateway, the newest running Pod it selects) for Gateway/<ns>/<name>: an Istio Gateway
    selects by its selector (any namespace), a Gateway API Gateway its own deployment's pods."""
    _kind, ns, name = gateway_ref.split("/", 2)
    gw = idx.get("networking.istio.io/Gateway", {}).get((ns, name))
    if gw is not None:
        selector, namespaces = (gw.get("spec") or {}).get("selector") or {}, None
    else:
        gw = idx.get("gateway.networking.k8s.io/Gateway", {}).get((ns, name))
        selector, namespaces = {GATEWAY_NAME_LABEL: name}, (ns,)
    if gw is None:
        return None, None
    return gw, _newest_running(idx, selector, namespaces)


def _http_port(gw):
    """(port, tls) of the Gateway's first HTTP server (Istio) or listener (Gateway API), else
    of its first HTTPS one (a caller then sends TLS, without SNI as Google's LB does)."""
    spec = gw.get("spec") or {}
    found = []
    for s in spec.get("servers") or ():
        found.append(((s.get("port") or {}).get("protocol", "").upper(), s["port"]["number"]))
    for listener in spec.get("listeners") or ():
        found.append(((listener.get("protocol") or "").upper(), listener["port"]))
    for wanted, tls in ((("HTTP", "HTTP2"), "plaintext"), (("HTTPS",), "tls")):
        for protocol, number in found:
            if protocol in wanted:
                return number, tls
    return None, None


def _listener_port(idx, gw, pod):
    """The gateway pod's port for the Gateway's first HTTP server or listener: the target port
    of the Service port with that number, among the Services selecting the pod (else the
    number)."""
    number, _tls = _http_port(gw)
    if number is None:
        return None
    for svc in idx.get("Service", {}).values():
        if svc["metadata"].get("namespace") != pod["metadata"]["namespace"]:
            continue
        if not (svc["spec"].get("selector") and _selected(pod, svc["spec"]["selector"])):
            continue
        if any(p.get("port") == number for p in svc["spec"].get("ports") or ()):
            return target_port(svc, number, pod)
    return number


def _gateway_call(idx, hop):
    gw, pod = _gateway_pod(idx, hop["lb"])
    if pod is None:
        return None, "no running gateway Pod for %s" % hop["lb"]
    port, tls = _listener_port(idx, gw, pod), _http_port(gw)[1]
    if port is None:
        return None, "%s has no HTTP or HTTPS server" % hop["lb"]
    ns, name = _key(pod)
    return {
        "name": "%s -> %s (%s)" % (hop["lb"], hop["route"], hop["backend"]["service"]),
        "caller": {"pod": "%s/%s" % (ns, name), "proxy": "router"},
        "call": {
            "address": pod["status"]["podIP"],
            "port": port,
            "host": hop["host"],
            "protocol": "http",
            "tls": tls,
        },
    }, None


def oracle_call(idx, hop):
    """The oracle's hop for one of ours, or (None, why) when it cannot be made."""
    if hop["proxy"] == "ambient":
        return None, "ambient: the simulator does not model ztunnel"
    if hop["proxy"] == "router":
        return _gateway_call(idx, hop)
    if hop["dials"] == "gateway":
        return None, "enters the Istio gateway (its own hop follows)"
    pod = caller_pod(idx, hop["lb"])
    if pod is None:
        return None, "no running Pod with an IP for %s" % hop["lb"]
    b = hop["backend"]
    svc = idx.get("Service", {}).get((b["namespace"], b["service"]))
    port = svc and _service_port(svc, b["port"])
    if port is None:
        return None, "no Service %s/%s port %s" % (b["namespace"], b["service"], b["port"])
    if hop["dials"] == "service":
        address, number = svc["spec"]["clusterIP"], port["port"]
    else:
        found = _endpoint(idx, b["namespace"], b["service"], port.get("name"))
        if found is None:
            return None, "no ready endpoint of %s/%s" % (b["namespace"], b["service"])
        address, number = found
    ns, name = _key(pod)
    return {
        "name": "%s -> %s (%s)" % (hop["lb"], hop["route"], b["service"]),
        "caller": {"pod": "%s/%s" % (ns, name), "proxy": hop["proxy"]},
        "call": {
            "address": address,
            "port": number,
            "host": hop["host"],
            "protocol": "http",
            "tls": "plaintext",
        },
    }, None


def oracle_calls(objects, hops):
    """(calls, skipped): the oracle's hop for each of ours that can be made, and why not."""
    idx = index_objects(objects)
    calls, skipped = [], []
    for hop in hops:
        call, why = oracle_call(idx, hop)
        if call is None:
            skipped.append((hop, why))
        else:
            calls.append(call)
    return calls, skipped
