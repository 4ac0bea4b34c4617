# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The Istio policies a migration writes: one DestinationRule per backend Service (TLS to the
backend, HTTP/2 for gRPC, connect timeout, consistent hash) in the gateway's namespace, exported
only there, and AuthorizationPolicies on the gateway (source ranges, external authorization).

A DestinationRule in the gateway's namespace replaces, for the gateway, any DestinationRule of
the same host in the Service's namespace (istiod takes the client's namespace first)."""

from __future__ import annotations

import copy

from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.naming import safe_name
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import MANAGED_LABEL

DR_API = "networking.istio.io/v1"
AP_API = "security.istio.io/v1"
MIGRATED_FROM = "meshgate.io/migrated-from"


class Policies:
    """DestinationRule settings per (namespace, Service) and AuthorizationPolicies, merged."""

    def __init__(self, gateway, cluster_domain="cluster.local"):
        self.gateway = gateway
        self.domain = cluster_domain
        self.rules = {}  # (ns, service) -> {"policy": {}, "ports": {port: {}}, "from": set}
        self.authz = {}  # name -> manifest

    def backend(self, ns, service, source, policy=None, port=None, port_policy=None):
        item = self.rules.setdefault((ns, service), {"policy": {}, "ports": {}, "from": set()})
        item["from"].add(source)
        if policy:
            _merge(item["policy"], policy)
        if port is not None and port_policy:
            _merge(item["ports"].setdefault(port, {}), port_policy)

    def hash_of(self, ns, service):
        """(consistent hash, the Ingresses that set it) of a Service so far, or None."""
        item = self.rules.get((ns, service))
        how = ((item or {}).get("policy") or {}).get("loadBalancer", {}).get("consistentHash")
        return (how, ", ".join(sorted(item["from"]))) if how else None

    def authorization(self, gateway, ingress_id, kind, action, rules, provider=None):
        """An AuthorizationPolicy on the gateway (targetRefs) for one Ingress."""
        name = safe_name("meshgate", ingress_id.replace("/", "-"), kind)
        spec = {
            "targetRefs": [
                {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gateway["name"]}
            ],
            "action": action,
            "rules": rules,
        }
        if provider:
            spec["provider"] = {"name": provider}
        self.authz[name] = {
            "apiVersion": AP_API,
            "kind": "AuthorizationPolicy",
            "metadata": {
                "name": name,
                "namespace": gateway["namespace"],
                "labels": dict(MANAGED_LABEL),
                "annotations": {MIGRATED_FROM: ingress_id},
            },
            "spec": spec,
        }
        return "AuthorizationPolicy %s/%s" % (gateway["namespace"], name)

    def objects(self):
        out = []
        for (ns, service), item in sorted(self.rules.items()):
            # In the gateway's namespace, exported nowhere else: istiod looks up a client's
            # DestinationRule in the client's namespace first, so this one applies to the
            # gateway only (as ingress-nginx's settings applied to its own traffic only).
            spec = {"host": "%s.%s.svc.%s" % (service, ns, self.domain), "exportTo": ["."]}
            if item["policy"]:
                spec["trafficPolicy"] = copy.deepcopy(item["policy"])
            if item["ports"]:
                spec.setdefault("trafficPolicy", {})["portLevelSettings"] = [
                    dict({"port": {"number": port}}, **copy.deepcopy(settings))
                    for port, settings in sorted(item["ports"].items())
                ]
            out.append(
                {
                    "apiVersion": DR_API,
                    "kind": "DestinationRule",
                    "metadata": {
                        "name": dr_name(ns, service),
                        "namespace": self.gateway["namespace"],
                        "labels": dict(MANAGED_LABEL),
                        "annotations": {MIGRATED_FROM: ",".join(sorted(item["from"]))},
                    },
                    "spec": spec,
                }
            )
        out.extend(self.authz[k] for k in sorted(self.authz))
        return out


def dr_name(ns, service):
    return safe_name("meshgate", ns, service)


def _merge(dst, src):
    for key, val in src.items():
        if isinstance(val, dict) and isinstance(dst.get(key), dict):
            _merge(dst[key], val)
        else:
            dst[key] = copy.deepcopy(val)


def operation_paths(entries):
    """AuthorizationPolicy paths for the Ingress's path matches (prefixes as p*)."""
    out = set()
    for e in entries:
        match = e["match"]
        value = match["value"]
        if match["type"] == "Exact":
            out.add(value)
        elif match["type"] == "PathPrefix":
            base = value.rstrip("/")
            out.update([base or "/", base + "/*"] if base else ["/*"])
        else:
            out.add(e["path"].rstrip("$") + "*")
    return sorted(out)
