# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""How long a load balancer's pod takes to shut down, against its terminationGracePeriodSeconds.

The kubelet counts the grace period from the start of the preStop hooks and kills what still
runs when it ends (Kubernetes Lifecycle.preStop). What the LB takes: its containers' preStop
sleep (the longest; "sleep N" in an exec command or the sleep action), then the drain its
vendor's flags declare (vendors/<vendor>.py "shutdown"; defaults only where the vendor's source
states them). A classic Istio sidecar drains in parallel for terminationDrainDuration (pod
proxy config, else the mesh's defaultConfig, else 5s: istio pkg/config/mesh/mesh.go); a native
sidecar is stopped after the LB's containers, in what is left of the same grace period, so it
adds nothing the LB waits for. Pure: plain objects in, numbers out.
"""

from __future__ import annotations

import re

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    containers_of,
    mapping_or_empty,
    namespace_of,
    pod_template_of,
)

DEFAULT_GRACE_SECONDS = 30  # PodSpec.terminationGracePeriodSeconds
ISTIO_DRAIN_SECONDS = 5  # ProxyConfig.terminationDrainDuration
_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")
_UNITS = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_SLEEP = re.compile(r"(?:^|[\s;&|/])sleep\s+(\d+(?:\.\d+)?)s?(?=$|[\s;&|])")


def parse_seconds(text, unit="duration"):
    """Seconds of "30", "10s", "1m30s", "500ms" (unit "duration": Go's, a bare number is seconds;
    "seconds": a number); None when it is neither."""
    text = str(text if text is not None else "").strip()
    if re.match(r"^\d+(\.\d+)?$", text):
        return float(text)
    if unit != "duration" or not text:
        return None
    parts = _GO_DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNITS[u] for n, u in parts)


def _flag_values(args, pattern):
    """Every value given to a flag whose name matches ``pattern`` ("--f=v" or "--f v")."""
    rx = re.compile(r"^(?:%s)$" % pattern, re.IGNORECASE)
    out = []
    for i, arg in enumerate(args):
        name, eq, value = str(arg).partition("=")
        if not rx.match(name):
            continue
        if eq:
            out.append(value)
        elif i + 1 < len(args):
            out.append(str(args[i + 1]))
    return out


def _pre_stop_sleep(container):
    """Seconds a container's preStop hook sleeps (the sleep action, or "sleep N" run by exec)."""
    pre_stop = mapping_or_empty(mapping_or_empty(container.get("lifecycle")).get("preStop"))
    seconds = mapping_or_empty(pre_stop.get("sleep")).get("seconds")
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
        return float(seconds)
    command = " ".join(str(c) for c in mapping_or_empty(pre_stop.get("exec")).get("command") or ())
    return sum(float(m) for m in _SLEEP.findall(command))


def _pre_stop_command(container):
    """A container's preStop exec command, as a list of strings (empty without one)."""
    pre_stop = mapping_or_empty(mapping_or_empty(container.get("lifecycle")).get("preStop"))
    return [str(c) for c in mapping_or_empty(pre_stop.get("exec")).get("command") or ()]


def _pre_stop_args(containers, pattern):
    """The words of the preStop commands that run what ``pattern`` matches (a shell's "-c"
    string split on spaces), or None when no preStop runs it."""
    rx = re.compile(pattern)
    found = None
    for c in containers:
        command = _pre_stop_command(c)
        if command and rx.search(" ".join(command)):
            found = (found or []) + [w for part in command for w in part.split()]
    return found


def _configmap_value(wl, containers, flag, configmap):
    """The value the controller's ConfigMap (named by its ``flag["arg"]``, "ns/name") holds
    under ``flag["key"]``, or None (no such arg, ConfigMap or key; ``configmap``: (namespace,
    name) -> its data or None)."""
    if configmap is None:
        return None
    args = [a for c in containers for a in (c.get("args") or []) + (c.get("command") or [])]
    for value in _flag_values(args, re.escape(flag["arg"])):
        ns, _sep, name = value.replace("$(POD_NAMESPACE)", namespace_of(wl) or "").rpartition("/")
        data = configmap(ns or namespace_of(wl), name) or {}
        if flag["key"] in data:
            return data[flag["key"]]
    return None


def _flag_label(flag):
    if flag.get("name"):
        return flag["name"]
    if flag.get("in") == "configmap":
        return "ConfigMap %s" % flag["key"]
    return flag["flag"].replace("\\", "")


def lb_drain(wl, entry, configmap=None):
    """(seconds, [what adds up]) the LB's own containers take to shut down. ``configmap``:
    (namespace, name) -> the data of that ConfigMap or None, for settings read from the
    controller's ConfigMap (their defaults apply without it)."""
    parts = []
    containers = [c for c in containers_of(wl, init=False) if c.get("name") != "istio-proxy"]
    sleeps = [(s, c.get("name")) for s, c in ((_pre_stop_sleep(c), c) for c in containers) if s]
    total = 0.0
    if sleeps:
        seconds, name = max(sleeps)
        total += seconds
        parts.append("preStop sleep %gs (%s)" % (seconds, name))
    args = [a for c in containers for a in (c.get("command") or []) + (c.get("args") or [])]
    for flag in (entry.get("shutdown") or {}).get("flags") or ():
        where = flag.get("in", "args")
        if where == "configmap":
            raw = _configmap_value(wl, containers, flag, configmap)
            values = [] if raw is None else [parse_seconds(raw, flag["unit"])]
        elif where == "pre_stop":
            words = _pre_stop_args(containers, flag["command"])
            if words is None:
                continue  # no preStop runs the command these flags belong to
            values = [parse_seconds(v, flag["unit"]) for v in _flag_values(words, flag["flag"])]
        else:
            values = [parse_seconds(v, flag["unit"]) for v in _flag_values(args, flag["flag"])]
        values = [v for v in values if v is not None]
        if values:
            seconds, source = max(values), "set"
        elif flag.get("default"):
            seconds, source = float(flag["default"]), "default"
        else:
            continue
        total += seconds
        parts.append("%s %gs (%s)" % (_flag_label(flag), seconds, source))
    return total, parts


def grace_seconds(wl):
    """The pod's terminationGracePeriodSeconds (30 when unset)."""
    value = (pod_template_of(wl).get("spec") or {}).get("terminationGracePeriodSeconds")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return float(DEFAULT_GRACE_SECONDS)


def istio_drain(proxy_config, mesh_default_config):
    """terminationDrainDuration of the sidecar: pod proxy config, mesh default, 5s."""
    for config in (proxy_config, mesh_default_config):
        seconds = parse_seconds(mapping_or_empty(config).get("terminationDrainDuration"))
        if seconds is not None:
            return seconds
    return float(ISTIO_DRAIN_SECONDS)


def shutdown_need(wl, entry, sidecar_kind, proxy_config, mesh_default_config, configmap=None):
    """(seconds the pod needs, [what decides it], grace seconds) for an LB workload;
    ``sidecar_kind``: "classic" (or "unknown", treated so) when a sidecar drains beside it,
    "native", or None (no sidecar); ``configmap`` as for lb_drain()."""
    need, parts = lb_drain(wl, entry, configmap)
    if sidecar_kind in ("classic", "unknown"):
        drain = istio_drain(proxy_config, mesh_default_config)
        if drain > need:
            parts.append("classic sidecar terminationDrainDuration %gs" % drain)
        need = max(need, drain)
    return need, parts, grace_seconds(wl)
