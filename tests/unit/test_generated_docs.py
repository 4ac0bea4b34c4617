# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""docs/findings.md and docs/vendors.md are generated from the catalogs and must be current."""

from __future__ import annotations

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _gen():
    spec = importlib.util.spec_from_file_location(
        "gen_docs", os.path.join(ROOT, "hacking", "gen_docs.py")
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_findings_doc_is_current():
    with open(os.path.join(ROOT, "docs", "findings.md")) as fh:
        assert fh.read() == _gen().findings_md(), "run: python hacking/gen_docs.py"


def test_vendors_doc_is_current():
    with open(os.path.join(ROOT, "docs", "vendors.md")) as fh:
        assert fh.read() == _gen().vendors_md(), "run: python hacking/gen_docs.py"
