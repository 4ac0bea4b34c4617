# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
#
# Options of the modules that read offline manifests (src), beside src itself, which each
# module describes in its own words.

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  src_namespace:
    description:
      - With O(src), the namespace of the namespaced objects that name none, as
        C(kubectl apply -n) would give them. C(helm template -n) leaves it out of the objects of
        some charts (AGIC's, for one); without this option they are read as in C(default).
      - Cluster-scoped kinds (IngressClass, GatewayClass, ClusterRole, and custom kinds whose
        CustomResourceDefinition in O(src) has C(scope=Cluster)) are left as they are.
      - An RFC 1123 label.
    type: str
"""
