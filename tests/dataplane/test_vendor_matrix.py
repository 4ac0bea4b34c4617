"""Every vendor's own chart output, every mode, every load balancer hop, judged by Istio's own
config generation (matrix.py): what each mode promises holds, or the plan says why not; and
docs/dataplane.md shows exactly these results.

The cluster's own parts (Pods, the injector, EndpointSlices) are simulated here
(simulated_cluster.py); tests/integration/test_istio_live.py measures the same on the real
API server with the real istiod.
"""

from __future__ import annotations

import pytest
from matrix import VENDORS, documented, markdown, matrix


@pytest.fixture(scope="module")
def rows(oracle_binary):
    return matrix(oracle_binary)


def _hops(rows, mode):
    return [r for r in rows if r["mode"] == mode and r["route"] != "-"]


def test_the_documented_matrix_is_what_the_oracle_says(rows):
    assert documented() == markdown(rows), "run: python tests/dataplane/matrix.py --write"


def test_every_vendor_is_in_the_matrix(rows):
    assert sorted({r["vendor"] for r in rows}) == sorted(VENDORS)


def test_before_any_plan_strict_backends_reject_every_load_balancer(rows):
    """No LB of any chart has a sidecar: its plain text is rejected by the STRICT backend, and
    lb_info's MG0001 says so (the finding the oracle reproduces)."""
    before = _hops(rows, "before")
    assert before
    for r in before:
        assert not r["ok"] and "rejected" in r["verdict"], r
        assert "MG0001" in r["explained"], r


def test_after_standalone_mtls_every_hop_is_mtls_or_the_plan_says_why_not(rows):
    """The plan's promise: each route leaves the LB's sidecar on the backend's cluster with
    Istio mTLS. Where it cannot (no switch for a route kind, a pod-port Host rewrite, a
    hostNetwork LB), the plan refuses the LB or names the route in a warning."""
    hops = _hops(rows, "standalone_mtls")
    assert hops
    broken = [r for r in hops if not r["ok"] and not r["explained"]]
    assert not broken, broken
    # And most of them do work: the vendors with a switch and a host reach mTLS on every route.
    assert sum(r["ok"] for r in hops) >= len(hops) // 2
    for vendor in (
        "ingress-nginx",
        "traefik",
        "kong",
        "nginx-inc",
        "haproxy-ingress",
        "emissary",
        "envoy-gateway",
    ):
        assert all(r["ok"] for r in hops if r["vendor"] == vendor), vendor


def test_after_standalone_the_backend_admits_the_load_balancers_plain_text(rows):
    for r in _hops(rows, "standalone"):
        assert r["ok"] and r["verdict"] == "plain text, accepted", r


@pytest.mark.parametrize("mode", ["chained", "chained (Gateway API)"])
def test_after_chained_the_gateway_reaches_each_backend_with_mtls_and_trusts_one_hop(rows, mode):
    """chained (Istio Gateway + VirtualService, or with route_api gateway-api an Istio-class
    Gateway API Gateway + HTTPRoute): the LB's Ingresses end at the Istio gateway; the
    gateway's route for the external Host reaches the backend with mTLS and trusts one
    X-Forwarded-For hop. Routes of other kinds are left to the user, and the plan names them."""
    hops = _hops(rows, mode)
    from_gateway = [r for r in hops if r["lb"].startswith("Gateway/")]
    assert from_gateway
    for r in from_gateway:
        assert r["verdict"] == "mTLS, trusts 1 X-Forwarded-For hop(s)", r
    for r in hops:
        assert r["ok"] or r["explained"].startswith("warned"), r


def test_after_ambient_waypoint_bound_backends_are_reached_through_their_service(rows):
    """Istio's simulator does not model ztunnel, so the oracle cannot judge these hops; what
    can be checked is the plan's part: the LB is enrolled, and its routes to a waypoint-bound
    backend dial the Service (ztunnel does not hand pod-addressed traffic to the waypoint),
    or the plan refuses the LB or names the route."""
    hops = _hops(rows, "ambient")
    assert hops
    for r in hops:
        assert r["ok"] or r["explained"], r
    assert all(r["ok"] for r in hops if r["vendor"] in ("ingress-nginx", "traefik", "kong"))
