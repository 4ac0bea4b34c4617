# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""Which failed requests KubeClient sends again, and after how long (pure functions).

Only requests that change nothing on the server are repeated: reads (GET, HEAD) and dry runs
(``dryRun=All``). A write whose answer was lost is never sent again here: the caller does not
know whether it was applied, so it must read the object first (see apply.write_fresh).

Repeated failures: a connection that could not be made or broke before the whole answer
arrived (no HTTP status), and the API server's own "try again" answers (429 Too Many Requests,
502/503/504 from it or a load balancer in front). Not repeated: a timeout (``request_timeout``
is the bound the user chose; a retry would multiply it) and every other HTTP error (the
answer is the server's decision: asking again gives the same one).
"""

from __future__ import annotations

# Seconds to wait before the 1st, 2nd, ... repetition; its length is the number of repetitions
# (3 attempts in all: at most 1.5 s of waiting, besides the attempts themselves).
BACKOFF = (0.5, 1.0)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
RETRY_STATUSES = (429, 502, 503, 504)


def is_safe(method, query=None):
    """Does sending this request again change nothing on the server? (reads and dry runs)"""
    if str(method).upper() in SAFE_METHODS:
        return True
    return (query or {}).get("dryRun") == "All"


def is_retryable(reason, status):
    """Is a failure with this K8sError ``reason`` and HTTP ``status`` worth another attempt?"""
    if status is None:
        return reason == "unreachable"
    return status in RETRY_STATUSES


def retry_delay(method, query, reason, status, attempt, backoff=BACKOFF):
    """Seconds to wait before sending a request again after its ``attempt``-th failure (1 for
    the first), or None: give up and raise that failure."""
    if attempt < 1 or attempt > len(backoff):
        return None
    if not is_safe(method, query) or not is_retryable(reason, status):
        return None
    return backoff[attempt - 1]


def outcome_unknown(reason, status):
    """After a failed write: may the server have applied it anyway? True when no answer came
    back (a broken connection, a timeout) or a gateway/timeout status came back; an answer the
    API server itself gave (4xx, 500) means it was not applied."""
    if status is None:
        return reason in ("unreachable", "timeout")
    return status in (502, 503, 504)
