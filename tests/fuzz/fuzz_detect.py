# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Fuzz target: detection (detect/run.py detect and detect_summary) on real objects, the
vendors' Helm charts of the shared fixtures read at start, structurally mutated by the fuzzer's
bytes (fuzzlib.mutate: wrong types, missing and huge fields, unicode, deep nesting). Detection
has no error of its own to raise: any exception is a crash. Seeds: tests/fuzz/corpus/detect."""

import sys

import atheris
import fuzzlib

with atheris.instrument_imports(include=["ansible_collections.meshgate"]):
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import (
        detect,
        detect_summary,
    )

SEEDS = fuzzlib.seed_objects()


def one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    _name, objects = SEEDS[fdp.ConsumeIntInRange(0, len(SEEDS) - 1)]
    objects = fuzzlib.copy_tree(objects)
    for _round in range(fdp.ConsumeIntInRange(1, 4)):
        target = objects[fdp.ConsumeIntInRange(0, len(objects) - 1)]
        fuzzlib.mutate(target, fdp)
    if fdp.ConsumeBool():
        detect(objects)
    else:
        detect_summary(objects)


def main():
    fuzzlib.quiet()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
