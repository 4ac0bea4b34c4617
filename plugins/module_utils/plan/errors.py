# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The planner's one error: the request itself is wrong, so nothing can be planned."""

from __future__ import annotations


class PlanError(Exception):
    """The request itself is wrong (unknown mode, bad option): nothing can be planned."""
