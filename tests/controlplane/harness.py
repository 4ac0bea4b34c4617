"""A real Kubernetes control plane on 127.0.0.1 for integration tests (no Docker, no kubelet).

Runs etcd + kube-apiserver (+ kube-controller-manager + kube-scheduler when available) the way
controller-runtime's envtest does, with RBAC and an audit log, so tests can check what our code
really sends to an API server: schema validation by the real CRDs, 403s for restricted users,
and the exact number of write requests (from the audit log).

    cp = ControlPlane("/tmp/state")
    cp.start()                                  # ~3 s once the binaries are built
    cp.install_crds(default_crd_paths())        # shared fixtures' CRDs + tests/crds, ~3 s
    mark = cp.audit.mark()
    cp.kubectl("create", "configmap", "x", "-n", "default")
    assert cp.audit.count(since=mark, user="admin", verbs=("create", "patch")) == 1
    cp.stop()

Binaries (first match wins, per binary): TEST_ASSET_KUBE_APISERVER / TEST_ASSET_ETCD /
TEST_ASSET_KUBE_CONTROLLER_MANAGER / TEST_ASSET_KUBE_SCHEDULER / TEST_ASSET_KUBECTL, then the
KUBEBUILDER_ASSETS folder. When neither names kube-apiserver and etcd, build-binaries.sh builds
(or finds in its cache) the whole set. With USE_EXISTING_CLUSTER=true + KUBECONFIG nothing is
started: the helpers run against that cluster and the audit helpers report "unavailable".

Everything (PKI, kubeconfigs, etcd data, logs, pid files, audit.log) lives in `state_dir`, and
`state.json` there lets another process (cli.py down, a second pytest run) find the PIDs.
"""

from __future__ import annotations

import atexit
import base64
import concurrent.futures
import ctypes
import functools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import yaml

try:  # imported as part of a package, or with tests/controlplane on sys.path
    from . import pki
except ImportError:  # pragma: no cover - depends on how the caller imports us
    import pki

HERE = Path(__file__).resolve().parent
BUILD_SCRIPT = HERE / "build-binaries.sh"
HELM_BUILD_SCRIPT = HERE / "build-helm.sh"
# The vendors' CRDs are read from the shared fixtures (beside the checkout, as in CI;
# MESHGATE_SHARED_FIXTURES names another copy); tests/crds holds only the CRDs we wrote.
if str(HERE.parent) not in sys.path:  # cli.py and bench/run.py import us without tests/ on it
    sys.path.insert(0, str(HERE.parent))
from fixture_root import shared_fixtures, shared_fixtures_dir  # noqa: E402

SHARED_FIXTURES = shared_fixtures_dir()
CRDS_DIR = SHARED_FIXTURES / "crds"
OUR_CRDS_DIR = HERE.parent / "crds"
# In the shared CRDs but not installed by default: kube-apiserver 1.36 rejects them, or they
# repeat another file; see tests/crds/PROVENANCE.md.
CRDS_NOT_INSTALLABLE = {
    "contour/httpproxies.projectcontour.io.yaml": (
        "a split copy of the HTTPProxy CRD in contour/01-crds.yaml (installed from there)"
    ),
    "emissary/getambassador.io-crds.yaml": (
        "non-structural schemas (oneOf branches with their own `type`), rejected by "
        "apiextensions.k8s.io/v1; Emissary's release tooling rewrites them before shipping"
    ),
}

# Start order; stop runs in reverse. Aliases let tests say "apiserver" or "etcd".
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")
_ALIASES = {
    "apiserver": "kube-apiserver",
    "kube-apiserver": "kube-apiserver",
    "etcd": "etcd",
    "controller-manager": "kube-controller-manager",
    "kube-controller-manager": "kube-controller-manager",
    "scheduler": "kube-scheduler",
    "kube-scheduler": "kube-scheduler",
}
_ENV_ASSET = {
    "etcd": "TEST_ASSET_ETCD",
    "kube-apiserver": "TEST_ASSET_KUBE_APISERVER",
    "kube-controller-manager": "TEST_ASSET_KUBE_CONTROLLER_MANAGER",
    "kube-scheduler": "TEST_ASSET_KUBE_SCHEDULER",
    "kubectl": "TEST_ASSET_KUBECTL",
}
FIELD_MANAGER = "meshgate-test"
CONTEXT = "meshgate-test"
ADMIN_USER = "admin"
# Requests the harness makes to flush the audit log carry this in their URI; the audit
# helpers drop them so counts only show what the test did.
_SENTINEL = "meshgate-audit-sync-"

AUDIT_POLICY = """\
# Written by tests/controlplane/harness.py: every request at Metadata level (who, verb,
# resource, response code; no bodies), one event per request once the response is complete.
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
"""


class ControlPlaneError(RuntimeError):
    """The control plane could not be started/used; the message carries the log tail."""


def run_build_script(script: Path, who: str) -> Path:
    """Run one of the cached builds (build-binaries.sh, build-istio.sh, build-helm.sh) and return
    the folder it prints last. Its stderr streams through, so a cold build shows its progress;
    the scripts lock their cache folder, so concurrent runs wait for one build."""
    print(f"{who}: running {script.name}", file=sys.stderr)
    res = subprocess.run(["bash", str(script)], stdout=subprocess.PIPE, text=True, check=False)
    lines = res.stdout.strip().splitlines()
    if res.returncode != 0 or not lines:
        raise ControlPlaneError(f"{script} failed (exit {res.returncode}); see its messages above")
    return Path(lines[-1])


def helm_binaries() -> dict[str, str]:
    """{"3": Helm 3, "4": Helm 4}: MESHGATE_HELM3 / MESHGATE_HELM4 when both are set, else the
    ones build-helm.sh builds from the Go module proxy (cached: instant once built; a few
    minutes each cold on 2 cores)."""
    given = {"3": os.environ.get("MESHGATE_HELM3"), "4": os.environ.get("MESHGATE_HELM4")}
    for major, path in given.items():
        if path and not os.access(path, os.X_OK):
            raise ControlPlaneError(f"MESHGATE_HELM{major}={path} is not an executable")
    if all(given.values()):
        return given
    folder = run_build_script(HELM_BUILD_SCRIPT, "meshgate helm")
    return {major: given[major] or str(folder / f"helm{major}") for major in given}


class AuditUnavailable(RuntimeError):
    """Audit events cannot be read (existing cluster: its audit log is not ours)."""


class KubectlError(subprocess.CalledProcessError):
    """kubectl (or helm) failed; unlike CalledProcessError, str() shows the command's stderr."""

    def __str__(self) -> str:
        cmd = " ".join(str(c) for c in self.cmd)
        tool = Path(str(self.cmd[0])).name
        return f"{tool} exited {self.returncode}: {cmd}\n{(self.stderr or '').strip()}"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _free_ports(n: int) -> list[int]:
    """n distinct free loopback ports (sockets held open together so they differ)."""
    socks = []
    try:
        for _i in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _set_pdeathsig() -> None:
    """In the child: get SIGKILL if the parent dies (pytest killed -9 leaves no orphans).

    Runs between fork and exec; Linux-only, silently skipped elsewhere.
    """
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # pragma: no cover
        pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie answers kill(0) but is gone; its reaper may be slow (or absent in containers).
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _pid_runs(pid: int, binary: str) -> bool:
    """True if pid is alive and runs `binary` (guards against recycled PIDs)."""
    if not _pid_alive(pid):
        return False
    try:
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0].decode()
    except OSError:
        return True  # no /proc: trust the pid file
    return os.path.basename(argv0) == os.path.basename(binary)


_ERROR_LINE = re.compile(r'^(Error:|[EF]\d{4} |panic:)|"level":"(error|fatal|panic)"')


def _tail(path: Path, lines: int = 40, marker: str | None = None) -> str:
    """Last lines of a component log (latest run only), plus earlier error lines.

    kube-apiserver prints "Error: unknown flag" and then hundreds of lines of usage; the
    error lines are what the reader needs, so they are repeated above the tail.
    """
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    if marker and marker in text:  # only the latest run of an appended log
        text = text[text.rindex(marker) :]
    all_lines = text.splitlines()
    tail = all_lines[-lines:]
    errors = [ln for ln in all_lines[:-lines] if _ERROR_LINE.search(ln)][-10:]
    if errors:
        return "\n".join(["(error lines)", *errors, "(last lines)", *tail])
    return "\n".join(tail)


def _known_bad(f: Path) -> bool:
    try:
        return f.resolve().relative_to(CRDS_DIR.resolve()).as_posix() in CRDS_NOT_INSTALLABLE
    except ValueError:
        return False


def _manifest_paths(paths, skip_not_installable: bool = False) -> list[Path]:
    """Files from files/directories (recursive, sorted; *.yaml, *.yml, *.json).

    skip_not_installable: leave out CRDS_NOT_INSTALLABLE when a directory is expanded (a file
    named explicitly is always kept, so its failure is visible).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix in (".yaml", ".yml", ".json")
                and not (skip_not_installable and _known_bad(f))
            )
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"manifest path not found: {p}")
    return out


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster on big CRDs


def _load_docs(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [d for d in yaml.load_all(fh, Loader=_Loader) if isinstance(d, dict)]


def _looks_like_text(item: str) -> bool:
    s = item.lstrip()
    return "\n" in item or s.startswith(("apiVersion", "kind", "---", "{"))


# CRDs taken from the Go modules the tests build from, so the schemas are the ones the code
# under test was built against: Istio's from istio.io/istio at the commit istiod and istioctl are
# built from (tests/controlplane/istio-source.sh), Gateway API's from sigs.k8s.io/gateway-api at
# the version that Istio's go.mod requires, and the EnvoyProxy CRD (which the shared fixtures
# lack) from Envoy Gateway at the version of the chart the shared fixtures render
# (helm/envoy-gateway: v1.9.0). The module proxy serves them; the module cache keeps them.
# Each entry: (module, version or a function giving it, file globs inside the module).
ISTIO_SOURCE_SCRIPT = HERE / "istio-source.sh"


def istio_module_version() -> str:
    """The istio.io/istio version istiod is built from: MESHGATE_ISTIO_MODULE_VERSION, else the
    default in istio-source.sh (read from the script, so the two cannot disagree)."""
    if os.environ.get("MESHGATE_ISTIO_MODULE_VERSION"):
        return os.environ["MESHGATE_ISTIO_MODULE_VERSION"]
    m = re.search(
        r'^ISTIO_MODULE_VERSION="\$\{MESHGATE_ISTIO_MODULE_VERSION:-([^}]+)\}"',
        ISTIO_SOURCE_SCRIPT.read_text(encoding="utf-8"),
        re.M,
    )
    if not m:
        raise RuntimeError(f"no ISTIO_MODULE_VERSION default in {ISTIO_SOURCE_SCRIPT}")
    return m.group(1)


def _required_version(module: str, version: str, required: str) -> str:
    """The version of `required` that module@version's go.mod requires."""
    gomod = Path(_module_download(module, version)["GoMod"]).read_text(encoding="utf-8")
    m = re.search(r"^\s*(?:require\s+)?" + re.escape(required) + r"\s+(v\S+)", gomod, re.M)
    if not m:
        raise RuntimeError(f"{module}@{version}'s go.mod does not require {required}")
    return m.group(1)


MODULE_CRDS = {
    "istio": (
        "istio.io/istio",
        istio_module_version,
        ["manifests/charts/base/files/crd-all.gen.yaml"],
    ),
    "gateway-api": (
        "sigs.k8s.io/gateway-api",
        lambda: _required_version(
            "istio.io/istio", istio_module_version(), "sigs.k8s.io/gateway-api"
        ),
        ["config/crd/standard/*.yaml"],
    ),
    "envoy-gateway": (
        "github.com/envoyproxy/gateway",
        "v1.9.0",
        ["charts/gateway-helm/charts/crds/crds/generated/gateway.envoyproxy.io_envoyproxies.yaml"],
    ),
}
# Shared-fixture CRD folders the module CRDs above replace in default_crd_paths() (the shared
# copies stay for the offline tests that read them as vendor material).
CRDS_FROM_MODULES = {"istio": "istio", "gateway-api-standard": "gateway-api"}


@functools.lru_cache(maxsize=None)  # the Gateway API version and the CRDs read istio's once
def _module_download(module: str, version: str) -> dict:
    out = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@{version}"],
        cwd=tempfile.gettempdir(),  # outside any module
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, GOFLAGS="-mod=mod"),
    )
    if out.returncode != 0:
        raise RuntimeError(f"go mod download {module}@{version} failed: {out.stderr or out.stdout}")
    return json.loads(out.stdout)


def module_crd_version(name: str) -> tuple[str, str]:
    """(module, version) of MODULE_CRDS[name]."""
    module, version, _files = MODULE_CRDS[name]
    return module, version() if callable(version) else version


def module_crd_paths(name: str) -> list[Path]:
    """The CRD files of MODULE_CRDS[name], downloaded into the Go module cache if missing."""
    module, version = module_crd_version(name)
    root = Path(_module_download(module, version)["Dir"])
    out = []
    for pattern in MODULE_CRDS[name][2]:
        found = sorted(root.glob(pattern))
        if not found:
            raise RuntimeError(f"{module}@{version} has no {pattern}")
        out += found
    return out


def default_crd_paths() -> list[Path]:
    """The CRDs the tests install: Istio's and Gateway API's from the Go modules istiod is
    built from, every other vendor CRD file of the shared fixtures that installs into
    kube-apiserver 1.36, and ours (tests/crds)."""
    crds = shared_fixtures() / "crds"
    shared = [
        f
        for f in _manifest_paths([crds], skip_not_installable=True)
        if f.relative_to(crds).parts[0] not in CRDS_FROM_MODULES
    ]
    modules = [p for name in CRDS_FROM_MODULES.values() for p in module_crd_paths(name)]
    return modules + shared + _manifest_paths([OUR_CRDS_DIR])


class _Component:
    """One control-plane process: how to start it, its pid file and log, and liveness."""

    def __init__(self, name: str, binary: str, state_dir: Path):
        self.name = name
        self.binary = binary
        self.log = state_dir / "logs" / f"{name}.log"
        self.pidfile = state_dir / "pids" / f"{name}.pid"
        self.proc: subprocess.Popen | None = None
        self.marker = ""

    @property
    def pid(self) -> int | None:
        if self.proc is not None:
            return self.proc.pid
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def running(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        pid = self.pid
        return pid is not None and _pid_runs(pid, self.binary)

    def spawn(self, argv: list[str], cwd: Path, detach: bool, env: dict | None = None) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.pidfile.parent.mkdir(parents=True, exist_ok=True)
        # Logs are appended across restarts; the marker lets error messages show the latest run.
        self.marker = f"=== meshgate harness: start {self.name} {uuid.uuid4().hex[:8]}"
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(f"{self.marker} {time.strftime('%H:%M:%S')}\n$ {' '.join(argv)}\n")
            fh.flush()
            # Own session: Ctrl-C in the terminal does not hit the children in random order,
            # and a detached control plane (cli.py up) survives its parent.
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=fh,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=env,
                start_new_session=True,
                preexec_fn=None if detach else _set_pdeathsig,
            )
        self.pidfile.write_text(f"{self.proc.pid}\n")

    def exited(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def stop(self, timeout: float) -> None:
        """SIGTERM, then SIGKILL after `timeout`; works for children and for pid-file PIDs."""
        pid = self.pid
        if pid is not None and self.running():
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if not self._wait(pid, timeout):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self._wait(pid, 10)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass
        self.proc = None
        self.pidfile.unlink(missing_ok=True)

    def _wait(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None:
                try:
                    self.proc.wait(timeout=0.05)
                    return True
                except subprocess.TimeoutExpired:
                    continue
            if not _pid_alive(pid):
                return True
            time.sleep(0.05)
        return False


class Audit:
    """Reads the API server's audit log (JSON lines, Metadata level) in the state dir.

    The API server runs with --audit-log-mode=blocking, so an event is written by the request's
    own goroutine; the ResponseComplete event is written just after the response is sent,
    though. `mark()`, `events()` and `count()` therefore first make a sentinel request and wait
    until its event is in the file: everything the test did before is then on disk.
    """

    available = True

    def __init__(self, cp: ControlPlane):
        self._cp = cp
        self.path = cp.state_dir / "audit.log"

    def sync(self, timeout: float = 5.0) -> None:
        if not self._cp.component_running("kube-apiserver"):
            return  # a stopped API server has written everything it will
        start = self._size()
        token = _SENTINEL + uuid.uuid4().hex
        try:
            self._cp._api_get(f"/api/v1/namespaces/default/configmaps/{token}")
        except (
            Exception
        ):  # noqa: BLE001 - a Not Found is expected; anything else: fall back to settling
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.path, "rb") as fh:
                fh.seek(start)
                if token.encode() in fh.read():
                    return
            time.sleep(0.02)
        time.sleep(0.2)  # sentinel not seen (API server unhealthy?): give writes a moment

    def _size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def mark(self) -> int:
        """Current end of the audit log; pass it as `since` to see only later events."""
        self.sync()
        return self._size()

    def events(self, since: int = 0) -> list[dict]:
        """Audit events written after byte offset `since` (sentinel requests dropped)."""
        self.sync()
        out = []
        try:
            with open(self.path, "rb") as fh:
                fh.seek(since)
                data = fh.read()
        except FileNotFoundError:
            return out
        for line in data.splitlines():
            if not line.strip() or _SENTINEL.encode() in line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                continue  # a torn line at a restart boundary
        return out

    def count(
        self,
        since: int = 0,
        user: str | None = None,
        verbs=None,
        resource: str | None = None,
        exclude_system: bool = True,
        namespace: str | None = None,
    ) -> int:
        """Number of completed requests matching the filters.

        user: effective user name (the impersonated user if impersonation was used).
        verbs: a verb or a collection (create, update, patch, delete, get, list, watch...).
        resource: "ingresses" or "ingresses.networking.k8s.io".
        exclude_system: when `user` is not given, skip system:* users (controllers,
        scheduler, the API server itself, service accounts).
        """
        return len(self.filter(since, user, verbs, resource, exclude_system, namespace))

    def filter(
        self,
        since: int = 0,
        user: str | None = None,
        verbs=None,
        resource: str | None = None,
        exclude_system: bool = True,
        namespace: str | None = None,
    ) -> list[dict]:
        if isinstance(verbs, str):
            verbs = {verbs}
        elif verbs is not None:
            verbs = set(verbs)
        out = []
        for ev in self.events(since):
            # ResponseStarted is only logged for long-running requests (watch); counting
            # completions alone gives one event per request.
            if ev.get("stage") not in ("ResponseComplete", "Panic"):
                continue
            name = (ev.get("impersonatedUser") or ev.get("user") or {}).get("username", "")
            if user is not None and name != user:
                continue
            if user is None and exclude_system and name.startswith("system:"):
                continue
            if verbs is not None and ev.get("verb") not in verbs:
                continue
            ref = ev.get("objectRef") or {}
            if resource is not None:
                full = ref.get("resource", "")
                if ref.get("apiGroup"):
                    full = f"{full}.{ref['apiGroup']}"
                if resource not in (ref.get("resource"), full):
                    continue
            if namespace is not None and ref.get("namespace") != namespace:
                continue
            out.append(ev)
        return out


class UnavailableAudit:
    """Stand-in when the cluster is not ours; tests check `.available` and skip."""

    available = False
    reason = "audit log not available: USE_EXISTING_CLUSTER=true (not our API server)"

    def _fail(self, *_a, **_kw):
        raise AuditUnavailable(self.reason)

    mark = events = count = filter = sync = _fail


class ControlPlane:
    """etcd + kube-apiserver (+ controller-manager + scheduler) on 127.0.0.1.

    Not thread-safe. Keep one instance per state dir.
    """

    def __init__(
        self,
        state_dir: str | os.PathLike | None = None,
        *,
        detach: bool = False,
        use_existing: bool | None = None,
        stop_timeout: float = 15.0,
        ready_timeout: float = 90.0,
        only: tuple[str, ...] | None = None,
    ):
        if state_dir is None:
            state_dir = os.environ.get("MESHGATE_STATE_DIR") or tempfile.mkdtemp(
                prefix="meshgate-cp-"
            )
        self.state_dir = Path(state_dir).resolve()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # detach: processes outlive this Python process (cli.py up); no atexit stop, no
        # parent-death signal.
        self.detach = detach
        # only: run just these components (e.g. the benchmarks: etcd + kube-apiserver, so no
        # controller turns 20,000 Deployments into ReplicaSets while they are measured).
        self.only = tuple(only) if only else None
        self.stop_timeout = stop_timeout
        self.ready_timeout = ready_timeout
        if use_existing is None:
            use_existing = _truthy(os.environ.get("USE_EXISTING_CLUSTER"))
        self.use_existing = use_existing
        self.warnings: list[str] = []
        self.last_start_seconds: float | None = None
        self.last_started: list[str] = []  # components the last start() actually started
        self._binaries: dict[str, str] | None = None
        self._components: dict[str, _Component] = {}
        self._atexit_registered = False
        self._state = self._load_state()
        if use_existing:
            self._init_existing()
            self.audit: Audit | UnavailableAudit = UnavailableAudit()
        else:
            self.audit = Audit(self)

    # ------------------------------------------------------------------ paths / identity
    @property
    def pki_dir(self) -> Path:
        return self.state_dir / "pki"

    @property
    def kubeconfig(self) -> str:
        """Admin kubeconfig (user `admin`, group system:masters) or the existing one."""
        if self.use_existing:
            return self._existing_kubeconfig
        return str(self.state_dir / "kubeconfig")

    @property
    def server(self) -> str:
        if self.use_existing:
            return self._existing_server
        return f"https://127.0.0.1:{self.ports['apiserver']}"

    @property
    def context(self) -> str:
        return self._existing_context if self.use_existing else CONTEXT

    @property
    def ports(self) -> dict[str, int]:
        """Ports are chosen once per state dir and reused on restart (kubeconfigs stay valid)."""
        if "ports" not in self._state:
            etcd, peer, api, cm, sched = _free_ports(5)
            self._state["ports"] = {
                "etcd": etcd,
                "etcd_peer": peer,
                "apiserver": api,
                "controller_manager": cm,
                "scheduler": sched,
            }
            self._save_state()
        return self._state["ports"]

    @property
    def bin_dir(self) -> str:
        """Folder holding kube-apiserver (or kubectl for an existing cluster)."""
        b = self.binaries
        key = "kubectl" if self.use_existing else "kube-apiserver"
        return str(Path(b[key]).parent) if b.get(key) else ""

    @property
    def kubectl_path(self) -> str:
        path = self.binaries.get("kubectl")
        if not path:
            raise ControlPlaneError(
                "no kubectl: set TEST_ASSET_KUBECTL, put kubectl in KUBEBUILDER_ASSETS or "
                "on PATH, or let tests/controlplane/build-binaries.sh build it"
            )
        return path

    @property
    def components(self) -> list[str]:
        """Components this control plane runs (controller-manager/scheduler may be absent)."""
        if self.use_existing:
            return []
        return [
            c for c in COMPONENTS if self.binaries.get(c) and (self.only is None or c in self.only)
        ]

    def env(self) -> dict[str, str]:
        """Environment for tools pointed at this cluster (kubernetes.core reads K8S_AUTH_*)."""
        return {"KUBECONFIG": self.kubeconfig, "K8S_AUTH_KUBECONFIG": self.kubeconfig}

    # ------------------------------------------------------------------ state file
    def _load_state(self) -> dict:
        try:
            return json.loads((self.state_dir / "state.json").read_text())
        except (OSError, ValueError):
            return {}

    def _save_state(self) -> None:
        tmp = self.state_dir / "state.json.tmp"
        tmp.write_text(json.dumps(self._state, indent=2, sort_keys=True) + "\n")
        tmp.replace(self.state_dir / "state.json")

    # ------------------------------------------------------------------ binaries
    @property
    def binaries(self) -> dict[str, str]:
        if self._binaries is None:
            self._binaries = self._resolve_binaries()
            if not self.use_existing:
                self._state["binaries"] = self._binaries
                self._save_state()
        return self._binaries

    @classmethod
    def attach(cls, state_dir: str | os.PathLike, **kwargs) -> ControlPlane:
        """A handle on a control plane another process started in `state_dir` (cli.py up).

        Uses the binaries recorded in state.json (never builds), so stop()/env work even
        when the environment differs from the one that started it.
        """
        kwargs.setdefault("detach", True)
        cp = cls(state_dir, use_existing=False, **kwargs)
        cp._binaries = dict(cp._state.get("binaries") or {})
        return cp

    def _resolve_binaries(self) -> dict[str, str]:
        names = (*COMPONENTS, "kubectl")
        found: dict[str, str] = {}
        for n in names:
            env = os.environ.get(_ENV_ASSET[n])
            if env:
                if not os.access(env, os.X_OK):
                    raise ControlPlaneError(f"{_ENV_ASSET[n]}={env} is not an executable")
                found[n] = env
        assets = os.environ.get("KUBEBUILDER_ASSETS")
        if assets:
            for n in names:
                p = Path(assets) / n
                if n not in found and os.access(p, os.X_OK):
                    found[n] = str(p)
        if self.use_existing:
            if "kubectl" not in found:
                found["kubectl"] = shutil.which("kubectl") or str(Path(self._build()) / "kubectl")
            return {"kubectl": found["kubectl"]}
        if not (assets or ("etcd" in found and "kube-apiserver" in found)):
            built = Path(self._build())
            for n in names:
                if n not in found and os.access(built / n, os.X_OK):
                    found[n] = str(built / n)
        for n in ("etcd", "kube-apiserver"):
            if n not in found:
                raise ControlPlaneError(
                    f"{n} not found: KUBEBUILDER_ASSETS={assets!r} has no {n} and "
                    f"{_ENV_ASSET[n]} is not set"
                )
        for n in ("kube-controller-manager", "kube-scheduler"):
            if n not in found:
                # envtest asset folders hold only etcd, kube-apiserver and kubectl.
                self.warnings.append(
                    f"{n} not found (KUBEBUILDER_ASSETS={assets}): running without it; "
                    + (
                        "Deployments get no ReplicaSets and namespaces stay Terminating"
                        if n == "kube-controller-manager"
                        else "Pods are never scheduled"
                    )
                )
        if "kubectl" not in found and shutil.which("kubectl"):
            found["kubectl"] = shutil.which("kubectl")
        for w in self.warnings:
            print(f"meshgate control plane: WARNING: {w}", file=sys.stderr)
        return found

    @staticmethod
    def _build() -> str:
        """Run build-binaries.sh (cached: seconds when built; ~10 min cold on 2 cores)."""
        return str(run_build_script(BUILD_SCRIPT, "meshgate control plane"))

    # ------------------------------------------------------------------ existing cluster
    def _init_existing(self) -> None:
        kc = os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")
        self._existing_kubeconfig = kc
        first = kc.split(os.pathsep)[0]
        try:
            cfg = yaml.safe_load(Path(first).read_text()) or {}
        except OSError as exc:
            raise ControlPlaneError(
                f"USE_EXISTING_CLUSTER=true but KUBECONFIG {first} unreadable: {exc}"
            ) from exc
        ctx_name = os.environ.get("MESHGATE_CONTEXT") or cfg.get("current-context", "")
        ctx = next((c["context"] for c in cfg.get("contexts", []) if c["name"] == ctx_name), {})
        cluster = next(
            (c["cluster"] for c in cfg.get("clusters", []) if c["name"] == ctx.get("cluster")),
            {},
        )
        self._existing_context = ctx_name
        self._existing_server = cluster.get("server", "")

    # ------------------------------------------------------------------ PKI + kubeconfigs
    def _ensure_pki(self) -> None:
        """Create CA, serving/client certs and kubeconfigs once per state dir."""
        d = self.pki_dir
        if (d / "ca.crt").exists() and (self.state_dir / "kubeconfig").exists():
            return
        d.mkdir(parents=True, exist_ok=True)
        ca_key, ca_cert = pki.make_ca()
        pki.write_private(d / "ca.key", pki.key_pem(ca_key))
        (d / "ca.crt").write_bytes(pki.cert_pem(ca_cert))
        key, cert = pki.issue(
            ca_key,
            ca_cert,
            "kube-apiserver",
            dns_names=(
                "localhost",
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local",
            ),
            ip_addresses=("127.0.0.1", "10.96.0.1"),
            server=True,
            client=False,
        )
        pki.write_private(d / "apiserver.key", pki.key_pem(key))
        (d / "apiserver.crt").write_bytes(pki.cert_pem(cert))
        for base, cn, orgs in (
            ("admin", ADMIN_USER, ("system:masters",)),
            ("controller-manager", "system:kube-controller-manager", ()),
            ("scheduler", "system:kube-scheduler", ()),
        ):
            key, cert = pki.issue(ca_key, ca_cert, cn, orgs=orgs)
            pki.write_private(d / f"{base}.key", pki.key_pem(key))
            (d / f"{base}.crt").write_bytes(pki.cert_pem(cert))
        # Front-proxy (aggregation layer) CA + client: without it, every component that
        # reads extension-apiserver-authentication logs "missing content for CA bundle".
        fp_key, fp_cert = pki.make_ca("meshgate-test-front-proxy-ca")
        pki.write_private(d / "front-proxy-ca.key", pki.key_pem(fp_key))
        (d / "front-proxy-ca.crt").write_bytes(pki.cert_pem(fp_cert))
        key, cert = pki.issue(fp_key, fp_cert, "front-proxy-client")
        pki.write_private(d / "front-proxy-client.key", pki.key_pem(key))
        (d / "front-proxy-client.crt").write_bytes(pki.cert_pem(cert))
        sa = pki.new_key()
        pki.write_private(d / "sa.key", pki.key_pem(sa))
        (d / "sa.pub").write_bytes(pki.public_pem(sa))
        # --token-auth-file: a static admin token for tools that cannot use client certs.
        token = secrets.token_hex(16)
        pki.write_private(
            d / "tokens.csv", f'{token},{ADMIN_USER},admin,"system:masters"\n'.encode()
        )
        ca_pem = (d / "ca.crt").read_bytes()
        self._write_kubeconfig(
            self.state_dir / "kubeconfig", ADMIN_USER, d / "admin.crt", d / "admin.key", ca_pem
        )
        for base, user in (
            ("controller-manager", "system:kube-controller-manager"),
            ("scheduler", "system:kube-scheduler"),
        ):
            self._write_kubeconfig(
                self.state_dir / f"{base}.kubeconfig",
                user,
                d / f"{base}.crt",
                d / f"{base}.key",
                ca_pem,
            )

    def _write_kubeconfig(self, path: Path, user: str, crt: Path, key: Path, ca_pem: bytes):
        """Self-contained kubeconfig (embedded data: copyable, works from any cwd)."""

        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode()

        cfg = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": CONTEXT,
                    "cluster": {"server": self.server, "certificate-authority-data": b64(ca_pem)},
                }
            ],
            "users": [
                {
                    "name": user,
                    "user": {
                        "client-certificate-data": b64(Path(crt).read_bytes()),
                        "client-key-data": b64(Path(key).read_bytes()),
                    },
                }
            ],
            "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": user}}],
            "current-context": CONTEXT,
        }
        pki.write_private(path, yaml.safe_dump(cfg, sort_keys=False).encode())

    # ------------------------------------------------------------------ component commands
    def _argv(self, name: str) -> list[str]:
        s, d, p = self.state_dir, self.pki_dir, self.ports
        b = self.binaries[name]
        if name == "etcd":
            return [
                b,
                f"--data-dir={s / 'etcd-data'}",
                f"--listen-client-urls=http://127.0.0.1:{p['etcd']}",
                f"--listen-peer-urls=http://127.0.0.1:{p['etcd_peer']}",
                "--unsafe-no-fsync",  # tests only: no durability needed, much faster
            ]
        if name == "kube-apiserver":
            return [
                b,
                f"--etcd-servers=http://127.0.0.1:{p['etcd']}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={p['apiserver']}",
                f"--cert-dir={s / 'apiserver-certs'}",
                f"--tls-cert-file={d / 'apiserver.crt'}",
                f"--tls-private-key-file={d / 'apiserver.key'}",
                f"--client-ca-file={d / 'ca.crt'}",
                f"--token-auth-file={d / 'tokens.csv'}",
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={d / 'sa.pub'}",
                f"--service-account-signing-key-file={d / 'sa.key'}",
                "--service-cluster-ip-range=10.96.0.0/12",
                # No kubelet/endpoints to reconcile; stops a log line every 10 s on loopback.
                "--endpoint-reconciler-type=none",
                "--allow-privileged=true",
                # Without it, SIGTERM with controller/scheduler watches open waits for the
                # 60 s shutdown timeout; with it the API server exits in about 1 s.
                "--shutdown-watch-termination-grace-period=1s",
                f"--requestheader-client-ca-file={d / 'front-proxy-ca.crt'}",
                "--requestheader-allowed-names=front-proxy-client",
                "--requestheader-username-headers=X-Remote-User",
                "--requestheader-group-headers=X-Remote-Group",
                "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                f"--proxy-client-cert-file={d / 'front-proxy-client.crt'}",
                f"--proxy-client-key-file={d / 'front-proxy-client.key'}",
                f"--audit-policy-file={s / 'audit-policy.yaml'}",
                f"--audit-log-path={s / 'audit.log'}",
                "--audit-log-format=json",
                # Synchronous writes: events are on disk right after each request.
                "--audit-log-mode=blocking",
                "--audit-log-maxsize=0",  # never rotate: offsets from mark() stay valid
            ]
        common = [
            b,
            "--bind-address=127.0.0.1",
            "--leader-elect=false",  # one instance; no lease traffic in the audit log
        ]
        if name == "kube-controller-manager":
            kc = s / "controller-manager.kubeconfig"
            return common + [
                f"--kubeconfig={kc}",
                f"--authentication-kubeconfig={kc}",
                f"--authorization-kubeconfig={kc}",
                f"--secure-port={p['controller_manager']}",
                f"--cert-dir={s / 'controller-manager-certs'}",
                "--use-service-account-credentials=true",
                f"--service-account-private-key-file={d / 'sa.key'}",
                f"--root-ca-file={d / 'ca.crt'}",
                # Lets the CertificateSigningRequest API sign client certs with our CA.
                f"--cluster-signing-cert-file={d / 'ca.crt'}",
                f"--cluster-signing-key-file={d / 'ca.key'}",
                "--cluster-name=meshgate-test",
                # No kubelet ever reports for a Node object created by a test (the Istio tests
                # make one so DaemonSets get Pods): without these, the node lifecycle
                # controller marks it unreachable after a minute and taints it NoSchedule, and
                # the DaemonSet controller then creates no new Pod for it (seen on a cold run,
                # where building istiod took longer than that minute).
                "--node-startup-grace-period=24h",
                "--node-monitor-grace-period=24h",
            ]
        if name == "kube-scheduler":
            kc = s / "scheduler.kubeconfig"
            return common + [
                f"--kubeconfig={kc}",
                f"--authentication-kubeconfig={kc}",
                f"--authorization-kubeconfig={kc}",
                f"--secure-port={p['scheduler']}",
                f"--cert-dir={s / 'scheduler-certs'}",
            ]
        raise ValueError(name)

    def _component(self, name: str) -> _Component:
        name = self._canonical(name)
        if name not in self._components:
            self._components[name] = _Component(name, self.binaries[name], self.state_dir)
        return self._components[name]

    @staticmethod
    def _canonical(name: str) -> str:
        try:
            return _ALIASES[name]
        except KeyError:
            raise ValueError(f"unknown component {name!r}; one of {sorted(_ALIASES)}") from None

    def component_running(self, name: str) -> bool:
        if self.use_existing:
            return True
        name = self._canonical(name)
        return name in self.components and self._component(name).running()

    def is_running(self) -> bool:
        """True if every component of this control plane is running."""
        return bool(self.components) and all(self.component_running(c) for c in self.components)

    # ------------------------------------------------------------------ readiness
    def _ssl_context(self, client: bool = True, verify: bool = True) -> ssl.SSLContext:
        if not verify:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return ctx
        ctx = ssl.create_default_context(cafile=str(self.pki_dir / "ca.crt"))
        if client:
            ctx.load_cert_chain(self.pki_dir / "admin.crt", self.pki_dir / "admin.key")
        return ctx

    def _api_get(self, path: str, timeout: float = 5.0) -> tuple[int, str]:
        """GET on the API server as admin with the harness PKI (no kubectl start-up cost)."""
        req = urllib.request.Request(self.server + path)
        try:
            with urllib.request.urlopen(req, context=self._ssl_context(), timeout=timeout) as resp:
                return resp.status, resp.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def _crd_discovery_complete(self) -> bool:
        """Discovery serves every Established CRD's group/version again.

        /readyz turns 200 before the CRD groups are back in discovery; clients and the
        namespace controller that look in that window do not see the custom kinds.
        """
        status, body = self._api_get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
        if status != 200:
            return False
        wanted = set()
        for crd in json.loads(body).get("items", []):
            conditions = (crd.get("status") or {}).get("conditions") or []
            if any(
                c.get("type") == "Established" and c.get("status") == "True" for c in conditions
            ):
                group = crd["spec"]["group"]
                wanted.update(
                    f"{group}/{v['name']}" for v in crd["spec"]["versions"] if v.get("served")
                )
        status, body = self._api_get("/apis")
        if status != 200:
            return False
        served = {
            v["groupVersion"] for g in json.loads(body).get("groups", []) for v in g["versions"]
        }
        return wanted <= served

    def _probe(self, name: str) -> bool:
        p = self.ports
        try:
            if name == "etcd":
                url = f"http://127.0.0.1:{p['etcd']}/health"
                with urllib.request.urlopen(url, timeout=2) as resp:
                    return b'"health":"true"' in resp.read()
            if name == "kube-apiserver":
                status, _body = self._api_get("/readyz", timeout=2)
                return status == 200 and self._crd_discovery_complete()
            port = p["controller_manager" if name == "kube-controller-manager" else "scheduler"]
            url = f"https://127.0.0.1:{port}/healthz"  # always-allowed path, self-signed cert
            with urllib.request.urlopen(
                url, context=self._ssl_context(verify=False), timeout=2
            ) as resp:
                return resp.status == 200
        except (OSError, urllib.error.URLError, ssl.SSLError):
            return False

    def _wait_ready(self, name: str) -> None:
        comp = self._component(name)
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if comp.exited():
                raise ControlPlaneError(
                    f"{name} exited with code {comp.proc.returncode} during start-up; "
                    f"last lines of {comp.log}:\n{_tail(comp.log, marker=comp.marker)}"
                )
            if self._probe(name):
                return
            time.sleep(0.1)
        raise ControlPlaneError(
            f"{name} not ready after {self.ready_timeout:.0f} s; "
            f"last lines of {comp.log}:\n{_tail(comp.log, marker=comp.marker)}"
        )

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> ControlPlane:
        """Start every component that is not running (restart keeps data dir, PKI, ports).

        Blocks until etcd is healthy, the API server answers /readyz, and the
        controller-manager/scheduler answer /healthz. `last_start_seconds` records the time.
        """
        if self.use_existing:
            return self
        t0 = time.monotonic()
        self.last_started = [c for c in self.components if not self.component_running(c)]
        self._ensure_pki()
        (self.state_dir / "audit-policy.yaml").write_text(AUDIT_POLICY)
        self._state.update(
            components=self.components,
            kubeconfig=self.kubeconfig,
            server=self.server,
            context=self.context,
            detach=self.detach,
        )
        self._save_state()
        if not self.detach and not self._atexit_registered:
            atexit.register(self._atexit_stop)  # no orphans if the caller forgets stop()
            self._atexit_registered = True
        try:
            for name in ("etcd", "kube-apiserver"):
                self.start_component(name)
            # Both only need the API server: start them together, wait in parallel.
            rest = [c for c in self.components if c not in ("etcd", "kube-apiserver")]
            todo = [c for c in rest if not self._component(c).running()]
            for c in todo:
                self._component(c).spawn(self._argv(c), self.state_dir, self.detach)
            with concurrent.futures.ThreadPoolExecutor(max(1, len(todo))) as pool:
                for fut in [pool.submit(self._wait_ready, c) for c in todo]:
                    fut.result()
        except BaseException:
            self.stop()
            raise
        self.last_start_seconds = time.monotonic() - t0
        return self

    def start_component(self, name: str) -> None:
        """Start one component (no-op if running) and wait until it is ready."""
        name = self._canonical(name)
        if self.use_existing or name not in self.components:
            return
        comp = self._component(name)
        if comp.running():
            return
        comp.spawn(self._argv(name), self.state_dir, self.detach)
        self._wait_ready(name)

    def stop_component(
        self, name: str, timeout: float | None = None, let_namespaces_finish: bool = True
    ) -> None:
        """Stop one component (SIGTERM, SIGKILL after timeout). E.g. "apiserver", "etcd".

        Stopping the API server or etcd first lets terminating namespaces finish (see
        _wait_namespaces_finalized); stop() of the whole control plane does not wait."""
        name = self._canonical(name)
        if self.use_existing or name not in self.components:
            return
        comp = self._component(name)
        if let_namespaces_finish and name in ("etcd", "kube-apiserver") and comp.running():
            self._wait_namespaces_finalized()
        comp.stop(self.stop_timeout if timeout is None else timeout)

    def _wait_namespaces_finalized(self, timeout: float = 120.0) -> None:
        """Let the namespace controller finish deleting before the API server goes away.

        Restarted, the API server answers /readyz a moment before discovery lists the CRD
        groups again; a namespace deleted in that window is finalized with its custom objects
        left behind (a CI run kept a test's HTTPRoute after its namespace was gone, and the
        next test read it). Best effort: an API server already down has nothing to finish.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, body = self._api_get("/api/v1/namespaces", timeout=5)
            except (OSError, urllib.error.URLError, ssl.SSLError):
                return
            if status != 200:
                return
            terminating = [
                ns["metadata"]["name"]
                for ns in json.loads(body).get("items", [])
                if (ns.get("status") or {}).get("phase") == "Terminating"
            ]
            if not terminating:
                return
            time.sleep(0.5)
        raise ControlPlaneError(
            f"namespaces still Terminating after {timeout} s: {terminating}; stopping the API "
            "server now would leave their custom objects behind"
        )

    def stop(self, timeout: float | None = None) -> None:
        """Stop all components in reverse start order. Idempotent; data dir is kept."""
        if self.use_existing:
            return
        for name in reversed(self.components):
            self.stop_component(name, timeout, let_namespaces_finish=False)

    def restart(self) -> ControlPlane:
        self.stop()
        return self.start()

    def _atexit_stop(self) -> None:
        try:
            self.stop(timeout=5)
        except Exception:  # noqa: BLE001 - interpreter is exiting; best effort
            pass

    def destroy(self) -> None:
        """Stop and delete the state dir."""
        self.stop()
        if not self.use_existing:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> ControlPlane:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ kubectl helpers
    def kubectl(
        self, *args, input: str | None = None, check: bool = True, kubeconfig=None, timeout=120
    ) -> subprocess.CompletedProcess:
        """Run kubectl against this cluster (admin unless `kubeconfig` is given); text mode."""
        argv = [self.kubectl_path, f"--kubeconfig={kubeconfig or self.kubeconfig}"]
        if kubeconfig is None and self.context:
            argv.append(f"--context={self.context}")
        argv += [str(a) for a in args]
        env = dict(os.environ)
        # Private discovery cache: a stale ~/.kube/cache for a reused port would hide CRDs.
        env["KUBECACHEDIR"] = str(self.state_dir / "kubectl-cache")
        res = subprocess.run(
            argv, input=input, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )
        if check and res.returncode != 0:
            raise KubectlError(res.returncode, argv, res.stdout, res.stderr)
        return res

    def helm(
        self, binary: str, *args, check: bool = True, timeout: int = 180
    ) -> subprocess.CompletedProcess:
        """Run a Helm binary (helm_binaries()) against this cluster as admin; text mode. Helm's
        configuration, cache and data folders are private to the state dir (nothing is read
        from or written to the user's ~/.config/helm)."""
        argv = [binary, f"--kubeconfig={self.kubeconfig}"]
        if self.context:
            argv.append(f"--kube-context={self.context}")
        argv += [str(a) for a in args]
        env = dict(os.environ)
        for name in ("CACHE", "CONFIG", "DATA"):
            env[f"HELM_{name}_HOME"] = str(self.state_dir / "helm" / name.lower())
        res = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )
        if check and res.returncode != 0:
            raise KubectlError(res.returncode, argv, res.stdout, res.stderr)
        return res

    def apply_manifests(
        self,
        paths_or_text,
        namespace: str | None = None,
        server_side: bool = True,
        kubeconfig=None,
        check: bool = True,
    ) -> subprocess.CompletedProcess:
        """kubectl apply (server-side, --force-conflicts) of files, dirs, YAML text or dicts."""
        items = paths_or_text if isinstance(paths_or_text, (list, tuple)) else [paths_or_text]
        args = ["apply"]
        if server_side:
            args += ["--server-side", "--force-conflicts", f"--field-manager={FIELD_MANAGER}"]
        if namespace:
            args += ["-n", namespace]
        texts = []
        for it in items:
            if isinstance(it, dict):
                texts.append(yaml.safe_dump(it, sort_keys=False))
            elif isinstance(it, str) and _looks_like_text(it):
                texts.append(it)
            else:
                p = Path(it)
                if not p.exists():
                    raise FileNotFoundError(f"manifest path not found: {p}")
                args += ["-f", str(p)]
                if p.is_dir():
                    args.append("--recursive")
        if texts:
            args += ["-f", "-"]
        return self.kubectl(
            *args,
            input="\n---\n".join(texts) if texts else None,
            kubeconfig=kubeconfig,
            check=check,
        )

    def install_crds(self, paths, timeout: int = 120) -> list[str]:
        """Apply CRD files/dirs and wait until every CRD is Established; returns CRD names.

        Directories skip CRDS_NOT_INSTALLABLE (so `install_crds(["tests/crds"])` works).

        Documents dumped from a live cluster (uid/resourceVersion/status) are cleaned before
        applying: a resourceVersion in an apply is a precondition and fails on create.
        """
        names: list[str] = []
        group_versions: set[str] = set()
        items: list = []
        for f in _manifest_paths(paths, skip_not_installable=True):
            docs = _load_docs(f)
            for d in docs:
                if d.get("kind") == "CustomResourceDefinition":
                    names.append(d["metadata"]["name"])
                    group_versions |= {
                        f"{d['spec']['group']}/{v['name']}"
                        for v in d["spec"].get("versions", [])
                        if v.get("served", True)
                    }
            if any(_needs_cleaning(d) for d in docs):
                items += [_clean(d) for d in docs]
            else:
                items.append(f)
        if not items:
            return names
        self.apply_manifests(items)
        if names:
            self._wait_crds(set(names), group_versions, timeout)
        return names

    def _wait_crds(self, names: set[str], group_versions: set[str], timeout: float) -> None:
        """Wait for Established and for discovery to serve every group/version.

        One LIST per poll: `kubectl wait crd/a crd/b ...` checks CRDs one by one (~9 s for
        the 55 test CRDs even when all are already Established).
        """
        deadline = time.monotonic() + timeout
        missing: set[str] = set(names)
        while True:
            crds = json.loads(self.kubectl("get", "crd", "-o", "json").stdout)["items"]
            established = {
                c["metadata"]["name"]
                for c in crds
                if any(
                    cond.get("type") == "Established" and cond.get("status") == "True"
                    for cond in (c.get("status") or {}).get("conditions") or []
                )
            }
            missing = names - established
            if not missing:
                # Clients resolve kinds through discovery, which is updated asynchronously.
                apis = json.loads(self.kubectl("get", "--raw", "/apis").stdout)
                served = {v["groupVersion"] for g in apis.get("groups", []) for v in g["versions"]}
                missing = group_versions - served
                if not missing:
                    return
            if time.monotonic() > deadline:
                raise ControlPlaneError(
                    f"CRDs not Established/served after {timeout} s: {sorted(missing)}"
                )
            time.sleep(0.2)

    # ------------------------------------------------------------------ users / RBAC
    def create_user(
        self,
        name: str,
        rules: list[dict] | None = None,
        cluster_role: str | dict | None = None,
        groups=(),
    ) -> str:
        """Client-cert user (CN=name, O=groups) + ClusterRole/Binding; returns its kubeconfig.

        rules: ClusterRole rules for a new ClusterRole `meshgate-test:<name>`.
        cluster_role: name of an existing ClusterRole (e.g. "view"), or a ClusterRole manifest.
        No API server restart is needed: the CA already trusts the cert and RBAC is dynamic.
        """
        groups = tuple(groups)
        if self.use_existing:
            key = pki.new_key()
            cert_pem = self._sign_via_csr(key, name, groups)
        else:
            self._ensure_pki()
            ca_key = pki.load_key(self.pki_dir / "ca.key")
            ca_cert = pki.load_cert(self.pki_dir / "ca.crt")
            key, cert = pki.issue(ca_key, ca_cert, name, orgs=groups)
            cert_pem = pki.cert_pem(cert)
        path = self.state_dir / "users" / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.kubeconfig"
        self._write_user_kubeconfig(path, name, cert_pem, pki.key_pem(key))

        role_name = None
        if rules is not None:
            role_name = f"{FIELD_MANAGER}:{name}"
            self.apply_manifests(
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "ClusterRole",
                    "metadata": {"name": role_name},
                    "rules": rules,
                }
            )
        elif isinstance(cluster_role, dict):
            self.apply_manifests(cluster_role)
            role_name = cluster_role["metadata"]["name"]
            rules = cluster_role.get("rules")
        elif cluster_role:
            role_name = cluster_role
        if role_name:
            self.apply_manifests(
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "ClusterRoleBinding",
                    "metadata": {"name": f"{FIELD_MANAGER}:{name}"},
                    "roleRef": {
                        "apiGroup": "rbac.authorization.k8s.io",
                        "kind": "ClusterRole",
                        "name": role_name,
                    },
                    "subjects": [
                        {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": name}
                    ],
                }
            )
            if rules is None:
                res = self.kubectl("get", "clusterrole", role_name, "-o", "json", check=False)
                rules = json.loads(res.stdout).get("rules") if res.returncode == 0 else None
            self._wait_rbac(name, groups, rules or [])
        return str(path)

    def _wait_rbac(self, name: str, groups, rules: list[dict], timeout: float = 10) -> None:
        """RBAC is served from informer caches: wait until the first rule is effective."""
        rule = next((r for r in rules if r.get("verbs") and r.get("resources")), None)
        if rule is None:
            return
        group = (rule.get("apiGroups") or [""])[0]
        resource = rule["resources"][0]
        resource = "*" if resource == "*" else resource.split("/")[0]
        target = f"{resource}.{group}" if group and group != "*" else resource
        if rule.get("resourceNames"):
            target += f"/{rule['resourceNames'][0]}"
        args = ["auth", "can-i", rule["verbs"][0], target, f"--as={name}", "--all-namespaces"]
        args += [f"--as-group={g}" for g in groups]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.kubectl(*args, check=False).stdout.strip() == "yes":
                return
            time.sleep(0.1)

    def _write_user_kubeconfig(self, path: Path, name: str, cert_pem: bytes, key_pem: bytes):
        # The admin kubeconfig's cluster entry (server + CA) flattened: works for our PKI and
        # for an existing cluster alike.
        view = json.loads(
            self.kubectl("config", "view", "--raw", "--minify", "--flatten", "-o", "json").stdout
        )
        cluster = view["clusters"][0]
        cfg = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [cluster],
            "users": [
                {
                    "name": name,
                    "user": {
                        "client-certificate-data": base64.b64encode(cert_pem).decode(),
                        "client-key-data": base64.b64encode(key_pem).decode(),
                    },
                }
            ],
            "contexts": [{"name": name, "context": {"cluster": cluster["name"], "user": name}}],
            "current-context": name,
        }
        pki.write_private(path, yaml.safe_dump(cfg, sort_keys=False).encode())

    def _sign_via_csr(self, key, name: str, groups, timeout: float = 60) -> bytes:
        """Existing cluster: have its CA sign the cert through the CertificateSigningRequest
        API (kube-apiserver-client signer; needs a controller-manager that signs, as kind has).
        """
        csr_name = (
            f"{FIELD_MANAGER}-{re.sub(r'[^a-z0-9.-]', '-', name.lower())}-{uuid.uuid4().hex[:6]}"
        )
        self.apply_manifests(
            {
                "apiVersion": "certificates.k8s.io/v1",
                "kind": "CertificateSigningRequest",
                "metadata": {"name": csr_name},
                "spec": {
                    "request": base64.b64encode(pki.make_csr(key, name, groups)).decode(),
                    "signerName": "kubernetes.io/kube-apiserver-client",
                    "expirationSeconds": 86400,
                    "usages": ["digital signature", "client auth"],
                },
            }
        )
        self.kubectl("certificate", "approve", csr_name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.kubectl(
                "get", "csr", csr_name, "-o", "jsonpath={.status.certificate}"
            ).stdout.strip()
            if out:
                self.kubectl("delete", "csr", csr_name, "--wait=false", check=False)
                return base64.b64decode(out)
            time.sleep(0.2)
        raise ControlPlaneError(f"CSR {csr_name} for user {name} was approved but never signed")


def _needs_cleaning(doc: dict) -> bool:
    # Only these break an apply (uid/resourceVersion are preconditions); controller-gen's
    # `creationTimestamp: null` and empty `status` are harmless and keep the fast path.
    meta = doc.get("metadata") or {}
    return any(k in meta for k in ("uid", "resourceVersion", "managedFields"))


def _clean(doc: dict) -> dict:
    doc = dict(doc)
    doc.pop("status", None)
    meta = dict(doc.get("metadata") or {})
    for k in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"):
        meta.pop(k, None)
    doc["metadata"] = meta
    return doc
