# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Istio's own control plane beside the test API server, without Docker.

istiod (pilot-discovery, built from the Go module proxy by build-istio.sh) runs as a local
process against the harness's API server (out of cluster, --kubeconfig). The API server calls
its sidecar injector and config validation webhooks on 127.0.0.1 through webhook
configurations taken from Istio's own rendered chart (the fixture
controllers/istio/istiod-rendered.golden.yaml) with `service` replaced by `url` and the CA our
serving certificate is signed with. The injection template and mesh config are the chart's
ConfigMaps, loaded with the fixtures: injection happens exactly as in a cluster, on the Pods
the real controller-manager creates from Deployments. There is no kubelet, so those Pods stay
Pending; their stored spec is what the tests check.

istiod is told not to manage anything beyond that: no webhook patching (we register the
webhooks), no Gateway API deployment/status/GatewayClass controllers (they would create
Deployments and write status that other assertions do not expect).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pki
import yaml
from harness import _Component, _free_ports, _tail, run_build_script

HERE = Path(__file__).resolve().parent
BUILD_SCRIPT = HERE / "build-istio.sh"


class IstioError(RuntimeError):
    pass


def istio_binaries() -> dict[str, str]:
    """{"pilot-discovery": path, "istioctl": path}: MESHGATE_ISTIOD / MESHGATE_ISTIOCTL when
    set, else build-istio.sh (cached: instant once built; a few minutes cold on 2 cores)."""
    given = {
        "pilot-discovery": os.environ.get("MESHGATE_ISTIOD"),
        "istioctl": os.environ.get("MESHGATE_ISTIOCTL"),
    }
    if all(given.values()):
        return given
    folder = run_build_script(BUILD_SCRIPT, "meshgate istio")
    return {name: given[name] or str(folder / name) for name in ("pilot-discovery", "istioctl")}


def webhooks_from_chart(chart_docs, url: str, ca_pem: bytes) -> list[dict]:
    """The chart's MutatingWebhookConfiguration and ValidatingWebhookConfiguration, pointed at
    istiod on 127.0.0.1 (url + caBundle instead of the in-cluster Service).

    The rendered revision validator selects objects labelled istio.io/rev=default; a default
    install also has the base chart's istiod-default-validator with no object selector, which
    is what validates unlabelled objects (ours). So the validator here has no objectSelector,
    and failurePolicy Fail - istiod flips it to Fail itself once it is ready - so a validator
    that cannot be reached fails loudly instead of letting everything through."""
    out = []
    bundle = base64.b64encode(ca_pem).decode()
    for doc in chart_docs:
        kind = (doc or {}).get("kind")
        if kind not in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            continue
        doc = copy.deepcopy(doc)
        meta = doc["metadata"]
        meta.pop("resourceVersion", None)
        meta.setdefault("labels", {})["meshgate-test/istiod"] = "local"
        for hook in doc.get("webhooks") or ():
            path = ((hook.get("clientConfig") or {}).get("service") or {}).get("path") or "/"
            hook["clientConfig"] = {"url": url + path, "caBundle": bundle}
            if kind == "ValidatingWebhookConfiguration":
                hook.pop("objectSelector", None)
                hook["failurePolicy"] = "Fail"
        out.append(doc)
    kinds = sorted(d["kind"] for d in out)
    if kinds != ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]:
        raise IstioError("the chart has no injector/validator webhook configurations: %s" % kinds)
    return out


class Istiod:
    """One local istiod for a harness ControlPlane; start() registers the webhooks, stop()
    removes them first (a Fail-policy webhook with nobody behind it blocks Pod creation)."""

    def __init__(
        self,
        control_plane,
        chart: Path,
        namespace: str = "istio-system",
        revision: str = "default",
        env: dict | None = None,
    ):
        self.cp = control_plane
        self.chart = Path(chart)
        self.namespace = namespace
        self.revision = revision
        self.extra_env = dict(env or {})
        self.dir = Path(control_plane.state_dir) / "istiod"
        self.binaries = istio_binaries()
        self.component = _Component(
            "istiod", self.binaries["pilot-discovery"], control_plane.state_dir
        )
        self.webhooks: list[dict] = []
        self.ports: dict[str, int] = {}
        self.start_seconds = None

    # ------------------------------------------------------------------ certificates
    def _certs(self) -> tuple[Path, Path, Path]:
        certs = self.dir / "certs"
        certs.mkdir(parents=True, exist_ok=True)
        ca_key, ca_cert = pki.make_ca("meshgate-test-istiod-ca")
        key, cert = pki.issue(
            ca_key,
            ca_cert,
            "istiod",
            dns_names=("istiod.%s.svc" % self.namespace, "localhost"),
            ip_addresses=("127.0.0.1",),
            server=True,
            client=False,
        )
        paths = (certs / "tls.crt", certs / "tls.key", certs / "ca.crt")
        paths[0].write_bytes(pki.cert_pem(cert))
        pki.write_private(paths[1], pki.key_pem(key))
        paths[2].write_bytes(pki.cert_pem(ca_cert))
        return paths

    # ------------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 120) -> Istiod:
        t0 = time.monotonic()
        self.dir.mkdir(parents=True, exist_ok=True)
        crt, key, ca = self._certs()
        https, http, grpc, secure_grpc, monitoring = _free_ports(5)
        self.ports = {"https": https, "http": http, "grpc": grpc, "monitoring": monitoring}
        argv = [
            self.binaries["pilot-discovery"],
            "discovery",
            "--kubeconfig=%s" % self.cp.kubeconfig,
            "--httpsAddr=127.0.0.1:%d" % https,
            "--httpAddr=127.0.0.1:%d" % http,
            "--grpcAddr=127.0.0.1:%d" % grpc,
            "--secureGRPCAddr=127.0.0.1:%d" % secure_grpc,
            "--monitoringAddr=127.0.0.1:%d" % monitoring,
            "--tlsCertFile=%s" % crt,
            "--tlsKeyFile=%s" % key,
            "--caCertFile=%s" % ca,
            "--domain=cluster.local",
            "--log_output_level=default:info",
        ]
        env = dict(
            os.environ,
            POD_NAMESPACE=self.namespace,
            POD_NAME="istiod-meshgate-test",
            REVISION=self.revision,
            CLUSTER_ID="Kubernetes",
            KUBECONFIG=str(self.cp.kubeconfig),
            # We register (and own) the webhook configurations: istiod must not patch them.
            INJECTION_WEBHOOK_CONFIG_NAME="",
            VALIDATION_WEBHOOK_CONFIG_NAME="",
            # Nothing beyond injection and validation: no Deployments for Gateways, no status
            # writes, no GatewayClasses of its own.
            PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER="false",
            PILOT_ENABLE_GATEWAY_API_STATUS="false",
            PILOT_ENABLE_GATEWAY_API_GATEWAYCLASS_CONTROLLER="false",
            PILOT_ENABLE_STATUS="false",
            **self.extra_env,
        )
        # cwd holds no ./var/lib/istio/inject nor ./etc/istio/config/mesh: istiod then reads
        # the injection template and mesh config from the chart's ConfigMaps, as in a cluster.
        self.component.spawn(argv, self.dir, detach=False, env=env)
        self._wait_ready(timeout)
        with open(self.chart, encoding="utf-8") as fh:
            docs = [d for d in yaml.safe_load_all(fh) if d]
        self.webhooks = webhooks_from_chart(
            docs, "https://127.0.0.1:%d" % https, Path(ca).read_bytes()
        )
        self.cp.apply_manifests(self.webhooks)
        self._wait_injecting(timeout)
        self.start_seconds = time.monotonic() - t0
        return self

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        url = "http://127.0.0.1:%d/ready" % self.ports["http"]
        while time.monotonic() < deadline:
            if self.component.exited():
                raise IstioError(
                    "istiod exited during start-up; last lines of %s:\n%s"
                    % (self.component.log, _tail(self.component.log, marker=self.component.marker))
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        raise IstioError(
            "istiod not ready after %ss; last lines of %s:\n%s"
            % (timeout, self.component.log, _tail(self.component.log, marker=self.component.marker))
        )

    def _wait_injecting(self, timeout):
        """The API server picks up new webhook configurations asynchronously: wait until a
        dry-run Pod in an injected namespace comes back with istio-proxy."""
        # A new namespace each time: the previous start's one may still be terminating.
        ns = "meshgate-istiod-probe-%s" % uuid.uuid4().hex[:6]
        self.cp.apply_manifests(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns, "labels": {"istio-injection": "enabled"}},
            }
        )
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "probe", "namespace": ns},
            "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]},
        }
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            proc = self.cp.kubectl(
                "create",
                "--dry-run=server",
                "-o",
                "json",
                "-f",
                "-",
                input=json.dumps(pod),
                check=False,
            )
            last = proc.stdout + proc.stderr
            if proc.returncode == 0:
                spec = json.loads(proc.stdout)["spec"]
                names = [
                    c["name"] for c in spec.get("containers", []) + spec.get("initContainers", [])
                ]
                if "istio-proxy" in names:
                    self.cp.kubectl("delete", "namespace", ns, "--wait=false", check=False)
                    return
            time.sleep(0.5)
        raise IstioError(
            "the API server does not inject through istiod after %ss: %s\nistiod log:\n%s"
            % (timeout, last[-2000:], _tail(self.component.log, marker=self.component.marker))
        )

    def stop(self, timeout: float = 10) -> None:
        for hook in self.webhooks:
            self.cp.kubectl(
                "delete",
                hook["kind"].lower(),
                hook["metadata"]["name"],
                "--ignore-not-found",
                check=False,
            )
        self.webhooks = []
        self.component.stop(timeout)

    # ------------------------------------------------------------------ istioctl
    def istioctl(self, *args, check=True, timeout=300) -> subprocess.CompletedProcess:
        env = dict(os.environ, KUBECONFIG=str(self.cp.kubeconfig))
        proc = subprocess.run(
            [self.binaries["istioctl"], *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode not in (0, 79):  # 79: analyze found messages
            raise IstioError(
                "istioctl %s failed (exit %d): %s"
                % (" ".join(args), proc.returncode, proc.stderr[-3000:])
            )
        return proc

    def analyze(self, *args, live=True) -> list[dict]:
        """istioctl analyze -o json: live (-A against this cluster) or offline on files."""
        base = ["analyze", "-o", "json"]
        if live:
            base += ["-A", "--istioNamespace", self.namespace]
        else:
            base += ["--use-kube=false"]
        proc = self.istioctl(*base, *args)
        text = proc.stdout.strip()
        return json.loads(text) if text else []
