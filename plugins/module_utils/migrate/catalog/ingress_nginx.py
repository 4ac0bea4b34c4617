# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The ingress-nginx annotation catalog: which feature each annotation means, as data.

The translator (migrate/translate.py) works on features, never on vendor annotation keys: a
source vendor is one catalog like this one (its annotation prefix, each annotation's feature
and, for the ones without an equivalent, why and what the user must decide). Traefik or F5
NGINX become a catalog each, mapping their own keys onto the same features.

Features the translator implements: class, regex, rewrite, app-root, ssl-redirect,
force-ssl-redirect, redirect, redirect-code, canary, cors, timeout, connect-timeout,
backend-protocol, upstream-vhost, source-allow, source-deny, affinity, hash-by, auth-url,
auth-response-headers, body-size. "info" annotations only tune another one (read by it).
Everything with a "why" is not translated: the plan is refused unless it is accepted by name.
Semantics: https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/
(controller-v1.15.1, docs/user-guide/nginx-configuration/annotations.md).
"""

from __future__ import annotations

_SNIPPET = (
    "raw NGINX configuration has no Gateway API or Istio equivalent; rewrite what it does "
    "as Gateway API filters or Istio policy, then accept it by name"
)
_RATE = (
    "Istio's local rate limit needs an EnvoyFilter (no Gateway API or Istio API field); set one "
    "up for the gateway, or accept losing the limit"
)
_AUTH_TLS = (
    "client-certificate checks on the gateway are a Gateway frontend TLS setting "
    "(spec.tls.frontend, Gateway API v1.5 standard) for the whole listener port, not per "
    "Ingress; configure it on the Gateway, then accept"
)

CATALOG = {
    "prefix": "nginx.ingress.kubernetes.io/",
    # The IngressClass controller these Ingresses belong to (reported, not translated).
    "class_annotation": "kubernetes.io/ingress.class",
    "annotations": {
        "use-regex": {"feature": "regex"},
        "rewrite-target": {"feature": "rewrite"},
        "app-root": {"feature": "app-root"},
        "ssl-redirect": {"feature": "ssl-redirect"},
        "force-ssl-redirect": {"feature": "force-ssl-redirect"},
        "permanent-redirect": {"feature": "redirect", "code": 301},
        "permanent-redirect-code": {"feature": "info", "of": "permanent-redirect"},
        "temporal-redirect": {"feature": "redirect", "code": 302},
        "temporal-redirect-code": {"feature": "info", "of": "temporal-redirect"},
        "canary": {"feature": "canary"},
        "canary-weight": {"feature": "info", "of": "canary"},
        "canary-weight-total": {"feature": "info", "of": "canary"},
        "canary-by-header": {"feature": "info", "of": "canary"},
        "canary-by-header-value": {"feature": "info", "of": "canary"},
        "canary-by-header-pattern": {"feature": "info", "of": "canary"},
        "canary-by-cookie": {"feature": "info", "of": "canary"},
        "enable-cors": {"feature": "cors"},
        "cors-allow-origin": {"feature": "info", "of": "enable-cors"},
        "cors-allow-methods": {"feature": "info", "of": "enable-cors"},
        "cors-allow-headers": {"feature": "info", "of": "enable-cors"},
        "cors-expose-headers": {"feature": "info", "of": "enable-cors"},
        "cors-allow-credentials": {"feature": "info", "of": "enable-cors"},
        "cors-max-age": {"feature": "info", "of": "enable-cors"},
        "proxy-read-timeout": {"feature": "timeout"},
        "proxy-send-timeout": {"feature": "timeout"},
        "proxy-connect-timeout": {"feature": "connect-timeout"},
        "backend-protocol": {"feature": "backend-protocol"},
        "upstream-vhost": {"feature": "upstream-vhost"},
        "whitelist-source-range": {"feature": "source-allow"},
        "denylist-source-range": {"feature": "source-deny"},
        "affinity": {"feature": "affinity"},
        "affinity-mode": {"feature": "info", "of": "affinity"},
        "session-cookie-name": {"feature": "info", "of": "affinity"},
        "session-cookie-path": {"feature": "info", "of": "affinity"},
        "session-cookie-max-age": {"feature": "info", "of": "affinity"},
        "session-cookie-expires": {"feature": "info", "of": "affinity"},
        "upstream-hash-by": {"feature": "hash-by"},
        "auth-url": {"feature": "auth-url"},
        "auth-response-headers": {"feature": "info", "of": "auth-url"},
        "auth-method": {"feature": "info", "of": "auth-url"},
        "proxy-body-size": {"feature": "body-size"},
        # No equivalent: each says why and what the user must decide.
        "configuration-snippet": {"why": _SNIPPET},
        "server-snippet": {"why": _SNIPPET},
        "auth-snippet": {"why": _SNIPPET},
        "stream-snippet": {"why": _SNIPPET},
        "limit-rps": {"why": _RATE},
        "limit-rpm": {"why": _RATE},
        "limit-connections": {"why": _RATE},
        "limit-burst-multiplier": {"why": _RATE},
        "limit-whitelist": {"why": _RATE},
        "custom-http-errors": {
            "why": "Gateway API and Istio cannot replace upstream error responses with another "
            "backend's pages; serve them from the application, or accept the backends' own error pages"
        },
        "default-backend": {
            "why": "a per-Ingress backend for upstream errors and missing endpoints has no Gateway "
            "API equivalent (a route's backend cannot be a fallback); accept the gateway's own 503"
        },
        "auth-signin": {
            "why": "Istio external authorization returns the auth service's denial as is, it does "
            "not redirect to a sign-in page: let the auth service (e.g. oauth2-proxy) redirect itself, "
            "then accept"
        },
        "auth-tls-secret": {"why": _AUTH_TLS},
        "auth-tls-verify-client": {"why": _AUTH_TLS},
        "auth-tls-verify-depth": {"why": _AUTH_TLS},
        "auth-tls-error-page": {"why": _AUTH_TLS},
        "auth-tls-pass-certificate-to-upstream": {"why": _AUTH_TLS},
        "ssl-passthrough": {
            "why": "TLS passthrough needs a TLSRoute on a Passthrough listener (not an HTTPRoute); "
            "migrate this host separately, then accept"
        },
        "upstream-hash-by-subset": {
            "why": "consistent hashing within subsets has no Istio equivalent (Istio hashes over "
            "all endpoints); accept plain consistent hashing"
        },
        "upstream-hash-by-subset-size": {"why": "see upstream-hash-by-subset"},
        "proxy-buffering": {
            "why": "Envoy streams; NGINX buffering has no Gateway API or Istio setting; accept "
            "streaming"
        },
        "proxy-buffer-size": {"why": "Envoy has no per-route proxy buffer size; accept"},
        "client-body-buffer-size": {"why": "Envoy has no per-route client body buffer; accept"},
        "ssl-ciphers": {
            "why": "cipher suites are set per Gateway (Istio: the gateway's TLS options), not "
            "per Ingress; configure the Gateway, then accept"
        },
        "server-alias": {
            "why": "add the alias host names to the Ingress rules (or the HTTPRoute), then accept"
        },
        "x-forwarded-prefix": {
            "why": "Gateway API sets no X-Forwarded-Prefix header on a rewrite; set it with a "
            "RequestHeaderModifier if the backend needs it, then accept"
        },
        "service-upstream": {
            "why": "Istio always sends to the Service (and load balances over its endpoints "
            "itself); nothing to translate, accept"
        },
        "mirror-target": {
            "why": "request mirroring to a URL is not a Gateway API RequestMirror (which takes a "
            "Service); add a RequestMirror filter by hand, then accept"
        },
        "satisfy": {"why": "combined auth rules (satisfy any) have no Istio equivalent; accept"},
        "enable-modsecurity": {
            "why": "Istio has no web application firewall; deploy one in front or accept"
        },
        "enable-owasp-core-rules": {"why": "see enable-modsecurity"},
        "modsecurity-snippet": {"why": _SNIPPET},
        "proxy-ssl-secret": {
            "why": "client certificates to the backend: use a DestinationRule tls MUTUAL with "
            "credentialName by hand (or mesh mTLS), then accept"
        },
        "proxy-ssl-verify": {"why": "see proxy-ssl-secret"},
        "proxy-ssl-name": {"why": "see proxy-ssl-secret"},
        "proxy-next-upstream": {
            "why": "retries are an Istio VirtualService or Gateway API retry setting with other "
            "semantics; configure retries deliberately, then accept"
        },
        "proxy-next-upstream-tries": {"why": "see proxy-next-upstream"},
        "proxy-next-upstream-timeout": {"why": "see proxy-next-upstream"},
        "global-rate-limit": {"why": _RATE},
    },
}
