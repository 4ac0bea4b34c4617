# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Chained mode for the cloud LBs in front of the Istio gateway (AWS ALB / NLB, Azure
Application Gateway / load balancer): the health check a plan writes, from the vendor data, is
the one detection (MG0006) then finds right; undo restores; numTrustedProxies follows the LB."""

from __future__ import annotations

import copy
import json

import pytest
from builders import ingress, istio_base, istio_gateway

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan

NLB_LBC = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
}
AZURE = {"service.beta.kubernetes.io/azure-load-balancer-internal": "false"}


def gateway(svc_type="LoadBalancer", annotations=None, status_name="status-port", node_port=None):
    """The istio/gateway chart's Service: status-port 15021, http2 80, https 443."""
    gw, svc = istio_gateway(
        ports=((15021, 15021), (80, 8080), (443, 8443)), annotations=annotations
    )
    svc["spec"]["type"] = svc_type
    for port, name in zip(svc["spec"]["ports"], (status_name, "http2", "https"), strict=True):
        port["name"] = name
    if node_port:
        svc["spec"]["ports"][0]["nodePort"] = node_port
    return [gw, svc]


def edge(klass, annotations=None):
    """An ALB / AGIC Ingress in istio-system sending to the gateway Service."""
    return ingress(
        "istio-system", "edge", "istio-ingressgateway", 80, klass=klass, annotations=annotations
    )


def mg0006(objs):
    return [f for f in detect(objs)["findings"] if f["code"] == "MG0006"]


def patches(p):
    return [pt for ph in p["phases"] for pt in ph["patches"]]


def annotations_of(p, kind):
    (pt,) = [pt for pt in patches(p) if pt["target"]["kind"] == kind]
    return pt["manifest"]["metadata"]["annotations"], pt


def trusted(p):
    deps = [pt for pt in patches(p) if pt["target"]["kind"] == "Deployment"]
    if not deps:
        return None
    config = deps[0]["manifest"]["spec"]["template"]["metadata"]["annotations"]
    return json.loads(config["proxy.istio.io/config"])["gatewayTopology"]["numTrustedProxies"]


def applied(objs, p):
    """objs with every patch's annotations merged in (what server-side apply does to them)."""
    objs = copy.deepcopy(objs)
    index = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in objs}
    for pt in patches(p):
        t = pt["target"]
        obj = index[(t["kind"], t.get("namespace"), t["name"])]
        anns = pt["manifest"]["metadata"].get("annotations") or {}
        obj["metadata"].setdefault("annotations", {}).update(anns)
    return objs


def assert_converges(objs, p):
    after = applied(objs, p)
    assert not mg0006(after)
    again = plan(detect(after), "chained")
    assert not [pt for pt in patches(again) if pt["target"]["kind"] in ("Ingress", "Service")]


INGRESS_CASES = [
    # A named port: LBC resolves it to the NodePort (instance, the default) or the pod port (ip).
    (
        "alb",
        "the chained_gateway plan sets them on each ALB Ingress",
        {
            "alb.ingress.kubernetes.io/healthcheck-port": "status-port",
            "alb.ingress.kubernetes.io/healthcheck-path": "/healthz/ready",
        },
        None,
    ),
    (
        "azure-application-gateway",
        "on each AGIC Ingress",
        {
            "appgw.ingress.kubernetes.io/health-probe-port": "15021",
            "appgw.ingress.kubernetes.io/health-probe-path": "/healthz/ready",
        },
        "IP:port",
    ),
]


@pytest.mark.parametrize("klass, fix, expected, warning", INGRESS_CASES)
def test_ingress_lbs_get_the_probe_annotations_and_one_trusted_hop(klass, fix, expected, warning):
    objs = istio_base() + gateway() + [edge(klass)]
    (f,) = mg0006(objs)
    assert fix in f["fix"]
    p = plan(detect(objs), "chained")
    anns, pt = annotations_of(p, "Ingress")
    assert anns == expected
    assert pt["undo"]["action"] == "remove-fields" and pt["undo"]["restore"] == {}
    assert trusted(p) == 1
    if warning:
        assert any(warning in w for w in p["warnings"])
    assert_converges(objs, p)


def test_alb_undo_restores_the_values_it_replaces():
    old = {
        "alb.ingress.kubernetes.io/healthcheck-path": "/",
        "alb.ingress.kubernetes.io/target-type": "ip",
    }
    objs = istio_base() + gateway() + [edge("alb", annotations=dict(old))]
    anns, pt = annotations_of(plan(detect(objs), "chained"), "Ingress")
    assert anns["alb.ingress.kubernetes.io/healthcheck-path"] == "/healthz/ready"
    assert pt["undo"]["restore"] == {
        "metadata.annotations.alb.ingress.kubernetes.io/healthcheck-path": "/"
    }


def test_alb_numeric_15021_is_wrong_with_instance_targets():
    """With instance targets a number is a node port: 15021 on the node is not the gateway."""
    numeric = {
        "alb.ingress.kubernetes.io/healthcheck-port": "15021",
        "alb.ingress.kubernetes.io/healthcheck-path": "/healthz/ready",
    }
    assert mg0006(istio_base() + gateway() + [edge("alb", annotations=dict(numeric))])
    ip = dict(numeric, **{"alb.ingress.kubernetes.io/target-type": "ip"})
    assert not mg0006(istio_base() + gateway() + [edge("alb", annotations=ip)])


def test_alb_service_annotations_win_over_the_ingress():
    """LBC: annotations on the Service have priority over the Ingress's."""
    good = {
        "alb.ingress.kubernetes.io/healthcheck-port": "status-port",
        "alb.ingress.kubernetes.io/healthcheck-path": "/healthz/ready",
    }
    bad_svc = {"alb.ingress.kubernetes.io/healthcheck-path": "/"}
    objs = istio_base() + gateway(annotations=bad_svc) + [edge("alb", annotations=good)]
    assert mg0006(objs)
    p = plan(detect(objs), "chained")
    assert any("override the Ingress" in w for w in p["warnings"])


def test_alb_clusterip_gateway_needs_ip_targets():
    objs = istio_base() + gateway(svc_type="ClusterIP") + [edge("alb")]
    p = plan(detect(objs), "chained")
    anns, _pt = annotations_of(p, "Ingress")
    assert anns["alb.ingress.kubernetes.io/target-type"] == "ip"
    assert any("ClusterIP" in w for w in p["warnings"])
    assert_converges(objs, p)


def test_alb_unnamed_status_port_with_instance_targets_needs_the_node_port():
    objs = istio_base() + gateway(status_name=None) + [edge("alb")]
    p = plan(detect(objs), "chained")
    (ref,) = p["refusals"]
    assert ref["code"] == "health-check-port-unknown" and "NodePort" in ref["reason"]
    live = istio_base() + gateway(status_name=None, node_port=31021) + [edge("alb")]
    anns, _pt = annotations_of(plan(detect(live), "chained"), "Ingress")
    assert anns["alb.ingress.kubernetes.io/healthcheck-port"] == "31021"


def test_nlb_ip_targets_probe_15021_over_http_and_trust_no_hop():
    objs = istio_base() + gateway(annotations=dict(NLB_LBC))
    (f,) = mg0006(objs)
    assert "on the gateway Service" in f["fix"]
    p = plan(detect(objs), "chained")
    anns, _pt = annotations_of(p, "Service")
    assert anns == {
        "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": "15021",
        "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "HTTP",
        "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": "/healthz/ready",
    }
    # L4: no X-Forwarded-For entry, so nothing to trust (Istio's default 0 is not written).
    assert trusted(p) is None
    assert any("proxy protocol" in w for w in p["warnings"])
    assert_converges(objs, p)


def test_nlb_instance_targets_probe_the_status_node_port():
    anns = dict(
        NLB_LBC, **{"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance"}
    )
    objs = istio_base() + gateway(annotations=anns, node_port=30021)
    written, _pt = annotations_of(plan(detect(objs), "chained"), "Service")
    assert written["service.beta.kubernetes.io/aws-load-balancer-healthcheck-port"] == "30021"
    assert not plan(detect(istio_base() + gateway(annotations=anns)), "chained")["phases"]


def test_nlb_of_the_in_tree_controller_is_refused_not_guessed():
    objs = istio_base() + gateway(
        annotations={"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}
    )
    assert mg0006(objs)
    p = plan(detect(objs), "chained")
    (ref,) = p["refusals"]
    assert ref["code"] == "health-check-not-planned"
    assert not patches(p)


def test_azure_lb_one_probe_per_service_port_but_the_status_port():
    objs = istio_base() + gateway(annotations=dict(AZURE))
    assert mg0006(objs)
    p = plan(detect(objs), "chained")
    anns, _pt = annotations_of(p, "Service")
    prefix = "service.beta.kubernetes.io/port_"
    assert anns == {
        prefix + "%d_health-probe_%s" % (port, key): value
        for port in (80, 443)
        for key, value in (
            ("port", "15021"),
            ("protocol", "http"),
            ("request-path", "/healthz/ready"),
        )
    }
    assert trusted(p) is None
    assert_converges(objs, p)


def test_azure_lb_global_request_path_is_read_when_the_port_key_is_absent():
    anns = dict(AZURE)
    anns["service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path"] = (
        "/healthz/ready"
    )
    for port in (80, 443):
        anns["service.beta.kubernetes.io/port_%d_health-probe_port" % port] = "status-port"
        anns["service.beta.kubernetes.io/port_%d_health-probe_protocol" % port] = "Http"
    assert not mg0006(istio_base() + gateway(annotations=anns))


@pytest.mark.parametrize("option, expected", [(None, 0), (2, 2)])
def test_mixed_hops_trust_the_fewest_unless_told(option, expected):
    objs = istio_base() + gateway(annotations=dict(NLB_LBC)) + [edge("alb")]
    p = plan(detect(objs), "chained", {"num_trusted_proxies": option})
    if option is None:
        assert trusted(p) is None  # 0: Istio's default, nothing written
        assert any("add 0 or 1 X-Forwarded-For" in w for w in p["warnings"])
    else:
        assert trusted(p) == expected


def mg0013(objs):
    return [f for f in detect(objs)["findings"] if f["code"] == "MG0013"]


def test_mg0013_asks_each_cloud_lb_for_the_hops_it_adds():
    """An L4 NLB adds no X-Forwarded-For entry: no numTrustedProxies to ask for; an ALB adds
    one."""
    assert mg0013(istio_base() + gateway(annotations=dict(NLB_LBC))) == []
    alb = istio_base() + gateway(svc_type="NodePort") + [edge("alb")]
    (f,) = mg0013(alb)
    assert f["args"]["n"] == 1 and '"numTrustedProxies": 1' in f["fix"]
