"""gclb_chained through Istio's own config generation: Google's L7 load balancer sends each
GKE Ingress route to the Istio gateway's pods (NEG), and the gateway must route it to the
backend with mTLS: with HTTP, and with an HTTPS or HTTP2 backend_protocol, where Google sends
TLS to the gateway's port 443 (the audit found the plan gave it only an HTTP server on 80).

The gateway is Istio's own chart (../shared/fixtures/helm/istio/gateway-istio-ingress.yaml);
the backend and the GKE Ingress are ours. Pods are simulated (simulated_cluster.py). The
health check on 15021 /healthz/ready is not generated configuration (it is a bootstrap
listener answered by the Istio agent): the plan's BackendConfig carries it, checked in
tests/unit and the live tests.
"""

from __future__ import annotations

import pytest
from matrix import ISTIO_FILES, _facts, shared_fixtures
from objects import ingress, peer_authentication
from oracle import run_objects
from resolve import index_objects, oracle_call
from simulated_cluster import merged_plan, simulated_cluster

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.data_path import (
    gateway_hops,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources

GATEWAY = "istio-ingress/istio-ingress"  # the Istio chart's gateway Deployment


def _ours():
    labels = {"app": "frontend"}
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "frontend", "namespace": "shop"},
            "spec": {
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "app", "image": "example/frontend:1"}]},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "frontend", "namespace": "shop"},
            "spec": {
                "selector": labels,
                "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
            },
        },
        ingress(
            "shop",
            "shop",
            "shop.example.com",
            "frontend",
            80,
            annotations={"kubernetes.io/ingress.class": "gce"},
        ),
        peer_authentication("istio-system", "default", "STRICT"),
    ]


def _objects():
    objs, _warnings = load_sources([str(shared_fixtures() / f) for f in ISTIO_FILES])
    return objs + _ours()


def _gateway_answers(objects, oracle_binary):
    cluster = simulated_cluster(objects)
    idx = index_objects(cluster)
    made = [oracle_call(idx, h) for h in gateway_hops(_facts(cluster))]
    assert made and all(call for call, _why in made), made
    calls = [call for call, _why in made]
    return calls, run_objects(cluster, calls, binary=oracle_binary)


@pytest.mark.parametrize("protocol", ["HTTP", "HTTPS", "HTTP2"])
def test_the_gateway_routes_what_google_sends_it_to_the_backend_with_mtls(protocol, oracle_binary):
    objects = _objects()
    opts = {"gateway": GATEWAY, "backend_protocol": protocol}
    if protocol != "HTTP":
        opts["gateway_credential_name"] = "edge2mesh-credential"
    the_plan = plan(_facts(simulated_cluster(objects)), "gclb_chained", opts)
    calls, answers = _gateway_answers(merged_plan(objects, the_plan), oracle_binary)
    (call,), (answer,) = calls, answers
    assert call["call"]["tls"] == ("plaintext" if protocol == "HTTP" else "tls")
    assert call["call"]["port"] == (80 if protocol == "HTTP" else 443)
    assert answer["cluster"] == "outbound|80||frontend.shop.svc.cluster.local", answer
    assert answer["reaches"] and answer["mtls"], answer
    # Google's LB appends "<client IP>, <load balancer IP>": Envoy must trust two hops.
    assert answer["xff_num_trusted_hops"] == 2


def test_tls_from_google_finds_no_server_on_an_http_only_gateway(oracle_binary):
    """What the plan gave HTTPS before the fix: the gateway's Istio Gateway has only its HTTP
    server on 80, but Google sends TLS to 443: no filter chain takes it."""
    objects = _objects()
    the_plan = plan(_facts(simulated_cluster(objects)), "gclb_chained", {"gateway": GATEWAY})
    calls = _gateway_answers(merged_plan(objects, the_plan), oracle_binary)[0]
    tls_to_443 = dict(calls[0], call=dict(calls[0]["call"], port=443, tls="tls"))
    (answer,) = run_objects(
        simulated_cluster(merged_plan(objects, the_plan)), [tls_to_443], binary=oracle_binary
    )
    assert not answer["reaches"] and answer["error"], answer


def test_an_https_backend_protocol_without_a_certificate_is_refused():
    with pytest.raises(PlanError, match="gateway_credential_name"):
        plan(
            _facts(simulated_cluster(_objects())),
            "gclb_chained",
            {"gateway": GATEWAY, "backend_protocol": "HTTPS"},
        )
