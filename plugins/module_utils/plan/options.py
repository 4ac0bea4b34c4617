# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""What a plan request may say: the modes, every plan option with its default, and the check
of option values (Kubernetes / DNS naming rules, see names.RULES) run before anything is read."""

from __future__ import annotations

import re

from ansible_collections.meshgate.istio_lb.plugins.module_utils import names
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError

MODES = ("standalone", "standalone_mtls", "chained", "gclb_chained", "ambient")

DEFAULT_OPTIONS = {
    "load_balancers": None,
    "namespaces": None,
    "hosts": None,
    "revision": None,
    "global_switch": False,
    "exclude_api_server": True,
    "gateway": None,
    "route_api": "istio",
    "gateway_credential_name": None,
    "num_trusted_proxies": None,
    "istio_api_version": None,
    "cluster_domain": "cluster.local",
    "ingress_class": "gce",
    "backend_protocol": "HTTP",
    "static_ip_name": None,
    "managed_certificate_domains": None,
    "https_redirect": False,
    "ssl_policy": None,
    "ingress_name": "meshgate-gclb",
    "gke_gateway_class": None,
}


# Which Kubernetes / DNS naming rule each name-valued option follows (see names.RULES).
OPTION_NAME_RULES = (
    ("load_balancers", "workload_ref"),
    ("namespaces", "label"),
    ("hosts", "hostname"),
    ("revision", "label"),
    ("gateway", "namespaced_name"),
    ("gateway_credential_name", "subdomain"),
    ("cluster_domain", "domain"),
    ("static_ip_name", "label_1035"),  # Google Cloud resource names are RFC 1035 labels
    ("managed_certificate_domains", "domain"),  # ManagedCertificate takes no wildcards
    ("ssl_policy", "label_1035"),
    ("ingress_name", "subdomain"),
    ("gke_gateway_class", "subdomain"),
)


def validate_options(options):
    """Raise PlanError naming every bad option value; called before anything is read."""
    problems = names.check_all(
        (key, options.get(key), rule)
        for key, rule in OPTION_NAME_RULES
        if options.get(key) is not None
    )
    if options.get("route_api") not in (None, "istio", "gateway-api"):
        problems.append("route_api: must be istio or gateway-api, not %r" % options["route_api"])
    proxies = options.get("num_trusted_proxies")
    if proxies is not None and (not isinstance(proxies, int) or proxies < 0):
        problems.append("num_trusted_proxies: must be a whole number >= 0, not %r" % (proxies,))
    version = options.get("istio_api_version")
    if version is not None and not re.match(r"^v[0-9]+((alpha|beta)[0-9]+)?$", str(version)):
        problems.append(
            "istio_api_version: %r is not a Kubernetes API version (v1, v1beta1, v1alpha3)"
            % (version,)
        )
    if problems:
        raise PlanError("; ".join(problems))
