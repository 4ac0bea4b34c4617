# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mesh routes (standalone_mtls): a VirtualService per external host, bound to the mesh and
exported only to the load balancer's namespace, so the LB's sidecar routes a request that
keeps the client's Host to the backend Service's cluster, with Istio mTLS.

Why: a sidecar routes outbound HTTP by port and Host header. Service routing alone sends the
client's Host (shop.example.com), which names no Service, so the sidecar's catch-all sends it
on PassthroughCluster in plain text and a STRICT backend rejects it (Istio's own simulator:
tests/dataplane/test_oracle_cases.py test_client_host_to_the_cluster_ip_falls_through_to_plain_text;
finding MG0020). A VirtualService for that host bound to `mesh` in the LB's namespace with
`exportTo: ["."]` fixes it for every vendor, without rewriting the Host the application sees,
and no other workload of the mesh sees it
(test_a_mesh_route_in_the_load_balancer_namespace_keeps_the_client_host_and_gets_mtls).
Chosen over a per-vendor Host rewrite because it needs no vendor feature and works for routes
that send to several Services, as long as they listen on different Service ports: one host
and port can lead to one Service only (the sidecar sees nothing else of the LB's choice), so
two Services behind one host on the same port are reported, not guessed.
"""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.mesh_routes import (
    host_covered,
    mesh_route_name,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import api
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    MANAGED_LABEL,
    meta,
    patch_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import LB_DOC


def wanted_mesh_routes(b, lb, routes, sent, wanted):
    """Adds to wanted {(LB namespace, host): {Service port: {FQDN: route ids}}} what each route
    the plan leaves on the Service VIP with the client's Host needs (sent: switches.py SENT);
    warns about routes no mesh route can fix."""
    for r in routes:
        how = sent.get(r["id"])
        if how == "pod-rewrite":
            _warn_target_port(b, lb, r)
        if how != "service":
            continue
        found = [x for x in r.get("backends") or () if x.get("found") and x.get("service_port")]
        hosts = [h for h in r.get("hosts") or () if h and "*" not in h]
        if found and not hosts:
            b.warn(
                "%s names no host (or only wildcards): the client's Host reaches %s's sidecar, "
                "which routes by Host and sends a Host naming no Service in plain text (MG0020); "
                "give the route its hosts, or use mode chained" % (r["id"], lb["id"])
            )
        for host in hosts:
            if host_covered(lb.get("mesh_routes") or (), host):
                continue  # a VirtualService of the user's already routes it for this namespace
            ports = wanted.setdefault((lb["namespace"], host), {})
            for x in found:
                ports.setdefault(x["service_port"], {}).setdefault(x["fqdn"], []).append(r["id"])


def _warn_target_port(b, lb, r):
    for x in r.get("backends") or ():
        port, target = x.get("service_port"), x.get("target_port")
        if x.get("found") and port and target and port != target:
            b.warn(
                "%s: %s dials the pods of %s/%s on target port %s with the Host rewritten, but the "
                "Service port is %s, so the sidecar has no route for that Host there and sends it in "
                "plain text (MG0021); make the Service port equal the target port, or use mode "
                "chained" % (r["id"], lb["vendor"], x["namespace"], x["service"], target, port)
            )


def mesh_route_patches(b, wanted, phase):
    """One VirtualService per (LB namespace, host) in wanted (wanted_mesh_routes), unless ours
    is there already with the same routes."""
    version = api(b.facts, "networking.istio.io", "VirtualService", "v1")
    existing = {}
    for lb in b.facts.get("load_balancers") or ():
        for host, http in (lb.get("meshgate_routes") or {}).items():
            existing[(lb.get("namespace"), host)] = http
    for (namespace, host), ports in sorted(wanted.items()):
        http = []
        for port, fqdns in sorted(ports.items()):
            if len(fqdns) > 1:
                b.warn(
                    "host %s port %s leads to %d Services (%s) in routes served from namespace %s: "
                    "the sidecar cannot tell them apart by Host and port, so no mesh route is "
                    "planned for them; give each Service its own host or port, or use mode chained"
                    % (
                        host,
                        port,
                        len(fqdns),
                        ", ".join(sorted(fqdns)),
                        namespace,
                    )
                )
                continue
            (fqdn,) = fqdns
            http.append(
                {
                    "name": "port-%s" % port,
                    "match": [{"port": port}],
                    "route": [{"destination": {"host": fqdn, "port": {"number": port}}}],
                }
            )
        if http and existing.get((namespace, host)) != http:
            _virtual_service(b, phase, version, namespace, host, http)


def _virtual_service(b, phase, version, namespace, host, http):
    target = patch_target(version, "VirtualService", mesh_route_name(host), namespace)
    b.patch(
        phase,
        target,
        {
            "apiVersion": version,
            "kind": "VirtualService",
            "metadata": meta(target, labels=MANAGED_LABEL),
            "spec": {"hosts": [host], "gateways": ["mesh"], "exportTo": ["."], "http": http},
        },
        "the sidecars of namespace %s route Host %s to %s with Istio mTLS (a Host naming no "
        "Service would leave in plain text: MG0020)"
        % (namespace, host, ", ".join(r["route"][0]["destination"]["host"] for r in http)),
        LB_DOC,
        {
            "restart": False,
            "traffic": "only sidecars in namespace %s see it (exportTo: .); the Host the "
            "application sees is unchanged" % namespace,
        },
        {"action": "delete"},
        creates=True,
    )
