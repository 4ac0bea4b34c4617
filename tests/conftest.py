# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Every suite reads the vendors' material from the shared fixtures (tests/fixture_root.py):
when they are absent, stop with one error that names the setting, before collecting a test."""

from __future__ import annotations

import pytest
from fixture_root import SharedFixturesMissing, shared_fixtures


def pytest_configure(config):
    try:
        shared_fixtures()
    except SharedFixturesMissing as exc:
        raise pytest.UsageError(str(exc)) from None
