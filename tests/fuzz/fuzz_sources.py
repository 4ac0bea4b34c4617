# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Fuzz target: the offline reader (read/sources.py load_sources) on any bytes, as a .yaml,
.yml or .json file (the first byte chooses), then detection on what it read. Allowed: SourceError
(a syntax error or an unreadable file, named). Seeds: tests/fuzz/corpus/sources plus every Helm
rendering of the shared fixtures (multi-document, ``---`` and ``# Source:``), added at run time.
Run through tests/fuzz/run.py (make fuzz)."""

import os
import sys
import tempfile

import atheris
import fuzzlib  # noqa: F401 - sets the import path

with atheris.instrument_imports(include=["ansible_collections.meshgate"]):
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import (
        SourceError,
        load_sources,
    )

DIR = tempfile.mkdtemp(prefix="meshgate-fuzz-sources-")
EXTENSIONS = (".yaml", ".json", ".yml", ".yaml.in")


def one_input(data):
    if not data:
        return
    path = os.path.join(DIR, "input" + EXTENSIONS[data[0] % len(EXTENSIONS)])
    with open(path, "wb") as handle:
        handle.write(data[1:])
    try:
        objects, _warnings = load_sources([path], namespace="fuzz" if data[0] & 4 else None)
    except SourceError:
        return
    detect(objects)


def main():
    fuzzlib.quiet()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
