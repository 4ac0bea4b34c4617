# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""A live cluster's state as the oracle's input folder, and the kubelet's part played by hand.

There is no kubelet in the test control plane, so Pods stay Pending without an IP. `run_pods`
gives each Pod what a kubelet would report (a Pod IP, phase Running, Ready) through the status
subresource; the real endpointslice controller then publishes them, as it would in a cluster.
Simulated, and named so: nothing runs in those Pods.
"""

from __future__ import annotations

import ipaddress
import json
import time
from pathlib import Path

import yaml

# What Istio's config generation reads (docs/dataplane.md), plus the LB workloads whose
# selectors name the caller Pods.
KINDS = (
    ("v1", "Namespace"),
    ("v1", "Service"),
    ("v1", "Pod"),
    ("discovery.k8s.io/v1", "EndpointSlice"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "DaemonSet"),
    ("apps/v1", "StatefulSet"),
    ("security.istio.io/v1", "PeerAuthentication"),
    ("networking.istio.io/v1", "VirtualService"),
    ("networking.istio.io/v1", "DestinationRule"),
    ("networking.istio.io/v1", "Gateway"),
    ("networking.istio.io/v1", "Sidecar"),
)
POD_NETWORK = ipaddress.ip_network("10.244.0.0/16")


def read_cluster(client) -> list[dict]:
    """Every object of KINDS, and the mesh config (ConfigMap istio-system/istio)."""
    objects = []
    for api_version, kind in KINDS:
        objects += list(client.list_items(client.resource_path(api_version, kind)))
    objects += [
        cm
        for cm in client.list_items(client.resource_path("v1", "ConfigMap", "istio-system"))
        if cm["metadata"]["name"] == "istio"
    ]
    return objects


def write_folder(objects: list[dict], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "objects.yaml").write_text(yaml.safe_dump_all(objects, sort_keys=True))
    return folder


def run_pods(control_plane, client, namespaces, timeout: float = 60) -> list[dict]:
    """Play the kubelet for the Pods of these namespaces: a unique Pod IP, Running, Ready.
    Waits until the endpointslice controller lists each IP. Returns the Pods as patched."""
    used = {p["status"].get("podIP") for p in client.list_items("/api/v1/pods") if p.get("status")}
    free = (str(ip) for ip in POD_NETWORK.hosts() if str(ip) not in used)
    nodes = [n["metadata"]["name"] for n in client.list_items("/api/v1/nodes")]
    if not nodes:
        raise AssertionError("run_pods needs a Node object to bind Pods to (none in the cluster)")
    patched = []
    for ns in namespaces:
        for pod in client.list_items("/api/v1/namespaces/%s/pods" % ns):
            if pod.get("status", {}).get("podIP") or pod["metadata"].get("deletionTimestamp"):
                continue
            if not pod["spec"].get("nodeName"):
                _bind(control_plane, pod, nodes[0])
            ip = next(free)
            status = {
                "phase": "Running",
                "podIP": ip,
                "podIPs": [{"ip": ip}],
                "conditions": [
                    {"type": t, "status": "True"}
                    for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")
                ],
            }
            control_plane.kubectl(
                "patch",
                "pod",
                "-n",
                ns,
                pod["metadata"]["name"],
                "--subresource=status",
                "--type=merge",
                "-p",
                json.dumps({"status": status}),
            )
            pod["status"] = status
            patched.append(pod)
    selectors = [
        (svc["metadata"]["namespace"], svc["spec"]["selector"])
        for svc in client.list_items("/api/v1/services")
        if svc["spec"].get("selector")
    ]
    published = {
        p["status"]["podIP"]
        for p in patched
        if any(
            ns == p["metadata"]["namespace"]
            and all((p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())
            for ns, sel in selectors
        )
    }
    _wait_published(client, published, timeout)
    return patched


def _bind(control_plane, pod, node):
    """What the scheduler does (it leaves Pods off a Node without kubelet, which is NotReady):
    the endpointslice controller skips a Pod whose Node it cannot find."""
    meta = pod["metadata"]
    binding = {
        "apiVersion": "v1",
        "kind": "Binding",
        "metadata": {"name": meta["name"], "namespace": meta["namespace"]},
        "target": {"apiVersion": "v1", "kind": "Node", "name": node},
    }
    path = "/api/v1/namespaces/%s/pods/%s/binding" % (meta["namespace"], meta["name"])
    control_plane.kubectl("create", "--raw", path, "-f", "-", input=json.dumps(binding))
    pod["spec"]["nodeName"] = node


def _wait_published(client, ips, timeout):
    """Until every IP (of the Pods some Service selects) is in an EndpointSlice."""
    deadline = time.monotonic() + timeout
    while True:
        seen = {
            a
            for sl in client.list_items("/apis/discovery.k8s.io/v1/endpointslices")
            for ep in sl.get("endpoints") or ()
            for a in ep.get("addresses") or ()
        }
        if ips <= seen or time.monotonic() > deadline:
            return
        time.sleep(0.5)


def finish_rollouts(control_plane, client, namespaces, timeout: float = 90) -> None:
    """Play the kubelet through a rollout: the Pods each step creates are run (run_pods), and
    once each Deployment has scaled its old ReplicaSets down, the Pods they leave Terminating
    are removed (a kubelet would confirm they stopped), so the cluster holds only the new
    Pods, as after a real rollout. A Deployment of several replicas rolls in several steps."""
    deadline = time.monotonic() + timeout
    while True:
        run_pods(control_plane, client, namespaces, timeout=5)
        pending = [
            "%s/%s" % (d["metadata"]["namespace"], d["metadata"]["name"])
            for ns in namespaces
            for d in client.list_items("/apis/apps/v1/namespaces/%s/deployments" % ns)
            if (d.get("status") or {}).get("updatedReplicas") != d["spec"].get("replicas", 1)
            or (d.get("status") or {}).get("replicas") != d["spec"].get("replicas", 1)
        ]
        if not pending:
            break
        if time.monotonic() > deadline:
            raise AssertionError("rollouts not finished after %ss: %s" % (timeout, pending))
        time.sleep(0.5)
    for ns in namespaces:
        for pod in client.list_items("/api/v1/namespaces/%s/pods" % ns):
            if pod["metadata"].get("deletionTimestamp"):
                control_plane.kubectl(
                    "delete",
                    "pod",
                    "-n",
                    ns,
                    pod["metadata"]["name"],
                    "--grace-period=0",
                    "--force",
                    check=False,
                )


def remove_pods(control_plane, namespace: str) -> None:
    """Play the kubelet at the end: Pods run_pods started would stay Terminating (and keep
    their namespace Terminating) without one to confirm they stopped."""
    control_plane.kubectl(
        "delete",
        "pods",
        "--all",
        "-n",
        namespace,
        "--grace-period=0",
        "--force",
        "--wait=false",
        check=False,
    )
