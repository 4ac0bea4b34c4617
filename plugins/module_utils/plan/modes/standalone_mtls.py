# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mode standalone_mtls (B): sidecar in the load balancer pods, inbound capture off, the app held
until the proxy is ready; Service routing per vendor (switches.py); mesh routes for the hosts
that Service routing leaves naming no Service (mesh_routes.py)."""

from __future__ import annotations

import ipaddress

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import lbs, routes_of
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    merge_proxy_config,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.mesh_routes import (
    mesh_route_patches,
    wanted_mesh_routes,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.pod_template import (
    pod_template_patch,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import LB_DOC
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.switches import (
    service_routing_patches,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry

# Outbound IP ranges the sidecar leaves alone (where exclude_api_server puts the API server's).
_EXCLUDE_OUTBOUND = "traffic.sidecar.istio.io/excludeOutboundIPRanges"
# The pod annotation that overrides istiod's ENABLE_NATIVE_SIDECARS (injection-template.yaml).
_NATIVE_ANNOTATION = "sidecar.istio.io/nativeSidecar"


def _revision(b):
    facts, opts = b.facts, b.opts
    istio = facts.get("istio") or {}
    revisions = list(istio.get("revisions") or []) + list(istio.get("tags") or [])
    rev = opts["revision"]
    if rev:
        if rev not in revisions:
            raise PlanError(
                "revision %r is not installed in this cluster (found: %s); pass one of them as "
                "revision, or install that revision" % (rev, ", ".join(revisions) or "none")
            )
        return rev
    if "default" in revisions or not revisions:
        return "default"
    if len(revisions) == 1:
        return revisions[0]
    raise PlanError(
        "several Istio revisions are installed (%s) and none is 'default'; choose one with revision"
        % ", ".join(sorted(revisions))
    )


def plan_standalone_mtls(b):
    facts, opts = b.facts, b.opts
    istio = facts.get("istio") or {}
    if not istio.get("installed"):
        raise PlanError(
            "Istio is not installed in this cluster (no istiod or injector found): standalone_mtls needs the sidecar injector"
        )
    rev = _revision(b)
    routing = b.phase(
        "service-routing",
        "Make the load balancers send to Service VIPs (or the Service host) instead of pod IPs",
    )
    mesh = b.phase(
        "mesh-routes",
        "VirtualServices bound to the mesh, seen only by the load balancers' namespaces, so their "
        "sidecars route the client's Host to the backend Service with mTLS",
    )
    sidecar = b.phase(
        "sidecar",
        "Sidecar in the load balancer pods, inbound capture off, app held until the proxy is ready",
    )
    api_ips = _api_server_ips(facts)
    wanted = {}
    rolled = set()
    for lb in lbs(b):
        entry = registry.VENDORS_BY_ID[lb["vendor"]]
        routes = [r for r in routes_of(facts, lb, opts) if r["kind"] != "Gateway"]
        if _refused(b, lb, entry, routes):
            continue
        sent = service_routing_patches(b, lb, entry, routes, routing)
        wanted_mesh_routes(b, lb, routes, sent, wanted)
        if _sidecar_patch(b, lb, entry, rev, api_ips, sidecar):
            rolled.add(lb["id"])
    mesh_route_patches(b, wanted, mesh)
    # The LB workloads that roll (their own pod template, or the object their controller makes
    # it from, an EnvoyProxy, which may sit in an earlier phase: the wait stays here).
    wait_targets = sorted(rolled)
    wait = [{"for": "rollout", "targets": wait_targets, "timeout": 600}] if wait_targets else []
    if sidecar["patches"] or not routing["patches"]:
        sidecar["wait"] = wait
    else:  # every sidecar change merged into a Service-routing object (an EnvoyProxy)
        routing["wait"] = list(routing.get("wait") or []) + wait


def _refused(b, lb, entry, routes):
    """Refuses (and says why) an LB the recipe cannot reach: hostNetwork pods, a namespace with
    injection disabled, a vendor with neither a Service-routing switch nor a Host rewrite."""
    istio = b.facts.get("istio") or {}
    plan_spec = entry.get("plan") or {}
    if lb.get("host_network"):
        b.refuse(
            lb,
            "host-network",
            "%s runs with hostNetwork: true and Istio never injects such pods" % lb["id"],
            "use mode chained (LB -> Istio ingress gateway) or standalone",
        )
        return True
    ns_info = (istio.get("namespaces") or {}).get(lb["namespace"], {})
    if ns_info.get("injection") == "disabled":
        b.refuse(
            lb,
            "injection-disabled",
            "namespace %s has istio-injection=disabled, which a pod label cannot override"
            % lb["namespace"],
            "remove the namespace label, or use mode chained",
        )
        return True
    if (
        not plan_spec.get("switch")
        and not plan_spec.get("host_rewrite")
        and not plan_spec.get("default_service_routing")
        and routes
    ):
        b.refuse(
            lb,
            "no-service-routing",
            "%s has no Service-routing switch and no Host-header rewrite we can set" % lb["vendor"],
            "use mode chained",
        )
        return True
    return False


def _api_server_ips(facts):
    """The kubernetes Service's cluster IPs: every family on a dual-stack cluster (facts from
    before api_server_ips carry only api_server_ip)."""
    cluster = facts.get("cluster_facts") or {}
    if cluster.get("api_server_ips") is not None:
        return list(cluster["api_server_ips"])
    return [cluster["api_server_ip"]] if cluster.get("api_server_ip") else []


def _sidecar_patch(b, lb, entry, rev, api_ips, phase):
    """The LB pods' sidecar, from revision rev, with inbound capture off and the app held until
    the proxy is ready (and, with exclude_api_server, api_ips kept out of Envoy); only what the
    pod template does not say already. Returns whether the LB's pods will roll."""
    current = lb.get("pod_template") or {"labels": {}, "annotations": {}}
    ns_info = ((b.facts.get("istio") or {}).get("namespaces") or {}).get(lb["namespace"], {})
    _warn_namespace_revision(b, lb, ns_info, rev)
    labels = _injection_labels(current["labels"], rev)
    kind = _sidecar_kind(b, lb, rev)
    annotations = _capture_annotations(current["annotations"], kind == "native")
    if kind == "native":
        b.warn(
            "%s gets a native sidecar (istio-proxy an init container with restartPolicy: "
            "Always, started before the LB): holdApplicationUntilProxyStarts left out, Istio's "
            "injection template ignores it there" % lb["id"]
        )
    if b.opts["exclude_api_server"] and api_ips:
        annotations.update(_api_server_excluded(current["annotations"], api_ips))
    if not labels and not annotations:
        return False
    pod_template_patch(
        b, phase, lb, entry, labels, annotations, _sidecar_reason(lb, rev, annotations), LB_DOC
    )
    if kind != "native":  # a native sidecar ends with the Job's containers
        _warn_helper_jobs(b, lb, entry, ns_info)
    return True


def _warn_namespace_revision(b, lb, ns_info, rev):
    ns_rev = "default" if ns_info.get("injection") == "enabled" else ns_info.get("revision")
    if ns_rev and ns_rev != rev:
        # The namespace label picks the injecting webhook; a pod label cannot change it.
        b.warn(
            "namespace %s is labelled for revision %s, which injects %s whatever its pod labels say; "
            "relabel the namespace to use revision %s" % (lb["namespace"], ns_rev, lb["id"], rev)
        )


def _injection_labels(current, rev):
    """The pod labels that have revision rev inject the sidecar, those not set already."""
    labels = {}
    if rev == "default" or current.get("sidecar.istio.io/inject") == "false":
        # Also overrides an explicit opt-out, which would stop any revision from injecting.
        if current.get("sidecar.istio.io/inject") != "true":
            labels["sidecar.istio.io/inject"] = "true"
    if rev != "default" and current.get("istio.io/rev") != rev:
        labels["istio.io/rev"] = rev
    return labels


def _capture_annotations(current, native):
    """Inbound capture off and, for a classic sidecar, the app held until the proxy is ready,
    unless already so. A native sidecar starts before the app anyway, and Istio's injection
    template ignores holdApplicationUntilProxyStarts for it: the plan leaves it out."""
    annotations = {}
    if current.get("traffic.sidecar.istio.io/includeInboundPorts") != "":
        annotations["traffic.sidecar.istio.io/includeInboundPorts"] = ""
    if native:
        return annotations
    proxy_config, changed = merge_proxy_config(
        current.get("proxy.istio.io/config"),
        {"holdApplicationUntilProxyStarts": True},
    )
    if changed:
        annotations["proxy.istio.io/config"] = proxy_config
    return annotations


def _sidecar_kind(b, lb, rev):
    """native / classic / unknown: the sidecar revision rev's injector gives the LB's pods - what
    lb_info found for them (running pods first), or, when the plan picks another revision than
    theirs, that revision's answer and the pod annotation that overrides it."""
    sidecar = lb.get("sidecar") or {}
    native = (b.facts.get("istio") or {}).get("native_sidecars") or {}
    decision = (native.get("revisions") or {}).get(rev)
    if sidecar.get("revision") in (None, rev) or not decision:
        return sidecar.get("kind") or "unknown"  # facts of an older lb_info: unknown
    override = ((lb.get("pod_template") or {}).get("annotations") or {}).get(_NATIVE_ANNOTATION)
    if override:
        return "classic" if override == "false" else "native"
    return decision.get("kind") or "unknown"


def _api_server_excluded(current, api_ips):
    """The outbound ranges Envoy leaves alone, the user's kept in their order, with a host CIDR
    (/32 for IPv4, /128 for IPv6: the annotation takes CIDRs) for each API server IP that no
    range covers yet."""
    ranges = [r.strip() for r in current.get(_EXCLUDE_OUTBOUND, "").split(",") if r.strip()]
    missing = [
        _host_cidr(ip) for ip in dict.fromkeys(api_ips) if not any(_covers(r, ip) for r in ranges)
    ]
    if not missing:
        return {}
    return {_EXCLUDE_OUTBOUND: ",".join(ranges + missing)}


def _host_cidr(ip):
    address = ipaddress.ip_address(ip)
    return "%s/%d" % (address, address.max_prefixlen)


def _covers(cidr, ip):
    """Whether a range of the annotation already holds ip ("*" excludes every address; a value
    that is no CIDR covers nothing, and istio-iptables will report it)."""
    if cidr == "*":
        return True
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def _sidecar_reason(lb, rev, annotations):
    held = "proxy.istio.io/config" in annotations
    return (
        "Istio recipe for %s: sidecar (%s), inbound capture off so the client IP survives and the API "
        "server still reaches its webhooks, app started after the proxy%s%s"
        % (
            lb["id"],
            "revision %s" % rev,
            "" if held else " (a native sidecar, or already held)",
            (", API server traffic kept out of Envoy" if _EXCLUDE_OUTBOUND in annotations else ""),
        )
    )


def _warn_helper_jobs(b, lb, entry, ns_info):
    """In a namespace labelled for injection, the chart's helper Jobs would never finish."""
    helm = (entry.get("plan") or {}).get("helm") or {}
    if ns_info.get("injection") == "enabled" and helm.get("job_labels"):
        b.warn(
            "namespace %s is labelled for injection: install helper Jobs get a sidecar and never finish; "
            'set %s: {sidecar.istio.io/inject: "false"} in the %s chart values'
            % (lb["namespace"], helm["job_labels"], helm.get("chart") or lb["vendor"])
        )
