# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Run the lb_apply module in this process and stop just before its k-th write, for the fault
sweep to SIGKILL it there (what an AWX job cancel does to a module process that ignores
SIGTERM, or after its grace period).

    python sweep_child.py K ARGS.json

ARGS.json is ``{"ANSIBLE_MODULE_ARGS": {...}}``, how Ansible hands arguments to a module. Before
sending write K (a server-side apply that is not a dry run; writes are counted when the server
took them) the process writes
``before-write K`` to stderr and waits to be killed; stdout stays the module's JSON result (if
the plan has fewer than K writes, the module simply finishes).
"""

from __future__ import annotations

import runpy
import sys
import time

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.client import KubeClient

MODULE = "ansible_collections.meshgate.istio_lb.plugins.modules.lb_apply"


def main():
    k = int(sys.argv[1])
    real_apply = KubeClient.apply
    writes = [0]

    def apply(self, obj, field_manager, dry_run=False, force=False):
        if dry_run:
            return real_apply(self, obj, field_manager, dry_run=dry_run, force=force)
        if writes[0] + 1 == k:
            sys.stderr.write("before-write %d\n" % k)
            sys.stderr.flush()
            time.sleep(3600)  # the test kills us here
        out = real_apply(self, obj, field_manager, dry_run=dry_run, force=force)
        writes[0] += 1  # counted once the server took it (a 409 attempt is retried, not a write)
        return out

    KubeClient.apply = apply
    sys.argv = [MODULE, sys.argv[2]]
    runpy.run_module(MODULE, run_name="__main__")


if __name__ == "__main__":
    main()
