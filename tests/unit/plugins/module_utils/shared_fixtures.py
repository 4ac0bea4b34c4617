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
