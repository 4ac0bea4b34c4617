# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The documentation each planned patch cites (its "reference")."""

from __future__ import annotations

LB_DOC = "https://istio.io/latest/docs/ops/integrations/loadbalancers/"
PA_DOC = "https://istio.io/latest/docs/reference/config/security/peer_authentication/"
TOPO_DOC = "https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/"
# Google's recipe for a GKE Ingress with BackendConfig in front of the Istio ingress gateway.
GCLB_DOC = (
    "https://github.com/GoogleCloudPlatform/gke-networking-recipes/tree/main/ingress/"
    "single-cluster/ingress-asm-multi-backendconfig"
)
AMBIENT_DOC = "https://istio.io/latest/docs/ambient/usage/add-workloads/"
