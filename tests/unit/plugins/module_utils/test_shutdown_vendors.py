# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""MG0022's drain data per vendor (vendors/<vendor>.py "shutdown"; docs/vendor-facts.md): on the
vendors' own Helm charts with their defaults (../shared/fixtures/helm), and on settings of our
own: flags, preStop command flags, controller ConfigMap keys."""

from __future__ import annotations

import copy

import pytest
from builders import deployment, istio_base  # noqa: E402 - test helper next to this file
from shared_fixtures import SHARED_FIXTURES  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import reduce_object
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.schema import check_entry

HELM = SHARED_FIXTURES / "helm"

# chart file -> (seconds its LB needs to shut down, what adds up, its grace period): what the
# rendered chart says, read by hand (preStop hooks, args, terminationGracePeriodSeconds).
CHARTS = {
    # apisix: preStop "sleep 30"; the chart sets no grace period on the data plane (30s).
    "apisix/gateway-with-ic.yaml": (30, ["preStop sleep 30s (apisix)"], 30),
    # bitnami Contour: preStop "contour envoy shutdown" without delays; grace 300s.
    "contour/default.yaml": (0, [], 300),
    "emissary/edge-listeners.yaml": (0, [], 30),
    "envoy-gateway/default.yaml": (0, [], 10),
    "haproxy-ingress/edge-default.yaml": (0, [], 60),
    "haproxytech/edge-default.yaml": (0, [], 60),
    # No --shutdown-grace-period, no worker-shutdown-timeout in its ConfigMap; grace 300s.
    "ingress-nginx/edge-default.yaml": (
        250,
        [
            "ConfigMap worker-shutdown-timeout 240s (default)",
            "--post-shutdown-grace-period 10s (default)",
        ],
        300,
    ),
    # preStop "kong quit --wait=15"; grace 30s.
    "kong/edge-default.yaml": (
        25,
        ["kong quit --wait 15s (set)", "kong quit --timeout 10s (default)"],
        30,
    ),
    "nginx-inc/edge-default.yaml": (0, [], 30),
    # No -wait-for-healthcheck-interval (45s) and no grace period (30s): it fires.
    "skipper/raw-deployment.yaml": (45, ["-wait-for-healthcheck-interval 45s (default)"], 30),
    "traefik/edge-default.yaml": (
        10,
        ["--entryPoints.<name>.transport.lifeCycle.graceTimeOut 10s (default)"],
        60,
    ),
}


def _mg0022(result):
    return [f for f in result["findings"] if f["code"] == "MG0022"]


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_chart_with_its_defaults_fires_mg0022_only_when_its_drain_outlasts_its_grace(name):
    need, parts, grace = CHARTS[name]
    objects, _w = load_sources([str(HELM / name)])
    found = _mg0022(detect(objects))
    if need <= grace:
        assert found == [], found
        return
    (f,) = found
    assert (f["args"]["need"], f["args"]["grace"], f["args"]["parts"]) == (
        "%g" % need,
        "%g" % grace,
        "; ".join(parts),
    )


def _fires_with(name, change):
    objects, _w = load_sources([str(HELM / name)])
    objects = copy.deepcopy(objects)
    change(objects)
    return _mg0022(detect(objects))


def _workload(objects, kind, name):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def test_each_charts_numbers_are_what_the_finding_adds_up():
    """The chart's numbers above, pushed over its grace period by shortening the grace."""
    for name, (need, parts, _grace) in sorted(CHARTS.items()):
        if not need:
            continue
        objects, _w = load_sources([str(HELM / name)])
        result = detect(objects)
        (lb,) = result["load_balancers"]
        kind, _ns, wl_name = lb["id"].split("/")

        def shorter(objs, kind=kind, wl_name=wl_name):
            wl = _workload(objs, kind, wl_name)
            wl["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 1

        (f,) = _fires_with(name, shorter)
        assert (f["args"]["need"], f["args"]["parts"]) == ("%g" % need, "; ".join(parts)), name


def test_kong_quit_wait_and_timeout_count_only_in_a_kong_quit_pre_stop():
    def longer_wait(objs):
        (c,) = [
            c
            for c in _workload(objs, "Deployment", "edge-kong")["spec"]["template"]["spec"][
                "containers"
            ]
            if c.get("lifecycle")
        ]
        c["lifecycle"]["preStop"]["exec"]["command"] = ["kong", "quit", "--wait=25", "-t", "15"]

    (f,) = _fires_with("kong/edge-default.yaml", longer_wait)
    assert f["args"]["need"] == "40"
    assert f["args"]["parts"] == "kong quit --wait 25s (set); kong quit --timeout 15s (set)"

    def no_quit(objs):
        for c in _workload(objs, "Deployment", "edge-kong")["spec"]["template"]["spec"][
            "containers"
        ]:
            c.pop("lifecycle", None)
        spec = _workload(objs, "Deployment", "edge-kong")["spec"]["template"]["spec"]
        spec["terminationGracePeriodSeconds"] = 1

    # Without "kong quit" its flags and their defaults do not apply: nothing to wait for.
    assert _fires_with("kong/edge-default.yaml", no_quit) == []


def test_contours_shutdown_delays_are_read_from_the_envoy_pods_pre_stop():
    def delays(objs):
        ds = _workload(objs, "DaemonSet", "ingress-contour-envoy")
        (c,) = [
            c
            for c in ds["spec"]["template"]["spec"]["containers"]
            if c["name"] == "shutdown-manager"
        ]
        c["lifecycle"]["preStop"]["exec"]["command"] += ["--drain-delay=4m", "--check-delay", "90s"]

    (f,) = _fires_with("contour/default.yaml", delays)
    assert (f["args"]["need"], f["args"]["grace"]) == ("330", "300")
    assert f["args"]["parts"] == "--drain-delay 240s (set); --check-delay 90s (set)"


def test_skippers_healthcheck_wait_set_short_enough_does_not_fire():
    def short(objs):
        wl = _workload(objs, "Deployment", "skipper-ingress")
        wl["spec"]["template"]["spec"]["containers"][0]["args"].append(
            "-wait-for-healthcheck-interval=20s"
        )

    assert _fires_with("skipper/raw-deployment.yaml", short) == []


def test_haproxy_ingress_wait_before_shutdown():
    def wait(objs):
        wl = _workload(objs, "Deployment", "edge-haproxy-ingress")
        wl["spec"]["template"]["spec"]["containers"][0]["args"].append("--wait-before-shutdown=75")

    (f,) = _fires_with("haproxy-ingress/edge-default.yaml", wait)
    assert (f["args"]["need"], f["args"]["grace"], f["args"]["parts"]) == (
        "75",
        "60",
        "--wait-before-shutdown 75s (set)",
    )


def test_a_bare_ingress_nginx_gets_its_workers_default_shutdown_timeout():
    wl = deployment(
        "edge",
        "nginx",
        "registry.k8s.io/ingress-nginx/controller:v1.13.0",
        args=["/nginx-ingress-controller"],
    )
    (f,) = _mg0022(detect(istio_base() + [wl]))
    assert f["args"]["need"] == "250" and f["args"]["grace"] == "30"


def test_a_live_read_keeps_the_configmap_keys_the_shutdown_data_reads():
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx"},
        "data": {"worker-shutdown-timeout": "5s", "unrelated": "x"},
    }
    assert reduce_object(cm)["data"] == {"worker-shutdown-timeout": "5s"}


@pytest.mark.parametrize(
    "flag, problem",
    [
        ({"in": "configmap", "unit": "duration", "arg": "--configmap"}, ".key is required"),
        ({"in": "pre_stop", "unit": "seconds", "flag": "--wait"}, ".command is required"),
        ({"unit": "seconds"}, ".flag is required"),
        ({"in": "env", "unit": "seconds", "flag": "X"}, "is not one of"),
    ],
)
def test_the_schema_refuses_a_shutdown_setting_without_what_its_place_needs(flag, problem):
    entry = {"id": "x", "name": "X", "kind": "in-cluster", "shutdown": {"flags": [flag]}}
    problems = check_entry(entry)
    assert any(problem in p for p in problems), problems
