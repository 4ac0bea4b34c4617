# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""apply.py's pure helpers: what a server-side apply must send so earlier plans survive."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import (
    _without,
    full_intent,
    subset_equal,
)

ING = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "metadata": {
        "name": "web",
        "namespace": "shop",
        "annotations": {"a": "1", "mine": "x"},
        "managedFields": [
            {
                "manager": "kubectl",
                "operation": "Apply",
                "fieldsV1": {
                    "f:metadata": {"f:annotations": {"f:a": {}}},
                    "f:spec": {"f:ingressClassName": {}},
                },
            },
            {
                "manager": "meshgate",
                "operation": "Apply",
                "fieldsV1": {
                    "f:metadata": {"f:annotations": {"f:mine": {}}},
                    "f:spec": {"f:rules": {}},
                },
            },
            {
                "manager": "kube-controller-manager",
                "operation": "Update",
                "subresource": "status",
                "fieldsV1": {"f:status": {}},
            },
        ],
    },
    "spec": {"ingressClassName": "nginx", "rules": [{"host": "h", "http": {"paths": []}}]},
}


def test_full_intent_keeps_what_meshgate_owns():
    patch = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"new": "y"}},
    }
    out = full_intent(patch, ING)
    assert out["metadata"]["annotations"] == {"mine": "x", "new": "y"}  # not kubectl's "a"
    assert out["spec"] == {"rules": ING["spec"]["rules"]}  # atomic list owned whole
    assert "ingressClassName" not in out["spec"] and "managedFields" not in out["metadata"]


def test_full_intent_without_ownership_is_the_patch():
    obj = dict(
        ING, metadata=dict(ING["metadata"], managedFields=ING["metadata"]["managedFields"][:1])
    )
    patch = {"metadata": {"annotations": {"new": "y"}}}
    assert full_intent(patch, obj) is patch


def test_undo_keeps_other_plans_fields():
    owned = full_intent({}, ING)
    this_plan = {"metadata": {"annotations": {"mine": "x"}}}
    # name/namespace are added back by the undo step; what stays ours is the other plan's rules
    assert _without(owned, this_plan) == {"spec": {"rules": ING["spec"]["rules"]}}


def test_subset_equal_allows_server_defaults_in_list_items():
    assert subset_equal(
        {"refs": [{"name": "a"}]}, {"refs": [{"name": "a", "kind": "Service", "weight": 1}]}
    )
    assert not subset_equal({"refs": [{"name": "a"}]}, {"refs": [{"name": "a"}, {"name": "b"}]})
    assert not subset_equal({"x": ""}, {"x": None})
