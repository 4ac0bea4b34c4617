# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The records detection passes between its stages and returns, as typed shapes that document
their keys. They are plain dicts at run time (results cross a process boundary as JSON);
``total=False`` where a key is only there when it applies.
"""

from __future__ import annotations

from typing import List, Optional, TypedDict


class ObjectRef(TypedDict, total=False):
    apiVersion: str
    kind: str
    namespace: str  # absent for cluster-scoped objects
    name: str


class Finding(TypedDict):
    code: str  # MGxxxx, stable, never reused (detect/findings/messages.py)
    name: str
    level: str  # Error | Warning | Info
    object: ObjectRef
    message: str
    fix: str
    reference: str
    args: dict  # the template's named arguments, as formatted


class Backend(TypedDict, total=False):
    """A route backend, linked to its Service by detect/backends.py annotate_backends()."""

    namespace: str
    service: str
    port: object  # number or name, as the route says
    found: bool  # the Service exists in the input
    istio_gateway: bool  # it is an Istio ingress gateway's Service
    via: str  # "ExternalName <host>" when it reaches a gateway that way
    gateway_service: str  # "namespace/name" of the gateway Service that ExternalName leads to
    multi_cluster_service: bool
    headless: bool
    fqdn: str
    selector: Optional[dict]
    in_mesh: bool  # the workloads it selects get a sidecar or are ambient
    service_port: Optional[int]  # the Service port number the route's port means
    waypoint: Optional[
        str
    ]  # the ambient waypoint its traffic must go through (istio.io/use-waypoint)
    target_port: Optional[int]
    mtls_mode: str  # STRICT | PERMISSIVE | DISABLE, effective on target_port
    mtls_policy: str  # the PeerAuthentication that decided it


# One route into the mesh (detect/routes.py route_record()). While detection runs it also carries
# _obj (the object), _key (its place in route order) and, for Gateway API routes, _controllers
# (its classes' controller names) and, once an LB with an install id judged it, _install_ids
# (detect/installs.py). Functional form: "class" is a keyword.
Route = TypedDict(
    "Route",
    {
        "id": str,  # Kind/namespace/name
        "apiVersion": str,
        "kind": str,
        "namespace": Optional[str],
        "name": str,
        "vendor": Optional[str],
        "vendor_inferred": bool,
        "vendor_candidates": List[str],  # when several vendors may serve it
        "vendor_evidence": str,
        "class": Optional[str],  # key "class" (a Python keyword)
        "hosts": List[str],
        "backends": List[Backend],
        "served_by": List[str],  # ids of the load balancers that serve it
        "provider": str,  # served for another vendor's class (vendors' serves_classes_of)
        "parents": List[str],  # Gateway API parents / Istio gateways
        "annotations": dict,  # only the reported ones (vendors/reported.py), values redacted
        "managers": List[str],
        "spec_owners": dict,
        "owner": dict,  # who keeps it and how we know (detect/owners.py)
        "rules": dict,  # Ingress: its rules reduced to what re-pointing needs
        "spec": dict,  # vendor route kinds: the atomic lists a plan sends whole
        "service_routing": Optional[bool],  # set by the LB that serves it
        "host_rewrite": bool,
    },
    total=False,
)


class Sidecar(TypedDict, total=False):
    injection: str  # enabled | disabled | none | impossible | unknown-revision
    injection_source: Optional[str]
    revision: Optional[str]
    injected: Optional[bool]  # every running pod has the proxy (None: no pods observed)
    pods_observed: int
    ambient: bool
    inbound_capture: str  # on | off | n/a
    hold_application_until_proxy_starts: Optional[bool]
    bypass_inbound_capture: bool  # ambient only
    kind: str  # native | classic | unknown: the sidecar the pods run, or would get if injected
    kind_evidence: List[str]


class LoadBalancer(TypedDict, total=False):
    """A detected load balancer: an in-cluster workload (load_balancers.py lb_finish()) or a
    cloud LB (cloud.py cloud_lb_entry()). A summary has route_count / backend_count instead
    of the routes and backends lists."""

    id: str
    vendor: str
    vendor_name: str
    kind: str
    namespace: str
    name: str
    role: str  # data-plane | control-plane | all-in-one | cloud
    ingress_classes: List[str]
    service: Optional[dict]  # its first Service (LoadBalancer first)
    host_network: Optional[bool]
    replicas: Optional[int]
    ready_replicas: Optional[int]
    sidecar: Optional[Sidecar]
    mode: str  # standalone | chained | mixed | unknown
    mtls: bool  # traffic reaches the backends with Istio mTLS
    service_routing: str  # on | off | partial | n/a
    service_routing_switch: Optional[str]
    routes: List[str]
    backends: List[str]
    route_count: int
    backend_count: int
    controllers: List[str]
    editions: List[str]  # vendor editions it runs (entry "editions"), e.g. ["plus"]
    evidence: List[str]
    gitops: Optional[dict]  # who owns it (Helm, Argo CD, Flux)
    owner: dict  # who keeps it and how we know, GitOps or not (detect/owners.py)
    apiVersion: str
    pod_template: dict  # its Istio labels and annotations (what a patch must keep)
    config_map: Optional[dict]  # the controller ConfigMap holding a global switch
    mesh_routes: List[str]  # hosts of mesh-bound VirtualServices its namespace sees, not ours
    meshgate_routes: dict  # {host: http routes} of the mesh routes our plans made there
    health_check: Optional[dict]  # cloud LBs: {ok, actual, where, planned_by}
    # In-cluster LBs: the cloud LBs in front of them ({id, vendor, xff_hops}), and the
    # X-Forwarded-For entries that reach what they send to (theirs and the cloud LBs').
    fronted_by: List[dict]
    xff_hops: int
    xff_passed_on: bool  # it passes on the entries it receives (vendor data "xff")
    annotations: Optional[dict]
