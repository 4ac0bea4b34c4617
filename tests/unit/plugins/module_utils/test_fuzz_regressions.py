# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Every crash the fuzz targets (tests/fuzz, docs/reliability.md#fuzzing) found, as the input
that crashed, and what must happen instead: a named error (SourceError, PlanError) or, for
detection, which has no error of its own, the malformed object skipped and reported while
the rest is still read."""

from __future__ import annotations

import copy
import json

import pytest
from builders import app, istio_base, istio_gateway, nginx_lb

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts_shape import (
    facts_problem,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.shape import shape_problem
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import (
    SourceError,
    load_sources,
)


def _cluster():
    gw, svc = istio_gateway()
    return istio_base("STRICT") + app() + nginx_lb() + [gw, svc]


def _lb_ids(objects):
    return [lb["id"] for lb in detect(objects)["load_balancers"]]


# --- detection on mutated objects (fuzz_detect) -----------------------------------------


def _nginx_deployment(objects):
    return next(o for o in objects if o["kind"] == "Deployment" and "nginx" in json.dumps(o))


def test_a_kind_that_is_a_mapping_is_skipped():
    # Crashed: TypeError (unhashable dict) in read/reduce.py reduce_object.
    objects = _cluster() + [{"apiVersion": "v1", "kind": {"a": 1}, "metadata": {"name": "x"}}]
    assert _lb_ids(objects) == _lb_ids(_cluster())


def test_a_null_container_skips_its_workload_only():
    # Crashed: AttributeError ('NoneType' has no 'get') in reduce._container.
    objects = _cluster()
    dep = _nginx_deployment(objects)
    dep["spec"]["template"]["spec"]["containers"].append(None)
    assert shape_problem(dep) == "spec.template.spec.containers[1] must be a mapping, not null"
    assert _lb_ids(objects) == []  # the LB's Deployment cannot be read: no LB, no crash


def test_a_virtual_service_destination_that_is_a_string_is_skipped():
    # Crashed (CI's fuzz-short, sources target): AttributeError ('str' has no 'get') in
    # detect/routes.py _virtual_service_route.
    vs = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "vs", "namespace": "shop"},
        "spec": {
            "hosts": ["shop.example.com"],
            "gateways": ["istio-ingress/gw"],
            "http": [{"route": [{"destination": "storefront"}]}],
        },
    }
    assert shape_problem(vs) == "spec.http[0].route[0].destination must be a mapping, not a string"
    facts = detect(_cluster() + [vs])
    assert [lb["id"] for lb in facts["load_balancers"]] == _lb_ids(_cluster())
    assert not [r for r in facts["routes"] if r["name"] == "vs"]


def test_an_ingress_class_controller_that_is_a_number():
    # Crashed: AttributeError ('float' has no 'startswith') in vendors/registry.py.
    bad = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": "nginx"},
        "spec": {"controller": 1.5},
    }
    assert shape_problem(bad) == "spec.controller must be a string, not a number"
    assert _lb_ids(_cluster() + [bad]) == _lb_ids(_cluster())


def test_a_custom_resource_nested_5000_deep_is_skipped():
    # Crashed: RecursionError in reduce._shared (a filter's input or a hostile server).
    deep = "x"
    for _level in range(5000):
        deep = {"a": deep}
    vs = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "deep", "namespace": "shop"},
        "spec": {"hosts": ["a"], "deep": deep},
    }
    facts = detect(_cluster() + [vs])
    assert _lb_ids(_cluster()) == [lb["id"] for lb in facts["load_balancers"]]
    assert all(r["name"] != "deep" for r in facts["routes"])


def test_offline_reader_warns_about_an_object_of_the_wrong_shape(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\n"
        "spec: {template: {spec: {containers: [null]}}}\n"
    )
    objects, warnings = load_sources([str(path)])
    assert objects == []
    assert warnings == [
        "%s: document 1 (Deployment) would be refused by the API server: "
        "spec.template.spec.containers[0] must be a mapping, not null; skipped" % path
    ]


# --- the offline reader (fuzz_sources) --------------------------------------------------


@pytest.mark.parametrize("name", ["deep.json", "deep.yaml"])
def test_json_nested_deeper_than_the_recursion_limit(tmp_path, name):
    # Crashed: RecursionError from json.loads (a .json file, or JSON-looking YAML).
    path = tmp_path / name
    path.write_text(
        '{"apiVersion": "v1", "kind": "ConfigMap", "data": ' + "[" * 5000 + "]" * 5000 + "}"
    )
    with pytest.raises(SourceError, match=r"JSON nested too deep \(more than \d+ levels"):
        load_sources([str(path)])


# --- planning on mutated facts (fuzz_plan) ----------------------------------------------


def _facts():
    return detect(_cluster())


def _mutated(change):
    facts = copy.deepcopy(_facts())
    change(facts)
    return facts


CASES = {
    # name: (mutation, the field the error names); each crashed as noted.
    "route is null (TypeError in plan/facts.py routes_of)": (
        lambda f: f["routes"].append(None),
        "facts.routes[%d] must be a mapping, not null",
    ),
    "route without namespace (KeyError in plan/switches.py)": (
        lambda f: f["routes"].append(
            {"id": "r", "kind": "Ingress", "name": "r", "apiVersion": "v1"}
        ),
        "facts.routes[%d].namespace is required",
    ),
    "owner tool null (KeyError in plan/gitops.py direct_patch_fate)": (
        lambda f: f["load_balancers"][0].update(owner={"tool": None}),
        "facts.load_balancers[0].owner.tool is required",
    ),
    "unknown vendor (KeyError in plan/modes/standalone_mtls.py)": (
        lambda f: f["load_balancers"][0].update(vendor="ingress-nginxé"),
        "facts.load_balancers[0].vendor 'ingress-nginxé' is not a vendor id of this collection",
    ),
    "API server IP that is not one (ValueError in standalone_mtls._host_cidr)": (
        lambda f: f["cluster_facts"].update(api_server_ips=["item"]),
        "facts.cluster_facts.api_server_ips[0] must be an IPv4 or IPv6 address, not a string",
    ),
    "pod template without annotations (KeyError in standalone_mtls)": (
        lambda f: f["load_balancers"][0]["pod_template"].pop("annotations"),
        "facts.load_balancers[0].pod_template.annotations is required",
    ),
    "gateway Service without name (KeyError in plan/gateway.py pick_gateway)": (
        lambda f: f["istio"]["gateways"][0]["services"][0].pop("name"),
        "facts.istio.gateways[0].services[0].name is required",
    ),
    "gateway with a name and no namespace (KeyError in plan/gateway.py trusted_proxies)": (
        lambda f: f["istio"]["gateways"][0].pop("namespace"),
        "facts.istio.gateways[0].namespace is required with a name",
    ),
    "gateway proxy config that is a number (TypeError in plan/manifests.py merge_proxy_config)": (
        lambda f: f["istio"]["gateways"][0].update(proxy_config=7),
        "facts.istio.gateways[0].proxy_config must be a string, not an integer",
    ),
    "cloud LB in front without id (KeyError in plan/modes/chained.py)": (
        lambda f: f["load_balancers"][0].update(fronted_by=[{"xff_hops": 2}]),
        "facts.load_balancers[0].fronted_by[0].id is required",
    ),
    "mesh route host that is a list (AttributeError in detect/mesh_routes.py)": (
        lambda f: f["load_balancers"][0].update(mesh_routes=[["a"]]),
        "facts.load_balancers[0].mesh_routes[0] must be a string, not a list",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("mode", ["standalone", "standalone_mtls", "chained"])
def test_mutated_facts_are_refused_naming_the_field(case, mode):
    change, expected = CASES[case]
    facts = _mutated(change)
    if "%d" in expected:
        expected = expected % (len(facts["routes"]) - 1)
    assert expected in facts_problem(facts)
    with pytest.raises(PlanError, match="facts are not what lb_info returns: ") as err:
        plan(facts, mode)
    assert expected in str(err.value)
    assert "Pass the registered result of meshgate.istio_lb.lb_info" in str(err.value)


def test_unchanged_facts_pass():
    assert facts_problem(_facts()) is None
    assert plan(_facts(), "standalone_mtls")["phases"]
