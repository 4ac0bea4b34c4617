# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The structure an object must have before reduction and detection read it.

The API server validates built-in kinds against their OpenAPI schema, so a live object's
``metadata`` is an ObjectMeta and a Deployment's pod template a PodTemplateSpec. A file read
offline, a filter's input or a misbehaving server give no such promise: ``shape_problem(obj)``
checks the parts detection reads against the types Kubernetes' schema gives them (data below,
one row per field) and names the first field that is wrong, or returns None. Callers skip such
an object with a warning naming it and the field (read/sources.py, read/live.py), as the API
server would have refused it. Pure Python, Python 3.8 compatible.

Paths: ``a.b`` a field, ``a[]`` every element of the list ``a``, ``a{}`` every value of the
mapping ``a``. Types: "map", "list", "str", "int" (not bool), "bool", "scalar" (str, int,
float, bool or null: label selectors' values in a hand-written file), "int_or_str", "ip" (an IP address as a string) and
"one of a|b|c" (one of these strings).
"""

from __future__ import annotations

import sys

_OBJECT_META = (
    ("metadata", "map"),
    ("metadata.name", "str"),
    ("metadata.namespace", "str"),
    ("metadata.labels", "map"),
    ("metadata.labels{}", "scalar"),
    ("metadata.annotations", "map"),
    ("metadata.annotations{}", "scalar"),
    ("metadata.ownerReferences", "list"),
    ("metadata.ownerReferences[]", "map"),
    ("metadata.ownerReferences[].kind", "str"),
    ("metadata.ownerReferences[].name", "str"),
    ("metadata.managedFields", "list"),
    ("metadata.managedFields[]", "map"),
    ("metadata.managedFields[].manager", "str"),
    ("metadata.managedFields[].operation", "str"),
    ("metadata.managedFields[].subresource", "str"),
    ("metadata.managedFields[].fieldsV1", "map"),
    ("metadata.managedFields[].fieldsV1.f:spec", "map"),
    ("metadata.deletionTimestamp", "scalar"),
    ("metadata.creationTimestamp", "scalar"),
    # Every kind's spec and status are objects (Kubernetes API conventions).
    ("spec", "map"),
    ("status", "map"),
)


def _prefixed(prefix, rows):
    return tuple(("%s.%s" % (prefix, path) if prefix else path, kind) for path, kind in rows)


_CONTAINER = (
    ("", "map"),
    ("name", "str"),
    ("image", "str"),
    ("ports", "list"),
    ("ports[]", "map"),
    ("ports[].containerPort", "int"),
    ("ports[].name", "str"),
    ("ports[].protocol", "str"),
    ("args", "list"),
    ("args[]", "str"),
    ("command", "list"),
    ("command[]", "str"),
    ("env", "list"),
    ("env[]", "map"),
    ("env[].name", "str"),
    ("env[].value", "str"),
    ("lifecycle", "map"),
    ("lifecycle.preStop", "map"),
    ("restartPolicy", "str"),
)


def _containers(prefix):
    rows = []
    for field in ("containers", "initContainers"):
        rows.append(("%s.%s" % (prefix, field), "list"))
        for path, kind in _CONTAINER:
            rows.append(("%s.%s[]%s" % (prefix, field, "." + path if path else ""), kind))
    return tuple(rows)


def _pod_spec(prefix):
    return (
        ((prefix, "map"),)
        + _containers(prefix)
        + (
            ("%s.hostNetwork" % prefix, "bool"),
            ("%s.terminationGracePeriodSeconds" % prefix, "int"),
        )
    )


_LABEL_SELECTOR = (
    ("", "map"),
    ("matchLabels", "map"),
    ("matchLabels{}", "scalar"),
    ("matchExpressions", "list"),
    ("matchExpressions[]", "map"),
    ("matchExpressions[].key", "str"),
    ("matchExpressions[].operator", "str"),
    ("matchExpressions[].values", "list"),
    ("matchExpressions[].values[]", "scalar"),
)


def _selector(prefix):
    return tuple(
        (prefix + ("." + path if path and not path.startswith("[") else path), kind)
        for path, kind in _LABEL_SELECTOR
    )


_WORKLOAD = (
    _selector("spec.selector")
    + (
        ("spec.replicas", "int"),
        ("spec.template", "map"),
        ("spec.template.metadata", "map"),
        ("spec.template.metadata.labels", "map"),
        ("spec.template.metadata.labels{}", "scalar"),
        ("spec.template.metadata.annotations", "map"),
        ("spec.template.metadata.annotations{}", "scalar"),
    )
    + _pod_spec("spec.template.spec")
)

_SERVICE = (
    ("spec.type", "str"),
    ("spec.selector", "map"),
    ("spec.selector{}", "scalar"),
    ("spec.ports", "list"),
    ("spec.ports[]", "map"),
    ("spec.ports[].name", "str"),
    ("spec.ports[].port", "int"),
    ("spec.ports[].targetPort", "int_or_str"),
    ("spec.ports[].nodePort", "int"),
    ("spec.ports[].appProtocol", "str"),
    ("spec.clusterIP", "str"),
    ("spec.clusterIPs", "list"),
    ("spec.clusterIPs[]", "str"),
    ("spec.loadBalancerClass", "str"),
    ("spec.externalTrafficPolicy", "str"),
    ("spec.externalName", "str"),
)


def _backend(prefix):
    return (
        (prefix, "map"),
        ("%s.service" % prefix, "map"),
        ("%s.service.name" % prefix, "str"),
        ("%s.service.port" % prefix, "map"),
        ("%s.service.port.number" % prefix, "int"),
        ("%s.service.port.name" % prefix, "str"),
        ("%s.resource" % prefix, "map"),
        # extensions/v1beta1
        ("%s.serviceName" % prefix, "str"),
        ("%s.servicePort" % prefix, "int_or_str"),
    )


_INGRESS = (
    (
        ("spec.ingressClassName", "str"),
        ("spec.rules", "list"),
        ("spec.rules[]", "map"),
        ("spec.rules[].host", "str"),
        ("spec.rules[].http", "map"),
        ("spec.rules[].http.paths", "list"),
        ("spec.rules[].http.paths[]", "map"),
        ("spec.rules[].http.paths[].path", "str"),
        ("spec.rules[].http.paths[].pathType", "str"),
        ("spec.tls", "list"),
        ("spec.tls[]", "map"),
        ("spec.tls[].hosts", "list"),
        ("spec.tls[].hosts[]", "str"),
        ("spec.tls[].secretName", "str"),
    )
    + _backend("spec.rules[].http.paths[].backend")
    + _backend("spec.defaultBackend")
    + _backend("spec.backend")
)

_PARAMETERS_REF = ("apiGroup", "group", "kind", "name", "namespace", "scope")


def _ref(prefix, keys=_PARAMETERS_REF, ints=()):
    return (
        ((prefix, "map"),)
        + tuple(("%s.%s" % (prefix, k), "str") for k in keys)
        + tuple(("%s.%s" % (prefix, k), "int") for k in ints)
    )


_REF_KEYS = ("group", "kind", "name", "namespace", "sectionName")

# Gateway API routes (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute): the CRDs' schema.
_ROUTE = (
    (
        ("spec.parentRefs", "list"),
        ("spec.hostnames", "list"),
        ("spec.hostnames[]", "str"),
        ("spec.rules", "list"),
        ("spec.rules[]", "map"),
        ("spec.rules[].backendRefs", "list"),
    )
    + _ref("spec.parentRefs[]", _REF_KEYS, ("port",))
    + _ref("spec.rules[].backendRefs[]", _REF_KEYS, ("port", "weight"))
)

_GATEWAY = (
    ("spec.gatewayClassName", "str"),
    ("spec.listeners", "list"),
    ("spec.listeners[]", "map"),
    ("spec.listeners[].name", "str"),
    ("spec.listeners[].hostname", "str"),
    ("spec.listeners[].protocol", "str"),
    ("spec.listeners[].port", "int"),
    ("spec.addresses", "list"),
    ("spec.addresses[]", "map"),
    ("spec.addresses[].type", "str"),
    ("spec.addresses[].value", "str"),
    ("spec.infrastructure", "map"),
    ("spec.infrastructure.labels", "map"),
    ("spec.infrastructure.annotations", "map"),
) + _ref("spec.infrastructure.parametersRef")

_GATEWAY_API = "gateway.networking.k8s.io"

# Istio's VirtualService (networking.istio.io, its CRD's schema): what detect/routes.py reads.
_VIRTUAL_SERVICE = (
    ("spec.hosts", "list"),
    ("spec.hosts[]", "str"),
    ("spec.gateways", "list"),
    ("spec.gateways[]", "str"),
) + tuple(
    row
    for section in ("http", "tls", "tcp")
    for row in (
        ("spec.%s" % section, "list"),
        ("spec.%s[]" % section, "map"),
        ("spec.%s[].route" % section, "list"),
        ("spec.%s[].route[]" % section, "map"),
        ("spec.%s[].route[].destination" % section, "map"),
        ("spec.%s[].route[].destination.host" % section, "str"),
        ("spec.%s[].route[].destination.port" % section, "map"),
        ("spec.%s[].route[].destination.port.number" % section, "int"),
    )
)

# Built-in kinds, the Gateway API's and Istio's VirtualService (their API group, then kind): the fields of theirs that
# reduction and detection read, typed as their schema says.
KIND_SHAPES = {
    ("networking.k8s.io", "Ingress"): _INGRESS,
    ("networking.k8s.io", "IngressClass"): (("spec.controller", "str"),) + _ref("spec.parameters"),
    (_GATEWAY_API, "GatewayClass"): (("spec.controllerName", "str"),) + _ref("spec.parametersRef"),
    (_GATEWAY_API, "Gateway"): _GATEWAY,
    (_GATEWAY_API, "HTTPRoute"): _ROUTE,
    (_GATEWAY_API, "GRPCRoute"): _ROUTE,
    (_GATEWAY_API, "TLSRoute"): _ROUTE,
    (_GATEWAY_API, "TCPRoute"): _ROUTE,
    (_GATEWAY_API, "UDPRoute"): _ROUTE,
    ("networking.istio.io", "VirtualService"): _VIRTUAL_SERVICE,
    ("apps", "Deployment"): _WORKLOAD,
    ("apps", "DaemonSet"): _WORKLOAD,
    ("apps", "StatefulSet"): _WORKLOAD,
    ("apps", "ReplicaSet"): _WORKLOAD,
    ("batch", "Job"): _WORKLOAD,
    ("", "Pod"): _pod_spec("spec") + (("status.phase", "str"),),
    ("", "Service"): _SERVICE,
    ("", "ConfigMap"): (("data", "map"), ("data{}", "str")),
    ("", "Node"): (("status.nodeInfo", "map"), ("status.nodeInfo.kubeletVersion", "str")),
    ("", "Namespace"): (("status.phase", "str"),),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): (
        ("webhooks", "list"),
        ("webhooks[]", "map"),
        ("webhooks[].name", "str"),
    )
    + _selector("webhooks[].namespaceSelector")
    + _selector("webhooks[].objectSelector"),
}


def _is_ip(value):
    import ipaddress

    if not isinstance(value, str):
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


_CHECKS = {
    "ip": _is_ip,
    "map": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "scalar": lambda v: v is None or isinstance(v, (str, int, float, bool)),
    "int_or_str": lambda v: isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)),
}

_NAMES = {
    "ip": "an IPv4 or IPv6 address",
    "map": "a mapping",
    "list": "a list",
    "str": "a string",
    "int": "an integer",
    "bool": "true or false",
    "scalar": "a string, number or boolean",
    "int_or_str": "an integer or a string",
}


def _split(path):
    """``spec.ports[].name`` -> [("spec", ""), ("ports", "[]"), ("name", "")]."""
    steps = []
    for part in path.split("."):
        if part.endswith(("[]", "{}")):
            steps.append((part[:-2], part[-2:]))
        else:
            steps.append((part, ""))
    return steps


def _values(obj, steps, where):
    """(where, value) of each value the path reaches (absent and null fields reach nothing)."""
    nodes = [(where, obj)]
    for field, each in steps:
        nxt = []
        for at, node in nodes:
            if not isinstance(node, dict) or node.get(field) is None:
                continue
            value = node[field]
            at = "%s.%s" % (at, field) if at else field
            if each == "[]" and isinstance(value, list):
                nxt.extend(("%s[%d]" % (at, i), v) for i, v in enumerate(value))
            elif each == "{}" and isinstance(value, dict):
                nxt.extend(("%s[%r]" % (at, k), v) for k, v in value.items())
            elif not each:
                nxt.append((at, value))
        nodes = nxt
    return nodes


def _type_name(value):
    if value is None:
        return "null"
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
    }.get(type(value), "a %s" % type(value).__name__)


_COMPILED = {}


def compile_rows(rows):
    """Rows of (path, type) made ready for rows_problem (compile once, check many)."""
    return [(_split(path), check) for path, check in rows]


def _rows(group, kind):
    key = (group, kind)
    if key not in _COMPILED:
        _COMPILED[key] = compile_rows(_OBJECT_META + KIND_SHAPES.get(key, ()))
    return _COMPILED[key]


def rows_problem(value, compiled, where=""):
    """None, or "<where.field> must be <type>, not <type>" for the first value reached by one
    of the ``compiled`` rows (compile_rows) whose type is wrong. Absent and null fields pass
    (null list elements do not), unless the row's type ends in "!" (required)."""
    for steps, check in compiled:
        if check.endswith("!"):  # required: every parent that is a mapping has it
            check = check[:-1]
            field = steps[-1][0]
            for at, parent in _values(value, steps[:-1], where) if steps[:-1] else [(where, value)]:
                if isinstance(parent, dict) and parent.get(field) is None:
                    return "%s.%s is required" % (at, field) if at else "%s is required" % field
        for at, found in _values(value, steps, where):
            if check.startswith("one of "):  # "one of a|b|c": one of these strings
                allowed = check[len("one of ") :].split("|")
                if not isinstance(found, str) or found not in allowed:
                    shown = repr(found[:40]) if isinstance(found, str) else _type_name(found)
                    return "%s must be one of %s, not %s" % (at, ", ".join(allowed), shown)
            elif not _CHECKS[check](found):
                return "%s must be %s, not %s" % (at, _NAMES[check], _type_name(found))
    return None


def shape_problem(obj):
    """None, or "<field> must be <type>, not <type>" for the first field of ``obj`` whose type
    is not what Kubernetes' schema gives it (only the fields detection reads are checked)."""
    if not isinstance(obj, dict):
        return "the object must be a mapping, not %s" % _type_name(obj)
    api_version = obj.get("apiVersion")
    kind = obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return "apiVersion and kind must be strings"
    group = api_version.rpartition("/")[0]
    if group == "extensions":  # old dumps: read as their current group (detect/index.py)
        group = "networking.k8s.io" if kind == "Ingress" else "apps"
    return rows_problem(obj, _rows(group, kind))


def reduced_or_problem(obj, reduce):
    """``(reduce(obj), None)``, or ``(None, problem)`` when the object's shape is wrong or it
    nests deeper than reduction can follow (Python's recursion limit: a filter's input or a
    hostile server; files cannot, their parsers stop first)."""
    problem = shape_problem(obj)
    if problem:
        return None, problem
    try:
        return reduce(obj), None
    except RecursionError:
        return None, "nested deeper than %d levels" % sys.getrecursionlimit()


def describe(obj):
    """``Kind namespace/name`` of an object for warnings (whatever its shape)."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    kind = obj.get("kind") if isinstance(obj, dict) else None
    name = meta.get("name")
    namespace = meta.get("namespace")
    return "%s %s%s" % (
        kind if isinstance(kind, str) else "object",
        "%s/" % namespace if isinstance(namespace, str) and namespace else "",
        name if isinstance(name, str) else "(no name)",
    )
