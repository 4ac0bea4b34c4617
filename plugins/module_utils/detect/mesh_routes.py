# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Which external hosts a load balancer's sidecar can route by Host: those of VirtualServices
bound to the mesh and exported to the LB's namespace.

A sidecar routes outbound HTTP by port and Host header; a Host that names no Service and no
such VirtualService falls through to PassthroughCluster in plain text (measured with Istio's
own simulator: tests/dataplane/test_oracle_cases.py
test_client_host_to_the_cluster_ip_falls_through_to_plain_text, and the fix
test_a_mesh_route_in_the_load_balancer_namespace_keeps_the_client_host_and_gets_mtls).
"""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    name_of,
    namespace_of,
)

# Names of the VirtualServices plans create (mesh_route_name()).
_OURS = "meshgate-"


def _bound_to_mesh(spec):
    gateways = spec.get("gateways") or ["mesh"]  # no gateways: the mesh only
    return "mesh" in gateways


def _exported_to(vs, spec, namespace):
    export = spec.get("exportTo") or ["*"]  # Istio's default defaultVirtualServiceExportTo
    return "*" in export or namespace in export or ("." in export and namespace_of(vs) == namespace)


def _ours(vs, namespace):
    return namespace_of(vs) == namespace and name_of(vs).startswith(_OURS)


def mesh_routed_hosts(idx, namespace, include_ours=True):
    """Sorted hosts of the mesh-bound VirtualServices a sidecar in namespace sees (memoised);
    include_ours=False leaves out those our plans created."""
    key = ("mesh-routed-hosts", namespace, include_ours)
    if key not in idx._cache:
        hosts = set()
        for vs in idx.kind("networking.istio.io", "VirtualService"):
            spec = vs.get("spec") or {}
            if not _bound_to_mesh(spec) or not _exported_to(vs, spec, namespace):
                continue
            if include_ours or not _ours(vs, namespace):
                hosts.update(h for h in spec.get("hosts") or () if isinstance(h, str))
        idx._cache[key] = sorted(hosts)
    return idx._cache[key]


def our_mesh_routes(idx, namespace):
    """{host: http routes} of the mesh routes our plans made in namespace (a plan that would
    write the same leaves them alone)."""
    out = {}
    for vs in idx.in_namespace("networking.istio.io", "VirtualService", namespace):
        spec = vs.get("spec") or {}
        hosts = spec.get("hosts") or []
        if _ours(vs, namespace) and len(hosts) == 1 and name_of(vs) == mesh_route_name(hosts[0]):
            out[hosts[0]] = spec.get("http") or []
    return out


def host_covered(hosts, host):
    """A VirtualService host list matches host (exact, or a `*.suffix` wildcard)."""
    for h in hosts:
        if h == host or (h.startswith("*.") and host.endswith(h[1:])) or h == "*":
            return True
    return False


def mesh_route_name(host):
    """The name of the VirtualService a plan creates for an external host."""
    return (_OURS + host.lower())[:253].rstrip(".-")
