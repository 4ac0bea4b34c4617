# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""What survives a `helm upgrade`, measured on the real API server with Helm 3 and Helm 4.

A release of the tests' own chart (tests/charts/edge-lb: a Kong-like Deployment whose pod
template takes `podLabels` / `podAnnotations`, as the vendors' charts do) is installed with the
real `helm` of each major version (built by tests/controlplane/build-helm.sh). lb_plan's
standalone_mtls plan for it is then applied either directly (lb_apply: server-side apply as
field manager `meshgate`) or as the plan's `helm_values`, and the release is upgraded, forced,
given values that set the same keys, and undone. Each step's outcome - the plan's pod-template
labels and annotations: kept, removed or changed, and which field managers own them - is
compared with EXPECTED, the facts docs/gitops.md states; the module prints the table it
measured. A change in Helm's behaviour fails here, naming the step.

After a Helm version bump, MESHGATE_HELM_RECORD_ONLY=1 measures and prints the table without
comparing it (then update EXPECTED and docs/gitops.md together).

The module runs its own API server (etcd + kube-apiserver, no controllers: nothing here needs
Pods), with a stand-in istiod Deployment so the planner sees Istio installed. Nothing reaches
the session cluster other tests compare with files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from objects import istiod  # tests/dataplane on sys.path (conftest)

from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import (
    apply_plan,
    undo_plan,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.gather import gather

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "tests" / "charts" / "edge-lb"
RELEASE = "edge"
DEPLOYMENT = "edge-edge-lb"  # the chart's fullname for release "edge"
MAJORS = ("3", "4")
INBOUND = "traffic.sidecar.istio.io/includeInboundPorts"
EXCLUDE = "traffic.sidecar.istio.io/excludeOutboundIPRanges"

pytestmark = [pytest.mark.controlplane]

# What the planner needs to see Istio installed.
ISTIOD = istiod()

# The measured facts, per Helm major version and step (docs/gitops.md "Measured: what survives
# an upgrade"). An outcome names, for the plan's pod-template labels and annotations, whether
# each is kept with the plan's value, removed, or holds another value, and who owns it
# (manager/operation from managedFields).
EXPECTED = {
    "3": {
        "install": "helm writes by Update",
        "owner": "helm 3",
        "direct patch": "kept (meshgate/Apply)",
        "upgrade, same values": "kept (meshgate/Apply)",
        "upgrade, changed values": "kept (meshgate/Apply)",
        "undo (lb_apply state: absent)": "removed",
        "upgrade after undo": "removed",
        "upgrade --force": "removed",
        "values set the same key to another value": "upgrade succeeds; %s '8000' (helm/Update); "
        "rest kept (meshgate/Apply)" % INBOUND,
        "undo after that": "%s '8000' (helm/Update); rest removed" % INBOUND,
        "values (plan's helm_values)": "kept (helm/Update)",
        "re-plan after values": "nothing to do",
        "upgrade without -f (values reused)": "kept (helm/Update)",
        "values removed (upgrade --reset-values)": "removed",
        # Helm 3 takes no ownership of values it does not change: meshgate stays the only owner.
        "direct patch, then values": "kept (meshgate/Apply)",
        "undo after values": "removed",
        "upgrade with values after undo": "kept (helm/Update)",
    },
    "4": {
        "install": "helm writes by Apply",
        "owner": "helm 4",
        "direct patch": "kept (meshgate/Apply)",
        "upgrade, same values": "kept (meshgate/Apply)",
        "upgrade, changed values": "kept (meshgate/Apply)",
        "undo (lb_apply state: absent)": "removed",
        "upgrade after undo": "removed",
        "upgrade --force-replace": "upgrade fails: Error: UPGRADE FAILED: invalid operation: "
        "cannot use server-side apply and force replace together; kept (meshgate/Apply)",
        "upgrade --force-replace --server-side=false": "removed",
        "values set the same key to another value": "upgrade fails: conflict with meshgate; "
        "kept (meshgate/Apply)",
        "same, --force-conflicts": "upgrade succeeds; %s '8000' (helm/Apply); rest kept "
        "(meshgate/Apply)" % INBOUND,
        "another key, --server-side=false": "upgrade succeeds; sidecar.istio.io/inject kept "
        "(meshgate/Apply); %s '10.0.0.0/8' (helm/Update); %s '8000' (helm/Apply)"
        % (EXCLUDE, INBOUND),
        "undo after that": "sidecar.istio.io/inject removed; %s '10.0.0.0/8' (helm/Update); %s "
        "'8000' (helm/Apply)" % (EXCLUDE, INBOUND),
        "values (plan's helm_values)": "kept (helm/Apply)",
        "re-plan after values": "nothing to do",
        "upgrade without -f (values reused)": "kept (helm/Apply)",
        "values removed (upgrade --reset-values)": "removed",
        "direct patch, then values": "kept (helm/Apply, meshgate/Apply)",
        "undo after values": "kept (helm/Apply)",
        "upgrade with values after undo": "kept (helm/Apply)",
    },
    "3 -> 4": {
        "helm 4 upgrade, --server-side=auto": "lb_info: helm 3; kept (meshgate/Apply)",
        "helm 4 upgrade, --server-side=true": "lb_info: helm 4; kept (meshgate/Apply)",
    },
}
MEASURED: list[tuple[str, str, str, str]] = []  # (helm, case, step, outcome), for the table


@pytest.fixture(scope="module")
def helm_cp(tmp_path_factory, pytestconfig):
    """(control plane, {"3": helm3, "4": helm4}) for this module; prints the measured table."""
    from harness import ControlPlane, helm_binaries

    state = tmp_path_factory.mktemp("helm-controlplane")
    cp = ControlPlane(state, only=("etcd", "kube-apiserver"))
    if cp.use_existing:
        pytest.skip("USE_EXISTING_CLUSTER: these tests install and upgrade Helm releases")
    binaries = helm_binaries()
    cp.start()
    try:
        cp.apply_manifests(ISTIOD)
        yield cp, binaries
    finally:
        cp.stop()
        shutil.rmtree(state / "etcd-data", ignore_errors=True)
        _print_table(pytestconfig, binaries)


def _print_table(pytestconfig, binaries):
    """The measured table, on the terminal whatever pytest captures (docs/gitops.md has it)."""
    if not MEASURED:
        return
    versions = {m: _version(path) for m, path in binaries.items()}
    lines = [
        "",
        "What survives a helm upgrade (Helm %s, Helm %s):" % (versions["3"], versions["4"]),
    ]
    lines += ["| Helm | case | step | outcome |", "|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s |" % row for row in MEASURED]
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(lines), file=sys.stderr)


def _version(binary):
    out = subprocess.run(
        [binary, "version", "--short"], capture_output=True, text=True, check=False
    )
    return out.stdout.strip()


class Release:
    """One release of the chart in its own namespace, driven by one Helm binary."""

    def __init__(self, helm_cp, major, case, tmp_path):
        self.cp, binaries = helm_cp
        self.binary = binaries[major]
        self.major, self.case, self.tmp = major, case, tmp_path
        self.ns = "h%s-%s" % (major, case)
        self.client = client_from_params({"kubeconfig": self.cp.kubeconfig})
        self.fields = {}  # (labels|annotations, key) -> the plan's value

    def helm(self, *args, check=True):
        return self.cp.helm(self.binary, *args, check=check)

    def install(self):
        self.helm("install", RELEASE, CHART, "-n", self.ns, "--create-namespace")

    def upgrade(self, *args, values=None, check=True):
        extra = list(args)
        if values is not None:
            path = self.tmp / ("values-%d.yaml" % len(list(self.tmp.iterdir())))
            path.write_text(yaml.safe_dump(values))
            extra += ["-f", path]
        return self.helm("upgrade", RELEASE, CHART, "-n", self.ns, *extra, check=check)

    def deployment(self):
        path = self.client.resource_path("apps/v1", "Deployment", self.ns, DEPLOYMENT)
        return self.client.request("GET", path)

    def plan(self):
        facts, _kinds, _warnings = gather(client=self.client)
        p = plan(facts, "standalone_mtls", {"namespaces": [self.ns]})
        (lb,) = [lb for lb in facts["load_balancers"] if lb["namespace"] == self.ns]
        return lb, p

    def planned(self):
        """The plan for this release, and the pod-template fields its patch sets."""
        lb, p = self.plan()
        (patch,) = [pt for ph in p["phases"] for pt in ph["patches"]]
        meta = patch["manifest"]["spec"]["template"]["metadata"]
        self.fields = {
            (where, key): value
            for where in ("labels", "annotations")
            for key, value in (meta.get(where) or {}).items()
        }
        assert ("labels", "sidecar.istio.io/inject") in self.fields and (
            "annotations",
            INBOUND,
        ) in self.fields
        return lb, p

    def record(self, step, outcome):
        MEASURED.append((self.major, self.case, step, outcome))
        if not os.environ.get("MESHGATE_HELM_RECORD_ONLY"):
            assert outcome == EXPECTED[self.major][step], (self.major, self.case, step)

    def measure(self, step, helm_result=None):
        """Record the step's outcome (the fields' state, and how the upgrade ended)."""
        outcome = fields_outcome(self.deployment(), self.fields)
        if helm_result is not None:
            outcome = "%s; %s" % (_helm_outcome(helm_result), outcome)
        self.record(step, outcome)


def _helm_outcome(res):
    if res.returncode == 0:
        return "upgrade succeeds"
    if 'conflict with "meshgate"' in res.stderr:
        return "upgrade fails: conflict with meshgate"
    return "upgrade fails: %s" % res.stderr.strip().splitlines()[-1]


def _owners(dep, where, key):
    path = ("f:spec", "f:template", "f:metadata", "f:" + where, "f:" + key)
    out = []
    for entry in dep["metadata"].get("managedFields") or ():
        node = entry.get("fieldsV1") or {}
        for step in path:
            node = node.get(step) if isinstance(node, dict) else None
        if node is not None:
            out.append("%s/%s" % (entry["manager"], entry["operation"]))
    return ", ".join(sorted(out))


def fields_outcome(dep, fields):
    """'kept (owners)' / 'removed' when all the plan's fields agree, else per field, with the
    fields that agree summed up as 'rest'."""
    meta = dep["spec"]["template"].get("metadata") or {}
    states = {}
    for (where, key), value in fields.items():
        have = (meta.get(where) or {}).get(key)
        if have is None:
            states[key] = "removed"
        elif have == value:
            states[key] = "kept (%s)" % _owners(dep, where, key)
        else:
            states[key] = "%r (%s)" % (have, _owners(dep, where, key))
    values = list(states.values())
    common = max(sorted(set(values)), key=values.count)
    if values.count(common) == len(values):
        return common
    if values.count(common) == 1:
        return "; ".join("%s %s" % (key, state) for key, state in sorted(states.items()))
    odd = ["%s %s" % (key, state) for key, state in sorted(states.items()) if state != common]
    return "%s; rest %s" % ("; ".join(odd), common)


def _install_and_patch(release):
    release.install()
    lb, p = release.planned()
    apply_plan(release.client, p, wait="none")
    return lb, p


@pytest.mark.parametrize("major", MAJORS)
def test_a_direct_patch_through_upgrades_and_undo(helm_cp, major, tmp_path):
    r = Release(helm_cp, major, "direct", tmp_path)
    r.install()
    ops = {
        e["operation"]
        for e in r.deployment()["metadata"]["managedFields"]
        if e["manager"] == "helm"
    }
    r.record("install", "helm writes by %s" % "/".join(sorted(ops)))
    lb, p = r.planned()
    # lb_info tells Helm 4 from Helm 3 on a live read (managedFields cut to names and
    # operations), and the plan's warning says what is true for that owner.
    r.record("owner", "helm %s" % lb["owner"]["helm"])
    (warning,) = [w for w in p["warnings"] if "is managed by" in w]
    assert ("Helm %s" % major) in warning

    apply_plan(r.client, p, wait="none")
    r.measure("direct patch")
    r.upgrade()
    r.measure("upgrade, same values")
    r.upgrade("--set", "logLevel=debug")
    r.measure("upgrade, changed values")
    env = r.deployment()["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "KONG_LOG_LEVEL", "value": "debug"} in env  # the upgrade did write

    undone = undo_plan(r.client, p)
    assert undone["changed"]
    r.measure("undo (lb_apply state: absent)")
    labels = r.deployment()["spec"]["template"]["metadata"]["labels"]
    assert labels == {"app.kubernetes.io/name": "edge-lb", "app.kubernetes.io/instance": RELEASE}
    r.upgrade()
    r.measure("upgrade after undo")


@pytest.mark.parametrize("major", MAJORS)
def test_an_upgrade_that_replaces_the_object(helm_cp, major, tmp_path):
    r = Release(helm_cp, major, "replace", tmp_path)
    _install_and_patch(r)
    if major == "3":
        r.upgrade("--force")
        r.measure("upgrade --force")
    else:
        # Helm 4 refuses to replace objects it applies server-side.
        r.measure("upgrade --force-replace", r.upgrade("--force-replace", check=False))
        r.upgrade("--force-replace", "--server-side=false")
        r.measure("upgrade --force-replace --server-side=false")


@pytest.mark.parametrize("major", MAJORS)
def test_values_that_set_the_same_keys(helm_cp, major, tmp_path):
    r = Release(helm_cp, major, "conflict", tmp_path)
    _lb, p = _install_and_patch(r)
    inbound = {"podAnnotations": {INBOUND: "8000"}}
    r.measure("values set the same key to another value", r.upgrade(values=inbound, check=False))
    if major == "4":
        r.measure("same, --force-conflicts", r.upgrade("--force-conflicts", values=inbound))
        assert ("annotations", EXCLUDE) in r.fields  # the API server's address (exclude_api_server)
        both = {"podAnnotations": {INBOUND: "8000", EXCLUDE: "10.0.0.0/8"}}
        r.measure("another key, --server-side=false", r.upgrade("--server-side=false", values=both))
    undo_plan(r.client, p)
    r.measure("undo after that")


@pytest.mark.parametrize("major", MAJORS)
def test_the_plans_helm_values_instead_of_a_direct_patch(helm_cp, major, tmp_path):
    r = Release(helm_cp, major, "values", tmp_path)
    r.install()
    _lb, p = r.planned()
    (item,) = p["gitops"]
    values = item["helm_values"]
    assert values == {
        "podLabels": {k: v for (w, k), v in r.fields.items() if w == "labels"},
        "podAnnotations": {k: v for (w, k), v in r.fields.items() if w == "annotations"},
    }
    r.upgrade(values=values)
    r.measure("values (plan's helm_values)")
    _lb, again = r.plan()
    patches = [pt for ph in again["phases"] for pt in ph["patches"]]
    r.record("re-plan after values", "nothing to do" if not patches else str(patches))
    assert not again["gitops"] and not [w for w in again["warnings"] if "managed by" in w]
    r.upgrade()  # no values given: Helm reuses the release's
    r.measure("upgrade without -f (values reused)")
    r.upgrade("--reset-values")  # the chart's defaults
    r.measure("values removed (upgrade --reset-values)")


@pytest.mark.parametrize("major", MAJORS)
def test_a_direct_patch_moved_to_values_then_undone(helm_cp, major, tmp_path):
    r = Release(helm_cp, major, "moved", tmp_path)
    _lb, p = _install_and_patch(r)
    (item,) = p["gitops"]
    r.upgrade(values=item["helm_values"])
    r.measure("direct patch, then values")
    undo_plan(r.client, p)
    r.measure("undo after values")
    r.upgrade(values=item["helm_values"])
    r.measure("upgrade with values after undo")


def test_a_helm_3_release_upgraded_by_helm_4(helm_cp, tmp_path):
    """Helm 4 upgrades a Helm 3 release client-side (--server-side=auto follows the release),
    so lb_info still reads it as Helm 3's way of writing, until --server-side=true."""
    r = Release(helm_cp, "3", "to-helm4", tmp_path)
    _install_and_patch(r)
    r.binary, r.major = helm_cp[1]["4"], "3 -> 4"
    r.upgrade("--set", "logLevel=debug")
    lb, _p = r.plan()
    r.record(
        "helm 4 upgrade, --server-side=auto",
        "lb_info: helm %s; %s" % (lb["owner"]["helm"], fields_outcome(r.deployment(), r.fields)),
    )
    r.upgrade("--server-side=true")
    lb, _p = r.plan()
    r.record(
        "helm 4 upgrade, --server-side=true",
        "lb_info: helm %s; %s" % (lb["owner"]["helm"], fields_outcome(r.deployment(), r.fields)),
    )
