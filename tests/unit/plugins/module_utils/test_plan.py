# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""lb_plan's core on plain data: vendor x mode, refusals, determinism, convergence, GitOps."""

from __future__ import annotations

import copy
import json
import random

import pytest
from builders import (
    GOOD_SIDECAR_ANNOTATIONS,
    NGINX_IMAGE,
    app,
    deployment,
    ingress,
    ingress_class,
    istio_base,
    istio_gateway,
    namespace,
    nginx_lb,
    service,
)

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import summarize
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.builder import FIELD_MANAGER
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.files import plan_files
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan


def patches(p):
    return [pt for ph in p["phases"] for pt in ph["patches"]]


def by_kind(p, kind):
    return [pt for pt in patches(p) if pt["target"]["kind"] == kind]


def gateway_objects():
    gw, svc = istio_gateway(ports=((15021, 15021), (80, 8080), (443, 8443)))
    svc["spec"]["ports"][1]["name"] = "http2"
    svc["spec"]["ports"][2]["name"] = "https"
    return [gw, svc]


def shop_with_nginx(**lb_kw):
    return istio_base("STRICT") + app() + nginx_lb(**lb_kw) + [ingress("shop", "web", "web", 80)]


# ------------------------------------------------------------------ standalone (A)


def test_standalone_permissive_exactly_on_the_backend_container_port():
    p = plan(detect(shop_with_nginx()), "standalone")
    (pa,) = by_kind(p, "PeerAuthentication")
    m = pa["manifest"]
    assert m["metadata"]["namespace"] == "shop"
    assert m["spec"] == {
        "selector": {"matchLabels": {"app": "web"}},
        "portLevelMtls": {"8080": {"mode": "PERMISSIVE"}},
    }
    assert "mtls" not in m["spec"]  # never changes the workload-wide mode
    assert pa["creates"] and pa["undo"] == {"action": "delete"}
    assert any("NOT mutually authenticated" in w for w in p["warnings"])


def test_standalone_nothing_when_not_strict():
    objs = istio_base("PERMISSIVE") + app() + nginx_lb() + [ingress("shop", "web", "web", 80)]
    p = plan(detect(objs), "standalone")
    assert p["phases"] == [] and p["summary"]["patches"] == 0


# ------------------------------------------------------------------ standalone_mtls (B)


def test_standalone_mtls_ingress_nginx_per_ingress():
    objs = shop_with_nginx()
    objs.append(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default"},
            "spec": {"clusterIP": "10.96.0.1", "ports": [{"port": 443}]},
        }
    )
    p = plan(detect(objs), "standalone_mtls")
    assert [ph["name"] for ph in p["phases"]] == ["service-routing", "sidecar"]
    (ing,) = by_kind(p, "Ingress")
    assert ing["manifest"]["metadata"]["annotations"] == {
        "nginx.ingress.kubernetes.io/service-upstream": "true",
        # The sidecar routes HTTP by Host: without this it sees the client's Host (ingress-nginx#3171).
        "nginx.ingress.kubernetes.io/upstream-vhost": "web.shop.svc.cluster.local",
    }
    assert "spec" not in ing["manifest"]  # only the field we own
    (dep,) = by_kind(p, "Deployment")
    tmpl = dep["manifest"]["spec"]["template"]["metadata"]
    assert tmpl["labels"] == {"sidecar.istio.io/inject": "true"}
    assert tmpl["annotations"]["traffic.sidecar.istio.io/includeInboundPorts"] == ""
    assert json.loads(tmpl["annotations"]["proxy.istio.io/config"]) == {
        "holdApplicationUntilProxyStarts": True
    }
    assert tmpl["annotations"]["traffic.sidecar.istio.io/excludeOutboundIPRanges"] == "10.96.0.1/32"
    assert dep["risk"]["restart"] is True
    assert p["phases"][1]["wait"] == [
        {
            "for": "rollout",
            "targets": ["Deployment/ingress-nginx/ingress-nginx-controller"],
            "timeout": 600,
        }
    ]
    assert p["field_manager"] == FIELD_MANAGER == "meshgate"


def _api_server_service(*cluster_ips):
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default"},
        "spec": {
            "clusterIP": cluster_ips[0],
            "clusterIPs": list(cluster_ips),
            "ports": [{"port": 443}],
        },
    }


def _excluded_ranges(objs):
    p = plan(detect(objs), "standalone_mtls")
    deps = by_kind(p, "Deployment")
    annotations = deps[0]["manifest"]["spec"]["template"]["metadata"]["annotations"] if deps else {}
    return annotations.get("traffic.sidecar.istio.io/excludeOutboundIPRanges")


@pytest.mark.parametrize(
    "cluster_ips, want",
    [
        (("10.96.0.1",), "10.96.0.1/32"),
        # IPv6: a host range is /128 (the annotation takes CIDRs, istio/api annotations.yaml).
        (("fd00:10:96::1",), "fd00:10:96::1/128"),
        # Dual-stack: spec.clusterIPs holds one IP per family, and both must stay out of Envoy.
        (("10.96.0.1", "fd00:10:96::1"), "10.96.0.1/32,fd00:10:96::1/128"),
        (("fd00:10:96::1", "10.96.0.1"), "fd00:10:96::1/128,10.96.0.1/32"),
    ],
)
def test_standalone_mtls_excludes_every_family_of_the_api_server(cluster_ips, want):
    objs = shop_with_nginx() + [_api_server_service(*cluster_ips)]
    assert _excluded_ranges(objs) == want


@pytest.mark.parametrize(
    "current, want",
    [
        # The user's ranges are kept, in order, and only the missing family is added.
        ("192.168.0.0/16,10.96.0.1/32", "192.168.0.0/16,10.96.0.1/32,fd00:10:96::1/128"),
        # A wider range already holding the IP counts (no duplicate host range).
        ("10.0.0.0/8, fd00::/8", None),
        ("*", None),
        ("10.96.0.1/32,fd00:10:96::1/128", None),
    ],
)
def test_standalone_mtls_merges_the_users_excluded_ranges(current, want):
    objs = shop_with_nginx(
        pod_annotations=dict(
            GOOD_SIDECAR_ANNOTATIONS,
            **{"traffic.sidecar.istio.io/excludeOutboundIPRanges": current},
        ),
        pod_labels={"sidecar.istio.io/inject": "true"},
    ) + [_api_server_service("10.96.0.1", "fd00:10:96::1")]
    assert _excluded_ranges(objs) == want


def test_standalone_mtls_global_switch_uses_the_controller_configmap():
    lb = nginx_lb(
        args=["/nginx-ingress-controller", "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller"]
    )
    objs = (
        istio_base()
        + app()
        + lb
        + [ingress("shop", "web", "web", 80), ingress("shop", "web2", "web", 80)]
    )
    p = plan(detect(objs), "standalone_mtls", {"global_switch": True})
    (cm,) = by_kind(p, "ConfigMap")
    assert cm["target"] == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": "ingress-nginx-controller",
        "namespace": "ingress-nginx",
    }
    assert cm["manifest"]["data"] == {"service-upstream": "true"}
    assert by_kind(p, "Ingress") == []


def test_standalone_mtls_merges_existing_proxy_config_and_revision():
    lb = nginx_lb(pod_annotations={"proxy.istio.io/config": '{"concurrency": 2}'})
    hook = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "istio-sidecar-injector-canary", "labels": {"istio.io/rev": "canary"}},
        "webhooks": [{"name": "rev.namespace.sidecar-injector.istio.io"}],
    }
    facts = detect(istio_base() + app() + lb + [hook, ingress("shop", "web", "web", 80)])
    p = plan(facts, "standalone_mtls", {"revision": "canary"})
    (dep,) = by_kind(p, "Deployment")
    tmpl = dep["manifest"]["spec"]["template"]["metadata"]
    assert tmpl["labels"] == {"istio.io/rev": "canary"}
    assert json.loads(tmpl["annotations"]["proxy.istio.io/config"]) == {
        "concurrency": 2,
        "holdApplicationUntilProxyStarts": True,
    }
    assert dep["undo"]["restore"] == {
        "spec.template.metadata.annotations.proxy.istio.io/config": '{"concurrency": 2}'
    }


def test_a_controller_without_its_data_plane_is_refused_by_the_modes_that_patch_it():
    facts = detect(shop_with_nginx() + gateway_objects())
    (lb,) = facts["load_balancers"]
    lb["role"] = "control-plane"  # as lb_info reports a controller whose proxy pods are absent
    facts["istio"]["ambient"] = {"enabled": True}
    for mode, options in (
        ("standalone_mtls", {}),
        ("chained", {"gateway": "istio-system/istio-ingressgateway"}),
        ("ambient", {}),
    ):
        p = plan(facts, mode, options)
        codes = [r["code"] for r in p["refusals"]]
        assert codes == ["no-data-plane"], (mode, codes)
        assert "proxy pods are not in the input" in p["refusals"][0]["reason"], mode
        assert not [pt for pt in patches(p) if pt["target"]["name"] == lb["name"]], mode
    # PERMISSIVE concerns the backends only: standalone still plans for them.
    assert "no-data-plane" not in [r["code"] for r in plan(facts, "standalone")["refusals"]]


def test_standalone_mtls_refusals():
    facts = detect(
        istio_base() + app() + nginx_lb(host_network=True) + [ingress("shop", "web", "web", 80)]
    )
    p = plan(facts, "standalone_mtls")
    assert patches(p) == []
    (r,) = p["refusals"]
    assert r["code"] == "host-network" and "chained" in r["suggestion"]
    off = detect(
        istio_base()
        + app()
        + nginx_lb(ns_labels={"istio-injection": "disabled"})
        + [ingress("shop", "web", "web", 80)]
    )
    assert plan(off, "standalone_mtls")["refusals"][0]["code"] == "injection-disabled"


def test_standalone_mtls_errors_are_clear():
    with pytest.raises(PlanError, match="Istio is not installed"):
        plan(detect(app() + nginx_lb()), "standalone_mtls")
    with pytest.raises(PlanError, match="revision 'blue' is not installed .*found: default"):
        plan(detect(shop_with_nginx()), "standalone_mtls", {"revision": "blue"})
    with pytest.raises(PlanError, match="unknown mode 'sideways'"):
        plan(detect(shop_with_nginx()), "sideways")
    with pytest.raises(PlanError, match="unknown plan option"):
        plan(detect(shop_with_nginx()), "standalone", {"colour": "blue"})
    with pytest.raises(PlanError, match="facts must be the result"):
        plan({"foo": 1}, "standalone")


def test_summary_facts_are_refused_naming_both_ways_out():
    """lb_info's default result has no routes: planning from it would silently plan nothing."""
    facts = detect(shop_with_nginx())
    assert patches(plan(facts, "standalone_mtls"))  # the full facts do need patches
    for mode in ("standalone", "standalone_mtls", "chained", "gclb_chained", "ambient"):
        with pytest.raises(
            PlanError, match="summary without routes.*detail: full.*leave facts out"
        ):
            plan(summarize(facts), mode)
    # Facts that lost their routes some other way are refused too, not planned as "no routes".
    no_routes = {k: v for k, v in facts.items() if k not in ("routes", "detail")}
    with pytest.raises(PlanError, match="summary without routes"):
        plan(no_routes, "standalone_mtls")


def _vendor_lb(vendor_objs, route):
    return istio_base() + app() + vendor_objs + [route]


def test_standalone_mtls_kong_switch_on_backend_services():
    kong = [
        namespace("kong"),
        ingress_class("kong", "ingress-controllers.konghq.com/kong"),
        deployment("kong", "proxy-kong", "kong:3.4", labels={"app": "proxy-kong"}),
    ]
    p = plan(
        detect(_vendor_lb(kong, ingress("shop", "web", "web", 80, klass="kong"))), "standalone_mtls"
    )
    (svc,) = by_kind(p, "Service")
    assert svc["target"]["name"] == "web" and svc["manifest"]["metadata"]["annotations"] == {
        "ingress.kubernetes.io/service-upstream": "true"
    }


def test_standalone_mtls_traefik_ingressroute_whole_atomic_list():
    traefik = [
        namespace("traefik"),
        deployment(
            "traefik",
            "traefik",
            "docker.io/traefik:v3.3",
            labels={"app.kubernetes.io/name": "traefik"},
        ),
    ]
    route = {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "IngressRoute",
        "metadata": {"name": "web", "namespace": "shop", "managedFields": [{"manager": "kubectl"}]},
        "spec": {
            "routes": [
                {"match": "Host(`a`)", "kind": "Rule", "services": [{"name": "web", "port": 80}]}
            ]
        },
    }
    p = plan(detect(_vendor_lb(traefik, route)), "standalone_mtls")
    (ir,) = by_kind(p, "IngressRoute")
    assert ir["manifest"]["spec"]["routes"][0]["services"] == [
        {"name": "web", "port": 80, "nativeLB": True}
    ]
    assert ir["manifest"]["spec"]["routes"][0]["match"] == "Host(`a`)"  # the rest of the list kept
    assert ir["risk"]["conflicts_with"] == ["kubectl"]
    assert ir["undo"]["action"] == "restore-field"
    # Its host is read from the match rule, so the client's Host gets a mesh route.
    (vs,) = by_kind(p, "VirtualService")
    assert vs["manifest"]["spec"]["hosts"] == ["a"]


def test_traefik_match_rules_give_the_route_its_hosts():
    route = {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "IngressRoute",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "routes": [
                {
                    "match": "Host(`a.example.com`) || Host(`b.example.com`) && PathPrefix(`/x`)",
                    "services": [{"name": "web", "port": 80}],
                },
                {
                    "match": "Host(`c.example.com`, `a.example.com`) || HostRegexp(`{x:.+}`)",
                    "services": [{"name": "web", "port": 80}],
                },
                {"match": "PathPrefix(`/`)", "services": [{"name": "web", "port": 80}]},
            ]
        },
    }
    (r,) = [
        x
        for x in detect(istio_base() + app() + [route], {"detail": "full"})["routes"]
        if x["kind"] == "IngressRoute"
    ]
    assert r["hosts"] == ["a.example.com", "b.example.com", "c.example.com"]


def test_standalone_mtls_vendor_without_switch_uses_host_rewrite_or_refuses():
    hap = [
        namespace("haproxy"),
        deployment(
            "haproxy",
            "haproxy",
            "haproxytech/kubernetes-ingress:3.2",
            labels={"run": "haproxy-ingress"},
        ),
    ]
    p = plan(
        detect(
            _vendor_lb(
                hap + [ingress_class("haproxy", "haproxy.org/ingress-controller")],
                ingress("shop", "web", "web", 80, klass="haproxy"),
            )
        ),
        "standalone_mtls",
    )
    (ing,) = by_kind(p, "Ingress")
    assert ing["manifest"]["metadata"]["annotations"] == {
        "haproxy.org/set-host": "web.shop.svc.cluster.local"
    }
    assert any("Host-header rewrite" in w for w in p["warnings"])
    skipper = [
        namespace("skipper"),
        deployment(
            "skipper",
            "skipper-ingress",
            "registry.opensource.zalan.do/pathfinder/skipper:v0.11",
            labels={"application": "skipper-ingress"},
        ),
    ]
    rg = {
        "apiVersion": "zalando.org/v1",
        "kind": "RouteGroup",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "hosts": ["a"],
            "backends": [{"name": "b", "type": "service", "serviceName": "web", "servicePort": 80}],
        },
    }
    p = plan(detect(_vendor_lb(skipper, rg)), "standalone_mtls")
    assert p["refusals"][0]["code"] == "no-service-routing"


def test_standalone_mtls_nothing_left_when_converged():
    lb = nginx_lb(
        pod_labels={"sidecar.istio.io/inject": "true"}, pod_annotations=GOOD_SIDECAR_ANNOTATIONS
    )
    objs = (
        istio_base()
        + app()
        + lb
        + [
            ingress(
                "shop",
                "web",
                "web",
                80,
                annotations={"nginx.ingress.kubernetes.io/service-upstream": "true"},
            )
        ]
    )
    p = plan(detect(objs), "standalone_mtls", {"exclude_api_server": False})
    # Service routing keeps the client's Host: the mesh route for it is what is left.
    (vs,) = patches(p)
    assert vs["target"]["kind"] == "VirtualService" and vs["creates"]
    objs.append(vs["manifest"])
    p = plan(detect(objs), "standalone_mtls", {"exclude_api_server": False})
    assert p["phases"] == [] and p["summary"]["patches"] == 0


def _service_routed_nginx(*ingresses, extra=()):
    lb = nginx_lb(
        pod_labels={"sidecar.istio.io/inject": "true"}, pod_annotations=GOOD_SIDECAR_ANNOTATIONS
    )
    return (
        istio_base()
        + app()
        + app(name="api", port=9090, svc_port=81)
        + lb
        + list(ingresses)
        + list(extra)
    )


def _multi_ingress(name, host, backends, annotations=None):
    paths = [
        {
            "path": path,
            "pathType": "Prefix",
            "backend": {"service": {"name": svc, "port": {"number": port}}},
        }
        for path, svc, port in backends
    ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": "shop", "annotations": annotations or {}},
        "spec": {"ingressClassName": "nginx", "rules": [{"host": host, "http": {"paths": paths}}]},
    }


def test_standalone_mtls_routes_the_client_host_in_the_mesh_for_multi_service_ingresses():
    """One Ingress, two Services on different ports: upstream-vhost cannot name both, so the
    plan adds one mesh route for the host, one http route per Service port, seen only by the
    LB's namespace (the oracle's
    test_a_mesh_route_in_the_load_balancer_namespace_keeps_the_client_host_and_gets_mtls)."""
    ing = _multi_ingress("shop", "shop.example.com", [("/", "web", 80), ("/api", "api", 81)])
    p = plan(detect(_service_routed_nginx(ing)), "standalone_mtls")
    # (The LB already has its sidecar: no sidecar phase.)
    assert [ph["name"] for ph in p["phases"]] == ["service-routing", "mesh-routes"]
    (vs,) = by_kind(p, "VirtualService")
    assert vs["target"] == {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "name": "meshgate-shop.example.com",
        "namespace": "ingress-nginx",
    }
    assert vs["manifest"]["spec"] == {
        "hosts": ["shop.example.com"],
        "gateways": ["mesh"],
        "exportTo": ["."],
        "http": [
            {
                "name": "port-80",
                "match": [{"port": 80}],
                "route": [
                    {"destination": {"host": "web.shop.svc.cluster.local", "port": {"number": 80}}}
                ],
            },
            {
                "name": "port-81",
                "match": [{"port": 81}],
                "route": [
                    {"destination": {"host": "api.shop.svc.cluster.local", "port": {"number": 81}}}
                ],
            },
        ],
    }
    assert vs["creates"] and vs["undo"]["action"] == "delete"
    assert vs["manifest"]["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "meshgate"}


def test_standalone_mtls_single_service_ingress_gets_the_host_rewrite_not_a_mesh_route():
    p = plan(detect(_service_routed_nginx(ingress("shop", "web", "web", 80))), "standalone_mtls")
    assert not by_kind(p, "VirtualService")
    (ing,) = by_kind(p, "Ingress")
    anns = ing["manifest"]["metadata"]["annotations"]
    assert anns["nginx.ingress.kubernetes.io/upstream-vhost"] == "web.shop.svc.cluster.local"


def test_standalone_mtls_two_services_on_one_host_and_port_are_reported_not_guessed():
    ing = _multi_ingress("shop", "shop.example.com", [("/", "web", 80), ("/x", "other", 80)])
    objs = _service_routed_nginx(ing) + app(name="other")[1:]
    p = plan(detect(objs), "standalone_mtls")
    assert not by_kind(p, "VirtualService")
    (w,) = [w for w in p["warnings"] if "cannot tell them apart" in w]
    assert "other.shop.svc.cluster.local, web.shop.svc.cluster.local" in w


def test_standalone_mtls_leaves_hosts_a_users_mesh_route_covers_and_warns_for_hostless_routes():
    user_vs = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "shop", "namespace": "shop"},
        "spec": {
            "hosts": ["shop.example.com"],
            "http": [{"route": [{"destination": {"host": "web"}}]}],
        },
    }
    ing = _multi_ingress("shop", "shop.example.com", [("/", "web", 80), ("/api", "api", 81)])
    p = plan(detect(_service_routed_nginx(ing, extra=[user_vs])), "standalone_mtls")
    assert not by_kind(p, "VirtualService")
    hostless = _multi_ingress("any", None, [("/", "web", 80), ("/api", "api", 81)])
    p = plan(detect(_service_routed_nginx(hostless)), "standalone_mtls")
    assert not by_kind(p, "VirtualService")
    assert any("names no host" in w and "MG0020" in w for w in p["warnings"])


def test_applying_the_plan_converges():
    """Merge every manifest into the objects (what server-side apply does to these maps):
    planning again gives an empty plan."""
    objs = shop_with_nginx()
    p = plan(detect(objs), "standalone_mtls", {"exclude_api_server": False})
    index = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in objs}
    for pt in patches(p):
        t = pt["target"]
        key = (t["kind"], t.get("namespace"), t["name"])
        if key not in index:
            objs.append(index.setdefault(key, copy.deepcopy(pt["manifest"])))
        _merge(index[key], pt["manifest"])
    again = plan(detect(objs), "standalone_mtls", {"exclude_api_server": False})
    assert again["summary"]["patches"] == 0, again["phases"]


def _merge(dst, src):
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            _merge(dst[k], v)
        elif isinstance(v, dict):
            dst[k] = copy.deepcopy(v)
        else:
            dst[k] = v


def test_gitops_owner_gets_helm_values_and_kustomize_patch():
    objs = shop_with_nginx()
    dep = [
        o
        for o in objs
        if o["kind"] == "Deployment" and o["metadata"]["name"] == "ingress-nginx-controller"
    ][0]
    dep["metadata"]["labels"] = {"app.kubernetes.io/managed-by": "Helm"}
    dep["metadata"]["annotations"]["meta.helm.sh/release-name"] = "ingress-nginx"
    p = plan(detect(objs), "standalone_mtls")
    (g,) = p["gitops"]
    assert (g["owner"]["tool"], g["owner"]["release"]) == ("helm", "ingress-nginx")
    assert "annotation meta.helm.sh/release-name=ingress-nginx" in g["owner"]["evidence"]
    values = g["helm_values"]["controller"]
    assert values["podLabels"] == {"sidecar.istio.io/inject": "true"}
    assert values["podAnnotations"]["traffic.sidecar.istio.io/includeInboundPorts"] == ""
    assert g["kustomize_patch"]["kind"] == "Deployment"
    assert any("survives `helm upgrade`" in w for w in p["warnings"])
    assert by_kind(p, "Deployment")[0]["owner"]["tool"] == "helm"


def test_deterministic_byte_identical():
    objs = shop_with_nginx() + gateway_objects()
    a = json.dumps(plan(detect(objs), "chained"), sort_keys=True)
    shuffled = list(objs)
    random.Random(7).shuffle(shuffled)
    b = json.dumps(plan(detect(shuffled), "chained"), sort_keys=True)
    assert a == b
    files_a = plan_files(plan(detect(objs), "standalone_mtls"))
    files_b = plan_files(plan(detect(shuffled), "standalone_mtls"))
    assert files_a == files_b
    assert files_a[0][0] == "plan.json" and files_a[1][0].startswith("manifests/p001-")


# ------------------------------------------------------------------ chained (C)


def _f5_nginx(image, args=()):
    labels = {"app.kubernetes.io/name": "nginx-ingress"}
    return [
        namespace("nginx-ingress"),
        ingress_class("nginx-f5", "nginx.org/ingress-controller"),
        deployment(
            "nginx-ingress",
            "nginx-ingress",
            image,
            labels=labels,
            args=["-ingress-class=nginx-f5", *args],
        ),
    ]


@pytest.mark.parametrize(
    "image, args, bridged",
    [
        # F5 NGINX open source cannot follow an ExternalName Service (nginx/kubernetes-ingress
        # examples/ingress-resources/externalname-services): no bridge, a refusal instead.
        ("nginx/nginx-ingress:5.0.0", (), False),
        # NGINX Plus (its image, or the -nginx-plus arg) can, with a resolver.
        ("private-registry.example.com/nginx-ic/nginx-plus-ingress:5.0.0", (), True),
        ("nginx/nginx-ingress:5.0.0", ("-nginx-plus",), True),
    ],
)
def test_chained_bridges_f5_nginx_across_namespaces_only_for_nginx_plus(image, args, bridged):
    objs = (
        istio_base()
        + app()
        + _f5_nginx(image, args)
        + gateway_objects()
        + [ingress("shop", "web", "web", 80, klass="nginx-f5")]
    )
    p = plan(detect(objs), "chained")
    externalname = [
        s for s in by_kind(p, "Service") if s["manifest"]["spec"].get("type") == "ExternalName"
    ]
    codes = [r["code"] for r in p["refusals"]]
    assert bool(externalname) == bridged
    assert ("no-externalname-bridge" in codes) == (not bridged)
    if not bridged:
        (refusal,) = [r for r in p["refusals"] if r["code"] == "no-externalname-bridge"]
        assert "Ingress shop/web" in refusal["reason"] or "shop/web" in refusal["reason"]
        assert "NGINX Plus" in refusal["suggestion"]
        assert by_kind(p, "Ingress") == []  # nothing re-pointed at a Service that cannot work


def test_chained_repoints_ingress_through_an_externalname_bridge():
    p = plan(detect(shop_with_nginx() + gateway_objects()), "chained")
    assert [ph["name"] for ph in p["phases"]] == ["gateway", "repoint"]
    (gw,) = by_kind(p, "Gateway")
    assert gw["manifest"]["spec"]["selector"] == {"istio": "ingressgateway"}
    assert gw["manifest"]["spec"]["servers"][0]["hosts"] == ["web.example.com"]
    (vs,) = by_kind(p, "VirtualService")
    assert vs["manifest"]["spec"]["http"][0]["route"][0]["destination"] == {
        "host": "web.shop.svc.cluster.local",
        "port": {"number": 80},
    }
    (bridge,) = by_kind(p, "Service")
    assert bridge["manifest"]["spec"] == {
        "type": "ExternalName",
        "externalName": "istio-ingressgateway.istio-system.svc.cluster.local",
        "ports": [{"name": "http", "port": 80}],
    }
    (ing,) = by_kind(p, "Ingress")
    path = ing["manifest"]["spec"]["rules"][0]["http"]["paths"][0]
    assert path["backend"] == {
        "service": {"name": "meshgate-istio-gateway", "port": {"number": 80}}
    }
    assert (
        ing["undo"]["restore"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"]
        == "web"
    )
    (dep,) = by_kind(p, "Deployment")
    assert json.loads(
        dep["manifest"]["spec"]["template"]["metadata"]["annotations"]["proxy.istio.io/config"]
    ) == {"gatewayTopology": {"numTrustedProxies": 1}}
    assert p["phases"][0]["wait"][0]["targets"] == ["Deployment/istio-system/istio-ingressgateway"]


def test_chained_gateway_choice():
    with pytest.raises(PlanError, match="no Istio ingress gateway"):
        plan(detect(shop_with_nginx()), "chained")
    two = shop_with_nginx() + gateway_objects()
    extra = service(
        "gw2",
        "istio-ingressgateway",
        {"istio": "ingressgateway"},
        ports=((15021, 15021), (80, 8080)),
    )
    with pytest.raises(PlanError, match="several Istio ingress gateways"):
        plan(detect(two + [extra]), "chained")
    p = plan(detect(two + [extra]), "chained", {"gateway": "istio-system/istio-ingressgateway"})
    assert p["summary"]["patches"] > 0
    with pytest.raises(PlanError, match="gateway 'nope/x'"):
        plan(detect(two), "chained", {"gateway": "nope/x"})


def test_chained_gateway_api_variant_leaves_regex_paths_out_with_a_warning():
    # Found live (applier test over the migrate cases): a use-regex path became a PathPrefix
    # value the Gateway API's validation refuses, and the whole apply was rejected.
    ing = ingress(
        "shop", "web", "web", 80, annotations={"nginx.ingress.kubernetes.io/use-regex": "true"}
    )
    paths = ing["spec"]["rules"][0]["http"]["paths"]
    paths.append(dict(paths[0], path="/user/[0-9]+", pathType="ImplementationSpecific"))
    objs = istio_base("STRICT") + app() + nginx_lb() + [ing] + gateway_objects()
    p = plan(detect(objs), "chained", {"route_api": "gateway-api"})
    (route,) = by_kind(p, "HTTPRoute")
    assert [r["matches"] for r in route["manifest"]["spec"]["rules"]] == [
        [{"path": {"type": "PathPrefix", "value": "/"}}]
    ]
    assert any("'/user/[0-9]+' is not a plain path" in w for w in p["warnings"]), p["warnings"]


def test_chained_gateway_api_variant_creates_an_istio_class_gateway():
    p = plan(detect(shop_with_nginx() + gateway_objects()), "chained", {"route_api": "gateway-api"})
    gateway_phase = p["phases"][0]
    first = gateway_phase["patches"][0]
    assert (first["target"]["kind"], first["target"]["name"]) == ("Gateway", "meshgate-chained")
    spec = first["manifest"]["spec"]
    assert spec["gatewayClassName"] == "istio"
    assert first["manifest"]["metadata"]["annotations"] == {
        "networking.istio.io/service-type": "ClusterIP"
    }
    trust = json.loads(spec["infrastructure"]["annotations"]["proxy.istio.io/config"])
    assert trust == {"gatewayTopology": {"numTrustedProxies": 1}}
    assert gateway_phase["wait"][0]["targets"] == ["Deployment/istio-system/meshgate-chained-istio"]
    (route,) = by_kind(p, "HTTPRoute")
    assert route["manifest"]["spec"]["parentRefs"] == [
        {"name": "meshgate-chained", "namespace": "istio-system"}
    ]
    assert route["manifest"]["spec"]["rules"][0]["backendRefs"] == [{"name": "web", "port": 80}]
    (bridge,) = by_kind(p, "Service")
    assert (
        bridge["manifest"]["spec"]["externalName"]
        == "meshgate-chained-istio.istio-system.svc.cluster.local"
    )
    assert by_kind(p, "VirtualService") == []


# ------------------------------------------------------------------ gclb_chained (C, GKE)


def test_gclb_chained_new_ingress_and_backendconfig():
    opts = {
        "backend_protocol": "HTTPS",
        "managed_certificate_domains": ["shop.example.com"],
        "https_redirect": True,
        "static_ip_name": "shop-ip",
    }
    p = plan(detect(istio_base() + gateway_objects()), "gclb_chained", opts)
    (bc,) = by_kind(p, "BackendConfig")
    assert bc["manifest"]["spec"]["healthCheck"] == {
        "type": "HTTP",
        "port": 15021,
        "requestPath": "/healthz/ready",
    }
    (svc,) = by_kind(p, "Service")
    anns = svc["manifest"]["metadata"]["annotations"]
    assert anns["cloud.google.com/neg"] == '{"ingress": true}'
    assert json.loads(anns["cloud.google.com/backend-config"]) == {
        "default": "meshgate-istio-gateway"
    }
    assert json.loads(anns["cloud.google.com/app-protocols"]) == {"https": "HTTPS"}
    (ing,) = by_kind(p, "Ingress")
    ia = ing["manifest"]["metadata"]["annotations"]
    assert ia["kubernetes.io/ingress.class"] == "gce"
    assert ia["networking.gke.io/managed-certificates"] == "meshgate-gclb"
    assert ia["networking.gke.io/v1beta1.FrontendConfig"] == "meshgate-gclb"
    assert ing["manifest"]["spec"]["defaultBackend"]["service"] == {
        "name": "istio-ingressgateway",
        "port": {"number": 443},
    }
    assert by_kind(p, "FrontendConfig")[0]["manifest"]["spec"] == {
        "redirectToHttps": {"enabled": True}
    }
    assert by_kind(p, "ManagedCertificate")[0]["manifest"]["spec"] == {
        "domains": ["shop.example.com"]
    }


@pytest.mark.parametrize(
    "options, hops",
    [
        # Google's L7 LB appends "<client IP>, <load balancer IP>": the client is 2nd from right.
        ({}, 2),
        ({"gke_gateway_class": "gke-l7-global-external-managed"}, 2),
        ({"num_trusted_proxies": 0}, 0),  # the option wins, 0 included
        ({"num_trusted_proxies": 3}, 3),
    ],
)
def test_gclb_chained_trusts_the_two_entries_googles_lb_adds(options, hops):
    p = plan(detect(istio_base() + gateway_objects()), "gclb_chained", options)
    deployments = [
        pt
        for pt in by_kind(p, "Deployment")
        if "proxy.istio.io/config"
        in ((pt["manifest"]["spec"]["template"]["metadata"].get("annotations")) or {})
    ]
    (gw,) = deployments
    config = gw["manifest"]["spec"]["template"]["metadata"]["annotations"]["proxy.istio.io/config"]
    assert json.loads(config) == {"gatewayTopology": {"numTrustedProxies": hops}}


def test_gclb_chained_gke_gateway_variant():
    p = plan(
        detect(istio_base() + gateway_objects()),
        "gclb_chained",
        {"gke_gateway_class": "gke-l7-global-external-managed"},
    )
    (hcp,) = by_kind(p, "HealthCheckPolicy")
    assert hcp["manifest"]["spec"]["default"]["config"]["httpHealthCheck"] == {
        "port": 15021,
        "requestPath": "/healthz/ready",
    }
    assert hcp["manifest"]["spec"]["targetRef"]["name"] == "istio-ingressgateway"
    assert (
        by_kind(p, "Gateway")[0]["manifest"]["spec"]["gatewayClassName"]
        == "gke-l7-global-external-managed"
    )
    with pytest.raises(PlanError, match="gke-l7-"):
        plan(
            detect(istio_base() + gateway_objects()), "gclb_chained", {"gke_gateway_class": "istio"}
        )


@pytest.mark.parametrize(
    "ingress_class, annotation, other",
    [
        ("gce", "kubernetes.io/ingress.global-static-ip-name", "regional"),
        # An internal LB's address is regional (kubernetes/ingress-gce l7.go).
        ("gce-internal", "kubernetes.io/ingress.regional-static-ip-name", "global"),
    ],
)
def test_gclb_chained_static_ip_annotation_follows_the_ingress_class(
    ingress_class, annotation, other
):
    opts = {"ingress_class": ingress_class, "static_ip_name": "shop-ip"}
    p = plan(detect(istio_base() + gateway_objects()), "gclb_chained", opts)
    (ing,) = by_kind(p, "Ingress")
    anns = ing["manifest"]["metadata"]["annotations"]
    assert anns[annotation] == "shop-ip"
    assert "kubernetes.io/ingress.%s-static-ip-name" % other not in anns


def test_gclb_chained_refuses_a_managed_certificate_on_an_internal_ingress():
    """Google-managed certificates serve external load balancers only."""
    opts = {"ingress_class": "gce-internal", "managed_certificate_domains": ["shop.example.com"]}
    with pytest.raises(PlanError, match="external load balancers only.*gce-internal"):
        plan(detect(istio_base() + gateway_objects()), "gclb_chained", opts)
    opts["ingress_class"] = "gce"
    assert by_kind(
        plan(detect(istio_base() + gateway_objects()), "gclb_chained", opts), "ManagedCertificate"
    )


@pytest.mark.parametrize(
    "klass, backend",
    [
        ("gke-l7-global-external-managed", {"group": "", "kind": "Service"}),
        # Multi-cluster classes name the fleet's ServiceImport (GKE "Configure Gateway resources").
        ("gke-l7-global-external-managed-mc", {"group": "net.gke.io", "kind": "ServiceImport"}),
    ],
)
def test_gclb_chained_gke_gateway_targets_a_service_import_for_mc_classes(klass, backend):
    p = plan(detect(istio_base() + gateway_objects()), "gclb_chained", {"gke_gateway_class": klass})
    (hcp,) = by_kind(p, "HealthCheckPolicy")
    assert hcp["manifest"]["spec"]["targetRef"] == dict(backend, name="istio-ingressgateway")
    (route,) = by_kind(p, "HTTPRoute")
    (ref,) = route["manifest"]["spec"]["rules"][0]["backendRefs"]
    assert (ref.get("group", ""), ref.get("kind", "Service")) == (backend["group"], backend["kind"])
    assert any("ServiceExport" in w for w in p["warnings"]) == (backend["kind"] == "ServiceImport")


def test_kinds_the_cluster_does_not_serve_are_one_error_up_front():
    """Live facts carry discovery (cluster_facts.apis): a plan needing an unserved kind is
    refused naming every such kind and where its CRD comes from; offline (apis null) it is not."""
    facts = detect(istio_base() + gateway_objects())
    options = {"gke_gateway_class": "gke-l7-global-external-managed"}
    needed = {
        "%s/%s" % (pt["manifest"]["apiVersion"].rpartition("/")[0], pt["manifest"]["kind"])
        for pt in patches(plan(facts, "gclb_chained", options))
    }
    assert "networking.gke.io/HealthCheckPolicy" in needed
    facts["cluster_facts"]["apis"] = dict.fromkeys(needed, "v1")
    assert plan(facts, "gclb_chained", options)["phases"]  # everything served: plans
    del facts["cluster_facts"]["apis"]["networking.gke.io/HealthCheckPolicy"]
    del facts["cluster_facts"]["apis"]["gateway.networking.k8s.io/Gateway"]
    with pytest.raises(PlanError) as exc:
        plan(facts, "gclb_chained", options)
    msg = str(exc.value)
    assert "Gateway (gateway.networking.k8s.io), HealthCheckPolicy (networking.gke.io)" in msg
    assert "the Gateway API CRDs" in msg and "only on GKE" in msg


# ------------------------------------------------------------------ ambient (D)


def _ztunnel():
    return deployment(
        "istio-system",
        "ztunnel",
        "docker.io/istio/ztunnel:1.30.3",
        labels={"app": "ztunnel"},
        kind="DaemonSet",
    )


def test_ambient_enrols_pods_and_refuses_without_ztunnel():
    with pytest.raises(PlanError, match="ztunnel"):
        plan(detect(shop_with_nginx()), "ambient")
    zt = _ztunnel()
    p = plan(detect(shop_with_nginx() + [zt]), "ambient")
    (dep,) = by_kind(p, "Deployment")
    meta = dep["manifest"]["spec"]["template"]["metadata"]
    assert meta == {
        "labels": {"istio.io/dataplane-mode": "ambient"},
        "annotations": {"ambient.istio.io/bypass-inbound-capture": "true"},
    }


def test_ambient_sends_routes_to_waypoint_bound_services_through_the_service():
    """ztunnel does not hand pod-addressed traffic to a Service's waypoint: the routes to
    waypoint-bound backends get the vendor's Service routing (and only those)."""
    zt = _ztunnel()
    objs = shop_with_nginx() + [zt]
    assert not by_kind(plan(detect(objs), "ambient"), "Ingress")
    for o in objs:
        if o["kind"] == "Namespace" and o["metadata"]["name"] == "shop":
            o["metadata"].setdefault("labels", {})["istio.io/use-waypoint"] = "waypoint"
    p = plan(detect(objs), "ambient")
    assert [ph["name"] for ph in p["phases"]] == ["service-routing", "enroll"]
    (ing,) = by_kind(p, "Ingress")
    anns = ing["manifest"]["metadata"]["annotations"]
    assert anns == {"nginx.ingress.kubernetes.io/service-upstream": "true"}  # Host kept
    assert not by_kind(p, "VirtualService")  # ztunnel's mTLS does not depend on the Host
    assert not any("ingress-use-waypoint" in w for w in p["warnings"])


def test_undo_is_the_reverse_of_apply_order():
    p = plan(detect(shop_with_nginx() + gateway_objects()), "chained")
    ids = [pt["id"] for pt in patches(p)]
    assert [u["patch"] for u in p["undo"]] == list(reversed(ids))


def test_nginx_image_constant_is_real():
    # Guards the builders against drifting from the catalog.
    assert detect(nginx_lb())["load_balancers"][0]["vendor"] == "ingress-nginx"
    assert "ingress-nginx/controller" in NGINX_IMAGE


# ------------------------------------------------------------------ review regressions


def test_standalone_one_policy_per_workload_selector_and_workload_policies_are_not_shadowed():
    objs = shop_with_nginx() + [service("shop", "web-alt", {"app": "web"}, ports=((81, 8081),))]
    objs.append(ingress("shop", "alt", "web-alt", 81))
    p = plan(detect(objs), "standalone")
    (pa,) = by_kind(p, "PeerAuthentication")  # both Services select the same pods
    assert pa["manifest"]["spec"]["portLevelMtls"] == {
        "8080": {"mode": "PERMISSIVE"},
        "8081": {"mode": "PERMISSIVE"},
    }
    strict_wl = {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": "web-strict", "namespace": "shop"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "mtls": {"mode": "STRICT"}},
    }
    p = plan(detect(shop_with_nginx() + [strict_wl]), "standalone")
    assert by_kind(p, "PeerAuthentication") == []
    assert any("web-strict" in w and "would be ignored" in w for w in p["warnings"])


def test_injection_precedence_follows_the_webhooks():
    # The deprecated annotation cannot turn injection on; the namespace revision beats the pod's.
    lb = nginx_lb(pod_annotations={"sidecar.istio.io/inject": "true"})
    assert detect(istio_base() + lb)["load_balancers"][0]["sidecar"]["injection"] == "none"
    objs = istio_base() + nginx_lb(
        ns_labels={"istio.io/rev": "default"}, pod_labels={"istio.io/rev": "stable"}
    )
    assert detect(objs)["load_balancers"][0]["sidecar"]["revision"] == "default"
    # An explicit opt-out on the template is overridden by the plan.
    p = plan(
        detect(shop_with_nginx(pod_labels={"sidecar.istio.io/inject": "false"})), "standalone_mtls"
    )
    (dep,) = by_kind(p, "Deployment")
    assert (
        dep["manifest"]["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"]
        == "true"
    )


def test_chained_gateway_listens_on_the_port_the_lb_is_pointed_at():
    gw, svc = gateway_objects()
    svc["spec"]["ports"][1]["port"] = 8080
    p = plan(detect(shop_with_nginx() + [gw, svc]), "chained")
    (g,) = by_kind(p, "Gateway")
    assert g["manifest"]["spec"]["servers"][0]["port"]["number"] == 8080
    (ing,) = by_kind(p, "Ingress")
    backend = ing["manifest"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend["service"]["port"] == {"number": 8080}


def test_chained_leaves_ingresses_with_resource_backends_alone():
    odd = ingress("shop", "odd", "web", 80)
    odd["spec"]["rules"][0]["http"]["paths"][0]["backend"] = {
        "resource": {"apiGroup": "k8s.example.com", "kind": "Bucket", "name": "b"}
    }
    p = plan(detect(shop_with_nginx() + gateway_objects() + [odd]), "chained")
    assert [pt["target"]["name"] for pt in by_kind(p, "Ingress")] == ["web"]
    assert any("resource backend" in w for w in p["warnings"])


def test_odd_free_text_annotations_do_not_crash_detection():
    gw, svc = gateway_objects()
    gw["spec"]["template"]["metadata"]["annotations"][
        "proxy.istio.io/config"
    ] = "gatewayTopology: 3"
    mesh = "defaultConfig: [1, 2]\n"
    result = detect(istio_base(mesh_config=mesh) + [gw, svc])
    assert result["istio"]["gateways"][0]["num_trusted_proxies"] is None


def test_results_never_carry_free_text_annotations():
    secret = ingress(
        "shop",
        "web",
        "web",
        80,
        annotations={
            "nginx.ingress.kubernetes.io/configuration-snippet": "proxy_set_header Authorization 'Basic dXNlcjpwYXNz';",
            "nginx.ingress.kubernetes.io/auth-url": "https://user:s3cret@auth.example.com",
            "nginx.ingress.kubernetes.io/service-upstream": "true",
        },
    )
    result = detect(istio_base() + app() + nginx_lb() + [secret])
    dumped = json.dumps(result)
    assert "dXNlcjpwYXNz" not in dumped and "s3cret" not in dumped
    (route,) = [r for r in result["routes"] if r["name"] == "web"]
    assert route["annotations"] == {"nginx.ingress.kubernetes.io/service-upstream": "true"}


def test_chained_tls_to_the_gateway():
    p = plan(
        detect(shop_with_nginx() + gateway_objects()),
        "chained",
        {"gateway_credential_name": "gw-cert"},
    )
    (g,) = by_kind(p, "Gateway")
    (server,) = g["manifest"]["spec"]["servers"]
    assert server["port"] == {"number": 443, "name": "https", "protocol": "HTTPS"}
    assert server["tls"] == {"mode": "SIMPLE", "credentialName": "gw-cert"}
    (ing,) = by_kind(p, "Ingress")
    assert ing["manifest"]["metadata"]["annotations"] == {
        "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS"
    }
    assert ing["manifest"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"][
        "port"
    ] == {"number": 443}
    # Vendors without a known upstream-TLS switch are refused, not half done.
    kong = [
        namespace("kong"),
        ingress_class("kong", "ingress-controllers.konghq.com/kong"),
        deployment("kong", "proxy-kong", "kong:3.4", labels={"app": "proxy-kong"}),
    ]
    objs = (
        istio_base()
        + app()
        + kong
        + gateway_objects()
        + [ingress("shop", "web", "web", 80, klass="kong")]
    )
    p = plan(detect(objs), "chained", {"gateway_credential_name": "gw-cert"})
    assert p["refusals"][0]["code"] == "no-backend-tls" and by_kind(p, "Ingress") == []


@pytest.mark.parametrize("opts", [{}, {"route_api": "gateway-api"}])
def test_chained_converges(opts):
    """Create what the plan creates, merge what it patches: planning again gives nothing."""
    objs = shop_with_nginx() + gateway_objects()
    p = plan(detect(objs), "chained", opts)
    index = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in objs}
    for pt in patches(p):
        t = pt["target"]
        key = (t["kind"], t.get("namespace"), t["name"])
        if pt["creates"]:
            objs.append(copy.deepcopy(pt["manifest"]))
        elif t["kind"] == "Ingress":
            # spec.rules is atomic (replaced whole); the rest of spec stays
            index[key]["spec"].update(copy.deepcopy(pt["manifest"]["spec"]))
        else:
            _merge(index[key], pt["manifest"])
    again = plan(detect(objs), "chained", opts)
    assert again["summary"]["patches"] == 0, [pt["target"] for pt in patches(again)]
    nginx = [lb for lb in detect(objs)["load_balancers"] if lb["vendor"] == "ingress-nginx"][0]
    assert nginx["mode"] == "chained"


def test_load_balancers_in_a_terminating_namespace_are_refused():
    objs = shop_with_nginx()
    ns = [o for o in objs if o["kind"] == "Namespace" and o["metadata"]["name"] == "ingress-nginx"][
        0
    ]
    ns["status"] = {"phase": "Terminating"}
    p = plan(detect(objs), "standalone_mtls")
    assert patches(p) == []
    assert p["refusals"][0]["code"] == "namespace-terminating"


@pytest.mark.parametrize("mode", ["standalone", "standalone_mtls"])
def test_routes_in_a_terminating_namespace_are_left_out_with_a_warning(mode):
    # Found live: a plan created a VirtualService in a namespace a test was deleting, and the
    # API server refused the whole apply ("being terminated").
    objs = shop_with_nginx()
    facts = detect(objs)
    (lb,) = [x for x in facts["load_balancers"] if x["vendor"] == "ingress-nginx"]
    route_ns = {r["namespace"] for r in facts["routes"] if r["id"] in lb["routes"]}
    assert route_ns and lb["namespace"] not in route_ns
    before = plan(
        facts, mode, {"gateway": "istio-ingress/istio-ingress"} if mode == "chained" else {}
    )
    assert any(pt["target"].get("namespace") in route_ns for pt in patches(before))
    for o in objs:
        if o["kind"] == "Namespace" and o["metadata"]["name"] in route_ns:
            o["status"] = {"phase": "Terminating"}
    facts = detect(objs)
    p = plan(facts, mode)
    assert not [pt for pt in patches(p) if pt["target"].get("namespace") in route_ns]
    assert any("routes left out, their namespace is being deleted" in w for w in p["warnings"])


def test_undo_restores_values_the_plan_replaced():
    # Global switch: the ConfigMap said "false" before.
    lb = nginx_lb(
        args=["/nginx-ingress-controller", "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller"]
    )
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx"},
        "data": {"service-upstream": "false"},
    }
    p = plan(
        detect(istio_base() + app() + lb + [cm, ingress("shop", "web", "web", 80)]),
        "standalone_mtls",
        {"global_switch": True},
    )
    (c,) = by_kind(p, "ConfigMap")
    assert c["undo"]["restore"] == {"data.service-upstream": "false"}
    # Ambient: the pod had opted out with dataplane-mode "none".
    zt = _ztunnel()
    objs = shop_with_nginx(pod_labels={"istio.io/dataplane-mode": "none"}) + [zt]
    (d,) = by_kind(plan(detect(objs), "ambient"), "Deployment")
    assert d["undo"]["restore"] == {"spec.template.metadata.labels.istio.io/dataplane-mode": "none"}


def test_builder_keeps_each_warning_once_in_first_seen_order_and_merges_patches_by_target():
    """Warnings and patches are looked up by content / target (a dict, not a scan of everything
    so far): the same warning twice is one, and a second patch of one object merges into the
    first wherever its phase is."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.builder import Builder

    b = Builder({}, "standalone_mtls", {})
    for text in ("b", "a", "b", "c", "a"):
        b.warn(text)
    assert b.warnings == ["b", "a", "c"]
    first, second = b.phase("one", "first"), b.phase("two", "second")
    target = {"apiVersion": "v1", "kind": "Service", "namespace": "n", "name": "s"}
    undo = {"action": "remove-fields", "fields": ["metadata.labels.a"]}
    p = b.patch(first, target, {"metadata": {"labels": {"a": "1"}}}, "r1", "", {}, dict(undo))
    other = dict(target, name="t")
    b.patch(second, other, {"metadata": {"labels": {"a": "1"}}}, "r2", "", {}, dict(undo))
    undo2 = {"action": "remove-fields", "fields": ["metadata.labels.b"]}
    again = b.patch(second, target, {"metadata": {"labels": {"b": "2"}}}, "r3", "", {}, undo2)
    assert again is p and p["manifest"] == {"metadata": {"labels": {"a": "1", "b": "2"}}}
    assert p["reason"] == "r1; r3"
    assert p["undo"]["fields"] == ["metadata.labels.a", "metadata.labels.b"]
    assert [len(ph["patches"]) for ph in b.phases] == [1, 1]


def test_gclb_chained_cites_googles_backendconfig_recipe():
    p = plan(detect(istio_base() + gateway_objects()), "gclb_chained", {})
    (bc,) = by_kind(p, "BackendConfig")
    assert bc["reference"].endswith(
        "gke-networking-recipes/tree/main/ingress/single-cluster/ingress-asm-multi-backendconfig"
    )
