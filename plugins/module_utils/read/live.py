# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Read a live cluster: one aggregated discovery (2 requests), then one paginated LIST per
served kind, each page reduced as it arrives (read/reduce.py), then a second small pass:
ConfigMaps in the namespaces of detected controllers and of istiod, and the Pods of each
detected LB (one LIST per LB, by its label selector). No per-object GETs. The route kinds may
be read a few pages ahead of detection instead of into the index."""

from __future__ import annotations

import collections
import concurrent.futures
import queue
import threading

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.index import Index
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.istio import (
    is_istio_gateway_workload,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.objects import (
    containers_of,
    template_labels,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.routes import (
    STREAMED_ROUTE_KINDS,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.workloads import (
    classify_workload,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import read_kinds
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import (
    needs_field_sets,
    reduce_object,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.settle import settle
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.shape import (
    describe,
    reduced_or_problem,
)

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover
    from urllib import quote


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

    ``stream_routes``: the route kinds (detect/routes.py STREAMED_ROUTE_KINDS) are not put in the
    index: a background thread reads them a few pages ahead of ``route_pages(group, kind)``,
    which hands detect() / detect_summary() one page at a time, so they are never all in
    memory; their counts in ``kinds`` are filled in as they are read. Otherwise
    ``route_pages`` is None and the index holds every kind.
    """
    discovery = client.discover()
    reader = _PageReader(client, page_size)
    streamed = set(STREAMED_ROUTE_KINDS) if stream_routes else set()
    served = [(g, k, discovery.get((g, k))) for g, k in read_kinds()]
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
        # Started first: the route kinds are read beside the others, a bounded number of
        # pages ahead of detection (see _read_ahead).
        route_pages = _read_ahead(
            [gk for gk in STREAMED_ROUTE_KINDS if discovery.get(gk)],
            lambda gk: reader.pages(gk, discovery[gk], reports[gk]),
            READ_AHEAD_PAGES,
        )

    def read(item):
        group, kind, info = item
        if info is None or (group, kind) in streamed:
            return None
        return list(reader.reduced(group, kind, info))

    # Kinds are listed LIST_THREADS at a time: while one page is reduced here, the API server
    # is already encoding the next kind's (about -20% at 5,000 objects per kind, bench/). Results are
    # taken in catalog order, so the answer and the first error reported stay deterministic.
    with concurrent.futures.ThreadPoolExecutor(LIST_THREADS) as pool:
        pages = list(pool.map(read, served))
    objects, kinds = _index_reports(served, pages, reports)
    idx = Index(objects, reduce=False)
    idx.api_groups = {g for (g, _k) in discovery}
    idx.served = {gk: info["version"] for gk, info in discovery.items()}
    kinds += _second_pass(reader, idx, discovery)
    idx.read_warnings = reader.warnings
    settle()
    return idx, kinds, route_pages


class _PageReader:
    """One client's paginated LISTs, each page reduced as it arrives."""

    def __init__(self, client, page_size):
        self.client, self.page_size = client, page_size
        # Objects the server sent that detection cannot read (their shape is not what the
        # schema says): skipped, each named here.
        self.warnings = []

    def _reduce(self, obj):
        reduced, problem = reduced_or_problem(obj, reduce_object)
        if problem:
            self.warnings.append(
                "%s from %s skipped: %s" % (describe(obj), self.client.server, problem)
            )
        return reduced

    def reduced(self, group, kind, info, namespace=None, query=None):
        # Each page reduced as it arrives; field sets cut before decoding where unread.
        items = self.client.list_items(
            _list_path(info, group, namespace),
            limit=self.page_size,
            reduce=self._reduce,
            query=query,
            field_sets=needs_field_sets(group, kind),
        )
        for n, obj in enumerate(items, 1):
            yield obj
            if n % self.page_size == 0:
                settle()  # a page read is kept: out of the GC's sight (see settled_gc)

    def pages(self, gk, info, report):
        """One kind's objects a page at a time, counted into ``report`` as they come."""
        page = []
        for obj in self.reduced(gk[0], gk[1], info):
            page.append(obj)
            report["count"] += 1
            if len(page) >= self.page_size:
                yield page
                page = []
        if page:
            yield page


def _index_reports(served, pages, reports):
    """(objects for the index, kinds report in catalog order) from what each kind read."""
    objects = []
    kinds = []
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
    return objects, kinds


def _second_pass(reader, idx, discovery):
    """The ConfigMaps and LB Pods detection wants (second_pass_wanted), added to the index;
    returns their two kinds reports."""
    extra = []
    cm_info = discovery.get(("", "ConfigMap"))
    pod_info = discovery.get(("", "Pod"))
    wanted_cm, wanted_pods = second_pass_wanted(idx)
    cm_count = pod_count = 0
    for ns in wanted_cm:
        for obj in reader.reduced("", "ConfigMap", cm_info, ns):
            extra.append(obj)
            cm_count += 1
    for ns, selector in wanted_pods:
        query = {"labelSelector": ",".join("%s=%s" % kv for kv in sorted(selector.items()))}
        for obj in reader.reduced("", "Pod", pod_info, ns, query):
            extra.append(obj)
            pod_count += 1
    idx.add(extra)
    return [
        {"kind": "core/ConfigMap", "status": "found", "count": cm_count, "namespaces": wanted_cm},
        {"kind": "core/Pod", "status": "found", "count": pod_count, "selectors": len(wanted_pods)},
    ]


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
        vendor_id, role, _evidence = classify_workload(wl)
        images = " ".join(c.get("image") or "" for c in containers_of(wl))
        if "pilot" in images or is_istio_gateway_workload(wl):
            cm_ns.add(ns)
        if not vendor_id:
            continue
        cm_ns.add(ns)
        if role != "control-plane":
            selector = ((wl.get("spec") or {}).get("selector") or {}).get("matchLabels")
            if selector:
                pods.append((ns, selector))
    for wl in idx.workloads():
        labels = template_labels(wl)
        if labels.get("app") == "istiod" or labels.get("istio") == "pilot":
            cm_ns.add((wl.get("metadata") or {}).get("namespace"))
    return sorted(n for n in cm_ns if n), sorted(pods, key=lambda p: (p[0], sorted(p[1].items())))
