# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""plan/options.py OPTIONS is the one declaration of every plan option: lb_plan's argument spec
and plan()'s defaults are made from it, and the places Ansible needs written out by hand -
lb_plan's DOCUMENTATION, each mode role's meta/argument_specs.yml, defaults and task mapping -
must say exactly what the table says (name, type, elements, default, choices, which roles)."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.options import (
    DEFAULT_OPTIONS,
    OPTION_NAME_RULES,
    OPTIONS,
    OPTIONS_BY_NAME,
    plan_argument_spec,
)
from ansible_collections.meshgate.istio_lb.plugins.modules import lb_plan

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
MODE_ROLES = ("standalone_mtls", "chained_gateway", "gclb_chained", "migrate_ingress_nginx")
# lb_plan's own options (not plan options): what to plan from, and where to write it.
MODULE_OWN = {"mode", "facts", "src", "dest", "page_size"}  # src_namespace: offline_source fragment


def _declared(spec):
    """An argument-spec entry as the table would declare it (absent default = None)."""
    return {
        "type": spec.get("type", "str"),
        "elements": spec.get("elements"),
        "default": spec.get("default"),
        "choices": list(spec["choices"]) if spec.get("choices") else None,
    }


def _from_table(option):
    return _declared(option.argument_spec())


def _role_expression(role, option):
    """What a mode role passes lb_plan for one plan option."""
    var = "%s_%s" % (role, option.name)
    if option.type == "list":
        return "{{ %s | meshgate.istio_lb.lb_list }}" % var
    return "{{ %s }}" % var


def _yaml(*parts):
    with open(os.path.join(ROOT, *parts)) as fh:
        return yaml.safe_load(fh)


def test_defaults_and_rules_come_from_the_table():
    assert list(DEFAULT_OPTIONS) == [o.name for o in OPTIONS]
    assert DEFAULT_OPTIONS == {o.name: o.default for o in OPTIONS}
    assert dict(OPTION_NAME_RULES) == {o.name: o.rule for o in OPTIONS if o.rule}
    spec = lb_plan.argument_spec()
    assert {k: spec[k] for k in OPTIONS_BY_NAME} == plan_argument_spec()


def test_lb_plan_documentation_says_what_the_table_says():
    doc = yaml.safe_load(lb_plan.DOCUMENTATION)["options"]
    for option in OPTIONS:
        assert option.name in doc, "lb_plan DOCUMENTATION lacks plan option %s" % option.name
        assert doc[option.name].get("description"), option.name
        assert _declared(doc[option.name]) == _from_table(option), option.name
    # Everything else it documents is the module's own or comes from the auth fragment.
    assert set(doc) - set(OPTIONS_BY_NAME) == MODULE_OWN


@pytest.mark.parametrize("role", MODE_ROLES)
def test_each_mode_role_exposes_exactly_its_options_as_the_table_says(role):
    spec = _yaml("roles", role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    defaults = _yaml("roles", role, "defaults", "main.yml")
    tasks = _yaml("roles", role, "tasks", "main.yml")
    mapping = tasks[0]["vars"]
    passed = mapping["%s_plan_options" % role]
    mine = [o for o in OPTIONS if role in o.roles]
    assert mine, role
    for option in mine:
        var = "%s_%s" % (role, option.name)
        assert var in spec, "%s: meta/argument_specs.yml lacks %s" % (role, var)
        assert spec[var].get("description"), var
        assert _declared(spec[var]) == _from_table(option), var
        assert var in defaults and defaults[var] == option.default, var
    # The role hands lb_plan exactly its options, each from its own variable; a list option goes
    # through lb_list so an AWX survey's text answer works as well as a YAML list.
    assert passed == {o.name: _role_expression(role, o) for o in mine}
    # A plan option the table does not give this role is not offered under its prefix.
    others = {"%s_%s" % (role, o.name) for o in OPTIONS if role not in o.roles}
    assert not others & (set(spec) | set(defaults))


def test_every_role_named_by_the_table_exists():
    named = {r for o in OPTIONS for r in o.roles}
    assert named == set(MODE_ROLES)


def test_plan_itself_refuses_a_value_outside_an_options_choices():
    """The filter path (plan() without the module's argument spec) checks choices too, each
    bad option named, before anything is planned."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.options import (
        validate_options,
    )

    with pytest.raises(PlanError) as err:
        validate_options({"ingress_class": "nginx", "backend_protocol": "GRPC"})
    assert str(err.value) == (
        "ingress_class: must be gce or gce-internal, not 'nginx'; "
        "backend_protocol: must be HTTP or HTTPS or HTTP2, not 'GRPC'"
    )
    validate_options(dict(DEFAULT_OPTIONS))  # every default is one of its choices
