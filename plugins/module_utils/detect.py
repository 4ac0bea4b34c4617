# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Detection and diagnosis: plain Kubernetes objects in, a compact inventory + findings out.

Pure functions over dicts. The same code serves live clusters (objects reduced page by page
by inventory.reduce_object), offline snapshots and filters. Vendor knowledge comes from
catalog.py; finding texts from findings.py.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from sys import intern

from ansible_collections.meshgate.istio_lb.plugins.module_utils import catalog
from ansible_collections.meshgate.istio_lb.plugins.module_utils import inventory as _inventory
from ansible_collections.meshgate.istio_lb.plugins.module_utils.findings import (
    make_finding,
    sort_findings,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.inventory import (
    PATCHED_KINDS,
    group_of,
    labels_match,
    normalise_image,
    reduce_object,
)

try:
    import jmespath

    HAS_JMESPATH = True
except ImportError:  # pragma: no cover - reported by the module
    jmespath = None
    HAS_JMESPATH = False

try:
    import yaml

    HAS_YAML = True
except ImportError:  # pragma: no cover
    yaml = None
    HAS_YAML = False

WORKLOAD_KINDS = ("Deployment", "DaemonSet", "StatefulSet")
LEGACY_GROUPS = {
    ("extensions", "Deployment"): ("apps", "Deployment"),
    ("extensions", "DaemonSet"): ("apps", "DaemonSet"),
    ("extensions", "ReplicaSet"): ("apps", "ReplicaSet"),
    ("extensions", "Ingress"): ("networking.k8s.io", "Ingress"),
}
# Gateway API before v1beta1 lived in this group; old clusters and snapshots still carry it.
OLD_GATEWAY_API = "networking.x-k8s.io"
DEFAULT_OPTIONS = {"cluster_domain": "cluster.local", "namespaces": None, "vendors": None}
MODES = ("standalone", "chained", "mixed", "unknown")


# --------------------------------------------------------------------------- helpers


# The catalog's most common expression shapes - one annotation, or one annotation equal to a
# string - evaluated directly: they run for every route (bench/: a third of detection's
# JMESPath time at 5,000 Ingresses). Same answers as JMESPath (a unit test compares them).
_ANNOTATION_EXPR = re.compile(r"""^metadata\.annotations\."([^"\\]+)"(?: == '([^'\\]*)')?$""")


class _AnnotationLookup:
    __slots__ = ("key", "value")

    def __init__(self, key, value):
        self.key, self.value = key, value

    def search(self, obj):
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        anns = meta.get("annotations") if isinstance(meta, dict) else None
        found = anns.get(self.key) if isinstance(anns, dict) else None
        return found if self.value is None else found == self.value


class _JMESPathExpression:
    """A compiled expression evaluated by one shared interpreter. jmespath's own search()
    builds a TreeInterpreter per call whose method cache refers back to it: a reference cycle
    per evaluation, which with the cyclic GC paused (the modules pause it) is never freed
    (bench/: 8.6 MB at 20,000 routes). Same answers: search() is exactly visit() on a fresh
    interpreter with default options."""

    __slots__ = ("parsed",)
    _interpreter = None

    def __init__(self, expr):
        self.parsed = jmespath.compile(expr).parsed

    def search(self, obj):
        if _JMESPathExpression._interpreter is None:
            from jmespath import visitor

            _JMESPathExpression._interpreter = visitor.TreeInterpreter()
        return _JMESPathExpression._interpreter.visit(self.parsed, obj)


@lru_cache(maxsize=None)
def _compiled(expr):
    simple = _ANNOTATION_EXPR.match(expr)
    if simple:
        return _AnnotationLookup(simple.group(1), simple.group(2))
    return _JMESPathExpression(expr)


def jp(expr, obj):
    """Evaluate a catalog JMESPath expression; errors count as 'no match'."""
    try:
        return _compiled(expr).search(obj)
    except Exception:  # noqa: BLE001 - a bad match on odd data must not abort detection
        return None


@lru_cache(maxsize=None)
def _regex(pattern):
    return re.compile(pattern)


def ref(obj):
    meta = obj.get("metadata") or {}
    out = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "name": meta.get("name")}
    if meta.get("namespace"):
        out["namespace"] = meta["namespace"]
    return out


def obj_id(obj):
    meta = obj.get("metadata") or {}
    if meta.get("namespace"):
        return "%s/%s/%s" % (obj.get("kind"), meta["namespace"], meta.get("name"))
    return "%s/%s" % (obj.get("kind"), meta.get("name"))


def _labels(obj):
    return (obj.get("metadata") or {}).get("labels") or {}


def _annotations(obj):
    return (obj.get("metadata") or {}).get("annotations") or {}


def _ns(obj):
    return (obj.get("metadata") or {}).get("namespace")


def _name(obj):
    return (obj.get("metadata") or {}).get("name")


def _template(obj):
    return ((obj.get("spec") or {}).get("template")) or {}


def _tmpl_labels(obj):
    return (_template(obj).get("metadata") or {}).get("labels") or {}


def _tmpl_annotations(obj):
    return (_template(obj).get("metadata") or {}).get("annotations") or {}


def _containers(obj, init=True):
    spec = _template(obj).get("spec") or (obj.get("spec") if obj.get("kind") == "Pod" else {}) or {}
    out = list(spec.get("containers") or ())
    if init:
        out += list(spec.get("initContainers") or ())
    return out


def workload_readiness(wl):
    """(desired, ready) replicas of a workload. ready is None unless the cluster reported it
    (offline manifests carry no status; status only counts once its controller has observed
    the object). A DaemonSet's desired count is what its controller scheduled."""
    spec = wl.get("spec") or {}
    status = wl.get("status") or {}
    observed = "observedGeneration" in status
    if wl.get("kind") == "DaemonSet":
        desired = status.get("desiredNumberScheduled") if observed else None
        ready = status.get("numberReady", 0) if observed else None
    else:
        desired = spec.get("replicas")
        # readyReplicas is left out of the status when it is 0.
        ready = status.get("readyReplicas", 0) if observed else None
    return desired, ready


def _host_network(obj):
    return bool((_template(obj).get("spec") or {}).get("hostNetwork"))


def selector_matches(selector, labels):
    """Service-style selector (all pairs present in labels); empty selects nothing."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _dict(value):
    """value if it is a mapping, else {} (annotations are free text and may hold anything)."""
    return value if isinstance(value, dict) else {}


def _parse_proxy_config(text):
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


def _truthy(value):
    return str(value).strip().lower() in ("true", "1", "yes", "on")


# --------------------------------------------------------------------------- index


class Index:
    """Objects grouped by (group, kind) and by (group, kind, namespace, name)."""

    def __init__(self, objects, reduce=True):
        self.by_kind = {}
        self.by_key = {}
        self.by_ns = {}
        self._cache = {}
        self.reduce = reduce
        # API groups / kinds the server serves (live reads fill these from discovery;
        # offline they stay empty and mean "unknown").
        self.api_groups = set()
        self.served = {}
        self.add(objects)

    def add(self, objects):
        reduce = self.reduce
        for obj in objects:
            if not isinstance(obj, dict) or not obj.get("kind"):
                continue
            if not (obj.get("metadata") or {}).get("name"):
                continue  # not a complete object (e.g. a golden-file fragment)
            if reduce:
                obj = reduce_object(obj)
            gk = (group_of(obj.get("apiVersion")), obj["kind"])
            # Objects from old dumps (extensions/v1beta1) are read as their current group.
            gk = LEGACY_GROUPS.get(gk, gk)
            key = gk + (_ns(obj), _name(obj))
            # One object per key, the last one wins - what applying the files in order does.
            self.by_kind.setdefault(gk, {})[key] = obj
            self.by_key[key] = obj
            self.by_ns.setdefault(gk + (_ns(obj),), {})[key] = obj
        self._cache = {}

    def kind(self, group, kind):
        key = (group, kind)
        if key not in self._cache:
            self._cache[key] = tuple(self.by_kind.get(key, {}).values())
        return self._cache[key]

    def in_namespace(self, group, kind, namespace):
        key = (group, kind, namespace)
        if key not in self._cache:
            self._cache[key] = tuple(self.by_ns.get(key, {}).values())
        return self._cache[key]

    def _pair_index(self, name, namespace, items, pairs_of):
        """{(label key, value): [objects]} for one namespace, built once per run from
        ``items()``."""
        key = (name, namespace)
        if key not in self._cache:
            index = {}
            for obj in items():
                for pair in (pairs_of(obj) or {}).items():
                    index.setdefault(pair, []).append(obj)
            self._cache[key] = index
        return self._cache[key]

    def workloads_selected(self, namespace, selector):
        """Workloads whose pod template labels match a Service-style selector (indexed: a
        namespace with thousands of workloads and Services stays linear)."""
        if not selector:
            return []
        # items are listed only when the index is built (once per namespace, not per call).
        index = self._pair_index(
            "wl-labels", namespace, lambda: self.workloads_in(namespace), _tmpl_labels
        )
        candidates = min((index.get(pair, ()) for pair in selector.items()), key=len)
        return [w for w in candidates if selector_matches(selector, _tmpl_labels(w))]

    def services_selecting_labels(self, namespace, labels):
        """Services of a namespace whose selector matches these pod labels (indexed)."""
        index = self._pair_index(
            "svc-selectors",
            namespace,
            lambda: self.in_namespace("", "Service", namespace),
            lambda s: (s.get("spec") or {}).get("selector"),
        )
        seen = {}
        for pair in (labels or {}).items():
            for svc in index.get(pair, ()):
                seen[id(svc)] = svc
        return [
            s
            for s in seen.values()
            if selector_matches((s.get("spec") or {}).get("selector"), labels)
        ]

    def workloads_in(self, namespace):
        for kind in WORKLOAD_KINDS:
            yield from self.in_namespace("apps", kind, namespace)

    def get(self, group, kind, namespace, name):
        return self.by_key.get((group, kind, namespace, name))

    def workloads(self):
        for kind in WORKLOAD_KINDS:
            yield from self.kind("apps", kind)


# --------------------------------------------------------------------------- Istio


def _istio_inventory(idx):
    istiods = []
    ztunnels = []
    gateways = []
    for wl in idx.workloads():
        labels = _tmpl_labels(wl) or _labels(wl)
        images = [normalise_image(c.get("image")) for c in _containers(wl)]
        if any(_regex(p).search(i) for p in catalog.ISTIO["ztunnel_images"] for i in images):
            ztunnels.append(wl)
            continue
        if any(_regex(p).search(i) for p in catalog.ISTIO["istiod_images"] for i in images) or any(
            labels_match(w, labels) for w in catalog.ISTIO["istiod_labels"]
        ):
            istiods.append(wl)
            continue
        if is_istio_gateway_workload(wl):
            gateways.append(wl)

    revisions = set()
    tags = set()
    for wl in istiods:
        revisions.add(
            _labels(wl).get("istio.io/rev") or _tmpl_labels(wl).get("istio.io/rev") or "default"
        )
    injector_webhooks = []
    for hook in idx.kind("admissionregistration.k8s.io", "MutatingWebhookConfiguration"):
        names = [w.get("name") or "" for w in hook.get("webhooks") or ()]
        if any(n.endswith("sidecar-injector.istio.io") for n in names):
            injector_webhooks.append(hook)
            labels = _labels(hook)
            if labels.get("istio.io/tag"):
                tags.add(labels["istio.io/tag"])
            elif labels.get("istio.io/rev"):
                revisions.add(labels["istio.io/rev"])

    istio_groups = ("networking.istio.io", "security.istio.io")
    crds = any(g in istio_groups for g, _k in idx.by_kind) or any(
        g in istio_groups for g in idx.api_groups
    )
    control_ns = _ns(istiods[0]) if istiods else None
    mesh = _mesh_config(idx, control_ns)
    root_ns = mesh.get("rootNamespace") or control_ns or "istio-system"

    namespaces = {}
    ambient_ns = []
    for ns in idx.kind("", "Namespace"):
        labels = _labels(ns)
        entry = {}
        if "istio-injection" in labels:
            entry["injection"] = labels["istio-injection"]
        if labels.get("istio.io/rev"):
            entry["revision"] = labels["istio.io/rev"]
        if labels.get("istio.io/dataplane-mode") == "ambient":
            entry["ambient"] = True
            ambient_ns.append(_name(ns))
        if (ns.get("status") or {}).get("phase") == "Terminating" or (ns.get("metadata") or {}).get(
            "deletionTimestamp"
        ):
            entry["terminating"] = True
        namespaces[_name(ns)] = entry

    pas = []
    for pa in idx.kind("security.istio.io", "PeerAuthentication"):
        spec = pa.get("spec") or {}
        selector = (spec.get("selector") or {}).get("matchLabels")
        scope = "workload" if selector else ("mesh" if _ns(pa) == root_ns else "namespace")
        pas.append(
            {
                "namespace": _ns(pa),
                "name": _name(pa),
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

    gw_out = []
    for wl in gateways:
        svcs = services_selecting(idx, wl)
        pc = _parse_proxy_config(_tmpl_annotations(wl).get("proxy.istio.io/config"))
        ntp = _dict(pc.get("gatewayTopology")).get("numTrustedProxies") or _dict(
            _dict(mesh.get("defaultConfig")).get("gatewayTopology")
        ).get("numTrustedProxies")
        gw_out.append(
            {
                "kind": wl.get("kind"),
                "namespace": _ns(wl),
                "name": _name(wl),
                "labels": {
                    k: v
                    for k, v in _tmpl_labels(wl).items()
                    if k in ("app", "istio", "istio.io/rev")
                },
                "num_trusted_proxies": ntp,
                "apiVersion": wl.get("apiVersion"),
                "proxy_config": _tmpl_annotations(wl).get("proxy.istio.io/config"),
                "services": [_service_summary(s) for s in svcs],
            }
        )
    # Gateway Services whose workload is not in the objects (partial snapshots).
    seen = {(g["namespace"], s["name"]) for g in gw_out for s in g["services"]}
    for svc in idx.kind("", "Service"):
        if (_ns(svc), _name(svc)) in seen:
            continue
        selector = (svc.get("spec") or {}).get("selector") or {}
        if any(labels_match(w, selector) for w in catalog.ISTIO["gateway_labels"]):
            gw_out.append(
                {
                    "kind": None,
                    "namespace": _ns(svc),
                    "name": None,
                    "labels": selector,
                    "num_trusted_proxies": None,
                    "apiVersion": None,
                    "proxy_config": None,
                    "services": [_service_summary(svc)],
                }
            )
    gw_out.sort(key=lambda g: (g["namespace"] or "", g["name"] or ""))

    installed = bool(istiods or injector_webhooks or ztunnels)
    api_svc = idx.get("", "Service", "default", "kubernetes")
    return {
        "_api_server_ip": ((api_svc or {}).get("spec") or {}).get("clusterIP"),
        "_gateway_pods": [(_ns(w), _tmpl_labels(w)) for w in gateways],
        "installed": installed,
        "crds_present": crds,
        "control_plane_namespace": control_ns,
        "root_namespace": root_ns,
        "istiod": ["%s/%s" % (_ns(w), _name(w)) for w in istiods],
        "revisions": sorted(revisions) if installed else [],
        "tags": sorted(tags),
        "namespaces": namespaces,
        "peer_authentications": pas,
        "mesh_mtls_mode": mesh_mode,
        "mesh_config": {
            "hold_application_until_proxy_starts": bool(
                _dict(mesh.get("defaultConfig")).get("holdApplicationUntilProxyStarts")
            ),
            "num_trusted_proxies": (
                _dict(_dict(mesh.get("defaultConfig")).get("gatewayTopology"))
            ).get("numTrustedProxies"),
        },
        "gateways": gw_out,
        "ambient": {
            "enabled": bool(ztunnels),
            "ztunnel": ["%s/%s" % (_ns(w), _name(w)) for w in ztunnels],
            "namespaces": sorted(ambient_ns),
        },
    }


def _mesh_config(idx, control_ns):
    for cm in idx.kind("", "ConfigMap"):
        if _name(cm) in ("istio",) and (control_ns is None or _ns(cm) == control_ns):
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
    labels = _tmpl_labels(wl) or _labels(wl)
    # Gateway labels and the proxy image are among the signals singled_out() matches: the
    # thousands of application workloads skip the checks below.
    if _inventory.singled_out(labels, _containers(wl)):
        if any(labels_match(w, labels) for w in catalog.ISTIO["gateway_labels"]):
            return True
        for c in _containers(wl, init=False):
            image = normalise_image(c.get("image"))
            if any(_regex(p).search(image) for p in catalog.ISTIO["proxy_images"]):
                args = c.get("args") or []
                if "router" in args:
                    return True
    # Gateway Helm chart: image "auto" + gateway injection template.
    if _tmpl_annotations(wl).get("inject.istio.io/templates") == "gateway":
        return True
    return False


def _service_summary(svc):
    spec = svc.get("spec") or {}
    ports = spec.get("ports") or []
    out = {
        "name": _name(svc),
        "namespace": _ns(svc),
        "type": spec.get("type") or "ClusterIP",
        "ports": [
            {"name": p.get("name"), "port": p.get("port"), "targetPort": p.get("targetPort")}
            for p in ports
        ],
        "status_port": any(p.get("port") == catalog.ISTIO_STATUS_PORT for p in ports),
    }
    anns = catalog.reported_annotations(_annotations(svc))
    if anns:
        out["annotations"] = anns
    if spec.get("externalTrafficPolicy"):
        out["external_traffic_policy"] = spec["externalTrafficPolicy"]
    if spec.get("loadBalancerClass"):
        out["load_balancer_class"] = spec["loadBalancerClass"]
    return out


def services_selecting(idx, wl):
    labels = _tmpl_labels(wl)
    ns = _ns(wl)
    out = idx.services_selecting_labels(ns, labels)
    order = {"LoadBalancer": 0, "NodePort": 1, "ClusterIP": 2}
    out.sort(
        key=lambda s: (order.get((s.get("spec") or {}).get("type") or "ClusterIP", 3), _name(s))
    )
    return out


# --------------------------------------------------------------------------- injection state


def injection_state(wl, istio):
    """Is a sidecar intended for this workload's pods, and why (or why not)."""
    ns = _ns(wl)
    ns_info = istio["namespaces"].get(ns, {})
    labels = _tmpl_labels(wl)
    anns = _tmpl_annotations(wl)
    # The injector webhooks select on the label; the deprecated annotation can only disable.
    pod_inject = labels.get("sidecar.istio.io/inject")
    if pod_inject is None and anns.get("sidecar.istio.io/inject") is not None:
        if not _truthy(anns["sidecar.istio.io/inject"]):
            pod_inject = anns["sidecar.istio.io/inject"]
    ambient = (
        labels.get("istio.io/dataplane-mode") == "ambient"
        or (ns_info.get("ambient") and labels.get("istio.io/dataplane-mode") != "none")
    ) and istio["installed"]
    state = {"injection": "none", "source": None, "revision": None, "ambient": bool(ambient)}
    if _host_network(wl):
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
    if pod_inject is not None and not _truthy(pod_inject):
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
    if pod_inject is not None and _truthy(pod_inject):
        state.update(
            injection="enabled", source="pod label sidecar.istio.io/inject=true", revision="default"
        )
        return state
    return state


def _pods_of(idx, wl):
    selector = ((wl.get("spec") or {}).get("selector") or {}).get("matchLabels") or _tmpl_labels(wl)
    ns = _ns(wl)
    return [p for p in idx.in_namespace("", "Pod", ns) if selector_matches(selector, _labels(p))]


def _pod_has_proxy(pod):
    if "sidecar.istio.io/status" in _annotations(pod):
        return True
    spec = pod.get("spec") or {}
    return any(
        c.get("name") == "istio-proxy"
        for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
    )


# --------------------------------------------------------------------------- workload LBs


def classify_workload(wl):
    """Match a workload against the catalog: (vendor id, role, evidence) or (None, None, [])."""
    labels = _tmpl_labels(wl) or _labels(wl)
    containers = _containers(wl)
    # One cached regex and a few label lookups rule out an application workload; only those
    # singled_out() by some vendor or Istio signal go through the catalog entry by entry.
    if not _inventory.singled_out(labels, containers):
        return None, None, []
    images = [normalise_image(c.get("image")) for c in containers]
    best = None
    for entry in catalog.VENDORS:
        evidence = []
        roles = set()
        decided = None
        for sig in entry.get("workload_signals", ()):
            if "image" in sig:
                hits = [i for i in images if _regex(sig["image"]).search(i)]
                if not hits:
                    continue
                if "with_image" in sig and not any(
                    _regex(sig["with_image"]).search(i) for i in images
                ):
                    continue
                evidence.append("container image %s" % hits[0])
                roles.add(sig["role"])
            elif "labels" in sig and labels_match(sig["labels"], labels):
                if sig.get("decides_role"):
                    decided = sig["role"]
                evidence.append(
                    "pod labels %s"
                    % ", ".join("%s=%s" % (k, labels[k]) for k in sorted(sig["labels"]))
                )
                roles.add(sig["role"])
        if not evidence:
            continue
        score = sum(3 if e.startswith("container image") else 2 for e in evidence)
        if best is None or score > best[0]:
            best = (score, entry["id"], roles, evidence, decided)
    if best is None:
        return None, None, []
    roles = best[2]
    if best[4]:
        role = best[4]
    elif "data-plane" in roles:
        role = "data-plane"
    elif "all-in-one" in roles:
        role = "all-in-one"
    else:
        role = "control-plane"
    return best[1], role, best[3]


def _class_args(wl, entry):
    """Class names / controller classes the workload's args or env declare."""
    keys = entry.get("class_args") or {}
    found = {"ingress_class": [], "controller_class": []}
    for c in _containers(wl, init=False):
        args = list(c.get("args") or []) + list(c.get("command") or [])
        env = {e.get("name"): e.get("value") for e in c.get("env") or ()}
        for what, names in keys.items():
            for name in names:
                if name in env and env[name]:
                    found[what].append(env[name])
                for i, arg in enumerate(args):
                    if not isinstance(arg, str):
                        continue
                    if arg.startswith(name + "="):
                        found[what].append(arg.split("=", 1)[1])
                    elif arg == name and i + 1 < len(args):
                        found[what].append(str(args[i + 1]))
    return found


def _configmap_ref(wl, entry, idx=None):
    """namespace/name of the controller ConfigMap that holds the global routing switch."""
    spec = (entry.get("service_routing") or {}).get("configmap")
    if not spec:
        return None
    for c in _containers(wl, init=False):
        for arg in c.get("args") or []:
            if isinstance(arg, str) and arg.startswith(spec["arg"] + "="):
                ref_ = arg.split("=", 1)[1].replace("$(POD_NAMESPACE)", _ns(wl) or "")
                ns, _sep, name = ref_.rpartition("/")
                out = {
                    "namespace": ns or _ns(wl),
                    "name": name,
                    "key": spec["key"],
                    "value": spec["value"],
                }
                cm = idx.get("", "ConfigMap", out["namespace"], name) if idx is not None else None
                if cm is not None and spec["key"] in (cm.get("data") or {}):
                    out["current"] = cm["data"][spec["key"]]  # for undo
                return out
    return None


def _configmap_switch(idx, wl, entry):
    """Global Service-routing switch in the controller ConfigMap, or None if unknown."""
    ref_ = _configmap_ref(wl, entry, idx)
    if ref_ is None or idx.get("", "ConfigMap", ref_["namespace"], ref_["name"]) is None:
        return None
    return ref_.get("current") == ref_["value"]


def _workload_lbs(idx, istio):
    lbs = []
    controllers = []
    for wl in idx.workloads():
        if is_istio_gateway_workload(wl):
            continue
        vendor_id, role, evidence = classify_workload(wl)
        if not vendor_id:
            continue
        entry = catalog.vendor(vendor_id)
        item = {"wl": wl, "vendor": vendor_id, "role": role, "evidence": evidence, "entry": entry}
        if entry["kind"] == "cloud" or role == "control-plane":
            controllers.append(item)
        else:
            lbs.append(item)
    # Control planes without a data plane in their namespace still represent an install.
    planes = {(i["vendor"], _ns(i["wl"])) for i in lbs}
    for item in controllers:
        if (
            item["entry"]["kind"] == "in-cluster"
            and (item["vendor"], _ns(item["wl"])) not in planes
        ):
            if not any(i["vendor"] == item["vendor"] for i in lbs):
                lbs.append(item)
    return lbs, controllers


# --------------------------------------------------------------------------- routes


def _ingress_classes(idx):
    out = {}
    for ic in idx.kind("networking.k8s.io", "IngressClass"):
        controller = (ic.get("spec") or {}).get("controller")
        out[_name(ic)] = {
            "controller": controller,
            "vendor": catalog.vendor_for_ingress_controller(controller),
            "default": _truthy(
                _annotations(ic).get("ingressclass.kubernetes.io/is-default-class", "false")
            ),
        }
    return out


def _gateway_classes(idx):
    out = {}
    for gc in idx.kind("gateway.networking.k8s.io", "GatewayClass") + idx.kind(
        OLD_GATEWAY_API, "GatewayClass"
    ):
        controller = (gc.get("spec") or {}).get("controllerName")
        out[_name(gc)] = catalog.vendor_for_gateway_controller(controller)
    return out


def _gateway_class_vendor(name, gclasses):
    if not name:
        return None, False
    if name in gclasses:
        return gclasses[name], False
    if name in catalog.ISTIO["gateway_class_names"]:
        return "istio", True
    for entry in catalog.VENDORS:
        if any(name.startswith(p) for p in entry.get("gateway_class_prefixes", ())):
            return entry["id"], True
    return None, False


def _resolve_ingress_vendor(idx, ing, classes, lb_classes):
    """(vendor, inferred, candidates, class_name, evidence) for an Ingress."""
    spec = ing.get("spec") or {}
    anns = _annotations(ing)
    klass = spec.get("ingressClassName")
    source = "spec.ingressClassName"
    if not klass and anns.get("kubernetes.io/ingress.class"):
        klass = anns["kubernetes.io/ingress.class"]
        source = "annotation kubernetes.io/ingress.class"
    if not klass:
        defaults = [n for n, c in classes.items() if c["default"]]
        if len(defaults) == 1:
            klass = defaults[0]
            source = "default IngressClass"
    if klass and klass in classes and classes[klass]["vendor"]:
        return (
            classes[klass]["vendor"],
            False,
            [],
            klass,
            # The same text for every route of a class: one string, not one per route.
            intern("IngressClass %s controller %s" % (klass, classes[klass]["controller"])),
        )
    by_annotation = catalog.vendors_for_annotations(anns)
    candidates = []
    if klass and klass in lb_classes and len(lb_classes[klass]) == 1:
        return (
            lb_classes[klass][0],
            True,
            [],
            klass,
            "class %s served by a detected controller" % klass,
        )
    if klass:
        candidates = catalog.vendors_for_class_name(klass)
    if klass and len(candidates) == 1:
        return candidates[0], True, [], klass, "class name %s (%s) by convention" % (klass, source)
    if candidates:
        narrowed = [c for c in candidates if c in by_annotation]
        if len(narrowed) == 1:
            return (
                narrowed[0],
                True,
                [],
                klass,
                "class %s and %s annotations" % (klass, narrowed[0]),
            )
        return (
            None,
            True,
            candidates,
            klass,
            "class %s is used by %s" % (klass, ", ".join(candidates)),
        )
    if len(by_annotation) == 1:
        return by_annotation[0], True, [], klass, "vendor annotations (%s)" % by_annotation[0]
    if len(by_annotation) > 1:
        return None, True, by_annotation, klass, "annotations of several vendors"
    if not klass:
        for b in _ingress_backends(ing):
            svc = idx.get("", "Service", _ns(ing), b["service"])
            svc_anns = _annotations(svc) if svc else {}
            for entry in catalog.VENDORS:
                prefixes = entry.get("backend_service_annotation_prefixes", ())
                hit = sorted(k for k in svc_anns if any(k.startswith(p) for p in prefixes))
                if hit:
                    return (
                        entry["id"],
                        True,
                        [],
                        klass,
                        "backend Service %s has %s" % (b["service"], hit[0]),
                    )
    return None, False, [], klass, None


def _ingress_backends(ing):
    spec = ing.get("spec") or {}
    out = []
    backends = []
    if spec.get("defaultBackend"):
        backends.append(spec["defaultBackend"])
    if spec.get("backend"):  # extensions/v1beta1 shape in old dumps
        backends.append(spec["backend"])
    for rule in spec.get("rules") or ():
        for path in ((rule.get("http") or {}).get("paths")) or ():
            backends.append(path.get("backend") or {})
    for b in backends:
        svc = b.get("service")
        if svc:
            port = svc.get("port") or {}
            out.append({"service": svc.get("name"), "port": port.get("number", port.get("name"))})
        elif b.get("serviceName"):
            out.append({"service": b["serviceName"], "port": b.get("servicePort")})
    return out


def _parse_service_ref(value, namespace):
    """Emissary-style 'scheme://name.ns:port' -> (service, namespace, port)."""
    if not isinstance(value, str):
        return None
    value = value.split("://", 1)[-1].split("/", 1)[0]
    host, _sep, port = value.partition(":")
    parts = host.split(".")
    name = parts[0]
    ns = parts[1] if len(parts) > 1 and parts[1] != "svc" else namespace
    return name, ns, int(port) if port.isdigit() else (port or None)


def _route_backends(route, raw_backends):
    ns = _ns(route)
    out = []
    seen = set()
    for b in raw_backends or ():
        if not isinstance(b, dict):
            continue
        svc = b.get("service")
        port = b.get("port")
        bns = b.get("namespace") or ns
        if isinstance(svc, str) and ("." in svc or "://" in svc or ":" in svc):
            parsed = _parse_service_ref(svc, ns)
            if parsed:
                svc, bns, p2 = parsed
                port = port or p2
        if not svc:
            continue
        key = (bns, svc, port)
        if key in seen:
            continue
        seen.add(key)
        out.append({"namespace": bns, "service": svc, "port": port})
    return out


def _gateway_api_backends(route):
    raw = []
    for rule in (route.get("spec") or {}).get("rules") or ():
        for b in rule.get("backendRefs") or ():
            if (b.get("kind") or "Service") == "Service" and not b.get("group"):
                raw.append(
                    {
                        "service": b.get("name"),
                        "port": b.get("port"),
                        "namespace": b.get("namespace"),
                    }
                )
    return raw


# Route kinds in the order detection collects them. The order only breaks ties between
# routes of the same namespace, kind and name (HTTPRoute exists in both Gateway API groups,
# VirtualService in Istio and Gloo): routes are sorted by (namespace, kind, name, rank).
ROUTE_KINDS = (
    (
        ("networking.k8s.io", "Ingress"),
        ("gateway.networking.k8s.io", "Gateway"),
        (OLD_GATEWAY_API, "Gateway"),
    )
    + tuple(
        ("gateway.networking.k8s.io", k) for k in ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute")
    )
    + ((OLD_GATEWAY_API, "HTTPRoute"),)
    + tuple(tuple(gk.split("/", 1)) for gk in sorted(catalog.route_kinds()))
    + (("networking.istio.io", "VirtualService"),)
)
_ROUTE_RANK = {gk: i for i, gk in enumerate(ROUTE_KINDS)}
# The route kinds judged a page at a time (live, LISTed as detection goes): all but the Gateways,
# which the other kinds' routes attach to, so they are read with the rest of the cluster.
STREAMED_ROUTE_KINDS = tuple(gk for gk in ROUTE_KINDS if gk[1] != "Gateway")


def _route_context(idx, classes, gclasses, lb_classes):
    """What judging a route of any kind needs from the rest of the cluster."""
    gateways = {}
    old_gateways = []
    for gw in idx.kind("gateway.networking.k8s.io", "Gateway") + idx.kind(
        OLD_GATEWAY_API, "Gateway"
    ):
        klass = (gw.get("spec") or {}).get("gatewayClassName")
        if group_of(gw.get("apiVersion")) == OLD_GATEWAY_API:
            old_gateways.append(gw)
        gateways[(_ns(gw), _name(gw))] = _gateway_class_vendor(klass, gclasses) + (klass,)
    return {
        "idx": idx,
        "classes": classes,
        "gclasses": gclasses,
        "lb_classes": lb_classes,
        "gateways": gateways,
        "old_gateways": old_gateways,
    }


def _routes_of(ctx, group, kind, objects):
    """Route records for some objects of one route kind (a page of them, or all)."""
    rank = _ROUTE_RANK[(group, kind)]
    if (group, kind) == ("networking.k8s.io", "Ingress"):
        make = _ingress_route
    elif kind == "Gateway":
        make = _gateway_route
    elif group == "gateway.networking.k8s.io":
        make = _gateway_api_route
    elif group == OLD_GATEWAY_API:
        make = _old_gateway_api_route
    elif (group, kind) == ("networking.istio.io", "VirtualService"):
        make = _virtual_service_route
    else:
        gk = "%s/%s" % (group, kind)
        vendor, spec = catalog.route_kind_vendor(gk)

        def make(ctx, obj):
            raw = jp(spec["backends"], obj) or []
            hosts = [h for h in (jp(spec.get("hosts", "[]"), obj) or []) if isinstance(h, str)]
            return _route(
                obj, vendor, False, [], None, hosts, _route_backends(obj, raw), "kind %s" % gk
            )

    routes = []
    for obj in objects:
        route = make(ctx, obj)
        if route is not None:
            route["_key"] = (route["namespace"] or "", route["kind"], route["name"] or "", rank)
            routes.append(route)
    return routes


def _ingress_route(ctx, ing):
    vendor, inferred, candidates, klass, why = _resolve_ingress_vendor(
        ctx["idx"], ing, ctx["classes"], ctx["lb_classes"]
    )
    hosts = [r.get("host") for r in (ing.get("spec") or {}).get("rules") or () if r.get("host")]
    return _route(
        ing,
        vendor,
        inferred,
        candidates,
        klass,
        hosts,
        _route_backends(ing, _ingress_backends(ing)),
        why,
    )


def _gateway_route(ctx, gw):
    klass = (gw.get("spec") or {}).get("gatewayClassName")
    vendor, inferred = _gateway_class_vendor(klass, ctx["gclasses"])
    hosts = [
        ls.get("hostname")
        for ls in (gw.get("spec") or {}).get("listeners") or ()
        if ls.get("hostname")
    ]
    return _route(gw, vendor, inferred, [], klass, hosts, [], "GatewayClass %s" % klass)


def _gateway_api_route(ctx, rt):
    vendors = []
    parents = []
    for p in (rt.get("spec") or {}).get("parentRefs") or ():
        if (p.get("kind") or "Gateway") != "Gateway":
            continue
        key = (p.get("namespace") or _ns(rt), p.get("name"))
        parents.append("%s/%s" % key)
        if key in ctx["gateways"]:
            vendors.append(ctx["gateways"][key])
    vendor = vendors[0][0] if vendors else None
    inferred = vendors[0][1] if vendors else False
    klass = vendors[0][2] if vendors else None
    route = _route(
        rt,
        vendor,
        inferred,
        [],
        klass,
        (rt.get("spec") or {}).get("hostnames") or [],
        _route_backends(rt, _gateway_api_backends(rt)),
        "parent Gateway %s" % ", ".join(parents) if parents else None,
    )
    route["parents"] = parents
    return route


def _old_gateway_api_route(ctx, rt):
    """Gateway API v1alpha1 (networking.x-k8s.io): Gateways select routes, routes use
    forwardTo."""
    parents = [
        gw
        for gw in ctx["old_gateways"]
        if any(
            (ls.get("routes") or {}).get("kind", "HTTPRoute") == "HTTPRoute"
            and (
                ((ls.get("routes") or {}).get("namespaces") or {}).get("from") == "All"
                or _ns(gw) == _ns(rt)
            )
            for ls in (gw.get("spec") or {}).get("listeners") or ()
        )
    ]
    raw = [
        {"service": f.get("serviceName"), "port": f.get("port")}
        for rule in (rt.get("spec") or {}).get("rules") or ()
        for f in rule.get("forwardTo") or ()
        if f.get("serviceName")
    ]
    first = ctx["gateways"].get((_ns(parents[0]), _name(parents[0]))) if parents else None
    route = _route(
        rt,
        first[0] if first else None,
        first[1] if first else False,
        [],
        first[2] if first else None,
        (rt.get("spec") or {}).get("hostnames") or [],
        _route_backends(rt, raw),
        (
            "selected by Gateway %s" % ", ".join("%s/%s" % (_ns(g), _name(g)) for g in parents)
            if parents
            else None
        ),
    )
    route["parents"] = ["%s/%s" % (_ns(g), _name(g)) for g in parents]
    return route


def _virtual_service_route(ctx, vs):
    spec = vs.get("spec") or {}
    gws = [g for g in spec.get("gateways") or () if g != "mesh"]
    if not gws:
        return None  # a mesh-internal VirtualService is not a route into the mesh
    raw = []
    for section in ("http", "tls", "tcp"):
        for r in spec.get(section) or ():
            for d in r.get("route") or ():
                dest = d.get("destination") or {}
                port = (dest.get("port") or {}).get("number")
                raw.append({"service": dest.get("host"), "port": port})
    route = _route(
        vs,
        "istio",
        False,
        [],
        None,
        spec.get("hosts") or [],
        _route_backends(vs, raw),
        "Istio VirtualService",
    )
    route["parents"] = gws
    return route


def _route(obj, vendor, inferred, candidates, klass, hosts, backends, why):
    out = {
        "id": obj_id(obj),
        "apiVersion": obj.get("apiVersion"),
        "kind": obj.get("kind"),
        "namespace": _ns(obj),
        "name": _name(obj),
        "vendor": vendor,
        "vendor_inferred": bool(inferred and vendor),
        "class": klass,
        "hosts": sorted(set(hosts)),
        "backends": backends,
        "served_by": [],
    }
    if candidates:
        out["vendor_candidates"] = sorted(candidates)
    if why:
        out["vendor_evidence"] = why
    anns = catalog.reported_annotations(_annotations(obj))
    if anns:
        out["annotations"] = anns
    managers = (obj.get("metadata") or {}).get("managers")
    if managers:
        out["managers"] = managers
    spec_owners = (obj.get("metadata") or {}).get("spec_owners")
    if spec_owners:
        out["spec_owners"] = spec_owners
    if obj.get("kind") == "Ingress":
        out["rules"] = _ingress_rules(obj)
    else:
        _vid, spec = catalog.route_kind_vendor(
            "%s/%s" % (group_of(obj.get("apiVersion")), obj.get("kind"))
        )
        if spec and spec.get("plan_fields"):
            # Atomic lists a plan must send whole (server-side apply replaces them).
            out["spec"] = {f: (obj.get("spec") or {}).get(f) for f in spec["plan_fields"]}
    out["_obj"] = obj
    return out


def _ingress_rules(ing):
    """Ingress spec reduced to what re-pointing needs (spec.rules is an atomic list)."""
    spec = ing.get("spec") or {}
    out = {"rules": []}
    for rule in spec.get("rules") or ():
        if not rule.get("http"):
            out["unsupported"] = "a rule without http paths"
        paths = []
        for p in ((rule.get("http") or {}).get("paths")) or ():
            svc = (p.get("backend") or {}).get("service") or {}
            port = svc.get("port") or {}
            if (p.get("backend") or {}).get("resource"):
                out["unsupported"] = "a resource backend"
            paths.append(
                {
                    "path": p.get("path"),
                    "pathType": p.get("pathType"),
                    "service": svc.get("name") or (p.get("backend") or {}).get("serviceName"),
                    "port": (
                        port.get("number", port.get("name"))
                        if port
                        else (p.get("backend") or {}).get("servicePort")
                    ),
                }
            )
        out["rules"].append({"host": rule.get("host"), "paths": paths})
    default = spec.get("defaultBackend") or spec.get("backend")
    if default:
        svc = default.get("service") or {}
        port = svc.get("port") or {}
        out["default_backend"] = {
            "service": svc.get("name") or default.get("serviceName"),
            "port": port.get("number", port.get("name")) if port else default.get("servicePort"),
        }
    if spec.get("tls"):
        out["tls"] = spec["tls"]
    return out


# --------------------------------------------------------------------------- backends


def _selects_gateway(istio, namespace, selector):
    """Does a Service-style selector pick Istio gateway pods (detected or by convention)?"""
    if any(labels_match(w, selector) for w in catalog.ISTIO["gateway_labels"]):
        return True
    return any(
        ns == namespace and selector_matches(selector, labels)
        for ns, labels in istio["_gateway_pods"]
    )


def _annotate_backends(idx, routes, istio, cluster_domain, gw_services):
    """Link each route backend to its Service, and say whether it is an Istio gateway's
    (``gw_services``: the (namespace, name) of every gateway Service)."""
    # ExternalName Services that lead to a gateway (how an Ingress reaches another namespace).
    gw_hosts = {"%s.%s" % (name, ns) for ns, name in gw_services}
    for route in routes:
        for b in route["backends"]:
            svc_name = b["service"]
            # Istio VirtualService hosts may be FQDNs.
            if isinstance(svc_name, str) and "." in svc_name:
                parts = svc_name.split(".")
                b["service"], b["namespace"] = parts[0], (
                    parts[1] if len(parts) > 1 else b["namespace"]
                )
            svc = idx.get("", "Service", b["namespace"], b["service"])
            b["istio_gateway"] = (b["namespace"], b["service"]) in gw_services
            external = ((svc or {}).get("spec") or {}).get("externalName") or ""
            if external and ".".join(external.split(".")[:2]) in gw_hosts:
                b["istio_gateway"] = True
                b["via"] = "ExternalName %s" % external
            if svc is None:
                mcs = idx.get(
                    "networking.gke.io", "MultiClusterService", b["namespace"], b["service"]
                )
                if mcs is not None:
                    sel = (((mcs.get("spec") or {}).get("template") or {}).get("spec") or {}).get(
                        "selector"
                    ) or {}
                    b["istio_gateway"] = _selects_gateway(istio, b["namespace"], sel)
                    b["multi_cluster_service"] = True
                b["found"] = False
                continue
            b["found"] = True
            b["headless"] = (svc.get("spec") or {}).get("clusterIP") == "None"
            b["fqdn"] = "%s.%s.svc.%s" % (b["service"], b["namespace"], cluster_domain)
            selector = (svc.get("spec") or {}).get("selector") or {}
            b["selector"] = selector or None
            _svc, wls = _backend_workloads(idx, b["namespace"], b["service"])
            if wls and istio["installed"]:
                wl = wls[0]
                inj = injection_state(wl, istio)
                b["in_mesh"] = inj["injection"] == "enabled" or inj["ambient"]
                b["target_port"] = _target_port(svc, b["port"], wl)
                b["mtls_mode"], b["mtls_policy"] = effective_mtls(
                    istio, b["namespace"], _tmpl_labels(wl), b["target_port"]
                )


def _backend_workloads(idx, ns, svc_name):
    """(Service, workloads it selects) - memoised per run (routes share backends), sorted so
    the answer never depends on input order."""
    key = ("backend-workloads", ns, svc_name)
    if key not in idx._cache:
        svc = idx.get("", "Service", ns, svc_name)
        if svc is None:
            idx._cache[key] = (None, [])
        else:
            wls = idx.workloads_selected(ns, (svc.get("spec") or {}).get("selector"))
            idx._cache[key] = (svc, sorted(wls, key=lambda w: (w.get("kind"), _name(w))))
    return idx._cache[key]


def _target_port(svc, port, wl):
    """Container port behind a Service port (PeerAuthentication portLevelMtls uses it)."""
    for p in (svc.get("spec") or {}).get("ports") or ():
        if port in (p.get("port"), p.get("name")) or (port is None and p):
            target = p.get("targetPort", p.get("port"))
            if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
                return int(target)
            for c in _containers(wl, init=False):
                for cp in c.get("ports") or ():
                    if cp.get("name") == target:
                        return cp.get("containerPort")
            return None
    return None


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


# --------------------------------------------------------------------------- service routing


def _eval_any(exprs, obj):
    return any(bool(jp(e, obj)) for e in exprs or ())


def route_service_routing(idx, route, entry, wl=None):
    """True / False / None (vendor has no switch or nothing to evaluate) for one route."""
    sr = entry.get("service_routing") or {}
    obj = route["_obj"]
    if (
        obj.get("kind") in ("Gateway",)
        and group_of(obj.get("apiVersion")) == "gateway.networking.k8s.io"
    ):
        return None
    if sr.get("cluster"):
        for spec in sr["cluster"]:
            gk, expr = spec.split(":", 1)
            group, kind = gk.split("/", 1)
            if any(jp(expr, o) for o in idx.kind(group, kind)):
                return True
        return sr.get("default", False)
    if _eval_any(sr.get("route"), obj):
        return True
    if wl is not None and _workload_switch_on(idx, wl, entry):
        return True
    if sr.get("backend_service") and route["backends"]:
        svcs = [idx.get("", "Service", b["namespace"], b["service"]) for b in route["backends"]]
        if all(s is not None and _eval_any(sr["backend_service"], s) for s in svcs):
            return True
    if sr.get("switch") is None and "switch" in sr:
        return None
    return bool(sr.get("default", False))


def _workload_switch_on(idx, wl, entry):
    """Does the LB itself turn Service routing on for every route (its arguments, or the key in
    its ConfigMap)? The same answer for all the routes it serves: worked out once per LB."""
    key = ("workload-switch", id(wl), entry.get("id"))
    if key not in idx._cache:
        sr = entry.get("service_routing") or {}
        idx._cache[key] = bool(
            _eval_any(sr.get("workload"), {"args": _all_args(wl)})
            or _configmap_switch(idx, wl, entry)
        )
    return idx._cache[key]


def route_host_rewrite(idx, route, entry):
    hr = entry.get("host_rewrite") or {}
    if _eval_any(hr.get("route"), route["_obj"]):
        return True
    if hr.get("backend_service") and route["backends"]:
        svcs = [idx.get("", "Service", b["namespace"], b["service"]) for b in route["backends"]]
        return all(s is not None and _eval_any(hr["backend_service"], s) for s in svcs)
    return False


def _all_args(wl):
    out = []
    for c in _containers(wl, init=False):
        out += [str(a).lower() for a in (c.get("args") or [])]
    return out


# --------------------------------------------------------------------------- cloud LBs


def _cloud_health_check(idx, vendor_id, lb_obj, gw_service):
    """(ok, actual description) for a cloud LB's health check against the gateway Service."""
    entry = catalog.vendor(vendor_id)
    hc = entry.get("health_check") or {}
    svc = idx.get("", "Service", gw_service["namespace"], gw_service["service"])
    if svc is None:
        svc = idx.get(
            "networking.gke.io",
            "MultiClusterService",
            gw_service["namespace"],
            gw_service["service"],
        )
    svc_anns = _annotations(svc) if svc else {}
    if vendor_id == "gke-ingress":
        value = svc_anns.get("cloud.google.com/backend-config") or svc_anns.get(
            "beta.cloud.google.com/backend-config"
        )
        if not value:
            return (
                False,
                "derived by GKE (readiness probe or GET / on the serving port): no BackendConfig",
            )
        try:
            cfg = json.loads(value)
        except ValueError:
            return False, "unparsable cloud.google.com/backend-config annotation %r" % value
        names = []
        port = gw_service.get("port")
        ports = cfg.get("ports") or {}
        if port is not None and str(port) in {str(k) for k in ports}:
            names = [v for k, v in ports.items() if str(k) == str(port)]
        elif cfg.get("default"):
            names = [cfg["default"]]
        else:
            names = list(ports.values())
        for name in names:
            bc = idx.get("cloud.google.com", "BackendConfig", gw_service["namespace"], name)
            if bc is None:
                return False, "BackendConfig %s/%s not found" % (gw_service["namespace"], name)
            h = (bc.get("spec") or {}).get("healthCheck") or {}
            if (
                h.get("port") != catalog.ISTIO_STATUS_PORT
                or h.get("requestPath") != catalog.ISTIO_READY_PATH
            ):
                return False, "BackendConfig %s: port %s path %s" % (
                    name,
                    h.get("port"),
                    h.get("requestPath"),
                )
        return bool(names), (
            "BackendConfig %s" % ", ".join(names) if names else "no BackendConfig for the port"
        )
    if vendor_id == "gke-gateway":
        for pol in idx.kind("networking.gke.io", "HealthCheckPolicy"):
            spec = pol.get("spec") or {}
            target = spec.get("targetRef") or {}
            if (
                target.get("kind") == "Service"
                and target.get("name") == gw_service["service"]
                and _ns(pol) == gw_service["namespace"]
            ):
                cfg = ((spec.get("default") or {}).get("config")) or {}
                h = (
                    cfg.get("httpHealthCheck")
                    or cfg.get("httpsHealthCheck")
                    or cfg.get("http2HealthCheck")
                    or {}
                )
                ok = (
                    h.get("port") == catalog.ISTIO_STATUS_PORT
                    and h.get("requestPath") == catalog.ISTIO_READY_PATH
                )
                return ok, "HealthCheckPolicy %s: port %s path %s" % (
                    _name(pol),
                    h.get("port"),
                    h.get("requestPath"),
                )
        return False, "no HealthCheckPolicy (GKE Gateway defaults to GET / on the serving port)"
    port_key = hc.get("port_annotation")
    path_key = hc.get("path_annotation")
    anns = dict(svc_anns)
    if lb_obj is not None and lb_obj.get("kind") != "Service":
        anns.update(_annotations(lb_obj))
    port = anns.get(port_key) if port_key else None
    path = anns.get(path_key) if path_key else None
    ok = (port_key is None or str(port) in (str(catalog.ISTIO_STATUS_PORT), "status-port")) and (
        path_key is None or path == catalog.ISTIO_READY_PATH
    )
    return ok, "port %s path %s" % (port or "traffic-port (default)", path or "/ (default)")


def _signal_matches(signal, svc):
    anns = _annotations(svc)
    if "annotation_prefix" in signal:
        return any(k.startswith(signal["annotation_prefix"]) for k in anns)
    if "annotation" in signal:
        value = anns.get(signal["annotation"])
    else:
        value = jp(signal["field"], svc)
    return isinstance(value, str) and value.strip() in signal["values"]


def _service_cloud_vendor(svc):
    if ((svc.get("spec") or {}).get("type")) != "LoadBalancer":
        return None
    for entry in catalog.VENDORS:
        if any(_signal_matches(sig, svc) for sig in entry.get("service_signals", ())):
            return entry["id"]
    return None


# --------------------------------------------------------------------------- main entry


def detect(objects, options=None, route_pages=None):
    """Detect LBs, routes and Istio from plain objects, and diagnose them.

    Returns {"load_balancers", "routes", "istio", "findings", "summary"}; deterministic.
    ``route_pages(group, kind)``: where the objects of STREAMED_ROUTE_KINDS come from, a list
    of (reduced) objects at a time, when the index does not hold them (a live read passes its
    paginated LISTs, so the route objects are never all in memory; their route records are).
    The answer does not depend on how the routes are paged.
    """
    idx = objects if isinstance(objects, Index) else Index(objects)
    return _detect(idx, route_pages or _index_pages(idx), options, keep_routes=True)


def detect_summary(objects, options=None, route_pages=None):
    """``summarize(detect(objects))`` without ever holding every route.

    Routes are judged a page at a time and only what the summary reports is kept per load
    balancer (counts, the backend names, the findings), so memory grows with the cluster's
    workloads and Services, not with its routes. ``route_pages`` as for detect(); without it
    the index's own route objects are judged 500 at a time.
    """
    idx = objects if isinstance(objects, Index) else Index(objects)
    return _detect(idx, route_pages or _index_pages(idx, 500), options, keep_routes=False)


def _index_pages(idx, size=None):
    def pages(group, kind):
        items = idx.kind(group, kind)
        step = size or len(items) or 1
        for start in range(0, len(items), step):
            yield items[start : start + step]

    return pages


def _route_key(route):
    return route["_key"]


def _detect(idx, route_pages, options, keep_routes):
    opts = dict(DEFAULT_OPTIONS)
    opts.update({k: v for k, v in (options or {}).items() if v is not None})
    istio = _istio_inventory(idx)
    classes = _ingress_classes(idx)
    gclasses = _gateway_classes(idx)
    wl_lbs, controllers = _workload_lbs(idx, istio)

    lb_classes = {}
    for item in wl_lbs + controllers:
        args = _class_args(item["wl"], item["entry"])
        names = set(args["ingress_class"])
        for name, c in classes.items():
            if c["vendor"] == item["vendor"]:
                ctrl = args["controller_class"]
                if not ctrl or c["controller"] in ctrl:
                    names.add(name)
        item["classes"] = sorted(names)
        for n in names:
            lb_classes.setdefault(n, [])
            if item["vendor"] not in lb_classes[n]:
                lb_classes[n].append(item["vendor"])

    # Scope filters apply to what is reported; linking sees everything (routes keep their
    # served_by whatever the scope).
    ns_scope = set(opts["namespaces"]) if opts["namespaces"] else None
    vendor_scope = set(opts["vendors"]) if opts["vendors"] else None

    def in_scope(ns, vendor):
        return (ns_scope is None or ns in ns_scope) and (
            vendor_scope is None or vendor in vendor_scope
        )

    ctx = _route_context(idx, classes, gclasses, lb_classes)
    # The Gateways come first: routes of the other kinds attach to them, and the Service
    # istiod deploys for an istio-class Gateway API Gateway ("<name>-istio") is a gateway's.
    gateway_routes = _routes_of(
        ctx,
        "gateway.networking.k8s.io",
        "Gateway",
        idx.kind("gateway.networking.k8s.io", "Gateway"),
    ) + _routes_of(ctx, OLD_GATEWAY_API, "Gateway", idx.kind(OLD_GATEWAY_API, "Gateway"))
    gw_services = {(s["namespace"], s["name"]) for g in istio["gateways"] for s in g["services"]}
    for r in gateway_routes:
        if r["vendor"] == "istio" and (r["apiVersion"] or "").startswith(
            "gateway.networking.k8s.io/"
        ):
            gw_services.add((r["namespace"], "%s-istio" % r["name"]))

    findings = []
    lb_states = [_lb_start(idx, item, istio, controllers, findings, keep_routes) for item in wl_lbs]
    cloud = _cloud_start(wl_lbs)
    kept = []
    routes_in_scope = 0

    def judge(routes):
        nonlocal routes_in_scope
        _annotate_backends(idx, routes, istio, opts["cluster_domain"], gw_services)
        routes.sort(key=_route_key)
        for state in lb_states:
            _lb_take_routes(idx, state, routes, istio)
        _cloud_take_routes(idx, cloud, routes, istio, controllers, findings)
        _route_findings(idx, routes, findings)
        for r in routes:
            r.pop("_obj", None)
            if in_scope(r["namespace"], r["vendor"]):
                routes_in_scope += 1
                if keep_routes:
                    kept.append(r)

    judge(gateway_routes)
    for group, kind in STREAMED_ROUTE_KINDS:
        for page in route_pages(group, kind):
            judge(_routes_of(ctx, group, kind, page))

    load_balancers = [_lb_finish(state, istio, findings, keep_routes) for state in lb_states]
    load_balancers += _cloud_finish(idx, cloud, istio, controllers, findings, keep_routes)
    _global_findings(idx, istio, wl_lbs, load_balancers, findings)

    load_balancers = [lb for lb in load_balancers if in_scope(lb["namespace"], lb["vendor"])]
    findings = [
        f
        for f in findings
        if (ns_scope is None or f["object"].get("namespace") in ns_scope)
        and (
            vendor_scope is None
            or f["args"].get("vendor") in vendor_scope
            or "vendor" not in f["args"]
        )
    ]
    kept.sort(key=_route_key)
    for r in kept:
        del r["_key"]
    load_balancers.sort(key=lambda lb: (lb["namespace"] or "", lb["kind"], lb["name"] or ""))
    findings = sort_findings(findings)
    summary = {
        "load_balancers": len(load_balancers),
        "routes": routes_in_scope,
        "vendors": sorted({lb["vendor"] for lb in load_balancers}),
        "modes": {m: sum(1 for lb in load_balancers if lb["mode"] == m) for m in MODES},
        "findings": {
            lvl: sum(1 for f in findings if f["level"] == lvl)
            for lvl in ("Error", "Warning", "Info")
        },
    }
    cluster_facts = {
        "api_server_ip": istio["_api_server_ip"],
        # Served versions of the kinds plans create (live only; null offline = unknown).
        "apis": (
            {
                "%s/%s" % (g, k): idx.served[(g, k)]
                for g, k in sorted(PATCHED_KINDS)
                if (g, k) in idx.served
            }
            if idx.served
            else None
        ),
    }
    istio = {k: v for k, v in istio.items() if not k.startswith("_")}
    lb_ids = {lb["id"] for lb in load_balancers}
    controller_list = sorted(
        (
            {
                "id": obj_id(c["wl"]),
                "vendor": c["vendor"],
                "kind": c["wl"].get("kind"),
                "namespace": _ns(c["wl"]),
                "name": _name(c["wl"]),
                "role": c["role"],
                "evidence": c["evidence"],
            }
            for c in controllers
            if obj_id(c["wl"]) not in lb_ids and in_scope(_ns(c["wl"]), c["vendor"])
        ),
        key=lambda c: (c["namespace"] or "", c["kind"], c["name"] or ""),
    )
    out = {
        "detail": "full" if keep_routes else "summary",
        "cluster_facts": cluster_facts,
        "load_balancers": load_balancers,
        "controllers": controller_list,
        "routes": kept,
        "istio": istio,
        "findings": findings,
        "summary": summary,
    }
    if not keep_routes:
        del out["routes"]
    return out


# The keys of a detect() result, plus the `cluster` the modules add.
FACT_KEYS = (
    "detail",
    "cluster",
    "cluster_facts",
    "load_balancers",
    "controllers",
    "routes",
    "istio",
    "findings",
    "summary",
)
# How much of a detect() result a module returns (lb_info's detail option).
DETAILS = ("summary", "full")
# Per-LB lists that grow with the number of routes; a summary carries their lengths instead.
_PER_ROUTE_LB_KEYS = (("routes", "route_count"), ("backends", "backend_count"))


def summarize(result):
    """A detect() result without its per-route detail.

    Every route costs ~1 KB of result, and Ansible copies, scrubs and serialises a module's
    result several times (bench/: 6.2 MB at 5,000 Ingresses was 40% of lb_info's time). The
    summary keeps the load balancers (their route and backend lists become counts), Istio, the
    findings (one per broken route at most, so it grows with what is wrong, not with every
    route) and the counts, and drops `routes`; plan() refuses it, because plans need routes.
    """
    out = {k: v for k, v in result.items() if k != "routes"}
    out["detail"] = "summary"
    lbs = []
    for lb in result.get("load_balancers") or ():
        lb = dict(lb)
        _lists_to_counts(lb)
        lbs.append(lb)
    out["load_balancers"] = lbs
    return out


def _lists_to_counts(lb, route_count=None):
    """A load balancer's per-route lists become their lengths (in place); a summary's counts
    stay as they are. ``route_count``: the count, when the list was never kept."""
    for key, count_key in _PER_ROUTE_LB_KEYS:
        if key in lb or count_key not in lb:
            value = lb.pop(key, None)
            lb[count_key] = (
                route_count if key == "routes" and route_count is not None else len(value or ())
            )


def _lb_start(idx, item, istio, controllers, findings, keep_routes):
    """What a workload LB's result needs before its routes are seen, and its findings that
    do not depend on routes. Routes are then taken a page at a time (_lb_take_routes) and
    the result made at the end (_lb_finish)."""
    wl = item["wl"]
    entry = item["entry"]
    ns = _ns(wl)
    svcs = services_selecting(idx, wl)
    service = _service_summary(svcs[0]) if svcs else None
    if service:
        cloud = _service_cloud_vendor(svcs[0])
        if cloud:
            service["cloud_lb"] = cloud
    inj = injection_state(wl, istio)
    pods = _pods_of(idx, wl)
    injected = None
    if pods:
        injected = all(_pod_has_proxy(p) for p in pods)
    anns = _tmpl_annotations(wl)
    inbound_off = anns.get("traffic.sidecar.istio.io/includeInboundPorts") == ""
    pc = _parse_proxy_config(anns.get("proxy.istio.io/config"))
    hold = (
        bool(pc.get("holdApplicationUntilProxyStarts"))
        or istio["mesh_config"]["hold_application_until_proxy_starts"]
    )
    sidecar_intended = inj["injection"] == "enabled"
    sidecar = {
        "injection": inj["injection"],
        "injection_source": inj["source"],
        "revision": inj["revision"],
        "injected": injected,
        "pods_observed": len(pods),
        "ambient": inj["ambient"],
        "inbound_capture": ("off" if inbound_off else "on") if sidecar_intended else "n/a",
        "hold_application_until_proxy_starts": hold if sidecar_intended else None,
    }
    if inj["ambient"]:
        sidecar["bypass_inbound_capture"] = _truthy(
            anns.get("ambient.istio.io/bypass-inbound-capture", "false")
        )
    label = "%s %s/%s" % (wl.get("kind"), ns, _name(wl))
    state = {
        "item": item,
        "id": obj_id(wl),
        "service": service,
        "sidecar": sidecar,
        "anns": anns,
        "sidecar_intended": sidecar_intended,
        "in_mesh": sidecar_intended or inj["ambient"],
        "ambient": inj["ambient"],
        "label": label,
        "controllers": sorted(
            "%s/%s/%s" % (c["wl"].get("kind"), _ns(c["wl"]), _name(c["wl"]))
            for c in controllers
            if c["vendor"] == item["vendor"] and c is not item
        ),
        "config_map": _configmap_ref(wl, entry, idx),
        "owner": (
            _tmpl_labels(wl).get("gateway.envoyproxy.io/owning-gateway-name")
            if item["vendor"] == "envoy-gateway"
            else None
        ),
        # Taken from the routes, page by page:
        "route_keys": [] if keep_routes else None,  # (route key, id) when routes are kept
        "route_count": 0,
        "backend_count": 0,
        "backend_names": set(),
        # (namespace, service) -> ((route key, backend index), backend): the first in route
        # order, as MG0013 reports each gateway name once, for the first backend reaching it.
        "to_gateway": {},
        "to_gateway_count": 0,
        "routing": [0, 0],  # routes judged for Service routing, routes with it on
        # Findings about routes that hold unless the LB turns out chained, and the STRICT
        # backends (MG0001) by (namespace, service, port) -> (route key, finding): reported
        # once, on the first route in route order, whichever page it came in.
        "unless_chained": [],
        "strict": {},
    }

    args = {"lb": label, "vendor": item["vendor"]}
    if entry.get("retired"):
        findings.append(make_finding("MG0008", ref(wl), retired=entry["retired"], **args))
    _misplaced_annotation_findings(wl, findings)
    _helper_job_findings(idx, item, istio, findings)
    if item["role"] == "control-plane":
        # Only the control plane is in the input: sidecar and routing findings concern the
        # data-plane pods, which are not there to check.
        return state
    lb_ref = ref(wl)
    if _host_network(wl):
        findings.append(make_finding("MG0004", lb_ref, **args))
    if sidecar_intended and not inbound_off:
        findings.append(
            make_finding(
                "MG0002",
                lb_ref,
                value=repr(
                    anns.get("traffic.sidecar.istio.io/includeInboundPorts", "unset (all ports)")
                ),
                **args,
            )
        )
    if sidecar_intended and not hold:
        findings.append(make_finding("MG0011", lb_ref, **args))
    if inj["ambient"] and not sidecar.get("bypass_inbound_capture"):
        findings.append(make_finding("MG0017", lb_ref, **args))
    if sidecar_intended and pods and not injected:
        missing = sum(1 for p in pods if not _pod_has_proxy(p))
        findings.append(
            make_finding("MG0016", lb_ref, pods="%d of %d" % (missing, len(pods)), **args)
        )
    desired, ready = workload_readiness(wl)
    if desired == 0 or (desired and ready == 0):
        findings.append(make_finding("MG0015", lb_ref, replicas=desired, ready=0, **args))
    return state


def _serves(state, r):
    item = state["item"]
    if r["vendor"] != item["vendor"]:
        return False
    if r["kind"] == "Ingress" and item.get("classes") and r["class"]:
        if r["class"] not in item["classes"]:
            return False
    if state["owner"] and r["kind"] != "Gateway":
        if not any(p.split("/", 1)[-1] == state["owner"] for p in r.get("parents", [])):
            return False
    return True


def _lb_take_routes(idx, state, routes, istio):
    """Take one page of (annotated, sorted) routes into a workload LB's state."""
    item = state["item"]
    wl = item["wl"]
    entry = item["entry"]
    data_plane = item["role"] != "control-plane"
    switch_text = (entry.get("service_routing") or {}).get("switch")
    vendor = item["vendor"]
    mine = []
    for r in routes:
        if not _serves(state, r):
            continue
        mine.append(r)
        r["served_by"].append(state["id"])
        state["route_count"] += 1
        if state["route_keys"] is not None:
            state["route_keys"].append((r["_key"], r["id"]))
        for i, b in enumerate(r["backends"]):
            state["backend_count"] += 1
            state["backend_names"].add("%s/%s" % (b["namespace"], b["service"]))
            if b.get("istio_gateway"):
                state["to_gateway_count"] += 1
                key, place = (b["namespace"], b["service"]), (r["_key"], i)
                if key not in state["to_gateway"] or place < state["to_gateway"][key][0]:
                    state["to_gateway"][key] = (place, b)
        if r["kind"] == "Gateway":
            continue
        sr = route_service_routing(idx, r, entry, wl)
        hr = route_host_rewrite(idx, r, entry)
        r["service_routing"] = sr
        r["host_rewrite"] = hr
        state["routing"][0] += 1
        state["routing"][1] += 1 if (bool(sr) or hr) else 0
        if not data_plane:
            continue
        route_label = "%s %s/%s" % (r["kind"], r["namespace"], r["name"])
        if state["sidecar_intended"] and not (sr or hr) and r["backends"]:
            fix = (
                "Turn on Service routing: %s." % switch_text
                if switch_text
                else "%s has no Service-routing switch: rewrite the Host header to the Service FQDN "
                "(%s) or use the chained mode."
                % (vendor, r["backends"][0].get("fqdn", "<svc>.<ns>.svc"))
            )
            state["unless_chained"].append(
                make_finding(
                    "MG0003",
                    _route_ref(r),
                    route=route_label,
                    switch=switch_text or "vendor has no switch",
                    fix_switch=fix,
                    lb=state["label"],
                    vendor=vendor,
                )
            )
        if state["in_mesh"] and sr:
            for b in r["backends"]:
                if b.get("headless"):
                    state["unless_chained"].append(
                        make_finding(
                            "MG0014",
                            _route_ref(r),
                            route=route_label,
                            backend="%s/%s" % (b["namespace"], b["service"]),
                            vendor=vendor,
                        )
                    )
    if data_plane and not state["in_mesh"]:
        _strict_backend_findings(idx, istio, mine, state["label"], vendor, state["strict"])


def _lb_finish(state, istio, findings, keep_routes):
    """A workload LB's result from its state, and its findings that depend on its mode."""
    item = state["item"]
    wl = item["wl"]
    entry = item["entry"]
    anns = state["anns"]
    if not state["backend_count"]:
        mode = "unknown"
    elif state["to_gateway_count"] == state["backend_count"]:
        mode = "chained"
    elif state["to_gateway_count"]:
        mode = "mixed"
    else:
        mode = "standalone"
    judged, on = state["routing"]
    if not judged:
        service_routing = "n/a"
    elif on == judged:
        service_routing = "on"
    elif on:
        service_routing = "partial"
    else:
        service_routing = "off"
    if mode == "chained" or state["ambient"]:
        mtls = True
    else:
        mtls = bool(state["sidecar_intended"] and service_routing == "on")
    result = {
        "id": state["id"],
        "vendor": item["vendor"],
        "vendor_name": entry.get("name"),
        "kind": wl.get("kind"),
        "namespace": _ns(wl),
        "name": _name(wl),
        "role": item["role"],
        "ingress_classes": item.get("classes", []),
        "service": state["service"],
        "host_network": _host_network(wl),
        "replicas": (wl.get("spec") or {}).get("replicas"),
        "ready_replicas": workload_readiness(wl)[1],
        "sidecar": state["sidecar"],
        "mode": mode,
        "mtls": mtls,
        "service_routing": service_routing,
        "service_routing_switch": (entry.get("service_routing") or {}).get("switch"),
        "routes": [i for _k, i in sorted(state["route_keys"] or ())],
        "backends": sorted(state["backend_names"]),
        "controllers": state["controllers"],
        "evidence": item["evidence"]
        + (["serves classes %s" % ", ".join(item["classes"])] if item.get("classes") else []),
        "gitops": _gitops_owner(wl),
        "apiVersion": wl.get("apiVersion"),
        # What a plan needs to patch the pod template without clobbering values already there.
        "pod_template": {
            "labels": {k: v for k, v in _tmpl_labels(wl).items() if "istio" in k},
            "annotations": {
                k: v
                for k, v in anns.items()
                if any(k.startswith(p) for p in catalog.ISTIO["pod_annotation_prefixes"])
            },
        },
        "config_map": state["config_map"],
    }
    if not keep_routes:
        _lists_to_counts(result, state["route_count"])
    if item["role"] == "control-plane":
        return result
    if mode != "chained":
        findings.extend(state["unless_chained"])
        if not state["in_mesh"]:
            findings.extend(f for _key, f in state["strict"].values())
    else:
        _trusted_proxy_findings(
            istio,
            [b for _place, b in sorted(state["to_gateway"].values(), key=lambda pb: pb[0])],
            state["label"],
            item["vendor"],
            findings,
        )
    return result


def _route_ref(route):
    out = {"apiVersion": route["apiVersion"], "kind": route["kind"], "name": route["name"]}
    if route["namespace"]:
        out["namespace"] = route["namespace"]
    return out


def _gitops_owner(obj):
    labels = _labels(obj)
    anns = _annotations(obj)
    managers = (obj.get("metadata") or {}).get("managers") or []
    if labels.get("app.kubernetes.io/managed-by") == "Helm" or "meta.helm.sh/release-name" in anns:
        return {"tool": "helm", "release": anns.get("meta.helm.sh/release-name")}
    if "argocd.argoproj.io/instance" in labels or "argocd.argoproj.io/tracking-id" in anns:
        return {
            "tool": "argocd",
            "app": labels.get("argocd.argoproj.io/instance")
            or anns.get("argocd.argoproj.io/tracking-id"),
        }
    if any(
        k.startswith("kustomize.toolkit.fluxcd.io/") or k.startswith("helm.toolkit.fluxcd.io/")
        for k in labels
    ):
        return {"tool": "flux"}
    for m in managers:
        if m in ("helm", "argocd-controller", "kustomize-controller", "helm-controller"):
            return {"tool": m}
    return None


def _strict_backend_findings(idx, istio, routes, label, vendor, first):
    """MG0001 for backends that require mTLS of a client outside the mesh, once per
    (namespace, service, port): ``first`` maps that key to (route key, finding) and keeps the
    first route in route order, so pages may come in any order."""
    if not istio["installed"]:
        return
    for r in routes:
        route_key = r.get("_key", ())
        for b in r["backends"]:
            svc, wls = _backend_workloads(idx, b["namespace"], b["service"])
            if svc is None:
                continue
            for wl in wls:
                inj = injection_state(wl, istio)
                if inj["injection"] != "enabled" and not inj["ambient"]:
                    continue
                port = _target_port(svc, b["port"], wl)
                mode, policy = effective_mtls(istio, b["namespace"], _tmpl_labels(wl), port)
                key = (b["namespace"], b["service"], port)
                if mode != "STRICT" or (key in first and first[key][0] <= route_key):
                    continue
                first[key] = (
                    route_key,
                    make_finding(
                        "MG0001",
                        _route_ref(r),
                        lb=label,
                        vendor=vendor,
                        backend="Service %s/%s" % (b["namespace"], b["service"]),
                        port=port if port is not None else b["port"],
                        policy=policy,
                    ),
                )


def _trusted_proxy_findings(istio, gw_backends, label, vendor, findings, n=1):
    reported = set()
    for b in gw_backends:
        for gw in istio["gateways"]:
            if any(
                s["namespace"] == b["namespace"] and s["name"] == b["service"]
                for s in gw["services"]
            ):
                if gw["num_trusted_proxies"] or not gw["name"] or gw["name"] in reported:
                    continue
                reported.add(gw["name"])
                obj = {
                    "apiVersion": "apps/v1",
                    "kind": gw["kind"],
                    "namespace": gw["namespace"],
                    "name": gw["name"],
                }
                findings.append(
                    make_finding(
                        "MG0013",
                        obj,
                        gateway="%s/%s" % (gw["namespace"], gw["name"]),
                        lb=label,
                        vendor=vendor,
                        n=n,
                    )
                )


def _misplaced_annotation_findings(wl, findings):
    prefixes = catalog.ISTIO["pod_annotation_prefixes"]
    misplaced = sorted(k for k in _annotations(wl) if any(k.startswith(p) for p in prefixes))
    if misplaced:
        findings.append(
            make_finding(
                "MG0005",
                ref(wl),
                workload="%s %s/%s" % (wl.get("kind"), _ns(wl), _name(wl)),
                annotations=misplaced,
            )
        )


def _helper_job_findings(idx, item, istio, findings):
    patterns = item["entry"].get("helper_jobs") or ()
    if not patterns:
        return
    ns = _ns(item["wl"])
    for job in idx.in_namespace("batch", "Job", ns):
        names = [normalise_image(c.get("image")) for c in _containers(job)] + [_name(job) or ""]
        if not any(_regex(p).search(n) for p in patterns for n in names):
            continue
        inj = injection_state(job, istio)
        if inj["injection"] == "enabled":
            findings.append(
                make_finding(
                    "MG0007",
                    ref(job),
                    job="%s/%s" % (ns, _name(job)),
                    vendor=item["vendor"],
                    namespace=ns,
                    injection=inj["source"],
                )
            )


def _is_cloud_route(r):
    return (
        bool(r["vendor"]) and (catalog.VENDORS_BY_ID.get(r["vendor"]) or {}).get("kind") == "cloud"
    )


def _cloud_start(wl_lbs):
    lb_pods = {}
    for item in wl_lbs:
        lb_pods.setdefault(_ns(item["wl"]), []).append(_tmpl_labels(item["wl"]))
    return {
        "lb_pods": lb_pods,
        "entries": [],  # (route key, LB entry) of each cloud route that is an LB of its own
        "gateways": [],  # (route, object) of cloud Gateway API Gateways: made at the end
        # (vendor, "namespace/name" of a cloud Gateway) -> [(route key, id, backends)] of the
        # routes attached to it: a Gateway is the cloud LB, its routes bring the backends.
        "attached": {},
    }


def _cloud_take_routes(idx, cloud, routes, istio, controllers, findings):
    """Take one page of (annotated, sorted) routes: each cloud route is an LB of its own, or
    attaches to a cloud Gateway (judged first: the Gateways are the first page)."""
    for r in routes:
        if not _is_cloud_route(r):
            continue
        if r.get("parents") is not None and r["kind"] != "Gateway":
            r["served_by"].extend("%s:Gateway/%s" % (r["vendor"], p) for p in r["parents"])
            for parent in r["parents"]:
                children = cloud["attached"].get((r["vendor"], parent))
                if children is not None:
                    children.append((r["_key"], r["id"], r["backends"]))
            continue
        r["served_by"].append("%s:%s" % (r["vendor"], r["id"]))
        if r["kind"] == "Gateway":
            cloud["gateways"].append((r, r["_obj"]))
            cloud["attached"].setdefault((r["vendor"], "%s/%s" % (r["namespace"], r["name"])), [])
            continue
        entry = _cloud_lb_entry(idx, r["_obj"], r["vendor"], r, istio, controllers, findings)
        cloud["entries"].append((r["_key"], entry))


def _cloud_finish(idx, cloud, istio, controllers, findings, keep_routes):
    entries = list(cloud["entries"])
    for r, obj in cloud["gateways"]:
        children = sorted(cloud["attached"][(r["vendor"], "%s/%s" % (r["namespace"], r["name"]))])
        gateway = dict(
            r,
            backends=[b for _k, _i, backends in children for b in backends],
            child_routes=[i for _k, i, _b in children],
        )
        entries.append(
            (
                r["_key"],
                _cloud_lb_entry(idx, obj, r["vendor"], gateway, istio, controllers, findings),
            )
        )
    entries.sort(key=lambda e: e[0])
    out = [entry for _key, entry in entries]
    # Service-level cloud LBs (NLB, Azure LB) in front of the gateway or of app pods.
    for svc in idx.kind("", "Service"):
        vendor_id = _service_cloud_vendor(svc)
        if not vendor_id:
            continue
        selector = (svc.get("spec") or {}).get("selector")
        if any(selector_matches(selector, labels) for labels in cloud["lb_pods"].get(_ns(svc), ())):
            continue  # exposes a detected in-cluster LB: reported on that LB's service
        ports = (svc.get("spec") or {}).get("ports") or []
        backend = {
            "namespace": _ns(svc),
            "service": _name(svc),
            "port": ports[0].get("port") if ports else None,
            "istio_gateway": any(
                s["namespace"] == _ns(svc) and s["name"] == _name(svc)
                for g in istio["gateways"]
                for s in g["services"]
            ),
        }
        pseudo = {"kind": "Service", "backends": [backend], "id": obj_id(svc)}
        out.append(_cloud_lb_entry(idx, svc, vendor_id, pseudo, istio, controllers, findings))
    if not keep_routes:
        for entry in out:
            _lists_to_counts(entry)
    return out


def _cloud_lb_entry(idx, obj, vendor_id, route, istio, controllers, findings):
    entry = catalog.vendor(vendor_id)
    backends = route["backends"]
    to_gateway = [b for b in backends if b.get("istio_gateway")]
    mode = "unknown" if not backends else ("chained" if to_gateway else "standalone")
    label = "%s %s/%s" % (obj.get("kind"), _ns(obj), _name(obj))
    hc_state = None
    for b in to_gateway:
        ok, actual = _cloud_health_check(idx, vendor_id, obj, b)
        hc_state = {
            "ok": ok,
            "actual": actual,
            "where": (entry.get("health_check") or {}).get("where"),
        }
        if not ok:
            findings.append(
                make_finding(
                    "MG0006",
                    ref(obj),
                    lb=label,
                    vendor=vendor_id,
                    service="%s/%s" % (b["namespace"], b["service"]),
                    actual=actual,
                    where=hc_state["where"],
                )
            )
        break
    if mode == "chained":
        _trusted_proxy_findings(istio, to_gateway, label, vendor_id, findings)
    elif mode == "standalone":
        first = {}
        _strict_backend_findings(
            idx,
            istio,
            [
                dict(
                    route,
                    kind=obj.get("kind"),
                    apiVersion=obj.get("apiVersion"),
                    namespace=_ns(obj),
                    name=_name(obj),
                )
            ],
            label,
            vendor_id,
            first,
        )
        findings.extend(f for _key, f in first.values())
    anns = _annotations(obj)
    evidence = [route.get("vendor_evidence") or "Service %s" % _name(obj)]
    if route.get("vendor_inferred"):
        evidence.append("vendor inferred (no controller object in the input)")
    svc = None
    if obj.get("kind") == "Service":
        svc = _service_summary(obj)
    return {
        "id": "%s:%s" % (vendor_id, obj_id(obj)),
        "vendor": vendor_id,
        "vendor_name": entry.get("name"),
        "kind": obj.get("kind"),
        "namespace": _ns(obj),
        "name": _name(obj),
        "role": "cloud",
        "ingress_classes": [route["class"]] if route.get("class") else [],
        "service": svc,
        "host_network": None,
        "sidecar": None,
        "mode": mode,
        # Cloud LBs never speak Istio mTLS; chained traffic is mTLS from the gateway on.
        "mtls": mode == "chained",
        "service_routing": "n/a",
        "routes": (
            ([route["id"]] + route.get("child_routes", []))
            if route.get("kind") != "Service"
            else []
        ),
        "backends": sorted({"%s/%s" % (b["namespace"], b["service"]) for b in backends}),
        "health_check": hc_state,
        "annotations": {
            k: v
            for k, v in anns.items()
            if any(k.startswith(p) for p in entry.get("annotation_prefixes", ()))
        }
        or None,
        "controllers": sorted(
            "%s/%s/%s" % (c["wl"].get("kind"), _ns(c["wl"]), _name(c["wl"]))
            for c in controllers
            if c["vendor"] == vendor_id
        ),
        "evidence": evidence,
        "gitops": _gitops_owner(obj),
    }


def _route_findings(idx, routes, findings):
    for r in routes:
        if r["kind"] not in ("Ingress",):
            continue
        if r.get("vendor_candidates") and not r["vendor"]:
            findings.append(
                make_finding(
                    "MG0012",
                    _route_ref(r),
                    route="%s %s/%s" % (r["kind"], r["namespace"], r["name"]),
                    klass=r["class"],
                    candidates=r["vendor_candidates"],
                )
            )
        elif not r["vendor"] and not r.get("vendor_candidates"):
            findings.append(
                make_finding(
                    "MG0019",
                    _route_ref(r),
                    route="%s %s/%s" % (r["kind"], r["namespace"], r["name"]),
                )
            )
    for r in routes:
        if r["vendor"] == "emissary":
            resolver = (r["_obj"].get("spec") or {}).get("resolver")
            resolver = resolver if isinstance(resolver, str) else ""
            if "endpoint" in resolver.lower():
                findings.append(
                    make_finding(
                        "MG0009",
                        _route_ref(r),
                        route="%s %s/%s" % (r["kind"], r["namespace"], r["name"]),
                        resolver=resolver,
                        vendor="emissary",
                    )
                )


def _global_findings(idx, istio, wl_lbs, load_balancers, findings):
    if load_balancers and not istio["installed"]:
        findings.append(
            make_finding(
                "MG0018", {"apiVersion": "v1", "kind": "Cluster", "name": "cluster"}, scope=""
            )
        )
    for dr in idx.kind("networking.istio.io", "DestinationRule"):
        spec = dr.get("spec") or {}
        host = spec.get("host") or ""
        tls = ((spec.get("trafficPolicy") or {}).get("tls") or {}).get("mode")
        if tls == "ISTIO_MUTUAL" and (
            host in ("*", "*.local") or host.startswith("*.svc") or host == "*.cluster.local"
        ):
            findings.append(
                make_finding("MG0010", ref(dr), dr="%s/%s" % (_ns(dr), _name(dr)), host=host)
            )
