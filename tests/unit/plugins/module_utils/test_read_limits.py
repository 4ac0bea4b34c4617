# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The options deadline and max_response_size (doc fragment read_limits) as resolved for the
client, and what a redirect's error may show of its Location (tests/integration/
test_hostile_server.py runs them against a misbehaving server)."""

from __future__ import annotations

import pytest

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.args import (
    READ_LIMITS_ARG_SPEC,
    resolve_auth_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.client import _location_host
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError


def test_defaults_no_deadline_without_the_option():
    # lb_apply has no deadline option: nothing may cut an apply between two writes.
    auth, _origin = resolve_auth_params({}, environ={})
    assert auth["deadline"] is None
    assert auth["max_response_size"] == READ_LIMITS_ARG_SPEC["max_response_size"]["default"] == 64


def test_given_values():
    auth, _origin = resolve_auth_params({"deadline": "30", "max_response_size": 8}, environ={})
    assert (auth["deadline"], auth["max_response_size"]) == (30, 8)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"deadline": 0}, "deadline must be a positive number of seconds, got 0"),
        ({"deadline": "soon"}, "deadline must be a number of seconds, got 'soon'"),
        ({"max_response_size": -1}, "max_response_size must be a positive number of MiB, got -1"),
    ],
)
def test_bad_values_are_named(params, message):
    with pytest.raises(K8sError) as err:
        resolve_auth_params(params, environ={})
    assert err.value.reason == "config"
    assert str(err.value) == message


@pytest.mark.parametrize(
    "location, shown",
    [
        ("https://evil.example.com:8443/api?token=abc", "https://evil.example.com:8443"),
        ("http://10.0.0.1/steal/Bearer-xyz", "http://10.0.0.1"),
        ("/apis", "a location on the same server"),
        (None, "an unnamed location"),
        ("http://[::1", "an unnamed location"),
    ],
)
def test_a_redirect_names_only_the_other_host(location, shown):
    assert _location_host(location) == shown


def test_an_error_answer_nested_too_deep_is_still_an_error_naming_the_server():
    # Crashed: RecursionError from json.loads while reading the answer's Status.
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import (
        error_from_response,
    )

    body = b"[" * 100_000 + b"]" * 100_000
    err = error_from_response(500, body, "GET", "/api", "https://10.0.0.1:6443")
    assert err.reason == "server"
    assert err.message.startswith(
        "the API server at https://10.0.0.1:6443 failed to read API discovery (GET /api): HTTP 500 "
    )
