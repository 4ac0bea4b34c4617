# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""lb_info against the real API server: same objects in, same answer out; least privilege;
forbidden and unreachable are errors, never "nothing found".

The vendors' own manifests are loaded by the session fixture `loaded` (conftest.py, which
says what is left out of the load and why).
"""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

import pytest
import yaml
from playbook import run_play

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import summarize
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.managed_fields import (
    compact_managed_fields,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read import gather, live, settle
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.gather import collect_offline
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import (
    rbac_rules,
    read_kinds,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.live import collect_live
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.reduce import (
    needs_field_sets,
    reduce_object,
)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.controlplane


def _without_observed_state(result):
    """Drop what only a running cluster has: Pods the controller-manager created, built-in
    namespaces, and the API version the server chose to serve a multi-version kind at."""
    out = json.loads(json.dumps(result))
    out.pop("cluster_facts")  # the API server's own Service and its discovery: live only
    # Namespaces other tests deleted may still be terminating (deletion is asynchronous), with
    # their objects: live-only state too.
    terminating = {k for k, v in out["istio"]["namespaces"].items() if v.get("terminating")}
    out["istio"]["namespaces"] = {
        k: v for k, v in out["istio"]["namespaces"].items() if v and k not in terminating
    }
    out["istio"]["peer_authentications"] = [
        pa for pa in out["istio"]["peer_authentications"] if pa["namespace"] not in terminating
    ]
    # Nodes are the cluster's, never in the files: native sidecars' auto mode reads them live.
    (out["istio"].get("native_sidecars") or {}).pop("nodes", None)
    _drop_node_ports(out)  # the API server picks them for NodePort/LoadBalancer Services
    for lb in out["load_balancers"]:
        lb.pop("ready_replicas", None)  # status the controller-manager reports: live only
        if lb.get("sidecar"):
            lb["sidecar"].pop("injected")
            lb["sidecar"].pop("pods_observed")
    for r in out["routes"]:
        r["apiVersion"] = r["apiVersion"].split("/")[0]
        r.pop("managers", None)  # server-side field managers (managedFields) exist only live
        r.pop("spec_owners", None)
    # No kubelet here: the controller-manager reports every LB with 0 ready pods (MG0015).
    out["findings"] = [
        f for f in out["findings"] if not (f["code"] == "MG0015" and "(0 ready)" in f["message"])
    ]
    out["summary"]["findings"] = {
        lvl: sum(1 for f in out["findings"] if f["level"] == lvl)
        for lvl in ("Error", "Warning", "Info")
    }
    for f in out["findings"]:
        if f["object"].get("apiVersion"):
            f["object"]["apiVersion"] = f["object"]["apiVersion"].split("/")[0]
    return out


def _drop_node_ports(value):
    if isinstance(value, dict):
        value.pop("nodePort", None)
        for v in value.values():
            _drop_node_ports(v)
    elif isinstance(value, list):
        for v in value:
            _drop_node_ports(v)


def _wait_for_pods(control_plane, namespace, timeout=60):
    """The controller-manager creates Pods for the loaded Deployments asynchronously."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = control_plane.kubectl("get", "pods", "-n", namespace, "-o", "name").stdout
        if out.strip():
            return
        time.sleep(1)
    raise AssertionError("no Pods in %s after %ss" % (namespace, timeout))


def _wait_for_test_namespaces_gone(control_plane, timeout=180):
    """Other tests' namespaces (label meshgate-test=true) are deleted asynchronously; their
    objects would be in the live answer and not in the files."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = control_plane.kubectl(
            "get", "namespaces", "-l", "meshgate-test=true", "-o", "name"
        ).stdout
        if not out.strip():
            return
        time.sleep(2)
    raise AssertionError("test namespaces still there after %ss: %s" % (timeout, out))


def test_live_equals_offline_on_the_same_files(control_plane, loaded):
    _wait_for_test_namespaces_gone(control_plane)
    _wait_for_pods(control_plane, "ingress-nginx")
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    idx, kinds, _pages = collect_live(client)
    live = detect(idx)
    off_idx, _kinds, warnings = collect_offline([str(loaded)])
    offline = detect(off_idx)
    assert warnings == []
    assert live["summary"]["load_balancers"] >= 6
    assert _without_observed_state(live) == _without_observed_state(offline)
    # Observed state is there live: the controller-manager made Pods for the Deployments.
    nginx = [lb for lb in live["load_balancers"] if lb["vendor"] == "ingress-nginx"][0]
    assert nginx["sidecar"]["pods_observed"] >= 1


def test_live_equals_offline_on_a_kubectl_dump(control_plane, loaded, tmp_path):
    """A `kubectl get -A -o yaml --show-managed-fields` dump of the same cluster gives exactly
    the live answer (managedFields tell who owns what, which plans use)."""
    _wait_for_test_namespaces_gone(control_plane)
    _wait_for_pods(control_plane, "ingress-nginx")

    def read_both():
        client = client_from_params({"kubeconfig": control_plane.kubeconfig})
        idx, _kinds, _pages = collect_live(client)
        live = detect(idx)
        kinds = ",".join(
            [
                "namespaces",
                "nodes",
                "services",
                "deployments.apps",
                "daemonsets.apps",
                "statefulsets.apps",
                "jobs.batch",
                "ingresses.networking.k8s.io",
                "ingressclasses.networking.k8s.io",
                "pods",
                "configmaps",
                "gateways.networking.istio.io",
                "virtualservices.networking.istio.io",
                "destinationrules.networking.istio.io",
                "peerauthentications.security.istio.io",
                "backendconfigs.cloud.google.com",
                "httpproxies.projectcontour.io",
                "virtualservers.k8s.nginx.org",
            ]
        )
        dump = control_plane.kubectl(
            "get", kinds, "-A", "-o", "yaml", "--show-managed-fields"
        ).stdout
        path = tmp_path / "dump.yaml"
        path.write_text(dump)
        off_idx, _k, warnings = collect_offline([str(path)])
        offline = detect(off_idx)
        # The dump holds every ConfigMap and Pod; live reads only those detection wants, and the
        # results must not depend on the rest. Served API versions come from discovery (live only).
        assert offline["cluster_facts"]["apis"] is None
        live["cluster_facts"]["apis"] = None
        # This control plane has no Node: live reads 0 of them, the dump's empty list says
        # nothing (native sidecars' auto mode: detect/native_sidecars.py).
        assert live["istio"]["native_sidecars"]["nodes"]["count"] == 0
        assert offline["istio"]["native_sidecars"]["nodes"] is None
        live["istio"]["native_sidecars"]["nodes"] = None
        # Namespaces other tests deleted finish terminating at their own pace (between the reads),
        # and their objects with them.
        terminating = {
            k
            for result in (live, offline)
            for k, v in result["istio"]["namespaces"].items()
            if v.get("terminating")
        }
        for result in (live, offline):
            result["istio"]["namespaces"] = {
                k: v for k, v in result["istio"]["namespaces"].items() if k not in terminating
            }
            result["istio"]["peer_authentications"] = [
                pa
                for pa in result["istio"]["peer_authentications"]
                if pa["namespace"] not in terminating
            ]
        return json.dumps(live, sort_keys=True), json.dumps(offline, sort_keys=True)

    # The controller-manager may still be making Pods or updating a status between the two
    # reads: a difference that goes away on a second look was that, one that stays is a bug.
    for _attempt in range(3):
        live, offline = read_both()
        if live == offline:
            break
        time.sleep(3)
    assert live == offline


def test_field_sets_are_skipped_only_where_reduction_never_reads_them(control_plane, loaded):
    """Kinds whose managedFields only name managers are read without their field sets
    (k8s/managed_fields.py compact_managed_fields): on the API server's own JSON for every such kind, the
    reduced objects are the same as from the whole text."""
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    discovery = client.discover()
    compared = {}
    # Pods and ConfigMaps are read in collect_live's second pass, also without field sets.
    for group, kind in list(read_kinds()) + [("", "Pod"), ("", "ConfigMap")]:
        info = discovery.get((group, kind))
        if info is None or needs_field_sets(group, kind):
            continue
        _status, _headers, raw = client.raw_request("GET", live._list_path(info, group))
        decoded = [json.loads(raw), json.loads(compact_managed_fields(raw))]
        for body in decoded:
            for item in body["items"]:
                item.update(kind=kind, apiVersion=body["apiVersion"])
        whole, cut = (body["items"] for body in decoded)
        assert [reduce_object(o) for o in cut] == [reduce_object(o) for o in whole], kind
        compared[kind] = len(whole)
        if kind == "Deployment":
            assert any(m.get("fieldsV1") for o in whole for m in o["metadata"]["managedFields"])
            assert all(
                set(m) == {"manager", "operation"}
                for o in cut
                for m in o["metadata"]["managedFields"]
            )
    assert compared["Deployment"] >= 6 and compared["Service"] >= 6 and compared["Namespace"]
    assert compared["Pod"] and compared["ConfigMap"]
    # collect_live asks for the cut text exactly for those kinds.
    asked = {}
    list_items = client.list_items

    def spy(path, **kwargs):
        asked[path] = kwargs.get("field_sets", True)
        return list_items(path, **kwargs)

    client.list_items = spy
    collect_live(client)
    assert asked["/apis/apps/v1/deployments"] is False
    assert asked["/apis/networking.k8s.io/v1/ingresses"] is True


@pytest.mark.parametrize("detail", [None, "summary", "full"])
def test_one_list_per_kind_and_no_gets_of_objects(control_plane, loaded, detail):
    """The same requests whether the routes are read with the rest (None: collect_live's
    index) or judged a page at a time as they are read (gather, either detail)."""
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    mark = control_plane.audit.mark()
    if detail is None:
        _idx, kinds, _pages = collect_live(client)
    else:
        facts, kinds, _warnings = gather.gather(client=client, detail=detail)
        assert facts["detail"] == detail
    # Our requests only: the controller-manager and scheduler (system:*) read too.
    events = [
        e
        for e in control_plane.audit.events(since=mark)
        if not (e.get("user") or {}).get("username", "").startswith("system:")
    ]
    gets = [e for e in events if e.get("verb") == "get" and (e.get("objectRef") or {}).get("name")]
    lists = [e for e in events if e.get("verb") == "list"]
    assert gets == [], [e.get("requestURI") for e in gets]
    found = [
        k
        for k in kinds
        if k["status"] == "found" and k["kind"] not in ("core/ConfigMap", "core/Pod")
    ]
    second_pass = [k for k in kinds if k["kind"] in ("core/ConfigMap", "core/Pod")]
    expected = len(found) + len(second_pass[0]["namespaces"]) + second_pass[1]["selectors"]
    assert len(lists) == expected
    assert client.request_counts == {"GET": expected + 2}  # + /api and /apis discovery
    # The streamed kinds are counted as they are read: the same counts as the index's.
    ingresses = [k for k in kinds if k["kind"] == "networking.k8s.io/Ingress"]
    assert (
        ingresses[0]["count"]
        == len(collect_live(client)[0].kind("networking.k8s.io", "Ingress"))
        > 0
    )


def test_live_read_keeps_each_page_out_of_the_gc_while_it_runs(control_plane, loaded, monkeypatch):
    """Each page read is frozen (out of the cyclic GC's sight) as it arrives, and given back
    when gather() returns; the answer is the same as the whole index's."""
    client = client_from_params({"kubeconfig": control_plane.kubeconfig})
    gc.unfreeze()
    settles = []
    real = settle.settle

    def counting():
        real()
        settles.append(gc.get_freeze_count())

    # Patched where it is looked up: the live read (each page) and gather() (the index).
    monkeypatch.setattr(live, "settle", counting)
    monkeypatch.setattr(gather, "settle", counting)
    facts, kinds, _warnings = gather.gather(client=client, page_size=5)
    assert gc.get_freeze_count() == 0
    read_whole = [k for k in kinds if k["kind"] not in ("core/ConfigMap", "core/Pod")]
    pages = sum(k["count"] // 5 for k in read_whole if k["status"] == "found")
    assert pages >= 10 and len(settles) >= pages + 2  # every full page, the index, detection
    assert all(n > 0 for n in settles)
    idx, _kinds, _pages = collect_live(client, page_size=5)
    assert [len(lb["routes"]) for lb in facts["load_balancers"]] == [
        len(lb["routes"]) for lb in detect(idx)["load_balancers"]
    ]


def _run_lb_info(tmp_path, args):
    """Run lb_info the way users do (ansible-playbook) and return the registered result."""
    registered, proc = run_play(
        tmp_path,
        [
            {
                "name": "detect",
                "meshgate.istio_lb.lb_info": args,
                "register": "r",
                "ignore_errors": True,
            }
        ],
        ["r"],
    )
    return registered["r"], proc


def test_module_as_least_privilege_user(control_plane, loaded, tmp_path):
    with open(ROOT / "rbac" / "meshgate-istio-lb-reader.yaml") as fh:
        role = yaml.safe_load(fh)
    kubeconfig = control_plane.create_user("lb-reader", cluster_role=role)
    result, proc = _run_lb_info(tmp_path, {"kubeconfig": kubeconfig})
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False
    assert result["cluster"]["source"] == "live"
    admin = detect(collect_live(client_from_params({"kubeconfig": control_plane.kubeconfig}))[0])
    # The default result is the summary: no routes, their counts instead.
    assert result["detail"] == "summary" and "routes" not in result
    assert result["load_balancers"] == summarize(admin)["load_balancers"]
    assert result["findings"] == admin["findings"]
    # Nothing secret in what Ansible printed.
    assert "BEGIN" not in proc.stdout and "client-key-data" not in proc.stdout


def test_detail_full_returns_every_route_and_plans_from_it(control_plane, loaded, tmp_path):
    """detail=full is the whole answer (what lb_plan plans from); a summary handed to lb_plan
    is refused with the two ways out, instead of planning nothing."""
    kubeconfig = control_plane.kubeconfig
    registered, proc = run_play(
        tmp_path,
        [
            {
                "name": "full",
                "meshgate.istio_lb.lb_info": {"kubeconfig": kubeconfig, "detail": "full"},
                "register": "full",
            },
            {
                "name": "summary",
                "meshgate.istio_lb.lb_info": {"kubeconfig": kubeconfig},
                "register": "short",
            },
            {
                "name": "plan from the full facts",
                "meshgate.istio_lb.lb_plan": {"mode": "standalone_mtls", "facts": "{{ full }}"},
                "register": "from_full",
            },
            {
                "name": "plan by reading the cluster",
                "meshgate.istio_lb.lb_plan": {"mode": "standalone_mtls", "kubeconfig": kubeconfig},
                "register": "from_live",
            },
            {
                "name": "plan from the summary",
                "meshgate.istio_lb.lb_plan": {"mode": "standalone_mtls", "facts": "{{ short }}"},
                "register": "from_summary",
                "ignore_errors": True,
            },
        ],
        ["full", "short", "from_full", "from_live", "from_summary"],
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    admin = detect(collect_live(client_from_params({"kubeconfig": kubeconfig}))[0])
    full, short = registered["full"], registered["short"]
    assert full["detail"] == "full"
    assert full["routes"] == admin["routes"] and full["load_balancers"] == admin["load_balancers"]
    assert len(short["load_balancers"]) == len(full["load_balancers"]) > 0
    # The summary drops the routes and nothing else (its size is measured in bench/).
    assert set(full) - set(short) == {"routes"}
    for key in ("istio", "findings", "summary", "controllers", "kinds", "cluster"):
        assert short[key] == full[key], key
    assert short["load_balancers"] == summarize(full)["load_balancers"]
    # The same plan either way; lb_plan returns the summary of what it read.
    assert registered["from_full"]["plan"]["phases"] == registered["from_live"]["plan"]["phases"]
    assert registered["from_live"]["plan"]["summary"]["patches"] > 0
    live_facts = registered["from_live"]["facts"]
    assert live_facts["detail"] == "summary" and "routes" not in live_facts
    assert live_facts["load_balancers"] == short["load_balancers"]
    refused = registered["from_summary"]
    assert refused["failed"] is True and "plan" not in refused
    assert "detail: full" in refused["msg"] and "leave facts out" in refused["msg"]


@pytest.mark.parametrize(
    "user, resources",
    [
        ("lb-reader-no-ingress", []),  # the whole group: IngressClasses fail first
        ("lb-reader-no-ingresses", ["ingressclasses"]),  # a kind read as it is judged
    ],
)
def test_forbidden_kind_is_an_error_naming_it(control_plane, loaded, tmp_path, user, resources):
    rules = [r for r in rbac_rules() if r["apiGroups"] != ["networking.k8s.io"]]
    if resources:
        rules.append(
            {"apiGroups": ["networking.k8s.io"], "resources": resources, "verbs": ["list"]}
        )
    kubeconfig = control_plane.create_user(user, rules=rules)
    result, _proc = _run_lb_info(tmp_path, {"kubeconfig": kubeconfig})
    assert result["failed"] is True
    assert "forbidden" in result["msg"].lower()
    assert "ingress" in result["msg"]
    assert "load_balancers" not in result  # never a partial "nothing found"
    assert "ingresses" in result["msg"] or not resources, result["msg"]


def test_unreachable_is_an_error(tmp_path, control_plane):
    result, _proc = _run_lb_info(
        tmp_path,
        {"host": "https://127.0.0.1:1", "api_key": "not-a-real-token", "validate_certs": False},
    )
    assert result["failed"] is True
    assert "127.0.0.1:1" in result["msg"]
    assert "not-a-real-token" not in json.dumps(result)


def test_direct_k8s_error_for_missing_context(control_plane):
    with pytest.raises(K8sError) as exc:
        client_from_params({"kubeconfig": control_plane.kubeconfig, "context": "no-such-context"})
    assert exc.value.reason == "config"
    assert "no-such-context" in str(exc.value)
