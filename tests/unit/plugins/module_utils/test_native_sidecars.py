# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Native or classic sidecars (detect/native_sidecars.py), on plain data: what istiod's
ENABLE_NATIVE_SIDECARS, its version, the Nodes' kubelets and the running pods decide, and the
findings that hold only for classic sidecars (MG0011, MG0007)."""

from __future__ import annotations

import copy
import json

import pytest
from builders import (  # noqa: E402 - test helper next to this file
    GOOD_SIDECAR_ANNOTATIONS,
    app,
    helper_job,
    ingress,
    istio_base,
    nginx_lb,
)

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.native_sidecars import (
    istiod_decision,
    nodes_summary,
    workload_kind,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import reduce_object

INJECTED = {"istio-injection": "enabled"}
NO_CAPTURE = {"traffic.sidecar.istio.io/includeInboundPorts": ""}


def istiod(image="docker.io/istio/pilot:1.30.3", env=None):
    (wl,) = [o for o in istio_base() if o["kind"] == "Deployment"]
    wl["spec"]["template"]["spec"]["containers"][0]["image"] = image
    if env is not None:
        wl["spec"]["template"]["spec"]["containers"][0]["env"] = [
            {"name": "ENABLE_NATIVE_SIDECARS", "value": env}
        ]
    return wl


def node(name, kubelet=None):
    obj = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}
    if kubelet:
        obj["status"] = {"nodeInfo": {"kubeletVersion": kubelet}}
    return obj


def nodes(*kubelets):
    objs = [node("n%d" % i, k) for i, k in enumerate(kubelets)]
    return nodes_summary(objs, True)


def mesh_with(wl, *extra):
    """istio_base() with its istiod replaced by ``wl``, plus ``extra``."""
    return [o for o in istio_base() if o["kind"] != "Deployment"] + [wl, *extra]


def injector_cm(values):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"},
        "data": {"values": json.dumps(values), "config": "policy: enabled"},
    }


@pytest.mark.parametrize(
    "image, env, node_info, kind",
    [
        # Explicit values win over every default.
        ("pilot:1.30.3", "true", None, "native"),
        ("pilot:1.30.3", "false", nodes("v1.34.0"), "classic"),
        # Unknown values turn it off (Istio >= 1.28 accepts only true/false/auto).
        ("pilot:1.30.3", "yes", nodes("v1.34.0"), "classic"),
        # Before 1.27 off by default; the variable was a Go boolean.
        ("pilot:1.26.2", None, nodes("v1.34.0"), "classic"),
        ("pilot:1.26.2", "1", None, "native"),
        # 1.27 turned it on; 1.28 made the default "auto": every kubelet >= 1.33.
        ("pilot:1.27.0", None, None, "native"),
        ("pilot:1.30.3", None, nodes("v1.33.1", "v1.34.0-eks-1"), "native"),
        ("pilot:1.30.3", None, nodes("v1.33.1", "v1.32.9"), "classic"),
        ("pilot:1.30.3", None, nodes("v1.34.0", None), "classic"),  # no version: too old
        ("pilot:1.30.3", None, nodes(), "native"),  # no Node at all: istiod finds none too old
        ("pilot:1.30.3", None, None, "unknown"),  # Nodes not read
        ("pilot:latest", None, nodes("v1.34.0"), "unknown"),  # version unknown: default unknown
        ("pilot:latest", "auto", nodes("v1.34.0"), "native"),
    ],
)
def test_istiod_decision(image, env, node_info, kind):
    got = istiod_decision(istiod("docker.io/istio/" + image, env), {}, node_info)
    assert got["kind"] == kind, got


def test_the_deployment_env_wins_over_the_injector_values():
    values = {"pilot": {"env": {"ENABLE_NATIVE_SIDECARS": "false"}}}
    assert istiod_decision(istiod(), values, nodes("v1.34.0"))["kind"] == "classic"
    got = istiod_decision(istiod(env="true"), values, nodes("v1.34.0"))
    assert got["kind"] == "native" and "istiod env" in got["evidence"][0]


def test_the_version_from_the_chart_labels_when_the_image_has_no_tag():
    wl = istiod("registry.example/istio/pilot")
    wl["metadata"]["labels"] = {"helm.sh/chart": "istiod-1.26.1"}
    got = istiod_decision(wl, {}, nodes("v1.34.0"))
    assert (got["kind"], got["version"]) == ("classic", "1.26")


def test_running_pods_and_the_pod_annotation_decide_for_a_workload():
    decision = istiod_decision(istiod(env="false"), {}, None)
    (wl,) = [o for o in nginx_lb() if o["kind"] == "Deployment"]
    native_pod = {"spec": {"initContainers": [{"name": "istio-proxy", "restartPolicy": "Always"}]}}
    classic_pod = {"spec": {"containers": [{"name": "istio-proxy"}]}}
    assert workload_kind(wl, [], decision)[0] == "classic"
    kind, evidence = workload_kind(wl, [native_pod, native_pod], decision)
    assert kind == "native" and "2 running pod(s)" in evidence[0]
    # Pods that disagree: the configuration decides.
    assert workload_kind(wl, [native_pod, classic_pod], decision)[0] == "classic"
    wl["spec"]["template"]["metadata"]["annotations"]["sidecar.istio.io/nativeSidecar"] = "true"
    assert workload_kind(wl, [], decision)[0] == "native"


def test_detect_reports_the_kind_cluster_wide_and_per_lb():
    objs = mesh_with(istiod(), node("a", "v1.33.0")) + nginx_lb(ns_labels=INJECTED)
    result = detect(objs)
    assert result["istio"]["native_sidecars"]["kind"] == "native"
    assert result["istio"]["native_sidecars"]["mode"] == "auto"
    assert result["istio"]["native_sidecars"]["istio_version"] == "1.30"
    (lb,) = result["load_balancers"]
    assert lb["sidecar"]["kind"] == "native"
    # Offline input without Nodes: auto cannot be resolved.
    result = detect(mesh_with(istiod()) + nginx_lb(ns_labels=INJECTED))
    assert result["load_balancers"][0]["sidecar"]["kind"] == "unknown"


def test_reduction_keeps_the_kubelet_version_and_the_injector_values():
    n = node("a", "v1.33.0")
    n["status"]["capacity"] = {"cpu": "4"}
    assert reduce_object(n)["status"] == {"nodeInfo": {"kubeletVersion": "v1.33.0"}}
    assert reduce_object(n)["metadata"].get("namespace") is None
    cm = reduce_object(injector_cm({"pilot": {}}))
    assert set(cm["data"]) == {"values"}
    other = injector_cm({})
    other["metadata"]["name"] = "someone-else"
    assert reduce_object(other)["data"] == {}


# ------------------------------------------------------------------ findings


def only(objects, code):
    return [f for f in detect(objects)["findings"] if f["code"] == code]


def test_mg0011_only_for_classic_sidecars():
    lb = nginx_lb(ns_labels=INJECTED, pod_annotations=NO_CAPTURE)
    (f,) = only(mesh_with(istiod(env="false")) + lb, "MG0011")
    assert "classic sidecar (istiod env ENABLE_NATIVE_SIDECARS=false)" in f["message"]
    assert not only(mesh_with(istiod(env="true")) + lb, "MG0011")
    assert not only(mesh_with(istiod(), node("a", "v1.33.0")) + lb, "MG0011")
    # Istio 1.26: classic by default.
    assert only(
        mesh_with(istiod("docker.io/istio/pilot:1.26.2"), node("a", "v1.34.0")) + lb, "MG0011"
    )
    # Unknown is treated as classic, and says so.
    (f,) = only(mesh_with(istiod()) + lb, "MG0011")
    assert "treated as classic" in f["message"]
    # Held: nothing to say, whatever the kind.
    held = nginx_lb(ns_labels=INJECTED, pod_annotations=GOOD_SIDECAR_ANNOTATIONS)
    assert not only(mesh_with(istiod(env="false")) + held, "MG0011")


def test_mg0007_only_where_the_job_gets_a_classic_sidecar():
    job = helper_job()
    lb = nginx_lb(ns_labels=INJECTED)
    (f,) = only(mesh_with(istiod(env="false")) + lb + [job], "MG0007")
    assert "classic sidecar" in f["message"]
    assert not only(mesh_with(istiod(env="true")) + lb + [job], "MG0007")
    assert not only(mesh_with(istiod(), node("a", "v1.34.0")) + lb + [job], "MG0007")
    assert only(mesh_with(istiod(), node("a", "v1.31.4")) + lb + [job], "MG0007")
    # The Job's own annotation overrides the cluster's choice.
    native_job = copy.deepcopy(job)
    native_job["spec"]["template"]["metadata"]["annotations"] = {
        "sidecar.istio.io/nativeSidecar": "true"
    }
    assert not only(mesh_with(istiod(env="false")) + lb + [native_job], "MG0007")


# ------------------------------------------------------------------ plans


def _sidecar_patch(objs, options=None):
    p = plan(detect(objs), "standalone_mtls", options or {})
    (dep,) = [
        pt for ph in p["phases"] for pt in ph["patches"] if pt["target"]["kind"] == "Deployment"
    ]
    return p, dep


def _shop(wl, lb):
    return mesh_with(wl) + app() + lb + [ingress("shop", "web", "web", 80)]


def test_the_plan_holds_the_app_only_for_a_classic_sidecar():
    p, dep = _sidecar_patch(_shop(istiod(env="false"), nginx_lb()))
    anns = dep["manifest"]["spec"]["template"]["metadata"]["annotations"]
    assert json.loads(anns["proxy.istio.io/config"]) == {"holdApplicationUntilProxyStarts": True}
    assert not [w for w in p["warnings"] if "native sidecar" in w]
    p, dep = _sidecar_patch(_shop(istiod(env="true"), nginx_lb()))
    anns = dep["manifest"]["spec"]["template"]["metadata"]["annotations"]
    assert "proxy.istio.io/config" not in anns
    assert anns["traffic.sidecar.istio.io/includeInboundPorts"] == ""
    (w,) = [w for w in p["warnings"] if "native sidecar" in w]
    assert "holdApplicationUntilProxyStarts left out" in w
    # Undo restores only what the plan set: no proxy config to put back.
    assert not any("proxy.istio.io/config" in k for k in dep["undo"].get("restore") or {})


def test_a_native_plan_keeps_the_proxy_config_there():
    lb = nginx_lb(pod_annotations={"proxy.istio.io/config": '{"concurrency": 2}'})
    _p, dep = _sidecar_patch(_shop(istiod(env="true"), lb))
    anns = dep["manifest"]["spec"]["template"]["metadata"]["annotations"]
    assert "proxy.istio.io/config" not in anns  # not ours to write: left as it is
    _p, dep = _sidecar_patch(_shop(istiod(env="false"), lb))
    anns = dep["manifest"]["spec"]["template"]["metadata"]["annotations"]
    assert json.loads(anns["proxy.istio.io/config"]) == {
        "concurrency": 2,
        "holdApplicationUntilProxyStarts": True,
    }


def test_an_unknown_kind_is_planned_as_classic():
    # Istio 1.30 in auto mode, offline input without Nodes: unknown -> held (harmless if native).
    _p, dep = _sidecar_patch(_shop(istiod(), nginx_lb()))
    anns = dep["manifest"]["spec"]["template"]["metadata"]["annotations"]
    assert "proxy.istio.io/config" in anns
