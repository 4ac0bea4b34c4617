# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Files of a GitOps checkout as people write them (comments, quotes, several documents), for
the lb_gitops tests, and the merge the edited files must mean."""

from __future__ import annotations

import textwrap


def _text(s):
    return textwrap.dedent(s).lstrip("\n")


def merged(base, values):
    """Helm's merge of values over base: mappings by key, anything else replaced."""
    out = dict(base or {})
    for k, v in values.items():
        out[k] = (
            merged(out.get(k), v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
        )
    return out


HELMRELEASE_FILE = _text("""
    ---
    apiVersion: source.toolkit.fluxcd.io/v1
    kind: HelmRepository
    metadata:
      name: ingress-nginx
      namespace: flux-system
    spec:
      interval: 1h
      url: https://kubernetes.github.io/ingress-nginx
    ---
    # The edge controller: values reviewed by the platform team
    apiVersion: helm.toolkit.fluxcd.io/v2
    kind: HelmRelease
    metadata:
      name: edge
      namespace: flux-system
    spec:
      interval: 10m
      targetNamespace: ingress-edge
      releaseName: edge
      chart:
        spec:
          chart: ingress-nginx
          version: "4.15.1"
          sourceRef:
            kind: HelmRepository
            name: ingress-nginx
      values:
        controller:
          replicaCount: 2  # two zones
    ---
    apiVersion: helm.toolkit.fluxcd.io/v2
    kind: HelmRelease
    metadata:
      name: podinfo
      namespace: flux-system
    spec:
      chart:
        spec:
          chart: podinfo
          version: 6.x
          sourceRef: {kind: HelmRepository, name: podinfo}
    """)


APPLICATION_FILE = _text("""
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: edge-ingress
      namespace: argocd
    spec:
      project: default
      source:
        chart: traefik
        repoURL: https://traefik.github.io/charts
        targetRevision: 41.3.0
        helm:
          releaseName: edge
          valuesObject:
            deployment:
              replicas: 2 # one per zone
      destination:
        server: https://kubernetes.default.svc
        namespace: traefik
    """)
