# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""What a plan request may say: the modes, every plan option with its default, and the check
of option values (Kubernetes / DNS naming rules, see names.RULES) run before anything is read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.meshgate.istio_lb.plugins.module_utils import names
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError

MODES = ("standalone", "standalone_mtls", "chained", "gclb_chained", "ambient", "migrate")


@dataclass(frozen=True)
class PlanOption:
    """One plan option, declared once: lb_plan's argument spec and plan()'s defaults are made from
    it, and lb_plan's DOCUMENTATION and the mode roles' argument specs, defaults and tasks are
    checked against it (tests/unit/plugins/module_utils/test_plan_options.py)."""

    name: str
    type: str  # an Ansible argument-spec type: str, bool, int, list
    default: object = None
    elements: str = None  # for lists
    choices: tuple = None
    rule: str = None  # the Kubernetes / DNS naming rule its values follow (names.RULES)
    roles: tuple = ()  # the mode roles that expose it (as <role>_<name>)

    def argument_spec(self):
        spec = {"type": self.type}
        for key in ("default", "elements", "choices"):
            value = getattr(self, key)
            if value is not None:
                spec[key] = list(value) if key == "choices" else value
        return spec


_STANDALONE = ("standalone_mtls",)
_CHAINED = ("chained_gateway",)
_GCLB = ("gclb_chained",)
_MIGRATE = ("migrate_ingress_nginx",)

OPTIONS = (
    PlanOption(
        "load_balancers",
        "list",
        elements="str",
        rule="workload_ref",
        roles=_STANDALONE + _CHAINED + _MIGRATE,
    ),
    PlanOption("namespaces", "list", elements="str", rule="label", roles=_STANDALONE + _CHAINED),
    PlanOption("hosts", "list", elements="str", rule="hostname", roles=_CHAINED + _GCLB + _MIGRATE),
    PlanOption("revision", "str", rule="label", roles=_STANDALONE),
    PlanOption("global_switch", "bool", default=False, roles=_STANDALONE),
    PlanOption("exclude_api_server", "bool", default=True, roles=_STANDALONE),
    PlanOption("gateway", "str", rule="namespaced_name", roles=_CHAINED + _GCLB + _MIGRATE),
    PlanOption(
        "route_api", "str", default="istio", choices=("istio", "gateway-api"), roles=_CHAINED
    ),
    PlanOption("num_trusted_proxies", "int", roles=_CHAINED),
    PlanOption("gateway_credential_name", "str", rule="subdomain", roles=_CHAINED + _GCLB),
    PlanOption("istio_api_version", "str"),
    PlanOption("cluster_domain", "str", default="cluster.local", rule="domain"),
    PlanOption("ingress_class", "str", default="gce", choices=("gce", "gce-internal"), roles=_GCLB),
    PlanOption(
        "backend_protocol", "str", default="HTTP", choices=("HTTP", "HTTPS", "HTTP2"), roles=_GCLB
    ),
    # Google Cloud resource names are RFC 1035 labels.
    PlanOption("static_ip_name", "str", rule="label_1035", roles=_GCLB),
    # A ManagedCertificate takes no wildcards.
    PlanOption("managed_certificate_domains", "list", elements="str", rule="domain", roles=_GCLB),
    PlanOption("https_redirect", "bool", default=False, roles=_GCLB),
    PlanOption("ssl_policy", "str", rule="label_1035", roles=_GCLB),
    PlanOption("ingress_name", "str", default="meshgate-gclb", rule="subdomain", roles=_GCLB),
    PlanOption("gke_gateway_class", "str", rule="subdomain", roles=_GCLB),
    # Mode migrate: annotations accepted untranslated, the stage, how traffic moves.
    PlanOption("migrate_accept", "list", elements="str", roles=_MIGRATE),
    PlanOption(
        "migrate_stage",
        "str",
        default="parallel",
        choices=("parallel", "cutover", "retire"),
        roles=_MIGRATE,
    ),
    PlanOption("migrate_cutover", "str", default="dns", choices=("dns", "service"), roles=_MIGRATE),
)
OPTIONS_BY_NAME = {o.name: o for o in OPTIONS}
DEFAULT_OPTIONS = {o.name: o.default for o in OPTIONS}
# Which Kubernetes / DNS naming rule each name-valued option follows (see names.RULES).
OPTION_NAME_RULES = tuple((o.name, o.rule) for o in OPTIONS if o.rule)


def plan_argument_spec():
    """lb_plan's argument spec for the plan options (the module adds its own and auth's)."""
    return {o.name: o.argument_spec() for o in OPTIONS}


def validate_options(options):
    """Raise PlanError naming every bad option value; called before anything is read."""
    problems = names.check_all(
        (key, options.get(key), rule)
        for key, rule in OPTION_NAME_RULES
        if options.get(key) is not None
    )
    for option in OPTIONS:
        value = options.get(option.name)
        if option.choices and value is not None and value not in option.choices:
            problems.append(
                "%s: must be %s, not %r" % (option.name, " or ".join(option.choices), value)
            )
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
