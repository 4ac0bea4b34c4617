# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Which install of its vendor a workload is: the controller names its mounted config file
gives (vendors' "install_config": APISIX's config.yaml controller_name, Envoy Gateway's
EnvoyGateway gateway.controllerName), or the id its environment gives (vendors' "install_id":
Emissary's AMBASSADOR_ID). Two installs of one vendor are two load balancers, each serving only
the classes of its controller names, or the routes that name its id. Pure: plain objects in."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import jp
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    containers_of,
    namespace_of,
    pod_template_of,
)

try:
    import yaml
except ImportError:  # pragma: no cover - Ansible ships PyYAML
    yaml = None


def _mounted_configmaps(wl):
    """Names of the ConfigMaps the workload's containers mount (configMap volumes)."""
    spec = pod_template_of(wl).get("spec") or {}
    volumes = {
        v.get("name"): (v.get("configMap") or {}).get("name")
        for v in spec.get("volumes") or ()
        if isinstance(v, dict) and isinstance(v.get("configMap"), dict)
    }
    names = []
    for c in containers_of(wl, init=False):
        for m in c.get("volumeMounts") or ():
            name = volumes.get((m or {}).get("name"))
            if name and name not in names:
                names.append(name)
    return names


def _parsed(text):
    if yaml is None or not isinstance(text, str):
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return value if isinstance(value, dict) else None


def _config_controllers(idx, wl, spec):
    """(controller names, evidence) from the first mounted ConfigMap holding ``spec["key"]``,
    or (None, None) when no mounted ConfigMap has that file."""
    ns = namespace_of(wl)
    for name in _mounted_configmaps(wl):
        cm = idx.get("", "ConfigMap", ns, name)
        data = (cm or {}).get("data") or {}
        if spec["key"] not in data:
            continue
        config = _parsed(data[spec["key"]])
        if config is None:
            continue
        value = jp(spec["controller"], config)
        where = "ConfigMap %s/%s %s" % (ns, name, spec["key"])
        if isinstance(value, str) and value:
            return [value], "%s sets %s %s" % (where, spec["controller"], value)
        return list(spec["default"]), "%s leaves %s at its default" % (where, spec["controller"])
    return None, None


def _env_value(wl, name):
    """(found, value) of a container environment variable: value None when it is not a literal
    (valueFrom, or a live read that kept only its name)."""
    for c in containers_of(wl, init=False):
        for e in c.get("env") or ():
            if isinstance(e, dict) and e.get("name") == name:
                value = e.get("value")
                return True, value if isinstance(value, str) else None
    return False, None


def install_identity(idx, wl, entry, role=None):
    """{"controllers": controller names it serves or None (not known: every class of its
    vendor), "serves": the class kinds those name, "id": its install id or None (not known:
    every route), "evidence": [...]} of a vendor's workload of ``role``."""
    out = {"controllers": None, "serves": [], "id": None, "evidence": []}
    for spec in entry.get("install_config", ()):
        if spec.get("role") and spec["role"] != role:
            continue
        controllers, evidence = _config_controllers(idx, wl, spec)
        if controllers is not None:
            out["controllers"] = (out["controllers"] or []) + [
                c for c in controllers if c not in (out["controllers"] or [])
            ]
            out["serves"] = sorted(set(out["serves"]) | set(spec["serves"]))
            out["evidence"].append(evidence)
    id_spec = entry.get("install_id")
    if id_spec and id_spec.get("role") not in (None, role):
        id_spec = None
    if id_spec:
        found, value = _env_value(wl, id_spec["env"])
        if not found:
            out["id"] = id_spec["default"]
            out["evidence"].append("%s unset: install id %s" % (id_spec["env"], out["id"]))
        elif value is not None:
            out["id"] = value
            out["evidence"].append("install id %s (%s)" % (value, id_spec["env"]))
    return out


def route_install_ids(entry, obj):
    """The install ids a route object names (its vendor's "install_id" "route" expressions, the
    first that gives any), or the vendor's default ids; None when the vendor has no ids."""
    id_spec = entry.get("install_id")
    if not id_spec:
        return None
    for expr in id_spec.get("route", ()):
        value = jp(expr, obj)
        if isinstance(value, str) and value:
            return [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list) and value:
            return [v for v in value if isinstance(v, str)]
    return list(id_spec["route_default"])


def install_controllers(items):
    """{controller name: vendor id} of the controller names the installs' configs give (those
    the registry does not know: a second install's own)."""
    out = {}
    for item in items:
        for controller in (item.get("install") or {}).get("controllers") or ():
            out.setdefault(controller, item["vendor"])
    return out
