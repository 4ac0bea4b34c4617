# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""How each load balancer sends each route's requests: the hops a data-path check walks.

Vendor behaviour, derived from what detection already read through each vendor's declared
switches (vendors/): a route whose Service-routing switch is on is sent to the Service's
cluster IP and port, otherwise to a pod IP on the target port; a route with a Host rewrite
carries the backend Service's name as Host, otherwise the client's Host (the route's first
host). Whether the request goes through Istio's proxy is the LB's sidecar state. A backend
that is an Istio gateway ends the LB's hop there (dials "gateway"); the gateway's own hops
(gateway_hops) start from each VirtualService bound to an Istio Gateway, with the route's
external Host. Where the request then lands, and whether it is mTLS, is not decided here:
Istio's own config generation decides it (tests/dataplane, docs/dataplane.md).
"""

from __future__ import annotations

from typing import List, Optional, TypedDict

# The Host a client sends to a route that names no host of its own (any Host matches it).
ANY_HOST = "client.example.com"


class HopTarget(TypedDict):
    namespace: str
    service: str
    port: object  # the Service port, number or name, as the route says
    target_port: Optional[int]
    fqdn: str


class Hop(TypedDict):
    # the caller: the load balancer's id (Kind/namespace/name of the workload whose pods
    # send), or for an Istio gateway's hop Gateway/<namespace>/<name> of the Istio Gateway
    lb: str
    route: str
    proxy: str  # sidecar | none | ambient | router (an Istio gateway)
    # service (its cluster IP and port) | pod (an endpoint's IP and target port) | gateway (an
    # Istio gateway's Service: the hop ends there) | listener (the gateway's own listener)
    dials: str
    host: str
    host_source: str  # route (the client's Host) | rewrite (the backend Service's name)
    backend: HopTarget


def _target(b) -> HopTarget:
    """The hop's destination: one backend of lb_info's route record."""
    return HopTarget(
        namespace=b["namespace"],
        service=b["service"],
        port=b.get("port"),
        target_port=b.get("target_port"),
        fqdn=b["fqdn"],
    )


def _caller_proxy(lb) -> str:
    sidecar = lb.get("sidecar") or {}
    if sidecar.get("ambient"):
        return "ambient"
    if sidecar.get("injection") == "enabled" and sidecar.get("injected") is not False:
        return "sidecar"
    return "none"


def _client_host(route) -> str:
    for host in route.get("hosts") or ():
        if host and "*" not in host:
            return host
    return ANY_HOST


def route_hops(lb, route) -> List[Hop]:
    """One hop per backend of one route served by one in-cluster load balancer."""
    hops = []
    for b in route.get("backends") or ():
        if not b.get("found"):
            continue  # no Service in the input: nothing to reach
        rewrite = bool(route.get("host_rewrite"))
        if b.get("istio_gateway"):
            dials = "gateway"
        else:
            dials = "service" if route.get("service_routing") else "pod"
        hops.append(
            Hop(
                lb=lb["id"],
                route=route["id"],
                proxy=_caller_proxy(lb),
                dials=dials,
                host=b["fqdn"] if rewrite else _client_host(route),
                host_source="rewrite" if rewrite else "route",
                backend=_target(b),
            )
        )
    return hops


def data_path_hops(facts) -> List[Hop]:
    """Every hop of every in-cluster load balancer in lb_info's full answer (detail: full)."""
    routes = {r["id"]: r for r in facts.get("routes") or ()}
    hops: List[Hop] = []
    for lb in facts.get("load_balancers") or ():
        if lb.get("role") not in ("data-plane", "all-in-one"):
            continue  # cloud LBs are not pods; a control plane carries no requests
        for route_id in lb.get("routes") or ():
            if route_id in routes:
                hops += route_hops(lb, routes[route_id])
    return hops


def gateway_hops(facts) -> List[Hop]:
    """Every hop from an Istio gateway: each route Istio's gateways serve (a VirtualService
    bound to Istio Gateways, an HTTPRoute of an Istio-class Gateway), to each of its backends,
    with the route's external Host (the gateway pods are those the Gateway selects or Istio
    deploys for it; tests/dataplane/resolve.py finds them in the objects)."""
    hops: List[Hop] = []
    for route in facts.get("routes") or ():
        if route.get("vendor") != "istio" or route.get("kind") == "Gateway":
            continue
        if not route.get("parents"):
            continue
        for parent in route["parents"]:
            if "/" not in parent:
                parent = "%s/%s" % (route["namespace"], parent)  # a Gateway of its namespace
            for b in route.get("backends") or ():
                if not b.get("found"):
                    continue
                hops.append(
                    Hop(
                        lb="Gateway/%s" % parent,
                        route=route["id"],
                        proxy="router",
                        dials="listener",
                        host=_client_host(route),
                        host_source="route",
                        backend=_target(b),
                    )
                )
    return hops
