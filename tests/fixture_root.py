# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The one setting that says where the vendors' own manifests, CRDs and rendered Helm charts
are: MESHGATE_SHARED_FIXTURES, by default ../shared/fixtures beside the checkout (where CI has
them). They are read from there and never copied into this repository; every suite, the harness,
the benchmark and hacking/ scripts get the folder from shared_fixtures() below."""

from __future__ import annotations

import os
from pathlib import Path

SETTING = "MESHGATE_SHARED_FIXTURES"
REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "fixtures"
# A file every copy of the shared fixtures has (its index, with provenance).
MARKER = "MANIFEST.md"


class SharedFixturesMissing(FileNotFoundError):
    """The shared fixtures are not where the setting says."""


def shared_fixtures_dir() -> Path:
    """The shared fixtures folder, without checking it is there."""
    return Path(os.environ.get(SETTING) or DEFAULT)


def missing_message(path: Path) -> str:
    where = (
        "%s=%s" % (SETTING, os.environ[SETTING])
        if os.environ.get(SETTING)
        else ("the default, ../shared/fixtures beside the checkout")
    )
    return (
        "the shared fixtures (the vendors' manifests, CRDs and rendered Helm charts the tests "
        "read) are not at %s (%s; no %s there): put the shared reference material beside the "
        "checkout as ../shared, or set %s to its fixtures folder" % (path, where, MARKER, SETTING)
    )


def shared_fixtures() -> Path:
    """The shared fixtures folder; SharedFixturesMissing, naming the setting, if it is absent."""
    path = shared_fixtures_dir()
    if not (path / MARKER).is_file():
        raise SharedFixturesMissing(missing_message(path))
    return path
