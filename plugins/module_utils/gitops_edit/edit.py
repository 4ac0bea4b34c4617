# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Merge Helm values into the text of a GitOps file: a values file, a Flux HelmRelease or an
Argo CD Application (one document among several). Pure: text in, text out; the result keeps
every line the merge does not change exactly as it was (textmerge.py), and means exactly the
merged data (checked before it is returned)."""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.errors import (
    GitopsEditError,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.merge import (
    key_path,
    merge_values,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.targets import (
    KINDS,
    argo_chart,
    check_chart,
    choose_object,
    choose_source,
    describe,
    flux_chart,
    kind_of,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.textmerge import (
    merge3,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.yaml_rt import (
    YamlSyntaxError,
    dump_all,
    guess_style,
    is_map,
    literal,
    load_all,
    plain,
    same,
    to_node,
)

FILE_TYPES = ("auto", "values", "helmrelease", "application")


def nest(values, values_path):
    """values under the dotted key path (an umbrella chart's subchart key), or as they are."""
    for key in reversed([k for k in (values_path or "").split(".") if k]):
        values = {key: values}
    return values


def edit_text(text, values, path="the file", file_type="auto", name=None, namespace=None,
              chart=None, version=None, release=None, chart_meta=None, values_path=None):  # fmt: skip
    """Merge ``values`` into the file's text. ``chart``/``version``: what the file must install
    (None: not checked); ``name``/``namespace``/``release``: which HelmRelease or Application;
    ``chart_meta``: the Chart.yaml beside a values file, as data, when there is one.

    Returns {"text", "changed", "changes", "file_type", "object", "values_at", "chart",
    "warnings"}; raises GitopsEditError (the file is then to be left as it is)."""
    if not is_map(values):
        raise GitopsEditError(
            "the values to merge must be a mapping, not %s" % type(values).__name__
        )
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    body = text[len(bom) :].replace("\r\n", "\n")
    # The last line without its newline would differ from every re-emission of it.
    eof = "" if body and not body.endswith("\n") else "\n"
    body += "" if eof else "\n"
    style = guess_style(body)
    try:
        docs = load_all(body, style)
    except YamlSyntaxError as exc:
        raise GitopsEditError(
            "%s is not valid YAML (%s); fix the file first, it was left as it is" % (path, exc)
        ) from None
    base = dump_all(docs, style)
    out = {"warnings": [], "object": None, "chart": None}
    kind = _file_kind(docs, file_type, path)
    values = nest(values, values_path)
    if kind == "values":
        changes = _edit_values_doc(docs, values, style, path, chart, version, chart_meta,
                                   values_path, out)  # fmt: skip
    else:
        index = choose_object(docs, kind, name, namespace, chart, release, path)
        out["object"] = _object_ref(docs[index])
        where = "%s in %s" % (describe(docs[index]), path)
        if kind == "HelmRelease":
            changes = _edit_helmrelease(docs[index], values, style, where, chart, version, out)
        else:
            changes = _edit_application(docs[index], values, style, where, chart, version, out)
    append = out.pop("append", False)
    out.update(file_type=kind, changes=changes, changed=bool(changes))
    if not changes:
        out["text"] = text
        return out
    edited = _result_text(body, base, docs, style, out, append)
    if not eof:
        edited = edited[:-1] if edited.endswith("\n") else edited
    out["text"] = bom + edited.replace("\n", newline)
    return out


def _file_kind(docs, file_type, path):
    if file_type in KINDS:
        return KINDS[file_type]
    kinds = [kind_of(d) for d in docs]
    for kind in ("HelmRelease", "Application"):
        if kind in kinds and (file_type == "auto"):
            other = "Application" if kind == "HelmRelease" else "HelmRelease"
            if other in kinds:
                raise GitopsEditError(
                    "%s holds both a HelmRelease and an Application; set file_type to the one "
                    "to edit" % path
                )
            return kind
    if file_type == "auto" and "object" in kinds:
        objects = ", ".join(describe(d) for d in docs if kind_of(d) == "object")
        raise GitopsEditError(
            "%s holds Kubernetes objects (%s), not Helm values, a HelmRelease or an Application; "
            "give the values file of the release, or apply the plan's kustomize patch to these "
            "objects" % (path, objects)
        )
    return "values"


def _object_ref(doc):
    meta = doc.get("metadata") if is_map(doc.get("metadata")) else {}
    ref = {"kind": doc["kind"], "name": meta.get("name")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    return ref


def _edit_values_doc(docs, values, style, path, chart, version, chart_meta, values_path, out):
    if len(docs) > 1:
        raise GitopsEditError(
            "%s holds %d YAML documents; a Helm values file holds one (set file_type if it "
            "defines a HelmRelease or an Application)" % (path, len(docs))
        )
    if chart_meta:
        _check_chart_yaml(chart_meta, path, chart, version, values_path, out)
    if not docs or docs[0] is None:
        # Empty, or comments only: the values go after what is there.
        docs[:] = [to_node({}, style)]
        out["append"] = True
    if not is_map(docs[0]):
        raise GitopsEditError(
            "%s is not a Helm values file: its top level is a %s, not a mapping"
            % (path, type(plain(docs[0])).__name__)
        )
    out["values_at"] = "."
    return merge_values(docs[0], values, style)


def _check_chart_yaml(meta, path, chart, version, values_path, out):
    """A values file beside a Chart.yaml is that chart's: it must be the expected chart, or an
    umbrella chart with it as a dependency and values_path naming the dependency's key."""
    found = meta.get("name")
    out["chart"] = {"name": found, "version": meta.get("version")}
    if not chart or not found:
        return
    where = "%s (the values of chart %s, Chart.yaml beside it)" % (path, found)
    if found == chart:
        if not values_path:
            check_chart(where, found, meta.get("version"), chart, version, out["warnings"])
            return
    deps = [d for d in meta.get("dependencies") or () if is_map(d) and d.get("name") == chart]
    keys = [d.get("alias") or d["name"] for d in deps]
    head = (values_path or "").split(".")[0]
    if deps and head in keys:
        dep = deps[keys.index(head)]
        check_chart(where, chart, dep.get("version"), chart, version, out["warnings"])
        return
    if deps:
        raise GitopsEditError(
            "%s: an umbrella chart with %s as a dependency; set values_path: %s to merge under "
            "the subchart's key" % (where, chart, keys[0])
        )
    raise GitopsEditError(
        "%s, not of %s: these values are for %s. Give the values file of the %s release (or "
        "set chart: %s if the values are meant for it)" % (where, chart, chart, chart, found)
    )


def _edit_helmrelease(doc, values, style, where, chart, version, out):
    spec = doc.get("spec")
    if not is_map(spec):
        raise GitopsEditError("%s has no spec mapping" % where)
    found, found_version, unknown = flux_chart(doc)
    out["chart"] = {"name": found, "version": found_version}
    check_chart(where, found, found_version, chart, version, out["warnings"], unknown)
    out["values_at"] = "spec.values"
    return merge_values(spec, {"values": values}, style, ("spec",))


def _edit_application(doc, values, style, where, chart, version, out):
    spec = doc.get("spec")
    if not is_map(spec):
        raise GitopsEditError("%s has no spec mapping" % where)
    at, source = choose_source(spec, chart, where)
    found, found_version, unknown = argo_chart(source)
    out["chart"] = {"name": found, "version": found_version}
    check_chart(where, found, found_version, chart, version, out["warnings"], unknown)
    prefix = ("spec",) + at
    helm = source.get("helm")
    if is_map(helm) and isinstance(helm.get("values"), str) and helm.get("valuesObject") is None:
        return _edit_values_string(helm, values, style, prefix, where, out)
    if is_map(helm) and helm.get("values"):
        out["warnings"].append(
            "%s: %s.helm.values is ignored by Argo CD while valuesObject is set; the values "
            "were merged into valuesObject" % (where, key_path(prefix))
        )
    out["values_at"] = key_path(prefix + ("helm", "valuesObject"))
    return merge_values(source, {"helm": {"valuesObject": values}}, style, prefix)


def _edit_values_string(helm, values, style, prefix, where, out):
    """Values given as a YAML string (helm.values): edited inside the string, which keeps its
    comments; Argo CD would ignore it if valuesObject were added."""
    at = key_path(prefix + ("helm", "values"))
    inner = edit_text(str(helm["values"]), values, path="%s %s" % (where, at), file_type="values")
    out["values_at"] = at
    out["warnings"].extend(inner["warnings"])
    if inner["changed"]:
        text = inner["text"]
        if not str(helm["values"]).endswith("\n"):
            text = text.rstrip("\n")
        helm["values"] = literal(text)
    return [dict(c, path="%s: %s" % (at, c["path"])) for c in inner["changes"]]


def _result_text(body, base, docs, style, out, append):
    """The original text with only the merge's lines changed, when that means the merged data;
    else the round-trip text as a whole (a warning says so)."""
    edited = dump_all(docs, style)
    if append:
        return body + ("\n" if body and not body.endswith("\n") else "") + edited
    lines = merge3(body.splitlines(True), base.splitlines(True), edited.splitlines(True))
    merged = "".join(lines)
    try:
        ok = same([plain(d) for d in load_all(merged, style)], [plain(d) for d in docs])
    except YamlSyntaxError:
        ok = False
    if ok:
        return merged
    out["warnings"].append(
        "the merge could not keep every line outside the changed values as it was written; the "
        "file was re-written by the YAML library (comments and key order are kept)"
    )
    return edited
