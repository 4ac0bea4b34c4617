# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The EnvoyProxy an Envoy Gateway Gateway uses: its own (spec.infrastructure.parametersRef,
which Envoy Gateway uses over its class's), else its GatewayClass's (spec.parametersRef). There
the vendor's Service-routing switch ("envoyproxy" target) and, for its generated data plane,
the LB pods' labels and annotations (plan "pod_template_in") belong. The one a Gateway or class
already uses is extended, never replaced; a class without one gets ours."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import api
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    MANAGED_LABEL,
    meta,
    patch_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import LB_DOC

# The EnvoyProxy the plans create for a GatewayClass that has none, and point it at.
ENVOYPROXY_NAME = "meshgate-service-routing"
_GROUP_KIND = ("gateway.envoyproxy.io", "EnvoyProxy")


def _vendor_gateways(b, lb):
    """The vendor's Gateways (those lb serves, when it serves any)."""
    gateways = [
        x
        for x in b.facts.get("routes") or ()
        if x["kind"] == "Gateway" and x["vendor"] == lb["vendor"]
    ]
    mine = [x for x in gateways if lb["id"] in (x.get("served_by") or ())]
    return mine or gateways


def _class_parameters(b, klass):
    known = (b.facts.get("cluster_facts") or {}).get("gateway_classes") or {}
    return known.get(klass) or {}


def _owners(b, lb):
    """Whose parameters the vendor's Gateways use, one entry per object that holds them:
    {"owner": text, "ref", "parameters"} for a Gateway's own EnvoyProxy (detection says Envoy
    Gateway uses it), then {"owner", "klass", "ref", "parameters"} for each GatewayClass of the
    Gateways without one. A Gateway whose own reference Envoy Gateway refuses is left alone."""
    own = (b.facts.get("cluster_facts") or {}).get("gateways") or {}
    out, classes = [], set()
    for gw in _vendor_gateways(b, lb):
        key = "%s/%s" % (gw["namespace"], gw["name"])
        mine = own.get(key)
        if mine is None:
            if gw.get("class"):
                classes.add(gw["class"])
        elif not mine["used"]:
            b.warn(
                "Gateway %s: %s, so Envoy Gateway does not accept it; left alone (fix its "
                "spec.infrastructure.parametersRef, then plan again)" % (key, mine["refused"])
            )
        elif all(o.get("ref") != mine["parameters_ref"] for o in out):
            out.append(
                {
                    "owner": "Gateway %s" % key,
                    "ref": mine["parameters_ref"],
                    "parameters": mine["parameters"],
                }
            )
    for klass in sorted(classes):
        known = _class_parameters(b, klass)
        out.append(
            {
                "owner": "GatewayClass %s" % klass,
                "klass": klass,
                "ref": known.get("parameters_ref"),
                "parameters": known.get("parameters"),
            }
        )
    return out


def envoyproxy_routing(b, lb, switch, phase):
    """The switch's fields on the EnvoyProxy each of the vendor's Gateways uses: its own or its
    GatewayClass's, extended (its other settings are the user's), or, for a class without one,
    an EnvoyProxy of ours that the class is pointed at."""
    ours = False
    for owner in _owners(b, lb):
        ref = owner["ref"]
        if not ref:
            ours = True
            _point_gateway_class_at(b, lb, owner["klass"], phase)
        elif (ref.get("group"), ref.get("kind")) != _GROUP_KIND:
            b.warn(
                "%s: its parametersRef names a %s, not an EnvoyProxy; left alone, so "
                "its Gateways keep pod-IP routing" % (owner["owner"], ref.get("kind"))
            )
        elif not owner["parameters"]["found"]:
            b.warn(
                "%s: its parametersRef names EnvoyProxy %s/%s, which is not among the "
                "objects read; left alone (create it, then plan again)"
                % (owner["owner"], ref.get("namespace"), ref.get("name"))
            )
        else:
            _extend_envoyproxy(b, switch, owner["owner"], ref, owner["parameters"], phase)
    if ours:
        _create_envoyproxy(b, lb, switch, phase)


def _extend_envoyproxy(b, switch, owner, ref, current, phase):
    """The switch's fields set on an EnvoyProxy a GatewayClass already uses; undo puts back what
    it held (or removes what it did not have)."""
    target = patch_target(current["apiVersion"], "EnvoyProxy", ref["name"], ref.get("namespace"))
    wanted = {k: v for k, v in switch["set"].items() if current["spec"].get(k) != v}
    if not wanted:
        return
    fields = ["spec.%s" % k for k in sorted(wanted)]
    restore = {"spec.%s" % k: current["spec"][k] for k in sorted(wanted) if k in current["spec"]}
    b.patch(
        phase,
        target,
        {
            "apiVersion": target["apiVersion"],
            "kind": "EnvoyProxy",
            "metadata": meta(target),
            "spec": dict(wanted),
        },
        "%s already uses EnvoyProxy %s/%s: %s set there, its other settings kept"
        % (
            owner,
            ref.get("namespace"),
            ref["name"],
            ", ".join("%s: %s" % kv for kv in sorted(wanted.items())),
        ),
        LB_DOC,
        {"restart": True, "traffic": "Envoy Gateway reconfigures the proxies of this class"},
        {"action": "remove-fields", "fields": fields, "restore": restore},
    )


def _create_envoyproxy(b, lb, switch, phase):
    """An EnvoyProxy with the switch's fields in the LB's namespace (Envoy Gateway >= 1.1)."""
    version = api(b.facts, "gateway.envoyproxy.io", "EnvoyProxy", "v1alpha1")
    target = patch_target(version, "EnvoyProxy", ENVOYPROXY_NAME, lb["namespace"])
    manifest = {
        "apiVersion": version,
        "kind": "EnvoyProxy",
        "metadata": meta(target, labels=MANAGED_LABEL),
        "spec": dict(switch["set"]),
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


def _point_gateway_class_at(b, lb, klass, phase):
    """A GatewayClass without parameters takes our EnvoyProxy as its parameters."""
    gc = patch_target("gateway.networking.k8s.io/v1", "GatewayClass", klass)
    b.patch(
        phase,
        gc,
        {
            "apiVersion": gc["apiVersion"],
            "kind": "GatewayClass",
            "metadata": meta(gc),
            "spec": {
                "parametersRef": {
                    "group": "gateway.envoyproxy.io",
                    "kind": "EnvoyProxy",
                    "name": ENVOYPROXY_NAME,
                    "namespace": lb["namespace"],
                }
            },
        },
        "GatewayClass %s uses the EnvoyProxy with routingType: Service" % klass,
        LB_DOC,
        {"restart": True, "traffic": "Envoy Gateway redeploys the proxies of this class"},
        {"action": "remove-fields", "fields": ["spec.parametersRef"]},
    )


def _nested(path, leaf):
    """{"a": {"b": leaf}} for the dotted path "a.b"."""
    out = leaf
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


def _at(spec, path):
    node = {"spec": spec}
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


# Seven parameters, kept: where (b, phase), whose (lb and the vendor's pod_template_in), what
# (labels, annotations) and why (reason), as pod_template_patch passes them on.
def envoyproxy_pod_template(b, phase, lb, spec, labels, annotations, reason):
    """The LB pods' labels and annotations, set in the EnvoyProxy its Gateway's class uses:
    Envoy Gateway makes the data plane's Deployment or DaemonSet from it, and would undo a patch
    to that workload at its next reconcile. Returns False when no EnvoyProxy can take them."""
    path = (spec.get("paths") or {}).get(lb.get("kind"))
    owners = _owners(b, lb)
    if not path or not owners:
        return False
    owner = owners[0]
    ref = owner["ref"]
    if not ref:
        version = api(b.facts, *_GROUP_KIND, "v1alpha1")
        target = patch_target(version, "EnvoyProxy", ENVOYPROXY_NAME, lb["namespace"])
        current, creates = {}, True
        _point_gateway_class_at(b, lb, owner["klass"], phase)
    elif (ref.get("group"), ref.get("kind")) == _GROUP_KIND and owner["parameters"]["found"]:
        parameters = owner["parameters"]
        target = patch_target(
            parameters["apiVersion"], "EnvoyProxy", ref["name"], ref.get("namespace")
        )
        current, creates = _at(parameters["spec"], path), False
    else:
        b.warn(
            "%s: its %s names parameters this plan cannot extend; set the pod labels and "
            "annotations in its EnvoyProxy (%s) yourself" % (lb["id"], owner["owner"], path)
        )
        return False
    pod = {}
    if labels:
        pod["labels"] = dict(labels)
    if annotations:
        pod["annotations"] = dict(annotations)
    fields, restore = [], {}
    for section, values in (("labels", labels), ("annotations", annotations)):
        for key in sorted(values or {}):
            dotted = "%s.%s.%s" % (path, section, key)
            fields.append(dotted)
            if key in (current.get(section) or {}):
                restore[dotted] = current[section][key]
    manifest = {
        "apiVersion": target["apiVersion"],
        "kind": "EnvoyProxy",
        "metadata": meta(target, labels=MANAGED_LABEL) if creates else meta(target),
        # provider.type is required wherever provider is set (Envoy Gateway's CRD).
        "spec": _nested(path[len("spec.") :], pod) if path.startswith("spec.") else {},
    }
    manifest["spec"].setdefault("provider", {})["type"] = "Kubernetes"
    b.patch(
        phase,
        target,
        manifest,
        "%s (in EnvoyProxy %s/%s, from which Envoy Gateway makes %s)"
        % (reason, target.get("namespace"), target["name"], lb["id"]),
        LB_DOC,
        {"restart": True, "traffic": "Envoy Gateway rolls the proxies of this class"},
        (
            {"action": "delete"}
            if creates
            else {"action": "remove-fields", "fields": fields, "restore": restore}
        ),
        creates=creates,
    )
    return True
