# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""apply.py's pure helpers: what a server-side apply must send so earlier plans survive."""

from __future__ import annotations

import pytest

from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import (
    FRESH_RETRIES,
    _key,
    _without,
    full_intent,
    subset_equal,
    write_fresh,
)

ING = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "metadata": {
        "name": "web",
        "namespace": "shop",
        "annotations": {"a": "1", "mine": "x"},
        "managedFields": [
            {
                "manager": "kubectl",
                "operation": "Apply",
                "fieldsV1": {
                    "f:metadata": {"f:annotations": {"f:a": {}}},
                    "f:spec": {"f:ingressClassName": {}},
                },
            },
            {
                "manager": "meshgate",
                "operation": "Apply",
                "fieldsV1": {
                    "f:metadata": {"f:annotations": {"f:mine": {}}},
                    "f:spec": {"f:rules": {}},
                },
            },
            {
                "manager": "kube-controller-manager",
                "operation": "Update",
                "subresource": "status",
                "fieldsV1": {"f:status": {}},
            },
        ],
    },
    "spec": {"ingressClassName": "nginx", "rules": [{"host": "h", "http": {"paths": []}}]},
}


def test_full_intent_keeps_what_meshgate_owns():
    patch = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"new": "y"}},
    }
    out = full_intent(patch, ING)
    assert out["metadata"]["annotations"] == {"mine": "x", "new": "y"}  # not kubectl's "a"
    assert out["spec"] == {"rules": ING["spec"]["rules"]}  # atomic list owned whole
    assert "ingressClassName" not in out["spec"] and "managedFields" not in out["metadata"]


def test_full_intent_without_ownership_is_the_patch():
    obj = dict(
        ING, metadata=dict(ING["metadata"], managedFields=ING["metadata"]["managedFields"][:1])
    )
    patch = {"metadata": {"annotations": {"new": "y"}}}
    assert full_intent(patch, obj) is patch


def test_undo_keeps_other_plans_fields():
    owned = full_intent({}, ING)
    this_plan = {"metadata": {"annotations": {"mine": "x"}}}
    # name/namespace are added back by the undo step; what stays ours is the other plan's rules
    assert _without(owned, this_plan) == {"spec": {"rules": ING["spec"]["rules"]}}


def test_subset_equal_allows_server_defaults_in_list_items():
    assert subset_equal(
        {"refs": [{"name": "a"}]}, {"refs": [{"name": "a", "kind": "Service", "weight": 1}]}
    )
    assert not subset_equal({"refs": [{"name": "a"}]}, {"refs": [{"name": "a"}, {"name": "b"}]})
    assert not subset_equal({"x": ""}, {"x": None})


class _RacingClient:
    """Answers the first apply with the 409 a resourceVersion precondition gives when another
    writer got there first, then serves the newer object on the re-read."""

    def __init__(self, newer):
        self.newer = newer
        self.sent = []

    def apply(self, body, manager, dry_run=False, force=False):
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError

        self.sent.append(body)
        if len(self.sent) == 1:
            raise K8sError(
                "conflict",
                "conflict: the object has been modified; please apply your changes to the "
                "latest version and try again",
                status=409,
            )
        return dict(body, metadata=dict(body["metadata"], resourceVersion="3"))

    def resource_path(self, api_version, kind, namespace=None, name=None):
        return "/apis/%s/namespaces/%s/%ss" % (api_version, namespace, kind.lower())

    def list_items(self, path):
        return [self.newer]


# The Ingress the write_fresh tests write, and its state at resourceVersion 1.
WEB_TARGET = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "namespace": "shop",
    "name": "web",
}


@pytest.fixture
def web_v1():
    return dict(ING, metadata=dict(ING["metadata"], resourceVersion="1"))


def test_write_fresh_recomputes_from_the_newer_object_after_a_precondition_conflict(web_v1):
    target, old = WEB_TARGET, web_v1
    # Another run (another plan, same field manager) added an annotation in between.
    newer_fields = [dict(f) for f in ING["metadata"]["managedFields"]]
    newer_fields[1] = dict(
        newer_fields[1],
        fieldsV1={
            "f:metadata": {"f:annotations": {"f:mine": {}, "f:other-plan": {}}},
            "f:spec": {"f:rules": {}},
        },
    )
    newer = dict(
        ING,
        metadata=dict(
            ING["metadata"],
            resourceVersion="2",
            annotations=dict(ING["metadata"]["annotations"], **{"other-plan": "z"}),
            managedFields=newer_fields,
        ),
    )
    client = _RacingClient(newer)
    patch = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"new": "y"}},
    }
    current = {_key(target): old}
    write_fresh(client, target, lambda obj: full_intent(patch, obj), current)
    first, second = client.sent
    assert first["metadata"]["resourceVersion"] == "1"
    assert "other-plan" not in first["metadata"]["annotations"]
    assert second["metadata"]["resourceVersion"] == "2"
    assert second["metadata"]["annotations"] == {"mine": "x", "other-plan": "z", "new": "y"}
    assert current[_key(target)]["metadata"]["resourceVersion"] == "3"
    assert "resourceVersion" not in patch["metadata"]  # the plan itself is never modified


def test_write_fresh_gives_up_after_bounded_retries_and_never_on_ownership_conflicts(web_v1):
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError

    target, obj = WEB_TARGET, web_v1

    class Always409(_RacingClient):
        def __init__(self, newer, managers=()):
            super().__init__(newer)
            self.managers = list(managers)

        def apply(self, body, manager, dry_run=False, force=False):
            self.sent.append(body)
            raise K8sError("conflict", "conflict", status=409, managers=self.managers)

    racing = Always409(obj)
    with pytest.raises(K8sError) as info:
        write_fresh(racing, target, lambda o: full_intent({}, o), {_key(target): obj})
    assert info.value.reason == "conflict"
    assert len(racing.sent) == FRESH_RETRIES + 1
    owned = Always409(obj, managers=["kubectl"])
    with pytest.raises(K8sError) as info:
        write_fresh(owned, target, lambda o: full_intent({}, o), {_key(target): obj})
    assert info.value.managers == ["kubectl"]
    assert len(owned.sent) == 1  # an ownership conflict is the user's decision, not a race


class _LostAnswerClient:
    """The first apply's answer is lost (a K8sError with no status, as a reset connection
    gives); ``landed`` says whether the server had applied it. Re-reads serve the server's
    object; ``read_fails`` makes them fail too."""

    def __init__(self, old, landed, read_fails=False, error=None):
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError

        self.server_obj = old
        self.landed = landed
        self.read_fails = read_fails
        self.error = error or K8sError(
            "unreachable", "the connection broke while it answered apply", status=None
        )
        self.sent = []
        self.reads = 0

    def _store(self, body):
        meta = dict(body["metadata"])
        meta.pop("resourceVersion", None)
        meta["resourceVersion"] = str(int(self.server_obj["metadata"]["resourceVersion"]) + 1)
        fields = [dict(f) for f in self.server_obj["metadata"]["managedFields"]]
        self.server_obj = dict(self.server_obj, metadata=dict(meta, managedFields=fields))
        return self.server_obj

    def apply(self, body, manager, dry_run=False, force=False):
        self.sent.append(body)
        if len(self.sent) == 1:
            if self.landed:
                self._store(body)
            raise self.error
        return self._store(body)

    def resource_path(self, api_version, kind, namespace=None, name=None):
        return "/apis/%s/namespaces/%s/%ss" % (api_version, namespace, kind.lower())

    def list_items(self, path):
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError

        self.reads += 1
        if self.read_fails:
            raise K8sError("unreachable", "cannot reach the API server at https://x", status=None)
        return [self.server_obj]


PATCH_NEW = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "metadata": {"name": "web", "namespace": "shop", "annotations": {"new": "y"}},
}


def test_a_write_whose_answer_was_lost_and_that_landed_is_not_sent_again(web_v1):
    client = _LostAnswerClient(web_v1, landed=True)
    current = {_key(WEB_TARGET): web_v1}
    stored = write_fresh(client, WEB_TARGET, lambda o: full_intent(PATCH_NEW, o), current)
    assert len(client.sent) == 1 and client.reads == 1  # read, found it applied, done
    assert stored["metadata"]["annotations"]["new"] == "y"
    assert current[_key(WEB_TARGET)]["metadata"]["resourceVersion"] == "2"


def test_a_write_whose_answer_was_lost_and_that_did_not_land_is_sent_after_a_read(web_v1):
    client = _LostAnswerClient(web_v1, landed=False)
    current = {_key(WEB_TARGET): web_v1}
    write_fresh(client, WEB_TARGET, lambda o: full_intent(PATCH_NEW, o), current)
    assert client.reads == 1 and len(client.sent) == 2
    # Sent again only after the read, with the precondition of what was read.
    assert client.sent[1]["metadata"]["resourceVersion"] == "1"
    assert client.server_obj["metadata"]["annotations"]["new"] == "y"


def test_a_lost_answer_then_a_failed_read_raises_the_write_error_naming_both(web_v1):
    client = _LostAnswerClient(web_v1, landed=False, read_fails=True)
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError

    with pytest.raises(K8sError) as exc:
        write_fresh(
            client, WEB_TARGET, lambda o: full_intent(PATCH_NEW, o), {_key(WEB_TARGET): web_v1}
        )
    assert len(client.sent) == 1  # never sent again without knowing
    text = str(exc.value)
    assert "broke while it answered apply" in text
    assert "reading Ingress shop/web again" in text and "https://x" in text


def test_a_write_the_server_refused_is_not_read_again(web_v1):
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError

    refused = K8sError("invalid", "invalid: rejected", status=422)
    client = _LostAnswerClient(web_v1, landed=False, error=refused)
    with pytest.raises(K8sError):
        write_fresh(
            client, WEB_TARGET, lambda o: full_intent(PATCH_NEW, o), {_key(WEB_TARGET): web_v1}
        )
    assert len(client.sent) == 1 and client.reads == 0
