# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Load balancer workloads: which vendor a workload is (catalog signals), the classes it
serves, its controller ConfigMap, its pods, and who owns it (GitOps)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import regex
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import (
    is_istio_gateway_workload,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    annotations_of,
    containers_of,
    labels_of,
    namespace_of,
    selector_matches,
    template_labels,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.signals import (
    labels_match,
    normalise_image,
    singled_out,
)


def pods_of(idx, wl):
    selector = ((wl.get("spec") or {}).get("selector") or {}).get("matchLabels") or template_labels(
        wl
    )
    ns = namespace_of(wl)
    return [p for p in idx.in_namespace("", "Pod", ns) if selector_matches(selector, labels_of(p))]


def pod_has_proxy(pod):
    if "sidecar.istio.io/status" in annotations_of(pod):
        return True
    spec = pod.get("spec") or {}
    return any(
        c.get("name") == "istio-proxy"
        for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
    )


def classify_workload(wl):
    """Match a workload against the catalog: (vendor id, role, evidence) or (None, None, [])."""
    labels = template_labels(wl) or labels_of(wl)
    containers = containers_of(wl)
    # One cached regex and a few label lookups rule out an application workload; only those
    # singled_out() by some vendor or Istio signal go through the catalog entry by entry.
    if not singled_out(labels, containers):
        return None, None, []
    images = [normalise_image(c.get("image")) for c in containers]
    best = None
    for entry in registry.VENDORS:
        evidence = []
        roles = set()
        decided = None
        for sig in entry.get("workload_signals", ()):
            if "image" in sig:
                hits = [i for i in images if regex(sig["image"]).search(i)]
                if not hits:
                    continue
                if "with_image" in sig and not any(
                    regex(sig["with_image"]).search(i) for i in images
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


def class_args(wl, entry):
    """Class names / controller classes the workload's args or env declare."""
    keys = entry.get("class_args") or {}
    found = {"ingress_class": [], "controller_class": []}
    for c in containers_of(wl, init=False):
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


def workload_editions(wl, entry):
    """The vendor editions (entry "editions") the workload runs: an image or an arg of its
    containers names the edition (F5's NGINX Plus: image nginx-plus-ingress, arg -nginx-plus)."""
    found = []
    for name, spec in sorted((entry.get("editions") or {}).items()):
        for c in containers_of(wl, init=False):
            args = [a for a in list(c.get("args") or []) + list(c.get("command") or []) if a]
            image = normalise_image(c.get("image") or "")
            if (spec.get("image") and regex(spec["image"]).search(image)) or any(
                str(a).split("=", 1)[0] in (spec.get("args") or ()) for a in args
            ):
                found.append(name)
                break
    return found


def configmap_ref(wl, entry, idx=None):
    """namespace/name of the controller ConfigMap that holds the global routing switch."""
    spec = (entry.get("service_routing") or {}).get("configmap")
    if not spec:
        return None
    for c in containers_of(wl, init=False):
        for arg in c.get("args") or []:
            if isinstance(arg, str) and arg.startswith(spec["arg"] + "="):
                ref_ = arg.split("=", 1)[1].replace("$(POD_NAMESPACE)", namespace_of(wl) or "")
                ns, _sep, name = ref_.rpartition("/")
                out = {
                    "namespace": ns or namespace_of(wl),
                    "name": name,
                    "key": spec["key"],
                    "value": spec["value"],
                }
                cm = idx.get("", "ConfigMap", out["namespace"], name) if idx is not None else None
                if cm is not None and spec["key"] in (cm.get("data") or {}):
                    out["current"] = cm["data"][spec["key"]]  # for undo
                return out
    return None


def configmap_switch(idx, wl, entry):
    """Global Service-routing switch in the controller ConfigMap, or None if unknown."""
    ref_ = configmap_ref(wl, entry, idx)
    if ref_ is None or idx.get("", "ConfigMap", ref_["namespace"], ref_["name"]) is None:
        return None
    return ref_.get("current") == ref_["value"]


def workload_lbs(idx, istio):
    lbs = []
    controllers = []
    for wl in idx.workloads():
        if is_istio_gateway_workload(wl):
            continue
        vendor_id, role, evidence = classify_workload(wl)
        if not vendor_id:
            continue
        entry = registry.vendor(vendor_id)
        item = {"wl": wl, "vendor": vendor_id, "role": role, "evidence": evidence, "entry": entry}
        if entry["kind"] == "cloud" or role == "control-plane":
            controllers.append(item)
        else:
            lbs.append(item)
    # Control planes without a data plane in their namespace still represent an install.
    planes = {(i["vendor"], namespace_of(i["wl"])) for i in lbs}
    for item in controllers:
        if (
            item["entry"]["kind"] == "in-cluster"
            and (item["vendor"], namespace_of(item["wl"])) not in planes
        ):
            if not any(i["vendor"] == item["vendor"] for i in lbs):
                lbs.append(item)
    return lbs, controllers


def gitops_owner(obj):
    labels = labels_of(obj)
    anns = annotations_of(obj)
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
