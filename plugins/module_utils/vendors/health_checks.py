# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A cloud LB's health check against the Istio gateway, set by annotations: what a vendor entry's
"health_check" declares (vendors/schema.py) read one way for detection (judge: MG0006) and the
other for plans (wanted: the annotations chained mode writes). One reading, so a plan writes
exactly what detection then finds right.

``svc`` is the gateway Service as detection summarises it (detect/services.py service_summary:
type, ports with name / port / nodePort, annotations, load_balancer_class); ``anns`` the
annotations the LB reads, merged in the entry's "read_from" order (effective_annotations()).
"""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.istio import (
    ISTIO_READY_PATH,
    ISTIO_STATUS_PORT,
)


def effective_annotations(hc, route_anns, svc_anns):
    """The annotations the LB acts on: each source of "read_from" in turn, later ones winning."""
    sources = {"route": route_anns or {}, "service": svc_anns or {}}
    out = {}
    for source in hc.get("read_from") or ("route", "service"):
        out.update(sources[source])
    return out


def status_port(svc):
    """The gateway Service's port entry for the status port, or None."""
    return next((p for p in svc.get("ports") or () if p.get("port") == ISTIO_STATUS_PORT), None)


def node_targets(hc, anns):
    """True when the LB sends to node ports (target type), False for pod IPs, None when the
    vendor has no target type."""
    tt = hc.get("target_type")
    if not tt:
        return None
    value = anns.get(tt["annotation"])
    if value is None:
        for key, implied in (tt.get("implied") or {}).items():
            value = implied.get(str(anns.get(key, "")).strip()) or value
    return str(value or tt["default"]).strip() in tt["node"]


def _probe_ports(hc, svc):
    """The Service ports whose probe the per-port keys set ({port}); [None] for one check."""
    if not hc.get("per_port"):
        return [None]
    return [
        p["port"] for p in svc.get("ports") or () if p.get("port") not in (None, ISTIO_STATUS_PORT)
    ]


def _key(template, port):
    return template.replace("{port}", str(port)) if port is not None else template


def _port_values(hc, svc, nodes):
    """The values of the port annotation that reach the status port: (the one a plan writes or
    None when none is known, every value that is right)."""
    kind = hc.get("port_value", "service_port")
    sp = status_port(svc) or {}
    node_port = sp.get("nodePort")
    number = str(ISTIO_STATUS_PORT)
    if kind == "service_port":
        ok = [number] + ([sp["name"]] if sp.get("name") else [])
        return number, ok
    by_target = str(node_port) if nodes and node_port else (None if nodes else number)
    if kind == "name":
        ok = ([sp["name"]] if sp.get("name") else []) + ([by_target] if by_target else [])
        return (sp.get("name") or by_target), ok
    return by_target, [by_target] if by_target else []


def _lower(value):
    return str(value).strip().lower() if value is not None else None


def expected(hc, svc, anns):
    """[(annotation, the value a plan writes or None, right values, actual value)] of every key
    the health check needs."""
    nodes = node_targets(hc, anns)
    write_port, ok_ports = _port_values(hc, svc, nodes)
    protocol = (hc.get("plan") or {}).get("protocol")
    out = []
    for port in _probe_ports(hc, svc):
        if hc.get("port_annotation"):
            key = _key(hc["port_annotation"], port)
            out.append((key, write_port, ok_ports, anns.get(key)))
        if hc.get("protocol_annotation") and protocol:
            key = _key(hc["protocol_annotation"], port)
            actual = anns.get(key) or anns.get(hc.get("protocol_fallback") or "")
            actual = actual or hc.get("protocol_default")
            out.append((key, protocol, [protocol], actual))
        if hc.get("path_annotation"):
            key = _key(hc["path_annotation"], port)
            actual = anns.get(key) or anns.get(hc.get("path_fallback") or "")
            out.append((key, ISTIO_READY_PATH, [ISTIO_READY_PATH], actual))
    return out


def judge(hc, svc, anns):
    """(ok, actual description) of the health check the annotations set."""
    checks = expected(hc, svc, anns)
    ok = bool(checks) and all(
        _lower(actual) in {_lower(v) for v in right} for _key_, _w, right, actual in checks
    )
    actual = ", ".join(
        "%s=%s" % (key.rsplit("/", 1)[-1], actual if actual is not None else "(default)")
        for key, _w, _r, actual in checks
    )
    return ok, actual or "no probe ports"


def wanted(hc, svc, anns):
    """(the annotations a plan writes - only those not already right -, a problem text or None
    when the right value cannot be known)."""
    out = {}
    for key, write, right, actual in expected(hc, svc, anns):
        if _lower(actual) in {_lower(v) for v in right}:
            continue
        if write is None:
            return {}, (
                "%s needs the NodePort of the gateway Service's status port %d (instance "
                "targets), which the input does not show" % (key, ISTIO_STATUS_PORT)
            )
        out[key] = write
    return out, None


def pod_targets_needed(hc, svc, anns):
    """The target-type value to write when node targets cannot work (a ClusterIP Service has no
    NodePort), else None."""
    tt = hc.get("target_type")
    if tt and node_targets(hc, anns) and svc.get("type") == "ClusterIP":
        return {tt["annotation"]: tt["pod"]}
    return None


def plan_supports(hc, svc):
    """True when a plan may write this health check on svc (plan.requires: one must match)."""
    requires = (hc.get("plan") or {}).get("requires")
    if not requires:
        return True
    anns = svc.get("annotations") or {}
    for req in requires:
        value = anns.get(req["annotation"]) if "annotation" in req else svc.get(req["field"])
        if isinstance(value, str) and value.strip() in req["values"]:
            return True
    return False


def xff_hops(entry):
    """X-Forwarded-For entries the cloud LB of ``entry`` adds in front of the Istio gateway: its
    numTrustedProxies when it alone fronts the gateway (1 when the catalog does not say)."""
    if "xff_hops" in entry:
        return entry["xff_hops"]
    plan = (entry.get("health_check") or {}).get("plan") or {}
    return plan.get("xff_hops", 1)
