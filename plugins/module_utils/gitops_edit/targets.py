# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Where a release's Helm values live in a file, and which chart the file installs.

- a Helm values file: the document itself;
- a Flux HelmRelease: ``spec.values`` (helm-controller merges ``spec.valuesFrom`` first, then
  ``spec.values`` over them); its chart is ``spec.chart.spec.chart`` (a HelmRepository chart's
  name), the last part of ``spec.chart.spec.url`` (``spec.chart.kind: OCIRepository``), or not
  in the file (``spec.chartRef``);
- an Argo CD Application: ``spec.source.helm.valuesObject``, or in the chart's entry of
  ``spec.sources``; its chart is the source's ``chart`` and ``targetRevision`` its version (a
  chart kept in Git, ``path``, names neither). Argo CD reads ``helm.values`` (a string) only
  while ``valuesObject`` is unset, so values given as a string are edited inside the string.
"""

from __future__ import annotations

import re

from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.errors import (
    GitopsEditError,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.yaml_rt import is_map

KINDS = {"helmrelease": "HelmRelease", "application": "Application"}
_GROUPS = {"HelmRelease": "helm.toolkit.fluxcd.io/", "Application": "argoproj.io/"}
# A chart version, not a range (4.15.1, v1.2.3, 1.2.3-rc.1+build).
_EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_CHART_LABEL = re.compile(r"^(?P<name>.+?)-(?P<version>v?\d+(?:\.\d+)*(?:[-+].*)?)$")


def split_chart_label(label):
    """("ingress-nginx", "4.15.1") from the helm.sh/chart label "ingress-nginx-4.15.1"."""
    m = _CHART_LABEL.match(label or "")
    return (m.group("name"), m.group("version")) if m else (label or None, None)


def kind_of(doc):
    """HelmRelease, Application, "object" (another Kubernetes object) or None (not an object)."""
    if not is_map(doc) or not isinstance(doc.get("kind"), str):
        return None
    if not isinstance(doc.get("apiVersion"), str):
        return None
    for kind, group in _GROUPS.items():
        if doc["kind"] == kind and doc["apiVersion"].startswith(group):
            return kind
    return "object"


def describe(doc):
    meta = doc.get("metadata") if is_map(doc.get("metadata")) else {}
    ns, name = meta.get("namespace"), meta.get("name")
    return "%s %s" % (doc.get("kind"), "%s/%s" % (ns, name) if ns else name)


def _basename(value):
    return str(value).rstrip("/").rsplit("/", 1)[-1] if value else None


def _map(node, key):
    value = node.get(key) if is_map(node) else None
    return value if is_map(value) else None


# --- which chart an object installs ---------------------------------------------------------


def flux_chart(doc):
    """(chart name, version or range, what the file says instead when it names no chart)."""
    spec = _map(doc, "spec") or {}
    chart = _map(spec, "chart")
    if chart is None:
        if _map(spec, "chartRef") is not None:
            return (
                None,
                None,
                "spec.chartRef names a %s, not a chart" % spec["chartRef"].get("kind"),
            )
        return None, None, "no spec.chart"
    cspec = _map(chart, "spec") or {}
    if chart.get("kind") == "OCIRepository":
        ref = _map(cspec, "ref") or {}
        return _basename(cspec.get("url")), ref.get("tag") or ref.get("semver"), None
    source = (_map(cspec, "sourceRef") or {}).get("kind", "HelmRepository")
    if source != "HelmRepository":
        return None, None, "the chart comes from a %s path (%s)" % (source, cspec.get("chart"))
    return cspec.get("chart"), cspec.get("version"), None


def argo_chart(source):
    """(chart name, version, what the source says instead) of an Argo CD source."""
    if source.get("chart"):
        return source["chart"], source.get("targetRevision"), None
    if source.get("path"):
        return None, None, "the chart is kept in Git (path %s)" % source["path"]
    return None, None, "the source names no chart"


def check_chart(where, found, found_version, chart, version, warnings, unknown=None):
    """Refuse a file whose chart is not the plan's (or the expected one), or whose exact version
    differs; a version range, or a chart the file does not name, is only warned about."""
    if chart and found and found != chart:
        raise GitopsEditError(
            "%s installs chart %s, not %s: these values are for %s. Give the file that "
            "installs %s (or set chart: %s if the values are meant for it)"
            % (where, found, chart, chart, chart, found)
        )
    if chart and not found:
        warnings.append("%s: chart not checked (%s)" % (where, unknown or "no chart named"))
    if not (version and found_version):
        return
    found_version, want = str(found_version).strip(), str(version).strip()
    if found_version.lstrip("v") == want.lstrip("v"):
        return
    if _EXACT_VERSION.match(found_version):
        raise GitopsEditError(
            "%s installs %s version %s, but the values were made for version %s (the chart the "
            "cluster runs). Sync the release first, or set version: %s if that version takes "
            "the same values keys" % (where, found or chart, found_version, want, found_version)
        )
    warnings.append(
        "%s: version not checked: the file asks for the range %s (expected %s)"
        % (where, found_version, want)
    )


# --- choosing the object ------------------------------------------------------------------------


def _flux_release_name(doc):
    spec = _map(doc, "spec") or {}
    if spec.get("releaseName"):
        return spec["releaseName"]
    name = (_map(doc, "metadata") or {}).get("name")
    return "%s-%s" % (spec["targetNamespace"], name) if spec.get("targetNamespace") else name


def _chart_name(kind, doc, chart):
    if kind == "HelmRelease":
        return flux_chart(doc)[0]
    spec = _map(doc, "spec") or {}
    sources = [spec["source"]] if _map(spec, "source") else []
    sources += [s for s in spec.get("sources") or () if is_map(s)]
    names = [argo_chart(s)[0] for s in sources]
    return chart if chart in names else (names[0] if names else None)


def choose_object(docs, kind, name, namespace, chart, release, path):
    """The index of the HelmRelease or Application to edit: by name (and namespace, when the
    document has one: kustomize often sets it), else by Helm release name (Flux) or chart, else
    the only one."""
    found = [(i, d) for i, d in enumerate(docs) if kind_of(d) == kind]
    if not found:
        raise GitopsEditError("%s holds no %s; give the file that defines it" % (path, kind))
    cands = found
    if name:
        cands = [
            (i, d)
            for i, d in found
            if (_map(d, "metadata") or {}).get("name") == name
            and not (
                namespace and (_map(d, "metadata") or {}).get("namespace") not in (None, namespace)
            )
        ]
    elif release and kind == "HelmRelease":
        cands = [(i, d) for i, d in found if _flux_release_name(d) == release] or found
    listed = ", ".join(describe(d) for _i, d in found)
    if len(cands) > 1 and chart:
        # A chart the object does not name (a chartRef, a Git path) may still be the one.
        cands = [(i, d) for i, d in cands if _chart_name(kind, d, chart) in (chart, None)]
        if not cands:
            raise GitopsEditError(
                "%s has no %s of chart %s (it has %s); set name (and namespace) to the one to "
                "edit, or give the file that defines it" % (path, kind, chart, listed)
            )
    if len(cands) == 1:
        return cands[0][0]
    if not cands:
        raise GitopsEditError(
            "%s has no %s %s (it has %s); set name (and namespace) to one of those, or give the "
            "file that defines it"
            % (path, kind, "%s/%s" % (namespace, name) if namespace else name, listed)
        )
    raise GitopsEditError(
        "%s has several %ss (%s); set name (and namespace) to the one to edit"
        % (path, kind, listed)
    )


def choose_source(spec, chart, where):
    """("source", None) or ("sources", index) of an Application: its single source, or the
    entry of spec.sources that installs the chart (ref-only entries never do)."""
    if _map(spec, "source") is not None:
        return ("source",), spec["source"]
    sources = spec.get("sources")
    if not isinstance(sources, list) or not sources:
        raise GitopsEditError("%s has neither spec.source nor spec.sources" % where)
    entries = [
        (i, s) for i, s in enumerate(sources) if is_map(s) and (s.get("chart") or s.get("path"))
    ]
    if chart:
        named = [(i, s) for i, s in entries if s.get("chart") == chart]
        if named:
            entries = named
        elif any(s.get("chart") for _i, s in entries):
            raise GitopsEditError(
                "%s has no source of chart %s (its sources install %s); give the Application "
                "that installs %s, or set chart to one of those"
                % (
                    where,
                    chart,
                    ", ".join(str(s.get("chart") or s.get("path")) for _i, s in entries),
                    chart,
                )
            )
    if len(entries) != 1:
        raise GitopsEditError(
            "%s has %s chart sources in spec.sources; set chart to the one to edit"
            % (where, "no" if not entries else "several")
        )
    return ("sources", entries[0][0]), entries[0][1]
