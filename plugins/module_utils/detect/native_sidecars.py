# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Native or classic sidecars: whether Istio's injector puts istio-proxy in initContainers with
restartPolicy: Always (a Kubernetes native sidecar) or among the containers (classic).

What istiod does (istio/istio pilot/pkg/features/pilot.go EnableNativeSidecars,
pkg/kube/inject/webhook.go DetectNativeSidecar, injection-template.yaml $nativeSidecar):
- its process env ENABLE_NATIVE_SIDECARS: "true" always, "false" never, "auto" (the default
  since 1.28) when every Node's kubelet minor version is >= 33 (an unreadable kubeletVersion
  counts as too old; no Node at all counts as eligible); any other value is "false". Istio 1.27
  defaulted to true, older releases to false (and read it as a boolean).
- the Helm value pilot.env.ENABLE_NATIVE_SIDECARS is what the chart renders into istiod's env;
  the injector ConfigMap's values carry it too, and no other native-sidecar value (there is no
  global.nativeSidecar). The Deployment's env is what istiod reads, so it wins.
- the pod annotation sidecar.istio.io/nativeSidecar overrides the flag for that pod ("false":
  classic, any other non-empty value: native).
- a running pod shows what it got: the strongest evidence for its workload.

Everything here is pure: plain objects in, {"kind": native | classic | unknown, ...} out.
"""

from __future__ import annotations

import json
import re

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    containers_of,
    labels_of,
    name_of,
    namespace_of,
    template_annotations,
    template_labels,
)

NATIVE, CLASSIC, UNKNOWN = "native", "classic", "unknown"
ENV = "ENABLE_NATIVE_SIDECARS"
POD_ANNOTATION = "sidecar.istio.io/nativeSidecar"
# Native sidecars graduated to stable in Kubernetes 1.33; istiod's auto mode compares the
# kubelet's minor version with this (pkg/kube/inject/webhook.go DetectNativeSidecar).
MIN_KUBELET_MINOR = 33
# Go's strconv.ParseBool, which Istio < 1.28 used for the (boolean) variable.
_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_GO_FALSE = ("0", "f", "F", "FALSE", "false", "False")
_VERSION = re.compile(r"^v?(\d+)\.(\d+)")


def parse_version(text):
    """(major, minor) of "1.30.3", "v1.33.1-eks-1", "1.22.0-distroless"; None otherwise."""
    m = _VERSION.match(str(text or ""))
    return (int(m.group(1)), int(m.group(2))) if m else None


def istiod_version(wl):
    """(major, minor) of an istiod workload: its discovery image tag, else its chart labels."""
    for c in containers_of(wl, init=False):
        image = (c.get("image") or "").split("@", 1)[0]
        tail = image.rsplit("/", 1)[-1]
        if ":" in tail:
            found = parse_version(tail.split(":", 1)[1])
            if found:
                return found
    for labels in (template_labels(wl), labels_of(wl)):
        found = parse_version(labels.get("app.kubernetes.io/version"))
        if found:
            return found
        chart = labels.get("helm.sh/chart") or ""
        if chart.startswith("istiod-"):
            found = parse_version(chart[len("istiod-") :])
            if found:
                return found
    return None


def _env_value(wl):
    """The literal ENABLE_NATIVE_SIDECARS of istiod's discovery container, if set."""
    for c in containers_of(wl, init=False):
        for e in c.get("env") or ():
            if e.get("name") == ENV and e.get("value") is not None:
                return str(e["value"])
    return None


def injector_values(text):
    """The injector ConfigMap's ``values`` (JSON, as the chart writes it), or {}."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _values_env(values):
    env = ((values.get("pilot") or {}).get("env")) or {}
    value = env.get(ENV) if isinstance(env, dict) else None
    return None if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _mode(value, version):
    """The mode istiod runs in for an env value (None: unset) and its version."""
    if value is None:
        if version is None:
            return None
        if version < (1, 27):
            return "false"
        return "true" if version == (1, 27) else "auto"
    if version is not None and version < (1, 28):
        if value in _GO_TRUE:
            return "true"
        if value in _GO_FALSE:
            return "false"
        return _mode(None, version)  # not a boolean: the variable's default
    return value if value in ("true", "false", "auto") else "false"


def kubelet_eligible(version):
    """Whether istiod's auto mode counts a kubelet version as native-capable."""
    parsed = parse_version(version)
    return bool(parsed) and parsed[1] >= MIN_KUBELET_MINOR


def _kubelet(node):
    return ((node.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion")


def nodes_summary(nodes, nodes_read):
    """What auto mode sees of the Nodes: None when they were not read (offline input without
    Nodes), else counts and the oldest kubelet."""
    if not nodes_read:
        return None
    versions = {name_of(n): _kubelet(n) for n in nodes}
    too_old = sorted(n for n, v in versions.items() if not kubelet_eligible(v))
    parsed = sorted((parse_version(v), v) for v in versions.values() if parse_version(v))
    return {
        "count": len(nodes),
        "oldest_kubelet": parsed[0][1] if parsed else None,
        "ineligible": too_old,
    }


def istiod_decision(wl, values, nodes):
    """What one istiod (a revision) gives injected pods: {"kind", "mode", "version",
    "evidence"}. ``values``: its injector ConfigMap's values ({} when absent); ``nodes``:
    nodes_summary()."""
    version = istiod_version(wl) if wl else None
    evidence = []
    value = _env_value(wl) if wl else None
    if value is not None:
        evidence.append("istiod env %s=%s" % (ENV, value))
    else:
        value = _values_env(values)
        if value is not None:
            evidence.append("injector values pilot.env.%s=%s" % (ENV, value))
    mode = _mode(value, version)
    vtext = "%d.%d" % version if version else None
    if value is None:
        evidence.append(
            "%s unset: Istio %s defaults to %s" % (ENV, vtext, mode)
            if mode
            else "%s unset and Istio's version unknown" % ENV
        )
    kind = {"true": NATIVE, "false": CLASSIC}.get(mode, UNKNOWN)
    if mode == "auto":
        kind, why = _auto(nodes)
        evidence.append(why)
    return {"kind": kind, "mode": mode, "version": vtext, "evidence": evidence}


def _auto(nodes):
    if nodes is None:
        return UNKNOWN, "auto mode: the Nodes' kubelet versions were not read"
    if nodes["ineligible"]:
        return CLASSIC, "auto mode: kubelet older than 1.%d or unreadable on Node %s" % (
            MIN_KUBELET_MINOR,
            ", ".join(nodes["ineligible"][:3]),
        )
    return NATIVE, "auto mode: every Node's kubelet is >= 1.%d (%d Nodes, oldest %s)" % (
        MIN_KUBELET_MINOR,
        nodes["count"],
        nodes["oldest_kubelet"],
    )


def pod_sidecar_kind(pod):
    """native / classic for a pod running istio-proxy, None for a pod without it."""
    spec = pod.get("spec") or {}
    for c in spec.get("initContainers") or ():
        if c.get("name") == "istio-proxy":
            return NATIVE if c.get("restartPolicy") == "Always" else None
    for c in spec.get("containers") or ():
        if c.get("name") == "istio-proxy":
            return CLASSIC
    return None


def template_kind(wl, decision):
    """(kind, evidence) the injector would give this workload's pods: its pod annotation, else
    its revision's decision."""
    override = template_annotations(wl).get(POD_ANNOTATION)
    if override:
        kind = CLASSIC if override == "false" else NATIVE
        return kind, ["pod annotation %s=%s" % (POD_ANNOTATION, override)]
    return decision["kind"], list(decision["evidence"])


def workload_kind(wl, pods, decision):
    """(kind, evidence) for a workload: what its running pods show when they agree, else what
    the injector would give them (template_kind)."""
    seen = [k for k in (pod_sidecar_kind(p) for p in pods) if k]
    predicted, evidence = template_kind(wl, decision)
    if seen and len(set(seen)) == 1:
        found = ["%d running pod(s) run istio-proxy as a %s sidecar" % (len(seen), seen[0])]
        if predicted not in (seen[0], UNKNOWN):
            found.append("the configuration read says %s (%s)" % (predicted, "; ".join(evidence)))
        return seen[0], found
    if seen:
        evidence = ["running pods disagree (%s)" % ", ".join(sorted(set(seen)))] + evidence
    return predicted, evidence


def classic_args(kind, evidence):
    """The message arguments of a finding that holds for classic sidecars: the kind (classic,
    or unknown - then treated as classic) and what decided it."""
    if kind == UNKNOWN:
        return {
            "kind": "classic",
            "why": "kind unknown, treated as classic: " + "; ".join(evidence),
        }
    return {"kind": kind, "why": "; ".join(evidence)}


def cluster_decisions(istiods, configmaps, nodes):
    """{revision: istiod_decision} for every istiod, keyed by its istio.io/rev ("default")."""
    out = {}
    for wl in istiods:
        rev = labels_of(wl).get("istio.io/rev") or template_labels(wl).get("istio.io/rev")
        rev = rev or "default"
        name = "istio-sidecar-injector" + ("" if rev == "default" else "-" + rev)
        values = configmaps.get((namespace_of(wl), name)) or {}
        out[rev] = istiod_decision(wl, values, nodes)
    return out


def summary(decisions, nodes):
    """The cluster's answer: the default revision's (or the only one's), and each revision's."""
    main = decisions.get("default") or (
        decisions[sorted(decisions)[0]]
        if decisions
        else {"kind": UNKNOWN, "mode": None, "version": None, "evidence": ["no istiod found"]}
    )
    return {
        "kind": main["kind"],
        "mode": main["mode"],
        "istio_version": main["version"],
        "evidence": main["evidence"],
        "nodes": nodes,
        "revisions": decisions,
    }


def decision_for(native, revision):
    """A revision's decision from the istio facts' native_sidecars, else the cluster's."""
    return (native.get("revisions") or {}).get(revision or "default") or native
