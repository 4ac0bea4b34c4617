# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Record the modules' JSON answers over every fixture, to prove a refactoring changes none.

    python hacking/answers.py record DIR      # lb_info (summary, full) + lb_plan (modes x options)
    python hacking/answers.py compare A B     # byte-compare two recordings, list what differs

Runs the real modules' main() in this process (AnsibleModule reads the arguments the way
ansible-test's unit tests give them), offline (`src:`) over each file and each folder under
../shared/fixtures, the demo snapshot, and the bench generator's cluster at
2,000 objects per kind (seed 1). One file per call: the module's stdout, exactly as Ansible would
receive it, failures included. Needs the checkout importable as ansible_collections (make
collections; run with .venv/bin/python).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "dataplane"))
from objects import ZTUNNEL, istiod  # noqa: E402 - the simulated mesh the tests use

sys.path.insert(0, str(ROOT / "tests"))
from fixture_root import shared_fixtures  # noqa: E402 - the one setting for the shared fixtures

SHARED = shared_fixtures()
sys.path.insert(0, str(ROOT / ".build" / "collections"))
sys.path.insert(0, str(ROOT / "bench"))

# Option sets the tests and docs use, per mode; {} is every mode's default.
PLAN_OPTIONS = {
    "standalone": [{}, {"namespaces": ["shop"]}],
    "standalone_mtls": [
        {},
        {"global_switch": True},
        {"exclude_api_server": False},
        {"revision": "canary"},
        {"load_balancers": ["ingress-nginx/ingress-nginx-controller"]},
    ],
    "chained": [
        {},
        {"gateway": "istio-system/istio-ingressgateway"},
        {"route_api": "gateway-api"},
        {"gateway_credential_name": "gw-cert"},
        {"num_trusted_proxies": 2},
        {"istio_api_version": "v1beta1"},
        {"hosts": ["shop.example.com"]},
    ],
    "gclb_chained": [
        {},
        {"gke_gateway_class": "gke-l7-global-external-managed"},
        {
            "https_redirect": True,
            "backend_protocol": "HTTPS",
            "static_ip_name": "meshgate-ip",
            "managed_certificate_domains": ["shop.example.com"],
            "ssl_policy": "modern",
        },
    ],
    "ambient": [{}],
}


def inputs():
    """(name, [paths]) of every offline input: each fixture file and each fixture folder."""
    out = [("demo", [str(ROOT / "playbooks" / "files" / "sample-cluster.yaml")])]
    for base, tag in ((ROOT / "tests" / "fixtures", "repo"), (SHARED, "shared")):
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.suffix in (".yaml", ".yml", ".json"):
                out.append(("%s:%s" % (tag, path.relative_to(base)), [str(path)]))
            elif path.is_dir():
                out.append(("%s:%s/" % (tag, path.relative_to(base)), [str(path)]))
    return out


# Most vendor fixtures carry no Istio, so every plan mode but standalone would only record its
# refusal: each input is also recorded with this mesh beside it (istiod, mesh-wide STRICT, an
# ingress gateway with the status port and 80/443, ztunnel), written by us for this purpose.
ISTIO_OVERLAY = [
    *istiod(),
    {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": "default", "namespace": "istio-system"},
        "spec": {"mtls": {"mode": "STRICT"}},
    },
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "istio-ingressgateway", "namespace": "istio-system"},
        "spec": {
            "selector": {"matchLabels": {"istio": "ingressgateway"}},
            "template": {
                "metadata": {"labels": {"app": "istio-ingressgateway", "istio": "ingressgateway"}},
                "spec": {
                    "containers": [
                        {
                            "name": "istio-proxy",
                            "image": "docker.io/istio/proxyv2:1.30.3",
                            "args": ["proxy", "router"],
                        }
                    ]
                },
            },
        },
    },
    {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "istio-ingressgateway", "namespace": "istio-system"},
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app": "istio-ingressgateway", "istio": "ingressgateway"},
            "ports": [
                {"name": "status-port", "port": 15021, "targetPort": 15021},
                {"name": "http2", "port": 80, "targetPort": 8080},
                {"name": "https", "port": 443, "targetPort": 8443},
            ],
        },
    },
    ZTUNNEL,
]


def overlay_file():
    path = Path(tempfile.gettempdir()) / "meshgate-answers-istio-overlay.json"
    _write_once(path, json.dumps({"apiVersion": "v1", "kind": "List", "items": ISTIO_OVERLAY}))
    return str(path)


def _write_once(path, text):
    """Write ``text`` to ``path`` unless it holds it already, atomically: recordings running at
    the same time (two checkouts) read the same fixed path (it is part of every answer)."""
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_name("%s.%d" % (path.name, os.getpid()))
    tmp.write_text(text)
    os.replace(tmp, path)


def with_overlay(items):
    overlay = overlay_file()
    return items + [(name + " +istio", [overlay] + src) for name, src in items]


def bench_cluster(size=2000):
    import generate

    path = Path(tempfile.gettempdir()) / ("meshgate-answers-bench-%d.json" % size)
    if not path.exists():
        path.write_text(
            json.dumps({"apiVersion": "v1", "kind": "List", "items": list(generate.objects(size))})
        )
    return ("bench-%d" % size, [str(path)])


def run_module(module, args):
    """The module's stdout for these arguments (as Ansible receives it)."""
    from ansible.module_utils.testing import patch_module_args

    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            module.main()
        except SystemExit:
            pass
    gc.unfreeze()  # the modules freeze what they read; this process runs many of them
    gc.enable()
    return out.getvalue()


def record(dest):
    from ansible_collections.meshgate.istio_lb.plugins.modules import lb_info, lb_plan

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    calls = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, src in with_overlay(inputs()) + [bench_cluster()]:
            safe = hashlib.sha256(name.encode()).hexdigest()[:16]
            answers = {}
            for detail in ("summary", "full"):
                answers["lb_info/%s" % detail] = run_module(lb_info, {"src": src, "detail": detail})
            for mode, option_sets in PLAN_OPTIONS.items():
                for i, opts in enumerate(option_sets):
                    args = dict(opts, src=src, mode=mode)
                    if not opts:  # the GitOps files too, once per mode
                        args["dest"] = os.path.join(tmp, safe, mode)
                    text = run_module(lb_plan, args)
                    answers["lb_plan/%s/%d" % (mode, i)] = text.replace(tmp, "<dest>")
                    if not opts:
                        answers["lb_plan/%s/files" % mode] = _files(args["dest"])
            calls += len(answers)
            (dest / (safe + ".json")).write_text(
                json.dumps(
                    {"input": name, "root": str(ROOT), "answers": answers}, indent=1, sort_keys=True
                )
            )
    print("recorded %d answers for %d inputs in %s" % (calls, 2 * len(inputs()) + 1, dest))


def _files(folder):
    out = {}
    for path in sorted(Path(folder).rglob("*")) if os.path.isdir(folder) else ():
        if path.is_file():
            out[str(path.relative_to(folder))] = path.read_text()
    return out


def _rooted(path):
    data = json.loads(path.read_text())
    root = data.get("root", "/work/main")  # recordings made before the root was kept
    data["answers"] = json.loads(json.dumps(data["answers"]).replace(root, "<root>"))
    return data


def compare(a, b):
    a, b = Path(a), Path(b)
    names = sorted({p.name for p in a.glob("*.json")} | {p.name for p in b.glob("*.json")})
    differ = 0
    answers = 0
    for name in names:
        pa, pb = a / name, b / name
        if not (pa.exists() and pb.exists()):
            print("only in one recording: %s" % name)
            differ += 1
            continue
        # Answers name their inputs' paths: a checkout elsewhere (a git worktree) answers the same.
        da, db = _rooted(pa), _rooted(pb)
        for key in sorted(set(da["answers"]) | set(db["answers"])):
            answers += 1
            if da["answers"].get(key) != db["answers"].get(key):
                differ += 1
                print("differs: %s %s" % (da["input"], key))
    print("%d inputs, %d answers compared, %d differ" % (len(names), answers, differ))
    return 1 if differ else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "record":
        record(argv[2])
        return 0
    if len(argv) == 4 and argv[1] == "compare":
        return compare(argv[2], argv[3])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
