# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Istio itself judges what the plans do: a real istiod injects the patched LB pods, its
validation webhook checks the Istio objects we create, and istioctl analyze compares the
cluster before and after (tests/controlplane/istio.py explains the set-up).

This module runs its own control plane (the vendors' fixtures loaded, plus one Node object so
DaemonSet LBs get Pods) so that istiod's writes - root CA ConfigMaps in every namespace, its
CA Secret, leases - never reach the session cluster the other tests compare against files.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from cluster_state import finish_rollouts, read_cluster, remove_pods, run_pods, write_folder
from istio import Istiod
from objects import ingress
from oracle import run_folder
from resolve import oracle_calls
from vendor_fixtures import SHARED, load_vendor_fixtures

from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import (
    apply_plan,
    undo_plan,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.data_path import (
    data_path_hops,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.findings.messages import (
    MESSAGES,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.files import plan_files
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.live import collect_live
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources

CHART = SHARED / "controllers" / "istio" / "istiod-rendered.golden.yaml"
GATEWAY = "istio-system/istio-ingressgateway"
# Every LB workload of the fixtures that runs in the cluster (the cloud LBs - GKE, AWS - have
# no pods). test_the_list_is_every_in_cluster_lb keeps this list honest.
IN_CLUSTER_LBS = [
    ("ingress-nginx", "ingress-nginx/ingress-nginx-controller"),
    ("emissary", "emissary/emissary-ingress"),
    ("haproxytech", "haproxy-controller/haproxy-kubernetes-ingress"),
    ("kong", "kong/proxy-kong"),
    ("nginx-inc", "nginx-ingress/nginx-ingress"),
    ("contour", "projectcontour/envoy"),  # a DaemonSet: Pods only because of the Node below
]
# A Node object with no kubelet behind it: the DaemonSet controller creates a Pod for it
# (which stays Pending), so DaemonSet LBs are injected like Deployments.
NODE = {
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {
        "name": "meshgate-node-without-kubelet",
        "labels": {"kubernetes.io/os": "linux", "kubernetes.io/hostname": "meshgate-node"},
    },
}
# istio-iptables flag for each redirect annotation the injector reads.
IPTABLES_FLAGS = {
    "traffic.sidecar.istio.io/includeInboundPorts": "-b",
    "traffic.sidecar.istio.io/excludeInboundPorts": "-d",
    "traffic.sidecar.istio.io/includeOutboundIPRanges": "-i",
    "traffic.sidecar.istio.io/excludeOutboundIPRanges": "-x",
    "traffic.sidecar.istio.io/includeOutboundPorts": "-q",
    "traffic.sidecar.istio.io/excludeOutboundPorts": "-o",
}

pytestmark = [pytest.mark.controlplane, pytest.mark.istio]


@pytest.fixture(scope="module")
def istio_cp(tmp_path_factory):
    from harness import ControlPlane, default_crd_paths

    state = tmp_path_factory.mktemp("istio-controlplane")
    cp = ControlPlane(state)
    if cp.use_existing:
        pytest.skip("USE_EXISTING_CLUSTER: that cluster runs its own istiod")
    cp.start()
    try:
        cp.install_crds(default_crd_paths())
        load_vendor_fixtures(cp, state / "objects.yaml")
        cp.apply_manifests([NODE, *_missing_service_accounts(cp), *MESH_STRICT])
        yield cp
    finally:
        cp.stop()
        shutil.rmtree(state / "etcd-data", ignore_errors=True)


def _missing_service_accounts(cp):
    """ServiceAccounts the fixtures' workloads name but do not ship (the rendered ingress
    gateway golden leaves them to its chart): without them the ReplicaSets cannot create Pods,
    and istioctl would rightly say no gateway Pod matches the Gateways' selectors."""
    client = client_from_params({"kubeconfig": cp.kubeconfig})
    have = {
        (sa["metadata"]["namespace"], sa["metadata"]["name"])
        for sa in client.list_items("/api/v1/serviceaccounts")
    }
    want = set()
    for kind in ("Deployment", "DaemonSet", "StatefulSet"):
        for wl in client.list_items(client.resource_path("apps/v1", kind)):
            spec = wl["spec"]["template"]["spec"]
            name = spec.get("serviceAccountName") or spec.get("serviceAccount")
            if name:
                want.add((wl["metadata"]["namespace"], name))
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": n, "namespace": ns}}
        for ns, n in sorted(want - have)
    ]


# A mesh-wide STRICT policy, so the standalone mode has work (the chart's meshConfig sets the
# root namespace).
MESH_STRICT = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "istio-control"}},
    {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": "default", "namespace": "istio-control"},
        "spec": {"mtls": {"mode": "STRICT"}},
    },
]


@pytest.fixture(scope="module")
def istiod(istio_cp):
    # Native sidecars explicitly: in "auto" mode istiod decides from the Nodes' kubelet
    # versions, and our Node object has no kubelet. Classic sidecars get their own test.
    daemon = Istiod(istio_cp, CHART, env={"ENABLE_NATIVE_SIDECARS": "true"}).start()
    print("\nistiod ready and injecting %.1f s after start" % daemon.start_seconds)
    yield daemon
    daemon.stop()


@pytest.fixture
def client(istio_cp, istiod):
    return client_from_params({"kubeconfig": istio_cp.kubeconfig})


def _facts(client):
    facts = detect(collect_live(client)[0])
    facts["cluster"] = {"source": "live", "server": client.server}
    return facts


def _workload(client, ns, name, kind):
    path = client.resource_path("apps/v1", kind, ns, name)
    return client.request("GET", path)


# Labels the controllers and the injector add to Pods.
ADDED_POD_LABELS = (
    "pod-template-hash",
    "controller-revision-hash",
    "pod-template-generation",
    "security.istio.io/tlsMode",
    "service.istio.io/canonical-name",
    "service.istio.io/canonical-revision",
)


def _pods_from_template(client, ns, template, since, timeout=90, exact=False):
    """Pods the controllers created from this pod template after `since` (RFC 3339); exact:
    only Pods whose own labels are the template's (not a template with more labels)."""
    labels = (template.get("metadata") or {}).get("labels") or {}
    selector = ",".join("%s=%s" % kv for kv in sorted(labels.items()))
    deadline = time.monotonic() + timeout

    def own(pod):
        got = dict(pod["metadata"].get("labels") or {})
        for key in ADDED_POD_LABELS:
            got.pop(key, None)
        return got == labels

    while True:
        pods = [
            p
            for p in client.list_items(
                client.resource_path("v1", "Pod", ns), query={"labelSelector": selector}
            )
            if p["metadata"]["creationTimestamp"] >= since and (not exact or own(p))
        ]
        if pods or time.monotonic() > deadline:
            return pods
        time.sleep(0.5)


def _now():
    # API timestamps have whole seconds: take the current second, minus one for safety.
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))


def _iptables_args(pod):
    spec = pod["spec"]
    for c in spec.get("initContainers") or ():
        if c["name"] in ("istio-init", "istio-validation"):
            return c.get("args") or []
    return None


def _flag(args, flag):
    return args[args.index(flag) + 1] if flag in args else None


def _proxy(pod):
    spec = pod["spec"]
    for where in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(where) or ()):
            if c["name"] == "istio-proxy":
                return where, i, c
    return None, None, None


def _metric(istiod, name, **labels):
    url = "http://127.0.0.1:%d/metrics" % istiod.ports["monitoring"]
    with urllib.request.urlopen(url, timeout=5) as resp:
        text = resp.read().decode()
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        m = re.match(r"^%s(\{[^}]*\})?\s+(\S+)$" % re.escape(name), line)
        if not m:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            total += float(m.group(2))
    return total


# --------------------------------------------------------------------------- injection


def test_the_list_is_every_in_cluster_lb(client):
    facts = _facts(client)
    in_cluster = sorted(
        (lb["vendor"], "%s/%s" % (lb["namespace"], lb["name"]))
        for lb in facts["load_balancers"]
        if lb["kind"] in ("Deployment", "DaemonSet", "StatefulSet")
    )
    assert in_cluster == sorted(IN_CLUSTER_LBS)


@pytest.mark.parametrize("vendor,lb", IN_CLUSTER_LBS, ids=[v for v, _lb in IN_CLUSTER_LBS])
def test_istiod_injects_the_patched_lb_pods_as_planned(client, istiod, vendor, lb):
    """standalone_mtls on one LB: the Pods the controller-manager then creates carry the
    istio-proxy istiod injected, with inbound capture off, every redirect setting of the plan
    in istio-iptables' arguments, and the proxy configured to hold the application until it
    is ready. After undo, new Pods come without a sidecar."""
    facts = _facts(client)
    the_plan = plan(facts, "standalone_mtls", {"load_balancers": [lb]})
    (wl_patch,) = [
        pt
        for ph in the_plan["phases"]
        for pt in ph["patches"]
        if pt["target"]["kind"] in ("Deployment", "DaemonSet", "StatefulSet")
    ]
    kind, (ns, name) = wl_patch["target"]["kind"], lb.split("/")
    template = wl_patch["manifest"]["spec"]["template"]
    planned = template["metadata"].get("annotations") or {}
    injected_before = _metric(istiod, "sidecar_injection_success_total")
    since = _now()
    apply_plan(client, the_plan, force_conflicts=True, wait="none")
    try:
        stored = _workload(client, ns, name, kind)["spec"]["template"]
        pods = _pods_from_template(client, ns, stored, since)
        assert pods, "no Pod created from the patched template of %s %s" % (kind, lb)
        assert _metric(istiod, "sidecar_injection_success_total") >= injected_before + len(pods)
        for pod in pods:
            where, index, proxy = _proxy(pod)
            assert proxy, "%s: no istio-proxy in %s" % (lb, pod["metadata"]["name"])
            status = json.loads(pod["metadata"]["annotations"]["sidecar.istio.io/status"])
            assert status["revision"] == "default"
            # The vendor's own containers are all still there.
            names = {c["name"] for c in pod["spec"]["containers"]}
            assert {c["name"] for c in stored["spec"]["containers"]} <= names
            # Inbound capture off (the LB keeps the client IP), and every redirect setting of
            # the plan reached istio-iptables.
            args = _iptables_args(pod)
            assert args and _flag(args, "-b") == "", args
            for annotation, flag in IPTABLES_FLAGS.items():
                if annotation in planned:
                    want = set(filter(None, planned[annotation].split(",")))
                    got = set(filter(None, (_flag(args, flag) or "").split(",")))
                    assert want <= got, (annotation, want, got)
            api_ip = facts["cluster_facts"]["api_server_ip"]
            assert "%s/32" % api_ip in _flag(args, "-x").split(","), args
            # holdApplicationUntilProxyStarts: the plan's proxy config reached the proxy, and
            # the proxy starts first - as a native sidecar (an init container that must pass its
            # startup probe before the app containers start) or, in classic mode, as the first
            # container with a postStart hook that waits (test_classic_sidecars_hold_...).
            env = {e["name"]: e.get("value") for e in proxy.get("env") or ()}
            assert json.loads(env["PROXY_CONFIG"])["holdApplicationUntilProxyStarts"] is True
            assert where == "initContainers" and proxy.get("restartPolicy") == "Always"
            assert proxy.get("startupProbe"), "native sidecar without a startup probe"
    finally:
        undo_plan(client, the_plan)
    restored = _workload(client, ns, name, kind)["spec"]["template"]
    assert "sidecar.istio.io/inject" not in restored["metadata"].get("labels", {})
    # A rollout back may create no Pod at all (the old ReplicaSet still has its Pods when the
    # new ones never became ready), so ask the API server for one, dry run, through istiod.
    assert _proxy(_dry_run_pod(client, ns, restored))[2] is None, "sidecar after undo"


def test_classic_sidecars_hold_the_application_only_as_planned(istio_cp, istiod, client):
    """With native sidecars off, holdApplicationUntilProxyStarts is what puts istio-proxy
    first with a postStart hook that waits for it. A dry-run Pod from the planned template gets
    that; the same template with injection but without the plan's proxy config does not (so the
    assertion can fail)."""
    facts = _facts(client)
    the_plan = plan(facts, "standalone_mtls", {"load_balancers": [IN_CLUSTER_LBS[0][1]]})
    (wl_patch,) = [
        pt
        for ph in the_plan["phases"]
        for pt in ph["patches"]
        if pt["target"]["kind"] == "Deployment"
    ]
    apply_plan(client, the_plan, force_conflicts=True, wait="none")
    istiod.stop()
    classic = Istiod(istio_cp, CHART, env={"ENABLE_NATIVE_SIDECARS": "false"})
    try:
        classic.start()
        ns = wl_patch["target"]["namespace"]
        stored = _workload(client, ns, wl_patch["target"]["name"], "Deployment")["spec"]
        pod = _dry_run_pod(client, ns, stored["template"])
        where, index, proxy = _proxy(pod)
        assert (where, index) == ("containers", 0), (where, index)
        post_start = (proxy.get("lifecycle") or {}).get("postStart") or {}
        assert "wait" in (post_start.get("exec") or {}).get("command", []), proxy.get("lifecycle")
        # Control: the plan's proxy config removed -> the proxy is not held first.
        template = json.loads(json.dumps(stored["template"]))
        template["metadata"]["annotations"].pop("proxy.istio.io/config")
        where, index, proxy = _proxy(_dry_run_pod(client, ns, template))
        assert proxy is not None and (where, index) != ("containers", 0)
        assert not (proxy.get("lifecycle") or {}).get("postStart")
    finally:
        classic.stop()
        undo_plan(client, the_plan)
        istiod.start()


def test_lb_info_tells_native_sidecars_from_the_running_pods_and_the_kubelets(
    istio_cp, istiod, client
):
    """The real case of this cluster: istiod runs with ENABLE_NATIVE_SIDECARS=true in its
    process env, invisible to lb_info; the chart's Deployment (Istio's golden, image
    pilot:1.1.4) says classic, and so does auto mode, as our Node has no kubelet. Once istiod
    has injected the LB's Pods, lb_info reports them native from what they run, and MG0011
    goes. With the Deployment at the release the harness builds (1.30, auto mode), a Node
    whose kubelet is 1.33 makes it native from the configuration alone."""
    lb = IN_CLUSTER_LBS[0][1]
    facts = _facts(client)
    native = facts["istio"]["native_sidecars"]
    assert native["kind"] == "classic", native
    assert native["nodes"]["ineligible"] == [NODE["metadata"]["name"]], native
    the_plan = plan(facts, "standalone_mtls", {"load_balancers": [lb]})
    (wl_patch,) = [
        pt
        for ph in the_plan["phases"]
        for pt in ph["patches"]
        if pt["target"]["kind"] == "Deployment"
    ]
    ((istiod_ns, istiod_name),) = [i.split("/") for i in facts["istio"]["istiod"]]
    istiod_path = client.resource_path("apps/v1", "Deployment", istiod_ns, istiod_name)
    containers = client.request("GET", istiod_path)["spec"]["template"]["spec"]["containers"]
    (index,) = [i for i, c in enumerate(containers) if c["name"] == "discovery"]
    image_path, image = (
        "/spec/template/spec/containers/%d/image" % index,
        containers[index]["image"],
    )
    since = _now()
    apply_plan(client, the_plan, force_conflicts=True, wait="none")
    node_path = client.resource_path("v1", "Node", None, NODE["metadata"]["name"]) + "/status"
    try:
        ns = wl_patch["target"]["namespace"]
        stored = _workload(client, ns, wl_patch["target"]["name"], "Deployment")["spec"]
        pods = _pods_from_template(client, ns, stored["template"], since)
        assert pods and all(_proxy(p)[0] == "initContainers" for p in pods)
        deadline = time.monotonic() + 60
        while True:  # until lb_info reads the new Pods (the old ones may still be there)
            facts = _facts(client)
            (got,) = [x for x in facts["load_balancers"] if x["id"].endswith("/" + lb)]
            if got["sidecar"]["kind"] == "native" or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert got["sidecar"]["kind"] == "native", got["sidecar"]
        assert "running pod(s)" in got["sidecar"]["kind_evidence"][0]
        assert not [
            f
            for f in facts["findings"]
            if f["code"] == "MG0011" and f["object"]["name"] == wl_patch["target"]["name"]
        ]
        # Istio 1.30 (auto mode) and every kubelet >= 1.33: native from the configuration alone.
        client.request(
            "PATCH",
            istiod_path,
            body=[{"op": "replace", "path": image_path, "value": "docker.io/istio/pilot:1.30.4"}],
            content_type="application/json-patch+json",
        )
        assert _facts(client)["istio"]["native_sidecars"]["kind"] == "classic"  # no kubelet
        client.request(
            "PATCH",
            node_path,
            body={"status": {"nodeInfo": {"kubeletVersion": "v1.33.2"}}},
            content_type="application/merge-patch+json",
        )
        native = _facts(client)["istio"]["native_sidecars"]
        assert native["kind"] == "native" and native["mode"] == "auto", native
    finally:
        client.request(
            "PATCH",
            node_path,
            body={"status": {"nodeInfo": {"kubeletVersion": ""}}},
            content_type="application/merge-patch+json",
        )
        client.request(
            "PATCH",
            istiod_path,
            body=[{"op": "replace", "path": image_path, "value": image}],
            content_type="application/json-patch+json",
        )
        undo_plan(client, the_plan)


def _dry_run_pod(client, ns, template):
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "generateName": "meshgate-dry-run-",
            "namespace": ns,
            "labels": template["metadata"].get("labels") or {},
            "annotations": template["metadata"].get("annotations") or {},
        },
        "spec": template["spec"],
    }
    return client.request(
        "POST", client.resource_path("v1", "Pod", ns), body=pod, query={"dryRun": "All"}
    )


# --------------------------------------------------------------------------- validation


def test_istio_objects_we_create_pass_istiod_validation(istio_cp, istiod, client):
    """Every Istio object the plans create goes through istiod's validation webhook and is
    accepted (istiod counts each in galley_validation_passed); a VirtualService that only
    istiod's validation rejects proves the webhook is really in the path."""
    bad = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "meshgate-negative-control", "namespace": "default"},
        "spec": {"hosts": ["*"], "http": [{"route": [{"destination": {"host": "productpage"}}]}]},
    }
    failed_before = _metric(istiod, "galley_validation_failed", resource="virtualservices")
    with pytest.raises(K8sError) as exc:
        client.apply(bad, "meshgate-test")  # a real write: istiod counts no dry-run failure
    assert "rev.validation.istio.io" in str(exc.value) and "wildcard host" in str(exc.value)
    plans = [
        plan(_facts(client), "standalone", {}),
        plan(_facts(client), "chained", {"gateway": GATEWAY}),
        plan(_facts(client), "gclb_chained", {"gateway": GATEWAY}),
    ]
    created = {}
    for p in plans:
        for ph in p["phases"]:
            for pt in ph["patches"]:
                group = pt["target"]["apiVersion"].split("/")[0]
                if group.endswith("istio.io"):
                    created[pt["target"]["kind"]] = created.get(pt["target"]["kind"], 0) + 1
    assert set(created) >= {"PeerAuthentication", "Gateway", "VirtualService"}, created
    plural = {"PeerAuthentication": "peerauthentications", "Gateway": "gateways"}
    plural["VirtualService"] = "virtualservices"
    before = {k: _metric(istiod, "galley_validation_passed", resource=plural[k]) for k in created}
    try:
        for p in plans:
            apply_plan(client, p, force_conflicts=True, wait="none")
        for kind, n in created.items():
            passed = _metric(istiod, "galley_validation_passed", resource=plural[kind])
            # One dry run and one write per object, each validated by istiod.
            assert passed - before[kind] >= 2 * n, (kind, passed - before[kind], n)
        failed = _metric(istiod, "galley_validation_failed", resource="virtualservices")
        assert failed == failed_before + 1  # the negative control, and nothing of ours
    finally:
        for p in reversed(plans):
            undo_plan(client, p)


# --------------------------------------------------------------------------- istioctl analyze


def _message_key(m):
    """What a message is about, stable across Pod re-creation (a rollout renames Pods)."""
    origin = m.get("origin") or ""
    kind, _sep, ref = origin.partition(" ")
    if kind == "Pod":
        ref = re.sub(r"-[a-z0-9]{5}$", "", ref)  # Pod suffix
        ref = re.sub(r"-[a-f0-9]{8,10}$", "", ref)  # ReplicaSet template hash
    text = re.sub(r"https://127\.0\.0\.1:\d+", "https://127.0.0.1", m.get("message", ""))
    text = re.sub(r"\b%s[-a-z0-9]*" % re.escape(ref), ref, text) if kind == "Pod" else text
    return (m["code"], m["level"], kind, ref, text)


def _problems(messages):
    return {_message_key(m) for m in messages if m["level"] in ("Error", "Warning")}


@pytest.mark.parametrize(
    "mode,opts",
    [
        ("standalone", {}),
        ("standalone_mtls", {}),
        ("standalone_mtls", {"global_switch": True}),
        ("chained", {"gateway": GATEWAY}),
        ("chained", {"route_api": "gateway-api"}),
    ],
    ids=["standalone", "standalone_mtls", "standalone_mtls-global", "chained", "chained-gwapi"],
)
def test_istioctl_analyze_finds_no_new_problem_after_our_changes(istiod, client, mode, opts):
    before = istiod.analyze()
    the_plan = plan(_facts(client), mode, opts)
    assert the_plan["summary"]["patches"] > 0
    apply_plan(client, the_plan, force_conflicts=True, wait="none")
    try:
        # Let the controller-manager roll the patched workloads, so analyze sees the new Pods.
        time.sleep(3)
        after = istiod.analyze()
    finally:
        undo_plan(client, the_plan)
    new = _problems(after) - _problems(before)
    assert not new, "istioctl analyze: new errors/warnings after %s:\n%s" % (
        mode,
        "\n".join(map(str, sorted(new))),
    )


def test_istioctl_and_lb_info_agree_on_broken_states(istio_cp, istiod, client):
    """Broken "before" states both tools look at: each lb_info finding that names an istioctl
    code (the catalog's `istioctl` field) is matched by that istioctl message on the same
    workload (or its Pods), and istioctl raises no such message on an LB lb_info is quiet on."""
    crossref = {code: msg["istioctl"] for code, msg in MESSAGES.items() if msg.get("istioctl")}
    assert crossref, "the catalog names istioctl counterparts"
    ns, name = "ingress-nginx", "ingress-nginx-controller"
    # 1. Injection switched on for the LB's namespace, the running Pods untouched (MG0016 /
    #    IST0103). 2. An Istio annotation on the Deployment instead of its pod template
    #    (MG0005 / IST0107).
    istio_cp.kubectl("label", "namespace", ns, "istio-injection=enabled", "--overwrite")
    istio_cp.kubectl(
        "annotate", "deployment", name, "-n", ns, "sidecar.istio.io/inject=true", "--overwrite"
    )
    try:
        findings = [
            f
            for f in _facts(client)["findings"]
            if f["code"] in crossref and f["object"].get("namespace") == ns
        ]
        messages = [m for m in istiod.analyze() if (m.get("origin") or "").find(" %s/" % ns) > 0]
    finally:
        istio_cp.kubectl("label", "namespace", ns, "istio-injection-", check=False)
        istio_cp.kubectl(
            "annotate", "deployment", name, "-n", ns, "sidecar.istio.io/inject-", check=False
        )
    ours = sorted({f["code"] for f in findings})
    assert ours == sorted(crossref), (ours, findings)
    for f in findings:
        want = crossref[f["code"]]
        hits = [m for m in messages if m["code"] == want and name in (m.get("origin") or "")]
        assert hits, "%s on %s/%s has no %s from istioctl: %s" % (
            f["code"],
            ns,
            name,
            want,
            [(m["code"], m.get("origin")) for m in messages],
        )
    # And the converse on this LB: every istioctl message with a counterpart is one of ours.
    theirs = {m["code"] for m in messages if name in (m.get("origin") or "")}
    assert theirs & set(crossref.values()) <= {crossref[f["code"]] for f in findings}


def test_istioctl_analyze_offline_accepts_the_plan_files(istiod, tmp_path):
    """The files lb_plan writes (manifests/, and gitops/ kustomize patches and Helm values),
    planned offline from the same fixtures, analysed offline by istioctl together with the
    fixtures they patch: no error or warning that the fixtures alone do not already have."""
    from vendor_fixtures import FILES

    sources = [str(SHARED / rel) for rel in FILES]
    objects, _warnings = load_sources(sources)
    objects += MESH_STRICT
    facts = detect(objects)
    base = tmp_path / "fixtures.yaml"
    base.write_text(
        yaml.safe_dump_all(
            [o for o in objects if o.get("kind") not in ("CustomResourceDefinition",)]
        )
    )
    alone = _problems(istiod.analyze(str(base), live=False))
    checked = 0
    for mode, opts in [
        ("standalone", {}),
        ("standalone_mtls", {}),
        ("chained", {"gateway": GATEWAY}),
        ("gclb_chained", {"gateway": GATEWAY}),
    ]:
        out = tmp_path / mode
        files = []
        for rel, text in plan_files(plan(facts, mode, opts)):
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            if rel.endswith(".yaml") and "helm-values" not in rel:
                files.append(str(path))
        assert files, mode
        merged = tmp_path / ("%s-merged.yaml" % mode)
        merged.write_text(_merge_patches(base, files))
        new = _problems(istiod.analyze(str(merged), live=False)) - alone
        assert not new, "%s: %s" % (mode, sorted(new))
        checked += len(files)
    assert checked >= 10


def _merge_patches(base, files):
    """The fixtures with each plan file merged in (what the cluster holds after apply), as one
    multi-document file: analyze sees whole objects, not partial patches."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import _merge_into

    objects = [d for d in yaml.safe_load_all(Path(base).read_text()) if d]
    index = {
        (o.get("kind"), (o.get("metadata") or {}).get("namespace"), o["metadata"].get("name")): o
        for o in objects
        if (o.get("metadata") or {}).get("name")
    }
    for path in files:
        for doc in yaml.safe_load_all(Path(path).read_text()):
            if not isinstance(doc, dict) or "kind" not in doc:
                continue
            meta = doc.get("metadata") or {}
            key = (doc["kind"], meta.get("namespace"), meta.get("name"))
            if key in index:
                _merge_into(index[key], doc)
            else:
                objects.append(doc)
                index[key] = doc
    return yaml.safe_dump_all(objects)


# ------------------------------------------------------------------ the data path, measured
# Our own backend for the ingress-nginx fixture: an injected namespace, a Deployment, its
# Service (80 -> 8080) and an Ingress of class nginx with an external host.
SHOP_NS = "dp-shop"
SHOP = [
    {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": SHOP_NS, "labels": {"istio-injection": "enabled"}},
    },
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "frontend", "namespace": SHOP_NS},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "frontend"}},
            "template": {
                "metadata": {"labels": {"app": "frontend"}},
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": "ghcr.io/example/frontend:1",
                            "ports": [{"containerPort": 8080}],
                        }
                    ]
                },
            },
        },
    },
    {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "frontend", "namespace": SHOP_NS},
        "spec": {
            "selector": {"app": "frontend"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        },
    },
    {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "shop", "namespace": SHOP_NS},
        "spec": {
            "ingressClassName": "nginx",
            "rules": [
                {
                    "host": "shop.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {
                                    "service": {"name": "frontend", "port": {"number": 80}}
                                },
                            }
                        ]
                    },
                }
            ],
        },
    },
]
SHOP_ROUTE = "Ingress/%s/shop" % SHOP_NS


def _roll_out_injected(istio_cp, client, lb, since):
    """After a plan patched the LB Deployment lb (<namespace>/<name>): the Pods the
    controller-manager made from the new template have the real injector's sidecar, and the
    rollout is played to its end (run_pods, finish_rollouts)."""
    ns, name = lb.split("/")
    stored = _workload(client, ns, name, "Deployment")
    pods = _pods_from_template(client, ns, stored["spec"]["template"], since)
    assert pods and all(_proxy(p)[2] for p in pods), "LB pods not injected"
    run_pods(istio_cp, client, [ns])
    finish_rollouts(istio_cp, client, [ns])


def _measured(client, folder, route_id):
    """lb_info's facts, and the oracle's answer for each hop of the route, on the live state."""
    facts = _facts(client)
    hops = [h for h in data_path_hops(facts) if h["route"] == route_id]
    objects = read_cluster(client)
    calls, skipped = oracle_calls(objects, hops)
    assert calls and not skipped, skipped
    return facts, hops, run_folder(write_folder(objects, folder), _hops_file(folder, calls))


def _hops_file(folder, calls):
    path = folder / "hops.json"
    path.write_text(json.dumps(calls, indent=1))
    return path


def test_the_oracle_measures_mtls_after_standalone_mtls_on_the_real_cluster(
    istio_cp, istiod, client, tmp_path
):
    """ingress-nginx (the vendor's own manifest) in front of our injected backend, mesh-wide
    STRICT. Before: the LB has no sidecar and Istio's config generation says its plain text is
    rejected by the backend's inbound (MG0001). After lb_apply of standalone_mtls, with the
    Pods the controller-manager created and the real istiod injected (IPs given as a kubelet
    would): the LB's request leaves its sidecar on the backend Service's cluster with Istio
    mTLS and the backend accepts it."""
    lb = "ingress-nginx/ingress-nginx-controller"
    since = _now()
    istio_cp.apply_manifests(SHOP)
    try:
        backends = _pods_from_template(client, SHOP_NS, SHOP[1]["spec"]["template"], since)
        assert backends and all(_proxy(p)[2] for p in backends), "backend not injected"
        run_pods(istio_cp, client, [SHOP_NS, "ingress-nginx"])
        facts, hops, before = _measured(client, tmp_path / "before", SHOP_ROUTE)
        assert [(h["proxy"], h["dials"], h["host_source"]) for h in hops] == [
            ("none", "pod", "route")
        ]
        assert any(
            f["code"] == "MG0001" and f["object"]["name"] == "shop" for f in facts["findings"]
        )
        (answer,) = before
        assert not answer["reaches"], answer
        assert [e["error"] for e in answer["endpoints"]] == ["no filter chains matched"]

        the_plan = plan(facts, "standalone_mtls", {"load_balancers": [lb]})
        since = _now()
        apply_plan(client, the_plan, force_conflicts=True, wait="none")
        try:
            _roll_out_injected(istio_cp, client, lb, since)
            _facts_after, hops, after = _measured(client, tmp_path / "after", SHOP_ROUTE)
            assert [(h["proxy"], h["dials"], h["host_source"]) for h in hops] == [
                ("sidecar", "service", "rewrite")
            ]
            (answer,) = after
            assert answer["cluster"] == "outbound|80||frontend.%s.svc.cluster.local" % SHOP_NS
            assert answer["reaches"] and answer["mtls"], answer
            assert [(e["port"], e["tls"]) for e in answer["endpoints"]] == [(8080, "mtls")]
        finally:
            undo_plan(client, the_plan)
    finally:
        istio_cp.kubectl("delete", "namespace", SHOP_NS, "--wait=false", check=False)
        remove_pods(istio_cp, SHOP_NS)


KONG_SHOP_NS = "dp-shop-kong"  # its own: the test above deletes dp-shop without waiting
KONG_ROUTE = "Ingress/%s/shop-kong" % KONG_SHOP_NS
KONG_INGRESS = ingress(KONG_SHOP_NS, "shop-kong", "kong.example.com", "frontend", 80, klass="kong")


def _shop_in(namespace):
    """The backend of SHOP (Namespace, Deployment, Service) in another namespace."""
    out = []
    for obj in SHOP:
        if obj["kind"] == "Ingress":
            continue
        obj = json.loads(json.dumps(obj))
        if obj["kind"] == "Namespace":
            obj["metadata"]["name"] = namespace
        else:
            obj["metadata"]["namespace"] = namespace
        out.append(obj)
    return out


def _patches_of_kind(the_plan, kind):
    return [p for ph in the_plan["phases"] for p in ph["patches"] if p["target"]["kind"] == kind]


def test_the_oracle_measures_mtls_through_the_mesh_route_after_standalone_mtls_for_kong(
    istio_cp, istiod, client, tmp_path
):
    """Kong (its own all-in-one manifest) keeps the client's Host: Service routing alone would
    leave its sidecar on PassthroughCluster in plain text (MG0020). After lb_apply of
    standalone_mtls, with the mesh route the plan creates in Kong's namespace (accepted by
    Istio's real CRD schema), the real injector's sidecar and the Pods read back, Istio's config
    generation routes kong.example.com to the backend with mTLS; planning again writes no
    mesh route, and undo deletes it."""
    lb = "kong/proxy-kong"
    istio_cp.apply_manifests(_shop_in(KONG_SHOP_NS) + [KONG_INGRESS])
    try:
        run_pods(istio_cp, client, [KONG_SHOP_NS, "kong"])
        facts, hops, before = _measured(client, tmp_path / "before", KONG_ROUTE)
        assert [(h["proxy"], h["dials"], h["host_source"]) for h in hops] == [
            ("none", "pod", "route")
        ]
        (answer,) = before
        assert not answer["reaches"], answer

        the_plan = plan(facts, "standalone_mtls", {"load_balancers": [lb]})
        (vs,) = _patches_of_kind(the_plan, "VirtualService")
        assert (vs["target"]["namespace"], vs["manifest"]["spec"]["hosts"]) == (
            "kong",
            ["kong.example.com"],
        )
        since = _now()
        apply_plan(client, the_plan, force_conflicts=True, wait="none")
        try:
            _roll_out_injected(istio_cp, client, lb, since)
            after_facts, hops, after = _measured(client, tmp_path / "after", KONG_ROUTE)
            assert [(h["proxy"], h["dials"], h["host_source"]) for h in hops] == [
                ("sidecar", "service", "route")
            ]
            assert not [
                f for f in after_facts["findings"] if f["code"] in ("MG0003", "MG0020")
            ], after_facts["findings"]
            (answer,) = after
            assert answer["virtual_host"] == "kong.example.com:80"
            assert answer["cluster"] == "outbound|80||frontend.%s.svc.cluster.local" % KONG_SHOP_NS
            assert answer["reaches"] and answer["mtls"], answer
            again = plan(after_facts, "standalone_mtls", {"load_balancers": [lb]})
            assert not _patches_of_kind(again, "VirtualService")
        finally:
            undo_plan(client, the_plan)
        path = client.resource_path(
            "networking.istio.io/v1", "VirtualService", "kong", vs["target"]["name"]
        )
        with pytest.raises(K8sError):
            client.request("GET", path)
    finally:
        istio_cp.kubectl("delete", "namespace", KONG_SHOP_NS, "--wait=false", check=False)
        remove_pods(istio_cp, KONG_SHOP_NS)
