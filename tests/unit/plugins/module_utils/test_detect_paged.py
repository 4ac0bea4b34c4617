# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Routes judged a page at a time (a live read streams the route kinds): detect() must give
the same answer however the routes are paged, and detect_summary() summarize(detect(...)).

The oracle is detection over the whole index at once: every upstream fixture, generated and
seeded random clusters are detected both ways, with the route pages cut small and handed
over in reverse, so a finding or count that depends on seeing all routes (MG0001's first
route, an LB's mode, a cloud Gateway's attached routes) shows up as a difference.
"""

from __future__ import annotations

import collections
import glob
import json
import os
import random
import sys
import weakref
from pathlib import Path

import pytest
from builders import (
    GOOD_SIDECAR_ANNOTATIONS,
    app,
    deployment,
    ingress,
    istio_base,
    istio_gateway,
    namespace,
    nginx_lb,
    service,
)

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.index import Index
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.routes import (
    STREAMED_ROUTE_KINDS,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import (
    detect,
    detect_summary,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import summarize
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import reduce_object
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
from shared_fixtures import SHARED_FIXTURES as FIXTURES  # noqa: E402 - test helper beside
from shared_fixtures import VENDOR_DIRS  # noqa: E402


def _fixture_cases():
    files = sorted(
        f
        for d in VENDOR_DIRS
        for f in glob.glob(str(d / "**" / "*.yaml"), recursive=True)
        + glob.glob(str(d / "**" / "*.json"), recursive=True)
    )
    cases = [os.path.relpath(f, FIXTURES) for f in files]
    # Whole vendor directories (Gateways and their routes in separate files) and everything.
    cases += sorted({os.path.dirname(c) for c in cases}) + ["."]  # ".": every vendor dir
    return cases


def _pages(idx, size, reverse):
    """route_pages over the index's own objects, ``size`` per page, optionally backwards."""

    def pages(group, kind):
        items = list(idx.kind(group, kind))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        return chunks[::-1] if reverse else chunks

    return pages


PAGINGS = [(1, False), (2, True), (3, False), (500, False)]


def _both_ways(objects, options=None):
    """(summary of the whole-index answer, [paged summaries]), after checking that the full
    answer is the same paged."""
    full = detect(objects, options)
    for size, reverse in PAGINGS:
        paged = detect(Index(objects), options, _pages(Index(objects), size, reverse))
        assert paged == full, (size, reverse)
    want = summarize(full)
    got = [
        detect_summary(Index(objects), options, _pages(Index(objects), size, reverse))
        for size, reverse in PAGINGS
    ]
    return want, got


def _load(case):
    paths = VENDOR_DIRS if case == "." else [FIXTURES / case]
    objects, _warnings = load_sources([str(p) for p in paths])
    return objects


@pytest.mark.parametrize("case", _fixture_cases())
def test_summary_of_every_fixture_is_the_same_streamed(case):
    want, got = _both_ways(_load(case))
    for (size, reverse), answer in zip(PAGINGS, got, strict=True):
        assert answer == want, (case, size, reverse)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_summary_of_generated_clusters_is_the_same_streamed(seed):
    objects = [reduce_object(o) for o in generate.objects(300, seed)]
    want, got = _both_ways(objects)
    assert want["summary"]["routes"] > 100  # many pages per LB
    for answer in got:
        assert answer == want
    # Scoped summaries too (the scope filters apply after linking).
    scoped, got = _both_ways(objects, {"namespaces": ["bench-0001"]})
    assert 0 < scoped["summary"]["routes"] < want["summary"]["routes"]
    for answer in got:
        assert answer == scoped


def _random_cluster(seed):
    """A seeded cluster with what the fixtures lack: STRICT backends behind an LB outside the
    mesh, sidecar LBs with and without Service routing, headless backends, routes to the
    gateway and to apps in one LB, a cloud Ingress and a cloud Gateway with HTTPRoutes."""
    rnd = random.Random(seed)
    gateway = istio_gateway()
    if rnd.random() < 0.5:
        gateway[0]["spec"]["template"]["metadata"]["annotations"][
            "proxy.istio.io/config"
        ] = '{"gatewayTopology": {"numTrustedProxies": 1}}'
    in_mesh = rnd.random() < 0.5
    lb = nginx_lb(
        pod_labels={"sidecar.istio.io/inject": "true"} if in_mesh else None,
        pod_annotations=GOOD_SIDECAR_ANNOTATIONS if in_mesh else None,
    )
    objects = istio_base(rnd.choice(["STRICT", "STRICT", "PERMISSIVE"])) + lb + gateway
    backends = [("istio-system", "istio-ingressgateway")]
    for ns in ("shop", "db"):
        objects.append(namespace(ns, **{"istio-injection": "enabled"}))
        for i in range(3):
            name = "%s-%d" % (ns, i)
            objects.append(deployment(ns, name, "ghcr.io/example/%s:1" % name))
            headless = rnd.random() < 0.3
            objects.append(service(ns, name, {"app": name}, headless=headless))
            backends.append((ns, name))
    to_gateway_only = rnd.random() < 0.3
    for _i in range(rnd.randint(5, 25)):
        ns, backend = backends[0] if to_gateway_only else rnd.choice(backends)
        annotations = {}
        if rnd.random() < 0.5:
            annotations["nginx.ingress.kubernetes.io/service-upstream"] = "true"
        name = "r%02d-%s" % (rnd.randrange(100), rnd.choice("abc"))
        objects.append(ingress(ns, name, backend, 80, annotations=annotations))
    for i in range(rnd.randint(0, 2)):
        objects.append(
            ingress(
                "istio-system",
                "edge-%d" % i,
                "istio-ingressgateway",
                80,
                klass=None,
                annotations={"kubernetes.io/ingress.class": "gce"},
            )
        )
    objects.append(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": "external-http", "namespace": "istio-system"},
            "spec": {"gatewayClassName": "gke-l7-global-external-managed"},
        }
    )
    for _i in range(rnd.randint(1, 6)):
        ns, backend = rnd.choice(backends)
        objects.append(
            {
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "HTTPRoute",
                "metadata": {"name": "h%02d" % rnd.randrange(100), "namespace": ns},
                "spec": {
                    "parentRefs": [{"name": "external-http", "namespace": "istio-system"}],
                    "rules": [{"backendRefs": [{"name": backend, "port": 80}]}],
                },
            }
        )
    return objects


@pytest.mark.parametrize("seed", range(40))
def test_summary_of_random_clusters_is_the_same_streamed(seed):
    want, got = _both_ways(_random_cluster(seed))
    for answer in got:
        assert answer == want


def test_the_corpus_exercises_what_depends_on_every_route():
    """The comparisons above can only catch what the corpus contains: findings and LBs whose
    answer needs all routes (a check that these are there, not of detection itself)."""
    codes = collections.Counter()
    modes = collections.Counter()
    cloud_gateway_children = 0
    for seed in range(40):
        result = summarize(detect(_random_cluster(seed)))
        codes.update(f["code"] for f in result["findings"])
        modes.update(lb["mode"] for lb in result["load_balancers"])
        cloud_gateway_children += sum(
            lb["route_count"] - 1
            for lb in result["load_balancers"]
            if lb["role"] == "cloud" and lb["kind"] == "Gateway"
        )
    for code in ("MG0001", "MG0003", "MG0006", "MG0013", "MG0014"):
        assert codes[code] >= 2, (code, codes)
    assert modes["chained"] and modes["standalone"] and modes["mixed"], modes
    assert cloud_gateway_children >= 40


def _strict_cluster(*routes):
    return istio_base("STRICT") + app() + nginx_lb() + list(routes)


def _ingress_pages(*pages):
    def route_pages(group, kind):
        if (group, kind) == ("networking.k8s.io", "Ingress"):
            yield from ([reduce_object(o) for o in page] for page in pages)

    return route_pages


def test_strict_backend_is_reported_on_the_first_route_whichever_page_brings_it():
    a, b = ingress("shop", "a-web", "web", 80), ingress("shop", "b-web", "web", 80)
    want = summarize(detect(_strict_cluster(a, b)))
    (finding,) = [f for f in want["findings"] if f["code"] == "MG0001"]
    assert finding["object"]["name"] == "a-web"
    for pages in ([a], [b]), ([b], [a]), ([b, a],):
        got = detect_summary(Index(_strict_cluster()), None, _ingress_pages(*pages))
        assert got == want


def test_mode_is_decided_by_all_pages_and_so_are_the_findings_that_depend_on_it():
    gateway = istio_gateway()
    to_gateway = ingress("istio-system", "edge", "istio-ingressgateway", 80)
    to_app = ingress("shop", "web", "web", 80)
    base = istio_base("STRICT") + app() + nginx_lb() + gateway

    def nginx(result):
        (lb,) = [lb for lb in result["load_balancers"] if lb["vendor"] == "ingress-nginx"]
        codes = sorted(f["code"] for f in result["findings"])
        return lb["mode"], lb["route_count"], lb["backend_count"], codes

    chained = detect_summary(Index(base), None, _ingress_pages([to_gateway]))
    mode, routes, backends, codes = nginx(chained)
    assert (mode, routes, backends) == ("chained", 1, 1)
    assert "MG0013" in codes and "MG0001" not in codes
    # The route to an app comes on a later page: the LB was not chained after all, so the
    # gateway's MG0013 goes and the STRICT backend's MG0001 stays.
    for pages in ([to_gateway], [to_app]), ([to_app], [to_gateway]):
        mixed = detect_summary(Index(base), None, _ingress_pages(*pages))
        mode, routes, backends, codes = nginx(mixed)
        assert (mode, routes, backends) == ("mixed", 2, 2)
        assert "MG0001" in codes and "MG0013" not in codes
        assert mixed == summarize(detect(base + [to_gateway, to_app]))


def test_a_gateway_name_in_two_namespaces_is_reported_for_the_first_route():
    """MG0013 reports each gateway name once, for the first backend (in route order) that
    reaches a gateway of that name; the page that brings it first must not decide."""
    labels = {"app": "istio-ingressgateway", "istio": "ingressgateway"}
    gateways = []
    for ns in ("gw-a", "gw-b"):
        gateways += [
            namespace(ns),
            deployment(
                ns,
                "istio-ingressgateway",
                "docker.io/istio/proxyv2:1.30.3",
                labels=labels,
                args=["proxy", "router"],
            ),
            service(ns, "istio-ingressgateway", dict(labels), ports=((80, 8080),)),
        ]
    base = istio_base() + nginx_lb() + gateways
    first = ingress("gw-a", "y", "istio-ingressgateway", 80)
    later = ingress("gw-b", "x", "istio-ingressgateway", 80)
    want = summarize(detect(base + [first, later]))
    (finding,) = [f for f in want["findings"] if f["code"] == "MG0013"]
    assert finding["object"]["namespace"] == "gw-a"
    for pages in ([later], [first]), ([first], [later]):
        assert detect_summary(Index(base), None, _ingress_pages(*pages)) == want

    # Routes that reach across namespaces (Emissary Mappings): the first route to reach
    # gw-b's gateway ("a") comes in the last page, after a later route to gw-b ("z") and a
    # route to gw-a ("m") in between - gw-b is still the one reported.
    emissary = base + [
        namespace("edge"),
        deployment("edge", "emissary", "docker.io/emissaryingress/emissary:3.10"),
    ]

    def mapping(name, gateway_ns):
        return {
            "apiVersion": "getambassador.io/v3alpha1",
            "kind": "Mapping",
            "metadata": {"name": name, "namespace": "edge"},
            "spec": {"prefix": "/", "service": "istio-ingressgateway.%s:80" % gateway_ns},
        }

    routes = [mapping("a", "gw-b"), mapping("m", "gw-a"), mapping("z", "gw-b")]
    want = summarize(detect(emissary + routes))
    assert [f["object"]["namespace"] for f in want["findings"] if f["code"] == "MG0013"] == ["gw-b"]

    def mapping_pages(group, kind):
        if (group, kind) == ("getambassador.io", "Mapping"):
            yield from ([reduce_object(o)] for o in reversed(routes))

    assert detect_summary(Index(emissary), None, mapping_pages) == want


class _Object(dict):
    """A dict that can be watched with a weak reference (a plain dict cannot)."""


def test_route_pages_are_let_go_as_they_are_judged():
    """Memory does not grow with the routes: a page's objects are freed once it is judged."""
    refs = []
    most_alive = 0
    size, count = 5, 40

    def route_pages(group, kind):
        nonlocal most_alive
        if (group, kind) != ("networking.k8s.io", "Ingress"):
            return
        for i in range(count):
            page = [
                _Object(reduce_object(ingress("shop", "web-%02d-%d" % (i, j), "web", 80)))
                for j in range(size)
            ]
            refs.extend(weakref.ref(o) for o in page)
            most_alive = max(most_alive, sum(1 for r in refs if r() is not None))
            yield page

    result = detect_summary(Index(_strict_cluster()), None, route_pages)
    assert result["summary"]["routes"] == size * count
    # The page being built and the one the caller still holds, never all of them.
    assert most_alive <= 2 * size, most_alive
    # The full answer keeps every route, which is what the summary avoids.
    objects = [_Object(reduce_object(ingress("shop", "w-%d" % i, "web", 80))) for i in range(9)]
    index = Index(_strict_cluster() + objects, reduce=False)
    refs = [weakref.ref(o) for o in objects]
    del objects
    assert len(detect(index)["routes"]) == 9
    assert sum(1 for r in refs if r() is not None) == 9


def test_streamed_kinds_are_every_route_kind_but_the_gateways():
    kinds = set(STREAMED_ROUTE_KINDS)
    assert ("networking.k8s.io", "Ingress") in kinds
    assert ("gateway.networking.k8s.io", "HTTPRoute") in kinds
    assert ("networking.istio.io", "VirtualService") in kinds
    assert not {k for _g, k in kinds} & {"Gateway", "Service", "Deployment"}


def test_summary_without_pages_judges_the_index_itself():
    objects = _strict_cluster(ingress("shop", "web", "web", 80))
    assert detect_summary(objects) == summarize(detect(objects))
    assert json.dumps(detect_summary(objects), sort_keys=True)  # plain data
