# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Load balancer workloads: which vendor a workload is (catalog signals), the classes it
serves, its controller ConfigMap, its pods, and who owns it (GitOps)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import regex
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.index import OLD_GATEWAY_API
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.installs import (
    install_identity,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import (
    is_istio_gateway_workload,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    annotations_of,
    containers_of,
    labels_of,
    name_of,
    namespace_of,
    selector_matches,
    template_labels,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.signals import (
    chart_label,
    command_line,
    is_weak,
    labels_match,
    normalise_image,
    signal_kind,
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


def classify_workload(wl, vendor_classes=None):
    """Match a workload against the catalog: (vendor id, role, evidence) or (None, None, []).

    ``vendor_classes``: {vendor id: evidence} of the vendors with an IngressClass or GatewayClass
    in the cluster, one weak signal for each of their workloads (vendors/schema.py
    workload_signals); see class_vendors()."""
    labels = template_labels(wl) or labels_of(wl)
    containers = [c for c in containers_of(wl) if isinstance(c, dict)]
    # One cached regex per signal kind and a few label lookups rule out an application
    # workload; only those singled_out() by some vendor or Istio signal go through the
    # catalog entry by entry.
    if not singled_out(labels, containers) and not singled_out(labels_of(wl), ()):
        return None, None, []
    return match_catalog(wl, vendor_classes)


def match_catalog(wl, vendor_classes=None):
    """classify_workload() without the singled_out() short cut: every entry's signals."""
    vendor_classes = vendor_classes or {}
    labels = template_labels(wl) or labels_of(wl)
    containers = [c for c in containers_of(wl) if isinstance(c, dict)]
    facts = _pod_facts(wl, labels, containers)
    best = None
    for entry in registry.VENDORS:
        hits = [
            h for h in (_signal_hit(sig, facts) for sig in entry.get("workload_signals", ())) if h
        ]
        if entry["id"] in vendor_classes and any(h.kind in _SOFTWARE for h in hits):
            # The vendor's class confirms what the software says, never packaging alone (a
            # chart's default backend carries the chart's labels too).
            hits.append(_Hit(vendor_classes[entry["id"]], None, True, False, 1))
        if not _enough(hits):
            continue
        score = sum(h.score for h in hits)
        if best is None or score > best[0]:
            best = (score, entry["id"], hits)
    if best is None:
        return None, None, []
    hits = best[2]
    return best[1], _role(hits), _evidence(hits)


class _Hit:
    """One matched signal: what it says (evidence), the role it implies, its weight."""

    __slots__ = ("evidence", "role", "weak", "decides", "score", "kind")

    def __init__(self, evidence, role, weak, decides, score, kind=None):
        self.evidence, self.role, self.weak, self.decides, self.score = (
            evidence,
            role,
            weak,
            decides,
            score,
        )
        self.kind = kind


# Signals of what runs (not of how it was packaged: labels, chart).
_SOFTWARE = ("image", "command", "env", "container", "port")


# How much a matched signal weighs when two vendors' signals match one workload: what the
# software is (image, command line, environment) over how it was packaged (labels, chart).
_SCORES = {"image": 3, "command": 3, "env": 3, "chart": 2, "labels": 2, "container": 1, "port": 1}


def _pod_facts(wl, labels, containers):
    """What the signals look at, read once per workload."""
    return {
        "images": [normalise_image(c.get("image")) for c in containers],
        "commands": [
            (c.get("name"), command_line(c))
            for c in containers
            if c.get("command") or c.get("args")
        ],
        "env": sorted(
            {
                str(e.get("name"))
                for c in containers
                for e in c.get("env") or ()
                if isinstance(e, dict) and e.get("name")
            }
        ),
        "labels": labels,
        "chart": chart_label(labels) or chart_label(labels_of(wl)),
        "containers": [str(c.get("name") or "") for c in containers],
        "ports": sorted(
            {
                str(p.get("name"))
                for c in containers
                for p in c.get("ports") or ()
                if isinstance(p, dict) and p.get("name")
            }
        ),
    }


def _signal_hit(sig, facts):
    """The _Hit of one catalog signal on a workload's facts, or None."""
    kind = signal_kind(sig)
    found = _FINDERS[kind](sig, facts)
    if found is None:
        return None
    if "with_image" in sig and not any(regex(sig["with_image"]).search(i) for i in facts["images"]):
        return None
    weak = is_weak(sig)
    score = 1 if weak else _SCORES[kind]
    return _Hit(found, sig["role"], weak, bool(sig.get("decides_role")), score, kind)


def _first(pattern, values):
    return next((v for v in values if regex(pattern).search(v)), None)


def _find_image(sig, facts):
    hit = _first(sig["image"], facts["images"])
    return None if hit is None else "container image %s" % hit


def _find_command(sig, facts):
    for name, line in facts["commands"]:
        m = regex(sig["command"]).search(line)
        if m:
            return "command line %s (container %s)" % (_shortened(m.group(0).strip()), name)
    return None


def _find_env(sig, facts):
    hit = _first(sig["env"], facts["env"])
    return None if hit is None else "environment variable %s" % hit


def _find_labels(sig, facts):
    labels = facts["labels"]
    if not labels_match(sig["labels"], labels):
        return None
    return "pod labels %s" % ", ".join("%s=%s" % (k, labels[k]) for k in sorted(sig["labels"]))


def _find_chart(sig, facts):
    chart = facts["chart"]
    if chart and regex(sig["chart"]).search(chart):
        return "chart label %s" % chart
    return None


def _find_container(sig, facts):
    hit = _first(sig["container"], facts["containers"])
    return None if hit is None else "container name %s" % hit


def _find_port(sig, facts):
    hit = _first(sig["port"], facts["ports"])
    return None if hit is None else "port name %s" % hit


_FINDERS = {
    "image": _find_image,
    "command": _find_command,
    "env": _find_env,
    "labels": _find_labels,
    "chart": _find_chart,
    "container": _find_container,
    "port": _find_port,
}


def _shortened(line, limit=60):
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _enough(hits):
    """One signal that is not weak, or two weak ones (vendors/schema.py workload_signals)."""
    return any(not h.weak for h in hits) or sum(1 for h in hits if h.weak) >= 2


def _role(hits):
    decided = [h.role for h in hits if h.decides]
    if decided:
        return decided[0]
    roles = {h.role for h in hits if h.role}
    if "data-plane" in roles:
        return "data-plane"
    if "all-in-one" in roles:
        return "all-in-one"
    return "control-plane"


def _evidence(hits):
    seen, out = set(), []
    for h in hits:
        if h.evidence not in seen:
            seen.add(h.evidence)
            out.append(h.evidence)
    return out


def class_args(wl, entry):
    """Class names / controller classes the workload's args or env declare."""
    return _declared_classes(wl, entry.get("class_args") or {})


def _declared_classes(wl, keys, ignore_case=False):
    """{"ingress_class": [...], "controller_class": [...]} from the workload's containers: the
    values of the flags (--flag=value, --flag value) and variables ``keys`` names; Traefik
    reads its flag names case-insensitively (``ignore_case``)."""
    fold = str.lower if ignore_case else str
    found = {"ingress_class": [], "controller_class": []}
    for c in containers_of(wl, init=False):
        args = list(c.get("args") or []) + list(c.get("command") or [])
        env = {e.get("name"): e.get("value") for e in c.get("env") or ()}
        for what, names in keys.items():
            for name in names:
                if name in env and env[name]:
                    found[what] += _class_list(env[name])
                for i, arg in enumerate(args):
                    if not isinstance(arg, str):
                        continue
                    flag, sep, value = arg.partition("=")
                    if sep and fold(flag) == fold(name):
                        found[what] += _class_list(value)
                    elif fold(arg) == fold(name) and i + 1 < len(args):
                        found[what] += _class_list(args[i + 1])
    return found


def _class_list(value):
    # Contour's --ingress-class-name takes a comma-separated list; no class name has a comma.
    return [v.strip() for v in str(value).split(",") if v.strip()]


def provider_classes(wl, entry, classes):
    """{class name: serves_classes_of spec} of the other vendors' classes this workload serves
    through a provider its command line turns on (Traefik's kubernetesIngressNGINX): the
    classes its flags name, or the provider's default class and every IngressClass of the
    provider's controller. ``classes``: ingress_classes()."""
    out = {}
    lines = [command_line(c) for c in containers_of(wl, init=False) if isinstance(c, dict)]
    for spec in entry.get("serves_classes_of", ()):
        if not any(regex(spec["enabled_by"]).search(line) for line in lines):
            continue
        flags = _declared_classes(wl, spec.get("class_args") or {}, ignore_case=True)
        controller = (flags["controller_class"] or [spec["default_controller"]])[0]
        # IngressClass objects are matched by their controller only (Traefik's
        # filterIngressClass); the class name is what annotation-class Ingresses name, so it
        # is claimed only where no IngressClass of another controller has that name.
        names = {n for n, c in classes.items() if c["controller"] == controller}
        for name in flags["ingress_class"] or [spec["default_class"]]:
            if name not in classes or classes[name]["controller"] == controller:
                names.add(name)
        for name in names:
            out[name] = spec
    return out


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


def xff_passed_on(idx, wl, entry):
    """Does the LB pass on the X-Forwarded-For it receives, appending its peer (entry "xff")?
    True when the vendor declares no condition; else its controller ConfigMap must hold every
    key and value the condition names (a ConfigMap not in the input holds none)."""
    rule = (entry.get("xff") or {}).get("appends_when")
    if not rule:
        return True
    ref_ = configmap_ref(wl, entry, idx)
    cm = idx.get("", "ConfigMap", ref_["namespace"], ref_["name"]) if ref_ else None
    data = (cm or {}).get("data") or {}
    return all(str(data.get(k, "")).strip() == v for k, v in rule["configmap"].items())


def class_vendors(idx):
    """{vendor id: evidence} for each vendor with an IngressClass or GatewayClass here."""
    out = {}
    for ic in idx.kind("networking.k8s.io", "IngressClass"):
        controller = (ic.get("spec") or {}).get("controller")
        vendor_id = registry.vendor_for_ingress_controller(controller)
        if vendor_id and vendor_id not in out:
            out[vendor_id] = "IngressClass %s (controller %s)" % (name_of(ic), controller)
    for group in ("gateway.networking.k8s.io", OLD_GATEWAY_API):
        for gc in idx.kind(group, "GatewayClass"):
            controller = (gc.get("spec") or {}).get("controllerName")
            vendor_id = registry.vendor_for_gateway_controller(controller)
            if vendor_id and vendor_id not in out:
                out[vendor_id] = "GatewayClass %s (controller %s)" % (name_of(gc), controller)
    return out


def workload_lbs(idx, istio):
    lbs = []
    controllers = []
    classes = class_vendors(idx)
    for wl in idx.workloads():
        if is_istio_gateway_workload(wl):
            continue
        vendor_id, role, evidence = classify_workload(wl, classes)
        if not vendor_id:
            continue
        entry = registry.vendor(vendor_id)
        install = install_identity(idx, wl, entry, role)
        item = {
            "wl": wl,
            "vendor": vendor_id,
            "role": role,
            "evidence": evidence + install["evidence"],
            "entry": entry,
            "install": install,
        }
        if entry["kind"] == "cloud" or role == "control-plane":
            controllers.append(item)
        else:
            lbs.append(item)
    # Control planes without a data plane in their namespace still represent an install: the
    # vendor's first, and any other whose config makes it an install of its own (controller
    # names no other install of the vendor has).
    planes = {(i["vendor"], namespace_of(i["wl"])) for i in lbs}
    for item in controllers:
        if (
            item["entry"]["kind"] == "in-cluster"
            and (item["vendor"], namespace_of(item["wl"])) not in planes
        ):
            if not any(i["vendor"] == item["vendor"] for i in lbs) or _own_install(item, lbs):
                lbs.append(item)
                planes.add((item["vendor"], namespace_of(item["wl"])))
    return lbs, controllers


def _own_install(item, lbs):
    """The control plane's install config names controllers that no LB of its vendor has."""
    mine = set(item["install"]["controllers"] or ())
    if not mine:
        return False
    theirs = [set(i["install"]["controllers"] or ()) for i in lbs if i["vendor"] == item["vendor"]]
    return all(not (mine & t) for t in theirs)
