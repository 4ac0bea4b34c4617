# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The migrate mode: a source load balancer's Ingresses translated to Gateway API on Istio."""
