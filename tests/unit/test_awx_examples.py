# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The shipped AWX examples (examples/awx): each job-template survey asks only for variables its
role declares, with choices and types the role accepts, and its answers, passed the way AWX
passes them (text for text and multiple choice, numbers for integers), pass the role's own
argument-spec validation and reach lb_plan as lists; the credential type injects the variable
the example inventory reads, and the inventory gives each host its kubeconfig as a dict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.meshgate.istio_lb.plugins.filter.istio_lb import lb_list

ROOT = Path(__file__).resolve().parents[2]
AWX = ROOT / "examples" / "awx"
SURVEYS = sorted(AWX.glob("survey-*.json"))
# AWX question types -> the role option types that can take their answer.
TYPES = {
    "text": {"str", "list", "path"},
    "textarea": {"str", "list"},
    "multiplechoice": {"str", "bool"},
    "integer": {"int"},
}


def _role_options(survey_path):
    role = survey_path.stem.split("-", 1)[1]
    spec = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())
    return spec["argument_specs"]["main"]["options"]


def _answers(survey):
    """What AWX passes for the defaults (a blank optional answer is not passed), plus a list
    typed as a user types it."""
    out = {}
    for q in survey["spec"]:
        if q["default"] != "":
            out[q["variable"]] = q["default"]
        elif q["type"] == "textarea":
            out[q["variable"]] = "ingress-nginx/edge, kong/kong\ncontour"
    return out


def test_there_is_a_survey_per_mode_playbook():
    assert [p.name for p in SURVEYS] == [
        "survey-chained_gateway.json",
        "survey-standalone_mtls.json",
    ]


@pytest.mark.parametrize("path", SURVEYS, ids=lambda p: p.stem)
def test_each_question_is_an_option_of_the_role_with_a_type_it_takes(path):
    survey, options = json.loads(path.read_text()), _role_options(path)
    for q in survey["spec"]:
        opt = options.get(q["variable"])
        assert opt, "%s asks for %s, which the role does not declare" % (path.name, q["variable"])
        assert opt.get("type", "str") in TYPES[q["type"]], q["variable"]
        if q["type"] == "multiplechoice":
            assert q["default"] in q["choices"]
            if opt.get("type") == "bool":
                assert sorted(q["choices"]) == ["false", "true"]
            else:
                assert set(q["choices"]) <= set(opt["choices"]), q["variable"]


@pytest.mark.parametrize("path", SURVEYS, ids=lambda p: p.stem)
def test_the_answers_pass_the_roles_validation_and_reach_lb_plan_as_lists(path):
    survey, options = json.loads(path.read_text()), _role_options(path)
    answers = _answers(survey)
    result = ArgumentSpecValidator(options).validate(answers)
    assert not result.error_messages, result.error_messages
    for q in survey["spec"]:
        if q["type"] == "textarea":
            assert lb_list(answers[q["variable"]]) == ["ingress-nginx/edge", "kong/kong", "contour"]
    assert lb_list("") is None and lb_list([" ", None]) is None and lb_list(None) is None


def test_the_credential_type_feeds_the_inventory_a_kubeconfig_per_host(tmp_path):
    ctype = yaml.safe_load((AWX / "credential-type-fleet-kubeconfigs.yml").read_text())
    (field,) = ctype["inputs"]["fields"]
    assert field["secret"] is True and field["multiline"] is True
    ((var, template),) = ctype["injectors"]["extra_vars"].items()
    assert template == "{{ %s }}" % field["id"]
    kubeconfigs = {
        host: {"apiVersion": "v1", "kind": "Config", "current-context": "ctx-" + host}
        for host in ("prod-eu", "prod-us")
    }
    # As AWX writes injected extra vars: unsafe text, never templated.
    extra = tmp_path / "extravars.yml"
    extra.write_text("%s: !unsafe %s\n" % (var, json.dumps(yaml.safe_dump(kubeconfigs))))
    out = tmp_path / "out.json"
    play = [
        {
            "hosts": "clusters",
            "gather_facts": False,
            "tasks": [
                {
                    "name": "each host's kubeconfig",
                    "ansible.builtin.copy": {
                        "content": "{{ dict(ansible_play_hosts | zip(ansible_play_hosts"
                        " | map('extract', hostvars, 'meshgate_kubeconfig'))) | to_json }}",
                        "dest": str(out),
                        "mode": "0600",
                    },
                    "run_once": True,
                }
            ],
        }
    ]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            str(AWX / "inventory.yml"),
            str(tmp_path / "play.yml"),
            "-e",
            "@%s" % extra,
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=sys.executable),
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert json.loads(out.read_text()) == kubeconfigs
