# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The benchmark cluster generator: repeatable, consistent, and recognised by detection."""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import (  # noqa: E402
    detect,
)


def test_same_seed_same_cluster_other_seed_other_cluster():
    a = json.dumps(list(generate.objects(300, seed=7)), sort_keys=True)
    assert a == json.dumps(list(generate.objects(300, seed=7)), sort_keys=True)
    assert a != json.dumps(list(generate.objects(300, seed=8)), sort_keys=True)


def test_sizes_and_references_are_consistent():
    objs = list(generate.objects(1000))
    kinds = collections.Counter(o["kind"] for o in objs)
    # the apps, plus the controllers' and Istio's own workloads and Services
    assert kinds["Ingress"] == 1000
    assert kinds["Deployment"] == 1000 + len(generate.CONTROLLERS) + 2
    assert kinds["Service"] == 1000 + len(generate.CONTROLLERS) + 1
    assert kinds["Namespace"] == 10 + len(generate.CONTROLLERS) + 1
    services = {
        (o["metadata"]["namespace"], o["metadata"]["name"]) for o in objs if o["kind"] == "Service"
    }
    classes = {o["metadata"]["name"] for o in objs if o["kind"] == "IngressClass"}
    for ing in (o for o in objs if o["kind"] == "Ingress"):
        assert ing["spec"]["ingressClassName"] in classes
        backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"]
        assert (ing["metadata"]["namespace"], backend) in services


def test_detection_recognises_the_generated_cluster():
    result = detect(list(generate.objects(500)))
    assert sorted(lb["vendor"] for lb in result["load_balancers"]) == sorted(
        c[0] for c in generate.CONTROLLERS
    )
    assert result["summary"]["routes"] == 500
    assert result["istio"]["installed"]
