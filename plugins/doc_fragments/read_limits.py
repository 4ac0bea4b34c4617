# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
#
# The bounds of a live read (lb_info, lb_plan): the argument spec is READ_LIMITS_ARG_SPEC in
# plugins/module_utils/k8s/args.py; keep both in sync. docs/reliability.md measures them.

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  deadline:
    description:
      - Time limit in seconds for the whole read of the cluster (every request, the answers'
        bodies included). O(request_timeout) bounds each wait for a byte, so a server that
        trickles its answer one byte at a time would pass it forever; this does not.
      - When it passes the module fails with an error naming the API server and the request it
        was answering (C(error.reason=timeout)). Not used with O(src).
    type: int
    default: 600
  max_response_size:
    description:
      - Largest answer of the API server the module reads, in MiB. Answers are read in chunks
        and never held beyond this size, so memory stays bounded whatever the server sends; a
        larger one fails the module with an error naming the server and the request
        (C(error.reason=server)).
      - A page of O(page_size) objects is usually a few MiB; lower O(page_size) rather than
        raising this for clusters of very large objects.
    type: int
    default: 64
"""
