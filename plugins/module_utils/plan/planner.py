# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Patch planning: detection facts (an lb_info result) in, an ordered, reversible plan out.

plan() checks the request (options.py), runs the mode's planner (modes/) on a Builder
(builder.py) and refuses a plan that writes kinds live discovery says are not served.
Pure functions over dicts. Each patch is a partial object for server-side apply with the fixed
field manager FIELD_MANAGER, holding only the fields we own. Vendor specifics come from
vendors/ (each entry's "plan"); facts come from detect/. Same input -> byte-identical output.

Modes (reference: ../shared/docs/istio-lb-reference.md section 2 matrix):
  standalone       A: keep plaintext working - PERMISSIVE on exactly the backend ports reached
  standalone_mtls  B: sidecar in the LB pods, inbound capture off, Service routing per vendor
  chained          C: in-cluster LB -> Istio ingress gateway (Gateway + VirtualService)
  gclb_chained     C: GKE Ingress (or GKE Gateway) -> Istio ingress gateway, health check 15021
  ambient          D: LB enrolled in ambient, inbound capture bypassed
  migrate          the source LB's Ingresses moved to an Istio Gateway API Gateway, by stage
"""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.builder import Builder
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts_shape import (
    facts_problem,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.files import gitops_file_names
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.options import (
    DEFAULT_OPTIONS,
    MODES,
    validate_options,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.route_sources import (
    owner_name,
    route_sources,
)


# Each mode's file is imported when that mode is planned, not before: a module run plans one
# mode, and it compiles every source file it imports (AnsiballZ runs modules from a zip, with no
# bytecode cache). The imports stay static so Ansible packages every mode's file.
def _planner(mode):
    if mode == "standalone":
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.modes.standalone import (
            plan_standalone as planner,
        )
    elif mode == "standalone_mtls":
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.modes.standalone_mtls import (
            plan_standalone_mtls as planner,
        )
    elif mode == "chained":
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.modes.chained import (
            plan_chained as planner,
        )
    elif mode == "gclb_chained":
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.modes.gclb_chained import (
            plan_gclb as planner,
        )
    elif mode == "migrate":
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.modes.migrate import (
            plan_migrate as planner,
        )
    else:
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.modes.ambient import (
            plan_ambient as planner,
        )
    return planner


def plan(facts, mode, options=None):
    """Compute the plan for one cluster. Raises PlanError for a request that cannot be planned."""
    if mode not in MODES:
        raise PlanError("unknown mode %r; choose one of: %s" % (mode, ", ".join(MODES)))
    if not isinstance(facts, dict) or "load_balancers" not in facts or "istio" not in facts:
        raise PlanError(
            "facts must be the result of meshgate.istio_lb.lb_info (keys load_balancers, routes, istio)"
        )
    if facts.get("detail") == "summary" or "routes" not in facts:
        # Planning patches routes one by one; a summary only counts them.
        raise PlanError(
            "facts are a summary without routes (lb_info's default detail: summary); plan from "
            "lb_info with detail: full or from a detect_load_balancers result, or let the lb_plan "
            "module read the cluster itself - leave facts out (one task, and faster than "
            "handing facts over)"
        )
    problem = facts_problem(facts)
    if problem:
        raise PlanError(
            "facts are not what lb_info returns: %s. Pass the registered result of "
            "meshgate.istio_lb.lb_info (detail: full) unchanged, or leave facts out and let "
            "lb_plan read the cluster" % problem
        )
    opts = dict(DEFAULT_OPTIONS)
    unknown = sorted(set(options or {}) - set(DEFAULT_OPTIONS))
    if unknown:
        raise PlanError("unknown plan option(s): %s" % ", ".join(unknown))
    opts.update({k: v for k, v in (options or {}).items() if v is not None})
    validate_options(opts)
    b = Builder(facts, mode, opts)
    _planner(mode)(b)
    route_sources(b)
    result = b.result()
    for i, item in enumerate(result["gitops"], 1):
        # The files lb_plan dest: (and the lb_mode role) write for it: the fleet report names them.
        item["files"] = sorted(gitops_file_names(i, item).values())
        item["owner_name"] = owner_name(item.get("owner") or {})
    missing = unserved_kinds(facts, result)
    if missing:
        raise PlanError(
            "mode %s needs kinds this cluster does not serve: %s; install %s, or choose another "
            "mode or option (nothing was planned)"
            % (
                mode,
                ", ".join("%s (%s)" % (kind, group) for group, kind in missing),
                ", ".join(sorted({_CRD_SOURCE.get(g, "the CRDs of %s" % g) for g, _k in missing})),
            )
        )
    return result


# Where the CRDs of each group a plan may write come from (for the missing-CRD error).
_CRD_SOURCE = {
    "security.istio.io": "Istio (istioctl install or the istio/base chart)",
    "networking.istio.io": "Istio (istioctl install or the istio/base chart)",
    "gateway.networking.k8s.io": "the Gateway API CRDs (standard channel)",
    "cloud.google.com": "nothing: these CRDs exist only on GKE with its Ingress controller",
    "networking.gke.io": "nothing: these CRDs exist only on GKE (enable the Gateway API / managed certificates)",
    "gateway.envoyproxy.io": "Envoy Gateway's CRDs",
}


def unserved_kinds(facts, the_plan):
    """(group, kind) of every manifest in the plan that live discovery says is not served.

    Offline (discovery unknown) nothing is reported; lb_apply's server-side dry run still
    catches it there. Live, this turns a 404 half way through an apply into one error up front.
    """
    apis = (facts.get("cluster_facts") or {}).get("apis")
    if apis is None:
        return []
    missing = set()
    for ph in the_plan["phases"]:
        for patch in ph["patches"]:
            group = patch["manifest"]["apiVersion"].rpartition("/")[0]
            kind = patch["manifest"]["kind"]
            if "%s/%s" % (group, kind) not in apis:
                missing.add((group, kind))
    return sorted(missing)
