# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Reading the file to edit and the Chart.yaml beside it, with errors that name the file."""

from __future__ import annotations

import os

from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.errors import (
    GitopsEditError,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.yaml_rt import (
    YamlSyntaxError,
    guess_style,
    is_map,
    load_all,
    plain,
)


def read_text(path):
    """The file's text (UTF-8, kept byte for byte: line ends are not translated)."""
    if not os.path.exists(path):
        raise GitopsEditError(
            "%s does not exist; give the values file, HelmRelease or Application of your "
            "checkout that keeps the release (lb_gitops edits a file, it never creates one)" % path
        )
    if os.path.isdir(path):
        raise GitopsEditError("%s is a directory; give the file to edit in it" % path)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise GitopsEditError("cannot read %s: %s" % (path, exc.strerror or exc)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GitopsEditError(
            "%s is not UTF-8 text (byte %d); YAML files are UTF-8, convert it first"
            % (path, exc.start)
        ) from None


def chart_beside(path):
    """The Chart.yaml in the file's folder as data (a values file there is that chart's), or
    None when there is none."""
    chart_file = os.path.join(os.path.dirname(os.path.abspath(path)), "Chart.yaml")
    if os.path.abspath(path) == chart_file or not os.path.isfile(chart_file):
        return None
    text = read_text(chart_file)
    try:
        docs = load_all(text, guess_style(text))
    except YamlSyntaxError as exc:
        raise GitopsEditError(
            "%s (beside %s) is not valid YAML (%s); fix it, or move the file out of that chart"
            % (chart_file, path, exc)
        ) from None
    return plain(docs[0]) if docs and is_map(docs[0]) else None
