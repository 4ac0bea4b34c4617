# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""What detection reads and plans write, by (group, kind): the kinds LISTed, their resource
names, the kinds plans patch or create, and the ClusterRole rules both need."""

from __future__ import annotations

from sys import intern

from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry

# (group, kind) read with one paginated LIST each when the API serves them; every vendor's own
# kinds (vendors/: its route kinds and the kinds it marks "read") are read after these.
CORE_KINDS = (
    ("", "Namespace"),
    # Their kubelet versions decide istiod's native-sidecar auto mode (detect/native_sidecars.py).
    ("", "Node"),
    ("", "Service"),
    ("apps", "Deployment"),
    ("apps", "DaemonSet"),
    ("apps", "StatefulSet"),
    ("batch", "Job"),
    ("networking.k8s.io", "Ingress"),
    ("networking.k8s.io", "IngressClass"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("gateway.networking.k8s.io", "GatewayClass"),
    ("gateway.networking.k8s.io", "Gateway"),
    ("gateway.networking.k8s.io", "HTTPRoute"),
    ("gateway.networking.k8s.io", "GRPCRoute"),
    ("gateway.networking.k8s.io", "TLSRoute"),
    ("gateway.networking.k8s.io", "TCPRoute"),
    ("networking.x-k8s.io", "GatewayClass"),
    ("networking.x-k8s.io", "Gateway"),
    ("networking.x-k8s.io", "HTTPRoute"),
    ("networking.istio.io", "Gateway"),
    ("networking.istio.io", "VirtualService"),
    ("networking.istio.io", "DestinationRule"),
    ("security.istio.io", "PeerAuthentication"),
)


def read_kinds():
    """All (group, kind) pairs detection reads: core kinds, the vendors' own read kinds (registry
    order), then every vendor route kind (sorted)."""
    kinds = list(CORE_KINDS)
    own = registry.vendor_kinds()
    for gk, spec in own.items():
        if spec["read"] and gk not in kinds and "%s/%s" % gk not in registry.route_kinds():
            kinds.append(gk)
    for gk in sorted(registry.route_kinds()):
        group, kind = gk.split("/", 1)
        if (group, kind) not in kinds:
            kinds.append((group, kind))
    return kinds


# Resource (plural) names of the kinds read, for the shipped RBAC (rbac_rules()).
_CORE_PLURALS = {
    "Namespace": "namespaces",
    "Node": "nodes",
    "Service": "services",
    "ConfigMap": "configmaps",
    "Pod": "pods",
    "Deployment": "deployments",
    "DaemonSet": "daemonsets",
    "StatefulSet": "statefulsets",
    "Job": "jobs",
    "Ingress": "ingresses",
    "IngressClass": "ingressclasses",
    "MutatingWebhookConfiguration": "mutatingwebhookconfigurations",
    "GatewayClass": "gatewayclasses",
    "Gateway": "gateways",
    "HTTPRoute": "httproutes",
    "GRPCRoute": "grpcroutes",
    "TLSRoute": "tlsroutes",
    "TCPRoute": "tcproutes",
    "VirtualService": "virtualservices",
    "DestinationRule": "destinationrules",
    "PeerAuthentication": "peerauthentications",
    "AuthorizationPolicy": "authorizationpolicies",
    "ReferenceGrant": "referencegrants",
}
# ...and every vendor's own kinds, as its entry declares them.
PLURALS = dict(
    _CORE_PLURALS, **{kind: spec["plural"] for (_g, kind), spec in registry.vendor_kinds().items()}
)


# Kinds a plan may patch, and whether it may also create them (patches with creates=True;
# undo deletes them again). The other kinds are only patched (LB workloads, controller
# ConfigMaps, vendor routes, classes), so the applier role grants create/delete on the created
# ones alone. A unit test runs every mode over every fixture and checks each created kind is
# flagged here (or, for a vendor's kinds, "creates" in its entry).
_PLANNED_KINDS = (
    (("", "Service"), True),
    (("", "ConfigMap"), False),
    (("apps", "Deployment"), False),
    (("apps", "DaemonSet"), False),
    (("apps", "StatefulSet"), False),
    (("networking.k8s.io", "Ingress"), True),
    (("security.istio.io", "PeerAuthentication"), True),
    (("networking.istio.io", "Gateway"), True),
    (("networking.istio.io", "VirtualService"), True),
    (("gateway.networking.k8s.io", "Gateway"), True),
    (("gateway.networking.k8s.io", "GatewayClass"), False),
    (("gateway.networking.k8s.io", "HTTPRoute"), True),
    # Mode migrate: the routes, certificate grants and Istio policies of the translation.
    (("gateway.networking.k8s.io", "GRPCRoute"), True),
    (("gateway.networking.k8s.io", "ReferenceGrant"), True),
    (("networking.istio.io", "DestinationRule"), True),
    (("security.istio.io", "AuthorizationPolicy"), True),
)
_PLANNED_KINDS += tuple(
    (gk, spec["creates"]) for gk, spec in registry.vendor_kinds().items() if spec["patched"]
)


# Kinds a plan may create, patch or (on undo) delete; lb_apply's ClusterRole is built from it.
PATCHED_KINDS = tuple(gk for gk, _creates in _PLANNED_KINDS)


# The kinds a plan may create (and undo may delete).
CREATED_KINDS = tuple(gk for gk, creates in _PLANNED_KINDS if creates)


def rbac_apply_rules():
    """ClusterRole rules lb_apply needs on top of the reader role: patch (server-side apply) on
    every kind plans touch; create (the API server checks it when an apply creates the object)
    and delete (undo) on CREATED_KINDS only; list only where the reader role does not already
    list the kind - the two roles are bound together, and a duplicate grant is not minimal
    (the live RBAC test drops each verb in turn and expects lb_apply to fail)."""
    readable = {
        (group, resource)
        for rule in rbac_rules()
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }
    created = set(CREATED_KINDS)
    by_verbs = {}
    for group, kind in PATCHED_KINDS:
        resource = PLURALS[kind]
        verbs = ["patch"]
        if (group, kind) in created:
            verbs += ["create", "delete"]
        if (group, resource) not in readable:
            verbs.append("list")
        by_verbs.setdefault((group, tuple(sorted(verbs))), set()).add(resource)
    return [
        {"apiGroups": [group], "resources": sorted(resources), "verbs": list(verbs)}
        for (group, verbs), resources in sorted(by_verbs.items())
    ]


def rbac_rules():
    """ClusterRole rules lb_info needs: list (never get, never Secrets) on every kind it reads."""
    groups = {}
    for group, kind in read_kinds() + [("", "ConfigMap"), ("", "Pod")]:
        groups.setdefault(group, set()).add(PLURALS[kind])
    return [
        {"apiGroups": [group], "resources": sorted(resources), "verbs": ["list"]}
        for group, resources in sorted(groups.items())
    ]


# Cluster-scoped kinds detection reads; every other kind is namespaced, and an object without
# metadata.namespace lands in "default" when applied, so offline input is read the same way.
CLUSTER_SCOPED = frozenset(
    (
        ("", "Namespace"),
        ("", "Node"),
        ("networking.k8s.io", "IngressClass"),
        ("gateway.networking.k8s.io", "GatewayClass"),
        ("networking.x-k8s.io", "GatewayClass"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    )
)


def group_of(api_version):
    """API group of an apiVersion string ("apps/v1" -> "apps", "v1" -> "")."""
    if not api_version or "/" not in api_version:
        return ""
    return intern(api_version.split("/", 1)[0])  # a key of every object in the index
