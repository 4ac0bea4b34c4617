# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Fuzz target: the kubeconfig loader (k8s/kubeconfig.py) on any bytes as a kubeconfig file:
KubeconfigSource (parse, validate, merge), the context pick, and load_kubeconfig for a context
with static credentials (token, token file, certificates, basic auth: no kubernetes import).
A context whose user has exec or auth-provider is only picked, never loaded: the fuzzer must
not run commands. Allowed: K8sError (reason "config"). Seeds: tests/fuzz/corpus/kubeconfig."""

import os
import sys
import tempfile

import atheris
import fuzzlib  # noqa: F401 - sets the import path

with atheris.instrument_imports(include=["ansible_collections.meshgate"]):
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.kubeconfig import (
        KubeconfigSource,
        load_kubeconfig,
    )
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.static_config import (
        StaticKubeconfigLoader,
        kubeconfig_root,
    )

DIR = tempfile.mkdtemp(prefix="meshgate-fuzz-kubeconfig-")
# *-data fields are written to temporary files (as kubernetes does): keep them in DIR.
tempfile.tempdir = DIR
AUTH = {"context": None, "host": None}


def _static(kc, context):
    try:
        return StaticKubeconfigLoader(kubeconfig_root(kc), context).is_static()
    except Exception:  # load_kubeconfig reports it (as K8sError), or it is a crash there
        return True


def one_input(data):
    path = os.path.join(DIR, "config")
    with open(path, "wb") as handle:
        handle.write(data)
    try:
        kc = KubeconfigSource(path, "fuzz")
        context = kc.pick_context(None, "fuzz")
        if not _static(kc, context):
            return  # exec / auth-provider: kubernetes' loader would run them
        load_kubeconfig(kc, dict(AUTH), {}, set())
    except K8sError as exc:
        if exc.reason != "config":
            raise


def main():
    fuzzlib.quiet()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
