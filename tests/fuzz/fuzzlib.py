# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""What the fuzz targets share: the import path of the collection, the errors each target may
raise (the project's named errors; anything else is a crash), the seed objects read from the
shared fixtures at run time (never copied into the repository) and the structural mutator that
turns a real object into a hostile one (wrong types, missing or huge fields, unicode, deep
nesting), driven by atheris' FuzzedDataProvider so coverage guides it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
for path in (REPO / ".build" / "collections", REPO / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from fixture_root import shared_fixtures_dir  # noqa: E402

# The Helm renderings whose objects seed detection and planning (vendor charts with their
# defaults, Istio's gateway and istiod, and each vendor's routes).
SEED_SETS = (
    ("ingress-nginx/edge-default.yaml", "ingress-nginx/routes.yaml", "istio/istiod-default.yaml"),
    ("traefik/edge-default.yaml", "traefik/routes.yaml", "istio/gateway-istio-ingress.yaml"),
    ("contour/default.yaml", "contour/routes.yaml"),
    ("kong/edge-default.yaml", "kong/routes.yaml", "istio/istiod-default.yaml"),
    ("envoy-gateway/edge-default.yaml", "envoy-gateway/routes.yaml"),
)


def helm_dir():
    return shared_fixtures_dir() / "helm"


def seed_objects():
    """[(name, objects)] of SEED_SETS that exist in the shared fixtures, read as lb_info does."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import (
        load_sources,
    )

    out = []
    for files in SEED_SETS:
        paths = [helm_dir() / f for f in files]
        paths = [str(p) for p in paths if p.is_file()]
        if paths:
            objects, _warnings = load_sources(paths)
            out.append((",".join(files), objects))
    if not out:
        raise SystemExit("no seed objects under %s (shared fixtures missing?)" % helm_dir())
    return out


# --- the structural mutator ---------------------------------------------------------------

DEEP = 5000  # nesting of the deep values: above Python's recursion limit on purpose
HUGE = 200_000  # characters of the huge strings, elements of the huge lists

_UNICODE = (
    "\u0000",
    "\ufeff",
    "é",
    "\u202e",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\ud800",  # a lone surrogate: what JSON "\ud800" decodes to
    "名前",
    "\n---\n",
    "\x1b[31m",
)


def _deep(fdp):
    value = None if fdp.ConsumeBool() else "x"
    as_list = fdp.ConsumeBool()
    for _level in range(fdp.ConsumeIntInRange(1, DEEP)):
        value = [value] if as_list else {"a": value}
    return value


def random_value(fdp, like=None):
    """A hostile value: of another type than ``like``, missing, huge, unicode or deep."""
    choice = fdp.ConsumeIntInRange(0, 14)
    if choice == 0:
        return None
    if choice == 1:
        return fdp.ConsumeInt(8)
    if choice == 2:
        return fdp.ConsumeFloat()
    if choice == 3:
        return fdp.ConsumeBool()
    if choice == 4:
        return fdp.ConsumeUnicode(32)
    if choice == 5:
        return [] if fdp.ConsumeBool() else {}
    if choice == 6:
        return "x" * fdp.ConsumeIntInRange(1, HUGE)
    if choice == 7:
        return _UNICODE[fdp.ConsumeIntInRange(0, len(_UNICODE) - 1)] * fdp.ConsumeIntInRange(1, 4)
    if choice == 8:
        return _deep(fdp)
    if choice == 9:
        return [random_value(fdp) for _item in range(fdp.ConsumeIntInRange(0, 3))]
    if choice == 10:
        return {
            fdp.ConsumeUnicode(8): random_value(fdp) for _item in range(fdp.ConsumeIntInRange(0, 3))
        }
    if choice == 11:
        return ["item"] * fdp.ConsumeIntInRange(0, HUGE // 10)
    if choice == 12 and isinstance(like, str):
        return like + _UNICODE[fdp.ConsumeIntInRange(0, len(_UNICODE) - 1)]
    if choice == 13 and isinstance(like, (int, float)) and not isinstance(like, bool):
        return str(like)  # "8080" for 8080: what a careless manifest writes
    if choice == 14 and isinstance(like, str):
        return {"value": like}
    return fdp.ConsumeUnicode(4)


def _children(node):
    if isinstance(node, dict):
        return list(node)
    if isinstance(node, list):
        return list(range(len(node)))
    return []


def mutate(root, fdp, max_mutations=6):
    """``root`` (a tree of dicts and lists, changed in place) with 1..max_mutations structural
    mutations, each at a node reached by walking down from the root as the fuzzer chooses."""
    for _mutation in range(fdp.ConsumeIntInRange(1, max_mutations)):
        parent, key = None, None
        node = root
        while True:
            keys = _children(node)
            if not keys or (parent is not None and fdp.ConsumeIntInRange(0, 3) == 0):
                break
            key = keys[fdp.ConsumeIntInRange(0, len(keys) - 1)]
            parent, node = node, node[key]
        if parent is None:
            continue
        op = fdp.ConsumeIntInRange(0, 3)
        if op == 0 and isinstance(parent, dict):
            del parent[key]
        elif op == 1 and isinstance(parent, dict):
            parent[fdp.ConsumeUnicode(12)] = random_value(fdp)
        elif op == 2 and isinstance(parent, list):
            parent.append(random_value(fdp, node))
        else:
            parent[key] = random_value(fdp, node)
    return root


def copy_tree(node):
    """A deep copy of plain JSON data (faster than copy.deepcopy, no memo)."""
    if isinstance(node, dict):
        return {k: copy_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [copy_tree(v) for v in node]
    return node


def quiet():
    """No output from the code under test (warnings printed per run would swamp the log)."""
    import warnings

    warnings.simplefilter("ignore")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
