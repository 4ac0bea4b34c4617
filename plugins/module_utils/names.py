# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Validation of user-supplied Kubernetes and DNS names, before anything is read or written.

Pure functions: each returns a message naming the option, the bad values and the rule, or
None. The rules are Kubernetes' own (k8s.io/apimachinery/pkg/util/validation): namespaces and
Service names are RFC 1123 / RFC 1035 labels, most other objects RFC 1123 subdomains.
A bad name caught here costs the user one clear error instead of a 422 half way through a plan.
"""

from __future__ import annotations

import re

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_LABEL_1035 = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_KIND = re.compile(r"^[A-Z][A-Za-z0-9]*$")

RULES = {
    "label": "an RFC 1123 label: lower-case letters, digits and '-', at most 63 characters, "
    "starting and ending with a letter or digit",
    "label_1035": "an RFC 1035 label: lower-case letters, digits and '-', at most 63 characters, "
    "starting with a letter and ending with a letter or digit",
    "subdomain": "an RFC 1123 subdomain: labels of lower-case letters, digits and '-' joined by "
    "'.', at most 253 characters",
    "hostname": "a DNS host name, optionally starting with '*.' (RFC 1123 labels joined by '.', "
    "at most 253 characters)",
    "domain": "a DNS host name without wildcards (RFC 1123 labels joined by '.', at most 253 "
    "characters)",
    "namespaced_name": "<namespace>/<name> with an RFC 1123 label as the namespace and an RFC 1123 "
    "subdomain as the name",
    "workload_ref": "<name>, <namespace>/<name> or <Kind>/<namespace>/<name> (as lb_info reports "
    "load balancer ids), with RFC 1123 names",
}


def is_label(value):
    return isinstance(value, str) and bool(_LABEL.match(value))


def is_subdomain(value):
    return (
        isinstance(value, str)
        and 0 < len(value) <= 253
        and all(_LABEL.match(part) for part in value.split("."))
    )


def is_hostname(value, wildcard=True):
    if not isinstance(value, str):
        return False
    if wildcard and value.startswith("*."):
        value = value[2:]
    return is_subdomain(value)


def _valid(rule, value):
    if rule == "label":
        return is_label(value)
    if rule == "label_1035":
        return isinstance(value, str) and bool(_LABEL_1035.match(value))
    if rule == "subdomain":
        return is_subdomain(value)
    if rule == "hostname":
        return is_hostname(value)
    if rule == "domain":
        return is_hostname(value, wildcard=False)
    if rule == "namespaced_name":
        ns, sep, name = value.partition("/") if isinstance(value, str) else ("", "", "")
        return bool(sep) and is_label(ns) and is_subdomain(name)
    if rule == "workload_ref":
        parts = value.split("/") if isinstance(value, str) else []
        if len(parts) == 3:
            return bool(_KIND.match(parts[0])) and is_label(parts[1]) and is_subdomain(parts[2])
        if len(parts) == 2:
            return is_label(parts[0]) and is_subdomain(parts[1])
        return len(parts) == 1 and is_subdomain(parts[0])
    raise ValueError("unknown name rule %r" % rule)


def check_names(option, values, rule):
    """None when every value follows the rule, else one message naming the option and the values."""
    if values is None:
        return None
    items = [values] if isinstance(values, str) else list(values)
    bad = [v for v in items if not _valid(rule, v)]
    if not bad:
        return None
    return "%s: %s %s not valid; each must be %s" % (
        option,
        ", ".join(repr(v) for v in bad),
        "is" if len(bad) == 1 else "are",
        RULES[rule],
    )


def check_all(checks):
    """Run (option, values, rule) checks; return the messages of the failing ones, in order."""
    out = []
    for option, values, rule in checks:
        msg = check_names(option, values, rule)
        if msg:
            out.append(msg)
    return out


# The name rule the API server applies to an object of each kind (apimachinery's
# ValidateObjectMeta with the kind's name function): RBAC objects take path segment names
# ("system:controller:..."), Namespaces and Services labels, everything else subdomains
# (custom resources included).
_PATH_SEGMENT_KINDS = frozenset(("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"))
_NAME_RULE_OF_KIND = {"Namespace": "label", "Service": "label_1035"}


def object_name_problem(obj):
    """Why the API server would refuse this object's metadata.name (and namespace), or None.

    ``obj``: a Kubernetes object with apiVersion and kind. An object with only generateName is
    fine (the API server makes the name)."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return "it has no metadata"
    name = meta.get("name")
    if name is None or name == "":
        if meta.get("generateName"):
            return None
        return "it has no metadata.name"
    if not isinstance(name, str):
        return "its metadata.name is not a string (%r)" % (name,)
    kind = obj.get("kind")
    if kind in _PATH_SEGMENT_KINDS:
        if name in (".", "..") or "/" in name or "%" in name:
            return "metadata.name %r may not be '.', '..' or contain '/' or '%%'" % name
    else:
        rule = _NAME_RULE_OF_KIND.get(kind, "subdomain")
        if not _valid(rule, name):
            return "metadata.name %r is not %s" % (name, RULES[rule])
    namespace = meta.get("namespace")
    if namespace not in (None, "") and not is_label(namespace):
        return "metadata.namespace %r is not %s" % (namespace, RULES["label"])
    return None
