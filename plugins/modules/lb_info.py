#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_info
short_description: Detect third-party load balancers in front of an Istio mesh and diagnose them
version_added: 0.1.0
author:
  - meshgate platform team (@meshgate)
description:
  - Finds every third-party load balancer and ingress controller that sends traffic into the
    mesh (in-cluster controllers such as ingress-nginx, F5 NGINX, Emissary, Traefik, Contour,
    Envoy Gateway, HAProxy, Kong, APISIX and Skipper, and cloud load balancers such as GKE
    Ingress and Gateway, AWS ALB and NLB, Azure Application Gateway and Load Balancer).
  - Reports how each one reaches the backends (V(standalone), V(chained) through the Istio
    ingress gateway, or V(unknown)), whether that traffic is mutually authenticated by Istio,
    the Istio installation (revisions, injection, effective PeerAuthentication, gateways,
    ambient), and findings with stable codes, each with the fix.
  - Reads a live cluster (one paginated LIST per kind, no per-object GETs; kinds whose API is
    not served are skipped) or offline manifests given in O(src). The same objects give the
    same answer either way.
  - Read-only. Forbidden and unreachable are errors naming what is missing, never an
    empty result.
options:
  src:
    description:
      - Files or directories of manifests to read instead of a live cluster (multi-document
        YAML, JSON, C(List) dumps from C(kubectl get -A -o yaml), Helm output).
      - Directories are read recursively (C(*.yaml), C(*.yml), C(*.json)); a file named
        explicitly is read whatever its extension.
      - When set, the connection options are ignored.
    type: list
    elements: path
  namespaces:
    description:
      - Report only load balancers, routes and findings in these namespaces. The whole cluster
        is still read, because a load balancer in one namespace serves backends in others.
    type: list
    elements: str
  vendors:
    description:
      - Report only these vendors.
    type: list
    elements: str
    choices: [ingress-nginx, nginx-inc, emissary, traefik, contour, envoy-gateway, haproxy-ingress,
              haproxytech, kong, apisix, skipper, gke-ingress, gke-gateway, aws-alb, aws-nlb,
              azure-agic, azure-lb]
  cluster_domain:
    description:
      - Cluster DNS domain used to build Service FQDNs (C(<svc>.<ns>.svc.<cluster_domain>)).
    type: str
    default: cluster.local
  page_size:
    description:
      - Objects per LIST request (the API server's C(limit)).
    type: int
    default: 500
  detail:
    description:
      - How much to return.
      - V(summary) returns the load balancers (with C(route_count) and C(backend_count) instead
        of their lists of routes and backends), Istio, every finding and the counts, and no
        C(routes). It grows with what is wrong (one finding per broken route), not with every
        route, and stays small on clusters with thousands of Ingresses, where Ansible spends more
        time moving a module's result than the module spends reading the cluster (see
        C(docs/benchmarks.md)).
      - V(full) adds C(routes) (every route with its backends) and the load balancers' lists of
        routes and backends; M(meshgate.istio_lb.lb_plan) and the C(lb_plan) filter plan from it.
        To plan, calling M(meshgate.istio_lb.lb_plan) alone is faster than handing it these facts.
    type: str
    choices: [summary, full]
    default: summary
extends_documentation_fragment:
  - meshgate.istio_lb.k8s_auth
  - meshgate.istio_lb.read_limits
  - meshgate.istio_lb.offline_source
  - meshgate.istio_lb.attributes
  - meshgate.istio_lb.attributes.info_module
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    support: full
requirements:
  - python >= 3.9
  - kubernetes >= 24.2.0
  - jmespath
  - PyYAML
seealso:
  - name: Istio - Third Party Load Balancers
    description: The integration modes this module checks.
    link: https://istio.io/latest/docs/ops/integrations/loadbalancers/
notes:
  - Finding codes (C(MG0001) ...) are stable and never reused; C(docs/findings.md) lists them.
"""

EXAMPLES = r"""
- name: Inventory the load balancers of the current kubeconfig context
  meshgate.istio_lb.lb_info:
  register: lbs

- name: Same for one cluster of a fleet, only ingress-nginx
  meshgate.istio_lb.lb_info:
    kubeconfig: "{{ cluster_kubeconfig }}"
    context: prod-eu
    vendors: [ingress-nginx]
  register: lbs

- name: Offline, from a kubectl dump and a folder of Helm-rendered manifests
  meshgate.istio_lb.lb_info:
    src:
      - cluster-dump.yaml
      - rendered/
  register: lbs

- name: Every route with its backends, to plan from later or to report on
  meshgate.istio_lb.lb_info:
    detail: full
  register: lbs_full

- name: Fail when there is an Error finding
  ansible.builtin.assert:
    that: lbs.summary.findings.Error == 0
    fail_msg: "{{ lbs.findings | selectattr('level', 'eq', 'Error') | map(attribute='message') | list }}"
"""

RETURN = r"""
cluster:
  description: Which cluster (or files) was read.
  returned: always
  type: dict
  sample: {"server": "https://127.0.0.1:6443", "context": "prod", "source": "live"}
load_balancers:
  description: One entry per detected load balancer workload or cloud load balancer.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Stable id (C(Kind/namespace/name), prefixed with the vendor for cloud LBs).
      type: str
    vendor:
      description: Canonical vendor id (see O(vendors)).
      type: str
    kind:
      description: Kind of the object that is the load balancer (Deployment, DaemonSet, Ingress, Service, ...).
      type: str
    namespace:
      description: Namespace of that object.
      type: str
    name:
      description: Name of that object.
      type: str
    role:
      description: V(all-in-one), V(data-plane), V(control-plane) (no data plane found) or V(cloud).
      type: str
    ingress_classes:
      description: Ingress class names it serves.
      type: list
      elements: str
    service:
      description: The Service in front of the LB pods (type, ports, annotations, C(cloud_lb) when a cloud LB exposes it).
      type: dict
    host_network:
      description: Whether the pods use the node network (no sidecar possible).
      type: bool
    sidecar:
      description:
        - Sidecar state; C(injection) is V(enabled), V(disabled), V(none), V(impossible) or
          V(unknown-revision); C(injected) is what running pods show (null when no pods were read);
          C(inbound_capture), C(hold_application_until_proxy_starts), C(ambient).
        - C(kind) is V(native) (istio-proxy an init container with restartPolicy Always, started
          before the LB and stopped after it), V(classic) (a container beside the LB) or
          V(unknown), for the pods running or, before injection, the pods the injector would
          make; C(kind_evidence) says what decided it (running pods first, then the pod
          annotation sidecar.istio.io/nativeSidecar, then istiod's setting).
      type: dict
    mode:
      description: V(standalone), V(chained), V(mixed) (some routes to the gateway, some not) or V(unknown) (no routes).
      type: str
    mtls:
      description: Whether traffic from this LB reaches the backends over Istio mTLS.
      type: bool
    service_routing:
      description: V(on), V(off), V(partial) or V(n/a) - whether routes target Service VIPs (or rewrite Host) instead of pod IPs.
      type: str
    routes:
      description: Ids of the routes it serves (only with O(detail=full)).
      type: list
      elements: str
    backends:
      description: Backend Services (C(namespace/name)) (only with O(detail=full)).
      type: list
      elements: str
    fronted_by:
      description:
        - In-cluster LBs only. The cloud load balancers in front of it - those whose routes send
          to one of its Services, and the Service-level ones (AWS NLB, Azure load balancer)
          exposing its Service - each with C(id), C(vendor) and C(xff_hops) (the
          X-Forwarded-For entries it adds, vendor data).
      type: list
      elements: dict
    xff_hops:
      description:
        - In-cluster LBs only. The X-Forwarded-For entries reaching what it sends to - the one it
          adds plus the fewest any cloud LB in front of it adds - which an Istio gateway it is
          chained to should trust (C(numTrustedProxies); MG0013, MG0023).
      type: int
    xff_passed_on:
      description:
        - In-cluster LBs only. Whether it passes on the X-Forwarded-For it receives, appending its
          peer; when false (ingress-nginx without C(use-forwarded-headers) and
          C(compute-full-forwarded-for)) it sends one entry and the cloud LBs' in front do not
          count in C(xff_hops).
      type: bool
    route_count:
      description: How many routes it serves (only with O(detail=summary)).
      type: int
    backend_count:
      description: How many backend Services it sends to (only with O(detail=summary)).
      type: int
    health_check:
      description: For cloud LBs fronting the Istio gateway, whether the health check targets 15021 /healthz/ready.
      type: dict
    gitops:
      description: The tool that owns the object (Helm, Argo CD, Flux), or null.
      type: dict
    mesh_routes:
      description:
        - Hosts of VirtualServices bound to the mesh that the LB's namespace sees and that our
          plans did not create; its sidecar routes those Hosts, so plans leave them alone.
      type: list
      elements: str
    meshgate_routes:
      description: "The mesh routes our plans created in the LB's namespace: host -> their http routes."
      type: dict
    owner:
      description:
        - Who keeps the workload and how that is known - C(tool) (V(helm), V(argocd), V(flux),
          V(kubectl) or V(none)), C(helm) (V(3) or V(4) when managedFields tell, Helm 4 applying
          server-side as field manager C(helm)), C(release), C(release_namespace), C(app) (Argo
          CD), C(helm_release) / C(kustomization) (Flux, namespace/name), and C(evidence).
      type: dict
    evidence:
      description:
        - Why it was recognised, one entry per signal that matched (container image, command
          line, environment variable, pod or chart labels, container or port name, the vendor's
          IngressClass), and the classes it serves and why (flags, IngressClasses, a provider
          for another vendor's classes, or the class it serves by default).
        - A signal that is weak alone (a generic label, a container name) counts only with
          another.
      type: list
      elements: str
cluster_facts:
  description:
    - What plans need of the cluster beyond its load balancers - C(api_server_ip) and
      C(api_server_ips) (the C(kubernetes) Service's cluster IPs, every family), C(apis) (served
      versions of the kinds plans write; null offline), C(gateway_classes) (per GatewayClass
      its C(controller), C(vendor), C(parameters_ref) and C(parameters) - whether the object it
      names was C(found), its C(apiVersion) and C(spec)), and C(gateways) (per Gateway
      C(namespace/name) with its own C(spec.infrastructure.parametersRef), for vendors that use
      it over the class's, Envoy Gateway's EnvoyProxy - its C(class), C(vendor),
      C(parameters_ref), C(parameters) as above, C(used) (its controller uses them), C(merged)
      (merged over the class's, else replacing them whole) and, when not used, C(refused) (why
      its controller does not accept the Gateway)).
  returned: always
  type: dict
detail:
  description: V(summary) or V(full), as asked in O(detail).
  returned: always
  type: str
routes:
  description: Every Ingress, Gateway API Gateway/route, Istio VirtualService bound to a gateway and vendor route object.
  returned: when O(detail=full)
  type: list
  elements: dict
  contains:
    vendor:
      description: Vendor serving it, V(istio) for Istio's own gateways, or null when nothing points anywhere.
      type: str
    vendor_inferred:
      description: True when the controller was not among the objects and the vendor was inferred from conventions.
      type: bool
    vendor_candidates:
      description: The vendors that share the class name when it is ambiguous.
      type: list
      elements: str
    class:
      description: Ingress or Gateway class.
      type: str
    backends:
      description:
        - Backend Services with C(namespace), C(service), C(port) (as the route says),
          C(service_port) (the Service port number it means), C(target_port), C(waypoint) (the
          ambient waypoint it is bound to), C(istio_gateway), C(via) and C(gateway_service)
          (an ExternalName Service leading to the gateway Service C(namespace/name)),
          C(headless), C(fqdn).
      type: list
      elements: dict
    served_by:
      description: Ids of the load balancers serving it.
      type: list
      elements: str
    provider:
      description:
        - Set when a load balancer serves this Ingress for another vendor's class through a
          provider of its own (Traefik's C(kubernetesIngressNGINX) serving class C(nginx)); the
          route's C(vendor) is then the load balancer's, and its switches are those that
          provider reads.
      type: str
      returned: when served through such a provider
istio:
  description:
    - Istio installation - C(installed), C(revisions), C(tags), C(control_plane_namespace), C(root_namespace),
      per-namespace injection (C(namespaces)), C(peer_authentications), C(mesh_mtls_mode), C(gateways) with their
      Services and status port, C(ambient) (ztunnel, enrolled namespaces).
    - C(native_sidecars) - whether the injector gives pods native sidecars - C(kind) (V(native),
      V(classic) or V(unknown)), C(mode) (istiod's ENABLE_NATIVE_SIDECARS as it runs - V(true),
      V(false), V(auto) - from its env, else its injector values, else its version's default),
      C(istio_version), C(evidence), C(nodes) (count, oldest kubelet, those too old for auto mode;
      null when Nodes were not read) and C(revisions) (the same per istiod revision).
  returned: always
  type: dict
findings:
  description: Problems found, each with a stable C(code), C(name), C(level), the C(object), C(message), C(fix) and C(reference).
  returned: always
  type: list
  elements: dict
  sample:
    - code: MG0001
      name: StrictBackendBehindNonMeshLoadBalancer
      level: Error
      object: {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "namespace": "shop", "name": "web"}
      message: Deployment ingress-nginx/ingress-nginx-controller (ingress-nginx) sends plaintext to ...
      fix: Run the standalone_mtls mode ...
      reference: https://istio.io/latest/docs/reference/config/security/peer_authentication/
summary:
  description: Counts of load balancers, routes, vendors, modes and findings per level.
  returned: always
  type: dict
kinds:
  description: Per kind read, its status (V(found) or V(api_absent)) and object count.
  returned: always
  type: list
  elements: dict
api_requests:
  description: API requests made, by HTTP method (live reads only).
  returned: always
  type: dict
"""

import copy

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import (
    HAS_JMESPATH,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import DETAILS
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.args import (
    AUTH_ARG_SPEC,
    READ_LIMITS_ARG_SPEC,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.gc_pause import gc_paused
from ansible_collections.meshgate.istio_lb.plugins.module_utils.module_shell import (
    gather_for_module,
    open_module,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.names import check_all
from ansible_collections.meshgate.istio_lb.plugins.module_utils.vendors.registry import VENDOR_IDS


def argument_spec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(copy.deepcopy(READ_LIMITS_ARG_SPEC))
    spec.update(
        src=dict(type="list", elements="path"),
        src_namespace=dict(type="str"),
        namespaces=dict(type="list", elements="str"),
        vendors=dict(type="list", elements="str", choices=list(VENDOR_IDS)),
        cluster_domain=dict(type="str", default="cluster.local"),
        page_size=dict(type="int", default=500),
        detail=dict(type="str", default="summary", choices=list(DETAILS)),
    )
    return spec


def run(module):
    params = module.params
    problems = check_all(
        [
            ("namespaces", params.get("namespaces"), "label"),
            ("cluster_domain", params["cluster_domain"], "domain"),
        ]
    )
    if problems:
        module.fail_json(msg="; ".join(problems))
    if params["page_size"] < 1:
        module.fail_json(msg="page_size must be a positive number of objects per LIST request")
    options = {
        "namespaces": params.get("namespaces"),
        "vendors": params.get("vendors"),
        "cluster_domain": params["cluster_domain"],
    }
    # A summary is detected as the routes are read (never all of them in memory at once).
    result, kinds, api_requests = gather_for_module(module, options, params["detail"])
    cluster = result.pop("cluster")
    module.exit_json(
        changed=False, cluster=cluster, kinds=kinds, api_requests=api_requests, **result
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    open_module(module, None if HAS_JMESPATH else missing_required_lib("jmespath"))
    # Reading and detecting allocate millions of small dicts and lists and no reference
    # cycles: the cyclic GC would only re-scan them as they pile up (half of detection's time
    # at 5,000 objects per kind, bench/). Reference counting still frees every page.
    with gc_paused():
        run(module)


if __name__ == "__main__":
    main()
