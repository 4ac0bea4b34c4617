# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Patch planning: detection facts (an lb_info result) in, an ordered, reversible plan out.

Pure functions over dicts. Each patch is a partial object for server-side apply with the fixed
field manager FIELD_MANAGER, holding only the fields we own. Vendor specifics come from
catalog.py ("plan" entries); facts come from detect.py. Same input -> byte-identical output.

Modes (reference: ../shared/docs/istio-lb-reference.md section 2 matrix):
  standalone       A: keep plaintext working - PERMISSIVE on exactly the backend ports reached
  standalone_mtls  B: sidecar in the LB pods, inbound capture off, Service routing per vendor
  chained          C: in-cluster LB -> Istio ingress gateway (Gateway + VirtualService)
  gclb_chained     C: GKE Ingress (or GKE Gateway) -> Istio ingress gateway, health check 15021
  ambient          D: LB enrolled in ambient, inbound capture bypassed
"""

from __future__ import annotations

import copy
import json
import re

from ansible_collections.meshgate.istio_lb.plugins.module_utils import catalog, names

FIELD_MANAGER = "meshgate"
MODES = ("standalone", "standalone_mtls", "chained", "gclb_chained", "ambient")
PLAN_VERSION = 1
MANAGED_LABEL = {"app.kubernetes.io/managed-by": "meshgate"}
LB_DOC = "https://istio.io/latest/docs/ops/integrations/loadbalancers/"
PA_DOC = "https://istio.io/latest/docs/reference/config/security/peer_authentication/"
TOPO_DOC = "https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/"
GCLB_DOC = "https://cloud.google.com/architecture/exposing-service-mesh-apps-through-gke-ingress"
AMBIENT_DOC = "https://istio.io/latest/docs/ambient/usage/add-workloads/"

DEFAULT_OPTIONS = {
    "load_balancers": None,
    "namespaces": None,
    "hosts": None,
    "revision": None,
    "global_switch": False,
    "exclude_api_server": True,
    "gateway": None,
    "route_api": "istio",
    "gateway_credential_name": None,
    "num_trusted_proxies": None,
    "istio_api_version": None,
    "cluster_domain": "cluster.local",
    "ingress_class": "gce",
    "backend_protocol": "HTTP",
    "static_ip_name": None,
    "managed_certificate_domains": None,
    "https_redirect": False,
    "ssl_policy": None,
    "ingress_name": "meshgate-gclb",
    "gke_gateway_class": None,
}


class PlanError(Exception):
    """The request itself is wrong (unknown mode, bad option): nothing can be planned."""


# --------------------------------------------------------------------------- small helpers


def _istio_version(facts, opts, kind, group="networking.istio.io"):
    if opts.get("istio_api_version"):
        return "%s/%s" % (group, opts["istio_api_version"])
    apis = (facts.get("cluster_facts") or {}).get("apis")
    if apis and apis.get("%s/%s" % (group, kind)):
        return "%s/%s" % (group, apis["%s/%s" % (group, kind)])
    return "%s/v1" % group


def _api(facts, group, kind, default_version):
    apis = (facts.get("cluster_facts") or {}).get("apis")
    if apis and apis.get("%s/%s" % (group, kind)):
        return "%s/%s" % (group, apis["%s/%s" % (group, kind)])
    return "%s/%s" % (group, default_version)


def _served(facts, group, kind):
    """True / False when discovery is known (live), None offline."""
    apis = (facts.get("cluster_facts") or {}).get("apis")
    if apis is None:
        return None
    return "%s/%s" % (group, kind) in apis


def _target(api_version, kind, name, namespace=None):
    out = {"apiVersion": api_version, "kind": kind, "name": name}
    if namespace:
        out["namespace"] = namespace
    return out


def _meta(target, labels=None, annotations=None):
    meta = {"name": target["name"]}
    if target.get("namespace"):
        meta["namespace"] = target["namespace"]
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def _dns_name(*parts):
    """A DNS-1123 name from parts (lower case, '-' joined, at most 63 characters)."""
    raw = "-".join(str(p) for p in parts if p)
    out = "".join(c if c.isalnum() else "-" for c in raw.lower()).strip("-")
    while "--" in out:
        out = out.replace("--", "-")
    return out[:63].rstrip("-")


def _merge_proxy_config(current, updates):
    """Merge keys into a proxy.istio.io/config value (JSON or YAML text), deterministically."""
    value = {}
    if current:
        try:
            value = json.loads(current)
        except ValueError:
            try:
                import yaml

                value = yaml.safe_load(current) or {}
            except Exception:  # noqa: BLE001 - unparsable: replaced, and the plan warns
                value = {}
    if not isinstance(value, dict):
        value = {}
    merged = copy.deepcopy(value)
    for key, val in updates.items():
        if isinstance(val, dict) and isinstance(merged.get(key), dict):
            merged[key] = dict(merged[key], **val)
        else:
            merged[key] = val
    return json.dumps(merged, sort_keys=True, separators=(",", ":")), merged != value


class _Builder:
    """Accumulates phases, patches, warnings, refusals and GitOps alternatives."""

    def __init__(self, facts, mode, opts):
        self.facts = facts
        self.mode = mode
        self.opts = opts
        self.phases = []
        self.warnings = []
        self.refusals = []
        self.gitops = []
        self._ids = set()
        # Patches by target and warnings seen: looked up once per patch, so a plan of thousands
        # of routes stays linear (a scan of every patch so far was 0.26 s at 3,000 patches).
        self._patches = {}
        self._warned = set()

    def phase(self, name, description, wait=None):
        for ph in self.phases:
            if ph["name"] == name:
                return ph
        ph = {"name": name, "description": description, "patches": [], "wait": wait or []}
        self.phases.append(ph)
        return ph

    def patch(
        self,
        phase,
        target,
        manifest,
        reason,
        reference,
        risk,
        undo,
        owner=None,
        creates=False,
    ):
        key = (
            target["apiVersion"].split("/")[0],
            target["kind"],
            target.get("namespace"),
            target["name"],
        )
        p = self._patches.get(key)
        if p is not None:
            # Same object touched twice in one plan: merge into the first patch.
            _deep_merge(p["manifest"], manifest)
            p["reason"] = p["reason"] + "; " + reason
            for f in undo.get("fields", []):
                if f not in p["undo"].setdefault("fields", []):
                    p["undo"]["fields"].append(f)
            p["undo"].setdefault("restore", {}).update(undo.get("restore", {}))
            return p
        item = {
            "target": target,
            "manifest": manifest,
            "creates": creates,
            "reason": reason,
            "reference": reference,
            "risk": risk,
            "undo": undo,
            "owner": owner,
        }
        phase["patches"].append(item)
        self._patches[key] = item
        return item

    def refuse(self, lb, code, reason, suggestion):
        self.refusals.append(
            {
                "load_balancer": lb.get("id") if isinstance(lb, dict) else lb,
                "code": code,
                "reason": reason,
                "suggestion": suggestion,
            }
        )

    def warn(self, text):
        if text not in self._warned:
            self._warned.add(text)
            self.warnings.append(text)

    def result(self):
        phases = []
        n = 0
        for ph in self.phases:
            if not ph["patches"]:
                continue
            patches = []
            for p in ph["patches"]:
                n += 1
                p = dict(p)
                p["id"] = "p%03d" % n
                patches.append(p)
            phases.append(dict(ph, patches=patches))
        undo = [
            {"patch": p["id"], "target": p["target"], **p["undo"]}
            for ph in reversed(phases)
            for p in reversed(ph["patches"])
        ]
        cluster = self.facts.get("cluster") or {}
        return {
            "version": PLAN_VERSION,
            "mode": self.mode,
            "field_manager": FIELD_MANAGER,
            "cluster": {
                k: cluster.get(k)
                for k in ("source", "server", "context", "src")
                if cluster.get(k) is not None
            },
            "phases": phases,
            "warnings": self.warnings,
            "refusals": self.refusals,
            "undo": undo,
            "gitops": self.gitops,
            "observed": _observed(self.facts, phases),
            "summary": {
                "phases": len(phases),
                "patches": n,
                "creates": sum(1 for ph in phases for p in ph["patches"] if p["creates"]),
                "restarts": sorted(
                    {
                        "%s/%s/%s"
                        % (p["target"]["kind"], p["target"].get("namespace"), p["target"]["name"])
                        for ph in phases
                        for p in ph["patches"]
                        if p["risk"].get("restart")
                    }
                ),
                "refusals": len(self.refusals),
                "warnings": len(self.warnings),
            },
        }


def _deep_merge(dst, src):
    for key, val in src.items():
        if isinstance(val, dict) and isinstance(dst.get(key), dict):
            _deep_merge(dst[key], val)
        else:
            dst[key] = copy.deepcopy(val)


def _observed(facts, phases):
    """Objects the plan was computed from that it patches, so apply can detect a stale plan."""
    return sorted(
        {
            "%s/%s/%s"
            % (p["target"]["kind"], p["target"].get("namespace") or "", p["target"]["name"])
            for ph in phases
            for p in ph["patches"]
            if not p["creates"]
        }
    )


# --------------------------------------------------------------------------- selection


def _in_scope(lb, opts):
    if opts["namespaces"] and lb["namespace"] not in opts["namespaces"]:
        return False
    wanted = opts["load_balancers"]
    if wanted:
        names = {lb["id"], lb["name"], "%s/%s" % (lb["namespace"], lb["name"])}
        if not names & set(wanted):
            return False
    return True


def _routes_of(facts, lb, opts):
    by_id = {r["id"]: r for r in facts.get("routes") or ()}
    out = []
    for rid in lb.get("routes") or ():
        r = by_id.get(rid)
        if r is None:
            continue
        if opts["hosts"] and r.get("hosts") and not set(r["hosts"]) & set(opts["hosts"]):
            continue
        out.append(r)
    return out


def _workload_target(lb):
    return _target(lb.get("apiVersion") or "apps/v1", lb["kind"], lb["name"], lb["namespace"])


def _helm_values(entry, pod_labels=None, pod_annotations=None, config=None):
    helm = (entry.get("plan") or {}).get("helm") or {}
    values = {}

    def put(path, value):
        node = values
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    if pod_labels and helm.get("pod_labels"):
        put(helm["pod_labels"], pod_labels)
    if pod_annotations and helm.get("pod_annotations"):
        put(helm["pod_annotations"], pod_annotations)
    if config and helm.get("config"):
        put(helm["config"], config)
    return values, helm.get("chart")


def _gitops_alternative(b, lb, entry, manifest, pod_labels=None, pod_annotations=None, config=None):
    owner = lb.get("gitops")
    if not owner:
        return
    values, chart = _helm_values(entry, pod_labels, pod_annotations, config)
    item = {
        "target": _workload_target(lb),
        "owner": owner,
        "kustomize_patch": manifest,
    }
    if values:
        item["helm_values"] = values
        item["helm_chart"] = chart
    b.gitops.append(item)
    b.warn(
        "%s %s/%s is managed by %s%s: a direct patch will be reverted by the next sync/upgrade; "
        "prefer the Helm values or kustomize patch in plan.gitops."
        % (
            lb["kind"],
            lb["namespace"],
            lb["name"],
            owner.get("tool"),
            (" release " + owner["release"]) if owner.get("release") else "",
        )
    )


# --------------------------------------------------------------------------- standalone (A)


def _plan_standalone(b, facts, opts):
    ph = b.phase(
        "permissive",
        "PERMISSIVE PeerAuthentication on exactly the backend ports the load balancers reach",
    )
    if _served(facts, "security.istio.io", "PeerAuthentication") is False:
        b.refuse(
            "cluster",
            "crd-missing",
            "PeerAuthentication (security.istio.io) is not served",
            "install Istio first",
        )
        return
    version = _istio_version(facts, opts, "PeerAuthentication", "security.istio.io")
    seen = set()
    # PERMISSIVE is about the backends a controller routes to: its pods need not be in the input.
    for lb in _lbs(b, facts, opts, data_plane=False):
        if lb.get("mtls"):
            continue
        for r in _routes_of(facts, lb, opts):
            for be in r.get("backends") or ():
                if (
                    be.get("mtls_mode") != "STRICT"
                    or not be.get("selector")
                    or be.get("target_port") is None
                ):
                    if be.get("mtls_mode") == "STRICT" and be.get("target_port") is None:
                        b.warn(
                            "Service %s/%s port %s: container port unknown, no PERMISSIVE exception planned"
                            % (be["namespace"], be["service"], be.get("port"))
                        )
                    continue
                key = (be["namespace"], be["service"], be["target_port"])
                if key in seen:
                    continue
                seen.add(key)
                if "(workload)" in (be.get("mtls_policy") or "") or "portLevelMtls" in (
                    be.get("mtls_policy") or ""
                ):
                    # Istio applies only the oldest selector policy to a workload: a second one
                    # would be ignored. The exception must go into that policy.
                    b.warn(
                        "Service %s/%s port %s is STRICT through the workload policy %s; add "
                        "portLevelMtls %s: PERMISSIVE to it (a second selector policy would be ignored)"
                        % (
                            be["namespace"],
                            be["service"],
                            be.get("port"),
                            be["mtls_policy"].split(" ")[0],
                            be["target_port"],
                        )
                    )
                    continue
                # One policy per workload selector (Services sharing pods share it), ports merged.
                sel = ",".join("%s=%s" % kv for kv in sorted(be["selector"].items()))
                name = _dns_name("meshgate", "permissive", sel.replace("=", "-").replace(",", "-"))
                target = _target(version, "PeerAuthentication", name, be["namespace"])
                manifest = {
                    "apiVersion": version,
                    "kind": "PeerAuthentication",
                    "metadata": _meta(target, labels=MANAGED_LABEL),
                    "spec": {
                        "selector": {"matchLabels": dict(be["selector"])},
                        "portLevelMtls": {str(be["target_port"]): {"mode": "PERMISSIVE"}},
                    },
                }
                b.patch(
                    ph,
                    target,
                    manifest,
                    "%s sends plaintext to Service %s/%s (container port %s), STRICT via %s"
                    % (
                        lb["id"],
                        be["namespace"],
                        be["service"],
                        be["target_port"],
                        be.get("mtls_policy"),
                    ),
                    PA_DOC,
                    {
                        "restart": False,
                        "traffic": "none: plaintext from the load balancer is accepted again on this port",
                    },
                    {"action": "delete"},
                    creates=True,
                )
    if ph["patches"]:
        b.warn(
            "standalone mode: traffic from the load balancer to these backend ports is NOT mutually "
            "authenticated; use standalone_mtls or chained for mTLS."
        )


# --------------------------------------------------------------------------- standalone_mtls (B)


def _lbs(b, facts, opts, cloud=False, data_plane=True):
    """The load balancers in scope, sorted; refusals for those no mode can patch.

    data_plane: refuse controllers found without their proxy workload, for modes that patch
    the load balancer pods or re-point their routes.
    """
    out = []
    namespaces = (facts.get("istio") or {}).get("namespaces") or {}
    for lb in facts.get("load_balancers") or ():
        if not _in_scope(lb, opts):
            continue
        if (lb.get("role") == "cloud") != cloud:
            continue
        if (namespaces.get(lb["namespace"]) or {}).get("terminating"):
            b.refuse(
                lb,
                "namespace-terminating",
                "namespace %s is being deleted" % lb["namespace"],
                "wait until it is gone or its deletion is cancelled, then plan again",
            )
            continue
        if data_plane and lb.get("role") == "control-plane":
            b.refuse(
                lb,
                "no-data-plane",
                "only the control plane of %s was found; its proxy pods are not in the input"
                % lb["vendor"],
                "run again when the data-plane workload exists",
            )
            continue
        out.append(lb)
    return sorted(out, key=lambda x: x["id"])


def _revision(b, facts, opts):
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


def _plan_standalone_mtls(b, facts, opts):
    istio = facts.get("istio") or {}
    if not istio.get("installed"):
        raise PlanError(
            "Istio is not installed in this cluster (no istiod or injector found): standalone_mtls needs the sidecar injector"
        )
    rev = _revision(b, facts, opts)
    routing = b.phase(
        "service-routing",
        "Make the load balancers send to Service VIPs (or the Service host) instead of pod IPs",
    )
    sidecar = b.phase(
        "sidecar",
        "Sidecar in the load balancer pods, inbound capture off, app held until the proxy is ready",
    )
    api_ip = (facts.get("cluster_facts") or {}).get("api_server_ip")
    for lb in _lbs(b, facts, opts):
        entry = catalog.VENDORS_BY_ID[lb["vendor"]]
        plan_spec = entry.get("plan") or {}
        if lb.get("host_network"):
            b.refuse(
                lb,
                "host-network",
                "%s runs with hostNetwork: true and Istio never injects such pods" % lb["id"],
                "use mode chained (LB -> Istio ingress gateway) or standalone",
            )
            continue
        ns_info = (istio.get("namespaces") or {}).get(lb["namespace"], {})
        if ns_info.get("injection") == "disabled":
            b.refuse(
                lb,
                "injection-disabled",
                "namespace %s has istio-injection=disabled, which a pod label cannot override"
                % lb["namespace"],
                "remove the namespace label, or use mode chained",
            )
            continue
        routes = [r for r in _routes_of(facts, lb, opts) if r["kind"] != "Gateway"]
        if (
            not plan_spec.get("switch")
            and not plan_spec.get("host_rewrite")
            and not plan_spec.get("default_service_routing")
            and routes
        ):
            b.refuse(
                lb,
                "no-service-routing",
                "%s has no Service-routing switch and no Host-header rewrite we can set"
                % lb["vendor"],
                "use mode chained",
            )
            continue
        _service_routing_patches(b, facts, opts, lb, entry, routes, routing)
        _sidecar_patch(b, facts, opts, lb, entry, rev, api_ip, sidecar)
    wait_targets = sorted(
        {
            "%s/%s/%s" % (p["target"]["kind"], p["target"]["namespace"], p["target"]["name"])
            for p in sidecar["patches"]
        }
    )
    sidecar["wait"] = (
        [{"for": "rollout", "targets": wait_targets, "timeout": 600}] if wait_targets else []
    )


def _pod_template_patch(b, phase, lb, entry, labels, annotations, reason, reference):
    """Patch the LB workload's pod template (rolling restart), with undo and GitOps forms."""
    current = lb.get("pod_template") or {"labels": {}, "annotations": {}}
    target = _workload_target(lb)
    template_meta = {}
    if labels:
        template_meta["labels"] = labels
    if annotations:
        template_meta["annotations"] = annotations
    manifest = {
        "apiVersion": target["apiVersion"],
        "kind": target["kind"],
        "metadata": _meta(target),
        "spec": {"template": {"metadata": template_meta}},
    }
    fields, restore = [], {}
    for section, values in (("labels", labels), ("annotations", annotations)):
        for key in sorted(values):
            path = "spec.template.metadata.%s.%s" % (section, key)
            fields.append(path)
            if key in current[section]:
                restore[path] = current[section][key]  # the value this replaces comes back on undo
    b.patch(
        phase,
        target,
        manifest,
        reason,
        reference,
        {"restart": True, "traffic": "rolling restart of the load balancer pods"},
        {"action": "remove-fields", "fields": fields, "restore": restore},
        owner=lb.get("gitops"),
    )
    _gitops_alternative(b, lb, entry, manifest, pod_labels=labels, pod_annotations=annotations)


def _sidecar_patch(b, facts, opts, lb, entry, rev, api_ip, phase):
    current = lb.get("pod_template") or {"labels": {}, "annotations": {}}
    labels = {}
    ns_info = ((facts.get("istio") or {}).get("namespaces") or {}).get(lb["namespace"], {})
    ns_rev = "default" if ns_info.get("injection") == "enabled" else ns_info.get("revision")
    if ns_rev and ns_rev != rev:
        # The namespace label picks the injecting webhook; a pod label cannot change it.
        b.warn(
            "namespace %s is labelled for revision %s, which injects %s whatever its pod labels say; "
            "relabel the namespace to use revision %s" % (lb["namespace"], ns_rev, lb["id"], rev)
        )
    if rev == "default" or current["labels"].get("sidecar.istio.io/inject") == "false":
        # Also overrides an explicit opt-out, which would stop any revision from injecting.
        if current["labels"].get("sidecar.istio.io/inject") != "true":
            labels["sidecar.istio.io/inject"] = "true"
    if rev != "default" and current["labels"].get("istio.io/rev") != rev:
        labels["istio.io/rev"] = rev
    annotations = {}
    if current["annotations"].get("traffic.sidecar.istio.io/includeInboundPorts") != "":
        annotations["traffic.sidecar.istio.io/includeInboundPorts"] = ""
    proxy_config, changed = _merge_proxy_config(
        current["annotations"].get("proxy.istio.io/config"),
        {"holdApplicationUntilProxyStarts": True},
    )
    if changed:
        annotations["proxy.istio.io/config"] = proxy_config
    if opts["exclude_api_server"] and api_ip:
        existing = current["annotations"].get(
            "traffic.sidecar.istio.io/excludeOutboundIPRanges", ""
        )
        ranges = [r for r in existing.split(",") if r]
        if api_ip + "/32" not in ranges:
            annotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"] = ",".join(
                ranges + [api_ip + "/32"]
            )
    if not labels and not annotations:
        return
    _pod_template_patch(
        b,
        phase,
        lb,
        entry,
        labels,
        annotations,
        "Istio recipe for %s: sidecar (%s), inbound capture off so the client IP survives and the API "
        "server still reaches its webhooks, app started after the proxy%s"
        % (
            lb["id"],
            "revision %s" % rev,
            (
                ", API server traffic kept out of Envoy"
                if "traffic.sidecar.istio.io/excludeOutboundIPRanges" in annotations
                else ""
            ),
        ),
        LB_DOC,
    )
    helm = (entry.get("plan") or {}).get("helm") or {}
    if ns_info.get("injection") == "enabled" and helm.get("job_labels"):
        b.warn(
            "namespace %s is labelled for injection: install helper Jobs get a sidecar and never finish; "
            'set %s: {sidecar.istio.io/inject: "false"} in the %s chart values'
            % (lb["namespace"], helm["job_labels"], helm.get("chart") or lb["vendor"])
        )


def _service_routing_patches(b, facts, opts, lb, entry, routes, phase):
    plan_spec = entry.get("plan") or {}
    svc_by = {}
    for r in routes:
        if r.get("service_routing") or r.get("host_rewrite"):
            continue
        kind = r["kind"]
        if plan_spec.get("default_service_routing"):
            continue
        if (
            opts["global_switch"]
            and plan_spec.get("global_switch") == "configmap"
            and lb.get("config_map")
        ):
            cm = lb["config_map"]
            target = _target("v1", "ConfigMap", cm["name"], cm["namespace"])
            manifest = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": _meta(target),
                "data": {cm["key"]: cm["value"]},
            }
            b.patch(
                phase,
                target,
                manifest,
                "global Service routing for %s (%s: %s)" % (lb["id"], cm["key"], cm["value"]),
                LB_DOC,
                {
                    "restart": False,
                    "traffic": "the controller reloads; every route now targets Service VIPs",
                },
                {
                    "action": "remove-fields",
                    "fields": ["data.%s" % cm["key"]],
                    "restore": {"data.%s" % cm["key"]: cm["current"]} if "current" in cm else {},
                },
                owner=lb.get("gitops"),
            )
            _gitops_alternative(b, lb, entry, manifest, config={cm["key"]: cm["value"]})
            continue
        switch = next((s for s in plan_spec.get("switch", ()) if s["on"] in (kind, "*")), None)
        if switch:
            _apply_switch(b, facts, opts, lb, r, switch, phase, svc_by)
            continue
        rewrite = next(
            (s for s in plan_spec.get("host_rewrite", ()) if s["on"] in (kind, "*")), None
        )
        if rewrite:
            _apply_host_rewrite(b, opts, lb, r, rewrite, phase)
            continue
        b.warn(
            "%s %s/%s (%s): no Service-routing switch for this kind; use mode chained for it"
            % (kind, r["namespace"], r["name"], lb["vendor"])
        )
    if entry["id"] == "emissary":
        b.warn(
            "Emissary routes to Services by default (KubernetesServiceResolver); keep endpoint resolvers out of Module/Mapping objects."
        )


def _apply_switch(b, facts, opts, lb, r, switch, phase, svc_by):
    risk = {
        "restart": False,
        "traffic": "the controller reloads; this route now targets the Service VIP (sticky sessions and per-endpoint balancing stop applying)",
    }
    target_kind = switch["target"]
    if target_kind == "route":
        target = _target(r["apiVersion"], r["kind"], r["name"], r["namespace"])
        current = r.get("annotations") or {}
        wanted = dict(switch["annotations"])
        if switch.get("host_annotation"):
            fqdns = sorted({be.get("fqdn") for be in r.get("backends") or () if be.get("fqdn")})
            if len(fqdns) == 1:
                wanted[switch["host_annotation"]] = fqdns[0]
                b.warn(
                    "%s: the upstream Host becomes %s so the sidecar recognises the Service; the "
                    "application sees that Host (an Istio VirtualService can put the original back)"
                    % (r["id"], fqdns[0])
                )
            elif fqdns:
                b.warn(
                    "%s sends to %d Services: one Host rewrite cannot fit them all; split it per Service "
                    "or use mode chained" % (r["id"], len(fqdns))
                )
        anns = {k: v for k, v in wanted.items() if current.get(k) != v}
        if not anns:
            return
        manifest = {
            "apiVersion": r["apiVersion"],
            "kind": r["kind"],
            "metadata": _meta(target, annotations=anns),
        }
        restore = {"metadata.annotations.%s" % k: current[k] for k in anns if k in current}
        b.patch(
            phase,
            target,
            manifest,
            "Service routing for %s (served by %s)" % (r["id"], lb["id"]),
            LB_DOC,
            risk,
            {
                "action": "remove-fields",
                "fields": ["metadata.annotations.%s" % k for k in sorted(anns)],
                "restore": restore,
            },
        )
    elif target_kind == "backend_service":
        for be in r.get("backends") or ():
            if not be.get("found"):
                continue
            key = (be["namespace"], be["service"])
            if key in svc_by:
                continue
            svc_by[key] = True
            target = _target("v1", "Service", be["service"], be["namespace"])
            manifest = {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": _meta(target, annotations=switch["annotations"]),
            }
            b.patch(
                phase,
                target,
                manifest,
                "Service routing to %s/%s for %s" % (be["namespace"], be["service"], lb["id"]),
                LB_DOC,
                risk,
                {
                    "action": "remove-fields",
                    "fields": [
                        "metadata.annotations.%s" % k for k in sorted(switch["annotations"])
                    ],
                },
            )
    elif target_kind in ("route_list", "route_nested"):
        spec = (r.get("spec") or {}).get(switch["field"])
        if not spec:
            b.warn(
                "%s: its %s list is not in the facts; cannot plan Service routing"
                % (r["id"], switch["field"])
            )
            return
        new = copy.deepcopy(spec)
        items = (
            new
            if target_kind == "route_list"
            else [s for item in new for s in (item.get(switch["nested"]) or [])]
        )
        for item in items:
            item.update(switch["set"])
        target = _target(r["apiVersion"], r["kind"], r["name"], r["namespace"])
        manifest = {
            "apiVersion": r["apiVersion"],
            "kind": r["kind"],
            "metadata": _meta(target),
            "spec": {switch["field"]: new},
        }
        b.patch(
            phase,
            target,
            manifest,
            "Service routing for %s (%s)"
            % (r["id"], ", ".join("%s: %s" % kv for kv in switch["set"].items())),
            LB_DOC,
            _atomic_risk(risk, r, "spec.%s" % switch["field"]),
            {
                "action": "restore-field",
                "fields": ["spec.%s" % switch["field"]],
                "restore": {"spec.%s" % switch["field"]: spec},
            },
        )
    elif target_kind == "envoyproxy":
        ns = lb["namespace"]
        version = _api(facts, "gateway.envoyproxy.io", "EnvoyProxy", "v1alpha1")
        target = _target(version, "EnvoyProxy", "meshgate-service-routing", ns)
        manifest = {
            "apiVersion": version,
            "kind": "EnvoyProxy",
            "metadata": _meta(target, labels=MANAGED_LABEL),
            "spec": {"routingType": "Service"},
        }
        b.patch(
            phase,
            target,
            manifest,
            "Envoy Gateway Service routing (EnvoyProxy routingType: Service, Envoy Gateway >= 1.1)",
            LB_DOC,
            {"restart": True, "traffic": "Envoy Gateway reconfigures its proxies"},
            {"action": "delete"},
            creates=True,
        )
        classes = sorted(
            {
                x["class"]
                for x in facts.get("routes") or ()
                if x["kind"] == "Gateway" and x["vendor"] == "envoy-gateway" and x.get("class")
            }
        )
        for klass in classes:
            gc = _target("gateway.networking.k8s.io/v1", "GatewayClass", klass)
            b.patch(
                phase,
                gc,
                {
                    "apiVersion": gc["apiVersion"],
                    "kind": "GatewayClass",
                    "metadata": _meta(gc),
                    "spec": {
                        "parametersRef": {
                            "group": "gateway.envoyproxy.io",
                            "kind": "EnvoyProxy",
                            "name": "meshgate-service-routing",
                            "namespace": ns,
                        }
                    },
                },
                "GatewayClass %s uses the EnvoyProxy with routingType: Service" % klass,
                LB_DOC,
                {"restart": True, "traffic": "Envoy Gateway redeploys the proxies of this class"},
                {"action": "remove-fields", "fields": ["spec.parametersRef"]},
            )


def _atomic_risk(risk, route, field):
    """Risk of applying a whole atomic list that other field managers own."""
    out = dict(risk, note="%s is an atomic list: the whole list is applied" % field)
    top = field.split(".")[1]
    owners = (route.get("spec_owners") or {}).get(top, route.get("managers") or ())
    others = [m for m in owners if m != FIELD_MANAGER]
    if others:
        out["conflicts_with"] = others
        out["note"] += (
            "; it is owned by %s, so applying needs force_conflicts (or make the change through that owner)"
            % ", ".join(others)
        )
    return out


def _apply_host_rewrite(b, opts, lb, r, rewrite, phase):
    fqdns = sorted({be.get("fqdn") for be in r.get("backends") or () if be.get("fqdn")})
    caveat = "the LB still picks a pod but Istio ignores that choice and routes by Host; the application sees the Service FQDN as Host"
    if rewrite["target"] == "route_annotation":
        if len(fqdns) != 1:
            b.warn(
                "%s: Host rewrite needs exactly one backend Service (found %d); use mode chained for it"
                % (r["id"], len(fqdns))
            )
            return
        target = _target(r["apiVersion"], r["kind"], r["name"], r["namespace"])
        anns = {rewrite["annotation"]: fqdns[0]}
        manifest = {
            "apiVersion": r["apiVersion"],
            "kind": r["kind"],
            "metadata": _meta(target, annotations=anns),
        }
        b.patch(
            phase,
            target,
            manifest,
            "Host header set to %s for %s (%s has no Service-routing switch)"
            % (fqdns[0], r["id"], lb["vendor"]),
            LB_DOC,
            {"restart": False, "traffic": caveat},
            {
                "action": "remove-fields",
                "fields": ["metadata.annotations.%s" % rewrite["annotation"]],
            },
        )
    elif rewrite["target"] == "route_nested_header":
        spec = (r.get("spec") or {}).get(rewrite["field"])
        if not spec:
            b.warn(
                "%s: its %s list is not in the facts; cannot plan the Host rewrite"
                % (r["id"], rewrite["field"])
            )
            return
        new = copy.deepcopy(spec)
        for route in new:
            services = route.get("services") or []
            if len(services) != 1:
                b.warn(
                    "%s: a route with %d services cannot get one Host; left as is"
                    % (r["id"], len(services))
                )
                continue
            fqdn = "%s.%s.svc.%s" % (services[0]["name"], r["namespace"], opts["cluster_domain"])
            policy = route.setdefault("requestHeadersPolicy", {})
            policy["set"] = [
                h for h in policy.get("set") or [] if h.get("name", "").lower() != "host"
            ] + [{"name": "Host", "value": fqdn}]
        target = _target(r["apiVersion"], r["kind"], r["name"], r["namespace"])
        manifest = {
            "apiVersion": r["apiVersion"],
            "kind": r["kind"],
            "metadata": _meta(target),
            "spec": {rewrite["field"]: new},
        }
        b.patch(
            phase,
            target,
            manifest,
            "Host header set to the Service FQDN on %s (%s has no Service-routing switch)"
            % (r["id"], lb["vendor"]),
            LB_DOC,
            _atomic_risk({"restart": False, "traffic": caveat}, r, "spec.%s" % rewrite["field"]),
            {
                "action": "restore-field",
                "fields": ["spec.%s" % rewrite["field"]],
                "restore": {"spec.%s" % rewrite["field"]: spec},
            },
        )
    b.warn("Host-header rewrite for %s: %s" % (lb["vendor"], caveat))


# --------------------------------------------------------------------------- chained (C)


def _pick_gateway(facts, opts):
    gateways = (facts.get("istio") or {}).get("gateways") or []
    candidates = []
    for gw in gateways:
        for svc in gw.get("services") or ():
            candidates.append((gw, svc))
    if opts["gateway"]:
        ns, _sep, name = opts["gateway"].rpartition("/")
        for gw, svc in candidates:
            if svc["name"] == name and (not ns or svc["namespace"] == ns):
                return gw, svc
        raise PlanError(
            "gateway %r: no Istio ingress gateway Service with that name (found: %s)"
            % (
                opts["gateway"],
                ", ".join("%s/%s" % (s["namespace"], s["name"]) for _g, s in candidates) or "none",
            )
        )
    ingress = [
        (g, s) for g, s in candidates if s.get("status_port") and "egress" not in (s["name"] or "")
    ]
    if len(ingress) == 1:
        return ingress[0]
    if not ingress:
        raise PlanError(
            "no Istio ingress gateway Service (with status port 15021) was found; install one (the istio/gateway Helm chart) or name it with gateway"
        )
    raise PlanError(
        "several Istio ingress gateways were found (%s); choose one with gateway=<namespace>/<service>"
        # One Service can front several gateway workloads: name each Service once.
        % ", ".join(sorted({"%s/%s" % (s["namespace"], s["name"]) for _g, s in ingress}))
    )


def _gateway_http_port(svc):
    ports = svc.get("ports") or []
    for want in ("http2", "http"):
        for p in ports:
            if p.get("name") == want:
                return p["port"]
    for p in ports:
        if p.get("port") in (80, 8080):
            return p["port"]
    return ports[0]["port"] if ports else 80


def _gateway_selector(gw, svc):
    labels = gw.get("labels") or {}
    if labels.get("istio"):
        return {"istio": labels["istio"]}
    return dict(svc.get("selector") or labels)


def _istio_routing(
    b, facts, opts, phase, gw, svc, lb_name, routes, ns_gateway_name, port=80, tls_secret=None
):
    """Istio Gateway (in the gateway namespace) + one VirtualService per route."""
    gw_version = _istio_version(facts, opts, "Gateway")
    vs_version = _istio_version(facts, opts, "VirtualService")
    hosts = sorted({h for r in routes for h in (r.get("hosts") or ["*"])}) or ["*"]
    gw_target = _target(gw_version, "Gateway", ns_gateway_name, svc["namespace"])
    b.patch(
        phase,
        gw_target,
        {
            "apiVersion": gw_version,
            "kind": "Gateway",
            "metadata": _meta(gw_target, labels=MANAGED_LABEL),
            "spec": {
                "selector": _gateway_selector(gw, svc),
                "servers": [
                    (
                        # The LB may not send SNI: a catch-all host keeps the TLS filter chain matching.
                        {
                            "port": {"number": port, "name": "https", "protocol": "HTTPS"},
                            "hosts": ["*"],
                            "tls": {"mode": "SIMPLE", "credentialName": tls_secret},
                        }
                        if tls_secret
                        else {
                            "port": {"number": port, "name": "http", "protocol": "HTTP"},
                            "hosts": hosts,
                        }
                    )
                ],
            },
        },
        "Istio Gateway for the hosts %s sends to the ingress gateway (chained mode)" % lb_name,
        LB_DOC,
        {"restart": False, "traffic": "none until traffic is re-pointed"},
        {"action": "delete"},
        creates=True,
    )
    for r in routes:
        http = []
        rules = (r.get("rules") or {}).get("rules") or []
        for rule in rules:
            for p in rule.get("paths") or ():
                dest = {
                    "host": "%s.%s.svc.%s" % (p["service"], r["namespace"], opts["cluster_domain"])
                }
                if isinstance(p.get("port"), int):
                    dest["port"] = {"number": p["port"]}
                match = {
                    "uri": {
                        "exact" if p.get("pathType") == "Exact" else "prefix": p.get("path") or "/"
                    }
                }
                http.append({"match": [match], "route": [{"destination": dest}]})
        default = (r.get("rules") or {}).get("default_backend")
        if default:
            dest = {
                "host": "%s.%s.svc.%s"
                % (default["service"], r["namespace"], opts["cluster_domain"])
            }
            if isinstance(default.get("port"), int):
                dest["port"] = {"number": default["port"]}
            http.append({"route": [{"destination": dest}]})
        if not http:
            for be in r.get("backends") or ():
                dest = {
                    "host": "%s.%s.svc.%s"
                    % (be["service"], be["namespace"], opts["cluster_domain"])
                }
                if isinstance(be.get("port"), int):
                    dest["port"] = {"number": be["port"]}
                http.append({"route": [{"destination": dest}]})
        vs_target = _target(
            vs_version, "VirtualService", _dns_name("meshgate", r["name"]), r["namespace"]
        )
        b.patch(
            phase,
            vs_target,
            {
                "apiVersion": vs_version,
                "kind": "VirtualService",
                "metadata": _meta(vs_target, labels=MANAGED_LABEL),
                "spec": {
                    "hosts": sorted(r.get("hosts") or ["*"]),
                    "gateways": ["%s/%s" % (svc["namespace"], ns_gateway_name)],
                    "http": http,
                },
            },
            "routes of %s, now served by the Istio gateway (paths and backends preserved)"
            % r["id"],
            LB_DOC,
            {"restart": False, "traffic": "none until traffic is re-pointed"},
            {"action": "delete"},
            creates=True,
        )


def _trusted_proxies(b, facts, opts, phase, gw, n, reason):
    if not gw.get("name"):
        b.warn(
            "the Istio gateway workload is not in the input: set numTrustedProxies: %d on it yourself"
            % n
        )
        return
    if gw.get("num_trusted_proxies") == n:
        return
    target = _target(
        gw.get("apiVersion") or "apps/v1",
        gw.get("kind") or "Deployment",
        gw["name"],
        gw["namespace"],
    )
    value, _changed = _merge_proxy_config(
        gw.get("proxy_config"), {"gatewayTopology": {"numTrustedProxies": n}}
    )
    restore = (
        {"spec.template.metadata.annotations.proxy.istio.io/config": gw["proxy_config"]}
        if gw.get("proxy_config")
        else {}
    )
    b.patch(
        phase,
        target,
        {
            "apiVersion": target["apiVersion"],
            "kind": target["kind"],
            "metadata": _meta(target),
            "spec": {"template": {"metadata": {"annotations": {"proxy.istio.io/config": value}}}},
        },
        "client IPs survive the hop: the gateway trusts %d proxy in X-Forwarded-For (%s)"
        % (n, reason),
        TOPO_DOC,
        {"restart": True, "traffic": "rolling restart of the Istio ingress gateway pods"},
        {
            "action": "remove-fields",
            "fields": ["spec.template.metadata.annotations.proxy.istio.io/config"],
            "restore": restore,
        },
    )
    phase["wait"] = [
        {
            "for": "rollout",
            "targets": ["%s/%s/%s" % (target["kind"], target["namespace"], target["name"])],
            "timeout": 600,
        }
    ]


def _gateway_api_gateway(b, facts, opts, phase):
    """The Istio Gateway API Gateway the LB sends to: the existing one, or a new ClusterIP one.

    istiod deploys a Gateway of class istio as a Deployment + Service "<name>-istio"; the LB
    targets that Service. Returns (gateway info, Service summary).
    """
    if _served(facts, "gateway.networking.k8s.io", "Gateway") is False:
        raise PlanError(
            "the Gateway API CRDs (gateway.networking.k8s.io) are not served: install them, "
            "or use route_api istio"
        )
    existing = [
        r
        for r in facts.get("routes") or ()
        if r["kind"] == "Gateway"
        and r["vendor"] == "istio"
        and (r["apiVersion"] or "").startswith("gateway.networking.k8s.io/")
    ]
    if opts["gateway"]:
        ns, _sep, name = opts["gateway"].rpartition("/")
        existing = [r for r in existing if r["name"] == name and (not ns or r["namespace"] == ns)]
    if len(existing) > 1:
        raise PlanError(
            "several Istio Gateway API gateways were found (%s); choose one with "
            "gateway=<namespace>/<name>"
            % ", ".join("%s/%s" % (r["namespace"], r["name"]) for r in existing)
        )
    version = _api(facts, "gateway.networking.k8s.io", "Gateway", "v1")
    n = opts["num_trusted_proxies"] or 1
    trust = {"gatewayTopology": {"numTrustedProxies": n}}
    annotations = {
        "proxy.istio.io/config": json.dumps(trust, sort_keys=True, separators=(",", ":"))
    }
    if existing:
        r = existing[0]
        target = _target(r["apiVersion"], "Gateway", r["name"], r["namespace"])
        manifest = {
            "apiVersion": r["apiVersion"],
            "kind": "Gateway",
            "metadata": _meta(target),
            "spec": {"infrastructure": {"annotations": annotations}},
        }
        creates = False
        b.warn(
            "Gateway %s/%s must accept routes from the Ingress namespaces "
            "(listeners[].allowedRoutes.namespaces)" % (r["namespace"], r["name"])
        )
    else:
        gateways = (facts.get("istio") or {}).get("gateways") or [{}]
        ns = (
            gateways[0].get("namespace")
            or (facts.get("istio") or {}).get("control_plane_namespace")
            or "istio-system"
        )
        target = _target(version, "Gateway", "meshgate-chained", ns)
        manifest = {
            "apiVersion": version,
            "kind": "Gateway",
            "metadata": _meta(
                target,
                labels=MANAGED_LABEL,
                annotations={"networking.istio.io/service-type": "ClusterIP"},
            ),
            "spec": {
                "gatewayClassName": "istio",
                "infrastructure": {"annotations": annotations},
                "listeners": [
                    {
                        "name": "http",
                        "port": 80,
                        "protocol": "HTTP",
                        "allowedRoutes": {"namespaces": {"from": "All"}},
                    }
                ],
            },
        }
        creates = True
    svc = {
        "name": "%s-istio" % target["name"],
        "namespace": target["namespace"],
        "ports": [{"name": "http", "port": 80}],
    }
    gw = {
        "target": target,
        "trust_manifest": manifest,
        "creates": creates,
        "trust_reason": "Istio Gateway API gateway %s/%s (its ClusterIP Service %s is deployed by istiod) "
        "trusts %d proxy in X-Forwarded-For"
        % (target["namespace"], target["name"], svc["name"], n),
    }
    return gw, svc


def _gateway_api_routing(b, facts, opts, phase, svc, routes):
    """One HTTPRoute per Ingress, attached to the Istio Gateway API gateway."""
    version = _api(facts, "gateway.networking.k8s.io", "HTTPRoute", "v1")
    parent = {"name": svc["name"][: -len("-istio")], "namespace": svc["namespace"]}
    for r in routes:
        rules = []
        compact = r.get("rules") or {}
        for rule in compact.get("rules") or ():
            for p in rule.get("paths") or ():
                if not isinstance(p.get("port"), int):
                    b.warn(
                        "%s: backend %s uses a named port; an HTTPRoute needs a number, left out"
                        % (r["id"], p.get("service"))
                    )
                    continue
                kind = "Exact" if p.get("pathType") == "Exact" else "PathPrefix"
                rules.append(
                    {
                        "matches": [{"path": {"type": kind, "value": p.get("path") or "/"}}],
                        "backendRefs": [{"name": p["service"], "port": p["port"]}],
                    }
                )
        default = compact.get("default_backend")
        if default and isinstance(default.get("port"), int):
            rules.append({"backendRefs": [{"name": default["service"], "port": default["port"]}]})
        if not rules:
            continue
        target = _target(version, "HTTPRoute", _dns_name("meshgate", r["name"]), r["namespace"])
        spec = {"parentRefs": [dict(parent)], "rules": rules}
        hosts = sorted(h for h in r.get("hosts") or () if h)
        if hosts:
            spec["hostnames"] = hosts
        b.patch(
            phase,
            target,
            {
                "apiVersion": version,
                "kind": "HTTPRoute",
                "metadata": _meta(target, labels=MANAGED_LABEL),
                "spec": spec,
            },
            "routes of %s as a Gateway API HTTPRoute on the Istio gateway (paths and backends preserved)"
            % r["id"],
            LB_DOC,
            {"restart": False, "traffic": "none until traffic is re-pointed"},
            {"action": "delete"},
            creates=True,
        )


# Host-rewrite annotations of every vendor (catalog data): they break Host routing at a gateway.
_HOST_REWRITE_KEYS = frozenset(
    k
    for e in catalog.VENDORS
    for item in list((e.get("plan") or {}).get("switch", []))
    + list((e.get("plan") or {}).get("host_rewrite", []))
    for k in ([item["host_annotation"]] if item.get("host_annotation") else [])
    + ([item["annotation"]] if item.get("annotation") else [])
)


def _plan_chained(b, facts, opts):
    if _served(facts, "networking.istio.io", "Gateway") is False:
        raise PlanError(
            "the Istio networking CRDs (networking.istio.io) are not served: chained mode needs Istio installed"
        )
    gateway_phase = b.phase(
        "gateway", "Istio routing for the load balancers' hosts, and client-IP trust on the gateway"
    )
    gateway_api = opts["route_api"] == "gateway-api"
    if gateway_api:
        gw, svc = _gateway_api_gateway(b, facts, opts, gateway_phase)
    else:
        gw, svc = _pick_gateway(facts, opts)
    repoint = b.phase(
        "repoint", "The load balancers send to the Istio ingress gateway (Host header preserved)"
    )
    port = _gateway_http_port(svc)
    tls_secret = opts["gateway_credential_name"]
    if tls_secret:
        if gateway_api:
            raise PlanError("gateway_credential_name works with route_api istio only for now")
        tls_ports = [
            p["port"]
            for p in svc.get("ports") or ()
            if p.get("port") == 443 or p.get("name") == "https"
        ]
        if not tls_ports:
            raise PlanError(
                "gateway Service %s/%s has no port 443 (or named https) for TLS from the load balancer"
                % (svc["namespace"], svc["name"])
            )
        port = tls_ports[0]
        b.warn(
            "TLS to the gateway: Secret %s must exist in namespace %s (istiod serves it as the gateway "
            "certificate); the Gateway matches any SNI on port %d, so no other Gateway may use that port "
            "on the same gateway (istioctl IST0145)" % (tls_secret, svc["namespace"], port)
        )
    gw_fqdn = "%s.%s.svc.%s" % (svc["name"], svc["namespace"], opts["cluster_domain"])
    any_lb = False
    for lb in _lbs(b, facts, opts):
        routes = [
            r
            for r in _routes_of(facts, lb, opts)
            if r["kind"] == "Ingress"
            and not all(be.get("istio_gateway") for be in r.get("backends") or [{}])
        ]
        other = [r for r in _routes_of(facts, lb, opts) if r["kind"] != "Ingress"]
        for r in other:
            b.warn(
                "%s (%s): only Ingress objects are re-pointed; point this route at %s:%d yourself"
                % (r["id"], r["kind"], gw_fqdn, port)
            )
        if not routes:
            continue
        backend_tls = (
            ((catalog.VENDORS_BY_ID[lb["vendor"]].get("plan") or {}).get("backend_tls"))
            if tls_secret
            else None
        )
        if tls_secret and not backend_tls:
            b.refuse(
                lb,
                "no-backend-tls",
                "the catalog has no verified way to make %s speak HTTPS to its backends"
                % lb["vendor"],
                "chain it without gateway_credential_name (plaintext inside the cluster), or configure its upstream TLS by hand",
            )
            continue
        for r in [r for r in routes if (r.get("rules") or {}).get("unsupported")]:
            b.warn(
                "%s has %s; re-point it by hand to %s:%d"
                % (r["id"], r["rules"]["unsupported"], gw_fqdn, port)
            )
        routes = [r for r in routes if not (r.get("rules") or {}).get("unsupported")]
        if not routes:
            continue
        any_lb = True
        if gateway_api:
            _gateway_api_routing(b, facts, opts, gateway_phase, svc, routes)
        else:
            gw_name = _dns_name("meshgate", lb["namespace"], lb["name"])
            _istio_routing(
                b, facts, opts, gateway_phase, gw, svc, lb["id"], routes, gw_name, port, tls_secret
            )
        for r in routes:
            host_keys = [k for k in (r.get("annotations") or {}) if k in _HOST_REWRITE_KEYS]
            if host_keys:
                b.warn(
                    "%s carries %s: the gateway would see the rewritten Host and match none of its "
                    "hosts; remove it (undo the standalone_mtls plan) before re-pointing"
                    % (r["id"], ", ".join(host_keys))
                )
            backend_name = svc["name"]
            if r["namespace"] != svc["namespace"]:
                # An Ingress can only name Services in its own namespace.
                backend_name = "meshgate-istio-gateway"
                bridge = _target("v1", "Service", backend_name, r["namespace"])
                b.patch(
                    gateway_phase,
                    bridge,
                    {
                        "apiVersion": "v1",
                        "kind": "Service",
                        "metadata": _meta(bridge, labels=MANAGED_LABEL),
                        "spec": {
                            "type": "ExternalName",
                            "externalName": gw_fqdn,
                            "ports": [{"name": "http", "port": port}],
                        },
                    },
                    "the Ingresses of namespace %s reach the Istio gateway through this ExternalName Service"
                    % r["namespace"],
                    LB_DOC,
                    {"restart": False, "traffic": "none"},
                    {"action": "delete"},
                    creates=True,
                )
            rules = copy.deepcopy((r.get("rules") or {}).get("rules") or [])
            new_rules = []
            for rule in rules:
                paths = [
                    {
                        "path": p.get("path") or "/",
                        "pathType": p.get("pathType") or "Prefix",
                        "backend": {"service": {"name": backend_name, "port": {"number": port}}},
                    }
                    for p in rule.get("paths") or ()
                ]
                out = {"http": {"paths": paths}}
                if rule.get("host"):
                    out["host"] = rule["host"]
                new_rules.append(out)
            spec = {}
            if new_rules:
                spec["rules"] = new_rules
            if (r.get("rules") or {}).get("default_backend"):
                spec["defaultBackend"] = {
                    "service": {"name": backend_name, "port": {"number": port}}
                }
            if not spec:
                b.warn("%s: no rules or default backend to re-point; left as is" % r["id"])
                continue
            target = _target(r["apiVersion"], "Ingress", r["name"], r["namespace"])
            b.patch(
                repoint,
                target,
                {
                    "apiVersion": r["apiVersion"],
                    "kind": "Ingress",
                    "metadata": _meta(target, annotations=(backend_tls or {}).get("annotations")),
                    "spec": spec,
                },
                "%s now sends to the Istio ingress gateway %s%s (was: %s)"
                % (
                    r["id"],
                    gw_fqdn,
                    " over TLS" if backend_tls else "",
                    ", ".join(
                        sorted(
                            {
                                "%s:%s" % (be["service"], be["port"])
                                for be in r.get("backends") or ()
                            }
                        )
                    ),
                ),
                LB_DOC,
                _atomic_risk(
                    {
                        "restart": False,
                        "traffic": "requests for these hosts now pass through the Istio gateway",
                    },
                    r,
                    "spec.rules",
                ),
                {
                    "action": "restore-field",
                    "fields": ["spec.rules", "spec.defaultBackend"]
                    + [
                        "metadata.annotations.%s" % k
                        for k in sorted((backend_tls or {}).get("annotations") or {})
                    ],
                    "restore": {"spec": _ingress_spec_from_rules(r.get("rules") or {})},
                },
            )
        if lb["vendor"] in ("traefik", "contour"):
            b.warn(
                "%s must allow ExternalName Services (Traefik: allowExternalNameServices; Contour: enableExternalNameService) for the cross-namespace bridge"
                % lb["vendor"]
            )
    if any_lb and gateway_api:
        b.patch(
            gateway_phase,
            gw["target"],
            gw["trust_manifest"],
            gw["trust_reason"],
            TOPO_DOC,
            {
                "restart": True,
                "traffic": "Istio (re)deploys the gateway pods with the new proxy config",
            },
            (
                {"action": "delete"}
                if gw["creates"]
                else {
                    "action": "remove-fields",
                    "fields": ["spec.infrastructure.annotations.proxy.istio.io/config"],
                }
            ),
            creates=gw["creates"],
        )
        # The Gateway goes first; the next phase waits for the Deployment istiod makes of it.
        gateway_phase["patches"].insert(0, gateway_phase["patches"].pop())
        t = gw["target"]
        gateway_phase["wait"] = [
            {
                "for": "rollout",
                "targets": ["Deployment/%s/%s-istio" % (t["namespace"], t["name"])],
                "timeout": 600,
            }
        ]
    elif any_lb:
        _trusted_proxies(
            b,
            facts,
            opts,
            gateway_phase,
            gw,
            opts["num_trusted_proxies"] or 1,
            "one in-cluster load balancer in front",
        )
    if any_lb:
        b.warn(
            "chained mode: the hop LB -> Istio gateway is plaintext HTTP inside the cluster; gateway -> backends is Istio mTLS."
        )


def _ingress_spec_from_rules(compact):
    rules = []
    for rule in compact.get("rules") or ():
        paths = [
            {
                "path": p.get("path"),
                "pathType": p.get("pathType"),
                "backend": {
                    "service": {
                        "name": p["service"],
                        "port": (
                            {"number": p["port"]}
                            if isinstance(p["port"], int)
                            else {"name": p["port"]}
                        ),
                    }
                },
            }
            for p in rule.get("paths") or ()
        ]
        out = {"http": {"paths": paths}}
        if rule.get("host"):
            out["host"] = rule["host"]
        rules.append(out)
    spec = {"rules": rules} if rules else {}
    d = compact.get("default_backend")
    if d:
        spec["defaultBackend"] = {
            "service": {
                "name": d["service"],
                "port": (
                    {"number": d["port"]} if isinstance(d["port"], int) else {"name": d["port"]}
                ),
            }
        }
    return spec


# --------------------------------------------------------------------------- gclb_chained (C, GKE)


def _plan_gclb(b, facts, opts):
    gw, svc = _pick_gateway(facts, opts)
    if opts["backend_protocol"] not in ("HTTP", "HTTPS", "HTTP2"):
        raise PlanError(
            "backend_protocol must be HTTP, HTTPS or HTTP2 (got %r)" % opts["backend_protocol"]
        )
    if opts["ingress_class"] not in ("gce", "gce-internal"):
        raise PlanError(
            "ingress_class must be gce or gce-internal (got %r)" % opts["ingress_class"]
        )
    if (
        _served(facts, "cloud.google.com", "BackendConfig") is False
        and not opts["gke_gateway_class"]
    ):
        raise PlanError(
            "BackendConfig (cloud.google.com) is not served: this is not a GKE cluster with the Ingress controller; gclb_chained needs GKE"
        )
    gateway_phase = b.phase(
        "gateway",
        "Health check on the gateway status port, NEG on the gateway Service, Istio routing, client-IP trust",
    )
    edge = b.phase("edge", "The Google load balancer in front of the Istio ingress gateway")
    ns = svc["namespace"]
    # Existing GKE Ingresses (standalone, to app Services) in scope are moved behind the gateway.
    moved = []
    existing = []
    gw_ref = "%s/%s" % (ns, svc["name"])
    for lb in _lbs(b, facts, opts, cloud=True):
        if lb["vendor"] != "gke-ingress":
            continue
        if lb["mode"] == "chained" and gw_ref in (lb.get("backends") or ()):
            existing.append(
                lb
            )  # already in front of this gateway: only its health check needs fixing
            continue
        moved += [r for r in _routes_of(facts, lb, opts) if r["kind"] == "Ingress"]
    if moved:
        _istio_routing(
            b, facts, opts, gateway_phase, gw, svc, "GKE Ingress", moved, "meshgate-gclb"
        )
    protocol = opts["backend_protocol"]
    port = (
        _gateway_http_port(svc)
        if protocol == "HTTP"
        else next((p["port"] for p in svc.get("ports") or () if p.get("port") == 443), 443)
    )
    port_name = next((p["name"] for p in svc.get("ports") or () if p.get("port") == port), None)
    anns = {"cloud.google.com/neg": '{"ingress": true}'}
    # An existing GKE load balancer whose health check already targets 15021 needs none.
    hc_ok = bool(existing) and all((lb.get("health_check") or {}).get("ok") for lb in existing)
    if opts["gke_gateway_class"]:
        _gke_gateway(b, facts, opts, edge, gateway_phase, svc, port)
    elif not hc_ok:
        anns["cloud.google.com/backend-config"] = '{"default": "meshgate-istio-gateway"}'
        bc_version = _api(facts, "cloud.google.com", "BackendConfig", "v1")
        bc = _target(bc_version, "BackendConfig", "meshgate-istio-gateway", ns)
        b.patch(
            gateway_phase,
            bc,
            {
                "apiVersion": bc_version,
                "kind": "BackendConfig",
                "metadata": _meta(bc, labels=MANAGED_LABEL),
                "spec": {
                    "healthCheck": {
                        "type": "HTTP",
                        "port": catalog.ISTIO_STATUS_PORT,
                        "requestPath": catalog.ISTIO_READY_PATH,
                    }
                },
            },
            "the Google health check targets the gateway status port 15021 /healthz/ready (traffic ports answer 404 until a route exists)",
            GCLB_DOC,
            {"restart": False, "traffic": "none"},
            {"action": "delete"},
            creates=True,
        )
    if protocol != "HTTP" and port_name:
        anns["cloud.google.com/app-protocols"] = json.dumps({port_name: protocol}, sort_keys=True)
    current = svc.get("annotations") or {}
    anns = {k: v for k, v in anns.items() if current.get(k) != v}
    if anns:
        target = _target("v1", "Service", svc["name"], ns)
        b.patch(
            gateway_phase,
            target,
            {"apiVersion": "v1", "kind": "Service", "metadata": _meta(target, annotations=anns)},
            "container-native load balancing (NEG) and the BackendConfig on the Istio gateway Service",
            GCLB_DOC,
            {"restart": False, "traffic": "GKE creates NEGs for the gateway pods"},
            {
                "action": "remove-fields",
                "fields": ["metadata.annotations.%s" % k for k in sorted(anns)],
                "restore": {
                    "metadata.annotations.%s" % k: current[k] for k in anns if k in current
                },
            },
        )
    if svc.get("type") == "LoadBalancer":
        b.warn(
            "the Istio gateway Service %s/%s is type LoadBalancer: it keeps its own L4 load "
            "balancer; switch it to ClusterIP (Helm: service.type) once the GKE load balancer serves"
            % (ns, svc["name"])
        )
    _trusted_proxies(
        b,
        facts,
        opts,
        gateway_phase,
        gw,
        opts["num_trusted_proxies"] or 1,
        "the Google L7 load balancer in front",
    )
    if existing and not moved and not opts["gke_gateway_class"]:
        b.warn(
            "kept the existing GKE load balancer(s) %s in front of the gateway; only the health check and NEG settings change"
            % ", ".join(lb["id"] for lb in existing)
        )
    elif not opts["gke_gateway_class"]:
        _gke_ingress(b, facts, opts, edge, svc, port, moved)
    if moved:
        b.warn(
            "the old GKE Ingresses (%s) still send to the apps directly; delete them once the new load balancer serves these hosts"
            % ", ".join(r["id"] for r in moved)
        )


def _gke_ingress(b, facts, opts, phase, svc, port, moved):
    ns = svc["namespace"]
    anns = {"kubernetes.io/ingress.class": opts["ingress_class"]}
    if opts["static_ip_name"]:
        anns["kubernetes.io/ingress.global-static-ip-name"] = opts["static_ip_name"]
    if opts["managed_certificate_domains"]:
        mc_version = _api(facts, "networking.gke.io", "ManagedCertificate", "v1")
        mc = _target(mc_version, "ManagedCertificate", "meshgate-gclb", ns)
        b.patch(
            phase,
            mc,
            {
                "apiVersion": mc_version,
                "kind": "ManagedCertificate",
                "metadata": _meta(mc, labels=MANAGED_LABEL),
                "spec": {"domains": sorted(opts["managed_certificate_domains"])},
            },
            "Google-managed certificate for %s"
            % ", ".join(sorted(opts["managed_certificate_domains"])),
            GCLB_DOC,
            {"restart": False, "traffic": "none"},
            {"action": "delete"},
            creates=True,
        )
        anns["networking.gke.io/managed-certificates"] = "meshgate-gclb"
    if opts["https_redirect"] or opts["ssl_policy"]:
        fc_version = _api(facts, "networking.gke.io", "FrontendConfig", "v1beta1")
        fc = _target(fc_version, "FrontendConfig", "meshgate-gclb", ns)
        spec = {}
        if opts["https_redirect"]:
            spec["redirectToHttps"] = {"enabled": True}
        if opts["ssl_policy"]:
            spec["sslPolicy"] = opts["ssl_policy"]
        b.patch(
            phase,
            fc,
            {
                "apiVersion": fc_version,
                "kind": "FrontendConfig",
                "metadata": _meta(fc, labels=MANAGED_LABEL),
                "spec": spec,
            },
            "HTTPS redirect / SSL policy on the Google front end",
            GCLB_DOC,
            {"restart": False, "traffic": "none"},
            {"action": "delete"},
            creates=True,
        )
        anns["networking.gke.io/v1beta1.FrontendConfig"] = "meshgate-gclb"
    hosts = sorted({h for r in moved for h in r.get("hosts") or ()})
    if opts["hosts"]:
        hosts = sorted(set(hosts) | set(opts["hosts"]))
    backend = {"service": {"name": svc["name"], "port": {"number": port}}}
    spec = {"defaultBackend": backend}
    if hosts:
        spec["rules"] = [
            {
                "host": h,
                "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]},
            }
            for h in hosts
        ]
    ing = _target("networking.k8s.io/v1", "Ingress", opts["ingress_name"], ns)
    b.patch(
        phase,
        ing,
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": _meta(ing, labels=MANAGED_LABEL, annotations=anns),
            "spec": spec,
        },
        "GKE Ingress (class %s) in front of the Istio ingress gateway" % opts["ingress_class"],
        GCLB_DOC,
        {"restart": False, "traffic": "a new Google load balancer and IP; DNS must point at it"},
        {"action": "delete"},
        creates=True,
    )


def _gke_gateway(b, facts, opts, edge, gateway_phase, svc, port):
    ns = svc["namespace"]
    klass = opts["gke_gateway_class"]
    if not klass.startswith("gke-l7-"):
        raise PlanError(
            "gke_gateway_class must be a GKE L7 GatewayClass (gke-l7-...), got %r" % klass
        )
    hcp_version = _api(facts, "networking.gke.io", "HealthCheckPolicy", "v1")
    hcp = _target(hcp_version, "HealthCheckPolicy", "meshgate-istio-gateway", ns)
    b.patch(
        gateway_phase,
        hcp,
        {
            "apiVersion": hcp_version,
            "kind": "HealthCheckPolicy",
            "metadata": _meta(hcp, labels=MANAGED_LABEL),
            "spec": {
                "default": {
                    "config": {
                        "type": "HTTP",
                        "httpHealthCheck": {
                            "port": catalog.ISTIO_STATUS_PORT,
                            "requestPath": catalog.ISTIO_READY_PATH,
                        },
                    }
                },
                "targetRef": {"group": "", "kind": "Service", "name": svc["name"]},
            },
        },
        "the GKE Gateway health check targets the gateway status port 15021 /healthz/ready (GKE does not derive it from probes)",
        GCLB_DOC,
        {"restart": False, "traffic": "none"},
        {"action": "delete"},
        creates=True,
    )
    gw_version = _api(facts, "gateway.networking.k8s.io", "Gateway", "v1")
    gw = _target(gw_version, "Gateway", "meshgate-gclb", ns)
    b.patch(
        edge,
        gw,
        {
            "apiVersion": gw_version,
            "kind": "Gateway",
            "metadata": _meta(gw, labels=MANAGED_LABEL),
            "spec": {
                "gatewayClassName": klass,
                "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}],
            },
        },
        "GKE Gateway (%s) in front of the Istio ingress gateway" % klass,
        GCLB_DOC,
        {"restart": False, "traffic": "a new Google load balancer and IP; DNS must point at it"},
        {"action": "delete"},
        creates=True,
    )
    rt_version = _api(facts, "gateway.networking.k8s.io", "HTTPRoute", "v1")
    rt = _target(rt_version, "HTTPRoute", "meshgate-gclb", ns)
    spec = {
        "parentRefs": [{"name": "meshgate-gclb"}],
        "rules": [{"backendRefs": [{"name": svc["name"], "port": port}]}],
    }
    if opts["hosts"]:
        spec["hostnames"] = sorted(opts["hosts"])
    b.patch(
        edge,
        rt,
        {
            "apiVersion": rt_version,
            "kind": "HTTPRoute",
            "metadata": _meta(rt, labels=MANAGED_LABEL),
            "spec": spec,
        },
        "the GKE Gateway sends everything to the Istio ingress gateway",
        GCLB_DOC,
        {"restart": False, "traffic": "none until DNS points at the new address"},
        {"action": "delete"},
        creates=True,
    )


# --------------------------------------------------------------------------- ambient (D)


def _plan_ambient(b, facts, opts):
    istio = facts.get("istio") or {}
    if not (istio.get("ambient") or {}).get("enabled"):
        raise PlanError(
            "ambient mode is not running in this cluster (no ztunnel DaemonSet found); install Istio with the ambient profile first"
        )
    phase = b.phase("enroll", "Enrol the load balancer pods in ambient, bypassing inbound capture")
    for lb in _lbs(b, facts, opts):
        if lb.get("host_network"):
            b.refuse(
                lb,
                "host-network",
                "%s shares the node network and cannot be enrolled in ambient" % lb["id"],
                "use mode chained",
            )
            continue
        current = lb.get("pod_template") or {"labels": {}, "annotations": {}}
        labels = (
            {}
            if current["labels"].get("istio.io/dataplane-mode") == "ambient"
            else {"istio.io/dataplane-mode": "ambient"}
        )
        anns = (
            {}
            if current["annotations"].get("ambient.istio.io/bypass-inbound-capture") == "true"
            else {"ambient.istio.io/bypass-inbound-capture": "true"}
        )
        if not labels and not anns:
            continue
        _pod_template_patch(
            b,
            phase,
            lb,
            catalog.VENDORS_BY_ID[lb["vendor"]],
            labels,
            anns,
            "%s joins ambient (ztunnel mTLS to the backends); inbound capture bypassed so clients reach it directly"
            % lb["id"],
            AMBIENT_DOC,
        )
    if phase["patches"]:
        phase["wait"] = [
            {
                "for": "rollout",
                "targets": sorted(
                    {
                        "%s/%s/%s"
                        % (p["target"]["kind"], p["target"]["namespace"], p["target"]["name"])
                        for p in phase["patches"]
                    }
                ),
                "timeout": 600,
            }
        ]
        b.warn(
            "ambient: pod-IP routing still skips Service-attached waypoints (L7 policy); set "
            "istio.io/ingress-use-waypoint on those Services or turn on the vendor's Service routing."
        )


# --------------------------------------------------------------------------- entry point

_PLANNERS = {
    "standalone": _plan_standalone,
    "standalone_mtls": _plan_standalone_mtls,
    "chained": _plan_chained,
    "gclb_chained": _plan_gclb,
    "ambient": _plan_ambient,
}


# Which Kubernetes / DNS naming rule each name-valued option follows (see names.RULES).
OPTION_NAME_RULES = (
    ("load_balancers", "workload_ref"),
    ("namespaces", "label"),
    ("hosts", "hostname"),
    ("revision", "label"),
    ("gateway", "namespaced_name"),
    ("gateway_credential_name", "subdomain"),
    ("cluster_domain", "domain"),
    ("static_ip_name", "label_1035"),  # Google Cloud resource names are RFC 1035 labels
    ("managed_certificate_domains", "domain"),  # ManagedCertificate takes no wildcards
    ("ssl_policy", "label_1035"),
    ("ingress_name", "subdomain"),
    ("gke_gateway_class", "subdomain"),
)


def validate_options(options):
    """Raise PlanError naming every bad option value; called before anything is read."""
    problems = names.check_all(
        (key, options.get(key), rule)
        for key, rule in OPTION_NAME_RULES
        if options.get(key) is not None
    )
    if options.get("route_api") not in (None, "istio", "gateway-api"):
        problems.append("route_api: must be istio or gateway-api, not %r" % options["route_api"])
    proxies = options.get("num_trusted_proxies")
    if proxies is not None and (not isinstance(proxies, int) or proxies < 0):
        problems.append("num_trusted_proxies: must be a whole number >= 0, not %r" % (proxies,))
    version = options.get("istio_api_version")
    if version is not None and not re.match(r"^v[0-9]+((alpha|beta)[0-9]+)?$", str(version)):
        problems.append(
            "istio_api_version: %r is not a Kubernetes API version (v1, v1beta1, v1alpha3)"
            % (version,)
        )
    if problems:
        raise PlanError("; ".join(problems))


def plan(facts, mode, options=None):
    """Compute the plan for one cluster. Raises PlanError for a request that cannot be planned."""
    if mode not in _PLANNERS:
        raise PlanError("unknown mode %r; choose one of: %s" % (mode, ", ".join(MODES)))
    if not isinstance(facts, dict) or "load_balancers" not in facts or "istio" not in facts:
        raise PlanError(
            "facts must be the result of meshgate.istio_lb.lb_info (keys load_balancers, routes, istio)"
        )
    if facts.get("detail") == "summary" or "routes" not in facts:
        # Planning patches routes one by one; a summary only counts them.
        raise PlanError(
            "facts are a summary without routes (lb_info's default detail: summary); plan from "
            "lb_info with detail: full or from a detect_load_balancers result, or let the lb_plan "
            "module read the cluster itself - leave facts out (one task, and faster than "
            "handing facts over)"
        )
    opts = dict(DEFAULT_OPTIONS)
    unknown = sorted(set(options or {}) - set(DEFAULT_OPTIONS))
    if unknown:
        raise PlanError("unknown plan option(s): %s" % ", ".join(unknown))
    opts.update({k: v for k, v in (options or {}).items() if v is not None})
    validate_options(opts)
    b = _Builder(facts, mode, opts)
    _PLANNERS[mode](b, facts, opts)
    result = b.result()
    missing = unserved_kinds(facts, result)
    if missing:
        raise PlanError(
            "mode %s needs kinds this cluster does not serve: %s; install %s, or choose another "
            "mode or option (nothing was planned)"
            % (
                mode,
                ", ".join("%s (%s)" % (kind, group) for group, kind in missing),
                ", ".join(sorted({_CRD_SOURCE.get(g, "the CRDs of %s" % g) for g, _k in missing})),
            )
        )
    return result


# Where the CRDs of each group a plan may write come from (for the missing-CRD error).
_CRD_SOURCE = {
    "security.istio.io": "Istio (istioctl install or the istio/base chart)",
    "networking.istio.io": "Istio (istioctl install or the istio/base chart)",
    "gateway.networking.k8s.io": "the Gateway API CRDs (standard channel)",
    "cloud.google.com": "nothing: these CRDs exist only on GKE with its Ingress controller",
    "networking.gke.io": "nothing: these CRDs exist only on GKE (enable the Gateway API / managed certificates)",
    "gateway.envoyproxy.io": "Envoy Gateway's CRDs",
}


def unserved_kinds(facts, the_plan):
    """(group, kind) of every manifest in the plan that live discovery says is not served.

    Offline (discovery unknown) nothing is reported; lb_apply's server-side dry run still
    catches it there. Live, this turns a 404 half way through an apply into one error up front.
    """
    apis = (facts.get("cluster_facts") or {}).get("apis")
    if apis is None:
        return []
    missing = set()
    for ph in the_plan["phases"]:
        for patch in ph["patches"]:
            group = patch["manifest"]["apiVersion"].rpartition("/")[0]
            kind = patch["manifest"]["kind"]
            if "%s/%s" % (group, kind) not in apis:
                missing.add((group, kind))
    return sorted(missing)


def plan_files(the_plan):
    """The plan as files (relative path, text), for review, GitOps or istioctl analyze.

    plan.json, one manifest per patch under manifests/ (numbered in apply order), and under
    gitops/ the kustomize patch and Helm values for every target owned by a GitOps tool.
    """
    import yaml

    def dump(obj):
        return yaml.safe_dump(obj, sort_keys=True, default_flow_style=False)

    files = [("plan.json", json.dumps(the_plan, sort_keys=True, indent=2) + "\n")]
    for ph in the_plan["phases"]:
        for p in ph["patches"]:
            t = p["target"]
            name = _dns_name(p["id"], ph["name"], t["kind"], t.get("namespace"), t["name"])
            files.append(("manifests/%s.yaml" % name, dump(p["manifest"])))
    for i, item in enumerate(the_plan.get("gitops") or (), 1):
        t = item["target"]
        base = _dns_name("%02d" % i, t["kind"], t.get("namespace"), t["name"])
        files.append(("gitops/%s-kustomize-patch.yaml" % base, dump(item["kustomize_patch"])))
        if item.get("helm_values"):
            files.append(("gitops/%s-helm-values.yaml" % base, dump(item["helm_values"])))
    return files
