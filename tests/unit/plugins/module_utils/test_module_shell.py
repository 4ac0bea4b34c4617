# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""module_shell.py: the one place the core's errors become fail_json, and the shared opening.

The module object is a recorder of what the helper asks of it (fail_json, warn, no_log_values):
the helper's contract is exactly those calls, so no AnsibleModule is needed to check it."""

from __future__ import annotations

import pytest
from shared_fixtures import SHARED_FIXTURES  # noqa: E402 - test helper next to this file

from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import ApplyError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.module_shell import (
    fail,
    gather_for_module,
    open_module,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import SourceError


class Failed(Exception):
    pass


class Recorder:
    def __init__(self, **params):
        self.params = params
        self.no_log_values = set()
        self.warnings = []
        self.failed = None

    def fail_json(self, **kwargs):
        self.failed = kwargs
        raise Failed()  # as AnsibleModule.fail_json never returns

    def warn(self, text):
        self.warnings.append(text)


class Client:
    request_counts = {"LIST": 3}


def failure(exc, **kwargs):
    module = Recorder()
    with pytest.raises(Failed):
        fail(module, exc, **kwargs)
    return module.failed


def test_each_core_error_fails_with_its_message_and_data():
    k8s = K8sError("forbidden", "cannot list ingresses", status=403)
    assert failure(k8s) == {"msg": str(k8s), "error": k8s.to_dict()}
    assert failure(SourceError("a.yaml:3: not YAML")) == {"msg": "a.yaml:3: not YAML"}
    assert failure(PlanError("unknown mode")) == {"msg": "unknown mode"}
    applied = ApplyError("conflict on Deployment x", results=[{"patch": "p1"}], reason="conflict")
    assert failure(applied) == {
        "msg": "conflict on Deployment x",
        "reason": "conflict",
        "results": [{"patch": "p1"}],
    }


def test_requests_are_reported_only_when_asked_even_without_a_client():
    exc = PlanError("x")
    assert failure(exc, client=Client(), requests=True)["api_requests"] == {"LIST": 3}
    assert failure(exc, client=None, requests=True)["api_requests"] == {}
    assert "api_requests" not in failure(exc, client=Client())


def test_open_module_masks_a_kubeconfig_dicts_secrets_and_fails_on_a_missing_library():
    kubeconfig = {"users": [{"name": "u", "user": {"token": "s3cr3t-token-value"}}]}
    module = Recorder(kubeconfig=kubeconfig)
    open_module(module)
    assert "s3cr3t-token-value" in module.no_log_values and module.failed is None
    module = Recorder()
    with pytest.raises(Failed):
        open_module(module, "jmespath is required")
    assert module.failed == {"msg": "jmespath is required"}


def test_gather_for_module_fails_on_bad_input_and_warns_what_the_read_warned(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: [unclosed\n")
    module = Recorder(src=[str(bad)], page_size=500)
    with pytest.raises(Failed):
        gather_for_module(module, {})
    assert str(bad) in module.failed["msg"] and set(module.failed) == {"msg"}
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\nfoo: bar\n")
    module = Recorder(src=[str(mixed)], page_size=500)
    facts, kinds, requests = gather_for_module(module, {}, "summary")
    assert module.failed is None and requests == {}
    assert facts["cluster"]["source"] == "offline" and kinds
    assert module.warnings and str(mixed) in module.warnings[0]


def test_gather_for_module_gives_src_namespace_to_objects_without_one():
    agic = str(SHARED_FIXTURES / "helm" / "azure-agic" / "default.yaml")  # rendered with -n agic
    module = Recorder(src=[agic], page_size=500, src_namespace="agic")
    facts, _kinds, _requests = gather_for_module(module, {})
    assert module.failed is None
    assert [c["id"] for c in facts["controllers"]] == ["Deployment/agic/ingress-azure"]
    module = Recorder(src=[agic], page_size=500, src_namespace="Not_A_Label")
    with pytest.raises(Failed):
        gather_for_module(module, {})
    assert "src_namespace" in module.failed["msg"] and "RFC 1123 label" in module.failed["msg"]
