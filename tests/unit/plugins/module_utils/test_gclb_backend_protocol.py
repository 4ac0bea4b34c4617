# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""gclb_chained with an HTTPS or HTTP2 backend_protocol (issue 20, "Other corrections"): Google's
load balancer sends TLS to the gateway Service's 443, so the plan gives the Istio gateway an
HTTPS server there (tls SIMPLE with the certificate gateway_credential_name names), points the
GKE Ingress at 443 and names the protocol in cloud.google.com/app-protocols; with HTTP it stays
on 80 in plain text. The data path of the same plans is checked by Istio's own config
generation in tests/dataplane/test_gclb_path.py."""

from __future__ import annotations

import json

import pytest
from builders import app, ingress, istio_base  # noqa: E402 - test helper next to this file
from test_plan import by_kind, gateway_objects  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan

GATEWAY = "istio-system/istio-ingressgateway"


def _plan(protocol):
    gke_ingress = ingress(
        "shop", "shop", "web", 80, klass=None, annotations={"kubernetes.io/ingress.class": "gce"}
    )
    options = {"backend_protocol": protocol, "gateway": GATEWAY}
    if protocol != "HTTP":
        options["gateway_credential_name"] = "gclb-cert"
    return plan(
        detect(istio_base() + gateway_objects() + app() + [gke_ingress]), "gclb_chained", options
    )


@pytest.mark.parametrize("protocol", ["HTTPS", "HTTP2"])
def test_tls_backends_get_an_https_server_on_443_with_simple_tls(protocol):
    p = _plan(protocol)
    (gw,) = by_kind(p, "Gateway")
    (server,) = gw["manifest"]["spec"]["servers"]
    assert server["port"] == {"number": 443, "name": "https", "protocol": "HTTPS"}
    assert server["tls"] == {"mode": "SIMPLE", "credentialName": "gclb-cert"}
    (edge,) = by_kind(p, "Ingress")
    assert edge["manifest"]["spec"]["defaultBackend"]["service"]["port"] == {"number": 443}
    (svc,) = by_kind(p, "Service")
    anns = svc["manifest"]["metadata"]["annotations"]
    assert json.loads(anns["cloud.google.com/app-protocols"]) == {"https": protocol}


def test_an_http_backend_stays_in_plain_text_on_80():
    p = _plan("HTTP")
    (gw,) = by_kind(p, "Gateway")
    (server,) = gw["manifest"]["spec"]["servers"]
    assert server["port"]["number"] == 80 and "tls" not in server
    (edge,) = by_kind(p, "Ingress")
    assert edge["manifest"]["spec"]["defaultBackend"]["service"]["port"] == {"number": 80}
    (svc,) = by_kind(p, "Service")
    assert "cloud.google.com/app-protocols" not in svc["manifest"]["metadata"]["annotations"]
