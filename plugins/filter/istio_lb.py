# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Filters over the detection core, for users who already hold the objects (e.g. k8s_info)."""

from __future__ import annotations

import json
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    LEVELS,
    catalog_as_list,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.files import plan_files
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan as _plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.registry import VENDOR_IDS


def _objects(value):
    """Accept a list of objects, a List object, or registered k8s_info results (resources)."""
    if value is None:
        return []
    if isinstance(value, dict):
        if "resources" in value:
            return list(value["resources"])
        if "results" in value:  # a looped k8s_info task
            return [o for r in value["results"] for o in r.get("resources", [])]
        if str(value.get("kind", "")).endswith("List"):
            return list(value.get("items") or [])
        return [value]
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            out.extend(
                _objects(item)
                if isinstance(item, dict) and ("resources" in item or "items" in item)
                else [item]
            )
        return out
    raise AnsibleFilterError(
        "detect_load_balancers expects a list of Kubernetes objects, got %s" % type(value).__name__
    )


def detect_load_balancers(value, namespaces=None, vendors=None, cluster_domain="cluster.local"):
    """Same result as lb_info (load_balancers, routes, istio, findings, summary)."""
    unknown = sorted(set(vendors or ()) - set(VENDOR_IDS))
    if unknown:
        raise AnsibleFilterError(
            "detect_load_balancers: unknown vendor(s) %s; known: %s"
            % (", ".join(unknown), ", ".join(VENDOR_IDS))
        )
    objects = [o for o in _objects(value) if isinstance(o, dict)]
    return detect(
        objects, {"namespaces": namespaces, "vendors": vendors, "cluster_domain": cluster_domain}
    )


def lb_findings(value, level=None, code=None):
    """Findings of an lb_info / detect_load_balancers result, optionally at or above a level."""
    if not isinstance(value, dict) or "findings" not in value:
        raise AnsibleFilterError("lb_findings expects an lb_info or detect_load_balancers result")
    findings = value["findings"]
    if level is not None:
        if level not in LEVELS:
            raise AnsibleFilterError("lb_findings: level must be one of %s" % ", ".join(LEVELS))
        findings = [f for f in findings if LEVELS.index(f["level"]) <= LEVELS.index(level)]
    if code is not None:
        codes = [code] if isinstance(code, str) else list(code)
        findings = [f for f in findings if f["code"] in codes]
    return findings


def lb_finding_catalog(_value=None):
    """The message catalog: every finding code with its name, level, description and fix."""
    return catalog_as_list()


def lb_plan(facts, mode, **options):
    """Plan a mode from an lb_info / detect_load_balancers result (same as the lb_plan module)."""
    try:
        return _plan(facts, mode, options)
    except PlanError as exc:
        raise AnsibleFilterError("lb_plan: %s" % exc) from None


def lb_plan_manifests(the_plan):
    """The manifests of a plan, in apply order (for kubernetes.core.k8s or a GitOps repo)."""
    if not isinstance(the_plan, dict) or "phases" not in the_plan:
        raise AnsibleFilterError(
            "lb_plan_manifests expects a plan (the plan key of lb_plan's result)"
        )
    return [p["manifest"] for ph in the_plan["phases"] for p in ph["patches"]]


def lb_plan_files(the_plan, only=None):
    """The plan as files, [{path, content}], the same files lb_plan dest: writes (only: a
    folder of them, e.g. gitops)."""
    if not isinstance(the_plan, dict) or "phases" not in the_plan:
        raise AnsibleFilterError("lb_plan_files expects a plan (the plan key of lb_plan's result)")
    prefix = only.rstrip("/") + "/" if only else ""
    # Ansible hands over its own (tagged) dict and str types, which yaml.safe_dump refuses:
    # a JSON round trip gives the plain data plan_files writes, as lb_plan dest: does.
    the_plan = json.loads(json.dumps(the_plan))
    return [
        {"path": path, "content": text}
        for path, text in plan_files(the_plan)
        if path.startswith(prefix)
    ]


def lb_list(value):
    """A list option given as a list, or as text (an AWX survey answer: comma, space or line
    separated); empty or null is None, so the option is left unset."""
    if value is None:
        return None
    if isinstance(value, str):
        items = re.findall(r"[^\s,]+", value)
    elif isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value if v is not None and str(v).strip()]
    else:
        raise AnsibleFilterError("lb_list expects a list or a text, not %s" % type(value).__name__)
    return items or None


class FilterModule:
    def filters(self):
        return {
            "detect_load_balancers": detect_load_balancers,
            "lb_findings": lb_findings,
            "lb_finding_catalog": lb_finding_catalog,
            "lb_plan": lb_plan,
            "lb_plan_manifests": lb_plan_manifests,
            "lb_plan_files": lb_plan_files,
            "lb_list": lb_list,
        }
