# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""lb_apply against the real API server: every mode applied and undone (round trip), re-runs
make zero writes (audit log), a rejection or conflict anywhere writes nothing, waits stop
before the next phase, and the module runs as a user bound only to the shipped ClusterRoles.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from fixture_root import shared_fixtures_dir
from harness import module_crd_paths  # noqa: E402 - tests/controlplane on sys.path (conftest)
from plans import MODE_VARIANTS
from playbook import run_play

from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import (
    ApplyError,
    apply_plan,
    read_targets,
    subset_equal,
    undo_plan,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.live import collect_live

ROOT = Path(__file__).resolve().parents[2]
GATEWAY = "istio-system/istio-ingressgateway"
MODES = MODE_VARIANTS
# Kept by controllers, not by us: they change whenever a pod template changes.
CONTROLLER_ANNOTATIONS = (
    "deployment.kubernetes.io/revision",
    "deprecated.daemonset.template.generation",
)

pytestmark = [pytest.mark.controlplane, pytest.mark.mutates_cluster]


@pytest.fixture
def client(control_plane, loaded, scenario):
    return client_from_params({"kubeconfig": control_plane.kubeconfig})


def _facts(client):
    facts = detect(collect_live(client)[0])
    facts["cluster"] = {"source": "live", "server": client.server}
    return facts


def _targets(p):
    return [pt["target"] for ph in p["phases"] for pt in ph["patches"]]


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _snapshot(client, targets):
    out = {}
    for key, obj in read_targets(client, targets).items():
        obj = copy.deepcopy(obj)
        obj.pop("status", None)
        for field in ("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"):
            obj["metadata"].pop(field, None)
        for ann in CONTROLLER_ANNOTATIONS:
            (obj["metadata"].get("annotations") or {}).pop(ann, None)
        out[key] = _clean(obj)
    return out


def _writes(control_plane, mark):
    """Our write requests since mark: (real writes, dry-run writes)."""
    real, dry = [], []
    for e in control_plane.audit.events(since=mark):
        if e.get("verb") not in ("create", "update", "patch", "delete"):
            continue
        if (e.get("user") or {}).get("username", "").startswith("system:"):
            continue
        if (e.get("responseStatus") or {}).get("code", 200) >= 400:
            # Not a write: e.g. a 409 on the resourceVersion precondition when something else
            # changed the object between our read and our write (lb_apply then re-reads and
            # retries; the retry is the write).
            continue
        (dry if "dryRun=All" in e.get("requestURI", "") else real).append(e.get("requestURI"))
    return real, dry


@pytest.mark.parametrize(
    "mode,opts", MODES, ids=["%s-%d" % (m, i) for i, (m, _o) in enumerate(MODES)]
)
def test_round_trip(control_plane, client, mode, opts):
    p = plan(_facts(client), mode, opts)
    targets = _targets(p)
    assert targets, "the fixture cluster gives every mode something to do"
    before = _snapshot(client, targets)

    mark = control_plane.audit.mark()
    try:
        _round_trip(control_plane, client, p, targets, before, mark)
    finally:
        undo_plan(client, p)  # a failed assertion must not leave the plan applied


def _round_trip(control_plane, client, p, targets, before, mark):
    out = apply_plan(client, p, force_conflicts=True, wait="none")
    assert out["changed"] and {r["status"] for r in out["results"]} == {"changed"}
    real, dry = _writes(control_plane, mark)
    assert len(dry) == len(targets) and len(real) == len(targets), (
        real,
        dry,
    )  # one dry-run pass + N writes
    after_apply = read_targets(client, targets)
    for ph in p["phases"]:
        for pt in ph["patches"]:
            t = pt["target"]
            key = (
                t["apiVersion"].split("/")[0] if "/" in t["apiVersion"] else "",
                t["kind"],
                t.get("namespace"),
                t["name"],
            )
            assert subset_equal(pt["manifest"], after_apply[key]), t

    mark = control_plane.audit.mark()
    again = apply_plan(client, p, force_conflicts=True, wait="none")
    assert again["changed"] is False
    assert _writes(control_plane, mark) == ([], [])  # idempotent: zero write requests

    undone = undo_plan(client, p)
    assert undone["changed"] is True
    assert _snapshot(client, targets) == before  # created objects gone, fields back
    mark = control_plane.audit.mark()
    assert undo_plan(client, p)["changed"] is False
    assert _writes(control_plane, mark) == ([], [])


def test_a_rejection_anywhere_writes_nothing(control_plane, client):
    p = plan(_facts(client), "standalone_mtls")
    bad = {
        "id": "p999",
        "target": {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "name": "bad",
            "namespace": "default",
        },
        "manifest": {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": {"name": "bad", "namespace": "default"},
            "spec": {"mtls": {"mode": "SOMETIMES"}},
        },
        "creates": True,
        "risk": {},
        "undo": {"action": "delete"},
    }
    p["phases"][-1]["patches"].append(bad)
    before = _snapshot(client, _targets(p))
    mark = control_plane.audit.mark()
    with pytest.raises(ApplyError) as exc:
        # force: ownership conflicts left by earlier tests must not stop it before the bad patch
        apply_plan(client, p, force_conflicts=True)
    assert "PeerAuthentication default/bad" in str(exc.value) and "SOMETIMES" in str(exc.value)
    assert "nothing was written" in str(exc.value)
    real, dry = _writes(control_plane, mark)
    assert real == [] and dry
    assert _snapshot(client, _targets(p)) == before


def test_conflict_names_the_owner_and_writes_nothing(control_plane, client):
    p = plan(_facts(client), "chained", {"gateway": GATEWAY})
    assert any(pt["risk"].get("conflicts_with") for ph in p["phases"] for pt in ph["patches"])
    mark = control_plane.audit.mark()
    with pytest.raises(ApplyError) as exc:
        apply_plan(client, p)
    assert exc.value.reason == "conflict"
    assert "force_conflicts" in str(exc.value)
    failed = [r for r in exc.value.results if r["status"] == "failed"]
    (entry,) = failed
    assert entry["error"]["managers"] and all(
        m in str(exc.value) for m in entry["error"]["managers"]
    )
    assert _writes(control_plane, mark)[0] == []


def test_check_mode_is_the_dry_run_only(control_plane, client):
    # Only ingress-nginx: its patches own no atomic list, so nothing conflicts without force.
    p = plan(
        _facts(client),
        "standalone_mtls",
        {"load_balancers": ["ingress-nginx/ingress-nginx-controller"]},
    )
    mark = control_plane.audit.mark()
    out = apply_plan(client, p, check_mode=True)
    assert out["changed"] is True
    real, dry = _writes(control_plane, mark)
    assert real == [] and len(dry) == p["summary"]["patches"]


def test_a_failed_wait_stops_before_the_next_phase(control_plane, client):
    # No kubelet here: the gateway pods never become available, so the rollout wait fails.
    p = plan(_facts(client), "chained", {"gateway": GATEWAY})
    try:
        with pytest.raises(ApplyError) as exc:
            apply_plan(client, p, force_conflicts=True, wait="rollout", wait_timeout=3)
        assert exc.value.reason == "timeout"
        assert "Deployment/istio-system/istio-ingressgateway" in str(exc.value)
        assert "later phases were not applied" in str(exc.value)
        assert "has no available pod: see kubectl describe pods" in str(exc.value)
        repoint = [pt for ph in p["phases"] if ph["name"] == "repoint" for pt in ph["patches"]]
        current = read_targets(client, [pt["target"] for pt in repoint])
        for pt in repoint:
            t = pt["target"]
            assert not subset_equal(
                pt["manifest"], current[("networking.k8s.io", "Ingress", t["namespace"], t["name"])]
            )
    finally:
        undo_plan(client, p)


def test_other_cluster_and_stale_plans_are_refused(control_plane, client):
    p = plan(_facts(client), "standalone_mtls")
    other = dict(p, cluster={"source": "live", "server": "https://other.example:6443"})
    with pytest.raises(ApplyError, match="plan from another cluster"):
        apply_plan(client, other)
    stale = copy.deepcopy(p)
    stale["phases"][0]["patches"][0]["target"]["name"] = "gone-since-planning"
    with pytest.raises(ApplyError, match="stale plan: .*gone-since-planning"):
        apply_plan(client, stale)


def test_module_as_least_privilege_user(control_plane, client, tmp_path):
    roles = []
    for name in ("meshgate-istio-lb-reader.yaml", "meshgate-istio-lb-applier.yaml"):
        with open(ROOT / "rbac" / name) as fh:
            roles.append(yaml.safe_load(fh))
    rules = roles[0]["rules"] + roles[1]["rules"]
    kubeconfig = control_plane.create_user("lb-applier", rules=rules)
    tasks = [
        {
            "name": "plan",
            "meshgate.istio_lb.lb_plan": {
                "mode": "standalone_mtls",
                "load_balancers": ["ingress-nginx/ingress-nginx-controller"],
            },
            "register": "p",
        },
        {
            "name": "check",
            "meshgate.istio_lb.lb_apply": {"plan": "{{ p.plan }}"},
            "check_mode": True,
            "diff": True,
            "register": "c",
        },
        {
            "name": "apply",
            "meshgate.istio_lb.lb_apply": {"plan": "{{ p.plan }}", "wait": "observed"},
            "register": "a1",
        },
        {
            "name": "again",
            "meshgate.istio_lb.lb_apply": {"plan": "{{ p.plan }}", "wait": "observed"},
            "register": "a2",
        },
        {
            "name": "undo",
            "meshgate.istio_lb.lb_apply": {"plan": "{{ p.plan }}", "state": "absent"},
            "register": "u1",
        },
        {
            "name": "undo again",
            "meshgate.istio_lb.lb_apply": {"plan": "{{ p.plan }}", "state": "absent"},
            "register": "u2",
        },
    ]
    r, proc = run_play(
        tmp_path,
        tasks,
        ["p", "c", "a1", "a2", "u1", "u2"],
        module_defaults={"group/meshgate.istio_lb.istio_lb": {"kubeconfig": kubeconfig}},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    n = r["p"]["plan"]["summary"]["patches"]
    assert n > 0
    assert r["c"]["changed"] is True and r["c"]["api_requests"].get("PATCH") == n  # dry runs only
    assert r["c"]["diff"]["after"]
    assert r["a1"]["changed"] is True and r["a1"]["api_requests"]["PATCH"] == 2 * n
    assert r["a2"]["changed"] is False and "PATCH" not in r["a2"]["api_requests"]
    assert r["u1"]["changed"] is True
    assert r["u2"]["changed"] is False and "PATCH" not in r["u2"]["api_requests"]
    assert "BEGIN" not in proc.stdout


def _envoy_gateway_with_its_own_envoyproxy():
    """Envoy Gateway's EnvoyProxy example (a GatewayClass referencing EnvoyProxy config with its
    own settings), a Gateway of that class, and the Envoy Deployment its controller would make
    for the Gateway (no controller runs here: the Deployment is written as it makes it)."""
    shared = shared_fixtures_dir()
    with open(shared / "upstream/envoy-gateway/envoy-proxy-config.yaml", encoding="utf-8") as fh:
        example = [d for d in yaml.safe_load_all(fh) if d]
    labels = {
        "app.kubernetes.io/name": "envoy",
        "app.kubernetes.io/managed-by": "envoy-gateway",
        "gateway.envoyproxy.io/owning-gateway-name": "eg-kept",
        "gateway.envoyproxy.io/owning-gateway-namespace": "eg-kept",
    }
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "envoy-gateway-system"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "eg-kept"}},
        *example,
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": "eg-kept", "namespace": "eg-kept"},
            "spec": {
                "gatewayClassName": "eg",
                "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": "eg-kept"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
        },
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {"name": "web", "namespace": "eg-kept"},
            "spec": {
                "parentRefs": [{"name": "eg-kept"}],
                "hostnames": ["web.example.com"],
                "rules": [{"backendRefs": [{"name": "web", "port": 80}]}],
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "envoy-eg-kept", "namespace": "envoy-gateway-system"},
            "spec": {
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "containers": [{"name": "envoy", "image": "envoyproxy/envoy:v1.35.0"}]
                    },
                },
            },
        },
    ]


def test_the_envoyproxy_a_gatewayclass_uses_is_extended_and_undo_restores_it(control_plane, client):
    """standalone_mtls on an Envoy Gateway whose GatewayClass already references an EnvoyProxy:
    routingType is set on that EnvoyProxy (its own settings and the class's reference kept),
    and undo removes only what the plan set."""
    control_plane.install_crds(module_crd_paths("envoy-gateway"))
    objs = _envoy_gateway_with_its_own_envoyproxy()
    for obj in objs:
        control_plane.apply_manifests(obj)
    proxy_key = ("gateway.envoyproxy.io", "EnvoyProxy", "envoy-gateway-system", "config")

    proxy_target = {
        "apiVersion": "gateway.envoyproxy.io/v1alpha1",
        "kind": "EnvoyProxy",
        "namespace": "envoy-gateway-system",
        "name": "config",
    }
    class_target = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "GatewayClass",
        "name": "eg",
    }

    def envoyproxy():
        return read_targets(client, [proxy_target])[proxy_key]["spec"]

    before = envoyproxy()
    p = plan(
        _facts(client),
        "standalone_mtls",
        {"load_balancers": ["Deployment/envoy-gateway-system/envoy-eg-kept"]},
    )
    try:
        proxies = [
            pt for ph in p["phases"] for pt in ph["patches"] if pt["target"]["kind"] == "EnvoyProxy"
        ]
        assert [pt["target"]["name"] for pt in proxies] == ["config"], (
            p["warnings"],
            p.get("refusals"),
            [(ph["name"], [x["target"]["kind"] for x in ph["patches"]]) for ph in p["phases"]],
        )
        assert not [
            pt
            for ph in p["phases"]
            for pt in ph["patches"]
            if pt["target"]["kind"] == "GatewayClass"
        ]
        apply_plan(client, p, force_conflicts=True, wait="none")
        after = envoyproxy()
        assert after["routingType"] == "Service"
        # The Envoy pods' sidecar is asked for there, next to the user's own settings, which stay.
        deployment = after["provider"]["kubernetes"]["envoyDeployment"]
        mine = before["provider"]["kubernetes"]["envoyDeployment"]
        assert deployment["replicas"] == mine["replicas"]
        assert deployment["container"] == mine["container"]
        assert deployment["pod"]["labels"]["sidecar.istio.io/inject"] == "true"
        for key, value in mine["pod"]["annotations"].items():
            assert deployment["pod"]["annotations"][key] == value
        gc = read_targets(client, [class_target])[
            ("gateway.networking.k8s.io", "GatewayClass", None, "eg")
        ]
        assert gc["spec"]["parametersRef"]["name"] == "config"
        undo_plan(client, p)
        assert envoyproxy() == before  # undo: routingType gone again, nothing else touched
    finally:
        undo_plan(client, p)
        for obj in reversed(objs[2:]):
            control_plane.kubectl(
                "delete",
                obj["kind"].lower(),
                obj["metadata"]["name"],
                *(["-n", obj["metadata"]["namespace"]] if obj["metadata"].get("namespace") else []),
                "--wait=false",
                check=False,
            )


def test_the_envoyproxy_a_gateway_itself_uses_is_extended_and_undo_restores_it(
    control_plane, client
):
    """standalone_mtls on an Envoy Gateway whose Gateway names its own EnvoyProxy
    (spec.infrastructure.parametersRef), which Envoy Gateway uses over its class's: routingType
    and the sidecar's pod labels go there, next to the user's own pod labels and replicas; the
    class's EnvoyProxy and reference stay as they are; undo puts the Gateway's EnvoyProxy back
    exactly as it was."""
    control_plane.install_crds(module_crd_paths("envoy-gateway"))
    objs = _envoy_gateway_with_its_own_envoyproxy()
    gateway = next(o for o in objs if o["kind"] == "Gateway")
    gateway["spec"]["infrastructure"] = {
        "parametersRef": {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy", "name": "own"}
    }
    own = {
        "apiVersion": "gateway.envoyproxy.io/v1alpha1",
        "kind": "EnvoyProxy",
        "metadata": {"name": "own", "namespace": "eg-kept"},
        "spec": {
            "provider": {
                "type": "Kubernetes",
                "kubernetes": {
                    "envoyDeployment": {
                        "replicas": 3,
                        "pod": {
                            "labels": {"team": "edge", "sidecar.istio.io/inject": "false"},
                            "annotations": {"example.com/owner": "edge"},
                        },
                    }
                },
            }
        },
    }
    objs.insert(objs.index(gateway), own)
    for obj in objs:
        control_plane.apply_manifests(obj)

    def read(kind, namespace, name, group="gateway.envoyproxy.io", version="v1alpha1"):
        target = {"apiVersion": "%s/%s" % (group, version), "kind": kind, "name": name}
        if namespace:
            target["namespace"] = namespace
        return read_targets(client, [target])[(group, kind, namespace, name)]["spec"]

    class_proxy = read("EnvoyProxy", "envoy-gateway-system", "config")
    before = read("EnvoyProxy", "eg-kept", "own")
    gc_before = read("GatewayClass", None, "eg", "gateway.networking.k8s.io", "v1")
    facts = _facts(client)
    assert facts["cluster_facts"]["gateways"]["eg-kept/eg-kept"]["used"] is True
    p = plan(
        facts,
        "standalone_mtls",
        {"load_balancers": ["Deployment/envoy-gateway-system/envoy-eg-kept"]},
    )
    try:
        proxies = [pt["target"] for pt in _targets_of(p, "EnvoyProxy")]
        assert [(t["namespace"], t["name"]) for t in proxies] == [("eg-kept", "own")], p["warnings"]
        assert _targets_of(p, "GatewayClass") == []
        apply_plan(client, p, force_conflicts=True, wait="none")
        after = read("EnvoyProxy", "eg-kept", "own")
        assert after["routingType"] == "Service"
        deployment = after["provider"]["kubernetes"]["envoyDeployment"]
        assert deployment["replicas"] == 3
        assert deployment["pod"]["labels"] == {"team": "edge", "sidecar.istio.io/inject": "true"}
        assert deployment["pod"]["annotations"]["example.com/owner"] == "edge"
        assert read("EnvoyProxy", "envoy-gateway-system", "config") == class_proxy
        assert read("GatewayClass", None, "eg", "gateway.networking.k8s.io", "v1") == gc_before
        # Detection now reads the Gateway's own EnvoyProxy: its routes go to Services.
        (lb,) = [
            x
            for x in _facts(client)["load_balancers"]
            if x["id"] == "Deployment/envoy-gateway-system/envoy-eg-kept"
        ]
        assert lb["service_routing"] == "on"
        undo_plan(client, p)
        assert read("EnvoyProxy", "eg-kept", "own") == before  # the user's "false" label too
    finally:
        undo_plan(client, p)
        for obj in reversed(objs[2:]):
            control_plane.kubectl(
                "delete",
                obj["kind"].lower(),
                obj["metadata"]["name"],
                *(["-n", obj["metadata"]["namespace"]] if obj["metadata"].get("namespace") else []),
                "--wait=false",
                check=False,
            )


def _targets_of(p, kind):
    return [pt for ph in p["phases"] for pt in ph["patches"] if pt["target"]["kind"] == kind]
