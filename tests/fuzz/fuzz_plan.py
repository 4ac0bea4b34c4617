# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Fuzz target: planning (plan/planner.py plan) on mutated facts: detect() of the vendors'
Helm charts (shared fixtures, read at start), the facts then structurally mutated by the
fuzzer's bytes (fuzzlib.mutate), planned in a mode the fuzzer chooses. lb_plan takes facts as
a module option, so they are user input. Allowed: PlanError. Seeds: tests/fuzz/corpus/plan."""

import sys

import atheris
import fuzzlib

with atheris.instrument_imports(include=["ansible_collections.meshgate"]):
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.options import MODES
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan

FACTS = [detect(objects) for _name, objects in fuzzlib.seed_objects()]


def one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    facts = fuzzlib.copy_tree(FACTS[fdp.ConsumeIntInRange(0, len(FACTS) - 1)])
    mode = MODES[fdp.ConsumeIntInRange(0, len(MODES) - 1)]
    fuzzlib.mutate(facts, fdp)
    try:
        plan(facts, mode)
    except PlanError:
        pass


def main():
    fuzzlib.quiet()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
