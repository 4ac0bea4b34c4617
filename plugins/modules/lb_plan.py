#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_plan
short_description: Compute the exact patches an Istio third-party load balancer mode needs
version_added: 0.1.0
author:
  - meshgate platform team (@meshgate)
description:
  - Computes, for one cluster, the ordered phases of server-side-apply patches that put its
    third-party load balancers into the chosen integration mode, with the reason, the
    reference, the risk and the undo of every patch. Nothing is written to the cluster; use
    M(meshgate.istio_lb.lb_apply) or the roles to apply a plan.
  - Detects by itself (live cluster or O(src)), or plans from O(facts), a registered
    M(meshgate.istio_lb.lb_info) result with O(meshgate.istio_lb.lb_info#module:detail=full).
    Detecting by itself is the faster way on a live cluster - one task reads the cluster once
    and only the plan travels back through Ansible - and it also returns the summary of what it
    detected in RV(facts).
  - Patches hold only the fields the collection owns. When a target is owned by Helm, Argo CD
    or Flux, the plan also carries the same change as Helm values and as a kustomize patch,
    and warns what that owner's next upgrade or sync does to a direct patch (for Helm 3 and
    Helm 4 as measured, for Argo CD and Flux as their documentation says).
  - Deterministic, the same input gives the same plan; the plan is empty when nothing is needed.
options:
  mode:
    description:
      - V(standalone) keeps plaintext from the load balancer working with a PERMISSIVE
        PeerAuthentication on exactly the backend ports it reaches (never mesh-wide).
      - V(standalone_mtls) is Istio's recipe, a sidecar in the load balancer pods with inbound
        capture off, the application held until the proxy starts, and Service routing (the
        vendor's switch, or a Host-header rewrite where the vendor has none), and for each
        external host whose requests keep the client's Host a VirtualService bound to the mesh in
        the load balancer's namespace, exported only there, so its sidecar routes them to the Service
        with mTLS. hostNetwork load balancers are refused.
      - V(chained) re-points the in-cluster load balancer's Ingresses at the Istio ingress
        gateway, with an Istio Gateway and VirtualServices for their hosts and
        C(numTrustedProxies) on the gateway.
      - V(gclb_chained) puts a GKE Ingress (or, with O(gke_gateway_class), a GKE Gateway) in front
        of the Istio ingress gateway, with the health check on 15021 C(/healthz/ready).
      - V(ambient) enrols the load balancer pods in ambient and bypasses inbound capture; routes to
        Services bound to a waypoint get the vendor's Service routing.
      - V(migrate) moves the Ingresses of a source load balancer (ingress-nginx) to an Istio Gateway
        API Gateway, one stage per run (O(migrate_stage)), with a translation report per Ingress and
        annotation in RV(plan.migration). It reads the Ingresses with all their annotations itself,
        so it cannot plan from O(facts). See the collection's docs/migrate.md.
    type: str
    required: true
    choices: [standalone, standalone_mtls, chained, gclb_chained, ambient, migrate]
  facts:
    description:
      - A registered M(meshgate.istio_lb.lb_info) result to plan from, instead of detecting again.
      - It must have been gathered with O(meshgate.istio_lb.lb_info#module:detail=full); a summary
        has no routes to plan from and is refused.
    type: dict
  src:
    description:
      - Manifests to detect from instead of a live cluster (see M(meshgate.istio_lb.lb_info)).
    type: list
    elements: path
  load_balancers:
    description:
      - Plan only these load balancers (ids such as C(Deployment/ingress-nginx/ingress-nginx-controller),
        C(namespace/name) or names).
    type: list
    elements: str
  namespaces:
    description: Plan only load balancers in these namespaces.
    type: list
    elements: str
  hosts:
    description: Plan only routes with these hosts (and, for V(gclb_chained), serve these hosts).
    type: list
    elements: str
  revision:
    description:
      - Istio revision (or tag) that injects the load balancer sidecars. Defaults to V(default),
        or the only installed revision. An unknown revision is refused.
    type: str
  global_switch:
    description:
      - For ingress-nginx and HAProxy Ingress, turn Service routing on in the controller
        ConfigMap (all routes) instead of per Ingress.
    type: bool
    default: false
  exclude_api_server:
    description:
      - Keep the load balancer's calls to the Kubernetes API server out of Envoy
        (C(excludeOutboundIPRanges) with each of the C(kubernetes) Service's cluster IPs, /32 for
        IPv4 and /128 for IPv6, both families on a dual-stack cluster), so a start-up race or a
        mesh-wide DestinationRule cannot break them. Ranges the pod template already excludes
        are kept; an IP they cover is not added again.
    type: bool
    default: true
  gateway:
    description:
      - The Istio ingress gateway Service (C(namespace/name)) for V(chained) and
        V(gclb_chained); needed when several exist.
      - For V(migrate), the Gateway API Gateway (C(namespace/name)) the routes move to - an
        existing one, or the one to create. Default C(meshgate-migrate) beside the Istio gateways,
        or in the source load balancer's namespace with O(migrate_cutover=service).
    type: str
  route_api:
    description:
      - API for the gateway routes in V(chained) mode. V(istio) creates an Istio Gateway and
        VirtualServices for the existing ingress gateway. V(gateway-api) attaches one Gateway API
        HTTPRoute per Ingress to the Istio Gateway API gateway (class C(istio)), creating a
        ClusterIP one named C(meshgate-chained) when none exists.
    type: str
    default: istio
    choices: [istio, gateway-api]
  num_trusted_proxies:
    description:
    - C(gatewayTopology.numTrustedProxies) for the gateway.
    - By default the fewest X-Forwarded-For entries the load balancers in front add (1 for an in-cluster
      LB, an AWS ALB or an Azure Application Gateway, 0 for an AWS NLB or an Azure load balancer),
      an in-cluster LB counting the cloud LBs in front of it too (its C(xff_hops) in lb_info, 3
      behind Google's Application LB). A higher value already set on the gateway is kept.
    type: int
  gateway_credential_name:
    description:
      - V(chained) with O(route_api=istio) only. TLS from the load balancer to the Istio gateway,
        with this Secret (in the gateway's namespace) as the gateway's certificate. The gateway
        listens with HTTPS (SIMPLE) on its port 443, and the load balancer's Ingresses are
        switched to HTTPS upstream (ingress-nginx; other vendors are refused for now).
      - V(gclb_chained) with O(backend_protocol=HTTPS) or V(HTTP2) (then required) - the
        certificate the gateway serves on 443 to Google's load balancer, which does not
        validate it (a self-signed one does, as in Google's recipe).
    type: str
  istio_api_version:
    description:
      - Version of the Istio APIs to emit (V(v1), V(v1beta1)). Default, what the cluster serves,
        or V(v1) offline.
    type: str
  cluster_domain:
    description: Cluster DNS domain for Service FQDNs.
    type: str
    default: cluster.local
  ingress_class:
    description: GKE Ingress class for V(gclb_chained).
    type: str
    default: gce
    choices: [gce, gce-internal]
  backend_protocol:
    description: Protocol from the Google load balancer to the gateway (C(cloud.google.com/app-protocols)).
    type: str
    default: HTTP
    choices: [HTTP, HTTPS, HTTP2]
  static_ip_name:
    description:
      - Name of a reserved static IP for the GKE Ingress - a global address for V(gce)
        (C(kubernetes.io/ingress.global-static-ip-name)), a regional one for V(gce-internal)
        (C(kubernetes.io/ingress.regional-static-ip-name)).
    type: str
  managed_certificate_domains:
    description:
      - Domains of a Google-managed certificate (creates a ManagedCertificate). External load
        balancers only - refused with O(ingress_class=gce-internal).
    type: list
    elements: str
  https_redirect:
    description: Redirect HTTP to HTTPS at the Google front end (creates a FrontendConfig).
    type: bool
    default: false
  ssl_policy:
    description: Name of a Google SSL policy for the front end (FrontendConfig).
    type: str
  ingress_name:
    description: Name of the GKE Ingress that V(gclb_chained) creates.
    type: str
    default: meshgate-gclb
  gke_gateway_class:
    description:
      - Use the GKE Gateway API instead of a GKE Ingress (a C(gke-l7-*) GatewayClass); adds a
        HealthCheckPolicy for the gateway Service. With a multi-cluster class (C(-mc)) the
        HTTPRoute and the HealthCheckPolicy name the gateway Service's C(ServiceImport)
        (C(net.gke.io)), which a ServiceExport of it must create.
    type: str
  migrate_accept:
    description:
      - V(migrate) only. Annotations (with or without the vendor prefix, for example
        C(configuration-snippet)) or report items (such as C(host <name>)) accepted untranslated.
        A translation with anything else that has no equivalent is refused.
    type: list
    elements: str
  migrate_stage:
    description:
      - V(migrate) only. V(parallel) creates the Gateway (its own address), the routes and the Istio
        policies while the source keeps serving; V(cutover) moves traffic (see O(migrate_cutover));
        V(retire) scales the source load balancer to zero and lists the PERMISSIVE exceptions made
        for it for removal (its IngressClass stays).
      - Each stage is its own run with the same other options, and its own undo
        (M(meshgate.istio_lb.lb_apply) with C(state=absent) brings back the stage before).
    type: str
    default: parallel
    choices: [parallel, cutover, retire]
  migrate_cutover:
    description:
      - V(migrate) with O(migrate_stage=cutover). V(dns) writes nothing and says which names to
        point at the gateway's address. V(service) re-points the source's existing LoadBalancer
        Service at the gateway pods, so the external address stays; the Gateway must be in that
        Service's namespace, and the source's Helm chart or GitOps sync puts the selector back on
        its next upgrade (the plan warns).
    type: str
    default: dns
    choices: [dns, service]
  dest:
    description:
      - Also write the plan to this directory, C(plan.json) and one YAML file per patch under
        C(manifests/) in apply order, plus C(gitops/) alternatives, for review or GitOps.
        C(changed) then reports whether files changed.
    type: path
  page_size:
    description: Objects per LIST request when detecting live.
    type: int
    default: 500
extends_documentation_fragment:
  - meshgate.istio_lb.k8s_auth
  - meshgate.istio_lb.read_limits
  - meshgate.istio_lb.offline_source
  - meshgate.istio_lb.attributes
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
  - module: meshgate.istio_lb.lb_info
  - name: Istio - Third Party Load Balancers
    description: The integration modes planned here.
    link: https://istio.io/latest/docs/ops/integrations/loadbalancers/
"""

EXAMPLES = r"""
- name: Plan Istio's recipe (sidecar + Service routing) for every in-cluster load balancer
  meshgate.istio_lb.lb_plan:
    mode: standalone_mtls
  register: lb

- name: Gather every route once, to report on and to plan from
  meshgate.istio_lb.lb_info:
    detail: full
  register: lbs_full

- name: Plan from those facts, only ingress-nginx, global switch, canary revision
  meshgate.istio_lb.lb_plan:
    mode: standalone_mtls
    facts: "{{ lbs_full }}"
    load_balancers: [ingress-nginx/ingress-nginx-controller]
    global_switch: true
    revision: canary

- name: GKE Ingress in front of the Istio gateway, HTTPS to the gateway, written out for review
  meshgate.istio_lb.lb_plan:
    mode: gclb_chained
    backend_protocol: HTTPS
    managed_certificate_domains: [shop.example.com]
    https_redirect: true
    dest: "{{ playbook_dir }}/plans/{{ inventory_hostname }}"

- name: Migrate ingress-nginx to an Istio Gateway, first stage, accepting the lost snippet
  meshgate.istio_lb.lb_plan:
    mode: migrate
    migrate_stage: parallel
    migrate_accept: [configuration-snippet]
  register: migrate

- name: The translation report, per Ingress and annotation
  ansible.builtin.debug:
    msg: "{{ migrate.plan.migration.report }}"

- name: Show what would change
  ansible.builtin.debug:
    msg: "{{ lb.plan.phases | map(attribute='patches') | flatten | map(attribute='reason') | list }}"
"""

RETURN = r"""
plan:
  description: The plan.
  returned: always
  type: dict
  contains:
    mode:
      description: The mode planned.
      type: str
    field_manager:
      description: Server-side-apply field manager the patches are meant for (C(meshgate)).
      type: str
    cluster:
      description: Which cluster (or files) the plan was computed from.
      type: dict
    phases:
      description:
        - Ordered phases; each has C(name), C(description), C(patches) and C(wait) (what to wait for
          before the next phase, for example the rollout of the load balancer pods).
        - Each patch has C(id), C(target) (apiVersion, kind, namespace, name), C(manifest) (the partial
          object to server-side apply), C(creates), C(reason), C(reference), C(risk) (restart, traffic)
          and C(undo).
      type: list
      elements: dict
    warnings:
      description: What the user must know (unauthenticated traffic, Host rewrite caveats, GitOps owners).
      type: list
      elements: str
    refusals:
      description: Load balancers that cannot get this mode, with C(code), C(reason) and C(suggestion).
      type: list
      elements: dict
    undo:
      description: How to reverse each patch, in reverse order.
      type: list
      elements: dict
    gitops:
      description: For targets owned by Helm, Argo CD or Flux, the same change as C(helm_values) and C(kustomize_patch).
      type: list
      elements: dict
    observed:
      description: Existing objects the plan patches (apply checks they did not change meanwhile).
      type: list
      elements: str
    summary:
      description: Counts of phases, patches, created objects, restarts, refusals and warnings.
      type: dict
    migration:
      description:
        - V(migrate) only. C(source), C(vendor), C(stage), C(cutover), C(gateway), C(ingresses), C(report)
          (per Ingress and annotation - C(status) translated, approximated or not-translated, C(to),
          C(detail)), C(refused), C(accepted), C(counts), C(dns) (the hosts to move) and
          C(permissive_for_removal).
      returned: when O(mode=migrate)
      type: dict
facts:
  description:
    - What the plan was computed from, as a summary (the load balancers with route and backend
      counts, Istio, findings and counts; see O(meshgate.istio_lb.lb_info#module:detail=summary)),
      plus C(cluster). The same keys whether the module read the cluster or was given O(facts).
  returned: always
  type: dict
files:
  description: Files written under O(dest).
  returned: when O(dest) is set
  type: list
  elements: str
"""

import copy
import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.expressions import (
    HAS_JMESPATH,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.summary import (
    FACT_KEYS,
    summarize,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.args import (
    AUTH_ARG_SPEC,
    READ_LIMITS_ARG_SPEC,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.gc_pause import gc_paused
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.source import (
    SOURCE_KEY,
    read_source,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.module_shell import (
    deadline_guard,
    fail,
    gather_for_module,
    open_module,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.files import plan_files
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.options import (
    DEFAULT_OPTIONS,
    MODES,
    plan_argument_spec,
    validate_options,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import SourceError

PLAN_OPTIONS = sorted(DEFAULT_OPTIONS)


def argument_spec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(copy.deepcopy(READ_LIMITS_ARG_SPEC))
    spec.update(
        mode=dict(type="str", required=True, choices=list(MODES)),
        facts=dict(type="dict"),
        src=dict(type="list", elements="path"),
        src_namespace=dict(type="str"),
    )
    spec.update(plan_argument_spec())  # every plan option, declared once in plan/options.py
    spec.update(dest=dict(type="path"), page_size=dict(type="int", default=500))
    return spec


def gather_facts(module):
    """The lb_info result to plan from: given, offline or live."""
    params = module.params
    if params.get("facts"):
        return params["facts"]
    facts, _kinds, _requests = gather_for_module(
        module, {"cluster_domain": params["cluster_domain"]}
    )
    if params["mode"] == "migrate":
        facts[SOURCE_KEY] = migrate_source(module)
    return facts


def migrate_source(module):
    """The Ingresses (all annotations) and Services mode migrate translates (never returned)."""
    params = module.params
    try:
        if params.get("src"):
            from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import (
                load_sources,
            )

            objects, _warnings = load_sources(params["src"], params.get("src_namespace"))
            return read_source(objects=objects, namespace=params.get("src_namespace"))
        from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
            client_from_params,
        )

        client = client_from_params(params)
        with deadline_guard(module, client):  # the same bound as the main read
            return read_source(client=client, page_size=params["page_size"])
    except (SourceError, K8sError) as exc:
        fail(module, exc)


def write_files(module, dest, the_plan):
    """Write plan.json + manifests/ + gitops/; returns (changed, paths)."""
    changed = False
    written = []
    for rel, text in plan_files(the_plan):
        path = os.path.join(dest, rel)
        written.append(path)
        try:
            with open(path) as fh:
                if fh.read() == text:
                    continue
        except OSError:
            pass
        changed = True
        if module.check_mode:
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)
    return changed, written


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    open_module(module, None if HAS_JMESPATH else missing_required_lib("jmespath"))
    options = {k: module.params.get(k) for k in PLAN_OPTIONS if k in module.params}
    try:
        validate_options(options)  # a bad name fails before the cluster is read
    except PlanError as exc:
        fail(module, exc)
    with gc_paused():  # as in lb_info: no cycles, only allocations for the GC to re-scan
        facts = gather_facts(module)
    try:
        the_plan = plan(facts, module.params["mode"], options)
    except PlanError as exc:
        fail(module, exc)
    # Given facts are a whole registered result (invocation, kinds, ...): keep detect's part.
    facts = summarize({k: facts[k] for k in FACT_KEYS if k in facts})
    result = {"changed": False, "plan": the_plan, "facts": facts}
    if module.params.get("dest"):
        result["changed"], result["files"] = write_files(module, module.params["dest"], the_plan)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
