# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""Errors: ``K8sError`` (a ``reason`` out of REASONS the caller can branch on, and a message
naming what was requested and how to fix it) and the mapping of an API server's HTTP error
answer to one (``error_from_response``, with ``describe_request`` for the human description
of a request, the RBAC hints and ``token_expiry`` to tell an expired token from a wrong one).
Secrets never appear in messages.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
import time
from typing import NamedTuple

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.media_types import APPLY_PATCH
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.redact import redact

RBAC_HINT = "see the ClusterRole meshgate-istio-lb-reader in rbac/meshgate-istio-lb-reader.yaml"
RBAC_WRITE_HINT = (
    "see the ClusterRole meshgate-istio-lb-applier in rbac/meshgate-istio-lb-applier.yaml, "
    "bound together with the reader role"
)


REASONS = (
    "config",
    "unreachable",
    "tls",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "invalid",
    "timeout",
    "server",
)


class K8sError(Exception):
    """A failure talking to (or configuring access to) a Kubernetes API server.

    ``reason`` is one of REASONS; ``status`` the HTTP status when there was one; ``message`` a
    complete sentence naming what was requested and the fix. ``causes`` holds the Status
    ``details.causes`` of a 409/422, ``managers`` the conflicting field managers of a 409.
    """

    def __init__(self, reason, message, status=None, causes=None, managers=None, details=None):
        if reason not in REASONS:
            raise ValueError("unknown K8sError reason %r" % (reason,))
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status = status
        self.causes = list(causes or [])
        self.managers = list(managers or [])
        self.details = details or {}

    def __str__(self):
        return self.message

    def to_dict(self):
        out = {"reason": self.reason, "status": self.status, "message": self.message}
        if self.causes:
            out["causes"] = self.causes
        if self.managers:
            out["managers"] = self.managers
        return out


def describe_request(method, path, content_type=None):
    """Human description of a request: 'list ingresses.networking.k8s.io at cluster scope'."""
    bare = path.split("?", 1)[0]
    segments = [s for s in bare.split("/") if s]
    if not segments or segments[0] not in ("api", "apis"):
        return "%s %s" % (method, bare)
    if segments[0] == "api":
        group, rest = "", segments[2:]
    else:
        if len(segments) < 3:
            return "read API discovery (%s %s)" % (method, bare)
        group, rest = segments[1], segments[3:]
    if not rest:
        return "read API discovery (%s %s)" % (method, bare)
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
        namespace, rest = rest[1], rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else None
    sub = "/".join(rest[2:]) if len(rest) > 2 else None
    verb = {
        "GET": "get" if name else "list",
        "POST": "create",
        "PUT": "update",
        "PATCH": "apply" if content_type == APPLY_PATCH else "patch",
        "DELETE": "delete" if name else "deletecollection",
    }.get(method.upper(), method.lower())
    what = "%s.%s" % (resource, group) if group else resource
    if sub:
        what = "%s/%s" % (what, sub)
    text = "%s %s" % (verb, what)
    if name:
        text += ' "%s"' % name
    if namespace:
        text += " in namespace %s" % namespace
    elif not (resource == "namespaces" and name):
        text += " at cluster scope"
    return text


def _rbac_target(method, path):
    """(verb, "resource.group[ scope]") for RBAC hints."""
    desc = describe_request(method, path)
    parts = desc.split(" ")
    verb = parts[0] if parts else method.lower()
    if verb == "apply":
        verb = "patch"
    target = parts[1] if len(parts) > 1 else path
    if " in namespace " in desc:
        target += " in namespace " + desc.rsplit(" in namespace ", 1)[1]
    elif desc.endswith(" at cluster scope"):
        target += " at cluster scope"
    return verb, target


def short_reason(exc):
    text = str(exc)
    for marker in ("Failed to establish a new connection: ", "Failed to resolve "):
        if marker in text:
            text = text.split(marker, 1)[1]
            break
    text = re.sub(
        r"^(HTTPS?Connection|HTTPSConnectionPool|HTTPConnectionPool)\([^)]*\):\s*", "", text
    )
    return text.strip() or exc.__class__.__name__


def _status_causes(status_obj):
    details = status_obj.get("details") if isinstance(status_obj, dict) else None
    causes = (details or {}).get("causes") or []
    return [c for c in causes if isinstance(c, dict)]


def token_expiry(secrets, now=None):
    """When one of the credentials is a JWT whose ``exp`` has passed, that time (ISO, UTC).

    Reads only the unsigned claims (base64 JSON), never verifies or prints the token: enough
    to tell the user "expired, get a new one" apart from "wrong token" on a 401.
    """
    now = time.time() if now is None else now
    for secret in secrets or ():
        parts = str(secret).split(".")
        if len(parts) != 3:
            continue
        try:
            padded = parts[1] + "=" * (-len(parts[1]) % 4)
            claims = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            exp = float(claims["exp"])
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
            continue
        if exp < now:
            return datetime.datetime.fromtimestamp(exp, datetime.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
    return None


class _Answer(NamedTuple):
    """An error answer of the API server, read once for every message that may name it."""

    status: int
    status_obj: dict  # the decoded Status object ({} when the body is not one)
    message: str  # its message (or the body's start), secrets redacted
    reason: str  # its reason ("" when none), e.g. "Timeout"
    causes: list  # its details.causes
    cause_text: str  # the causes as "field: message; ..."
    desc: str  # describe_request() of what was asked
    where: str  # the API server (and its context) as messages name it


def _read_answer(status, body, secrets):
    """(Status object, its message with secrets redacted, its reason) of an error answer."""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    status_obj = {}
    try:
        parsed = json.loads(body) if body else {}
        if isinstance(parsed, dict):
            status_obj = parsed
    except (ValueError, RecursionError):  # not a Status (or JSON nested too deep to be one)
        pass
    api_message = status_obj.get("message") or (body or "").strip()[:300] or "HTTP %d" % status
    api_message = redact(api_message, secrets)
    return status_obj, api_message, status_obj.get("reason") or ""


# Seven parameters, one flat set: the answer (status, body), the request as it was sent (method,
# path, content_type), where it was sent and the secrets no message may show. KubeClient's
# raw_request holds each as a value of its own and the tests call it with the first five; a
# record of them would be built only to be taken apart again here.
def error_from_response(status, body, method, path, where, content_type=None, secrets=()):
    """Map an HTTP error answer of the API server to a K8sError (pure; used by KubeClient).

    ``where`` names the API server as messages do: its URL, and "(context NAME)" after it when
    a context was chosen (KubeClient._where()).
    """
    status_obj, api_message, api_reason = _read_answer(status, body, secrets)
    desc = describe_request(method, path, content_type)
    causes = _status_causes(status_obj)
    cause_text = "; ".join(
        "%s: %s" % (c.get("field"), c.get("message")) if c.get("field") else str(c.get("message"))
        for c in causes
    )
    answer = _Answer(status, status_obj, api_message, api_reason, causes, cause_text, desc, where)
    if status == 401:
        return _unauthorized(answer, secrets)
    if status == 403:
        return _forbidden(answer, method, path)
    if status == 404:
        return _not_found(answer)
    if status == 409:
        return _conflict(answer)
    if status == 410:
        return _expired(answer)
    if status in (400, 405, 406, 413, 415, 422):
        return _invalid(answer)
    return _server_error(answer)


def _unauthorized(answer, secrets):
    expired = token_expiry(secrets)
    if expired:
        return K8sError(
            "unauthorized",
            "the bearer token expired at %s and was rejected by the API server at %s "
            "while trying to %s. Get a new token (kubectl create token <serviceaccount>, or "
            "refresh the AWX/Tower credential) and pass it as api_key or in the kubeconfig"
            % (expired, answer.where, answer.desc),
            status=answer.status,
        )
    return K8sError(
        "unauthorized",
        "credentials rejected by the API server at %s (expired or invalid token/cert) while "
        "trying to %s. Refresh the token or client certificate (api_key, client_cert/"
        "client_key, or the kubeconfig user)" % (answer.where, answer.desc),
        status=answer.status,
    )


def _forbidden(answer, method, path):
    api_message = answer.message
    verb, target = _rbac_target(method, path)
    # The API server names the verb it checked: a server-side apply that would create the
    # object is checked as "create", not "patch".
    checked = re.search(r"cannot (\w+) resource", api_message)
    if checked:
        verb = checked.group(1)
    user = re.search(r'User "([^"]*)"', api_message)
    text = re.sub(r"^.*? is forbidden: ", "", api_message).rstrip(".")
    hint = RBAC_HINT if verb in ("get", "list", "watch") else RBAC_WRITE_HINT
    return K8sError(
        "forbidden",
        "forbidden: %s. Grant '%s' on %s to %s (%s)"
        % (text, verb, target, '"%s"' % user.group(1) if user else "this user", hint),
        status=answer.status,
        details=answer.status_obj.get("details") or {},
    )


def _not_found(answer):
    desc, where, api_message = answer.desc, answer.where, answer.message
    details = answer.status_obj.get("details") or {}
    if answer.status_obj.get("kind") == "Status" and details.get("name"):
        msg = "not found: %s (while trying to %s on %s)" % (api_message, desc, where)
    else:
        msg = (
            "not found: %s on %s answered 404 (%s). The API group/version may not be "
            "installed (missing CRD) or the object does not exist" % (desc, where, api_message)
        )
    return K8sError("not_found", msg, status=answer.status, details=details)


def _conflict(answer):
    causes = answer.causes
    managers = []
    for cause in causes:
        managers.extend(re.findall(r'conflict with "([^"]+)"', str(cause.get("message", ""))))
    managers = sorted(set(managers))
    if managers:
        fields = sorted({str(c.get("field")) for c in causes if c.get("field")})
        msg = (
            "conflict: %s failed: %s. Fields %s are owned by field manager(s) %s. Leave these "
            "fields out, or set force=true to take ownership"
            % (answer.desc, answer.message, ", ".join(fields) or "?", ", ".join(managers))
        )
    else:
        msg = "conflict: %s failed: %s%s" % (
            answer.desc,
            answer.message,
            " (%s)" % answer.cause_text if answer.cause_text else "",
        )
    return K8sError(
        "conflict",
        msg,
        status=answer.status,
        causes=causes,
        managers=managers,
        details=answer.status_obj.get("details") or {},
    )


def _expired(answer):
    return K8sError(
        "timeout",
        "expired: %s on %s: %s (410 Gone). The list took longer than the API server keeps "
        "its snapshot; run again (a larger page limit makes fewer, faster pages)"
        % (answer.desc, answer.where, answer.message),
        status=answer.status,
    )


def _invalid(answer):
    extra = ""
    if answer.cause_text and answer.cause_text not in answer.message:
        extra = " (%s)" % answer.cause_text
    return K8sError(
        "invalid",
        "invalid: %s rejected by %s: %s%s" % (answer.desc, answer.where, answer.message, extra),
        status=answer.status,
        causes=answer.causes,
        details=answer.status_obj.get("details") or {},
    )


def _server_error(answer):
    """A timeout, throttling, or any other failure of the API server itself."""
    status, where, desc, api_message = answer.status, answer.where, answer.desc, answer.message
    if status in (408, 504) or answer.reason == "Timeout":
        return K8sError(
            "timeout",
            "timeout: the API server at %s did not complete %s in time: %s"
            % (where, desc, api_message),
            status=status,
        )
    if status == 429:
        return K8sError(
            "server",
            "the API server at %s is throttling requests (429 Too Many Requests) while trying "
            "to %s: %s. Retry later" % (where, desc, api_message),
            status=status,
        )
    return K8sError(
        "server",
        "the API server at %s failed to %s: HTTP %d %s%s"
        % (where, desc, status, api_message, " (%s)" % answer.reason if answer.reason else ""),
        status=status,
    )
