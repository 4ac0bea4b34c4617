# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Istio's own pieces: istiod, injector webhooks, gateways, ztunnel, mesh config,
PeerAuthentications; whether a workload gets a sidecar, and the mTLS mode of a backend port."""

from __future__ import annotations

import json
from sys import intern

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import regex
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.native_sidecars import (
    cluster_decisions,
    injector_values,
    nodes_summary,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.native_sidecars import (
    summary as native_summary,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    containers_of,
    host_network,
    labels_of,
    mapping_or_empty,
    name_of,
    namespace_of,
    selector_matches,
    template_annotations,
    template_labels,
    truthy,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.services import (
    service_summary,
    services_selecting,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import ISTIO
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.signals import (
    labels_match,
    normalise_image,
    singled_out,
)

try:
    import yaml

    HAS_YAML = True
except ImportError:  # pragma: no cover
    yaml = None
    HAS_YAML = False


def parse_proxy_config(text):
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        if not HAS_YAML:
            return {}
        try:
            value = yaml.safe_load(text)
        except Exception:  # noqa: BLE001
            return {}
    return value if isinstance(value, dict) else {}


def _cluster_ips(svc):
    """A Service's cluster IPs, one per family on a dual-stack cluster (spec.clusterIPs; its
    first entry is spec.clusterIP), none for a headless or missing Service."""
    spec = (svc or {}).get("spec") or {}
    ips = list(spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else []))
    return [ip for ip in ips if ip and ip != "None"]


def istio_inventory(idx):
    """Istio's pieces in the index: what detect() reports under ``istio`` (keys starting with
    ``_`` are detection's own and are dropped from the result)."""
    istiods, ztunnels, gateways = _istio_workloads(idx)
    revisions, tags, injector_webhooks = _revisions_and_tags(idx, istiods)
    istio_groups = ("networking.istio.io", "security.istio.io")
    crds = any(g in istio_groups for g, _k in idx.by_kind) or any(
        g in istio_groups for g in idx.api_groups
    )
    control_ns = namespace_of(istiods[0]) if istiods else None
    mesh = mesh_config(idx, control_ns)
    root_ns = mesh.get("rootNamespace") or control_ns or "istio-system"
    namespaces, ambient_ns = _mesh_namespaces(idx)
    pas, mesh_mode = _peer_authentications(idx, root_ns, namespaces)
    installed = bool(istiods or injector_webhooks or ztunnels)
    api_svc = idx.get("", "Service", "default", "kubernetes")
    default_config = mapping_or_empty(mesh.get("defaultConfig"))
    return {
        "_api_server_ips": _cluster_ips(api_svc),
        "_gateway_pods": [(namespace_of(w), template_labels(w)) for w in gateways],
        "installed": installed,
        "crds_present": crds,
        "control_plane_namespace": control_ns,
        "root_namespace": root_ns,
        "istiod": ["%s/%s" % (namespace_of(w), name_of(w)) for w in istiods],
        "revisions": sorted(revisions) if installed else [],
        "tags": sorted(tags),
        "namespaces": namespaces,
        "peer_authentications": pas,
        "mesh_mtls_mode": mesh_mode,
        "mesh_config": {
            "hold_application_until_proxy_starts": bool(
                default_config.get("holdApplicationUntilProxyStarts")
            ),
            "num_trusted_proxies": (mapping_or_empty(default_config.get("gatewayTopology"))).get(
                "numTrustedProxies"
            ),
            "termination_drain_duration": default_config.get("terminationDrainDuration"),
        },
        "native_sidecars": _native_sidecars(idx, istiods),
        "gateways": _gateways(idx, gateways, mesh),
        "ambient": {
            "enabled": bool(ztunnels),
            "ztunnel": ["%s/%s" % (namespace_of(w), name_of(w)) for w in ztunnels],
            "namespaces": sorted(ambient_ns),
        },
    }


def _native_sidecars(idx, istiods):
    """Whether the injector gives pods native sidecars (detect/native_sidecars.py)."""
    nodes = idx.kind("", "Node")
    # Live, the Nodes are LISTed (none at all is an answer); offline, only Nodes in the input.
    nodes_read = ("", "Node") in idx.served or bool(nodes)
    configmaps = {
        (namespace_of(cm), name_of(cm)): injector_values((cm.get("data") or {}).get("values"))
        for cm in idx.kind("", "ConfigMap")
        if (name_of(cm) or "").startswith("istio-sidecar-injector")
    }
    node_info = nodes_summary(nodes, nodes_read)
    return native_summary(cluster_decisions(istiods, configmaps, node_info), node_info)


def _istio_workloads(idx):
    """(istiods, ztunnels, gateways): Istio's workloads, by their images and labels."""
    istiods = []
    ztunnels = []
    gateways = []
    for wl in idx.workloads():
        labels = template_labels(wl) or labels_of(wl)
        images = [normalise_image(c.get("image")) for c in containers_of(wl)]
        if any(regex(p).search(i) for p in ISTIO["ztunnel_images"] for i in images):
            ztunnels.append(wl)
            continue
        if any(regex(p).search(i) for p in ISTIO["istiod_images"] for i in images) or any(
            labels_match(w, labels) for w in ISTIO["istiod_labels"]
        ):
            istiods.append(wl)
            continue
        if is_istio_gateway_workload(wl):
            gateways.append(wl)
    return istiods, ztunnels, gateways


def _revisions_and_tags(idx, istiods):
    """(revisions, tags, injector webhooks): from istiod's labels and the injector webhooks."""
    revisions = set()
    tags = set()
    for wl in istiods:
        revisions.add(
            labels_of(wl).get("istio.io/rev")
            or template_labels(wl).get("istio.io/rev")
            or "default"
        )
    injector_webhooks = []
    for hook in idx.kind("admissionregistration.k8s.io", "MutatingWebhookConfiguration"):
        names = [w.get("name") or "" for w in hook.get("webhooks") or ()]
        if any(n.endswith("sidecar-injector.istio.io") for n in names):
            injector_webhooks.append(hook)
            labels = labels_of(hook)
            if labels.get("istio.io/tag"):
                tags.add(labels["istio.io/tag"])
            elif labels.get("istio.io/rev"):
                revisions.add(labels["istio.io/rev"])
    return revisions, tags, injector_webhooks


def _mesh_namespaces(idx):
    """({namespace: its injection, revision, ambient, terminating}, ambient namespaces)."""
    namespaces = {}
    ambient_ns = []
    for ns in idx.kind("", "Namespace"):
        labels = labels_of(ns)
        entry = {}
        if "istio-injection" in labels:
            entry["injection"] = labels["istio-injection"]
        if labels.get("istio.io/rev"):
            entry["revision"] = labels["istio.io/rev"]
        if labels.get("istio.io/dataplane-mode") == "ambient":
            entry["ambient"] = True
            ambient_ns.append(name_of(ns))
        if (ns.get("status") or {}).get("phase") == "Terminating" or (ns.get("metadata") or {}).get(
            "deletionTimestamp"
        ):
            entry["terminating"] = True
        namespaces[name_of(ns)] = entry
    return namespaces, ambient_ns


def _peer_authentications(idx, root_ns, namespaces):
    """(PeerAuthentications in order, the mesh-wide mode); sets each mesh namespace's
    effective namespace-wide mode in ``namespaces``."""
    pas = []
    for pa in idx.kind("security.istio.io", "PeerAuthentication"):
        spec = pa.get("spec") or {}
        selector = (spec.get("selector") or {}).get("matchLabels")
        scope = "workload" if selector else ("mesh" if namespace_of(pa) == root_ns else "namespace")
        pas.append(
            {
                "namespace": namespace_of(pa),
                "name": name_of(pa),
                # Istio applies the oldest of several matching policies at one level.
                "created": (pa.get("metadata") or {}).get("creationTimestamp"),
                "scope": scope,
                "mode": ((spec.get("mtls") or {}).get("mode")) or "UNSET",
                "selector": selector or None,
                "port_level": {
                    str(k): (v or {}).get("mode", "UNSET")
                    for k, v in (spec.get("portLevelMtls") or {}).items()
                },
            }
        )
    pas.sort(key=lambda p: (p["namespace"] or "", p["name"] or ""))
    mesh_pa = [p for p in pas if p["scope"] == "mesh"]
    mesh_mode = mesh_pa[0]["mode"] if mesh_pa and mesh_pa[0]["mode"] != "UNSET" else "PERMISSIVE"
    # Effective namespace-wide mode (workload and port policies are resolved per backend).
    ns_modes = {
        p["namespace"]: p["mode"] for p in pas if p["scope"] == "namespace" and p["mode"] != "UNSET"
    }
    if pas:
        for name, entry in namespaces.items():
            # Only namespaces that matter to the mesh (labelled for it, or with their own policy).
            if entry or name in ns_modes:
                entry["mtls_mode"] = ns_modes.get(name, mesh_mode)
    return pas, mesh_mode


def _gateways(idx, gateways, mesh):
    """Istio's ingress gateways: each gateway workload with its Services, then the gateway
    Services whose workload is not in the objects (partial snapshots)."""
    gw_out = []
    for wl in gateways:
        svcs = services_selecting(idx, wl)
        pc = parse_proxy_config(template_annotations(wl).get("proxy.istio.io/config"))
        ntp = mapping_or_empty(pc.get("gatewayTopology")).get("numTrustedProxies")
        ntp_source = "the pod's proxy.istio.io/config" if ntp else None
        if not ntp:
            ntp = mapping_or_empty(
                mapping_or_empty(mesh.get("defaultConfig")).get("gatewayTopology")
            ).get("numTrustedProxies")
            ntp_source = "the mesh's defaultConfig.gatewayTopology" if ntp else None
        gw_out.append(
            {
                "kind": wl.get("kind"),
                "namespace": namespace_of(wl),
                "name": name_of(wl),
                "labels": {
                    k: v
                    for k, v in template_labels(wl).items()
                    if k in ("app", "istio", "istio.io/rev")
                },
                "num_trusted_proxies": ntp,
                # Where that value comes from (MG0023 names it).
                "num_trusted_proxies_source": ntp_source,
                "apiVersion": wl.get("apiVersion"),
                "proxy_config": template_annotations(wl).get("proxy.istio.io/config"),
                "services": [service_summary(s) for s in svcs],
            }
        )
    seen = {(g["namespace"], s["name"]) for g in gw_out for s in g["services"]}
    for svc in idx.kind("", "Service"):
        if (namespace_of(svc), name_of(svc)) in seen:
            continue
        selector = (svc.get("spec") or {}).get("selector") or {}
        if any(labels_match(w, selector) for w in ISTIO["gateway_labels"]):
            gw_out.append(
                {
                    "kind": None,
                    "namespace": namespace_of(svc),
                    "name": None,
                    "labels": selector,
                    "num_trusted_proxies": None,
                    "num_trusted_proxies_source": None,
                    "apiVersion": None,
                    "proxy_config": None,
                    "services": [service_summary(svc)],
                }
            )
    gw_out.sort(key=lambda g: (g["namespace"] or "", g["name"] or ""))
    return gw_out


def mesh_config(idx, control_ns):
    for cm in idx.kind("", "ConfigMap"):
        if name_of(cm) in ("istio",) and (control_ns is None or namespace_of(cm) == control_ns):
            text = (cm.get("data") or {}).get("mesh")
            if text and HAS_YAML:
                try:
                    value = yaml.safe_load(text)
                except Exception:  # noqa: BLE001
                    value = None
                if isinstance(value, dict):
                    return value
    return {}


def is_istio_gateway_workload(wl):
    labels = template_labels(wl) or labels_of(wl)
    # Gateway labels and the proxy image are among the signals singled_out() matches: the
    # thousands of application workloads skip the checks below.
    if singled_out(labels, containers_of(wl)):
        if any(labels_match(w, labels) for w in ISTIO["gateway_labels"]):
            return True
        for c in containers_of(wl, init=False):
            image = normalise_image(c.get("image"))
            if any(regex(p).search(image) for p in ISTIO["proxy_images"]):
                args = c.get("args") or []
                if "router" in args:
                    return True
    # Gateway Helm chart: image "auto" + gateway injection template.
    if template_annotations(wl).get("inject.istio.io/templates") == "gateway":
        return True
    return False


def injection_state(wl, istio):
    """Is a sidecar intended for this workload's pods, and why (or why not)."""
    ns = namespace_of(wl)
    ns_info = istio["namespaces"].get(ns, {})
    labels = template_labels(wl)
    anns = template_annotations(wl)
    # The injector webhooks select on the label; the deprecated annotation can only disable.
    pod_inject = labels.get("sidecar.istio.io/inject")
    if pod_inject is None and anns.get("sidecar.istio.io/inject") is not None:
        if not truthy(anns["sidecar.istio.io/inject"]):
            pod_inject = anns["sidecar.istio.io/inject"]
    ambient = (
        labels.get("istio.io/dataplane-mode") == "ambient"
        or (ns_info.get("ambient") and labels.get("istio.io/dataplane-mode") != "none")
    ) and istio["installed"]
    state = {"injection": "none", "source": None, "revision": None, "ambient": bool(ambient)}
    if host_network(wl):
        state.update(
            injection="impossible", source="hostNetwork: true (Istio never injects these pods)"
        )
        return state
    if not istio["installed"]:
        state["source"] = "Istio is not installed"
        return state
    if ns_info.get("injection") == "disabled":
        state.update(injection="disabled", source="namespace label istio-injection=disabled")
        return state
    if pod_inject is not None and not truthy(pod_inject):
        state.update(
            injection="disabled", source="pod label sidecar.istio.io/inject=%s" % pod_inject
        )
        return state
    if ns_info.get("injection") == "enabled":
        state.update(
            injection="enabled",
            source="namespace label istio-injection=enabled",
            revision="default",
        )
        return state
    # The namespace's istio.io/rev selects the injecting webhook; a pod label matters only
    # in namespaces without one.
    rev = ns_info.get("revision") or labels.get("istio.io/rev")
    if rev:
        known = rev in istio["revisions"] or rev in istio["tags"]
        state.update(
            injection="enabled" if known else "unknown-revision",
            source="%s label istio.io/rev=%s"
            % ("namespace" if ns_info.get("revision") else "pod", rev),
            revision=rev,
        )
        return state
    if pod_inject is not None and truthy(pod_inject):
        state.update(
            injection="enabled", source="pod label sidecar.istio.io/inject=true", revision="default"
        )
        return state
    return state


def effective_mtls(istio, namespace, pod_labels, port):
    """Effective PeerAuthentication mode for a workload port, and the policy that decided it."""
    chain = []
    for pa in istio["peer_authentications"]:
        if (
            pa["scope"] == "workload"
            and pa["namespace"] == namespace
            and selector_matches(pa["selector"], pod_labels)
        ):
            chain.append((0, pa))
        elif pa["scope"] == "namespace" and pa["namespace"] == namespace:
            chain.append((1, pa))
        elif pa["scope"] == "mesh":
            chain.append((2, pa))
    chain.sort(key=lambda t: (t[0], t[1].get("created") or "~", t[1]["name"] or ""))
    for _lvl, pa in chain:
        if pa["scope"] == "workload" and port is not None and str(port) in pa["port_level"]:
            mode = pa["port_level"][str(port)]
            if mode != "UNSET":
                return mode, intern("%s/%s portLevelMtls[%s]" % (pa["namespace"], pa["name"], port))
        if pa["mode"] != "UNSET":
            # One string per policy, shared by the thousands of backends it decides.
            return pa["mode"], intern("%s/%s (%s)" % (pa["namespace"], pa["name"], pa["scope"]))
    return "PERMISSIVE", "default (no PeerAuthentication)"
