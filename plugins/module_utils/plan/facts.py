# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Reading the detection facts (an lb_info result): the API version a kind is served at, whether
it is served, the load balancers and routes in scope, and a load balancer's workload target."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import patch_target


def istio_version(facts, opts, kind, group="networking.istio.io"):
    if opts.get("istio_api_version"):
        return "%s/%s" % (group, opts["istio_api_version"])
    apis = (facts.get("cluster_facts") or {}).get("apis")
    if apis and apis.get("%s/%s" % (group, kind)):
        return "%s/%s" % (group, apis["%s/%s" % (group, kind)])
    return "%s/v1" % group


def api(facts, group, kind, default_version):
    apis = (facts.get("cluster_facts") or {}).get("apis")
    if apis and apis.get("%s/%s" % (group, kind)):
        return "%s/%s" % (group, apis["%s/%s" % (group, kind)])
    return "%s/%s" % (group, default_version)


def served(facts, group, kind):
    """True / False when discovery is known (live), None offline."""
    apis = (facts.get("cluster_facts") or {}).get("apis")
    if apis is None:
        return None
    return "%s/%s" % (group, kind) in apis


def _in_scope(lb, opts):
    if opts["namespaces"] and lb["namespace"] not in opts["namespaces"]:
        return False
    wanted = opts["load_balancers"]
    if wanted:
        names = {lb["id"], lb["name"], "%s/%s" % (lb["namespace"], lb["name"])}
        if not names & set(wanted):
            return False
    return True


def _terminating(facts, namespace):
    namespaces = (facts.get("istio") or {}).get("namespaces") or {}
    return bool((namespaces.get(namespace) or {}).get("terminating"))


def routes_of(facts, lb, opts):
    """The LB's routes in scope; those in a namespace being deleted are left out (the API server
    refuses new objects there; lbs() warns about them)."""
    by_id = {r["id"]: r for r in facts.get("routes") or ()}
    out = []
    for rid in lb.get("routes") or ():
        r = by_id.get(rid)
        if r is None or _terminating(facts, r.get("namespace")):
            continue
        if opts["hosts"] and r.get("hosts") and not set(r["hosts"]) & set(opts["hosts"]):
            continue
        out.append(r)
    return out


def workload_target(lb):
    return patch_target(lb.get("apiVersion") or "apps/v1", lb["kind"], lb["name"], lb["namespace"])


def planned_xff_hops(b):
    """The fewest X-Forwarded-For entries the in-cluster LBs in scope pass on (detection's
    xff_hops: their own and the cloud LBs' in front of them); 1 when none says."""
    return min(
        (
            lb.get("xff_hops", 1)
            for lb in b.facts.get("load_balancers") or ()
            if lb.get("role") != "cloud" and _in_scope(lb, b.opts)
        ),
        default=1,
    )


def lbs(b, cloud=False, data_plane=True):
    """The load balancers in scope, sorted; refusals for those no mode can patch.

    data_plane: refuse controllers found without their proxy workload, for modes that patch
    the load balancer pods or re-point their routes.
    """
    facts, opts = b.facts, b.opts
    out = []
    for lb in facts.get("load_balancers") or ():
        if not _in_scope(lb, opts):
            continue
        if (lb.get("role") == "cloud") != cloud:
            continue
        if _terminating(facts, lb["namespace"]):
            b.refuse(
                lb,
                "namespace-terminating",
                "namespace %s is being deleted" % lb["namespace"],
                "wait until it is gone or its deletion is cancelled, then plan again",
            )
            continue
        if data_plane and lb.get("role") == "control-plane":
            b.refuse(
                lb,
                "no-data-plane",
                "only the control plane of %s was found; its proxy pods are not in the input"
                % lb["vendor"],
                "run again when the data-plane workload exists",
            )
            continue
        out.append(lb)
        warn_leaving_routes(b, lb)
    return sorted(out, key=lambda x: x["id"])


def warn_leaving_routes(b, lb):
    by_id = {r["id"]: r for r in b.facts.get("routes") or ()}
    leaving = sorted(
        rid
        for rid in lb.get("routes") or ()
        if rid in by_id and _terminating(b.facts, by_id[rid].get("namespace"))
    )
    if leaving:
        b.warn(
            "%s: routes left out, their namespace is being deleted (the API server refuses new "
            "objects there): %s" % (lb["id"], ", ".join(leaving))
        )
