# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The migration's objects through the real istioctl (built from the Istio module istiod is
built from): `istioctl validate` (istiod's own validation of every Istio object) accepts them
with no error and no warning, and `istioctl analyze` offline finds nothing new over our
Ingresses' Services, for our Ingresses (tests/migrate) and ingress-nginx's own examples."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from fixture_root import shared_fixtures_dir
from istio import istio_binaries  # noqa: E402 - tests/controlplane on sys.path (conftest)

from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.translate import (
    translate_ingresses,
)

ROOT = Path(__file__).resolve().parents[2]
GATEWAY = {"gateway": {"name": "meshgate-migrate", "namespace": "istio-ingress"}}

pytestmark = [pytest.mark.istio]


def _load(paths):
    docs = []
    for path in paths:
        for d in yaml.safe_load_all(Path(path).read_text(encoding="utf-8")):
            if d:
                d.setdefault("metadata", {}).setdefault("namespace", "default")
                docs.append(d)
    return docs


def _sources():
    examples = sorted((shared_fixtures_dir() / "examples" / "ingress-nginx").glob("*.yaml"))
    return {
        "ours": _load([ROOT / "tests" / "migrate" / "ingresses.yaml"]),
        "ingress-nginx examples": _load(examples),
    }


def _istioctl(*args):
    binary = istio_binaries()["istioctl"]
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("source", ["ours", "ingress-nginx examples"])
def test_istioctl_validates_and_analyzes_the_migration(tmp_path, source):
    docs = _sources()[source]
    ingresses = [d for d in docs if d["kind"] == "Ingress"]
    services = [d for d in docs if d["kind"] == "Service"]
    objects = translate_ingresses(ingresses, services, "ingress-nginx", GATEWAY)["objects"]
    istio_objects = [o for o in objects if o["apiVersion"].split("/")[0].endswith("istio.io")]
    assert {o["kind"] for o in istio_objects} >= {"DestinationRule", "AuthorizationPolicy"}

    migrated = tmp_path / "migrated.yaml"
    migrated.write_text(yaml.safe_dump_all(objects))
    out = _istioctl("validate", "-f", str(migrated))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "warning" not in (out.stdout + out.stderr).lower(), out.stdout + out.stderr

    namespaces = sorted(
        {o["metadata"]["namespace"] for o in objects + services} | {GATEWAY["gateway"]["namespace"]}
    )
    base = tmp_path / "base.yaml"
    base.write_text(
        yaml.safe_dump_all(
            [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in namespaces]
            + services
        )
    )

    def problems(*files):
        proc = _istioctl("analyze", "--use-kube=false", "-o", "json", *map(str, files))
        assert proc.returncode in (0, 79), proc.stderr  # 79: analyze found problems
        messages = json.loads(proc.stdout) if proc.stdout.strip() else []  # summary on stderr
        return {
            (m["code"], m.get("origin"), m["message"]) for m in messages if m["level"] != "Info"
        }

    new = problems(base, migrated) - problems(base)
    assert not new, sorted(new)
