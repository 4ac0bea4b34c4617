# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""lb_gitops's edit of a GitOps file, over text: a values file, a Flux HelmRelease among other
documents, an Argo CD Application (one source, several, values as a string). The result keeps
every other line as written (comments, quoting, order, `null`s), means exactly the merged
values, is unchanged on a second run, and every refusal names the file and leaves it as it is."""

from __future__ import annotations

import difflib
import textwrap

import pytest
import yaml
from gitops_files import (  # noqa: E402 - test helpers next to this file
    APPLICATION_FILE,
    HELMRELEASE_FILE,
    merged,
)
from shared_fixtures import gitops_kept_plan  # noqa: E402

from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.edit import edit_text
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.errors import (
    GitopsEditError,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.plan_input import (
    expectations,
    select_entry,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.textmerge import (
    merge3,
)

PLAN = gitops_kept_plan()


def _entry(name):
    (entry,) = [e for e in PLAN["gitops"] if e["target"]["name"] == name]
    return entry


NGINX = _entry("edge-ingress-nginx-controller")
TRAEFIK = _entry("edge-traefik")
KONG = _entry("edge-kong")


def _text(s):
    return textwrap.dedent(s).lstrip("\n")


def _diff(before, after):
    """(removed lines, added lines) of a unified diff, without the markers."""
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("-") and not line.startswith("---"):
            removed.append(line[1:])
        elif line.startswith("+") and not line.startswith("+++"):
            added.append(line[1:])
    return removed, added


def _edit(text, values, **kw):
    """edit_text, checked for what every edit must be: it means the merged values, and a second
    run changes nothing."""
    out = edit_text(text, values, path="repo/file.yaml", **kw)
    again = edit_text(out["text"], values, path="repo/file.yaml", **kw)
    assert again["changed"] is False and again["text"] == out["text"] and not again["changes"]
    return out


VALUES_FILE = _text("""
    # Values of the edge release (ingress-nginx).
    controller:
        # pinned: see the upgrade runbook
        image:
            tag: "v1.12.1"   # pinned
        podLabels: {}
        extraArgs:
          - --enable-ssl-passthrough
        config:
            use-forwarded-headers: 'true'
            proxy-body-size: ~
        admissionWebhooks:
            enabled: null

    # The cloud load balancer in front
    service:
        type: 'LoadBalancer'
        annotations:
            service.beta.kubernetes.io/aws-load-balancer-type: nlb
        ports: [80, 443]
    """)


def test_a_values_file_gets_exactly_the_new_lines():
    out = _edit(VALUES_FILE, NGINX["helm_values"], chart="ingress-nginx", version="4.15.1")
    removed, added = _diff(VALUES_FILE, out["text"])
    # The empty flow mapping becomes a block; the annotations go at the end of `controller`,
    # before the comment that heads `service`, in the file's 4-space indentation and with the
    # quotes most of its values use (single).
    assert removed == ["    podLabels: {}"]
    assert added == [
        "    podLabels:",
        "        sidecar.istio.io/inject: 'true'",
        "    podAnnotations:",
        "        traffic.sidecar.istio.io/includeInboundPorts: ''",
        "        proxy.istio.io/config: '{\"holdApplicationUntilProxyStarts\":true}'",
    ]
    lines = out["text"].splitlines()
    assert lines.index("    podAnnotations:") < lines.index("# The cloud load balancer in front")
    assert yaml.safe_load(out["text"]) == merged(yaml.safe_load(VALUES_FILE), NGINX["helm_values"])
    assert [c["path"] for c in out["changes"]] == [
        'controller.podLabels["sidecar.istio.io/inject"]',
        "controller.podAnnotations",
    ]
    assert out["file_type"] == "values" and out["values_at"] == "." and not out["warnings"]


def test_unchanged_lines_keep_what_a_round_trip_would_lose():
    # `~`, `null`, a flow list, an end-of-line comment and the quoting of each value stay as
    # written, although the YAML library re-emits `key: null` as `key:`.
    out = _edit(VALUES_FILE, {"controller": {"replicaCount": 2}})
    removed, added = _diff(VALUES_FILE, out["text"])
    assert removed == [] and added == ["    replicaCount: 2"]
    for line in ("proxy-body-size: ~", "enabled: null", "ports: [80, 443]", '"v1.12.1"   # pinned'):
        assert line in out["text"]


def test_a_replaced_scalar_keeps_its_quotes_and_comment_and_a_list_is_replaced_whole():
    text = _text("""
        controller:
          config:
            service-upstream: "false"   # per route for now
          extraArgs:
            - --a
            - --b
        """)
    out = _edit(
        text, {"controller": {"config": {"service-upstream": "true"}, "extraArgs": ["--c"]}}
    )
    removed, added = _diff(text, out["text"])
    assert removed == [
        '    service-upstream: "false"   # per route for now',
        "    - --a",
        "    - --b",
    ]
    # The comment stays in its column.
    assert added == ['    service-upstream: "true"    # per route for now', "    - --c"]
    assert [(c["action"], c.get("before")) for c in out["changes"]] == [
        ("replaced", "false"),
        ("replaced", ["--a", "--b"]),
    ]


@pytest.mark.parametrize(
    "value, written",
    [
        ("true", '"true"'),  # a bool when plain
        ("yes", '"yes"'),  # a bool to YAML 1.1 readers (Helm's)
        ("0755", '"0755"'),
        ("", '""'),
        ("edge", "edge"),
        ("sidecar.istio.io/inject", "sidecar.istio.io/inject"),
        (True, "true"),
        (3, "3"),
    ],
)
def test_new_values_read_back_as_the_same_type_by_yaml_1_1_and_1_2(value, written):
    out = _edit("a: 1\n", {"b": value})
    assert out["text"] == "a: 1\nb: %s\n" % written
    assert yaml.safe_load(out["text"])["b"] == value  # PyYAML reads YAML 1.1


def test_an_equal_value_of_another_type_is_replaced():
    out = _edit("a: 1\nb: true\n", {"a": 1, "b": "true"})
    assert out["text"] == 'a: 1\nb: "true"\n'
    assert [c["path"] for c in out["changes"]] == ["b"]


def test_windows_line_ends_and_a_missing_values_file_body():
    out = _edit(
        "# edge\r\ncontroller:\r\n  replicaCount: 1\r\n", {"controller": {"replicaCount": 2}}
    )
    assert out["text"] == "# edge\r\ncontroller:\r\n  replicaCount: 2\r\n"
    # Comments only (a values file someone started): the values go after them.
    out = _edit("# values of edge\n", {"controller": {"replicaCount": 2}})
    assert out["text"] == "# values of edge\ncontroller:\n  replicaCount: 2\n"
    out = _edit("", {"a": "b"})
    assert out["text"] == "a: b\n"


def _plan_args(entry):
    want = expectations(entry)
    return {k: want[k] for k in ("chart", "version", "name", "namespace", "release")}


def test_a_flux_helmrelease_among_other_documents_gets_spec_values():
    assert _plan_args(NGINX) == {
        "chart": "ingress-nginx",
        "version": "4.15.1",
        "name": "edge",
        "namespace": "flux-system",
        "release": "edge",
    }
    out = _edit(HELMRELEASE_FILE, NGINX["helm_values"], **_plan_args(NGINX))
    removed, added = _diff(HELMRELEASE_FILE, out["text"])
    assert removed == []
    assert added == [
        "      podLabels:",
        '        sidecar.istio.io/inject: "true"',
        "      podAnnotations:",
        '        traffic.sidecar.istio.io/includeInboundPorts: ""',
        "        proxy.istio.io/config: '{\"holdApplicationUntilProxyStarts\":true}'",
    ]
    before, after = list(yaml.safe_load_all(HELMRELEASE_FILE)), list(
        yaml.safe_load_all(out["text"])
    )
    assert after[0] == before[0] and after[2] == before[2]
    assert after[1]["spec"]["values"] == merged(before[1]["spec"]["values"], NGINX["helm_values"])
    assert out["object"] == {"kind": "HelmRelease", "name": "edge", "namespace": "flux-system"}
    assert out["values_at"] == "spec.values"
    assert out["chart"] == {"name": "ingress-nginx", "version": "4.15.1"}


def test_the_helmrelease_is_found_by_chart_or_release_name_without_its_name():
    by_chart = _edit(HELMRELEASE_FILE, {"a": 1}, chart="ingress-nginx")
    by_release = _edit(HELMRELEASE_FILE, {"a": 1}, release="edge")
    assert by_chart["object"]["name"] == by_release["object"]["name"] == "edge"
    # Kustomize often sets the namespace: a document without one matches any.
    no_ns = HELMRELEASE_FILE.replace("  name: edge\n  namespace: flux-system\n", "  name: edge\n")
    assert _edit(no_ns, {"a": 1}, name="edge", namespace="flux-system")["changed"]


def test_a_helmrelease_without_values_gets_them_and_a_version_range_is_warned_about():
    out = _edit(
        HELMRELEASE_FILE, {"replicaCount": 2}, name="podinfo", chart="podinfo", version="6.5.3"
    )
    assert out["text"].endswith(
        "      sourceRef: {kind: HelmRepository, name: podinfo}\n  values:\n    replicaCount: 2\n"
    )
    assert out["warnings"] == [
        "HelmRelease flux-system/podinfo in repo/file.yaml: version not checked: the file asks "
        "for the range 6.x (expected 6.5.3)"
    ]


def test_a_flux_oci_chart_is_named_by_its_url_and_a_chart_ref_is_not_checked():
    oci = _text("""
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: edge
        spec:
          chart:
            kind: OCIRepository
            spec:
              url: oci://ghcr.io/traefik/helm/traefik
              ref:
                tag: 41.3.0
        """)
    assert _edit(oci, {"a": 1}, chart="traefik", version="41.3.0")["chart"] == {
        "name": "traefik",
        "version": "41.3.0",
    }
    with pytest.raises(GitopsEditError, match="installs chart traefik, not kong"):
        edit_text(oci, {"a": 1}, chart="kong")
    ref = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: edge}\n"
    ref += "spec:\n  chartRef: {kind: OCIRepository, name: traefik}\n"
    out = _edit(ref, {"a": 1}, chart="traefik")
    assert out["warnings"] == [
        "HelmRelease edge in repo/file.yaml: chart not checked (spec.chartRef names a "
        "OCIRepository, not a chart)"
    ]


def test_an_argo_cd_application_gets_its_values_object():
    assert (
        _plan_args(TRAEFIK)["name"] == "edge-ingress" and _plan_args(TRAEFIK)["chart"] == "traefik"
    )
    out = _edit(APPLICATION_FILE, TRAEFIK["helm_values"], **_plan_args(TRAEFIK))
    removed, added = _diff(APPLICATION_FILE, out["text"])
    assert removed == []
    assert added[:2] == ["          podLabels:", '            sidecar.istio.io/inject: "true"']
    assert added[-5:] == [
        "        providers:",
        "          kubernetesCRD:",
        "            nativeLBByDefault: true",
        "          kubernetesIngress:",
        "            nativeLBByDefault: true",
    ]
    spec = yaml.safe_load(out["text"])["spec"]
    assert spec["source"]["helm"]["valuesObject"] == merged(
        {"deployment": {"replicas": 2}}, TRAEFIK["helm_values"]
    )
    assert out["values_at"] == "spec.source.helm.valuesObject"


def test_values_given_as_a_string_are_edited_inside_it():
    text = APPLICATION_FILE.replace(
        "      valuesObject:\n        deployment:\n          replicas: 2 # one per zone\n",
        "      values: |\n        # per zone\n        deployment:\n          replicas: 2\n",
    )
    out = _edit(text, TRAEFIK["helm_values"], chart="traefik", version="41.3.0")
    removed, added = _diff(text, out["text"])
    assert removed == [] and "valuesObject" not in out["text"]
    assert added[0] == "          podLabels:"  # inside the string, under deployment
    helm = yaml.safe_load(out["text"])["spec"]["source"]["helm"]
    assert helm["values"].startswith("# per zone\n")
    assert yaml.safe_load(helm["values"]) == merged(
        {"deployment": {"replicas": 2}}, TRAEFIK["helm_values"]
    )
    assert out["values_at"] == "spec.source.helm.values"
    assert out["changes"][0]["path"].startswith("spec.source.helm.values: ")


def test_both_values_forms_merge_into_the_object_argo_cd_reads():
    text = APPLICATION_FILE.replace(
        "      releaseName: edge\n", "      releaseName: edge\n      values: 'logs: {}'\n"
    )
    out = _edit(text, {"a": 1})
    assert yaml.safe_load(out["text"])["spec"]["source"]["helm"]["valuesObject"]["a"] == 1
    assert "ignored by Argo CD while valuesObject is set" in out["warnings"][0]


MULTI_SOURCE = _text("""
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: edge-ingress
    spec:
      sources:
        - repoURL: https://git.example.org/platform/values.git
          targetRevision: main
          ref: values
        - repoURL: https://traefik.github.io/charts
          chart: traefik
          targetRevision: 41.3.0
          helm:
            valueFiles:
              - $values/traefik/edge.yaml
        - repoURL: https://git.example.org/platform/extras.git
          path: extras
    """)


def test_a_multi_source_application_gets_the_values_in_the_charts_entry():
    out = _edit(MULTI_SOURCE, {"a": 1}, chart="traefik", version="41.3.0")
    removed, added = _diff(MULTI_SOURCE, out["text"])
    assert removed == [] and added == ["        valuesObject:", "          a: 1"]
    assert yaml.safe_load(out["text"])["spec"]["sources"][1]["helm"]["valuesObject"] == {"a": 1}
    assert out["values_at"] == "spec.sources[1].helm.valuesObject"
    with pytest.raises(
        GitopsEditError,
        match=r"has no source of chart kong \(its sources install traefik, extras\)",
    ):
        edit_text(MULTI_SOURCE, {"a": 1}, path="repo/file.yaml", chart="kong")
    with pytest.raises(GitopsEditError, match="several chart sources in spec.sources; set chart"):
        edit_text(MULTI_SOURCE, {"a": 1}, path="repo/file.yaml")


# --- refusals: one message naming the file and the fix ------------------------------------------


@pytest.mark.parametrize(
    "text, kw, message",
    [
        (
            "controller:\n  podLabels: {\n",
            {},
            r"repo/file.yaml is not valid YAML \(.* at line 3, column 1\); fix the file first",
        ),
        ("a: 1\na: 2\n", {}, r"repo/file.yaml is not valid YAML .*duplicate key"),
        (
            HELMRELEASE_FILE,
            {"name": "edge", "chart": "traefik"},
            r"HelmRelease flux-system/edge in repo/file.yaml installs chart ingress-nginx, not "
            r"traefik: .*Give the file that installs traefik \(or set chart: ingress-nginx",
        ),
        (
            HELMRELEASE_FILE,
            {"name": "edge", "chart": "ingress-nginx", "version": "4.14.0"},
            r"HelmRelease flux-system/edge in repo/file.yaml installs ingress-nginx version 4.15.1, "
            r"but the values were made for version 4.14.0 .*Sync the release first, or set "
            r"version: 4.15.1",
        ),
        (
            HELMRELEASE_FILE,
            {"name": "edge", "namespace": "apps"},
            r"repo/file.yaml has no HelmRelease apps/edge \(it has HelmRelease flux-system/edge, "
            r"HelmRelease flux-system/podinfo\); set name",
        ),
        (HELMRELEASE_FILE, {}, r"repo/file.yaml has several HelmReleases .*set name"),
        (
            HELMRELEASE_FILE,
            {"chart": "kong"},
            r"repo/file.yaml has no HelmRelease of chart kong \(it has",
        ),
        (
            HELMRELEASE_FILE,
            {"file_type": "application"},
            r"repo/file.yaml holds no Application; give the file that defines it",
        ),
        (
            APPLICATION_FILE,
            {"name": "other"},
            r"repo/file.yaml has no Application other \(it has Application argocd/edge-ingress\)",
        ),
        (
            APPLICATION_FILE,
            {"chart": "traefik", "version": "40.0.0"},
            r"Application argocd/edge-ingress in repo/file.yaml installs traefik version 41.3.0, "
            r"but the values were made for version 40.0.0",
        ),
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: edge, namespace: web}\n",
            {},
            r"repo/file.yaml holds Kubernetes objects \(Deployment web/edge\), not Helm values.*"
            r"kustomize patch",
        ),
        ("- a\n- b\n", {}, r"repo/file.yaml is not a Helm values file: its top level is a list"),
        (
            "a: 1\n---\nb: 2\n",
            {},
            r"repo/file.yaml holds 2 YAML documents; a Helm values file holds one",
        ),
    ],
)
def test_refusals_name_the_file_and_the_fix(text, kw, message):
    with pytest.raises(GitopsEditError, match=message):
        edit_text(text, {"controller": {"replicaCount": 2}}, path="repo/file.yaml", **kw)


CHART_YAML_OTHER = {"apiVersion": "v2", "name": "kong", "version": "3.4.1"}
CHART_YAML_UMBRELLA = {
    "apiVersion": "v2",
    "name": "edge-stack",
    "version": "1.0.0",
    "dependencies": [{"name": "ingress-nginx", "version": "4.15.1", "alias": "edge"}],
}


def test_a_values_file_of_another_chart_is_refused():
    with pytest.raises(
        GitopsEditError,
        match=r"repo/file.yaml \(the values of chart kong, Chart.yaml beside it\), not of "
        r"ingress-nginx: .*Give the values file of the ingress-nginx release",
    ):
        edit_text(
            VALUES_FILE,
            {"a": 1},
            path="repo/file.yaml",
            chart="ingress-nginx",
            chart_meta=CHART_YAML_OTHER,
        )
    # The chart's own values file (a vendored chart) is its values file.
    same = dict(CHART_YAML_OTHER, name="ingress-nginx", version="4.15.1")
    assert _edit(VALUES_FILE, {"a": 1}, chart="ingress-nginx", version="4.15.1", chart_meta=same)[
        "changed"
    ]
    with pytest.raises(
        GitopsEditError, match="installs ingress-nginx version 4.15.1, but .* 4.16.0"
    ):
        edit_text(VALUES_FILE, {"a": 1}, chart="ingress-nginx", version="4.16.0", chart_meta=same)


def test_an_umbrella_chart_takes_the_values_under_its_dependencys_key():
    with pytest.raises(
        GitopsEditError,
        match=r"umbrella chart with ingress-nginx as a dependency; set values_path: edge",
    ):
        edit_text("edge: {}\n", {"a": 1}, chart="ingress-nginx", chart_meta=CHART_YAML_UMBRELLA)
    out = _edit(
        "edge: {}\n",
        {"a": 1},
        chart="ingress-nginx",
        chart_meta=CHART_YAML_UMBRELLA,
        values_path="edge",
    )
    assert out["text"] == "edge:\n  a: 1\n"


def test_a_refused_edit_of_a_values_string_names_the_application():
    text = APPLICATION_FILE.replace(
        "      valuesObject:\n        deployment:\n          replicas: 2 # one per zone\n",
        "      values: '- a'\n",
    )
    with pytest.raises(
        GitopsEditError,
        match=r"Application argocd/edge-ingress in repo/file.yaml spec.source.helm.values is not a Helm values file",
    ):
        edit_text(text, {"a": 1}, path="repo/file.yaml")


# --- the plan's entries -------------------------------------------------------------------------


def test_the_entry_is_chosen_by_its_target_from_any_form_of_the_plan():
    result = {"changed": False, "plan": PLAN}
    target = {"kind": "Deployment", "namespace": "kong", "name": "edge-kong"}
    for given in (result, PLAN, KONG):
        assert select_entry(given, target) is KONG
    assert expectations(KONG) == {
        "chart": "kong",
        "version": "3.4.1",
        "name": None,
        "namespace": None,
        "release": "edge",
    }
    assert select_entry({"gitops": [TRAEFIK]}) is TRAEFIK  # the only entry with values


@pytest.mark.parametrize(
    "plan, target, message",
    [
        ({"gitops": []}, None, "the plan has no gitops entry: nothing it changes is kept by Helm"),
        ({"mode": "x"}, None, "plan: neither an lb_plan result, its plan, nor an entry"),
        (PLAN, None, r"several gitops entries with Helm values \(Deployment ingress-edge/"),
        (
            PLAN,
            {"name": "nope"},
            r"no gitops entry for None nope \(it has Deployment ingress-edge/",
        ),
        (
            {"gitops": [{"target": {"kind": "Ingress", "namespace": "shop", "name": "web"},
                         "owner": {"tool": "argocd"}, "owner_name": "Argo CD Application shop",
                         "files": ["gitops/01-ingress-shop-web-kustomize-patch.yaml"]}]},  # fmt: skip
            None,
            r"entry for Ingress shop/web has no Helm values: its owner \(Argo CD Application "
            r"shop\) keeps the object itself, so apply the entry's kustomize patch \(gitops/01-",
        ),
    ],
)
def test_plan_refusals(plan, target, message):
    with pytest.raises(GitopsEditError, match=message):
        select_entry(plan, target)


def test_an_argo_cd_app_in_another_namespace_is_named_namespace_underscore_name():
    entry = dict(TRAEFIK, owner=dict(TRAEFIK["owner"], app="team-a_edge"))
    want = expectations(entry)
    assert (want["namespace"], want["name"]) == ("team-a", "edge")


# --- the three-way line merge ------------------------------------------------------------------


def test_merge3_applies_the_edit_and_keeps_what_only_the_original_has():
    orig = ["a: null\n", "b: 1\n", "c: ~\n"]
    base = ["a:\n", "b: 1\n", "c:\n"]
    edited = ["a:\n", "b: 2\n", "c:\n", "d: 3\n"]
    assert merge3(orig, base, edited) == ["a: null\n", "b: 2\n", "c: ~\n", "d: 3\n"]
    # Both sides changed one line: line by line, the edit's change on the original's lines.
    assert merge3(["x: null\n"], ["x:\n"], ["x:\n", "y: 1\n"]) == ["x: null\n", "y: 1\n"]
    # Regions of another length on both sides: the edit as it is.
    assert merge3(["p: 1\n", "q: 2\n"], ["pq\n"], ["r\n"]) == ["r\n"]


@pytest.mark.parametrize(
    "text, values, expected",
    [
        # The comment after a list of mappings (kept at the list's end by the YAML library).
        (
            "controller:\n  extraVolumes:\n    - name: a\n      emptyDir: {}\n    # more later\n"
            "\n# svc\nservice:\n  type: x\n",
            {"controller": {"replicaCount": 2}},
            "controller:\n  extraVolumes:\n    - name: a\n      emptyDir: {}\n  replicaCount: 2\n"
            "    # more later\n\n# svc\nservice:\n  type: x\n",
        ),
        # ... and after the last key of a nested mapping.
        (
            "controller:\n  config:\n    a: '1'\n\n# svc\nservice: {}\n",
            {"controller": {"podLabels": {"x": "y"}}},
            "controller:\n  config:\n    a: '1'\n  podLabels:\n    x: 'y'\n\n# svc\nservice: {}\n",
        ),
        # The file's last comment stays last.
        ("a: 1\n# the end\n", {"b": {"c": 1}}, "a: 1\nb:\n  c: 1\n# the end\n"),
        # A document end marker and a missing newline at the end are kept.
        ("a: 1\n...\n", {"b": 2}, "a: 1\nb: 2\n...\n"),
        ("a: 1", {"b": 2}, "a: 1\nb: 2"),
        # A byte order mark is kept.
        ("\ufeffa: 1\n", {"b": 2}, "\ufeffa: 1\nb: 2\n"),
        # A non-empty flow mapping stays a flow mapping.
        (
            "podLabels: {team: edge}\n",
            {"podLabels": {"x": "y"}},
            'podLabels: {team: edge, x: "y"}\n',
        ),
        # A key with no value gets the mapping.
        ("podLabels:\nother: 1\n", {"podLabels": {"x": "y"}}, 'podLabels:\n  x: "y"\nother: 1\n'),
    ],
)
def test_keys_added_at_the_end_of_a_mapping_go_before_what_follows_it(text, values, expected):
    out = _edit(text, values)
    assert out["text"] == expected and not out["warnings"]
