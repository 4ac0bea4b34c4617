# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The one error of a GitOps file edit: the file or the request is wrong, the file is left as
it is. The message names the file and says what to do."""

from __future__ import annotations


class GitopsEditError(Exception):
    """The edit is refused; nothing was written."""
