# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mode standalone (A): keep plaintext working - PERMISSIVE PeerAuthentication on exactly the
backend ports the load balancers reach."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import (
    istio_version,
    lbs,
    routes_of,
    served,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    MANAGED_LABEL,
    dns_name,
    meta,
    patch_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.references import PA_DOC


def plan_standalone(b):
    facts, opts = b.facts, b.opts
    ph = b.phase(
        "permissive",
        "PERMISSIVE PeerAuthentication on exactly the backend ports the load balancers reach",
    )
    if served(facts, "security.istio.io", "PeerAuthentication") is False:
        b.refuse(
            "cluster",
            "crd-missing",
            "PeerAuthentication (security.istio.io) is not served",
            "install Istio first",
        )
        return
    version = istio_version(facts, opts, "PeerAuthentication", "security.istio.io")
    seen = set()
    # PERMISSIVE is about the backends a controller routes to: its pods need not be in the input.
    for lb in lbs(b, data_plane=False):
        if lb.get("mtls"):
            continue
        for r in routes_of(facts, lb, opts):
            for be in r.get("backends") or ():
                if not _needs_exception(b, be):
                    continue
                key = (be["namespace"], be["service"], be["target_port"])
                if key in seen:
                    continue
                seen.add(key)
                if not _in_workload_policy(b, be):
                    _permissive_patch(b, ph, version, lb, be)
    if ph["patches"]:
        b.warn(
            "standalone mode: traffic from the load balancer to these backend ports is NOT mutually "
            "authenticated; use standalone_mtls or chained for mTLS."
        )


def _needs_exception(b, be):
    """A STRICT backend port whose pods and container port are known (warns when the port is
    not)."""
    if be.get("mtls_mode") != "STRICT" or not be.get("selector") or be.get("target_port") is None:
        if be.get("mtls_mode") == "STRICT" and be.get("target_port") is None:
            b.warn(
                "Service %s/%s port %s: container port unknown, no PERMISSIVE exception planned"
                % (be["namespace"], be["service"], be.get("port"))
            )
        return False
    return True


def _in_workload_policy(b, be):
    """STRICT through a workload (selector) policy: warns, as the exception must go there."""
    if "(workload)" in (be.get("mtls_policy") or "") or "portLevelMtls" in (
        be.get("mtls_policy") or ""
    ):
        # Istio applies only the oldest selector policy to a workload: a second one
        # would be ignored. The exception must go into that policy.
        b.warn(
            "Service %s/%s port %s is STRICT through the workload policy %s; add "
            "portLevelMtls %s: PERMISSIVE to it (a second selector policy would be ignored)"
            % (
                be["namespace"],
                be["service"],
                be.get("port"),
                be["mtls_policy"].split(" ")[0],
                be["target_port"],
            )
        )
        return True
    return False


def _permissive_patch(b, ph, version, lb, be):
    """One PeerAuthentication per workload selector (Services sharing pods share it), ports
    merged (Builder.patch merges a second patch of the same target)."""
    sel = ",".join("%s=%s" % kv for kv in sorted(be["selector"].items()))
    name = dns_name("meshgate", "permissive", sel.replace("=", "-").replace(",", "-"))
    target = patch_target(version, "PeerAuthentication", name, be["namespace"])
    manifest = {
        "apiVersion": version,
        "kind": "PeerAuthentication",
        "metadata": meta(target, labels=MANAGED_LABEL),
        "spec": {
            "selector": {"matchLabels": dict(be["selector"])},
            "portLevelMtls": {str(be["target_port"]): {"mode": "PERMISSIVE"}},
        },
    }
    b.patch(
        ph,
        target,
        manifest,
        "%s sends plaintext to Service %s/%s (container port %s), STRICT via %s"
        % (lb["id"], be["namespace"], be["service"], be["target_port"], be.get("mtls_policy")),
        PA_DOC,
        {
            "restart": False,
            "traffic": "none: plaintext from the load balancer is accepted again on this port",
        },
        {"action": "delete"},
        creates=True,
    )
