# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The vendors' own manifests the live tests load into a control plane."""

from __future__ import annotations

from pathlib import Path

import yaml
from fixture_root import shared_fixtures_dir

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------- vendor fixtures in the cluster
# The vendors' own manifests (../shared/fixtures) loaded with `kubectl apply --server-side`.
# Left out of the load, and why:
#   - admission webhook configurations: the API server would call webhooks whose pods never
#     run here (no kubelet), and reject every Ingress/Pod;
#   - CustomResourceDefinitions: the session fixture installed the real CRDs (harness.default_crd_paths());
#   - F5 NGINX's IngressClass "nginx": ingress-nginx ships one with the same name, and a
#     cluster can hold only one (spec.controller is immutable).
SHARED = shared_fixtures_dir()
SKIP_KINDS = {
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "CustomResourceDefinition",
    "APIService",
}
FILES = [
    "controllers/ingress-nginx/deploy-cloud.yaml",
    "controllers/contour/contour.yaml",
    "controllers/kong/all-in-one-dbless.yaml",
    "controllers/haproxytech/haproxy-ingress.yaml",
    "controllers/haproxytech/ingressclass.yaml",
    "controllers/nginx-inc/common-ns-and-sa.yaml",
    "controllers/nginx-inc/deployment-nginx-ingress.yaml",
    "controllers/nginx-inc/service-loadbalancer.yaml",
    "controllers/emissary/emissary-emissaryns-v2.1.0.yaml",
    "controllers/istio/istiod-rendered.golden.yaml",
    "controllers/istio/ingressgateway-rendered.golden.yaml",
    "controllers/istio/bookinfo.yaml",
    "controllers/istio/bookinfo-gateway.yaml",
    "examples/gke/ingress-asm-multi-backendconfig/backend-services.yaml",
    "examples/gke/ingress-asm-multi-backendconfig/istio-ingressgateway-service.yaml",
    "examples/contour/basic-httpproxy.yaml",
    "examples/nginx-inc/cafe.yaml",
    "examples/nginx-inc/cafe-virtual-server.yaml",
    "examples/aws-alb/2048_full.yaml",
    "examples/ingress-nginx/http-svc.yaml",
    "examples/ingress-nginx/affinity-cookie-ingress.yaml",
]


def load_vendor_fixtures(cp, path: Path) -> Path:
    """Apply the FILES (minus SKIP_KINDS) to a control plane; writes what it applied to path."""
    docs = []
    for rel in FILES:
        with open(SHARED / rel) as fh:
            for doc in yaml.safe_load_all(fh):
                if (
                    isinstance(doc, dict)
                    and doc.get("kind") not in SKIP_KINDS
                    and (doc.get("metadata") or {}).get("name")
                ):
                    docs.append(doc)
    namespaces = sorted({(d.get("metadata") or {}).get("namespace") for d in docs} - {None})
    pre = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in namespaces]
    path.write_text(yaml.safe_dump_all(pre + docs))
    cp.apply_manifests(str(path))
    return path
