# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The Istio policies a migration writes: one DestinationRule per backend Service (TLS to the
backend, HTTP/2 for gRPC, connect timeout, consistent hash) and AuthorizationPolicies on the
gateway (source ranges, external authorization)."""

from __future__ import annotations

import copy

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    MANAGED_LABEL,
    dns_name,
)

DR_API = "networking.istio.io/v1"
AP_API = "security.istio.io/v1"
MIGRATED_FROM = "meshgate.io/migrated-from"


class Policies:
    """DestinationRule settings per (namespace, Service) and AuthorizationPolicies, merged."""

    def __init__(self, cluster_domain="cluster.local"):
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

    def authorization(self, gateway, ingress_id, kind, action, rules, provider=None):
        """An AuthorizationPolicy on the gateway (targetRefs) for one Ingress."""
        name = dns_name("meshgate", ingress_id.replace("/", "-"), kind)
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
            spec = {"host": "%s.%s.svc.%s" % (service, ns, self.domain)}
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
                        "name": dr_name(service),
                        "namespace": ns,
                        "labels": dict(MANAGED_LABEL),
                        "annotations": {MIGRATED_FROM: ",".join(sorted(item["from"]))},
                    },
                    "spec": spec,
                }
            )
        out.extend(self.authz[k] for k in sorted(self.authz))
        return out


def dr_name(service):
    return dns_name("meshgate", service)


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
