# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The target Gateway: an HTTP listener per host (and one without a host name for Ingress rules
without one), an HTTPS listener per TLS host with the Ingress's own Secret, a ReferenceGrant in
each Secret namespace other than the Gateway's, and the parentRefs routes attach with."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.model import host_matches
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.naming import safe_name
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.policies import (
    MIGRATED_FROM,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import MANAGED_LABEL

GATEWAY_API = "gateway.networking.k8s.io/v1"


def listener_name(scheme, host):
    if not host:
        return scheme
    return safe_name(scheme, host.replace("*", "wildcard"))


def tls_secrets(records):
    """{host: (secret namespace, secret name)} of every rule host the Ingresses' TLS covers
    (the first Ingress in id order wins, as ingress-nginx takes the oldest)."""
    out = {}
    for rec in records:
        for t in rec["tls"]:
            if not t["secret"]:
                continue
            for host in rec["hosts"]:
                if host and host not in out and any(host_matches(p, host) for p in t["hosts"]):
                    out[host] = (rec["namespace"], t["secret"])
    return out


def parent_ref(gw, scheme, host):
    ref = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gw["name"]}
    ref["namespace"] = gw["namespace"]
    if gw.get("existing"):
        ref["port"] = 443 if scheme == "https" else 80
    else:
        ref["sectionName"] = listener_name(scheme, host)
    return ref


def gateway_objects(gw, hosts, secrets, namespaces):
    """[Gateway, ReferenceGrant...] for a new Gateway; [] for an existing one."""
    if gw.get("existing"):
        return []
    allowed = {
        "namespaces": {
            "from": "Selector",
            "selector": {
                "matchExpressions": [
                    {
                        "key": "kubernetes.io/metadata.name",
                        "operator": "In",
                        "values": sorted(namespaces),
                    }
                ]
            },
        }
    }
    listeners = []
    grants = {}
    for host in sorted(hosts):
        http = {"name": listener_name("http", host), "port": 80, "protocol": "HTTP"}
        if host:
            http["hostname"] = host
        listeners.append(dict(http, allowedRoutes=allowed))
        if host in secrets:
            ns, name = secrets[host]
            ref = {"group": "", "kind": "Secret", "name": name}
            if ns != gw["namespace"]:
                ref["namespace"] = ns
                grants.setdefault(ns, set()).add(name)
            listeners.append(
                {
                    "name": listener_name("https", host),
                    "port": 443,
                    "protocol": "HTTPS",
                    "hostname": host,
                    "tls": {"mode": "Terminate", "certificateRefs": [ref]},
                    "allowedRoutes": allowed,
                }
            )
    gateway = {
        "apiVersion": GATEWAY_API,
        "kind": "Gateway",
        "metadata": {
            "name": gw["name"],
            "namespace": gw["namespace"],
            "labels": dict(MANAGED_LABEL),
            "annotations": {MIGRATED_FROM: "ingress-nginx"},
        },
        "spec": {"gatewayClassName": gw.get("class") or "istio", "listeners": listeners},
    }
    out = [gateway]
    for ns in sorted(grants):
        out.append(
            {
                "apiVersion": GATEWAY_API,
                "kind": "ReferenceGrant",
                "metadata": {
                    "name": safe_name("meshgate", gw["namespace"], gw["name"], "certificates"),
                    "namespace": ns,
                    "labels": dict(MANAGED_LABEL),
                },
                "spec": {
                    "from": [
                        {
                            "group": "gateway.networking.k8s.io",
                            "kind": "Gateway",
                            "namespace": gw["namespace"],
                        }
                    ],
                    "to": [{"group": "", "kind": "Secret", "name": n} for n in sorted(grants[ns])],
                },
            }
        )
    return out
