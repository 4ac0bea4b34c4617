"""The data-path oracle tests: Istio's own config generator and simulator (built once, cached)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle  # noqa: E402


@pytest.fixture(scope="session")
def oracle_binary() -> Path:
    return oracle.oracle_binary()
