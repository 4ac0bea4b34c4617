# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Gather the objects detection needs, from a live cluster or from offline sources.

Live: one aggregated discovery (2 requests), then one paginated LIST per served kind, each
page reduced as it arrives (inventory.reduce_object), then a second small pass: ConfigMaps in
the namespaces of detected controllers and of istiod, and the Pods of each detected LB (one
LIST per LB, by its label selector). No per-object GETs.
Offline: the same reduction over the objects of load_sources(). Same objects in, same answer.
"""

from __future__ import annotations

import collections
import concurrent.futures
import gc
import queue
import threading
from contextlib import contextmanager

from ansible_collections.meshgate.istio_lb.plugins.module_utils import detect as _detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.inventory import (
    needs_field_sets,
    read_kinds,
    reduce_object,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover
    from urllib import quote


# CPython's cyclic GC rescans every object it tracks on each full collection, and one comes each
# time the tracked objects grow by a quarter: building an index of 20,000 objects per kind
# rescanned it again and again (bench/NOTES.md, 20,000 per kind: offline reading and detecting
# 3.32 -> 2.20 s, a live gather() 5.1-5.8 -> 4.3-5.0 s; nothing at 5,000). What is read is kept,
# not garbage, so while gather() runs each page read is moved out of the collector's sight
# (gc.freeze); new objects are still collected as usual.
_SETTLING = [0]


def _settle():
    """Freeze what is tracked so far, while a gather() is running (see _settled_gc)."""
    if _SETTLING[0]:
        gc.freeze()


@contextmanager
def _settled_gc(keep=False):
    """Let _settle() freeze what is read; unfreeze it at the end, unless ``keep`` (a module
    process ends with its result: unfreezing would only have everything rescanned once more)
    or the caller had frozen objects of its own (unfreezing would release theirs too; ours then
    stay frozen - refcounting still frees them, only cycles among them wait)."""
    frozen_before = gc.get_freeze_count()
    _SETTLING[0] += 1
    try:
        yield
    finally:
        _SETTLING[0] -= 1
        if not keep and not _SETTLING[0] and not frozen_before:
            gc.unfreeze()


def _list_path(info, group, namespace=None):
    base = "/api/%s" % info["version"] if not group else "/apis/%s/%s" % (group, info["version"])
    if namespace:
        return "%s/namespaces/%s/%s" % (base, quote(namespace, safe=""), info["resource"])
    return "%s/%s" % (base, info["resource"])


# How many kinds are listed at once (see collect_live).
LIST_THREADS = 4


def collect_live(client, page_size=500, stream_routes=False):
    """Read the cluster: returns (Index, kinds, route_pages) where kinds reports each kind's
    status.

    ``stream_routes``: the route kinds (detect.STREAMED_ROUTE_KINDS) are not put in the index:
    a background thread reads them a few pages ahead of ``route_pages(group, kind)``, which
    hands detect() / detect_summary() one page at a time, so they are never all in memory;
    their counts in ``kinds`` are filled in as they are read. Otherwise ``route_pages`` is None
    and the index holds every kind.
    """
    discovery = client.discover()
    objects = []
    kinds = []
    streamed = set(_detect.STREAMED_ROUTE_KINDS) if stream_routes else set()
    served = [(g, k, discovery.get((g, k))) for g, k in read_kinds()]

    def reduced(group, kind, info, namespace=None, query=None):
        # Each page reduced as it arrives; field sets cut before decoding where unread.
        items = client.list_items(
            _list_path(info, group, namespace),
            limit=page_size,
            reduce=reduce_object,
            query=query,
            field_sets=needs_field_sets(group, kind),
        )
        for n, obj in enumerate(items, 1):
            yield obj
            if n % page_size == 0:
                _settle()  # a page read is kept: out of the GC's sight (see _settled_gc)

    def read(item):
        group, kind, info = item
        if info is None or (group, kind) in streamed:
            return None
        return list(reduced(group, kind, info))

    reports = {
        (group, kind): {
            "kind": "%s/%s" % (group or "core", kind),
            "version": info["version"],
            "status": "found",
            "count": 0,
        }
        for group, kind, info in served
        if info is not None
    }
    route_pages = None
    if streamed:

        def read_route_kind(gk):
            page = []
            for obj in reduced(gk[0], gk[1], discovery[gk]):
                page.append(obj)
                reports[gk]["count"] += 1
                if len(page) >= page_size:
                    yield page
                    page = []
            if page:
                yield page

        # Started first: the route kinds are read beside the others, a bounded number of
        # pages ahead of detection (see _read_ahead).
        route_pages = _read_ahead(
            [gk for gk in _detect.STREAMED_ROUTE_KINDS if discovery.get(gk)],
            read_route_kind,
            READ_AHEAD_PAGES,
        )
    # Kinds are listed LIST_THREADS at a time: while one page is reduced here, the API server
    # is already encoding the next kind's (about -20% at 5,000 objects per kind, bench/). Results are
    # taken in catalog order, so the answer and the first error reported stay deterministic.
    with concurrent.futures.ThreadPoolExecutor(LIST_THREADS) as pool:
        pages = list(pool.map(read, served))
    for i, (group, kind, info) in enumerate(served):
        if info is None:
            kinds.append(
                {"kind": "%s/%s" % (group or "core", kind), "status": "api_absent", "count": 0}
            )
            continue
        if pages[i] is not None:  # None: a streamed kind, counted as it is read
            objects.extend(pages[i])
            reports[(group, kind)]["count"] = len(pages[i])
        kinds.append(reports[(group, kind)])
    idx = _detect.Index(objects, reduce=False)
    idx.api_groups = {g for (g, _k) in discovery}
    idx.served = {gk: info["version"] for gk, info in discovery.items()}
    extra = []
    cm_info = discovery.get(("", "ConfigMap"))
    pod_info = discovery.get(("", "Pod"))
    wanted_cm, wanted_pods = second_pass_wanted(idx)
    cm_count = pod_count = 0
    for ns in wanted_cm:
        for obj in reduced("", "ConfigMap", cm_info, ns):
            extra.append(obj)
            cm_count += 1
    for ns, selector in wanted_pods:
        query = {"labelSelector": ",".join("%s=%s" % kv for kv in sorted(selector.items()))}
        for obj in reduced("", "Pod", pod_info, ns, query):
            extra.append(obj)
            pod_count += 1
    kinds.append(
        {"kind": "core/ConfigMap", "status": "found", "count": cm_count, "namespaces": wanted_cm}
    )
    kinds.append(
        {"kind": "core/Pod", "status": "found", "count": pod_count, "selectors": len(wanted_pods)}
    )
    idx.add(extra)
    _settle()
    return idx, kinds, route_pages


# Route pages read ahead of detection (see _read_ahead): what one more request overlaps.
READ_AHEAD_PAGES = 2


def _read_ahead(kinds, read_kind, depth=READ_AHEAD_PAGES):
    """``route_pages(group, kind)`` for detect(): a background thread reads ``kinds`` in order,
    each with ``read_kind((group, kind))`` (an iterable of pages), at most ``depth`` pages
    ahead of the caller. The API server encodes the next page while detection judges this
    one, as the kinds read 4 at a time do, and memory stays at a few pages (in one process at
    5,000 per kind, medians of 15: reading every kind into the index first 1.16 s, the route
    pages read when asked 1.42 s, read ahead 1.21 s). An error reading is raised to the
    caller when it reaches that point; each kind is read once."""
    handoff = queue.Queue(maxsize=depth)
    end = object()

    def produce():
        try:
            for gk in kinds:
                for page in read_kind(gk):
                    handoff.put((gk, page))
                handoff.put((gk, end))
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, raised there
            handoff.put((None, exc))

    # A daemon: if detection stops early (an error), the reader blocked on a full queue must
    # not keep the module process alive.
    threading.Thread(target=produce, name="meshgate-route-pages", daemon=True).start()
    early = collections.defaultdict(collections.deque)  # pages of kinds not yet asked for
    wanted = set(kinds)
    asked = set()

    def next_page(gk):
        if early[gk]:
            return early[gk].popleft()
        while True:
            got, page = handoff.get()
            if got is None:
                raise page
            if got == gk:
                return page
            early[got].append(page)

    def route_pages(group, kind):
        gk = (group, kind)
        if gk not in wanted:
            return
        if gk in asked:
            raise ValueError("the route pages of %s/%s were already read" % gk)
        asked.add(gk)
        while True:
            page = next_page(gk)
            if page is end:
                return
            yield page

    return route_pages


def second_pass_wanted(idx):
    """Namespaces whose ConfigMaps, and (namespace, selector) whose Pods, detection wants."""
    cm_ns = set()
    pods = []
    for wl in idx.workloads():
        ns = (wl.get("metadata") or {}).get("namespace")
        vendor_id, role, _evidence = _detect.classify_workload(wl)
        images = " ".join(c.get("image") or "" for c in _detect._containers(wl))
        if "pilot" in images or _detect.is_istio_gateway_workload(wl):
            cm_ns.add(ns)
        if not vendor_id:
            continue
        cm_ns.add(ns)
        if role != "control-plane":
            selector = ((wl.get("spec") or {}).get("selector") or {}).get("matchLabels")
            if selector:
                pods.append((ns, selector))
    for wl in idx.workloads():
        labels = _detect._tmpl_labels(wl)
        if labels.get("app") == "istiod" or labels.get("istio") == "pilot":
            cm_ns.add((wl.get("metadata") or {}).get("namespace"))
    return sorted(n for n in cm_ns if n), sorted(pods, key=lambda p: (p[0], sorted(p[1].items())))


def collect_offline(paths):
    """Read offline sources: returns (Index, kinds, warnings)."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.sources import load_sources

    objects, warnings = load_sources(paths)
    idx = _detect.Index(objects)
    kinds = [
        {"kind": "%s/%s" % (g or "core", k), "status": "found", "count": len(v)}
        for (g, k), v in sorted(idx.by_kind.items())
    ]
    return idx, kinds, warnings


def gather(src=None, client=None, page_size=500, options=None, detail="full", keep_frozen=False):
    """Read offline sources (``src``) or the cluster (``client``), then detect.

    The one path lb_info and lb_plan share. Returns ``(facts, kinds, warnings)``: facts is the
    detect() result (``detail="summary"``: detect_summary()'s) plus ``cluster`` (where it was
    read). Live, the route kinds are judged a page at a time as they are read. Raises
    SourceError (offline) or K8sError (live, also while the routes are read); nothing is
    written either way. What is read is kept out of the cyclic GC's sight while it runs
    (_settled_gc); ``keep_frozen``: and after (a module process, which ends with the result).
    """
    with _settled_gc(keep_frozen):
        return _gather(src, client, page_size, options, detail)


def _gather(src, client, page_size, options, detail):
    route_pages = None
    if src:
        idx, kinds, warnings = collect_offline(src)
        cluster = {"source": "offline", "src": src}
    else:
        idx, kinds, route_pages = collect_live(client, page_size=page_size, stream_routes=True)
        warnings = list(getattr(client, "discovery_warnings", None) or [])
        cluster = {"source": "live", "server": client.server, "context": client.context}
    _settle()
    if detail == "summary":
        facts = _detect.detect_summary(idx, options, route_pages)
    else:
        facts = _detect.detect(idx, options, route_pages)
    facts["cluster"] = cluster
    return facts, kinds, warnings


def gather_for_module(module, options, detail="full"):
    """gather() for a module with the shared options (src, page_size and the auth options):
    builds the client, fails the module with the one clear error on bad input, warns what the
    read warned. Returns ``(facts, kinds, api_requests)``."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
        client_from_params,
    )
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.sources import SourceError

    params = module.params
    client = None
    try:
        if not params.get("src"):
            client = client_from_params(params)
        facts, kinds, warnings = gather(
            src=params.get("src"),
            client=client,
            page_size=params["page_size"],
            options=options,
            detail=detail,
            keep_frozen=True,
        )
    except SourceError as exc:
        module.fail_json(msg=str(exc))
    except K8sError as exc:
        module.fail_json(msg=str(exc), error=exc.to_dict())
    for warning in warnings:
        module.warn(warning)
    return facts, kinds, dict(client.request_counts) if client is not None else {}


__all__ = [
    "collect_live",
    "collect_offline",
    "gather",
    "gather_for_module",
    "second_pass_wanted",
    "K8sError",
]
