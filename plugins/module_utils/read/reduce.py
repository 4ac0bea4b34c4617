# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""How each object is reduced as it arrives.

Keeping every object as a dict costs 5-6x the JSON size; detection needs a small part of each
object, so live reads reduce every item page by page (reduce_object) and offline sources go
through the same function. Same objects in, same answer out."""

from __future__ import annotations

from sys import intern

from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import (
    CLUSTER_SCOPED,
    group_of,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.registry import (
    configmap_keys,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.signals import singled_out

# ConfigMap keys detection looks at (Istio's mesh config, and the vendor entries' controller
# switches, shutdown settings and install configs).
CONFIGMAP_KEYS = ("mesh", "meshNetworks") + configmap_keys()
# ...and of Istio's injector ConfigMaps (istio-sidecar-injector[-<revision>]), its Helm values
# (pilot.env.ENABLE_NATIVE_SIDECARS, detect/native_sidecars.py).
INJECTOR = "istio-sidecar-injector"
INJECTOR_KEYS = ("values",)


WORKLOAD_KINDS = ("Deployment", "DaemonSet", "StatefulSet", "Job", "ReplicaSet")


# Workloads of applications (not Jobs): reduce_object keeps only their pod template.
APP_WORKLOAD_KINDS = ("Deployment", "DaemonSet", "StatefulSet")


DEFAULT_NAMESPACE = "default"


_DROP_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


_LAST_APPLIED = _DROP_ANNOTATIONS[0]


def _meta(meta, spec_owners=True, created=False):
    meta = meta or {}
    out = {"name": _str(meta.get("name")), "namespace": _str(meta.get("namespace"))}
    labels = meta.get("labels")
    if labels:
        out["labels"] = _shared(labels)
    annotations = meta.get("annotations")
    if annotations:
        if _LAST_APPLIED in annotations:  # copied, never changed in place: input may be shared
            annotations = {k: v for k, v in annotations.items() if k not in _DROP_ANNOTATIONS}
        if annotations:
            out["annotations"] = _shared(annotations)
    # uid, resourceVersion and generation are not kept: nothing reads them from the facts (apply
    # reads the objects it writes afresh and writes with their current resourceVersion).
    if meta.get("deletionTimestamp") is not None:
        out["deletionTimestamp"] = meta["deletionTimestamp"]
    # Only PeerAuthentications' creation time is read (Istio applies the oldest of several).
    if created and meta.get("creationTimestamp") is not None:
        out["creationTimestamp"] = meta["creationTimestamp"]
    owners = meta.get("ownerReferences")
    if owners:
        out["ownerReferences"] = [{"kind": o.get("kind"), "name": o.get("name")} for o in owners]
    managers = meta.get("managedFields")
    if managers:
        # Entries without a manager (Go omits an empty one) are not "someone manages it"; a
        # read that cut managedFields to names and operations (k8s/managed_fields.py
        # compact_managed_fields) drops them.
        names = sorted({_str(m.get("manager")) for m in managers if m.get("manager")})
        if names:
            out["managers"] = _shared_list(names)
            # Who applies server-side (Helm 4 does, as "helm"; Helm 3 updates): owners.py.
            appliers = sorted(
                {_str(m.get("manager")) for m in managers if m.get("operation") == "Apply"}
                & {"helm"}
            )
            if appliers:
                out["appliers"] = appliers
        if spec_owners:
            _spec_owners(out, managers)
    return out


# Kinds whose per-field owners nothing reads: plans apply atomic lists only on routes, and
# workloads, Services and the like are the bulk of a cluster (bench/: a third of reduction).
_NO_SPEC_OWNERS_BY_GROUP = frozenset(
    (
        ("apps", "Deployment"),
        ("apps", "DaemonSet"),
        ("apps", "StatefulSet"),
        ("batch", "Job"),
        ("", "Pod"),
        ("", "Service"),
        ("", "ConfigMap"),
        ("", "Namespace"),
        ("", "Node"),
    )
)


# Reduction goes by kind alone, so objects of old dumps (extensions/v1beta1) read the same.
_NO_SPEC_OWNERS = frozenset(kind for _group, kind in _NO_SPEC_OWNERS_BY_GROUP)


def needs_field_sets(group, kind):
    """Whether reducing objects of this kind reads their managedFields' fieldsV1 (per-field
    owners), or only who manages them - a live read may then skip decoding the field sets.
    By group too: another group's kind of the same name (a Knative Service) keeps them."""
    return (group, kind) not in _NO_SPEC_OWNERS_BY_GROUP


def _spec_owners(out, managers):
    """Who owns each top-level spec field (plans apply some atomic lists whole and must name
    the managers they would conflict with)."""
    spec_owners = {}
    for m in managers:
        if m.get("subresource") or not m.get("manager"):
            continue
        for field in (m.get("fieldsV1") or {}).get("f:spec") or {}:
            if field.startswith("f:"):
                spec_owners.setdefault(intern(field[2:]), set()).add(_str(m["manager"]))
    if spec_owners:
        # Usually the same few owners on every route of a tool: one dict for each distinct one.
        key = tuple((k, tuple(sorted(v))) for k, v in sorted(spec_owners.items()))
        out["spec_owners"] = _stored_once(key, lambda: {k: _shared_list(v) for k, v in key})


# Values that repeat on thousands of objects (who manages them: usually the same one or two
# field managers) are stored once, by content. Nothing changes them: they are read and reported.
_STORED = {}


def _stored_once(key, build):
    found = _STORED.get(key)
    if found is None:
        if len(_STORED) > 4096:  # a long-lived process (filters) keeps it bounded
            _STORED.clear()
        found = _STORED[key] = build()
    return found


def _shared_list(items):
    key = tuple(items)
    return _stored_once(key, lambda: list(key))


def _container(c, command_line, config_volumes=()):
    out = {"name": _str(c.get("name")), "image": _str(c.get("image") or "")}
    mounts = [
        {"name": m["name"]}
        for m in c.get("volumeMounts") or ()
        if isinstance(m, dict) and m.get("name") in config_volumes
    ]
    if mounts:
        # The ConfigMaps it mounts: an install's own config file (detect/installs.py).
        out["volumeMounts"] = mounts
    if c.get("ports"):
        out["ports"] = _ports_stored_once(c["ports"])
    for key in ("restartPolicy",) + (("args", "command") if command_line else ()):
        if c.get(key):
            out[key] = c[key]
    pre_stop = (c.get("lifecycle") or {}).get("preStop") if command_line else None
    if pre_stop:
        # How long it sleeps before the LB shuts down (detect/shutdown.py).
        out["lifecycle"] = {"preStop": pre_stop}
    env = c.get("env") if command_line else None
    if env:
        # valueFrom may reference Secrets: keep only literal values, and the names of the
        # others (a signal: AMBASSADOR_NAMESPACE comes from the downward API).
        out["env"] = [
            (
                {"name": e.get("name"), "value": e.get("value")}
                if "value" in e
                else {"name": e.get("name")}
            )
            for e in env
            if isinstance(e, dict)
        ]
    return out


def _ports_stored_once(ports):
    """A list of port dicts, stored once per distinct content: the same few port lists (8080/TCP
    "http", 80 -> 8080) repeat on thousands of workloads and Services (bench/: ~0.3 KB each).
    Nothing changes them; results copy what they report."""
    try:
        # Types too: 1 and True (or 1.0) are equal keys, and malformed input must read as given.
        key = ("ports",) + tuple(tuple((k, v, v.__class__) for k, v in p.items()) for p in ports)
        hash(key)
    except (AttributeError, TypeError):  # not a list of flat dicts (malformed): kept as given
        return ports
    # A copy: the caller's input (a filter's variables) may be changed after this call.
    return _stored_once(key, lambda: [dict(p) for p in ports])


def _service_ports(ports):
    # name, port, targetPort (defaulted to port, as the API server does), appProtocol and
    # nodePort if set (a cloud LB with node targets probes the status port's NodePort).
    return _ports_stored_once(
        [
            {
                "name": _str(p.get("name")),
                "port": p.get("port"),
                "targetPort": p.get("targetPort", p.get("port")),
                **({"appProtocol": p["appProtocol"]} if p.get("appProtocol") else {}),
                **({"nodePort": p["nodePort"]} if p.get("nodePort") else {}),
            }
            for p in ports
        ]
    )


def _pod_spec(spec, labels, command_line=None):
    """containers (and initContainers), hostNetwork. The command line and environment are kept
    only for workloads some vendor or Istio signal singles out (see singled_out): nothing reads
    an application's, and in real clusters they are a large part of every Deployment (bench/:
    4 variables cost ~0.8 KB per reduced Deployment). ``command_line``: that answer, when the
    caller has it."""
    spec = spec or {}
    containers = spec.get("containers") or ()
    init = spec.get("initContainers") or ()
    if command_line is None:
        command_line = _pod_singled_out(spec, labels)
    volumes = (
        [
            {"name": v["name"], "configMap": {"name": v["configMap"].get("name")}}
            for v in spec.get("volumes") or ()
            if isinstance(v, dict) and isinstance(v.get("configMap"), dict) and v.get("name")
        ]
        if command_line
        else []
    )
    names = {v["name"] for v in volumes}
    out = {
        "containers": [_container(c, command_line, names) for c in containers],
    }
    if init:
        out["initContainers"] = [_container(c, command_line) for c in init]
    if volumes:
        out["volumes"] = volumes
    if spec.get("hostNetwork"):
        out["hostNetwork"] = True
    if command_line and spec.get("terminationGracePeriodSeconds") is not None:
        out["terminationGracePeriodSeconds"] = spec["terminationGracePeriodSeconds"]
    return out


def _pod_singled_out(spec, labels):
    spec = spec or {}
    return singled_out(
        labels, list(spec.get("containers") or ()) + list(spec.get("initContainers") or ())
    )


def _shared(value):
    """Intern every string value of plain data, in place; returns it.

    The JSON decoder makes a new str for every occurrence: an app's name appears in its
    Deployment, template labels, selector, Service, selector and Ingress backend, and namespaces,
    kinds, label values, images and managers repeat on every object. Sharing them takes the
    reduced index from ~3.1 to ~2.35 KB per object (bench/ at 5,000 per kind). Keys need
    nothing: the decoder already shares them within a page. (Interned strings are still freed
    when nothing else holds them.) Written for speed: it touches every node of every object.
    """
    cls = value.__class__
    if cls is dict:
        for k, v in value.items():
            cls = v.__class__
            if cls is str:
                value[k] = intern(v)
            elif cls is dict or cls is list:
                _shared(v)
    elif cls is list:
        for i, v in enumerate(value):
            cls = v.__class__
            if cls is str:
                value[i] = intern(v)
            elif cls is dict or cls is list:
                _shared(v)
    return value


def _istio_key(key):
    """An annotation or label key of Istio's (sidecar.istio.io/inject, proxy.istio.io/config,
    traffic.sidecar.istio.io/..., istio.io/rev)."""
    if not isinstance(key, str):
        return False
    prefix = key.partition("/")[0] if "/" in key else ""
    return prefix == "istio.io" or prefix.endswith(".istio.io")


def _str(value):
    # Exact str only: sys.intern refuses subclasses (Ansible's unsafe text, in filter input).
    return intern(value) if value.__class__ is str else value


# Longer than 60 lines on purpose: one branch per kind family, read top to bottom, and it runs
# once per object read (millions on a large cluster), where a dispatch per kind would add a
# call to each; every branch is short and says what it keeps.
def reduce_object(obj):
    """Keep what detection needs of one object (plain dict in, smaller plain dict out)."""
    api_version = obj.get("apiVersion") or ""
    kind = obj.get("kind") or ""
    out = {
        "apiVersion": _str(api_version),
        "kind": _str(kind),
        "metadata": _meta(
            obj.get("metadata"), kind not in _NO_SPEC_OWNERS, kind == "PeerAuthentication"
        ),
    }
    if not out["metadata"].get("namespace") and (group_of(api_version), kind) not in CLUSTER_SCOPED:
        out["metadata"]["namespace"] = DEFAULT_NAMESPACE
    spec = obj.get("spec")
    status = obj.get("status") or {}
    if kind in WORKLOAD_KINDS and group_of(api_version) in ("apps", "batch"):
        spec = spec or {}
        tmpl = spec.get("template") or {}
        tmpl_meta = _meta(tmpl.get("metadata"), False)
        signal_labels = tmpl_meta.get("labels") or out["metadata"].get("labels") or {}
        single = _pod_singled_out(tmpl.get("spec"), signal_labels)
        out["spec"] = {
            "selector": _shared(spec.get("selector")),
            "template": {
                "metadata": tmpl_meta,
                "spec": _pod_spec(tmpl.get("spec"), signal_labels, single),
            },
        }
        if not single and kind in APP_WORKLOAD_KINDS:
            # An application's workload is read only through its pod template (which Service
            # selects it, injection, container ports); its own labels, annotations, selector
            # and status are read for load balancers and Istio's pieces only (bench/: ~1 KB of
            # each of thousands of Deployments). Jobs keep theirs (helper-job findings).
            out["metadata"].pop("labels", None)
            out["metadata"].pop("annotations", None)
            del out["spec"]["selector"]
            status = {}
            # Of its pod template's annotations only Istio's are read (injection, proxy
            # config, traffic capture); Helm checksums, Prometheus and the like are not.
            anns = tmpl_meta.get("annotations")
            if anns and any(not _istio_key(k) for k in anns):
                anns = {k: v for k, v in anns.items() if _istio_key(k)}
                if anns:
                    tmpl_meta["annotations"] = anns
                else:
                    del tmpl_meta["annotations"]
        if "replicas" in spec:
            out["spec"]["replicas"] = spec["replicas"]
        elif kind in ("Deployment", "StatefulSet", "ReplicaSet"):
            # The API server defaults it; offline manifests often leave it out.
            out["spec"]["replicas"] = 1
        keep = (
            "observedGeneration",
            "replicas",
            "readyReplicas",
            "numberReady",
            "desiredNumberScheduled",
            "succeeded",
            "active",
        )
        st = {k: status[k] for k in keep if k in status}
        if st:
            out["status"] = st
    elif kind == "Pod" and api_version == "v1":
        out["spec"] = _pod_spec(spec, out["metadata"].get("labels") or {})
        out["status"] = {"phase": status.get("phase")}
    elif kind == "Service" and api_version == "v1":
        spec = spec or {}
        keep = (
            "type",
            "selector",
            "ports",
            "clusterIP",
            "clusterIPs",
            "loadBalancerClass",
            "externalTrafficPolicy",
            "externalName",
        )
        # Ports are rebuilt below; the rest is shared as it is.
        out["spec"] = {
            k: (spec[k] if k == "ports" else _shared(spec[k])) for k in keep if k in spec
        }
        # Server-side defaults, applied here too so offline input reads like a live cluster.
        svc_type = out["spec"].setdefault("type", "ClusterIP")
        if svc_type in ("LoadBalancer", "NodePort"):
            out["spec"].setdefault("externalTrafficPolicy", "Cluster")
        ports = out["spec"].get("ports")
        if ports:
            out["spec"]["ports"] = _service_ports(ports)
    elif kind == "ConfigMap" and api_version == "v1":
        data = obj.get("data") or {}
        keys = INJECTOR_KEYS if (out["metadata"]["name"] or "").startswith(INJECTOR) else ()
        out["data"] = {k: v for k, v in data.items() if k in CONFIGMAP_KEYS or k in keys}
    elif kind == "Node" and api_version == "v1":
        # Only the kubelet version: istiod's native-sidecar auto mode reads it.
        info = status.get("nodeInfo") or {}
        if info.get("kubeletVersion"):
            out["status"] = {"nodeInfo": {"kubeletVersion": _str(info["kubeletVersion"])}}
    elif kind == "Namespace" and api_version == "v1":
        if status.get("phase"):
            out["status"] = {"phase": status["phase"]}
    elif kind == "MutatingWebhookConfiguration":
        out["webhooks"] = [
            {
                "name": w.get("name"),
                "namespaceSelector": w.get("namespaceSelector"),
                "objectSelector": w.get("objectSelector"),
            }
            for w in obj.get("webhooks") or ()
        ]
    elif spec is not None:
        # Routes, Istio and vendor config objects: their specs are small and all of it matters.
        out["spec"] = _shared(spec)
    return out
