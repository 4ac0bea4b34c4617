# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""lb_gitops run by ansible-playbook on a real git checkout: a plan the real planner made from
the vendors' rendered charts (ingress-nginx kept by a Flux HelmRelease, Traefik by an Argo CD
Application, Kong by plain Helm), one task per plan.gitops entry as docs/gitops.md shows.
`git diff` shows exactly the intended lines; check mode writes nothing; a second run changes
nothing (files not even rewritten); a refusal leaves its file as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent / "plugins" / "module_utils"))
from gitops_files import APPLICATION_FILE, HELMRELEASE_FILE, merged  # noqa: E402 - test helpers
from shared_fixtures import gitops_kept_plan  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PLAN = gitops_kept_plan()

RELEASE = "clusters/prod/ingress-nginx/release.yaml"
APPLICATION = "clusters/prod/traefik/application.yaml"
VALUES = "clusters/prod/kong/values.yaml"
FILES = {
    "edge-ingress-nginx-controller": RELEASE,
    "edge-traefik": APPLICATION,
    "edge-kong": VALUES,
}

CHECKOUT = {
    RELEASE: HELMRELEASE_FILE,
    APPLICATION: APPLICATION_FILE,
    VALUES: textwrap.dedent("""
        # Kong at the edge (release edge)
        image:
          repository: kong
          tag: "3.9"

        podLabels: {}

        # The proxy Service
        proxy:
          type: LoadBalancer
          annotations: {}
        env:
          database: "off"
        """).lstrip("\n"),
}

# What the plan's values must add to each file, line for line (and remove: the empty flow
# mapping that gets a key).
INTENDED = {
    RELEASE: (
        [],
        [
            "      podLabels:",
            '        sidecar.istio.io/inject: "true"',
            "      podAnnotations:",
            '        traffic.sidecar.istio.io/includeInboundPorts: ""',
            "        proxy.istio.io/config: '{\"holdApplicationUntilProxyStarts\":true}'",
        ],
    ),
    APPLICATION: (
        [],
        [
            "          podLabels:",
            '            sidecar.istio.io/inject: "true"',
            "          podAnnotations:",
            '            traffic.sidecar.istio.io/includeInboundPorts: ""',
            "            proxy.istio.io/config: '{\"holdApplicationUntilProxyStarts\":true}'",
            "        providers:",
            "          kubernetesCRD:",
            "            nativeLBByDefault: true",
            "          kubernetesIngress:",
            "            nativeLBByDefault: true",
        ],
    ),
    VALUES: (
        ["podLabels: {}"],
        [
            "podLabels:",
            '  sidecar.istio.io/inject: "true"',
            "podAnnotations:",
            "  proxy.istio.io/config: '{\"holdApplicationUntilProxyStarts\":true}'",
        ],
    ),
}

PLAY = """
- name: Merge the plan's Helm values into the GitOps checkout
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    plan: "{{ lookup('ansible.builtin.file', plan_file) | ansible.builtin.from_json }}"
  tasks:
    - name: One task per GitOps-kept load balancer
      meshgate.istio_lb.lb_gitops:
        plan: "{{ item }}"
        path: "{{ checkout }}/{{ files[item.target.name] }}"
        version: "{{ (versions | default({}))[item.target.name] | default(omit) }}"
        backup: "{{ backup | default(false) }}"
      loop: "{{ plan.gitops | selectattr('helm_values', 'defined') }}"
      loop_control:
        label: "{{ item.target.name }}"
      register: edits
      ignore_errors: "{{ keep_going | default(false) }}"

    - name: Keep the results for the test
      ansible.builtin.copy:
        content: "{{ edits | ansible.builtin.to_json }}"
        dest: "{{ results_file }}"
        mode: "0600"
      changed_when: false
      check_mode: false
"""


def _git(repo, *args):
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    proc = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.org", *args],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return proc.stdout


@pytest.fixture
def checkout(tmp_path):
    repo = tmp_path / "gitops"
    for rel, text in CHECKOUT.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "the checkout")
    return repo


def _run(tmp_path, repo, *flags, **extra):
    (tmp_path / "plan.json").write_text(json.dumps(PLAN))
    (tmp_path / "play.yml").write_text(PLAY)
    results = tmp_path / "results.json"
    extra_vars = dict(
        plan_file=str(tmp_path / "plan.json"),
        checkout=str(repo),
        files=FILES,
        results_file=str(results),
        ansible_python_interpreter=sys.executable,
        **extra,
    )
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"))
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,",
         str(tmp_path / "play.yml"), "-e", json.dumps(extra_vars), *flags],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return {r["item"]["target"]["name"]: r for r in json.loads(results.read_text())["results"]}


def _diff_lines(repo, rel):
    removed, added = [], []
    for line in _git(repo, "diff", "-U0", "--", rel).splitlines():
        if line.startswith("-") and not line.startswith("---"):
            removed.append(line[1:])
        elif line.startswith("+") and not line.startswith("+++"):
            added.append(line[1:])
    return removed, added


def _mtimes(repo):
    return {rel: (repo / rel).stat().st_mtime_ns for rel in CHECKOUT}


def test_the_plan_is_merged_into_the_checkout_once(tmp_path, checkout):
    entries = {e["target"]["name"]: e for e in PLAN["gitops"] if e.get("helm_values")}
    assert sorted(entries) == sorted(FILES)

    # Check mode: every change predicted, with its diff; nothing written.
    before = _mtimes(checkout)
    checked = _run(tmp_path, checkout, "--check", "--diff")
    assert all(r["changed"] and r["diff"]["before"] != r["diff"]["after"] for r in checked.values())
    assert _git(checkout, "status", "--porcelain") == "" and _mtimes(checkout) == before

    edited = _run(tmp_path, checkout)
    assert {n: r["changed"] for n, r in edited.items()} == dict.fromkeys(FILES, True)
    assert sorted(_git(checkout, "diff", "--name-only").split()) == sorted(CHECKOUT)
    for name, rel in FILES.items():
        assert _diff_lines(checkout, rel) == INTENDED[rel], rel
        # ... and the file means the plan's values merged into what was there.
        old = list(yaml.safe_load_all(_git(checkout, "show", "HEAD:" + rel)))
        new = list(yaml.safe_load_all((checkout / rel).read_text()))
        where = {"values": lambda d: d, "HelmRelease": lambda d: d["spec"]["values"]}.get(
            edited[name]["file_type"], lambda d: d["spec"]["source"]["helm"]["valuesObject"]
        )
        doc = next(
            i for i, d in enumerate(old) if d.get("kind") in (None, "HelmRelease", "Application")
        )
        assert where(new[doc]) == merged(where(old[doc]), entries[name]["helm_values"])
        assert new[:doc] == old[:doc] and new[doc + 1 :] == old[doc + 1 :]
        assert checked[name]["diff"]["after"] == (checkout / rel).read_text()
    assert edited["edge-ingress-nginx-controller"]["object"] == {
        "kind": "HelmRelease",
        "name": "edge",
        "namespace": "flux-system",
    }
    assert edited["edge-traefik"]["values_at"] == "spec.source.helm.valuesObject"
    assert edited["edge-traefik"]["notes"] == entries["edge-traefik"]["helm_notes"]

    # The change is committed; a second run finds nothing to do and rewrites no file.
    _git(checkout, "commit", "-q", "-am", "meshgate: standalone_mtls values")
    before = _mtimes(checkout)
    again = _run(tmp_path, checkout, "--diff")
    assert {n: r["changed"] for n, r in again.items()} == dict.fromkeys(FILES, False)
    assert _mtimes(checkout) == before
    assert _git(checkout, "status", "--porcelain") == ""


def test_a_refusal_leaves_its_file_as_it_was(tmp_path, checkout):
    # The HelmRelease asks for another exact version than the one the cluster runs.
    release = checkout / RELEASE
    release.write_text(release.read_text().replace('version: "4.15.1"', 'version: "4.14.0"'))
    _git(checkout, "commit", "-q", "-am", "downgrade")
    results = _run(tmp_path, checkout, keep_going=True)
    refused = results["edge-ingress-nginx-controller"]
    assert refused["failed"] and not refused["changed"]
    assert refused["msg"] == (
        "HelmRelease flux-system/edge in %s installs ingress-nginx version 4.14.0, but the "
        "values were made for version 4.15.1 (the chart the cluster runs). Sync the release "
        "first, or set version: 4.14.0 if that version takes the same values keys" % release
    )
    assert RELEASE not in _git(checkout, "diff", "--name-only")
    assert results["edge-kong"]["changed"] and results["edge-traefik"]["changed"]
    # Told which version to expect, the same run merges it (keeping a copy of the file).
    text = release.read_text()
    results = _run(
        tmp_path, checkout, versions={"edge-ingress-nginx-controller": "4.14.0"}, backup=True
    )
    nginx = results["edge-ingress-nginx-controller"]
    assert nginx["changed"] and Path(nginx["backup_file"]).read_text() == text
    assert Path(nginx["backup_file"]).parent == release.parent
    assert _diff_lines(checkout, RELEASE) == INTENDED[RELEASE]
    assert not any("backup_file" in results[n] for n in ("edge-kong", "edge-traefik"))
