# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Object reduction, the kinds read and the shipped RBAC."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from shared_fixtures import VENDOR_DIRS  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import jp
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import (
    PLURALS,
    rbac_rules,
    read_kinds,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import (
    needs_field_sets,
    reduce_object,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors import registry
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.signals import (
    normalise_image,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.switches import (
    routing_checks,
)

ROOT = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..")
)


def test_shipped_clusterrole_equals_generated_rules():
    with open(os.path.join(ROOT, "rbac", "meshgate-istio-lb-reader.yaml")) as fh:
        role = yaml.safe_load(fh)
    assert role["kind"] == "ClusterRole"
    assert role["rules"] == rbac_rules()
    verbs = {v for r in role["rules"] for v in r["verbs"]}
    assert verbs == {"list"}
    assert not [r for r in role["rules"] if "secrets" in r["resources"]]


def test_every_read_kind_has_a_plural():
    assert all(kind in PLURALS for _g, kind in read_kinds())


def test_reduce_drops_bulk_and_secrets_but_keeps_detection_fields():
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "x",
            "namespace": "n",
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": "{...}" * 1000,
                "a": "b",
            },
            "managedFields": [{"manager": "helm", "fieldsV1": {"f:spec": {}}}],
        },
        "spec": {
            "template": {
                "metadata": {"labels": {"app": "x"}},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "registry.k8s.io/ingress-nginx/controller:v1.15.1",
                            "env": [
                                {
                                    "name": "TOKEN",
                                    "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}},
                                },
                                {"name": "A", "value": "1"},
                            ],
                            "resources": {"limits": {"cpu": "1"}},
                        }
                    ],
                    "volumes": [{"name": "v"}],
                },
            }
        },
    }
    out = reduce_object(obj)
    assert out["metadata"]["annotations"] == {"a": "b"}
    assert out["metadata"]["managers"] == ["helm"]
    c = out["spec"]["template"]["spec"]["containers"][0]
    # The Secret reference is dropped; the variable's name stays (a detection signal).
    assert c["env"] == [{"name": "TOKEN"}, {"name": "A", "value": "1"}]
    assert "secretKeyRef" not in json.dumps(out)
    assert "resources" not in c and "volumes" not in out["spec"]["template"]["spec"]
    assert out["spec"]["replicas"] == 1  # server default
    # Nothing detection never reads about the object itself.
    assert not {"uid", "resourceVersion", "generation"} & set(out["metadata"])


def test_managers_read_the_same_from_names_only():
    # A live read may cut managedFields to names and operations (k8s.managed_fields
    # compact_managed_fields), which drops entries without a manager (Go omits an empty one):
    # both read as "nobody".
    def deployment(managed):
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "x", "namespace": "n", "managedFields": managed},
        }

    nameless = {"operation": "Update", "fieldsV1": {"f:spec": {"f:replicas": {}}}}
    assert "managers" not in reduce_object(deployment([nameless]))["metadata"]
    assert "managers" not in reduce_object(deployment([]))["metadata"]
    whole = deployment([nameless, dict(nameless, manager="helm"), dict(nameless, manager="")])
    names = deployment([{"manager": "helm"}, {"manager": ""}])
    assert reduce_object(whole) == reduce_object(names)
    assert reduce_object(whole)["metadata"]["managers"] == ["helm"]
    # Which kinds may be read that way, by API group too.
    assert not needs_field_sets("apps", "Deployment") and not needs_field_sets("", "Service")
    assert needs_field_sets("networking.k8s.io", "Ingress")
    assert needs_field_sets("serving.knative.dev", "Service")


def _workload(image, labels=None, args=None):
    container = {"name": "c", "image": image, "env": [{"name": "A", "value": "1"}]}
    if args:
        container["args"] = args
        container["command"] = ["/bin/run"]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x", "namespace": "n", "uid": "u-1", "resourceVersion": "7"},
        "spec": {
            "template": {
                "metadata": {"labels": labels or {"app": "x"}},
                "spec": {"containers": [container]},
            }
        },
    }


@pytest.mark.parametrize(
    "image, labels, kept",
    [
        # An application: its command line and environment are never read.
        ("ghcr.io/example/shop:1.0", None, False),
        ("docker.io/library/nginx:1.29", None, False),  # plain nginx is not a controller
        # A vendor's image (any registry, tag or digest), Istio's proxy / istiod / ztunnel.
        ("mirror.example.com/ingress-nginx/controller:v1.15.1@sha256:" + "0" * 64, None, True),
        ("kong:3.9", None, True),
        ("docker.io/istio/proxyv2:1.30.3", None, True),
        ("docker.io/istio/pilot:1.30.3", None, True),
        ("docker.io/istio/ztunnel:1.30.3", None, True),
        # Known by its pod labels only (Istio's gateway chart uses image "auto").
        ("auto", {"istio": "ingressgateway"}, True),
        ("auto", {"app": "istiod"}, True),
        ("auto", {"istio.io/gateway-name": "edge"}, True),
    ],
)
def test_container_args_and_env_kept_only_where_detection_reads_them(image, labels, kept):
    out = reduce_object(_workload(image, labels, args=["--flag=1"]))
    c = out["spec"]["template"]["spec"]["containers"][0]
    assert c["image"] == image
    for key in ("args", "command", "env"):
        assert (key in c) is kept, key


@pytest.mark.parametrize(
    "kind, image, labels, whole",
    [
        ("Deployment", "ghcr.io/example/shop:1.0", None, False),  # an application's
        ("StatefulSet", "docker.io/library/nginx:1.29", None, False),
        ("Deployment", "registry.k8s.io/ingress-nginx/controller:v1.15.1", None, True),
        ("Deployment", "auto", {"istio": "ingressgateway"}, True),
        ("Job", "ghcr.io/example/migrate:1.0", None, True),  # helper-job findings read Jobs
    ],
)
def test_an_applications_workload_keeps_only_its_pod_template(kind, image, labels, whole):
    obj = _workload(image, labels)
    obj["apiVersion"] = "batch/v1" if kind == "Job" else "apps/v1"
    obj["kind"] = kind
    obj["metadata"].update(
        labels={"app": "x", "helm.sh/chart": "x-1"},
        annotations={"deployment.kubernetes.io/revision": "3"},
    )
    obj["spec"]["selector"] = {"matchLabels": {"app": "x"}}
    obj["status"] = {"observedGeneration": 3, "replicas": 2, "readyReplicas": 2}
    out = reduce_object(obj)
    kept = {
        "labels": "labels" in out["metadata"],
        "annotations": "annotations" in out["metadata"],
        "selector": "selector" in out["spec"],
        "status": "status" in out,
    }
    assert kept == dict.fromkeys(kept, whole)
    # What detection reads of every workload stays: the pod template.
    template = out["spec"]["template"]
    assert template["metadata"]["labels"] == (labels or {"app": "x"})
    assert template["spec"]["containers"][0]["image"] == image


@pytest.mark.parametrize(
    "image, labels, kept_all",
    [
        ("ghcr.io/example/shop:1.0", None, False),  # an application's: Istio's keys only
        ("registry.k8s.io/ingress-nginx/controller:v1.15.1", None, True),  # an LB's: all
        ("auto", {"istio": "ingressgateway"}, True),  # Istio's gateway: all
    ],
)
def test_an_applications_pod_template_keeps_only_istios_annotations(image, labels, kept_all):
    istio = {
        "sidecar.istio.io/inject": "false",
        "proxy.istio.io/config": "{}",
        "traffic.sidecar.istio.io/includeInboundPorts": "",
        "istio.io/rev": "canary",
    }
    other = {"checksum/config": "9f2c", "prometheus.io/scrape": "true", "istio.io": "x", 7: "y"}
    obj = _workload(image, labels)
    obj["spec"]["template"]["metadata"]["annotations"] = {**istio, **other}
    anns = reduce_object(obj)["spec"]["template"]["metadata"]["annotations"]
    assert anns == ({**istio, **other} if kept_all else istio)
    # Nothing of Istio's on the pod: no annotations at all, not an empty dict.
    obj["spec"]["template"]["metadata"]["annotations"] = dict(other)
    tmpl_meta = reduce_object(obj)["spec"]["template"]["metadata"]
    assert ("annotations" in tmpl_meta) is kept_all


def test_port_lists_are_stored_once_by_content():
    """The same port list on many workloads / Services is one list in the index; a different
    list (or the same numbers as other types) is not merged into it, and changing the input
    afterwards (a filter's variables) changes nothing reduced."""

    def svc(name, ports):
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": "n"},
            "spec": {"selector": {"app": name}, "ports": ports},
        }

    def wl(ports):
        obj = _workload("ghcr.io/example/shop:1.0")
        obj["spec"]["template"]["spec"]["containers"][0]["ports"] = ports
        return obj

    def ports_of(obj):
        out = reduce_object(obj)
        if obj["kind"] == "Service":
            return out["spec"]["ports"]
        return out["spec"]["template"]["spec"]["containers"][0]["ports"]

    http = [{"name": "http", "port": 80, "targetPort": 8080}]
    a, b = ports_of(svc("a", json.loads(json.dumps(http)))), ports_of(svc("b", list(http)))
    assert a == b == http and a is b
    c = ports_of(svc("c", [{"name": "http", "port": 80, "targetPort": "http"}]))
    assert c == [{"name": "http", "port": 80, "targetPort": "http"}] and c is not a
    # 1 == True and hash alike: a malformed value must not read as another list's number.
    one, true = ports_of(svc("d", [{"port": 1}])), ports_of(svc("e", [{"port": True}]))
    assert one[0]["port"].__class__ is int and true[0]["port"].__class__ is bool
    container = [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    given = json.loads(json.dumps(container))
    first = ports_of(wl(given))
    assert first is ports_of(wl(json.loads(json.dumps(container)))) and first == container
    given[0]["containerPort"] = 9999
    assert ports_of(wl(json.loads(json.dumps(container))))[0]["containerPort"] == 8080
    # Not flat dicts (malformed input): kept as given, not stored.
    odd = [{"containerPort": [8080]}]
    assert ports_of(wl(odd)) is odd


def test_reduced_strings_are_shared_between_objects():
    """The index keeps one copy of each repeated string, not one per object: names, namespaces,
    labels, images, selectors and route specs decoded from different pages are one object."""

    def decoded(obj):  # as a separate page of a LIST would give it: new str objects
        return json.loads(json.dumps(obj))

    app = "shop-frontend-" + "x" * 20  # long enough that CPython never shares it by itself
    ns = "team-payments-" + "y" * 20
    wl = _workload("ghcr.io/example/shop:1.0", {"app": app})
    wl["metadata"].update(name=app, namespace=ns)
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": app, "namespace": ns, "labels": {"app": app}},
        "spec": {"selector": {"app": app}, "ports": [{"name": "http-" + app, "port": 80}]},
    }
    ing = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": app, "namespace": ns},
        "spec": {"rules": [{"http": {"paths": [{"backend": {"service": {"name": app}}}]}}]},
    }
    first = [reduce_object(decoded(o)) for o in (wl, svc, ing)]
    second = [reduce_object(decoded(o)) for o in (wl, svc, ing)]
    assert first == second
    w, s, i = first
    w2, s2, i2 = second
    backend = i["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"]
    backend2 = i2["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"]
    values = [
        (w["metadata"]["namespace"], w2["metadata"]["namespace"]),
        (w["spec"]["template"]["metadata"]["labels"]["app"], w2["metadata"]["name"]),
        (
            w["spec"]["template"]["spec"]["containers"][0]["image"],
            w2["spec"]["template"]["spec"]["containers"][0]["image"],
        ),
        (s["spec"]["selector"]["app"], s2["metadata"]["labels"]["app"]),
        (s["spec"]["ports"][0]["name"], s2["spec"]["ports"][0]["name"]),
        (backend, backend2),
        (backend, w["metadata"]["name"]),
    ]
    for a, b in values:
        assert a == b and a is b, (a, b)


def test_reduce_namespaces_and_service_defaults():
    svc = reduce_object(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "s"},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]},
        }
    )
    assert svc["metadata"]["namespace"] == "default"
    assert svc["spec"]["ports"][0]["targetPort"] == 80
    assert svc["spec"]["externalTrafficPolicy"] == "Cluster"
    ic = reduce_object(
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "c"}}
    )
    assert "namespace" not in ic["metadata"] or ic["metadata"]["namespace"] is None


def test_reduce_is_idempotent_on_detection_output():
    obj = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "namespace": "n"},
        "spec": {"ports": [{"port": 1}]},
    }
    once = reduce_object(obj)
    assert reduce_object(once)["spec"] == once["spec"]


def test_normalise_image():
    cases = {
        "registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594c": "ingress-nginx/controller",
        "docker.io/library/traefik:v3.3": "traefik",
        "traefik": "traefik",
        "localhost:5000/mirror/kong/kubernetes-ingress-controller:3.4": "mirror/kong/kubernetes-ingress-controller",
        "my.registry:8443/quay.io/jcmoraisjr/haproxy-ingress": "quay.io/jcmoraisjr/haproxy-ingress",
        "$imageRepo$:$version$": "$imageRepo$",
        "": "",
    }
    for image, want in cases.items():
        assert normalise_image(image) == want, image


def test_catalog_expressions_compile_and_ids_are_unique():
    import jmespath

    ids = [v["id"] for v in registry.VENDORS]
    assert len(ids) == len(set(ids)) == 17
    compiled = 0
    for entry in registry.VENDORS:
        # What detection evaluates: the declared switches' checks and the entry's "also".
        checks = routing_checks(entry)
        sr = checks["service_routing"]
        exprs = (
            list(sr.get("route", []))
            + list(sr.get("backend_service", []))
            + list(sr.get("workload", []))
        )
        exprs += [c.split(":", 1)[1] for c in sr.get("cluster", [])]
        exprs += list(checks["host_rewrite"].get("route", []))
        exprs += list(checks["host_rewrite"].get("backend_service", []))
        exprs += [spec["backends"] for spec in entry.get("route_kinds", {}).values()]
        for expr in exprs:
            jmespath.compile(expr)
            compiled += 1
    assert compiled >= 30  # not an empty walk: 33 today
    assert jp("metadata.name", {"metadata": {"name": "x"}}) == "x"
    assert jp("invalid[[", {}) is None


def test_shipped_applier_clusterrole_equals_generated_rules_and_covers_plans():
    from ansible_collections.meshgate.istio_lb.plugins.module_utils import plan as plan_pkg
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import (
        PATCHED_KINDS,
        rbac_apply_rules,
    )

    with open(os.path.join(ROOT, "rbac", "meshgate-istio-lb-applier.yaml")) as fh:
        role = yaml.safe_load(fh)
    assert role["rules"] == rbac_apply_rules()
    assert not [r for r in role["rules"] if "secrets" in r["resources"]]
    # Every kind a planner function emits is in PATCHED_KINDS (read from the source of every
    # file of the plan package).
    import glob
    import re

    source = ""
    for path in sorted(
        glob.glob(os.path.join(os.path.dirname(plan_pkg.__file__), "**", "*.py"), recursive=True)
    ):
        with open(path) as fh:
            source += fh.read()
    emitted = set(re.findall(r'patch_target\([^,]+,\s*"([A-Z][A-Za-z]+)"', source))
    assert emitted, "no patch_target(...) call found in the plan package"
    assert emitted <= {k for _g, k in PATCHED_KINDS}, emitted - {k for _g, k in PATCHED_KINDS}


def test_created_kinds_cover_every_plan_over_every_fixture():
    """The applier role grants create/delete only on CREATED_KINDS: every object any mode
    creates over the fixtures (all vendors at once, several option sets) is of such a kind,
    and undo deletes nothing else."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.options import MODES
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import CREATED_KINDS
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources

    objects, _warnings = load_sources([str(p) for p in VENDOR_DIRS])
    facts = detect(objects)
    facts.setdefault("istio", {})["ztunnel"] = True
    gateway = "istio-system/istio-ingressgateway"
    option_sets = [
        {"gateway": gateway},
        {"gateway": gateway, "global_switch": True},
        {"gateway": gateway, "managed_certificate_domains": ["a.example.com"]},
        {"gateway": gateway, "https_redirect": True},
        {"gateway": gateway, "gke_gateway_class": "gke-l7-global-external-managed"},
        {"route_api": "gateway-api"},
    ]
    created, deleted, planned = set(), set(), 0
    for mode in MODES:
        for opts in option_sets:
            try:
                p = plan(facts, mode, opts)
            except PlanError:
                continue
            planned += 1
            for ph in p["phases"]:
                for pt in ph["patches"]:
                    group = pt["target"]["apiVersion"].rpartition("/")[0]
                    if pt["creates"]:
                        created.add((group, pt["target"]["kind"]))
                    if pt["undo"]["action"] == "delete":
                        deleted.add((group, pt["target"]["kind"]))
    assert planned >= len(MODES)
    assert created and created <= set(CREATED_KINDS), created - set(CREATED_KINDS)
    assert deleted <= created
    # Most created kinds are reached from the fixtures alone (the rest need GKE options).
    assert len(created) >= 8, sorted(created)


class _UnsafeText(str):
    """Like Ansible's AnsibleUnsafeText: a str subclass, which sys.intern refuses."""


def test_str_subclasses_in_filter_input_are_reduced_as_they_are():
    obj = _workload(_UnsafeText("ghcr.io/example/shop:1.0"), {"app": _UnsafeText("x")})
    obj["metadata"]["name"] = _UnsafeText("x")
    out = reduce_object(obj)
    assert out == reduce_object(_workload("ghcr.io/example/shop:1.0"))
    assert isinstance(out["metadata"]["name"], _UnsafeText)


def _catalog_expressions():
    out = []
    for entry in registry.VENDORS:
        checks = routing_checks(entry)
        sr = checks["service_routing"]
        out += list(sr.get("route", [])) + list(sr.get("backend_service", []))
        out += list(sr.get("workload", []))
        out += list(checks["host_rewrite"].get("route", []))
        out += list(checks["host_rewrite"].get("backend_service", []))
    return sorted(set(out))


# Objects that probe every way an annotation lookup can go: equal, different, missing, a
# YAML boolean where a string is expected, no annotations, odd shapes.
_PROBES = [
    {"metadata": {"annotations": {}}},
    {"metadata": {}},
    {},
    {"metadata": None},
    {"metadata": {"annotations": None}},
    {"metadata": {"annotations": ["not", "a", "map"]}},
    {"metadata": "odd"},
    "not an object",
]


def test_annotation_fast_path_answers_like_jmespath():
    """detect evaluates `metadata.annotations."k"` and `... == 'v'` without JMESPath; for every
    such catalog expression and every probe the answer is JMESPath's."""
    import jmespath

    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import (
        _ANNOTATION_EXPR,
        _compiled,
    )

    fast = [e for e in _catalog_expressions() if _ANNOTATION_EXPR.match(e)]
    assert len(fast) >= 7  # the catalog's service-upstream / use-cluster-ip / host switches
    for expr in fast:
        key = _ANNOTATION_EXPR.match(expr).group(1)
        probes = list(_PROBES) + [
            {"metadata": {"annotations": {key: value}}}
            for value in ("true", "false", "TRUE", "", True, 1, None, {"x": 1})
        ]
        for obj in probes:
            assert _compiled(expr).search(obj) == jmespath.compile(expr).search(obj), (expr, obj)
    # Anything else still goes to JMESPath.
    assert not any(
        _ANNOTATION_EXPR.match(e) for e in ('metadata.annotations."a" == `true`', "spec.x")
    )


def test_shared_interpreter_answers_like_jmespath_search():
    """Every other catalog expression runs on one shared JMESPath interpreter (jmespath's own
    search() leaves a reference cycle per call behind while the GC is paused): for each, on
    the probes and on every route object of the vendor fixtures, the answer is jmespath's."""
    import jmespath

    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import (
        _ANNOTATION_EXPR,
        _compiled,
        _JMESPathExpression,
    )
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources

    others = [e for e in _catalog_expressions() if not _ANNOTATION_EXPR.match(e)]
    assert len(others) >= 5
    objects, _warnings = load_sources([str(p) for p in VENDOR_DIRS])
    objects += [{"args": ["--enable-ssl-passthrough", "--nativelbbydefault=true"]}, {"args": []}]
    matched = 0
    for expr in others:
        assert _compiled(expr).__class__ is _JMESPathExpression
        for obj in list(_PROBES) + objects:
            try:
                expected = jmespath.search(expr, obj)
            except jmespath.exceptions.JMESPathError as exc:  # then ours raises the same
                with pytest.raises(exc.__class__):
                    _compiled(expr).search(obj)
                continue
            assert _compiled(expr).search(obj) == expected, (expr, obj)
            matched += bool(expected)
    assert matched  # some expression matched some object: the comparison is not all-None


def test_reduce_keeps_a_services_cluster_ips_of_every_family():
    """Dual-stack: the kubernetes Service's second family is only in spec.clusterIPs, and
    standalone_mtls keeps both out of Envoy."""
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default"},
        "spec": {"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1", "fd00:10:96::1"]},
    }
    assert reduce_object(svc)["spec"]["clusterIPs"] == ["10.96.0.1", "fd00:10:96::1"]
