# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""``KubeClient``: raw JSON access to one API server through urllib3 (no dynamic client, no model
objects, no per-group discovery: the slow parts of kubernetes.core, see docs/benchmarks.md).
Requests and their errors, paginated LIST, aggregated (or legacy) discovery and server-side
apply. Every failure is a K8sError.

No file of this package imports ``ansible.module_utils.basic`` (modules own the
AnsibleModule), and all are kept compatible with Python 3.8 (managed nodes).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import NamedTuple, Optional
from urllib.parse import quote, urlencode

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.args import (
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_REQUEST_TIMEOUT,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import (
    K8sError,
    describe_request,
    error_from_response,
    short_reason,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.gc_pause import gc_paused
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.managed_fields import (
    compact_managed_fields,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.media_types import (
    ACCEPT_AGGREGATED_DISCOVERY,
    ACCEPT_JSON,
    APPLY_PATCH,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.redact import redact
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.retry import (
    BACKOFF,
    retry_delay,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.static_config import (
    StaticConfig,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.transport import (
    proxy_for_display,
    static_pool_manager,
)

USER_AGENT = "meshgate.istio_lb"


# OpenSSL's verify errors under ssl.VERIFY_X509_STRICT (set by Python 3.13+'s default context and
# by urllib3 there): certificates that older Pythons and kubectl accept.
_STRICT_X509_ERRORS = (
    "Missing Authority Key Identifier",
    "Missing Subject Key Identifier",
    "Basic Constraints of CA cert not marked critical",
    "CA cert does not include key usage extension",
    "Certificates with extensions must be version 3",
    "Empty Subject Alternative Name extension",
)


# OpenSSL's words for a peer that closed the connection in the middle of the TLS stream
# (during the handshake, or in an answer): the certificates are not what failed.
_HANDSHAKE_CLOSED = ("EOF occurred in violation of protocol", "UNEXPECTED_EOF", "Connection reset")


def _closed_in_handshake(text):
    return any(marker in text for marker in _HANDSHAKE_CLOSED)


class _BrokenAnswer(Exception):
    """The answer's status line arrived, its body did not (reset, or cut short)."""

    def __init__(self, error, status):
        super().__init__(str(error))
        self.error = error
        self.status = status


class RequestSettings(NamedTuple):
    """What every request of a KubeClient carries besides the configuration's credentials
    (the options request_timeout, impersonate_user and impersonate_groups)."""

    timeout: int = DEFAULT_REQUEST_TIMEOUT  # seconds, to connect and again to read the answer
    impersonate_user: Optional[str] = None  # sent as Impersonate-User
    impersonate_groups: Optional[list] = None  # each sent as an Impersonate-Group header
    # Seconds from the client's creation after which no answer is read further (option
    # deadline; None: no limit): a server that trickles bytes defeats a per-read timeout.
    deadline: Optional[float] = None
    # Bytes one answer may have (option max_response_size, in MiB): read in chunks, never
    # allocated whole beyond it.
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE * 1024 * 1024


# Bytes read from the socket at a time (each read waits at most request_timeout).
_CHUNK = 256 * 1024


def _mib(size):
    return "%g MiB" % round(size / 1048576.0, 1)


def _location_host(location):
    """scheme://host[:port] of a redirect's Location (never its path or query: they may carry
    tokens), or "an unnamed location"."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(location or "")
        if parts.scheme and parts.hostname:
            port = ":%d" % parts.port if parts.port else ""
            return "%s://%s%s" % (parts.scheme, parts.hostname, port)
    except ValueError:
        pass
    return (
        "a location on the same server"
        if (location or "").startswith("/")
        else "an unnamed location"
    )


def _pool_factory(configuration, rest_module):
    """``factory(configuration) -> urllib3 pool``: static_pool_manager for a StaticConfig,
    else ``rest_module.RESTClientObject(configuration).pool_manager`` (module
    kubernetes.client.rest unless given)."""
    if rest_module is None and isinstance(configuration, StaticConfig):
        return static_pool_manager
    if rest_module is None:
        from kubernetes.client import rest as rest_module

    def pool_factory(cfg, rest_module=rest_module):
        return rest_module.RESTClientObject(cfg).pool_manager

    return pool_factory


def _encoded(body, content_type):
    """``(bytes sent, content type)`` for a request body: bytes and text as given, anything else
    as JSON (application/json unless ``content_type`` says otherwise)."""
    if body is None:
        return None, content_type
    if isinstance(body, (bytes, bytearray)):
        return bytes(body), content_type
    if isinstance(body, str):
        return body.encode("utf-8"), content_type
    return json.dumps(body, separators=(",", ":")).encode("utf-8"), content_type or ACCEPT_JSON


class KubeClient:
    """Raw JSON access to one API server (one cluster and context).

    ``server`` and ``context`` name the cluster (echo them in results), ``config_source`` says
    where the configuration came from, ``request_counts`` counts requests by HTTP method.
    """

    def __init__(
        self,
        configuration,
        context=None,
        settings=None,
        secrets=(),
        config_source=None,
        rest_module=None,
    ):
        """``configuration``: a StaticConfig or a kubernetes.client.Configuration; ``settings``:
        the RequestSettings (timeout, impersonation) of every request, by default RequestSettings().

        The urllib3 pool is static_pool_manager's for a StaticConfig, else
        ``rest_module.RESTClientObject(configuration).pool_manager`` (module
        kubernetes.client.rest unless given).
        """
        import urllib3

        pool_factory = _pool_factory(configuration, rest_module)
        if settings is None:
            settings = RequestSettings()
        self._urllib3 = urllib3
        self.configuration = configuration
        self.server = configuration.host.rstrip("/")
        self.context = context
        self.config_source = config_source
        self.request_timeout = int(settings.timeout)
        self.impersonate_user = settings.impersonate_user or None
        self.impersonate_groups = list(settings.impersonate_groups or [])
        self.request_counts = {}
        self._count_lock = threading.Lock()
        self.deadline_seconds = settings.deadline
        self._deadline = time.monotonic() + settings.deadline if settings.deadline else None
        self.max_response_size = int(settings.max_response_size)
        self._in_flight = {}  # thread id -> (method, path, start): what deadline_error names
        self.discovery_warnings = []
        self._secrets = set(secrets or ())
        self._discovery = None
        # Reads and dry runs that failed on the way are sent again (k8s/retry.py): the waits
        # between attempts, and the function that waits (tests pass their own).
        self.retry_backoff = BACKOFF
        self.sleep = time.sleep
        self.retried = 0  # requests sent again
        if not configuration.verify_ssl:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        try:
            self._pool = pool_factory(configuration)
        except Exception as exc:  # bad cert/key/CA files, bad proxy URL
            raise K8sError(
                "tls" if "ssl" in str(exc).lower() or "pem" in str(exc).lower() else "config",
                "cannot set up the connection to %s: %s. Check ca_cert, client_cert, client_key "
                "and proxy" % (self.server, redact(exc, self._secrets)),
            ) from None

    # -- plumbing --------------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self._pool.clear()

    def _where(self):
        return "%s (context %s)" % (self.server, self.context) if self.context else self.server

    def _token(self):
        """Authorization header value; runs the refresh hook (exec plugins, in-cluster tokens).

        Kubeconfig loaders store the token under "BearerToken" (kubernetes >= 25) or
        "authorization" (older), already prefixed.
        """
        cfg = self.configuration
        if cfg.refresh_api_key_hook is not None:
            cfg.refresh_api_key_hook(cfg)
        for key in ("BearerToken", "authorization"):
            value = cfg.api_key.get(key)
            if value:
                prefix = cfg.api_key_prefix.get(key)
                return "%s %s" % (prefix, value) if prefix else value
        return None

    def _headers(self, accept, content_type):
        headers = self._urllib3.HTTPHeaderDict()
        headers["Accept"] = accept or ACCEPT_JSON
        headers["User-Agent"] = USER_AGENT
        if content_type:
            headers["Content-Type"] = content_type
        token = self._token()
        if token:
            headers["Authorization"] = token
            self._secrets.add(token.split(" ", 1)[-1])
        if self.impersonate_user:
            headers["Impersonate-User"] = self.impersonate_user
        for group in self.impersonate_groups:
            headers.add("Impersonate-Group", group)
        return headers

    def _transport_error(self, exc, method, path, timeout):
        e = self._urllib3.exceptions
        desc = describe_request(method, path)
        where = self._where()
        reason = redact(short_reason(exc), self._secrets)
        name_resolution = getattr(e, "NameResolutionError", ())
        if isinstance(exc, e.ProxyError):
            return K8sError(
                "unreachable",
                "cannot reach the API server at %s through the proxy %s: %s. Check proxy / "
                "no_proxy" % (where, proxy_for_display(self.configuration.proxy), reason),
            )
        if isinstance(exc, e.SSLError) and _closed_in_handshake(reason):
            # The peer hung up (a proxy, a load balancer, a server restarting): the certificates
            # were never compared, so the TLS hints below would mislead.
            return K8sError(
                "unreachable",
                "the connection to the API server at %s was closed in the middle of its TLS "
                "stream (%s) while trying to %s: the other end (the server, a proxy or a load "
                "balancer) hung up; certificates were not the problem. Check that the cluster "
                "is up and that host points at the API server itself" % (where, reason, desc),
            )
        if isinstance(exc, e.SSLError):
            text = reason
            hint = (
                "Give the cluster CA with ca_cert (K8S_AUTH_SSL_CA_CERT) or fix "
                "certificate-authority-data in the kubeconfig; validate_certs=false skips the "
                "check (insecure)"
            )
            if "WRONG_VERSION_NUMBER" in text.upper() or "wrong version number" in text:
                hint = "The server does not speak TLS here: check the scheme (http/https) in host"
            elif any(s in text for s in _STRICT_X509_ERRORS):
                hint = (
                    "Python %d.%d checks certificates strictly (RFC 5280, as the kubernetes "
                    "client does on Python 3.13+), and kubectl does not: reissue the API "
                    "server's or the CA's certificate with the missing extension, or run the "
                    "controller on Python 3.12 or older" % sys.version_info[:2]
                )
            elif "certificate verify failed" not in text and (
                self.configuration.cert_file or self.configuration.key_file
            ):
                hint += "; check client_cert/client_key"
            return K8sError(
                "tls",
                "TLS handshake with the API server at %s failed: %s. %s" % (where, text, hint),
            )
        if (name_resolution and isinstance(exc, name_resolution)) or isinstance(
            exc, e.NewConnectionError
        ):
            return K8sError(
                "unreachable",
                "cannot reach the API server at %s: %s. Check host/kubeconfig/context and that "
                "the cluster is up" % (where, reason),
            )
        if isinstance(exc, e.ConnectTimeoutError):
            return K8sError(
                "unreachable",
                "cannot reach the API server at %s: no connection within %ss. Check "
                "host/kubeconfig/context, firewalls and that the cluster is up" % (where, timeout),
            )
        if isinstance(exc, e.ReadTimeoutError):
            return K8sError(
                "timeout",
                "timeout: the API server at %s did not answer within %ss (request_timeout) while "
                "trying to %s. Raise request_timeout or check the API server's load"
                % (where, timeout, desc),
            )
        if isinstance(exc, e.ProtocolError):
            return K8sError(
                "unreachable",
                "the connection to the API server at %s broke before its answer came, while "
                "trying to %s: %s. Check that the cluster is up and the network in between"
                % (where, desc, reason),
            )
        if isinstance(exc, (e.LocationParseError, e.LocationValueError)):
            return K8sError("config", "invalid API server URL %s: %s" % (self.server, reason))
        return K8sError(
            "unreachable",
            "cannot reach the API server at %s: %s (while trying to %s). Check "
            "host/kubeconfig/context and that the cluster is up" % (where, reason, desc),
        )

    def _url(self, path, query):
        url = self.server + path
        if query:
            url += ("&" if "?" in path else "?") + urlencode(
                [(k, v) for k, v in query.items() if v is not None], doseq=True
            )
        return url

    def _remaining(self, method, path):
        """Seconds left before the deadline (None: no deadline); K8sError when none are."""
        if self._deadline is None:
            return None
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise K8sError(
                "timeout",
                "deadline: %ss (option deadline) passed before the API server at %s was asked "
                "to %s; the answers before took that long. Raise deadline or check the server"
                % (self.deadline_seconds, self._where(), describe_request(method, path)),
            )
        return left

    def _send(self, method, url, data, headers, timeout, path):
        """``(response, body bytes)`` of one request; the connection goes back to the pool.

        The body is read in chunks: no more than max_response_size bytes are ever held, and
        reading stops at the deadline however slowly the server sends (each chunk waits at most
        ``timeout``)."""
        left = self._remaining(method, path)
        if left is not None:
            timeout = max(0.1, min(timeout, left))
        resp = self._pool.request(
            method,
            url,
            body=data,
            headers=headers,
            timeout=self._urllib3.Timeout(connect=timeout, read=timeout),
            retries=False,
            redirect=False,
            preload_content=False,
        )
        try:
            return resp, self._read_body(resp, method, path)
        except (self._urllib3.exceptions.HTTPError, OSError) as exc:
            raise _BrokenAnswer(exc, resp.status) from None
        finally:
            resp.release_conn()

    def deadline_error(self):
        """The K8sError for a deadline that passed while requests were still unanswered (the
        module's last-resort timer, module_shell.py: headers sent a byte at a time, a
        connection that never completes), naming the server and those requests."""
        now = time.monotonic()
        # dict.copy() is one step for the interpreter: other threads may add and remove
        # requests meanwhile (this runs from a signal handler: no lock may be taken).
        waiting = sorted(self._in_flight.copy().values(), key=lambda item: item[2])
        what = "; ".join(
            "%s for %.0fs" % (describe_request(method, path), now - start)
            for method, path, start in waiting[:3]
        )
        return K8sError(
            "timeout",
            "deadline: the API server at %s did not complete its answers within the deadline of "
            "%ss (option deadline)%s: a server that never finishes an answer, or sends it a byte "
            "at a time. Check the server and what is between (proxy, load balancer); raise "
            "deadline for a slow link"
            % (
                self._where(),
                self.deadline_seconds,
                ", still waiting to %s" % what if what else "",
            ),
        )

    def _read_body(self, resp, method, path):
        cap = self.max_response_size
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > cap:
            raise self._too_large(method, path, "announced %s (Content-Length)" % _mib(int(length)))
        chunks = []
        size = 0
        start = time.monotonic()
        while True:
            if self._deadline is not None and time.monotonic() > self._deadline:
                # Only when more is to be waited for: an answer complete in time is kept.
                if not size or resp.length_remaining != 0:
                    raise self._trickled(method, path, size, start)
            chunk = resp.read1(_CHUNK) if hasattr(resp, "read1") else resp.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > cap:
                raise self._too_large(method, path, "sent more than that")
            chunks.append(chunk)
        return b"".join(chunks)

    def _trickled(self, method, path, size, start):
        return K8sError(
            "timeout",
            "deadline: the API server at %s did not finish its answer to %s within the "
            "deadline of %ss (option deadline): %d bytes in %.0fs, still sending (a "
            "server that trickles its answer). Check the server and what is between "
            "(proxy, load balancer); raise deadline for a slow link"
            % (
                self._where(),
                describe_request(method, path),
                self.deadline_seconds,
                size,
                time.monotonic() - start,
            ),
        )

    def _too_large(self, method, path, what):
        return K8sError(
            "server",
            "the API server at %s answered %s with more than %s (option max_response_size) and "
            "%s; not read further. Lower page_size for large objects, raise max_response_size, "
            "or check host points at the API server"
            % (self._where(), describe_request(method, path), _mib(self.max_response_size), what),
        )

    # Seven parameters: the method, the path and the five options of one HTTP request, all
    # optional keywords with the names callers already use; request() passes them on as they
    # are. A record of them would only make every caller build one for a single GET.
    def raw_request(
        self, method, path, query=None, body=None, content_type=None, timeout=None, accept=None
    ):
        """Send one request; return ``(status, headers, body bytes)`` for 2xx, raise otherwise.

        ``body`` (dict/list) is sent as JSON; ``content_type`` defaults to application/json
        (use APPLY_PATCH, "application/merge-patch+json", ...). ``timeout`` (seconds) defaults to
        request_timeout; ``accept`` to application/json.
        """
        method = method.upper()
        if not path.startswith("/"):
            path = "/" + path
        url = self._url(path, query)
        data, content_type = _encoded(body, content_type)
        timeout = self.request_timeout if timeout is None else timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(method, path, url, data, content_type, timeout, accept)
            except K8sError as exc:
                delay = retry_delay(
                    method, query, exc.reason, exc.status, attempt, self.retry_backoff
                )
                if delay is None:
                    if attempt > 1:
                        exc.message = "%s (%d attempts)" % (exc.message, attempt)
                        exc.args = (exc.message,)
                    raise
            with self._count_lock:
                self.retried += 1
            self.sleep(delay)

    def _attempt(self, method, path, url, data, content_type, timeout, accept):
        """One try of raw_request (headers built each time: a token refresh hook may run)."""
        headers = self._headers(accept, content_type)
        with self._count_lock:  # collect_live lists kinds from several threads
            self.request_counts[method] = self.request_counts.get(method, 0) + 1
        e = self._urllib3.exceptions
        self._in_flight[threading.get_ident()] = (method, path, time.monotonic())
        try:
            resp, raw = self._send(method, url, data, headers, timeout, path)
        except _BrokenAnswer as broken:
            raise self._broken_answer(broken, method, path, content_type, timeout) from None
        except e.HTTPError as exc:
            raise self._transport_error(exc, method, path, timeout) from None
        except OSError as exc:
            raise self._transport_error(exc, method, path, timeout) from None
        finally:
            self._in_flight.pop(threading.get_ident(), None)
        if 300 <= resp.status < 400:
            raise K8sError(
                "server",
                "the API server at %s answered %s with a redirect (HTTP %d) to %s; not followed, "
                "so no credentials go to another host. Point host / the kubeconfig's server at the "
                "API server itself"
                % (
                    self._where(),
                    describe_request(method, path),
                    resp.status,
                    _location_host(resp.headers.get("Location")),
                ),
                status=resp.status,
            )
        if resp.status >= 400 or resp.status < 200:
            raise error_from_response(
                resp.status,
                raw,
                method,
                path,
                self._where(),
                content_type=content_type,
                secrets=self._secrets,
            )
        return resp.status, resp.headers, raw

    def _broken_answer(self, broken, method, path, content_type, timeout):
        """The K8sError for an answer whose status line came but whose body did not."""
        if isinstance(broken.error, self._urllib3.exceptions.ReadTimeoutError):
            return self._transport_error(broken.error, method, path, timeout)
        return K8sError(
            "unreachable",
            "the connection to the API server at %s broke while it answered %s (HTTP %s, "
            "answer cut short: %s). %s"
            % (
                self._where(),
                describe_request(method, path, content_type),
                broken.status,
                redact(short_reason(broken.error), self._secrets),
                (
                    "Nothing was changed (a read)"
                    if method in ("GET", "HEAD")
                    else "The server may have done it: read the object before doing it again"
                ),
            ),
        )

    def request(self, method, path, *, compact=None, **options):
        """One API request; returns the decoded JSON answer ({} when empty).

        ``options`` are raw_request's (query, body, content_type, timeout, accept), passed on
        as given. ``compact(raw) -> raw`` may shorten the answer's JSON text before it is
        decoded; if its text does not decode, the answer is decoded as sent. Raises K8sError.
        """
        status, headers, raw = self.raw_request(method, path, **options)
        if not raw:
            return {}
        try:
            with gc_paused():
                if compact is not None:
                    try:
                        return json.loads(compact(raw))
                    except ValueError:
                        pass  # a "]" in a string fooled it: decode what the server sent
                return json.loads(raw)
        except RecursionError:
            raise K8sError(
                "server",
                "the API server at %s answered %s %s with JSON nested deeper than %d levels; no "
                "Kubernetes object nests like that: not read. Check host points at the API server"
                % (self.server, method.upper(), path, sys.getrecursionlimit()),
                status=status,
            ) from None
        except ValueError:
            raise K8sError(
                "server",
                "the server at %s answered %s %s with non-JSON content (Content-Type %s). Is host "
                "pointing at a Kubernetes API server (not a proxy or dashboard)?"
                % (self.server, method.upper(), path, headers.get("Content-Type", "unknown")),
                status=status,
            ) from None

    # -- reads -----------------------------------------------------------------------------

    def list_items(self, path, limit=500, reduce=None, query=None, field_sets=True):
        """Yield the items of a LIST, page by page (``limit`` per request, following
        ``metadata.continue``).

        Items keep their raw JSON form; ``apiVersion``/``kind`` are filled in from the list when
        the server left them out (built-in types do). ``reduce(item)`` is applied to each item
        as its page arrives and its result is yielded instead (None results are dropped), so
        only one page of full objects is in memory at a time. ``field_sets=False``: each item's
        ``metadata.managedFields`` keeps only its entries' ``manager`` (see
        compact_managed_fields). An expired continue token (410) raises
        K8sError(reason="timeout").
        """
        compact = None if field_sets else compact_managed_fields
        cont = None
        page = 0
        tokens = set()
        while True:
            q = dict(query or {})
            if limit:
                q["limit"] = int(limit)
            if cont:
                q["continue"] = cont
                if self._deadline is not None and time.monotonic() > self._deadline:
                    raise K8sError(
                        "timeout",
                        "deadline: after %d page(s) of %s the API server at %s was still sending "
                        "continue tokens at the deadline of %ss (option deadline): a list that "
                        "never ends, or one too long for the deadline (raise deadline or page_size)"
                        % (
                            page,
                            describe_request("GET", path),
                            self._where(),
                            self.deadline_seconds,
                        ),
                    )
            try:
                body = self.request("GET", path, query=q, compact=compact)
            except K8sError as exc:
                if exc.status == 410 and cont:
                    raise K8sError(
                        "timeout",
                        "expired: the continue token for %s expired after %d page(s) of %d (410 "
                        "Gone): the list took longer than the API server keeps its snapshot. Run "
                        "again; a larger limit makes fewer pages"
                        % (describe_request("GET", path), page, limit or 0),
                        status=410,
                    ) from None
                raise
            page += 1
            items = body.get("items") or []
            list_kind = body.get("kind") or ""
            item_kind = (
                list_kind[:-4] if list_kind.endswith("List") and list_kind != "List" else None
            )
            api_version = body.get("apiVersion")
            cont = (body.get("metadata") or {}).get("continue")
            if cont:
                if cont in tokens:
                    raise K8sError(
                        "server",
                        "the API server at %s sent a continue token it had sent before, after %d "
                        "page(s) of %s: a list that would never end; stopped. Check the API "
                        "server (or what answers in its place)"
                        % (self._where(), page, describe_request("GET", path)),
                    )
                tokens.add(cont)
            del body
            for item in items:
                if item_kind and isinstance(item, dict):
                    if "kind" not in item:
                        item["kind"] = item_kind
                    if "apiVersion" not in item and api_version:
                        item["apiVersion"] = api_version
                if reduce is None:
                    yield item
                else:
                    reduced = reduce(item)
                    if reduced is not None:
                        yield reduced
            del items
            if not cont:
                return

    def discover(self, refresh=False):
        """Map (group, kind) -> {"version", "resource", "namespaced", "versions"}.

        Uses aggregated discovery: two requests (``GET /api`` and ``GET /apis``). A server that
        does not support it (< 1.26, or the feature off) is read the legacy way, one request per
        group version. ``version`` is the preferred version serving the kind, ``versions`` all of
        them in preference order. Group-versions the server could not list (an aggregated API
        down) are skipped and named in ``discovery_warnings``. Cached per client.
        """
        if self._discovery is not None and not refresh:
            return self._discovery
        self.discovery_warnings = []
        out = {}
        for path in ("/api", "/apis"):
            doc = self.request("GET", path, accept=ACCEPT_AGGREGATED_DISCOVERY)
            if doc.get("kind") == "APIGroupDiscoveryList":
                self._merge_aggregated(doc, out)
            elif path == "/api":
                self._legacy_core(doc, out)
            else:
                self._legacy_groups(doc, out)
        self._discovery = out
        return out

    def _add(self, out, group, version, resource, kind, namespaced):
        if not kind or not resource or "/" in resource:
            return
        entry = out.get((group, kind))
        if entry is None:
            out[(group, kind)] = {
                "version": version,
                "resource": resource,
                "namespaced": bool(namespaced),
                "versions": [version],
            }
        elif version not in entry["versions"]:
            entry["versions"].append(version)

    def _merge_aggregated(self, doc, out):
        for item in doc.get("items") or []:
            group = (item.get("metadata") or {}).get("name") or ""
            for ver in item.get("versions") or []:
                version = ver.get("version")
                if ver.get("freshness") == "Stale":
                    self.discovery_warnings.append(
                        "discovery of %s is stale (its API service is unavailable)"
                        % ("%s/%s" % (group, version) if group else version)
                    )
                for res in ver.get("resources") or []:
                    kind = (res.get("responseKind") or {}).get("kind")
                    self._add(
                        out,
                        group,
                        version,
                        res.get("resource"),
                        kind,
                        res.get("scope") == "Namespaced",
                    )

    def _legacy_resources(self, out, group, version, path):
        try:
            doc = self.request("GET", path)
        except K8sError as exc:
            if exc.reason in ("unreachable", "tls", "unauthorized", "timeout"):
                raise
            self.discovery_warnings.append("cannot discover %s: %s" % (path, exc.message))
            return
        for res in doc.get("resources") or []:
            self._add(out, group, version, res.get("name"), res.get("kind"), res.get("namespaced"))

    def _legacy_core(self, doc, out):
        for version in doc.get("versions") or ["v1"]:
            self._legacy_resources(out, "", version, "/api/%s" % version)

    def _legacy_groups(self, doc, out):
        for group in doc.get("groups") or []:
            name = group.get("name") or ""
            preferred = (group.get("preferredVersion") or {}).get("version")
            versions = [v.get("version") for v in group.get("versions") or [] if v.get("version")]
            if preferred in versions:
                versions.remove(preferred)
                versions.insert(0, preferred)
            for version in versions:
                self._legacy_resources(out, name, version, "/apis/%s/%s" % (name, version))

    def resource_path(self, api_version, kind, namespace=None, name=None):
        """API path of a kind (its collection, or one object with ``name``), via discover().

        Raises K8sError not_found when the kind or version is not served, invalid when a
        namespaced kind is given no namespace for a named object.
        """
        group, version = api_version.rsplit("/", 1) if "/" in api_version else ("", api_version)
        info = self.discover().get((group, kind))
        if info is None:
            raise K8sError(
                "not_found",
                "not found: kind %s (apiVersion %s) is not served by the API server at %s. "
                "Install its CRD / enable its API, or check apiVersion and kind"
                % (kind, api_version, self._where()),
                status=404,
            )
        if version not in info["versions"]:
            raise K8sError(
                "not_found",
                "not found: %s %s is not served by the API server at %s (served versions: %s)"
                % (api_version, kind, self._where(), ", ".join(info["versions"])),
                status=404,
            )
        prefix = "/api/%s" % version if not group else "/apis/%s/%s" % (group, version)
        if info["namespaced"] and namespace:
            prefix += "/namespaces/%s" % quote(namespace, safe="")
        elif info["namespaced"] and name:
            raise K8sError(
                "invalid",
                "invalid: %s %s is namespaced; metadata.namespace is required" % (kind, name),
            )
        path = "%s/%s" % (prefix, info["resource"])
        if name:
            path += "/%s" % quote(name, safe="")
        return path

    # -- writes ----------------------------------------------------------------------------

    def apply(self, obj, field_manager, dry_run=False, force=False):
        """Server-side apply ``obj`` (a partial manifest of the fields we own).

        PATCH with ``application/apply-patch+yaml`` (the body is JSON, which is YAML) to the path
        found through discover(), ``fieldManager=field_manager``; ``dry_run`` adds
        ``dryRun=All`` (nothing is written; use it for check mode), ``force`` takes ownership of
        fields held by other managers. Returns the object as the server has (or would have)
        stored it. A 409 raises K8sError(reason="conflict") naming the other field managers.
        """
        if not field_manager:
            raise K8sError("invalid", "invalid: server-side apply needs a field_manager")
        if not isinstance(obj, dict):
            raise K8sError(
                "invalid", "invalid: apply needs an object (dict), got %s" % type(obj).__name__
            )
        api_version = obj.get("apiVersion")
        kind = obj.get("kind")
        metadata = obj.get("metadata") or {}
        name = metadata.get("name")
        if not api_version or not kind or not name:
            raise K8sError(
                "invalid",
                "invalid: an applied object needs apiVersion, kind and metadata.name (got %s/%s %s)"
                % (api_version, kind, name),
            )
        path = self.resource_path(api_version, kind, metadata.get("namespace"), name)
        query = {"fieldManager": field_manager}
        if force:
            query["force"] = "true"
        if dry_run:
            query["dryRun"] = "All"
        return self.request("PATCH", path, query=query, body=obj, content_type=APPLY_PATCH)
