# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""From a load balancer's hops (plugins/.../detect/data_path.py: how it sends, in terms of
Services and routes) to the oracle's calls (addresses and ports), using the objects of the
folder the oracle reads: the LB's own Pods, the Service's cluster IP, its EndpointSlices."""

from __future__ import annotations


def _key(obj):
    meta = obj["metadata"]
    return meta.get("namespace"), meta["name"]


def _index(objects):
    by_kind = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], {})[_key(obj)] = obj
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
    selector = workload["spec"]["selector"].get("matchLabels")
    pods = [
        p
        for (pns, _name), p in idx.get("Pod", {}).items()
        if pns == ns
        and _selected(p, selector)
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


def oracle_call(idx, hop):
    """The oracle's hop for one of ours, or (None, why) when it cannot be made."""
    if hop["proxy"] == "ambient":
        return None, "ambient: the simulator does not model ztunnel"
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
    idx = _index(objects)
    calls, skipped = [], []
    for hop in hops:
        call, why = oracle_call(idx, hop)
        if call is None:
            skipped.append((hop, why))
        else:
            calls.append(call)
    return calls, skipped
