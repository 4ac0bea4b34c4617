"""Where the vendors' own manifests are: the shared fixtures (tests/fixture_root.py, the one
setting; tests/conftest.py stops the run when they are absent). Read from there, never copied."""

from __future__ import annotations

from fixture_root import shared_fixtures_dir

SHARED_FIXTURES = shared_fixtures_dir()
# The vendor manifests the unit tests detect (not the CRDs or the rendered Helm charts).
VENDOR_DIRS = [SHARED_FIXTURES / d for d in ("controllers", "examples", "upstream")]


def helm_install_under_strict_mtls(install, routes=True):
    """The objects of a rendered chart (../shared/fixtures/helm/<install>), its routes.yaml,
    Istio's istiod chart and a mesh-wide STRICT PeerAuthentication: a cluster to plan."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import (
        load_sources,
    )

    helm = SHARED_FIXTURES / "helm"
    files = [helm / install]
    if routes:
        files.append(helm / install.split("/")[0] / "routes.yaml")
    files.append(helm / "istio/istiod-default.yaml")
    objects, _w = load_sources([str(f) for f in files])
    strict = {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": "default", "namespace": "istio-system"},
        "spec": {"mtls": {"mode": "STRICT"}},
    }
    return objects + [strict]


def owned_by(install, labels, annotations=None):
    """helm_install_under_strict_mtls(install) with these labels and annotations added to its
    Deployments and DaemonSets (as Flux's or Argo CD's controllers set them)."""
    objects = helm_install_under_strict_mtls(install)
    for o in objects:
        if o["kind"] in ("Deployment", "DaemonSet"):
            o["metadata"]["labels"] = dict(o["metadata"].get("labels") or {}, **labels)
            o["metadata"]["annotations"] = dict(
                o["metadata"].get("annotations") or {}, **(annotations or {})
            )
    return objects


# Flux's and Argo CD's labels on what they install (helm-controller installs with Helm: the
# release annotation is there as well).
FLUX_EDGE = (
    {"helm.toolkit.fluxcd.io/name": "edge", "helm.toolkit.fluxcd.io/namespace": "flux-system"},
    {"meta.helm.sh/release-name": "edge"},
)
ARGO_EDGE = ({"argocd.argoproj.io/instance": "edge-ingress"}, {})


def gitops_kept_plan():
    """A standalone_mtls plan of one cluster with three charts kept three ways: ingress-nginx by
    the Flux HelmRelease flux-system/edge, Traefik by the Argo CD Application edge-ingress, Kong
    by plain Helm (release edge). Made by the real detector and planner."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan

    objects = {}
    for o in (
        owned_by("ingress-nginx/edge-default.yaml", *FLUX_EDGE)
        + owned_by("traefik/edge-default.yaml", *ARGO_EDGE)
        + helm_install_under_strict_mtls("kong/edge-default.yaml")
    ):  # istiod and the mesh-wide PeerAuthentication come with each install: once is enough
        meta = o["metadata"]
        objects.setdefault((o["kind"], meta.get("namespace"), meta["name"]), o)
    return plan(detect(list(objects.values())), "standalone_mtls")
