# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A plan's change to a route goes to whoever keeps the route: the route's owner is on its
patch, and a route Argo CD, Flux or Helm keeps gets a plan.gitops entry with the change as a
kustomize patch, named for that owner, and a warning; a route nobody keeps gets neither."""

from __future__ import annotations

import pytest
from shared_fixtures import helm_install_under_strict_mtls  # noqa: E402 - test helper

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.files import plan_files
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan

OWNERS = {
    "argocd": ({"argocd.argoproj.io/instance": "shop"}, {}, "Argo CD Application shop"),
    "flux": (
        {
            "kustomize.toolkit.fluxcd.io/name": "apps",
            "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
        },
        {},
        "Flux Kustomization flux-system/apps",
    ),
    "helm": (
        {"app.kubernetes.io/managed-by": "Helm"},
        {"meta.helm.sh/release-name": "storefront"},
        "Helm release storefront",
    ),
}


def _cluster(route_name, labels, annotations):
    objects = helm_install_under_strict_mtls("ingress-nginx/edge-default.yaml")
    for o in objects:
        if o["kind"] == "Ingress" and o["metadata"]["name"] == route_name:
            o["metadata"]["labels"] = dict(o["metadata"].get("labels") or {}, **labels)
            o["metadata"]["annotations"] = dict(
                o["metadata"].get("annotations") or {}, **annotations
            )
    return objects


def _ingress_patches(the_plan):
    return {
        p["target"]["name"]: p
        for ph in the_plan["phases"]
        for p in ph["patches"]
        if p["target"]["kind"] == "Ingress"
    }


@pytest.mark.parametrize("tool", sorted(OWNERS))
def test_a_kept_route_gets_its_change_as_a_patch_for_its_owner(tool):
    labels, annotations, named = OWNERS[tool]
    facts = detect(_cluster("storefront-edge", labels, annotations))
    route = [r for r in facts["routes"] if r["name"] == "storefront-edge"][0]
    assert route["owner"]["tool"] == tool and route["owner"]["evidence"]
    p = plan(facts, "standalone_mtls")
    patches = _ingress_patches(p)
    assert patches["storefront-edge"]["owner"]["tool"] == tool
    (item,) = [g for g in p["gitops"] if g["target"]["kind"] == "Ingress"]
    assert item["target"]["name"] == "storefront-edge"
    # The same change as the direct patch, in the form kustomize, Argo CD and Flux take.
    assert item["kustomize_patch"] == patches["storefront-edge"]["manifest"]
    assert item["kustomize_patch"]["metadata"]["annotations"]
    assert "storefront-edge" in item["source"]["edit"]
    assert any(named in w and "Ingress shop/storefront-edge" in w for w in p["warnings"])
    names = [n for n, _text in plan_files(p)]
    assert any("ingress-shop-storefront-edge-kustomize-patch" in n for n in names), names


def test_a_route_nobody_keeps_gets_no_gitops_entry():
    facts = detect(_cluster("storefront-edge", {}, {}))
    p = plan(facts, "standalone_mtls")
    patches = _ingress_patches(p)
    assert patches, "the fixture's Ingresses are patched for Service routing"
    assert all(p_["owner"]["tool"] == "none" for p_ in patches.values())
    assert not [g for g in p["gitops"] if g["target"]["kind"] == "Ingress"]
    assert not [w for w in p["warnings"] if "is kept by" in w]


def test_a_kubectl_applied_route_is_named_but_not_redirected():
    facts = detect(_cluster("storefront-edge", {}, {}))
    for r in facts["routes"]:
        if r["name"] == "storefront-edge":
            r["owner"] = {"tool": "kubectl", "evidence": ["field manager kubectl"]}
    p = plan(facts, "standalone_mtls")
    assert _ingress_patches(p)["storefront-edge"]["owner"]["tool"] == "kubectl"
    assert not [g for g in p["gitops"] if g["target"]["kind"] == "Ingress"]
