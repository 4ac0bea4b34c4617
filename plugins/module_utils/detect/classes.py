# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Which vendor serves a route: IngressClasses, GatewayClasses, class names by convention,
vendor annotations."""

from __future__ import annotations

from sys import intern

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.backends import (
    ingress_backends,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import jp
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.index import OLD_GATEWAY_API
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    annotations_of,
    name_of,
    namespace_of,
    truthy,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import ISTIO


def ingress_classes(idx, extra=None):
    """{IngressClass name: {"controller", "vendor", "default"}}; ``extra``: {controller name:
    vendor id} the installs declare (detect/installs.py install_controllers)."""
    out = {}
    for ic in idx.kind("networking.k8s.io", "IngressClass"):
        controller = (ic.get("spec") or {}).get("controller")
        out[name_of(ic)] = {
            "controller": controller,
            "vendor": registry.vendor_for_ingress_controller(controller, extra),
            "default": truthy(
                annotations_of(ic).get("ingressclass.kubernetes.io/is-default-class", "false")
            ),
        }
    return out


def gateway_classes(idx, extra=None):
    """{GatewayClass name: vendor id}; ``extra`` as for ingress_classes()."""
    out = {}
    for gc in idx.kind("gateway.networking.k8s.io", "GatewayClass") + idx.kind(
        OLD_GATEWAY_API, "GatewayClass"
    ):
        controller = (gc.get("spec") or {}).get("controllerName")
        out[name_of(gc)] = registry.vendor_for_gateway_controller(controller, extra)
    return out


def gateway_class_controllers(idx):
    """{GatewayClass name: its spec.controllerName}."""
    return {
        name_of(gc): (gc.get("spec") or {}).get("controllerName")
        for gc in idx.kind("gateway.networking.k8s.io", "GatewayClass")
        + idx.kind(OLD_GATEWAY_API, "GatewayClass")
    }


def gateway_class_parameters(idx, extra=None):
    """{GatewayClass name: {"controller", "vendor", "parameters_ref", "parameters"}}: the object
    its spec.parametersRef names, when that is among the objects ("found"), with its spec (what
    undo puts back); ``extra`` as for ingress_classes()."""
    out = {}
    for gc in idx.kind("gateway.networking.k8s.io", "GatewayClass"):
        spec = gc.get("spec") or {}
        controller = spec.get("controllerName")
        vendor_id = registry.vendor_for_gateway_controller(controller, extra)
        ref = spec.get("parametersRef") if isinstance(spec.get("parametersRef"), dict) else None
        entry = {"controller": controller, "vendor": vendor_id, "parameters_ref": ref}
        if ref:
            entry["parameters"] = _parameters(idx, ref)
        out[name_of(gc)] = entry
    return out


def _parameters(idx, ref):
    group, kind = ref.get("group") or "", ref.get("kind") or ""
    obj = idx.get(group, kind, ref.get("namespace"), ref.get("name"))
    if obj is None:
        return {"found": False}
    # Its whole spec: undo puts back what a plan's fields replace, wherever they are (the
    # switch's fields, the Envoy pods' labels and annotations).
    return {"found": True, "apiVersion": obj.get("apiVersion"), "spec": obj.get("spec") or {}}


def gateway_parameters(idx, class_parameters=None):
    """{"namespace/name" of a Gateway: ...} for each Gateway with spec.infrastructure
    .parametersRef whose class's vendor takes a Gateway's own parameters (entry
    "gateway_parameters"): its "class", "vendor", "parameters_ref" (namespace: the Gateway's),
    "parameters" (as for a GatewayClass: "found", "apiVersion", "spec"), "used" (its controller
    uses them over the class's), "merged" (combined with the class's rather than replacing
    them) and, when not used, "refused" (why its controller refuses the Gateway)."""
    classes = class_parameters if class_parameters is not None else gateway_class_parameters(idx)
    out = {}
    for gw in idx.kind("gateway.networking.k8s.io", "Gateway"):
        spec = gw.get("spec") or {}
        ref = (spec.get("infrastructure") or {}).get("parametersRef")
        klass = spec.get("gatewayClassName")
        known = classes.get(klass) or {}
        rules = (registry.VENDORS_BY_ID.get(known.get("vendor")) or {}).get("gateway_parameters")
        if not isinstance(ref, dict) or not rules:
            continue
        ref = dict(
            ref, namespace=namespace_of(gw)
        )  # a Gateway names an object of its own namespace
        entry = {
            "class": klass,
            "vendor": known["vendor"],
            "parameters_ref": ref,
            "parameters": _parameters(idx, ref),
            "used": False,
            "merged": False,
        }
        class_spec = _class_spec(known)
        if "%s/%s" % (ref.get("group") or "", ref.get("kind") or "") != rules["kind"]:
            entry["refused"] = "its parametersRef names a %s, not a %s" % (
                ref.get("kind"),
                rules["kind"].split("/", 1)[1],
            )
        elif not entry["parameters"]["found"]:
            entry["refused"] = "the %s %s/%s it names is not among the objects read" % (
                ref.get("kind"),
                ref["namespace"],
                ref.get("name"),
            )
        elif (
            rules.get("refused_if_class")
            and class_spec is not None
            and jp(rules["refused_if_class"], {"spec": class_spec})
        ):
            entry["refused"] = "its GatewayClass %s's parameters (%s) forbid a Gateway's own" % (
                klass,
                rules["refused_if_class"],
            )
        else:
            entry["used"] = True
            mine = entry["parameters"]["spec"]
            entry["merged"] = bool(
                rules.get("merge_field")
                and mine.get(rules["merge_field"]) in rules.get("merges", ())
            )
        out["%s/%s" % (namespace_of(gw), name_of(gw))] = entry
    return out


def _class_spec(known):
    """The spec of the parameters object a GatewayClass names, when it was read."""
    parameters = known.get("parameters") or {}
    return parameters.get("spec") if parameters.get("found") else None


def parameters_in_use(idx, gateway):
    """The spec of the parameters the controller of Gateway "namespace/name" uses: the
    Gateway's own (merged over its class's when they say so), else its class's; None when
    there are none (or the Gateway is not in the input). Worked out once per Gateway."""
    key = ("gateway-parameters", gateway)
    if key not in idx._cache:
        if "gateway-parameters" not in idx._cache:
            classes = gateway_class_parameters(idx)
            idx._cache["gateway-parameters"] = (classes, gateway_parameters(idx, classes))
        classes, gateways = idx._cache["gateway-parameters"]
        namespace, _sep, name = gateway.partition("/")
        gw = idx.get("gateway.networking.k8s.io", "Gateway", namespace, name)
        spec = None
        if gw is not None:
            spec = _class_spec(classes.get((gw.get("spec") or {}).get("gatewayClassName")) or {})
            own = gateways.get(gateway)
            if own and own["used"]:
                mine = own["parameters"]["spec"]
                spec = _merged(spec or {}, mine) if own["merged"] else mine
        idx._cache[key] = spec
    return idx._cache[key]


def gateway_vendor(idx, gateway):
    """The vendor of Gateway "namespace/name"'s class (None when either is not in the input)."""
    namespace, _sep, name = gateway.partition("/")
    gw = idx.get("gateway.networking.k8s.io", "Gateway", namespace, name)
    if gw is None:
        return None
    klass = idx.get(
        "gateway.networking.k8s.io",
        "GatewayClass",
        None,
        (gw.get("spec") or {}).get("gatewayClassName"),
    )
    return registry.vendor_for_gateway_controller(
        ((klass or {}).get("spec") or {}).get("controllerName")
    )


def _merged(base, override):
    """override merged over base: maps key by key, anything else replaced (a JSON merge)."""
    out = dict(base)
    for k, v in override.items():
        out[k] = _merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def gateway_class_vendor(name, gclasses):
    if not name:
        return None, False
    if name in gclasses:
        return gclasses[name], False
    if name in ISTIO["gateway_class_names"]:
        return "istio", True
    for entry in registry.VENDORS:
        if any(name.startswith(p) for p in entry.get("gateway_class_prefixes", ())):
            return entry["id"], True
    return None, False


def resolve_ingress_vendor(idx, ing, classes, lb_classes):
    """(vendor, inferred, candidates, class_name, evidence) for an Ingress."""
    anns = annotations_of(ing)
    klass, source = _ingress_class_of(ing, anns, classes)
    if klass and klass in classes and classes[klass]["vendor"]:
        return (
            classes[klass]["vendor"],
            False,
            [],
            klass,
            # The same text for every route of a class: one string, not one per route.
            intern("IngressClass %s controller %s" % (klass, classes[klass]["controller"])),
        )
    by_annotation = registry.vendors_for_annotations(anns)
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
        candidates = registry.vendors_for_class_name(klass)
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
        found = _by_backend_service_annotations(idx, ing)
        if found:
            return found[0], True, [], klass, found[1]
    return None, False, [], klass, None


def _ingress_class_of(ing, anns, classes):
    """(class name, where it came from): spec.ingressClassName, the legacy annotation, or the
    one default IngressClass; (None, ...) when none says."""
    klass = (ing.get("spec") or {}).get("ingressClassName")
    source = "spec.ingressClassName"
    if not klass and anns.get("kubernetes.io/ingress.class"):
        klass = anns["kubernetes.io/ingress.class"]
        source = "annotation kubernetes.io/ingress.class"
    if not klass:
        defaults = [n for n, c in classes.items() if c["default"]]
        if len(defaults) == 1:
            klass = defaults[0]
            source = "default IngressClass"
    return klass, source


def _by_backend_service_annotations(idx, ing):
    """(vendor, evidence) when a class-less Ingress's backend Service carries a vendor's
    backend annotations (GKE's backend-config), else None."""
    for b in ingress_backends(ing):
        svc = idx.get("", "Service", namespace_of(ing), b["service"])
        svc_anns = annotations_of(svc) if svc else {}
        for entry in registry.VENDORS:
            prefixes = entry.get("backend_service_annotation_prefixes", ())
            hit = sorted(k for k in svc_anns if any(k.startswith(p) for p in prefixes))
            if hit:
                return entry["id"], "backend Service %s has %s" % (b["service"], hit[0])
    return None
