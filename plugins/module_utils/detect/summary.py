# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The keys of a detect() result, and its summary (per-route lists become counts)."""

from __future__ import annotations

# The keys of a detect() result, plus the `cluster` the modules add.
FACT_KEYS = (
    "detail",
    "cluster",
    "cluster_facts",
    "load_balancers",
    "controllers",
    "routes",
    "istio",
    "findings",
    "summary",
)


# How much of a detect() result a module returns (lb_info's detail option).
DETAILS = ("summary", "full")


# Per-LB lists that grow with the number of routes; a summary carries their lengths instead.
_PER_ROUTE_LB_KEYS = (("routes", "route_count"), ("backends", "backend_count"))


def summarize(result):
    """A detect() result without its per-route detail.

    Every route costs ~1 KB of result, and Ansible copies, scrubs and serialises a module's
    result several times (bench/: 6.2 MB at 5,000 Ingresses was 40% of lb_info's time). The
    summary keeps the load balancers (their route and backend lists become counts), Istio, the
    findings (one per broken route at most, so it grows with what is wrong, not with every
    route) and the counts, and drops `routes`; plan() refuses it, because plans need routes.
    """
    out = {k: v for k, v in result.items() if k != "routes"}
    out["detail"] = "summary"
    lbs = []
    for lb in result.get("load_balancers") or ():
        lb = dict(lb)
        lists_to_counts(lb)
        lbs.append(lb)
    out["load_balancers"] = lbs
    return out


def lists_to_counts(lb, route_count=None):
    """A load balancer's per-route lists become their lengths (in place); a summary's counts
    stay as they are. ``route_count``: the count, when the list was never kept."""
    for key, count_key in _PER_ROUTE_LB_KEYS:
        if key in lb or count_key not in lb:
            value = lb.pop(key, None)
            lb[count_key] = (
                route_count if key == "routes" and route_count is not None else len(value or ())
            )
