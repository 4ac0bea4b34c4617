# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""Keeping secrets out of messages: ``redact`` masks known secret strings and secret-looking
text (PEM blocks, Bearer/Basic credentials, JWTs, ``token: ...`` pairs) in any text;
``kubeconfig_no_log_values`` lists the secret strings of a kubeconfig given as a dict, for
``module.no_log_values``.
"""

from __future__ import annotations

import re

# Keys of a kubeconfig whose string values are secrets (same list as kubernetes.core).
_KUBECONFIG_SECRET_KEYS = frozenset(
    (
        "token",
        "password",
        "secret",
        "client-key-data",
        "client-certificate-data",
        "certificate-authority-data",
        "api_key",
        "access-token",
        "refresh-token",
        "id-token",
        "client-secret",
    )
)


_REDACT_PATTERNS = (
    (
        re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)", re.S),
        "<redacted PEM>",
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 <redacted>"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "<redacted JWT>"),
    (
        re.compile(
            r"(?i)(['\"]?(?:token|password|secret|api_key|client-key-data|client-certificate-data|"
            r"certificate-authority-data|access-token|refresh-token|id-token|client-secret)['\"]?"
            r"\s*[:=]\s*)(['\"]?)[^\s'\",}]+"
        ),
        r"\1\2<redacted>",
    ),
)


def redact(text, secrets=()):
    """Return ``text`` with secrets removed.

    Every string in ``secrets`` (tokens, passwords, kubeconfig data...) is replaced, then generic
    patterns are masked: PEM blocks, ``Bearer``/``Basic`` credentials, JWTs and ``token: ...``
    style key/value pairs.
    """
    if text is None:
        return text
    text = str(text)
    for secret in sorted((s for s in secrets if s and len(str(s)) >= 4), key=len, reverse=True):
        secret = str(secret)
        # Also the escaped form a repr() of a dict or list shows (quotes, backslashes).
        for form in (secret, repr(secret)[1:-1]):
            text = text.replace(form, "<redacted>")
    for pattern, repl in _REDACT_PATTERNS:
        text = pattern.sub(repl, text)
    return text


def kubeconfig_no_log_values(kubeconfig):
    """Secret strings inside a kubeconfig given as a dict (empty set for a path or None).

    Modules call ``module.no_log_values.update(kubeconfig_no_log_values(params["kubeconfig"]))``
    right after creating the AnsibleModule, like kubernetes.core does, so tokens and key/cert
    data of an in-memory kubeconfig are masked in results and the invocation while the server
    URL, names and paths stay readable.
    """
    values = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _KUBECONFIG_SECRET_KEYS and isinstance(value, str):
                    values.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    if isinstance(kubeconfig, dict):
        walk(kubeconfig)
    return values
