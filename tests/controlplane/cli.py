#!/usr/bin/env python
"""Start/stop the test control plane from a shell (Molecule, benchmarks, manual debugging).

    python tests/controlplane/cli.py up --state-dir DIR [--no-crds] [--crds PATH ...]
    python tests/controlplane/cli.py env --state-dir DIR      # export KUBECONFIG=DIR/kubeconfig
    python tests/controlplane/cli.py status --state-dir DIR   # exit 0 if every component runs
    python tests/controlplane/cli.py down --state-dir DIR [--purge]
    python tests/controlplane/cli.py install-crds --kubeconfig FILE   # any cluster, e.g. kind

`up` leaves the processes running detached (own session, logs in DIR/logs, PIDs in DIR/pids)
and exits 0 once the API server is ready and the CRDs are Established; running it again on a
live state dir only starts what is missing. `down` stops by PID file and is idempotent.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script from anywhere

from harness import (  # noqa: E402
    ControlPlane,
    ControlPlaneError,
    KubectlError,
    default_crd_paths,
)


def _up(args) -> int:
    state = Path(args.state_dir)
    cp = ControlPlane(state, detach=True, use_existing=False)
    t0 = time.monotonic()
    try:
        cp.start()
        if not args.no_crds:
            crds = cp.install_crds(args.crds or default_crd_paths())
            print(f"installed {len(crds)} CRDs", file=sys.stderr)
    except (ControlPlaneError, KubectlError, OSError) as exc:
        cp.stop()
        print(f"control plane failed to start: {exc}", file=sys.stderr)
        return 1
    except BaseException:
        cp.stop()  # e.g. a kubectl failure while installing CRDs: leave nothing running
        raise
    for w in cp.warnings:
        print(f"WARNING: {w}", file=sys.stderr)
    if not cp.last_started:
        print("control plane already running", file=sys.stderr)  # create.yml: changed=false
    print(
        f"control plane up in {time.monotonic() - t0:.1f} s "
        f"(start {cp.last_start_seconds:.1f} s): {cp.server}; components: "
        f"{', '.join(cp.components)}",
        file=sys.stderr,
    )
    print(cp.kubeconfig)
    return 0


def _down(args) -> int:
    state = Path(args.state_dir)
    if (state / "state.json").exists():
        ControlPlane.attach(state).stop()
    if args.purge:
        shutil.rmtree(state, ignore_errors=True)
    return 0


def _env(args) -> int:
    cp = ControlPlane.attach(args.state_dir)
    for key, value in cp.env().items():
        print(f"export {key}={shlex.quote(value)}")
    if cp.bin_dir:
        # The matching kubectl first on PATH.
        print(f'export PATH={shlex.quote(cp.bin_dir)}:"$PATH"')
    return 0


def _status(args) -> int:
    cp = ControlPlane.attach(args.state_dir)
    ok = True
    for name in cp.components:
        running = cp.component_running(name)
        ok &= running
        print(f"{name}: {'running' if running else 'stopped'}")
    return 0 if ok and cp.components else 1


def _install_crds(args) -> int:
    # Any cluster (kind, a dev cluster): the harness's existing-cluster mode with this
    # kubeconfig; kubectl from TEST_ASSET_KUBECTL, KUBEBUILDER_ASSETS or PATH.
    os.environ["KUBECONFIG"] = args.kubeconfig
    state = Path(tempfile.mkdtemp(prefix="meshgate-crds-"))
    try:
        cp = ControlPlane(state, use_existing=True)
        crds = cp.install_crds(args.crds or default_crd_paths())
    except (ControlPlaneError, KubectlError, OSError) as exc:
        print(f"installing CRDs failed: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(state, ignore_errors=True)
    print(f"installed {len(crds)} CRDs into {cp.server}", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (
        ("up", "start (detached) and install CRDs"),
        ("down", "stop by PID files (idempotent)"),
        ("env", "print shell exports for this control plane"),
        ("status", "show which components run"),
        (
            "install-crds",
            "install the default CRDs (Istio and Gateway API from the Go modules, the shared fixtures, tests/crds) into any cluster (e.g. kind)",
        ),
    ):
        p = sub.add_parser(name, help=helptext)
        if name == "install-crds":
            p.add_argument("--kubeconfig", required=True, help="kubeconfig of the cluster")
        else:
            p.add_argument("--state-dir", required=True, help="state directory (created by up)")
        if name == "up":
            p.add_argument("--no-crds", action="store_true", help="do not install CRDs")
        if name in ("up", "install-crds"):
            p.add_argument(
                "--crds",
                action="append",
                metavar="PATH",
                help="CRD file/dir to install instead of the default CRDs (repeatable)",
            )
        if name == "down":
            p.add_argument("--purge", action="store_true", help="also delete the state dir")
    args = parser.parse_args(argv)
    commands = {
        "up": _up,
        "down": _down,
        "env": _env,
        "status": _status,
        "install-crds": _install_crds,
    }
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
