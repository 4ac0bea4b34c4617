# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""For every vendor chart rendered in ../shared/fixtures/helm, lb_plan standalone_mtls gives
the Helm values that chart takes, at the keys ../shared/docs/helm-values.md measured (the test
reads that table), or says what works instead where the chart has no key."""

from __future__ import annotations

import re

import pytest
from shared_fixtures import (  # noqa: E402 - test helper next to this file
    SHARED_FIXTURES,
    helm_install_under_strict_mtls,
    owned_by,
)

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan

HELM = SHARED_FIXTURES / "helm"
TABLE = SHARED_FIXTURES.parent / "docs" / "helm-values.md"

# The table's chart column (its first words) -> the rendered install of that chart.
# Not here: gateway-helm (Envoy Gateway's data plane is made from an EnvoyProxy, not the
# chart: tests/unit/.../test_envoy_gateway_plan.py), the cloud controllers and Istio's charts
# (no plan patches their pods).
INSTALLS = {
    "ingress-nginx": "ingress-nginx/edge-default.yaml",
    "traefik": "traefik/edge-default.yaml",
    "kong": "kong/edge-default.yaml",
    "emissary-ingress": "emissary/edge-listeners.yaml",
    "haproxytech kubernetes-ingress": "haproxytech/edge-default.yaml",
    "haproxy-ingress": "haproxy-ingress/edge-default.yaml",
    "nginx-ingress, F5 NGINX": "nginx-inc/edge-default.yaml",
    "apisix": "apisix/gateway-with-ic.yaml",
    "contour, bitnami": "contour/default.yaml",
}


def _rows():
    rows = {}
    with open(TABLE, encoding="utf-8") as fh:
        for line in fh:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 4 or cells[0].startswith(("chart", "---")):
                continue
            for chart in INSTALLS:
                if cells[0].startswith(chart + " ") and chart not in rows:
                    rows[chart] = cells
    return rows


ROWS = _rows()
RELEASES = {"apisix": "apisix", "contour, bitnami": "ingress"}


def _first_key(cell):
    """The first values key of a cell (`controller.podLabels`), or None for **none**."""
    if cell.startswith("**none**"):
        return None
    keys = re.findall(r"`([A-Za-z][\w.-]*)`", cell)
    return keys[0] if keys else None


def _at(values, path):
    node = values
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _strict_cluster(install):
    return helm_install_under_strict_mtls(install)


def test_the_table_has_a_row_for_every_install():
    assert sorted(ROWS) == sorted(INSTALLS)


@pytest.mark.parametrize("chart", sorted(INSTALLS))
def test_standalone_mtls_gives_the_charts_own_values_keys(chart):
    _name, labels_cell, annotations_cell, _routing = ROWS[chart]
    facts = detect(_strict_cluster(INSTALLS[chart]))
    (lb,) = facts["load_balancers"]
    assert lb["gitops"]["tool"] == "helm", lb["gitops"]
    # helm template output has no release annotation: the release name comes from the chart's
    # instance label (PROVENANCE.md: every install rendered as release "edge", apisix's as
    # "apisix", bitnami Contour's as "ingress").
    assert lb["owner"]["release"] == RELEASES.get(chart, "edge"), lb["owner"]
    p = plan(facts, "standalone_mtls")
    (item,) = [g for g in p["gitops"] if g["target"]["name"] == lb["name"]]
    values = item.get("helm_values") or {}
    labels_key, annotations_key = _first_key(labels_cell), _first_key(annotations_cell)
    # What the direct patch puts on the pod template, the values put at the chart's keys.
    pod = item["kustomize_patch"]["spec"]["template"]["metadata"]
    assert pod["annotations"] and _at(values, annotations_key) == pod["annotations"]
    if labels_key:
        assert pod["labels"] == {"sidecar.istio.io/inject": "true"}
        assert _at(values, labels_key) == pod["labels"]
    else:
        # No key puts a label on the pods: never a key the chart ignores, and the way that works.
        assert "podLabels" not in str(values) and "inject" not in str(values)
        assert any("namespace" in n and "post-renderer" in n for n in item["helm_notes"])


def test_traefik_values_carry_its_provider_wide_service_routing():
    _name, _l, _a, routing_cell = ROWS["traefik"]
    assert "providers.kubernetesIngress.nativeLBByDefault" in routing_cell
    p = plan(detect(_strict_cluster(INSTALLS["traefik"])), "standalone_mtls")
    (item,) = p["gitops"]
    assert _at(item["helm_values"], "providers.kubernetesIngress.nativeLBByDefault") is True
    assert _at(item["helm_values"], "providers.kubernetesCRD.nativeLBByDefault") is True


def test_ingress_nginx_values_carry_the_configmap_switch_only_when_asked():
    p = plan(detect(_strict_cluster(INSTALLS["ingress-nginx"])), "standalone_mtls")
    assert _at(p["gitops"][0]["helm_values"], "controller.config") is None
    p = plan(
        detect(_strict_cluster(INSTALLS["ingress-nginx"])),
        "standalone_mtls",
        {"global_switch": True},
    )
    assert _at(p["gitops"][0]["helm_values"], "controller.config.service-upstream") == "true"


def test_haproxytech_values_say_which_other_pods_they_reach():
    p = plan(detect(_strict_cluster(INSTALLS["haproxytech kubernetes-ingress"])), "standalone_mtls")
    (item,) = p["gitops"]
    assert any("CRD Job" in n for n in item["helm_notes"])


def test_a_flux_helmrelease_gets_the_values_as_a_patch_of_its_spec_values():
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.files import plan_files

    flux = {
        "helm.toolkit.fluxcd.io/name": "edge",
        "helm.toolkit.fluxcd.io/namespace": "flux-system",
    }
    # helm-controller installs with Helm: the release annotation is there as well.
    facts = detect(owned_by(INSTALLS["ingress-nginx"], flux, {"meta.helm.sh/release-name": "edge"}))
    (lb,) = facts["load_balancers"]
    assert lb["owner"]["tool"] == "flux" and lb["owner"]["helm_release"] == "flux-system/edge"
    assert lb["owner"]["release"] == "edge"  # the chart's own release annotation, kept
    assert lb["owner"]["chart"] == "ingress-nginx-4.15.1"
    p = plan(facts, "standalone_mtls")
    (item,) = p["gitops"]
    patch = item["source_patch"]
    assert (patch["kind"], patch["metadata"]) == (
        "HelmRelease",
        {"name": "edge", "namespace": "flux-system"},
    )
    assert patch["spec"]["values"] == item["helm_values"]
    assert item["source"]["edit"] == "HelmRelease flux-system/edge spec.values"
    names = [n for n, _text in plan_files(p)]
    assert any(n.endswith("-helmrelease-patch.yaml") for n in names)


def test_an_argo_cd_application_gets_the_values_as_its_values_object():
    argo = {"argocd.argoproj.io/instance": "edge-ingress"}
    p = plan(detect(owned_by(INSTALLS["traefik"], argo)), "standalone_mtls")
    (item,) = p["gitops"]
    assert item["owner"]["tool"] == "argocd" and item["owner"]["app"] == "edge-ingress"
    patch = item["source_patch"]
    assert patch["kind"] == "Application" and patch["metadata"] == {"name": "edge-ingress"}
    assert patch["spec"]["source"]["helm"]["valuesObject"] == item["helm_values"]


def test_helm_3_and_helm_4_are_told_apart_by_how_the_helm_manager_writes():
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.owners import (
        object_owner,
    )
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import (
        reduce_object,
    )

    def owner(operation):
        obj = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "edge",
                "namespace": "edge",
                "labels": {"app.kubernetes.io/managed-by": "Helm"},
                "annotations": {"meta.helm.sh/release-name": "edge"},
                "managedFields": [{"manager": "helm", "operation": operation}],
            },
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "traefik"}]}}},
        }
        return object_owner(reduce_object(obj))

    assert owner("Apply")["helm"] == "4" and owner("Update")["helm"] == "3"
    assert any("Helm 4" in e for e in owner("Apply")["evidence"])


_HELM = ({"app.kubernetes.io/managed-by": "Helm"}, {"meta.helm.sh/release-name": "edge"})
_FLUX = {"helm.toolkit.fluxcd.io/name": "edge", "helm.toolkit.fluxcd.io/namespace": "flux-system"}


@pytest.mark.parametrize(
    "labels,annotations,operation,says",
    [
        # What tests/integration/test_helm_upgrade_live.py measured (docs/gitops.md).
        (*_HELM, "Update", ["Helm 3 release edge", "`helm upgrade --force`", "without a conflict"]),
        (*_HELM, "Apply", ["Helm 4 release edge", "conflict with meshgate", "--force-conflicts"]),
        (*_HELM, None, ["Helm release edge", "with Helm 3 and Helm 4", "--force-replace"]),
        # What Argo CD's and Flux's documentation says (not tested here).
        (
            {"argocd.argoproj.io/instance": "edge-ingress"},
            None,
            None,
            ["Argo CD Application edge-ingress", "Replace=true", "managedFieldsManagers"],
        ),
        (_FLUX, None, None, ["Flux HelmRelease flux-system/edge", "--override-manager"]),
    ],
    ids=["helm3", "helm4", "helm", "argocd", "flux"],
)
def test_the_warning_says_what_the_owner_does_to_a_direct_patch(
    labels, annotations, operation, says
):
    objects = owned_by(INSTALLS["ingress-nginx"], labels, annotations)
    if operation:
        for o in objects:
            if o["kind"] == "Deployment":
                o["metadata"]["managedFields"] = [{"manager": "helm", "operation": operation}]
    p = plan(detect(objects), "standalone_mtls")
    (warning,) = [w for w in p["warnings"] if "is managed by" in w]
    assert all(s in warning for s in says), warning
    assert "reverted by the next" not in warning
    measured = "not tested here" not in warning
    assert measured == (labels is _HELM[0]), warning
    assert warning.endswith("prefer the Helm values or kustomize patch in plan.gitops.")
