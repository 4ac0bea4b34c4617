# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A vendor's Service-routing switch and Host rewrite, declared once (its entry's "plan"), and
what detection checks to tell whether they are on, derived from that declaration.

plan/switches.py turns a switch on by writing what the declaration says; detection asks the
questions below of the same declaration ("is that annotation / list value / object there?"),
plus the entry's "also" expressions: other ways users turn it on that we recognise but never
write (a legacy annotation, a controller flag, another kind of policy object).
"""

from __future__ import annotations

import json


def _literal(value):
    return "`%s`" % json.dumps(value)


def annotation_is(key, value):
    # The catalog's fast-path shape (detect/expressions.py evaluates it without JMESPath).
    return "metadata.annotations.\"%s\" == '%s'" % (key, value)


def annotation_set(key):
    return 'metadata.annotations."%s"' % key


def _every_item_has(items, values):
    """Every item of a (flattened) list has these values, and there is at least one."""
    conditions = " || ".join('"%s" != %s' % (k, _literal(v)) for k, v in sorted(values.items()))
    flat = "[]" if items.endswith("[]") else ""
    return "length(%s || `[]`) > `0` && length(%s[?%s]%s) == `0`" % (
        items,
        items[: -len("[]")] if flat else items,
        conditions,
        flat,
    )


def switch_checks(switch):
    """{"route": [...], "backend_service": [...], "cluster": [...], "parameters": [...]}: the
    JMESPath that is true where this declared switch is on (each list in its own scope, as
    detect/routing.py reads; "parameters": on {"spec"} of the parameters the route's parent
    Gateway uses, detect/classes.py parameters_in_use)."""
    target = switch["target"]
    out = {"route": [], "backend_service": [], "cluster": [], "parameters": []}
    if target in ("route", "backend_service"):
        scope = "route" if target == "route" else "backend_service"
        out[scope] = [annotation_is(k, v) for k, v in sorted(switch["annotations"].items())]
    elif target == "route_list":
        out["route"] = [_every_item_has("spec.%s" % switch["field"], switch["set"])]
    elif target == "route_nested":
        items = "spec.%s[].%s[]" % (switch["field"], switch["nested"])
        out["route"] = [_every_item_has(items, switch["set"])]
    elif target == "envoyproxy":
        # On the EnvoyProxy the route's Gateway uses (its own, else its class's).
        out["parameters"] = ["spec.routingType == 'Service'"]
    return out


def rewrite_checks(rewrite):
    """The JMESPath (on a route) that is true where this declared Host rewrite is set."""
    if rewrite["target"] == "route_annotation":
        return [annotation_set(rewrite["annotation"])]
    # route_nested_header: a Host request header on the routes of the list.
    return [
        "spec.%s[].requestHeadersPolicy.set[?name == 'Host'][] | length(@) > `0`" % rewrite["field"]
    ]


_CHECKS = {}


def routing_checks(entry):
    """What detection checks for an entry, worked out once per entry: {"service_routing": {...,
    "route", "backend_service", "workload", "cluster", "parameters"}, "host_rewrite": {"route",
    "backend_service"}} - the declared switches' checks first, then the entry's "also"."""
    cached = _CHECKS.get(id(entry))
    if cached is None or cached[0] is not entry:  # the entry is kept: its id is not reused
        plan = entry.get("plan") or {}
        sr = dict(entry.get("service_routing") or {})
        also = sr.pop("also", {})
        for name in ("route", "backend_service", "workload", "cluster", "parameters"):
            derived = [c for s in plan.get("switch", ()) for c in switch_checks(s).get(name, ())]
            exprs = derived + list(also.get(name, ()))
            if exprs:
                sr[name] = exprs
        hr_also = (entry.get("host_rewrite") or {}).get("also", {})
        routes = [
            annotation_set(s["host_annotation"])
            for s in plan.get("switch", ())
            if s.get("host_annotation")
        ]
        routes += [c for r in plan.get("host_rewrite", ()) for c in rewrite_checks(r)]
        hr = {}
        if routes or hr_also.get("route"):
            hr["route"] = routes + list(hr_also.get("route", ()))
        if hr_also.get("backend_service"):
            hr["backend_service"] = list(hr_also["backend_service"])
        cached = _CHECKS[id(entry)] = (entry, {"service_routing": sr, "host_rewrite": hr})
    return cached[1]
