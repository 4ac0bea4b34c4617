# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Plan variants the live tests share: over the fixtures plus the `scenario` extras (STRICT
mesh policy, injection on the apps' namespace, a simulated ztunnel) every one has work."""

GATEWAY = "istio-system/istio-ingressgateway"

MODE_VARIANTS = [
    ("standalone", {}),
    ("standalone_mtls", {}),
    ("standalone_mtls", {"global_switch": True}),
    ("chained", {"gateway": GATEWAY}),
    ("chained", {"route_api": "gateway-api"}),
    (
        "gclb_chained",
        {
            "gateway": GATEWAY,
            "managed_certificate_domains": ["shop.example.com"],
            "https_redirect": True,
        },
    ),
    ("gclb_chained", {"gateway": GATEWAY, "gke_gateway_class": "gke-l7-global-external-managed"}),
    ("ambient", {}),
]
