# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Findings message catalog, modelled on istioctl analyze's messages.yaml.

Each message has a stable code (never reused, never renumbered), a name, a level, a
description, a template with named arguments, the fix (also a template) and a reference.
The rules in detect/ produce findings by calling make_finding(code, obj_ref, **args).
"""

from __future__ import annotations

LB_DOC = "https://istio.io/latest/docs/ops/integrations/loadbalancers/"
PA_DOC = "https://istio.io/latest/docs/reference/config/security/peer_authentication/"
TOPO_DOC = "https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/"
ANNO_DOC = "https://istio.io/latest/docs/reference/config/annotations/"
ROUTING_DOC = (
    "https://istio.io/latest/docs/ops/configuration/traffic-management/traffic-routing/#http"
)

MESSAGES = {
    "MG0001": {
        "name": "StrictBackendBehindNonMeshLoadBalancer",
        "level": "Error",
        "description": "A load balancer outside the mesh sends plaintext to backends whose "
        "PeerAuthentication is STRICT: the sidecar resets the connection (502/503).",
        "template": "{lb} ({vendor}) sends plaintext to {backend} port {port}, whose effective "
        "PeerAuthentication is STRICT ({policy}); requests fail with 'connection termination'.",
        "fix": "Run the standalone_mtls mode (sidecar in the LB pods + Service routing), or the "
        "chained mode through the Istio ingress gateway; as a stop-gap, the standalone mode "
        "adds a PERMISSIVE PeerAuthentication for exactly these backend ports.",
        "reference": PA_DOC,
        "oracle": "test_a_load_balancer_without_sidecar_is_rejected_by_strict",
    },
    "MG0002": {
        "name": "LoadBalancerSidecarCapturesInbound",
        "level": "Warning",
        "description": "The LB pods get a sidecar but inbound capture is on: the LB sees "
        "127.0.0.6 instead of the client IP, and its webhook port goes through Envoy.",
        "template": "{lb} ({vendor}) has sidecar injection but its pod template lacks "
        'traffic.sidecar.istio.io/includeInboundPorts: "" (now {value}).',
        "fix": 'Set the pod-template annotation traffic.sidecar.istio.io/includeInboundPorts: "" '
        "(the standalone_mtls plan does this).",
        "reference": LB_DOC,
    },
    "MG0003": {
        "name": "LoadBalancerSidecarWithPodIPRouting",
        "level": "Error",
        "description": "The LB has a sidecar but sends to pod IPs: the sidecar treats that as "
        "passthrough traffic, so it leaves in plaintext without mTLS and STRICT backends reset it.",
        "template": "{lb} ({vendor}) has a sidecar but routes {route} to pod IPs; Service routing "
        "is off ({switch}).",
        "fix": "{fix_switch}",
        "reference": LB_DOC,
        "oracle": "test_pod_ip_routing_is_plain_text_and_rejected",
    },
    "MG0004": {
        "name": "HostNetworkLoadBalancer",
        "level": "Warning",
        "description": "Istio never injects a sidecar into hostNetwork pods, so this LB cannot "
        "speak mTLS to the mesh (standalone_mtls is impossible).",
        "template": "{lb} ({vendor}) runs with hostNetwork: true; it cannot get a sidecar.",
        "fix": "Use the chained mode (LB -> Istio ingress gateway), or the standalone mode with "
        "PERMISSIVE PeerAuthentication on the backend ports it reaches.",
        "reference": "https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/",
    },
    "MG0005": {
        "name": "IstioAnnotationOnWorkloadNotPodTemplate",
        "level": "Warning",
        "description": "Istio sidecar annotations only work on Pods; on the Deployment/DaemonSet "
        "metadata they are ignored (istioctl IST0107 MisplacedAnnotation).",
        "template": "{workload} carries {annotations} on its own metadata instead of "
        "spec.template.metadata.",
        "fix": "Move them to spec.template.metadata.annotations (Helm: podAnnotations, not annotations).",
        "reference": ANNO_DOC,
        "istioctl": "IST0107",
    },
    "MG0006": {
        "name": "CloudLoadBalancerHealthCheckNotOnGatewayStatusPort",
        "level": "Error",
        "description": "A cloud LB fronting the Istio ingress gateway must health-check the "
        "gateway status port 15021 path /healthz/ready; the traffic ports answer 404 until a "
        "route exists, so backends go unhealthy.",
        "template": "{lb} ({vendor}) fronts Istio gateway Service {service} but its health check "
        "is {actual} (expected port 15021, path /healthz/ready; set via {where}).",
        "fix": "Point the health check at port 15021 path /healthz/ready ({where}); {planned_by}.",
        "reference": "https://istio.io/latest/docs/ops/integrations/loadbalancers/",
    },
    "MG0007": {
        "name": "LoadBalancerHelperJobWouldGetSidecar",
        "level": "Warning",
        "description": "Install helper Jobs (admission certificate generators) in a namespace with "
        "sidecar injection get a sidecar and never complete - with a classic sidecar (Istio <= "
        "1.26, or ENABLE_NATIVE_SIDECARS off, or its auto mode with a kubelet older than 1.33). "
        "A native sidecar is stopped when the Job's containers end, so the Job finishes. A "
        "sidecar kind that cannot be told is treated as classic; the message says what decided it.",
        "template": "Job {job} ({vendor} helper) runs in namespace {namespace} where injection is "
        '{injection} and has no sidecar.istio.io/inject: "false"; it gets a {kind} sidecar ({why}).',
        "fix": 'Add the pod label sidecar.istio.io/inject: "false" to the Job template (Helm '
        "ingress-nginx: controller.admissionWebhooks.patch.labels), or use native sidecars.",
        "reference": "https://github.com/kubernetes/ingress-nginx/issues/6394",
    },
    "MG0008": {
        "name": "RetiredIngressController",
        "level": "Warning",
        "description": "The ingress controller project is retired and gets no security fixes.",
        "template": "{lb} runs {vendor}: {retired}",
        "fix": "Plan a migration, e.g. to the Istio ingress gateway (chained mode first, then "
        "Gateway API routes).",
        "reference": "https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/",
    },
    "MG0009": {
        "name": "EmissaryEndpointResolver",
        "level": "Warning",
        "description": "An endpoint resolver makes Emissary send to pod IPs, which undoes the "
        "Service routing the sidecar needs.",
        "template": "{route} uses resolver {resolver}, which resolves endpoints (pod IPs).",
        "fix": "Remove the resolver (Emissary's default KubernetesServiceResolver routes to Services).",
        "reference": "https://www.getambassador.io/docs/emissary/latest/topics/running/resolvers",
    },
    "MG0010": {
        "name": "MeshWideIstioMutualDestinationRule",
        "level": "Warning",
        "description": "A catch-all DestinationRule forcing ISTIO_MUTUAL also applies to the LB's "
        "calls to the API server and other non-mesh endpoints, which then fail.",
        "template": "DestinationRule {dr} sets ISTIO_MUTUAL for host {host}.",
        "fix": "Scope the DestinationRule to mesh hosts, or rely on auto mTLS (no DestinationRule).",
        "reference": "https://github.com/istio/istio/issues/23848",
    },
    "MG0011": {
        "name": "LoadBalancerSidecarWithoutHoldApplication",
        "level": "Info",
        "description": "An LB that talks to the API server at start-up can crash-loop if it "
        "starts before its sidecar is ready. Only for classic sidecars (Istio <= 1.26, or "
        "ENABLE_NATIVE_SIDECARS off, or its auto mode with a kubelet older than 1.33): a native "
        "sidecar starts before the app anyway and the injector ignores the setting. A sidecar "
        "kind that cannot be told is treated as classic; the message says what decided it.",
        "template": "{lb} ({vendor}) has a {kind} sidecar ({why}) without "
        "holdApplicationUntilProxyStarts.",
        "fix": "Set proxy.istio.io/config: '{{\"holdApplicationUntilProxyStarts\": true}}' on the "
        "pod template (the standalone_mtls plan does this), or use native sidecars "
        "(ENABLE_NATIVE_SIDECARS on istiod, Kubernetes >= 1.33).",
        "reference": ANNO_DOC,
    },
    "MG0012": {
        "name": "AmbiguousIngressClass",
        "level": "Warning",
        "description": "The class name is used by several vendors and nothing tells which one "
        "serves this route.",
        "template": "{route} uses class {klass}, claimed by {candidates}; no IngressClass or "
        "vendor annotation decides.",
        "fix": "Create the IngressClass (its spec.controller names the vendor) or include it in "
        "the snapshot.",
        "reference": "https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class",
    },
    "MG0013": {
        "name": "GatewayWithoutTrustedProxies",
        "level": "Info",
        "description": "Behind a load balancer the Istio gateway sees the LB as the client unless "
        "numTrustedProxies tells it how many proxies' X-Forwarded-For entries to trust.",
        "template": "Istio gateway {gateway} is behind {lb} ({vendor}) but numTrustedProxies is "
        "not set; backends see the LB's address as the client IP.",
        "fix": 'Set proxy.istio.io/config: \'{{"gatewayTopology": {{"numTrustedProxies": {n}}}}}\' '
        "on the gateway pod template (the chained plans do this).",
        "reference": TOPO_DOC,
    },
    "MG0014": {
        "name": "ServiceRoutingToHeadlessService",
        "level": "Warning",
        "description": "A headless Service has no ClusterIP, so Service routing cannot send to "
        "it; what the load balancer does instead depends on the vendor (ingress-nginx falls back "
        "to pod IPs, Traefik rejects the backend).",
        "template": "{route} sends to headless Service {backend}; Service routing cannot apply: "
        "{vendor} {behaviour}.",
        "fix": "Give the Service a ClusterIP, or use the Host-header rewrite or the chained mode.",
        "reference": ROUTING_DOC,
    },
    "MG0015": {
        "name": "LoadBalancerHasNoReplicas",
        "level": "Warning",
        "description": "The LB workload has no ready replicas (scaled to zero, or the cluster "
        "reports none of its pods ready); nothing is serving.",
        "template": "{lb} ({vendor}) has {replicas} replicas ({ready} ready).",
        "fix": "Scale it up or check why its pods do not start (kubectl describe pods) before "
        "changing routing; lb_apply's rollout wait would time out on it.",
        "reference": LB_DOC,
    },
    "MG0016": {
        "name": "LoadBalancerSidecarNotInjectedYet",
        "level": "Warning",
        "description": "Injection is enabled for the LB but its running pods have no istio-proxy: "
        "they were created before injection was enabled (istioctl IST0103).",
        "template": "{lb} ({vendor}) should have a sidecar but {pods} of its pods have none.",
        "fix": "Restart the LB workload (kubectl rollout restart) so new pods get the sidecar.",
        "reference": "https://istio.io/latest/docs/reference/config/analysis/ist0103/",
        "istioctl": "IST0103",
    },
    "MG0017": {
        "name": "AmbientLoadBalancerCapturesInbound",
        "level": "Warning",
        "description": "An LB enrolled in ambient should bypass inbound capture so clients reach "
        "it directly and their IPs survive.",
        "template": "{lb} ({vendor}) is enrolled in ambient without "
        'ambient.istio.io/bypass-inbound-capture: "true".',
        "fix": 'Set the pod-template annotation ambient.istio.io/bypass-inbound-capture: "true".',
        "reference": ANNO_DOC,
    },
    "MG0018": {
        "name": "IstioNotInstalled",
        "level": "Info",
        "description": "No Istio control plane was found; mesh modes cannot be planned.",
        "template": "No istiod Deployment, sidecar injector webhook or ztunnel was found{scope}.",
        "fix": "Install Istio first (istioctl install or the Helm charts), or point at the right cluster.",
        "reference": "https://istio.io/latest/docs/setup/",
    },
    "MG0020": {
        "name": "ServiceRoutingHostMatchesNoService",
        "level": "Error",
        "description": "The LB's sidecar routes HTTP by port and Host header: a request to a "
        "Service VIP whose Host names no Service and no mesh-bound VirtualService leaves on "
        "PassthroughCluster in plain text, and STRICT backends reject it. Service routing alone "
        "is not enough for HTTP.",
        "template": "{lb} ({vendor}) sends {route} to the VIP of {backend} with the client's Host "
        "{host}, which names no Service and no VirtualService bound to the mesh that namespace "
        "{namespace} sees: the request leaves the sidecar in plain text.",
        "fix": "Run the standalone_mtls mode again: it adds a VirtualService for {host} bound to "
        "the mesh and exported only to namespace {namespace}; or rewrite the Host header to "
        "{fqdn}.",
        "reference": ROUTING_DOC,
        "oracle": "test_client_host_to_the_cluster_ip_falls_through_to_plain_text",
    },
    "MG0021": {
        "name": "HostRewriteToTargetPort",
        "level": "Error",
        "description": "The LB rewrites Host to the Service name but dials the pod on its target "
        "port: the sidecar matches Host against the Services' own ports, so when the Service port "
        "differs from the target port nothing matches and the request leaves in plain text.",
        "template": "{lb} ({vendor}) sends {route} to pods of {backend} on target port "
        "{target_port}, but the Service port is {port}: the Host rewrite to {fqdn} matches no "
        "route of the sidecar on {target_port}.",
        "fix": "Make the Service port equal its target port ({target_port}), or use the chained "
        "mode.",
        "reference": ROUTING_DOC,
        "oracle": "test_a_host_rewrite_to_the_pod_works_only_when_the_service_port_is_the_target_port",
    },
    "MG0019": {
        "name": "RouteVendorUnknown",
        "level": "Info",
        "description": "Nothing tells which controller serves this route.",
        "template": "{route} has no class, no default IngressClass and no vendor annotation.",
        "fix": "Set spec.ingressClassName (or include the IngressClass in the snapshot).",
        "reference": "https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class",
    },
    "MG0022": {
        "name": "LoadBalancerDrainExceedsGracePeriod",
        "level": "Warning",
        "description": "The kubelet counts terminationGracePeriodSeconds (default 30) from the "
        "start of the preStop hooks and kills what still runs when it ends: an LB whose preStop "
        "sleep and drain settings (its vendor's flags, preStop commands and controller ConfigMap "
        "keys, with their defaults; and, with a classic sidecar, Istio's "
        "terminationDrainDuration beside them) take longer is killed while it drains, cutting "
        "in-flight requests. A "
        "native sidecar outlives the LB's containers but not the grace period: it is stopped "
        "in what is left of it.",
        "template": "{lb} ({vendor}) needs {need}s to shut down ({parts}) but its pods' "
        "terminationGracePeriodSeconds is {grace}s.",
        "fix": "Raise terminationGracePeriodSeconds above {need}s on the pod template (Helm: the "
        "chart's terminationGracePeriodSeconds), or shorten the preStop sleep / drain settings.",
        "reference": "https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/",
    },
    "MG0023": {
        "name": "TrustedProxiesTooFew",
        "level": "Warning",
        "description": "The Istio gateway takes the client address numTrustedProxies entries "
        "from the right of X-Forwarded-For: set lower than the entries the proxies in front of it "
        "add (an in-cluster LB 1, Google's Application LB 2, AWS ALB 1, an L4 LB none), it takes "
        "the address of one of those proxies for the client's, in access logs, "
        "X-Envoy-External-Address and authorization policies on remoteIpBlocks.",
        "template": "Istio gateway {gateway} trusts {have} X-Forwarded-For entries ({source}), "
        "but {path} add {n}: backends see a proxy's address as the client IP.",
        "fix": 'Set proxy.istio.io/config: \'{{"gatewayTopology": {{"numTrustedProxies": {n}}}}}\' '
        "on the gateway pod template (the chained plans do this); keep it lower only if a proxy "
        "in front overwrites X-Forwarded-For instead of appending to it.",
        "reference": TOPO_DOC,
    },
}

LEVELS = ("Error", "Warning", "Info")


class _Args(dict):
    """Leaves unknown placeholders visible instead of raising KeyError."""

    def __missing__(self, key):
        return "{" + key + "}"


def make_finding(code, obj, **args):
    """Build one finding from the catalog; obj is an object reference dict."""
    msg = MESSAGES[code]
    fmt = _Args({k: _fmt(v) for k, v in args.items()})
    return {
        "code": code,
        "name": msg["name"],
        "level": msg["level"],
        "object": obj,
        "message": msg["template"].format_map(fmt),
        "fix": msg["fix"].format_map(fmt),
        "reference": msg["reference"],
        "args": {k: _fmt(v) for k, v in args.items()},
    }


def _fmt(value):
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def sort_findings(findings):
    """Deterministic order: level (Error first), code, object."""
    order = {lvl: i for i, lvl in enumerate(LEVELS)}
    return sorted(
        findings,
        key=lambda f: (
            order.get(f["level"], 9),
            f["code"],
            f["object"].get("namespace") or "",
            f["object"].get("kind") or "",
            f["object"].get("name") or "",
            f["message"],
        ),
    )


def catalog_as_list():
    """The catalog as a list (for docs and the lb_findings filter)."""
    return [dict(code=code, **msg) for code, msg in sorted(MESSAGES.items())]
