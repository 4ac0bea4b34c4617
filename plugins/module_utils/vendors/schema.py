# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The schema of a vendor entry (vendors/<vendor>.py ENTRIES), and check_entries() against it.

A unit test runs check_entries() over the registry, so a misspelt key, a missing required key,
a value of the wrong type, or a JMESPath expression or regex that does not compile fails there,
not silently at detection time (where a bad expression would only read as "no match").

Entry keys (all optional unless required):
  id (required)             canonical vendor id (keep stable, users filter on it)
  name (required)           display name
  kind (required)           "in-cluster" or "cloud"
  ingress_class_controllers IngressClass spec.controller strings (exact, or prefix when ending in "/")
  gateway_class_controllers GatewayClass spec.controllerName strings (same matching)
  gateway_class_prefixes    GatewayClass name prefixes served by the vendor by convention
  class_names               conventional class names (legacy annotation / ingressClassName) used
                            to infer the vendor when the IngressClass object is not available
  serves_classes_of         another vendor's classes this one can serve (Traefik's ingress-nginx
                            provider): [{"vendor": whose classes, "provider": its name,
                            "enabled_by": regex on a container command line that turns it on,
                            "class_args": as class_args (flags matched case-insensitively),
                            "default_class", "default_controller": what it claims unless its
                            flags say otherwise, "switch": human text}]; the workload stays this
                            vendor, and the routes of those classes get the other vendor's
                            route-level switches (never its ConfigMap, Helm values or findings)
  default_ingress_class     the class a controller serves when no flag names one and no
                            IngressClass of its own exists (it creates none)
  annotation_prefixes       annotation prefixes on routes that identify the vendor
  backend_service_annotation_prefixes  annotations on a class-less Ingress's backend Services
                            that say this vendor serves it
  route_kinds               vendor route kinds: {"group/Kind": {"backends": <jmespath>, "hosts":
                            <jmespath>, "hosts_pattern": a regex over each string "hosts"
                            yields, whose group 1 holds hosts quoted with ` or " (Traefik's
                            match rule Host(`a`, `b`)), "plan_fields": [atomic spec lists a plan sends whole], "ingress_class": <jmespath>
                            giving the IngressClass it names (then only the installs serving
                            that class serve it, as for an Ingress),
                            "plural" (required: the resource name, for LISTs and RBAC),
                            "patched": plans may patch them}} where backends yields
                            [{service, port, namespace?}] from the object; all are read
  kinds                     the vendor's other kinds: {"group/Kind": {"plural" (required),
                            "read": LISTed for detection, "patched": plans may write them,
                            "creates": and create them (undo deletes them)}}
  workload_signals          how to recognise the vendor's pods, each signal one of: {"image": regex
                            on the normalised image path (no registry, tag, digest), "with_image":
                            a second image the pod must also run}, {"command": regex on one
                            container's command line (command and args joined by spaces)},
                            {"env": regex on a container's environment variable names},
                            {"labels": {k: v or None}} (pod template labels, all must match;
                            None: key present), {"chart": regex on the helm.sh/chart (or chart)
                            label}, {"container": regex on container names}, {"port": regex on
                            container port names}; each with "role": data-plane | control-plane |
                            all-in-one ("decides_role": this signal's role wins) and "weak": true
                            when it is not enough alone (a generic label, a container or port
                            name): a workload is the vendor's when one signal that is not weak
                            matches, or two weak ones do (an IngressClass or GatewayClass of the
                            vendor in the cluster counts as one weak signal); container and port
                            signals are always weak
  service_signals           LoadBalancer Services that are this cloud LB: {"field": jmespath,
                            "values": [...]}, {"annotation": key, "values": [...]} or
                            {"annotation_prefix": prefix}
  class_args                container args / env that carry the class names the workload serves
                            ({"ingress_class": [...], "controller_class": [...]})
  helper_jobs               regexes on Job images/names that are the vendor's install helpers
  shutdown                  how long the LB takes to shut down: {"flags": [{"unit": "seconds" |
                            "duration" (Go's 10s / 1m30s, a bare number is seconds), "in": where
                            the setting is read - "args" (default: the containers' command and
                            args), "pre_stop" (the args of a preStop exec command that matches
                            "command", a regex; without such a preStop the setting does not
                            apply), "configmap" (key "key" of the ConfigMap the controller's
                            "arg" names, "ns/name"), "flag": regex on the flag's name
                            (case-insensitive, "--name=value" or "--name value"; args and
                            pre_stop), "name": how the reason names it, "default": seconds when
                            it is not set (only a default the vendor's source states; none:
                            absent counts 0)}]}; the settings' times add up (detect/shutdown.py;
                            a preStop sleep comes on top)
  install_config            the config file that makes an install of the vendor its own
                            (detect/installs.py): [{"key": the file's key in a ConfigMap the
                            workload's containers mount, "role": the workloads of that role
                            that read it (all without), "controller": jmespath on the parsed
                            YAML giving the controller name it serves, "default": the names it
                            serves when the file leaves it out, "serves": ["IngressClass",
                            "GatewayClass"] (the classes whose controller string those name)}];
                            a second install with another name is a load balancer of its own
  install_id                an install id that routes name (Emissary's AMBASSADOR_ID): {"env":
                            the container variable, "role": the workloads of that role it
                            applies to (all without), "default": its value when unset, "route":
                            [jmespath on a route object giving the ids that serve it, a list or
                            a comma-separated string; the first that gives any], "route_default":
                            the ids of a route that names none}
  webhook_ports             ports on which the API server calls the LB pod (admission webhooks)
  service_routing           Service routing (traffic to the Service VIP rather than pod IPs):
                            {"switch": human text (None: the vendor has none), "configmap":
                            {"arg", "key", "value"} (a global switch in the controller's
                            ConfigMap), "default": bool, "also": other ways users turn it on that
                            detection recognises and plans never write - {"route": [jmespath on
                            the route object], "backend_service": [jmespath on each backend
                            Service], "workload": [jmespath on {"args": the LB's args}],
                            "cluster": ["group/Kind:jmespath" on any object of that kind]}}.
                            Whether the switch a plan writes ("plan" "switch") is on is derived
                            from that declaration (vendors/switches.py): never written twice.
  host_rewrite              {"also": {"route": [...], "backend_service": [...]}}: Host rewrites
                            detection recognises beyond those a plan declares (a switch's
                            "host_annotation", "plan" "host_rewrite")
  health_check              for cloud LBs fronting the Istio gateway: "where" the check is set
                            (text), "planned_by" (text: which plan sets it; MG0006's fix), the
                            "reader" (annotations by default, backend_config, health_check_policy)
                            and, for annotations (vendors/health_checks.py): "read_from" (route,
                            service: later wins), the "port_annotation" / "path_annotation" /
                            "protocol_annotation" that set it ("{port}" in a key: one per Service
                            port but the status port, with "per_port"), "path_fallback" /
                            "protocol_fallback" (read when the per-port key is absent),
                            "protocol_default", "port_value" (what names the status port: its
                            "name", its "number" - the NodePort for node targets - or the
                            "service_port" number), "target_type" {"annotation", "default",
                            "node": values meaning node targets, "pod": the pod-IP value,
                            "implied": {annotation: {value: target type}}}, and "plan" {"on":
                            route | service (where a plan writes), "protocol", "xff_hops" (the
                            X-Forwarded-For entries the LB adds: numTrustedProxies), "requires"
                            (the Service must match one: {"annotation"|"field", "values"}),
                            "client_ip" (text: how the client IP reaches the gateway)}
  editions                  the vendor's editions a workload can run: {id: {"name", "image": regex
                            on the normalised image, "args": container args (before any "=")}};
                            the LB record lists those it runs ("editions")
  xff                       an in-cluster LB's handling of the X-Forwarded-For it receives:
                            {"appends_when": {"configmap": {key: value}} (the controller
                            ConfigMap - the one service_routing's "configmap" arg names - must
                            hold them all for it to pass the received entries on with its peer
                            appended; else it sends one entry, and the cloud LBs' in front do
                            not reach the gateway), "switch": text}; without it the LB appends
  xff_hops                  X-Forwarded-For entries a cloud LB adds in front of the Istio gateway
                            (its numTrustedProxies) when its health_check has no "plan" that says
  headless_service          what the vendor does, with Service routing on, with a backend that
                            is a headless Service (MG0014's text; a neutral text without it)
  multi_cluster_classes      GatewayClasses that span a fleet: {"suffix": of their names,
                            "backend": {"group", "kind"} that routes' backendRefs and policies'
                            targetRef name instead of a Service}
  gateway_parameters        a Gateway's own parameters (spec.infrastructure.parametersRef, an
                            object in the Gateway's namespace) that its controller uses over its
                            GatewayClass's: {"kind": "group/Kind" it must name, "refused_if_class":
                            jmespath on the class's parameters object true when the controller
                            refuses such a Gateway (Envoy Gateway: mergeGateways), "merge_field":
                            the spec field of the Gateway's object that says how it combines with
                            the class's, "merges": [values of it that merge; any other replaces
                            the class's object whole]}
  retired                   text when the project is retired / end of life
  plan                      what plans write ("pod_template_in": {"kind", "paths": {workload
                            kind: dotted path of the pod spec}}: the object the vendor makes its
                            data plane's workload from, where pod labels and annotations go);
                            "switch" [{"on": kind or "*", "target": one of
                            SWITCH_TARGETS, "annotations" | "field" + "set" (+ "nested"),
                            "host_annotation"}], "host_rewrite" [{"on", "target":
                            route_annotation | route_nested_header, "annotation" | "field"}],
                            "global_switch": "configmap", "default_service_routing": bool,
                            "external_name_editions": [edition ids] (only those follow an
                            ExternalName Service: chained's cross-namespace bridge),
                            "gclb_edge": bool (gclb_chained's edge), "ingress_classes": {class:
                            {"static_ip_annotation", "managed_certificates": bool}} (what
                            gclb_chained writes on an Ingress of that class),
                            "backend_tls": {"target": "route", "annotations"}, "helm": the
                            chart's values keys (../shared/docs/helm-values.md, measured):
                            "chart", "pod_labels", "pod_annotations", "config", "job_labels",
                            "roles" {role: {"pod_labels", "pod_annotations"}} where the data and
                            control planes have keys of their own, "no_pod_labels" (text: the
                            chart has no pod-label key, and what works instead),
                            "service_routing" {values path: value} (the chart's own Service-
                            routing switch), "pods_also" (text: other pods the keys reach); the
                            chart's values keys {"chart", "pod_annotations", "pod_labels",
                            "config", "job_labels"}
"""

from __future__ import annotations

import re

try:
    import jmespath
except ImportError:  # pragma: no cover - the modules report it
    jmespath = None

# The ways plan/switches.py can turn Service routing on, by where the switch lives.
WORKLOAD_KINDS_PLANNED = ("Deployment", "DaemonSet", "StatefulSet")
SWITCH_TARGETS = ("route", "backend_service", "route_list", "route_nested", "envoyproxy")
HOST_REWRITE_TARGETS = ("route_annotation", "route_nested_header")
ROLES = ("data-plane", "control-plane", "all-in-one")
KINDS = ("in-cluster", "cloud")


# ---------------------------------------------------------------- value checks
# Each returns a list of problems, each a path below the value (".key", "[0]") and what is wrong.


def _at(where, problem):
    """``problem`` of a value found at ``where`` (paths join without a space)."""
    return where + (problem if problem[:1] in ".[" else " " + problem)


def _str(value):
    return [] if isinstance(value, str) and value else ["is not a non-empty string"]


def _text_or_none(value):
    return [] if value is None else _str(value)


def _bool(value):
    return [] if isinstance(value, bool) else ["is not true/false"]


def _seconds(value):
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    return [] if ok else ["is not a number of seconds"]


def _port(value):
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536
    return [] if ok else ["is not a port number"]


def _jmespath(value):
    if not isinstance(value, str) or not value:
        return ["is not a JMESPath expression (a non-empty string)"]
    if jmespath is None:
        return []
    try:
        jmespath.compile(value)
    except Exception as exc:  # noqa: BLE001 - jmespath raises several error types
        return ["does not compile as JMESPath: %s" % exc]
    return []


def _regex(value):
    if not isinstance(value, str) or not value:
        return ["is not a regular expression (a non-empty string)"]
    try:
        re.compile(value)
    except re.error as exc:
        return ["does not compile as a regular expression: %s" % exc]
    return []


def _group_kind(value):
    ok = isinstance(value, str) and re.match(r"^[a-z0-9.-]+/[A-Z][A-Za-z0-9]*$", value)
    return [] if ok else ["is not a group/Kind"]


def _cluster_expr(value):
    if not isinstance(value, str) or ":" not in value:
        return ["is not 'group/Kind:jmespath'"]
    gk, expr = value.split(":", 1)
    return _group_kind(gk) + _jmespath(expr)


def _one_of(*allowed):
    def check(value):
        return [] if value in allowed else ["is not one of %s" % ", ".join(map(str, allowed))]

    return check


def _list_of(item):
    def check(value):
        if not isinstance(value, list):
            return ["is not a list"]
        return [_at("[%d]" % i, p) for i, v in enumerate(value) for p in item(v)]

    return check


def _map_of(key, value_check):
    def check(value):
        if not isinstance(value, dict):
            return ["is not a mapping"]
        out = []
        for k, v in value.items():
            out += ["key %r %s" % (k, p) for p in key(k)]
            out += [_at("[%r]" % (k,), p) for p in value_check(v)]
        return out

    return check


def _record(fields, required=()):
    """A mapping with these keys only; ``required`` must be there."""

    def check(value):
        if not isinstance(value, dict):
            return ["is not a mapping"]
        out = ["misses required key %r" % k for k in required if k not in value]
        for k, v in value.items():
            if k not in fields:
                out.append("has unknown key %r (known: %s)" % (k, ", ".join(sorted(fields))))
            else:
                out += [_at("." + k, p) for p in fields[k](v)]
        return out

    return check


def _any_of(*records):
    """The first record whose keys the value has decides (a signal is of one shape)."""

    def check(value):
        if not isinstance(value, dict):
            return ["is not a mapping"]
        for marker, record in records:
            if marker in value:
                return record(value)
        return ["has none of the keys %s" % ", ".join(m for m, _r in records)]

    return check


_STRINGS = _list_of(_str)
_ANNOTATIONS = _map_of(_str, _str)

_SIGNAL_COMMON = {"role": _one_of(*ROLES), "decides_role": _bool, "weak": _bool}
WORKLOAD_SIGNAL = _any_of(
    (
        "image",
        _record(dict(_SIGNAL_COMMON, image=_regex, with_image=_regex), ("image", "role")),
    ),
    (
        "command",
        _record(dict(_SIGNAL_COMMON, command=_regex, with_image=_regex), ("command", "role")),
    ),
    ("env", _record(dict(_SIGNAL_COMMON, env=_regex), ("env", "role"))),
    (
        "labels",
        _record(dict(_SIGNAL_COMMON, labels=_map_of(_str, _text_or_none)), ("labels", "role")),
    ),
    ("chart", _record(dict(_SIGNAL_COMMON, chart=_regex), ("chart", "role"))),
    ("container", _record(dict(_SIGNAL_COMMON, container=_regex), ("container", "role"))),
    ("port", _record(dict(_SIGNAL_COMMON, port=_regex), ("port", "role"))),
)
SERVICE_SIGNAL = _any_of(
    ("field", _record({"field": _jmespath, "values": _STRINGS}, ("field", "values"))),
    ("annotation", _record({"annotation": _str, "values": _STRINGS}, ("annotation", "values"))),
    ("annotation_prefix", _record({"annotation_prefix": _str})),
)
ROUTE_KIND = _record(
    {
        "backends": _jmespath,
        "hosts": _jmespath,
        "hosts_pattern": _regex,
        "ingress_class": _jmespath,
        "plan_fields": _STRINGS,
        "plural": _str,
        "patched": _bool,
    },
    ("backends", "plural"),
)
OWN_KIND = _record({"plural": _str, "read": _bool, "patched": _bool, "creates": _bool}, ("plural",))
SERVICE_ROUTING = _record(
    {
        "switch": _text_or_none,
        "also": _record(
            {
                "route": _list_of(_jmespath),
                "backend_service": _list_of(_jmespath),
                "workload": _list_of(_jmespath),
                "cluster": _list_of(_cluster_expr),
            }
        ),
        "configmap": _record({"arg": _str, "key": _str, "value": _str}, ("arg", "key", "value")),
        "default": _bool,
    }
)
PLAN_SWITCH = _record(
    {
        "on": _str,
        "target": _one_of(*SWITCH_TARGETS),
        "annotations": _ANNOTATIONS,
        "host_annotation": _str,
        "field": _str,
        "nested": _str,
        "set": _map_of(_str, lambda v: [] if isinstance(v, (str, bool)) else ["is not a value"]),
    },
    ("on", "target"),
)
PLAN_HOST_REWRITE = _record(
    {"on": _str, "target": _one_of(*HOST_REWRITE_TARGETS), "annotation": _str, "field": _str},
    ("on", "target"),
)
PLAN = _record(
    {
        "switch": _list_of(PLAN_SWITCH),
        "pod_template_in": _record(
            {"kind": _str, "paths": _map_of(_one_of(*WORKLOAD_KINDS_PLANNED), _str)},
            ("kind", "paths"),
        ),
        "host_rewrite": _list_of(PLAN_HOST_REWRITE),
        "global_switch": _one_of("configmap"),
        "default_service_routing": _str,
        "external_name_services": _bool,
        "gclb_edge": _bool,
        "external_name_editions": _STRINGS,
        "ingress_classes": _map_of(
            _str,
            _record(
                {"static_ip_annotation": _str, "managed_certificates": _bool},
                ("static_ip_annotation", "managed_certificates"),
            ),
        ),
        "backend_tls": _record({"target": _one_of("route"), "annotations": _ANNOTATIONS}),
        "helm": _record(
            {
                "chart": _str,
                "pod_annotations": _str,
                "pod_labels": _str,
                "config": _str,
                "job_labels": _str,
                "roles": _map_of(
                    _one_of(*ROLES),
                    _record({"pod_annotations": _str, "pod_labels": _str}),
                ),
                "no_pod_labels": _str,
                "service_routing": _map_of(
                    _str, lambda v: [] if isinstance(v, (str, bool)) else ["is not a value"]
                ),
                "pods_also": _str,
            }
        ),
    },
    ("switch",),
)
_SHUTDOWN_FLAG_FIELDS = _record(
    {
        "flag": _regex,
        "name": _str,
        "unit": _one_of("seconds", "duration"),
        "default": _seconds,
        "in": _one_of("args", "pre_stop", "configmap"),
        "command": _regex,
        "arg": _str,
        "key": _str,
    },
    ("unit",),
)
# What each place a shutdown setting is read from needs besides the unit.
_SHUTDOWN_FLAG_NEEDS = {
    "args": ("flag",),
    "pre_stop": ("flag", "command"),
    "configmap": ("arg", "key"),
}


def _shutdown_flag(value):
    out = _SHUTDOWN_FLAG_FIELDS(value)
    if out or not isinstance(value, dict):
        return out
    where = value.get("in", "args")
    return [
        ".%s is required with in: %s" % (k, where)
        for k in _SHUTDOWN_FLAG_NEEDS[where]
        if k not in value
    ]


HEALTH_CHECK = _record(
    {
        "where": _str,
        "reader": _one_of("annotations", "backend_config", "health_check_policy"),
        "read_from": _list_of(_one_of("route", "service")),
        "per_port": _bool,
        "port_annotation": _str,
        "path_annotation": _str,
        "path_fallback": _str,
        "protocol_annotation": _str,
        "protocol_fallback": _str,
        "protocol_default": _str,
        "port_value": _one_of("name", "number", "service_port"),
        "target_type": _record(
            {
                "annotation": _str,
                "default": _str,
                "node": _STRINGS,
                "pod": _str,
                "implied": _map_of(_str, _map_of(_str, _str)),
            },
            ("annotation", "default", "node", "pod"),
        ),
        "plan": _record(
            {
                "on": _one_of("route", "service"),
                "protocol": _str,
                "xff_hops": lambda v: (
                    []
                    if isinstance(v, int) and not isinstance(v, bool) and v >= 0
                    else ["is not a hop count"]
                ),
                "requires": _list_of(
                    _any_of(
                        (
                            "annotation",
                            _record(
                                {"annotation": _str, "values": _STRINGS}, ("annotation", "values")
                            ),
                        ),
                        (
                            "field",
                            _record({"field": _str, "values": _STRINGS}, ("field", "values")),
                        ),
                    )
                ),
                "client_ip": _str,
            },
            ("on", "xff_hops"),
        ),
        "planned_by": _str,
    },
    ("where", "planned_by"),
)
ENTRY = _record(
    {
        "id": lambda v: (
            [] if isinstance(v, str) and re.match(r"^[a-z0-9][a-z0-9-]*$", v) else ["is not an id"]
        ),
        "name": _str,
        "kind": _one_of(*KINDS),
        "ingress_class_controllers": _STRINGS,
        "gateway_class_controllers": _STRINGS,
        "gateway_class_prefixes": _STRINGS,
        "class_names": _STRINGS,
        "default_ingress_class": _str,
        "serves_classes_of": _list_of(
            _record(
                {
                    "vendor": _str,
                    "provider": _str,
                    "enabled_by": _regex,
                    "class_args": _record(
                        {"ingress_class": _STRINGS, "controller_class": _STRINGS}
                    ),
                    "default_class": _str,
                    "default_controller": _str,
                    "switch": _str,
                },
                ("vendor", "provider", "enabled_by", "default_class", "default_controller"),
            )
        ),
        "annotation_prefixes": _STRINGS,
        "backend_service_annotation_prefixes": _STRINGS,
        "route_kinds": _map_of(_group_kind, ROUTE_KIND),
        "kinds": _map_of(_group_kind, OWN_KIND),
        "workload_signals": _list_of(WORKLOAD_SIGNAL),
        "service_signals": _list_of(SERVICE_SIGNAL),
        "class_args": _record({"ingress_class": _STRINGS, "controller_class": _STRINGS}),
        "helper_jobs": _list_of(_regex),
        "shutdown": _record({"flags": _list_of(_shutdown_flag)}, ("flags",)),
        "install_config": _list_of(
            _record(
                {
                    "key": _str,
                    "role": _one_of(*ROLES),
                    "controller": _jmespath,
                    "default": _STRINGS,
                    "serves": _list_of(_one_of("IngressClass", "GatewayClass")),
                },
                ("key", "controller", "default", "serves"),
            )
        ),
        "install_id": _record(
            {
                "env": _str,
                "role": _one_of(*ROLES),
                "default": _str,
                "route": _list_of(_jmespath),
                "route_default": _STRINGS,
            },
            ("env", "default", "route", "route_default"),
        ),
        "webhook_ports": _list_of(_port),
        "service_routing": SERVICE_ROUTING,
        "host_rewrite": _record(
            {
                "also": _record(
                    {"route": _list_of(_jmespath), "backend_service": _list_of(_jmespath)}
                )
            }
        ),
        "health_check": HEALTH_CHECK,
        "headless_service": _str,
        "xff_hops": lambda v: (
            []
            if isinstance(v, int) and not isinstance(v, bool) and v >= 0
            else ["is not a hop count"]
        ),
        "xff": _record(
            {
                "appends_when": _record({"configmap": _map_of(_str, _str)}, ("configmap",)),
                "switch": _str,
            },
            ("appends_when", "switch"),
        ),
        "editions": _map_of(
            _str, _record({"name": _str, "image": _regex, "args": _STRINGS}, ("name",))
        ),
        "multi_cluster_classes": _record(
            {
                "suffix": _str,
                "backend": _record({"group": _str, "kind": _str}, ("group", "kind")),
            },
            ("suffix", "backend"),
        ),
        "owner_label": _str,
        "gateway_parameters": _record(
            {
                "kind": _group_kind,
                "refused_if_class": _jmespath,
                "merge_field": _str,
                "merges": _STRINGS,
            },
            ("kind",),
        ),
        "resolver_field": _str,
        "retired": _str,
        "plan": PLAN,
    },
    ("id", "name", "kind"),
)


def check_entry(entry):
    """Problems of one vendor entry, each naming the entry and the key: [] when it is valid."""
    label = entry.get("id") if isinstance(entry, dict) else None
    return [
        "vendor %s%s" % (label or "<no id>", p if p.startswith(".") else " " + p)
        for p in ENTRY(entry)
    ]


def check_entries(entries):
    """Problems of a whole registry: every entry's, plus ids and route kinds claimed twice."""
    out = []
    seen_ids, seen_kinds = {}, {}
    for entry in entries:
        out += check_entry(entry)
        if not isinstance(entry, dict):
            continue
        vid = entry.get("id")
        if vid in seen_ids:
            out.append("vendor %s is declared twice" % vid)
        seen_ids[vid] = True
        for gk in entry.get("route_kinds") or {}:
            if gk in seen_kinds:
                out.append("route kind %s is claimed by %s and %s" % (gk, seen_kinds[gk], vid))
            seen_kinds[gk] = vid
    return out
