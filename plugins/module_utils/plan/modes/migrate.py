# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Mode migrate: the Ingresses a source load balancer (ingress-nginx) serves move to an Istio
Gateway API Gateway, one stage a run (migrate_stage), each undone by lb_apply state: absent.

- parallel: the Gateway (its own address: istiod gives it a LoadBalancer Service), the routes
  and the Istio policies the translation made (migrate/translate.py); the source keeps serving.
- cutover: migrate_cutover dns - nothing written, the plan says which names to point where;
  service - the source's LoadBalancer Service selects the gateway pods instead (same address).
- retire: the source workload scaled to zero; its IngressClass stays; the PERMISSIVE exceptions
  earlier plans made for it are listed for removal.

A translation with an annotation that has no equivalent refuses the plan unless the annotation
is in migrate_accept. The translation report travels in the plan (plan["migration"]).
"""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.catalog.registry import (
    SOURCES,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.source import SOURCE_KEY
from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.translate import (
    TranslateError,
    translate_ingresses,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.builder import FIELD_MANAGER
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.facts import (
    api,
    lbs,
    routes_of,
    warn_leaving_routes,
    workload_target,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.manifests import (
    meta,
    patch_target,
)

GATEWAY_API_DOC = "https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/"
MIGRATE_DOC = "https://gateway-api.sigs.k8s.io/guides/getting-started/migrating-from-ingress/"
# The label istiod puts on the pods of a Gateway it deploys (Istio 1.30).
GATEWAY_POD_LABEL = "gateway.networking.k8s.io/gateway-name"
DEFAULT_GATEWAY = "meshgate-migrate"


def plan_migrate(b):
    facts, opts = b.facts, b.opts
    source = facts.get(SOURCE_KEY)
    if source is None:
        raise PlanError(
            "mode migrate needs the Ingresses with all their annotations, which lb_info's facts "
            "leave out (reported annotations only, values redacted): let lb_plan read the "
            "cluster itself (leave facts out, or give src)"
        )
    lb = _source_lb(b)
    if lb is None:
        return
    gw, present = _target_gateway(b, lb)
    # Ingresses in a namespace being deleted are not moved (their routes could not be created):
    # routes_of() leaves them out, and says so.
    ids = {r["id"] for r in routes_of(facts, lb, opts) if r["kind"] == "Ingress"}
    warn_leaving_routes(b, lb)
    ingresses = [i for i in source["ingresses"] if _id(i) in ids]
    try:
        result = translate_ingresses(
            ingresses,
            source["services"],
            lb["vendor"],
            {"gateway": gw},
            accept=opts["migrate_accept"] or (),
            cluster_domain=opts["cluster_domain"],
        )
    except TranslateError as exc:
        raise PlanError(str(exc)) from None
    migration = {
        "source": lb["id"],
        "vendor": lb["vendor"],
        "stage": opts["migrate_stage"],
        "cutover": opts["migrate_cutover"],
        "gateway": gw,
        "ingresses": sorted(ids),
        "report": result["report"],
        "refused": result["refused"],
        "accepted": sorted(opts["migrate_accept"] or ()),
        "counts": _counts(result["report"]),
        "permissive_for_removal": [],
        "dns": [],
    }
    b.extra["migration"] = migration
    unused = _unused_acceptances(lb["vendor"], opts["migrate_accept"] or (), result["report"])
    if unused:
        b.warn(
            "migrate_accept: %s matched nothing left untranslated (names are annotation keys, "
            "with or without %s, or report items such as 'host <name>')"
            % (", ".join(unused), SOURCES[lb["vendor"]]["prefix"])
        )
    if result["refused"]:
        for key in result["refused"]:
            rows = [r for r in result["report"] if r["annotation"] == key]
            b.refuse(
                lb,
                "migrate-not-translated",
                "%s has no equivalent on the Istio gateway (%s): %s"
                % (key, ", ".join(sorted({r["ingress"] for r in rows})), rows[0]["detail"]),
                "change the Ingress, or accept it with migrate_accept: [%s]" % key,
            )
        return
    stage = opts["migrate_stage"]
    if stage == "parallel":
        _parallel(b, lb, gw, result["objects"])
        return
    if not present:
        b.refuse(
            lb,
            "migrate-stage-order",
            "the Gateway %s/%s of the parallel stage does not exist"
            % (gw["namespace"], gw["name"]),
            "apply the plan of migrate_stage: parallel first (with the same options)",
        )
        return
    hosts = sorted(
        {h for o in result["objects"] for h in (o.get("spec") or {}).get("hostnames") or ()}
    )
    migration["dns"] = hosts
    if stage == "cutover":
        _cutover(b, lb, gw, hosts, source)
    else:
        _retire(b, lb, migration)


def _unused_acceptances(vendor, accept, report):
    prefix = SOURCES[vendor]["prefix"]
    untranslated = {
        r["annotation"][len(prefix) :] if r["annotation"].startswith(prefix) else r["annotation"]
        for r in report
        if r["status"] == "not-translated"
    }
    return sorted(
        a for a in accept if (a[len(prefix) :] if a.startswith(prefix) else a) not in untranslated
    )


def _id(obj):
    m = obj.get("metadata") or {}
    return "Ingress/%s/%s" % (m.get("namespace") or "default", m.get("name"))


def _counts(report):
    out = {"translated": 0, "approximated": 0, "not-translated": 0}
    for row in report:
        out[row["status"]] += 1
    return out


def _source_lb(b):
    """The one source load balancer in scope (a vendor with a migration catalog)."""
    found = [lb for lb in lbs(b, data_plane=False) if lb.get("vendor") in SOURCES]
    if not found:
        raise PlanError(
            "no load balancer of a vendor the migrate mode can translate from (%s) is in scope"
            % ", ".join(sorted(SOURCES))
        )
    if len(found) > 1:
        raise PlanError(
            "several source load balancers are in scope (%s); migrate one at a time: choose it "
            "with load_balancers" % ", ".join(lb["id"] for lb in found)
        )
    return found[0]


def _target_gateway(b, lb):
    """The target Gateway: the one named by gateway (existing or to create) or the default, in
    the source's namespace when the cutover re-points its Service (a Service selects pods of
    its own namespace only), else beside the Istio gateways."""
    facts, opts = b.facts, b.opts
    if opts["gateway"]:
        ns, _sep, name = opts["gateway"].rpartition("/")
    else:
        name = DEFAULT_GATEWAY
        if opts["migrate_cutover"] == "service":
            ns = lb["namespace"]
        else:
            gateways = (facts.get("istio") or {}).get("gateways") or [{}]
            ns = (
                gateways[0].get("namespace")
                or (facts.get("istio") or {}).get("control_plane_namespace")
                or "istio-system"
            )
    found = [
        r
        for r in facts.get("routes") or ()
        if r["kind"] == "Gateway"
        and (r.get("apiVersion") or "").startswith("gateway.networking.k8s.io/")
        and r["name"] == name
        and r["namespace"] == ns
    ]
    # The Gateway an earlier parallel stage made is still planned as ours (same listeners, same
    # routes: a re-run changes nothing); someone else's is used as it is.
    ours = bool(found) and FIELD_MANAGER in (found[0].get("managers") or ())
    gw = {"name": name, "namespace": ns, "class": "istio", "existing": bool(found) and not ours}
    return gw, bool(found)


def _parallel(b, lb, gw, objects):
    gateway_phase = b.phase(
        "gateway",
        "The Istio Gateway API Gateway with its own address, and access to the certificates",
    )
    routes_phase = b.phase(
        "routes",
        "The Ingresses' routes and Istio policies on the gateway (the source keeps serving)",
    )
    for obj in objects:
        m = obj["metadata"]
        # The version the cluster serves (ReferenceGrant is v1beta1 only before Gateway API v1.5).
        group, _sep, version = obj["apiVersion"].rpartition("/")
        obj = dict(obj, apiVersion=api(b.facts, group, obj["kind"], version))
        target = patch_target(obj["apiVersion"], obj["kind"], m["name"], m.get("namespace"))
        phase = gateway_phase if obj["kind"] in ("Gateway", "ReferenceGrant") else routes_phase
        b.patch(
            phase,
            target,
            obj,
            "migrate %s: %s %s/%s%s"
            % (
                lb["id"],
                obj["kind"],
                m.get("namespace"),
                m["name"],
                (
                    " (from %s)" % m["annotations"]["meshgate.io/migrated-from"]
                    if (m.get("annotations") or {}).get("meshgate.io/migrated-from")
                    and obj["kind"] not in ("Gateway",)
                    else ""
                ),
            ),
            GATEWAY_API_DOC if obj["kind"] != "HTTPRoute" else MIGRATE_DOC,
            {
                "restart": False,
                "traffic": "none on the source: it keeps serving; the gateway answers on its own "
                "address",
            },
            {"action": "delete"},
            creates=True,
        )
    if not gw["existing"]:
        gateway_phase["wait"] = [
            {
                "for": "rollout",
                "targets": ["Deployment/%s/%s-istio" % (gw["namespace"], gw["name"])],
                "timeout": 600,
            }
        ]
    b.warn(
        "migrate parallel: test the gateway on its own address (Service %s/%s-istio) before "
        "the cutover; ingress-nginx is untouched" % (gw["namespace"], gw["name"])
    )


def _cutover(b, lb, gw, hosts, source):
    if b.opts["migrate_cutover"] == "dns":
        b.warn(
            "migrate cutover (dns): point %s at the address of Service %s/%s-istio, then plan "
            "migrate_stage: retire once no client uses the old address; nothing is written"
            % (", ".join(hosts) or "the hosts", gw["namespace"], gw["name"])
        )
        return
    svc_ref = lb.get("service") or {}
    svc = [
        s
        for s in source["services"]
        if s["metadata"].get("name") == svc_ref.get("name")
        and s["metadata"].get("namespace") == svc_ref.get("namespace")
    ]
    if not svc or (svc[0].get("spec") or {}).get("type") != "LoadBalancer":
        b.refuse(
            lb,
            "migrate-no-lb-service",
            "%s has no LoadBalancer Service to re-point" % lb["id"],
            "use migrate_cutover: dns",
        )
        return
    svc = svc[0]
    if svc["metadata"]["namespace"] != gw["namespace"]:
        b.refuse(
            lb,
            "migrate-service-namespace",
            "Service %s/%s can select pods of its own namespace only; the Gateway is in %s"
            % (svc["metadata"]["namespace"], svc["metadata"]["name"], gw["namespace"]),
            "migrate with gateway: %s/<name> from the parallel stage on, or use migrate_cutover: dns"
            % svc["metadata"]["namespace"],
        )
        return
    spec = svc.get("spec") or {}
    ports = [
        {"port": p["port"], "protocol": p.get("protocol") or "TCP", "targetPort": p["port"]}
        for p in spec.get("ports") or ()
        if p.get("port") in (80, 443)
    ]
    target = patch_target("v1", "Service", svc["metadata"]["name"], svc["metadata"]["namespace"])
    manifest = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(target),
        "spec": {"selector": {GATEWAY_POD_LABEL: gw["name"]}, "ports": ports},
    }
    b.patch(
        b.phase("cutover", "The source's LoadBalancer Service sends to the Istio gateway pods"),
        target,
        manifest,
        "cut %s over to Gateway %s/%s on the same external address"
        % (lb["id"], gw["namespace"], gw["name"]),
        MIGRATE_DOC,
        {
            "restart": False,
            "traffic": "new connections to the external address reach the Istio gateway pods; "
            "open ones to ingress-nginx finish",
        },
        {
            "action": "restore-field",
            "fields": ["spec.selector", "spec.ports"],
            "restore": {
                "spec.selector": dict(spec.get("selector") or {}),
                "spec.ports": [dict(p) for p in spec.get("ports") or ()],
            },
        },
        owner=lb.get("owner") or lb.get("gitops"),
    )
    b.warn(
        "migrate cutover (service): Service %s/%s now selects the gateway pods. Risks: the "
        "source's Helm chart or GitOps sync puts its selector back on the next upgrade; with "
        "externalTrafficPolicy Local the cloud LB's node health checks follow the gateway pods' "
        "nodes (some nodes fail until it re-converges); deleting the ingress-nginx release later "
        "deletes this Service and its address"
        % (svc["metadata"]["namespace"], svc["metadata"]["name"])
    )


def _retire(b, lb, migration):
    if lb.get("kind") != "Deployment":
        b.refuse(
            lb,
            "migrate-cannot-scale",
            "%s is a %s: it cannot be scaled to zero" % (lb["id"], lb.get("kind")),
            "remove it (or its Helm release) yourself once no traffic reaches it",
        )
        return
    target = workload_target(lb)
    b.patch(
        b.phase("retire", "The source load balancer scaled to zero (its IngressClass stays)"),
        target,
        {
            "apiVersion": target["apiVersion"],
            "kind": target["kind"],
            "metadata": meta(target),
            "spec": {"replicas": 0},
        },
        "retire %s: scaled to zero after the cutover" % lb["id"],
        MIGRATE_DOC,
        {"restart": False, "traffic": "ingress-nginx stops serving: its pods end"},
        {
            "action": "restore-field",
            "fields": ["spec.replicas"],
            "restore": {"spec.replicas": lb.get("replicas") or 1},
        },
        owner=lb.get("owner") or lb.get("gitops"),
    )
    removal = _permissive_exceptions(b.facts, lb)
    migration["permissive_for_removal"] = removal
    classes = ", ".join(lb.get("ingress_classes") or ()) or "its IngressClass"
    b.warn(
        "migrate retire: %s stays (delete it and the controller when you are sure); an "
        "HorizontalPodAutoscaler on %s would scale it back up: delete it" % (classes, lb["id"])
    )
    if removal:
        b.warn(
            "migrate retire: PERMISSIVE exceptions made for %s are no longer needed once it sends "
            "no traffic: %s (delete them, or undo the standalone plan that made them)"
            % (lb["id"], ", ".join(removal))
        )


def _permissive_exceptions(facts, lb):
    """PeerAuthentications our standalone mode made (meshgate-permissive-*) for the pods of the
    Services the source load balancer reaches."""
    by_id = {r["id"]: r for r in facts.get("routes") or ()}
    selectors = []
    for rid in lb.get("routes") or ():
        for be in (by_id.get(rid) or {}).get("backends") or ():
            if be.get("selector"):
                selectors.append((be["namespace"], be["selector"]))
    out = set()
    for pa in (facts.get("istio") or {}).get("peer_authentications") or ():
        if not (pa.get("name") or "").startswith("meshgate-permissive-"):
            continue
        if "PERMISSIVE" not in (pa.get("port_level") or {}).values():
            continue
        sel = pa.get("selector") or {}
        for ns, backend_selector in selectors:
            if (
                ns == pa["namespace"]
                and sel
                and all(backend_selector.get(k) == v for k, v in sel.items())
            ):
                out.add("PeerAuthentication/%s/%s" % (pa["namespace"], pa["name"]))
    return sorted(out)
