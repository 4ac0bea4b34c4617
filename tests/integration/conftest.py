"""Fixtures for integration tests against a real Kubernetes API server.

`control_plane` (session): etcd + kube-apiserver + controller-manager + scheduler started by
tests/controlplane/harness.py with the CRDs installed (Istio's and Gateway API's from the Go
modules istiod is built from, the other vendors' from ../shared/fixtures/crds, ours from
tests/crds), or an existing cluster with USE_EXISTING_CLUSTER=true + KUBECONFIG. `namespace` (function): a fresh namespace.

Environment:
  MESHGATE_STATE_DIR   state dir to use (kept afterwards; a control plane already running
                       there, e.g. from `cli.py up`, is reused and left running)
  KUBEBUILDER_ASSETS, TEST_ASSET_*   binaries (envtest conventions), else build-binaries.sh
  USE_EXISTING_CLUSTER=true + KUBECONFIG   test against that cluster instead
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The harness is not a package: put its folder on sys.path (done here, not in pyproject,
# so these tests run the same whichever config file is in force).
sys.path.insert(0, str(ROOT / "tests" / "controlplane"))
# The data-path oracle's Python side (tests/dataplane, docs/dataplane.md).
sys.path.insert(0, str(ROOT / "tests" / "dataplane"))
# The collection as `ansible_collections.meshgate.istio_lb` (the Makefile creates this link).
_COLLECTIONS = ROOT / ".build" / "collections"
if _COLLECTIONS.is_dir() and str(_COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(_COLLECTIONS))

from harness import ControlPlane, default_crd_paths  # noqa: E402
from objects import ZTUNNEL  # noqa: E402
from vendor_fixtures import load_vendor_fixtures  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "controlplane: needs the real API server (fixture control_plane)"
    )
    config.addinivalue_line(
        "markers",
        "mutates_cluster: changes the shared fixture objects; runs after the read-only tests",
    )
    config.addinivalue_line(
        "markers",
        "istio: runs a real istiod and istioctl (built by tests/controlplane/build-istio.sh) "
        "against a control plane of its own",
    )


def pytest_collection_modifyitems(config, items):
    # Read-only tests (e.g. live == offline) must see the fixtures as loaded: tests that
    # change them (plans applied and undone, extra scenario objects) run last.
    items.sort(key=lambda item: item.get_closest_marker("mutates_cluster") is not None)


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory):
    """The API server for this test session (started once, CRDs installed, stopped at end)."""
    fixed = os.environ.get("MESHGATE_STATE_DIR")
    state_dir = Path(fixed) if fixed else tmp_path_factory.mktemp("controlplane")
    cp = ControlPlane(state_dir)
    # Someone else's control plane (cli.py up, or an existing cluster): use, don't stop.
    owned = not cp.use_existing and not cp.is_running()
    cp.start()
    try:
        cp.install_crds(default_crd_paths())
        for warning in cp.warnings:
            print(f"\ncontrol plane: {warning}", file=sys.stderr)
        yield cp
    finally:
        if owned:
            cp.stop()
            if not fixed:
                # etcd preallocates a 64 MB WAL; keep logs/audit.log, drop the data.
                shutil.rmtree(state_dir / "etcd-data", ignore_errors=True)


@pytest.fixture
def namespace(control_plane, request):
    """A unique namespace for one test, deleted afterwards (without waiting)."""
    base = re.sub(r"[^a-z0-9-]+", "-", request.node.name.lower()).strip("-")[:40]
    name = f"t-{base}-{uuid.uuid4().hex[:6]}".replace("--", "-")
    control_plane.apply_manifests(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": {"meshgate-test": "true"}},
        }
    )
    yield name
    # --wait=false: finalization needs the namespace controller and takes a few seconds;
    # nothing later depends on it being gone.
    control_plane.kubectl("delete", "namespace", name, "--wait=false", check=False)


@pytest.fixture(scope="session")
def loaded(control_plane, tmp_path_factory):
    """Load the fixtures once; returns the path of the exact objects that were applied."""
    return load_vendor_fixtures(control_plane, tmp_path_factory.mktemp("lbinfo") / "objects.yaml")


@pytest.fixture(scope="session")
def scenario(control_plane, loaded):
    """What the fixtures lack for every mode to have work, removed afterwards so other tests see
    the fixtures alone: a ztunnel DaemonSet (a simulated ambient install - no node runs it
    here), a mesh-wide STRICT PeerAuthentication, and injection on the apps' namespace."""
    extras = [
        ZTUNNEL,
        # The rendered istiod fixture sets meshConfig.rootNamespace: istio-control, so that is
        # where a mesh-wide policy lives (in istio-system it would be namespace-wide only).
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "istio-control"}},
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": {"name": "default", "namespace": "istio-control"},
            "spec": {"mtls": {"mode": "STRICT"}},
        },
    ]
    for obj in extras:
        control_plane.apply_manifests(obj)
    control_plane.kubectl("label", "namespace", "default", "istio-injection=enabled", "--overwrite")
    yield
    control_plane.kubectl("label", "namespace", "default", "istio-injection-", check=False)
    control_plane.kubectl(
        "delete", "daemonset", "ztunnel", "-n", "istio-system", "--wait=false", check=False
    )
    control_plane.kubectl(
        "delete",
        "peerauthentication",
        "default",
        "-n",
        "istio-control",
        "--wait=false",
        check=False,
    )
