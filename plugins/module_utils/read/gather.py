# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""gather(): read offline sources or a live cluster, then detect; the one path lb_info and
lb_plan share. Offline: the same reduction over the objects of load_sources(). Same objects in,
same answer. What is read is kept out of the cyclic GC's sight while it runs."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.index import Index
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import (
    detect,
    detect_summary,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.settle import (
    settle,
    settled_gc,
)


def collect_offline(paths, namespace=None):
    """Read offline sources: returns (Index, kinds, warnings). ``namespace``: that of the
    namespaced objects that name none (load_sources)."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import load_sources

    objects, warnings = load_sources(paths, namespace)
    idx = Index(objects)
    kinds = [
        {"kind": "%s/%s" % (g or "core", k), "status": "found", "count": len(v)}
        for (g, k), v in sorted(idx.by_kind.items())
    ]
    return idx, kinds, warnings


def gather(
    src=None,
    client=None,
    page_size=500,
    options=None,
    detail="full",
    keep_frozen=False,
    src_namespace=None,
):
    """Read offline sources (``src``) or the cluster (``client``), then detect.

    The one path lb_info and lb_plan share. Returns ``(facts, kinds, warnings)``: facts is the
    detect() result (``detail="summary"``: detect_summary()'s) plus ``cluster`` (where it was
    read). Live, the route kinds are judged a page at a time as they are read. Raises
    SourceError (offline) or K8sError (live, also while the routes are read); nothing is
    written either way. What is read is kept out of the cyclic GC's sight while it runs
    (settled_gc); ``keep_frozen``: and after (a module process, which ends with the result).
    ``src_namespace``: the namespace offline objects without one belong to (kubectl apply -n).
    """
    with settled_gc(keep_frozen):
        return _gather(src, client, page_size, options, detail, src_namespace)


def _gather(src, client, page_size, options, detail, src_namespace=None):
    route_pages = None
    if src:
        idx, kinds, warnings = collect_offline(src, src_namespace)
        cluster = {"source": "offline", "src": src}
    else:
        # Imported here: an offline run never compiles the live reader (see planner._planner).
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.live import (
            collect_live,
        )

        idx, kinds, route_pages = collect_live(client, page_size=page_size, stream_routes=True)
        warnings = list(getattr(client, "discovery_warnings", None) or [])
        warnings += getattr(idx, "read_warnings", None) or []
        cluster = {"source": "live", "server": client.server, "context": client.context}
    settle()
    if detail == "summary":
        facts = detect_summary(idx, options, route_pages)
    else:
        facts = detect(idx, options, route_pages)
    facts["cluster"] = cluster
    return facts, kinds, warnings
