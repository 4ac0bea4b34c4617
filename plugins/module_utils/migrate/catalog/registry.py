# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Source catalogs of the migrate mode: one entry per source vendor (its annotation data).
The package docstring would live in __init__.py, which ansible-test wants empty: the migrate
mode translates a source load balancer's Ingresses to Gateway API on Istio (translate.py)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.catalog.ingress_nginx import (
    CATALOG as INGRESS_NGINX,
)

SOURCES = {"ingress-nginx": INGRESS_NGINX}
