# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Name validation (Kubernetes' own rules) and its use by the planner's option check."""

from __future__ import annotations

import pytest

from ansible_collections.meshgate.istio_lb.plugins.module_utils import names
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.options import validate_options
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan

EMPTY_FACTS = {"load_balancers": [], "routes": [], "istio": {}}


@pytest.mark.parametrize(
    "rule,good,bad",
    [
        ("label", ["a", "shop-1", "x" * 63], ["", "A", "-a", "a-", "a_b", "a.b", "x" * 64]),
        ("label_1035", ["shop-ip", "a1"], ["1shop", "Shop", "shop_ip", "shop ip"]),
        ("subdomain", ["a.b-c", "x" * 63 + ".y"], ["a..b", ".a", "A.b", "a_b", "x" * 254]),
        (
            "hostname",
            ["*.example.com", "shop.example.com"],
            ["*", "a.*.com", "Shop.com", "*example.com"],
        ),
        ("domain", ["shop.example.com"], ["*.example.com", "shop example.com"]),
        ("namespaced_name", ["istio-system/gw", "ns/a.b"], ["gw", "NS/gw", "ns/", "/gw", "ns/g w"]),
        (
            "workload_ref",
            ["ctrl", "ns/ctrl", "Deployment/ns/ctrl", "DaemonSet/ns/a.b"],
            ["ns/Ctrl", "deployment/ns/ctrl", "a/b/c/d", "ns/ctrl!", ""],
        ),
    ],
)
def test_rules_accept_and_reject(rule, good, bad):
    assert names.check_names("opt", good, rule) is None
    for value in bad:
        msg = names.check_names("opt", [value], rule)
        assert msg and msg.startswith("opt: %r is not valid" % value), (rule, value)
        assert names.RULES[rule] in msg


def test_message_names_every_bad_value_once():
    msg = names.check_names("namespaces", ["ok", "Bad", "also_bad"], "label")
    assert msg.startswith("namespaces: 'Bad', 'also_bad' are not valid")
    assert names.check_names("namespaces", None, "label") is None
    assert names.check_names("revision", "Canary", "label").startswith("revision: 'Canary' is")


def test_unknown_rule_is_a_programming_error():
    with pytest.raises(ValueError):
        names.check_names("x", ["a"], "no-such-rule")


def test_every_plan_name_option_uses_a_known_rule():
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.options import (
        DEFAULT_OPTIONS,
        OPTION_NAME_RULES,
    )

    for option, rule in OPTION_NAME_RULES:
        assert option in DEFAULT_OPTIONS and rule in names.RULES


@pytest.mark.parametrize(
    "options,expected",
    [
        ({"namespaces": ["Shop"]}, "namespaces: 'Shop' is not valid"),
        ({"revision": "1.30"}, "revision: '1.30' is not valid"),
        ({"gateway": "istio-system"}, "gateway: 'istio-system' is not valid"),
        ({"gateway_credential_name": "Gateway_Cert"}, "gateway_credential_name: 'Gateway_Cert'"),
        ({"hosts": ["shop.example.com", "bad host"]}, "hosts: 'bad host' is not valid"),
        ({"ingress_name": "Meshgate"}, "ingress_name: 'Meshgate'"),
        ({"ssl_policy": "Modern"}, "ssl_policy: 'Modern'"),
        ({"num_trusted_proxies": -1}, "num_trusted_proxies: must be a whole number >= 0"),
        ({"istio_api_version": "1"}, "istio_api_version: '1' is not a Kubernetes API version"),
        ({"route_api": "nginx"}, "route_api: must be istio or gateway-api"),
    ],
)
def test_plan_refuses_bad_option_values(options, expected):
    with pytest.raises(PlanError) as exc:
        plan(EMPTY_FACTS, "chained", options)
    assert expected in str(exc.value)


def test_all_bad_options_are_reported_together():
    with pytest.raises(PlanError) as exc:
        validate_options({"namespaces": ["A"], "static_ip_name": "1ip", "revision": "x_y"})
    text = str(exc.value)
    assert text.count("is not valid") == 3
    for option in ("namespaces: 'A'", "static_ip_name: '1ip'", "revision: 'x_y'"):
        assert option in text


def test_good_options_pass():
    validate_options(
        {
            "load_balancers": ["Deployment/ingress-nginx/ingress-nginx-controller"],
            "namespaces": ["ingress-nginx"],
            "hosts": ["*.shop.example.com"],
            "revision": "1-30-3",
            "gateway": "istio-system/istio-ingressgateway",
            "cluster_domain": "cluster.local",
            "static_ip_name": "shop-ip",
            "managed_certificate_domains": ["shop.example.com"],
            "num_trusted_proxies": 0,
            "istio_api_version": "v1beta1",
        }
    )
