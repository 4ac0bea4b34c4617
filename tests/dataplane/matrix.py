# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The vendor x mode x hop matrix: each vendor's own Helm chart output
(../shared/fixtures/helm/, rendered with the chart's defaults, and its routes.yaml), planned by
our planner, and each load balancer -> backend hop judged by Istio's own config generation and
simulator (the oracle).

For each vendor the cluster is the chart's objects, Istio's (istiod chart), the routes'
backend namespace labelled for injection (the backend in the mesh: our addition), and a
mesh-wide STRICT PeerAuthentication (ours). The cluster's own parts (Pods with IPs, the
injector's sidecar, EndpointSlices) are SIMULATED (simulated_cluster.py); the live test
(tests/integration/test_istio_live.py) does the same for ingress-nginx on the real API server
with the real istiod.

    python tests/dataplane/matrix.py            # print the matrix
    python tests/dataplane/matrix.py --write    # write it into docs/dataplane.md
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import objects as ob  # noqa: E402
from oracle import run_objects  # noqa: E402
from resolve import index_objects, oracle_call  # noqa: E402
from simulated_cluster import merged_plan, simulated_cluster  # noqa: E402

DOC = ROOT / "docs" / "dataplane.md"
BEGIN, END = "<!-- vendor-matrix:begin -->", "<!-- vendor-matrix:end -->"
HELM = "helm"
ISTIO_FILES = [
    "helm/istio/base.yaml",
    "helm/istio/istiod-default.yaml",
    "helm/istio/gateway-istio-ingress.yaml",  # the ingress gateway chained mode goes through
]
BACKEND_NS = "shop"  # every routes.yaml puts its backend there

# The vendors whose Helm output holds an in-cluster load balancer, and the charts that do not
# (said in the matrix rather than left out).
VENDORS = {
    "ingress-nginx": ["helm/ingress-nginx/edge-default.yaml", "helm/ingress-nginx/routes.yaml"],
    "traefik": ["helm/traefik/edge-default.yaml", "helm/traefik/routes.yaml"],
    "kong": ["helm/kong/edge-default.yaml", "helm/kong/routes.yaml"],
    "nginx-inc": ["helm/nginx-inc/edge-default.yaml", "helm/nginx-inc/routes.yaml"],
    "haproxy-ingress": [
        "helm/haproxy-ingress/edge-default.yaml",
        "helm/haproxy-ingress/routes.yaml",
    ],
    "haproxytech": ["helm/haproxytech/edge-default.yaml", "helm/haproxytech/routes.yaml"],
    "apisix": ["helm/apisix/gateway-with-ic.yaml", "helm/apisix/routes.yaml"],
    "emissary": ["helm/emissary/edge-listeners.yaml", "helm/emissary/routes.yaml"],
    "skipper": ["helm/skipper/raw-deployment.yaml", "helm/skipper/routes.yaml"],
    # The bitnami chart (the common way to install Contour), known by its command lines.
    "contour": ["helm/contour/default.yaml", "helm/contour/routes.yaml"],
    "envoy-gateway": ["helm/envoy-gateway/default.yaml", "helm/envoy-gateway/routes.yaml"],
}
# (mode, plan options); "chained (Gateway API)" is chained with route_api gateway-api.
MODES = ("before", "standalone_mtls", "standalone", "chained", "chained (Gateway API)", "ambient")
MODE_PLANS = {
    "ambient": ("ambient", {}),
    "standalone_mtls": ("standalone_mtls", {}),
    "standalone": ("standalone", {}),
    "chained": ("chained", {}),
    "chained (Gateway API)": ("chained", {"route_api": "gateway-api"}),
}


def shared_fixtures() -> Path:
    """The shared fixtures (tests/fixture_root.py: the one setting), checked to be there."""
    if str(ROOT / "tests") not in sys.path:  # run as a script: tests/ is not on sys.path
        sys.path.insert(0, str(ROOT / "tests"))
    from fixture_root import shared_fixtures as checked

    return checked()


def vendor_objects(vendor: str) -> list[dict]:
    """The vendor's chart output and routes, Istio's, the backend in the mesh, STRICT."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.sources import (
        load_sources,
    )

    base = shared_fixtures()
    objs, _warnings = load_sources([str(base / f) for f in VENDORS[vendor] + ISTIO_FILES])
    for o in objs:
        if o.get("kind") == "Namespace" and o["metadata"]["name"] == BACKEND_NS:
            o["metadata"].setdefault("labels", {})["istio-injection"] = "enabled"
    return objs + [ob.peer_authentication("istio-system", "default", "STRICT")]


# ambient: a SIMULATED ambient install (a ztunnel DaemonSet; nothing runs it) and the backend's
# namespace bound to a waypoint (our additions).
def ambient_objects(objects):
    out = copy.deepcopy(objects) + [copy.deepcopy(ob.ZTUNNEL)]
    for o in out:
        if o.get("kind") == "Namespace" and o["metadata"]["name"] == BACKEND_NS:
            o["metadata"]["labels"]["istio.io/use-waypoint"] = "waypoint"
    return out


def _facts(objects):
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect

    return detect(objects, {"detail": "full"})


def _plan(facts, mode):
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan

    name, options = MODE_PLANS[mode]
    return plan(facts, name, options)


def measure(objects, binary=None):
    """(facts, [(hop, answer or None, why not checked)]) for the simulated cluster of objects."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.data_path import (
        data_path_hops,
        gateway_hops,
    )

    cluster = simulated_cluster(objects)
    facts = _facts(cluster)
    idx = index_objects(cluster)
    hops = data_path_hops(facts) + gateway_hops(facts)
    made = [(hop,) + oracle_call(idx, hop) for hop in hops]
    calls = [call for _hop, call, _why in made if call is not None]
    answers = iter(run_objects(cluster, calls, binary=binary) if calls else [])
    return facts, [(hop, next(answers) if call else None, why) for hop, call, why in made]


def verdict(answer, why) -> str:
    """One hop's verdict in words."""
    if answer is None:
        return "not checked: %s" % why
    if answer.get("error"):
        return "caller: %s" % answer["error"]
    if answer["reaches"] and answer["mtls"]:
        xff = answer.get("xff_num_trusted_hops")
        return "mTLS" + (", trusts %d X-Forwarded-For hop(s)" % xff if xff else "")
    if answer["reaches"]:
        return "plain text, accepted"
    errors = sorted(
        {e.get("error") or "rejected" for e in answer["endpoints"] if not e["accepted"]}
    )
    via = " via %s" % answer["cluster"] if answer.get("cluster") else ""
    return "plain text%s, rejected (%s)" % (via, ", ".join(errors))


def vendor_rows(vendor: str, binary=None) -> list[dict]:
    """One row per (mode, hop) for one vendor."""
    objects = vendor_objects(vendor)
    facts, before = measure(objects, binary)
    rows = [_row(vendor, "before", h, a, why, facts, None) for h, a, why in before]
    lbs = [lb for lb in facts["load_balancers"] if lb.get("role") in ("data-plane", "all-in-one")]
    if not lbs:
        return [
            _empty_row(vendor, mode, "no in-cluster load balancer detected in the chart output")
            for mode in MODES
        ]
    if not before:
        rows.append(_empty_row(vendor, "before", "no route with a backend Service found"))
    for mode in MODES[1:]:
        base, base_facts = objects, facts
        if mode == "ambient":
            base = ambient_objects(objects)
            base_facts = _facts(simulated_cluster(base))
        the_plan = _plan(base_facts, mode)
        after_facts, after = measure(merged_plan(base, the_plan), binary)
        refused = {r["load_balancer"]: r for r in the_plan.get("refusals") or ()}
        if not after:
            rows.append(_empty_row(vendor, mode, "no hop: %s" % _refusal_text(the_plan)))
        rows += [
            _row(vendor, mode, h, a, why, after_facts, the_plan, refused) for h, a, why in after
        ]
    return rows


def _refusal_text(the_plan):
    return (
        "; ".join(
            "refused %s (%s)" % (r["load_balancer"], r["code"])
            for r in the_plan.get("refusals") or ()
        )
        or "-"
    )


def _empty_row(vendor, mode, why):
    return {
        "vendor": vendor,
        "mode": mode,
        "lb": "-",
        "route": "-",
        "sent": "-",
        "verdict": why,
        "explained": "",
    }


_PROXY = {
    "sidecar": "sidecar",
    "none": "no sidecar",
    "ambient": "ambient",
    "router": "Istio gateway",
}
_DIALS = {
    "service": "Service VIP",
    "pod": "pod IP",
    "gateway": "to the Istio gateway",
    "listener": "gateway listener",
}


def _row(vendor, mode, hop, answer, why, facts, the_plan, refused=None):
    sent = "%s, %s, %s Host" % (
        _PROXY[hop["proxy"]],
        _DIALS[hop["dials"]],
        "Service" if hop["host_source"] == "rewrite" else "client's",
    )
    return {
        "vendor": vendor,
        "mode": mode,
        "lb": hop["lb"],
        "route": hop["route"],
        "sent": sent,
        "verdict": verdict(answer, why),
        "ok": _ok(mode, hop, answer),
        "explained": _explained(hop, the_plan, refused or {}, facts),
    }


# The findings about the data path (their catalog entries name an oracle case).
DATA_PATH_CODES = ("MG0001", "MG0003", "MG0020", "MG0021")


def _ok(mode, hop, answer):
    """What the mode promises for this hop: mTLS to the backend (standalone_mtls; chained from
    the gateway), plain text accepted (standalone); an LB -> gateway hop ends at the gateway."""
    if hop["dials"] == "gateway":
        return answer is None
    if mode == "ambient":
        # No ztunnel in the simulator: what can be checked is that a waypoint-bound backend is
        # reached through its Service (docs/dataplane.md).
        return hop["proxy"] == "ambient" and hop["dials"] == "service"
    if answer is None or not answer["reaches"]:
        return False
    return mode == "standalone" or bool(answer["mtls"])


def _ref(obj):
    return "%s/%s/%s" % (obj.get("kind"), obj.get("namespace"), obj.get("name"))


def _explained(hop, the_plan, refused, facts):
    """What the plan (or a finding) says about this hop: a refusal of its LB, a warning naming
    its route, or the finding codes on its route."""
    if the_plan is None:
        kind, ns, name = hop["lb"].split("/", 2)
        lb_label = "%s %s/%s" % (kind, ns, name)
        codes = sorted(
            {
                f["code"]
                for f in facts.get("findings") or ()
                if f["code"] in DATA_PATH_CODES
                and (_ref(f["object"]) == hop["route"] or f["args"].get("lb") == lb_label)
            }
        )
        return ", ".join(codes)
    for target, r in refused.items():
        if target == hop["lb"]:
            return "refused: %s" % r["code"]
    route_name = hop["route"].split("/", 1)[1]
    warned = [w for w in the_plan.get("warnings") or () if hop["route"] in w or route_name in w]
    return "warned: " + warned[0] if warned else ""


def matrix(binary=None, vendors=None) -> list[dict]:
    return [row for v in (vendors or VENDORS) for row in vendor_rows(v, binary)]


def markdown(rows: list[dict]) -> str:
    out = [
        BEGIN,
        "<!-- generated by tests/dataplane/matrix.py --write; tests/dataplane/test_vendor_matrix.py checks it -->",
        "",
        "| vendor | mode | route | how the LB sends it | oracle's verdict | plan / finding says |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            "| %s | %s | %s | %s | %s | %s |"
            % (
                r["vendor"],
                r["mode"],
                r["route"],
                r["sent"],
                r["verdict"].replace("|", "\\|"),
                _short(r["explained"]).replace("|", "\\|"),
            )
        )
    out.append(END)
    return "\n".join(out)


def _short(text, limit=160):
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def documented() -> str:
    text = DOC.read_text()
    return text[text.index(BEGIN) : text.index(END) + len(END)]


def write(rows):
    text = DOC.read_text()
    DOC.write_text(text[: text.index(BEGIN)] + markdown(rows) + text[text.index(END) + len(END) :])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--write", action="store_true", help="write the matrix into docs/dataplane.md"
    )
    args = parser.parse_args(argv)
    rows = matrix()
    if args.write:
        write(rows)
    else:
        print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
