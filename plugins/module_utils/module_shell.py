# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The opening every module shares, and the one place that turns the core's errors into
fail_json: the core (detect/, plan/, read/, k8s/, apply.py) never sees an AnsibleModule.

Takes the module object; imports nothing of ansible.module_utils.basic (the modules do).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.redact import (
    kubeconfig_no_log_values,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.names import RULES, is_label
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import SourceError


def open_module(module, missing_lib=None):
    """What every module does first: mask the secrets a kubeconfig given as a dict carries (tokens,
    keys) in every output, and fail when a required library is missing (``missing_lib``: the
    text of missing_required_lib(), or None)."""
    module.no_log_values.update(kubeconfig_no_log_values(module.params.get("kubeconfig")))
    if missing_lib:
        module.fail_json(msg=missing_lib)


def fail(module, exc, client=None, requests=False):
    """fail_json for one of the core's errors (K8sError, SourceError, PlanError, ApplyError):
    the message, and what the error carries as data (a K8sError's reason and request, an
    ApplyError's reason and results). ``requests``: also the API requests ``client`` made so far
    (none when it could not be built), as lb_apply reports."""
    # Imported here: lb_info never applies, and every module file it imports is compiled on
    # each run (AnsiballZ runs from a zip, where no bytecode cache can be written).
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import ApplyError

    extra = {}
    if isinstance(exc, ApplyError):
        extra = {"reason": exc.reason, "results": exc.results}
    elif isinstance(exc, K8sError):
        extra = {"error": exc.to_dict()}
    if requests:
        extra["api_requests"] = dict(client.request_counts) if client is not None else {}
    module.fail_json(msg=str(exc), **extra)


def gather_for_module(module, options, detail="full"):
    """gather() for a module with the shared options (src, page_size and the auth options):
    builds the client, fails the module with the one clear error on bad input, warns what the
    read warned. Returns ``(facts, kinds, api_requests)``."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.gather import gather

    params = module.params
    client = None
    if params.get("src_namespace") and not is_label(params["src_namespace"]):
        module.fail_json(
            msg="src_namespace: %r is not valid; it must be %s"
            % (params["src_namespace"], RULES["label"])
        )
    try:
        if not params.get("src"):
            # Imported here: an offline run (src) never compiles the client (see read/gather.py).
            from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
                client_from_params,
            )

            client = client_from_params(params)
        with deadline_guard(module, client):
            facts, kinds, warnings = gather(
                src=params.get("src"),
                client=client,
                page_size=params["page_size"],
                options=options,
                detail=detail,
                keep_frozen=True,
                src_namespace=params.get("src_namespace"),
            )
    except (SourceError, K8sError) as exc:
        fail(module, exc)  # the read's error alone, as before: no request counts
    for warning in warnings:
        module.warn(warning)
    return facts, kinds, dict(client.request_counts) if client is not None else {}


# Seconds past the deadline the client's own checks get before the module's timer fails it.
DEADLINE_GRACE = 2


@contextlib.contextmanager
def deadline_guard(module, client):
    """The last resort behind the client's deadline: a timer (SIGALRM) that fails the module
    ``deadline`` + DEADLINE_GRACE seconds after the read starts, whatever a request is stuck in
    (headers sent a byte at a time, a connection that never completes; the reading threads
    cannot be interrupted, so the process ends with the failure written, as fail_json does).
    Nothing without a live client, a deadline, SIGALRM or in another thread than the main one."""
    import signal

    seconds = getattr(client, "deadline_seconds", None)
    if (
        not seconds
        or not hasattr(signal, "SIGALRM")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(_signum, _frame):
        try:
            fail(module, client.deadline_error())
        except SystemExit:
            pass
        finally:
            sys.stdout.flush()
            # The threads stuck reading would keep a normal exit waiting.
            os._exit(1)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds + DEADLINE_GRACE)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
