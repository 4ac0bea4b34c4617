# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""vendors/schema.py: every shipped vendor entry is valid, and each kind of mistake in an entry
is named (entry, key, what is wrong)."""

from __future__ import annotations

import ast
import copy
import importlib
import os

import pytest

from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.schema import (
    check_entries,
    check_entry,
)

# Files of vendors/ that are not vendor data.
NOT_VENDORS = {
    "__init__",
    "registry",
    "schema",
    "istio",
    "reported",
    "signals",
    "switches",
    "health_checks",
}


def _nginx():
    return copy.deepcopy(registry.vendor("ingress-nginx"))


def test_every_shipped_entry_is_valid():
    assert check_entries(registry.VENDORS) == []
    assert len(registry.VENDORS) == 17


def test_every_vendor_file_is_in_the_registry_in_order():
    """A vendor file that is not named in the registry would be silently ignored."""
    folder = os.path.dirname(registry.__file__)
    names = sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py"))
    files = [n for n in names if n not in NOT_VENDORS]
    listed = [m.__name__.rsplit(".", 1)[1] for m in registry._FILES]
    assert sorted(listed) == files
    for name in files:
        module = importlib.import_module(registry.__name__.rsplit(".", 1)[0] + "." + name)
        assert module.ENTRIES and all(e in registry.VENDORS for e in module.ENTRIES)


@pytest.mark.parametrize(
    "mutate, problem",
    [
        (
            lambda e: e.update(serivce_routing={}),
            "vendor ingress-nginx has unknown key 'serivce_routing'",
        ),
        (lambda e: e.pop("kind"), "vendor ingress-nginx misses required key 'kind'"),
        (
            lambda e: e.update(kind="on-prem"),
            "vendor ingress-nginx.kind is not one of in-cluster, cloud",
        ),
        (
            lambda e: e["service_routing"].update(also={"route": ["metadata.annotations.[["]}),
            "vendor ingress-nginx.service_routing.also.route[0] does not compile as JMESPath",
        ),
        (
            lambda e: e["workload_signals"][0].update(image="(unclosed"),
            "vendor ingress-nginx.workload_signals[0].image does not compile as a regular expression",
        ),
        (
            lambda e: e["workload_signals"][0].pop("role"),
            "vendor ingress-nginx.workload_signals[0] misses required key 'role'",
        ),
        (
            lambda e: e["plan"]["switch"][0].update(target="service"),
            "vendor ingress-nginx.plan.switch[0].target is not one of route,",
        ),
        (
            lambda e: e["plan"]["switch"][0].update(tagret="route"),
            "vendor ingress-nginx.plan.switch[0] has unknown key 'tagret'",
        ),
        (
            lambda e: e.update(webhook_ports=["8443"]),
            "vendor ingress-nginx.webhook_ports[0] is not a port number",
        ),
        (lambda e: e.update(class_names="nginx"), "vendor ingress-nginx.class_names is not a list"),
        (
            lambda e: e.update(route_kinds={"Ingress": {"backends": "spec"}}),
            "vendor ingress-nginx.route_kinds key 'Ingress' is not a group/Kind",
        ),
        (
            lambda e: e["service_routing"].update(also={"cluster": ["example.io/Thing"]}),
            "vendor ingress-nginx.service_routing.also.cluster[0] is not 'group/Kind:jmespath'",
        ),
    ],
)
def test_each_mistake_is_named(mutate, problem):
    entry = _nginx()
    mutate(entry)
    problems = check_entry(entry)
    assert any(p.startswith(problem) for p in problems), problems


def test_a_registry_with_a_vendor_or_route_kind_twice_is_refused():
    traefik = copy.deepcopy(registry.vendor("traefik"))
    again = copy.deepcopy(traefik)
    assert check_entries([traefik, again]) == [
        "vendor traefik is declared twice",
        "route kind traefik.io/IngressRoute is claimed by traefik and traefik",
        "route kind traefik.containo.us/IngressRoute is claimed by traefik and traefik",
    ]


def test_an_entry_that_is_not_a_mapping_is_named():
    assert check_entries(["ingress-nginx"]) == ["vendor <no id> is not a mapping"]


def test_no_vendor_id_is_named_outside_vendors():
    """Vendor knowledge lives in vendors/ only: generic code reads an entry's keys, it never
    compares a vendor id (a string literal equal to one is the smell this catches)."""
    root = os.path.dirname(os.path.dirname(registry.__file__))
    ids = set(registry.VENDOR_IDS)
    found = []
    for package in ("detect", "plan", "read"):
        for folder, _dirs, files in os.walk(os.path.join(root, package)):
            for name in files:
                if not name.endswith(".py"):
                    continue
                path = os.path.join(folder, name)
                with open(path) as fh:
                    tree = ast.parse(fh.read())
                found += [
                    "%s:%d %s" % (os.path.relpath(path, root), node.lineno, node.value)
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Constant) and node.value in ids
                ]
    assert not found
