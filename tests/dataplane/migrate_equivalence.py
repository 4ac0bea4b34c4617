# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The migration proof (issue 23): for each set of ingress-nginx Ingresses, translate them
(plugins/module_utils/migrate translate_ingresses), hand the result to Istio's own config
generation (the oracle), send every request of the corpus (migrate_corpus.py) to the Istio
gateway, and compare with where ingress-nginx sends it (nginx_model.py).

Sets: the annotated ingress-nginx examples (../shared/fixtures/examples/ingress-nginx, one set
per file) and ours (tests/dataplane/migrate_cases/, one set per file).

SIMULATED, as in docs/dataplane.md: the backends' Deployments (one per Service, injected), the
gateway's Deployment and Service (what Istio's deployment controller makes), Pods with IPs,
EndpointSlices, and the TLS Secrets the Ingresses name (a self-signed certificate made here).

    python tests/dataplane/migrate_equivalence.py            # print the table
    python tests/dataplane/migrate_equivalence.py --write    # write it into docs/migrate.md
"""

from __future__ import annotations

import argparse
import base64
import copy
import datetime
import functools
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import nginx_model  # noqa: E402
import objects as ob  # noqa: E402
from migrate_corpus import corpus  # noqa: E402
from oracle import run_objects  # noqa: E402
from simulated_cluster import simulated_cluster  # noqa: E402

DOC = ROOT / "docs" / "migrate.md"
BEGIN, END = "<!-- migrate-equivalence:start -->", "<!-- migrate-equivalence:end -->"
CASES = HERE / "migrate_cases"
GATEWAY_NS, GATEWAY_NAME = "istio-ingress", "meshgate-migrate"
TARGET = {
    "gateway": {"name": GATEWAY_NAME, "namespace": GATEWAY_NS, "class": "istio", "existing": False}
}
# What the oracle does not execute (docs/dataplane.md): a request whose ingress-nginx outcome
# depends on one of these is "not checked" for that part. (Source ranges are evaluated: the
# oracle runs the gateway's RBAC filters for a call with a client address, rbac.go.)
NOT_EXECUTED: dict = {}


def shared_fixtures() -> Path:
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))
    from fixture_root import shared_fixtures as checked

    return checked()


def _docs(path: Path) -> list[dict]:
    return [
        d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict) and d.get("kind")
    ]


def case_sets() -> list[dict]:
    """[{"name", "source", "ingresses", "services"}] in a stable order."""
    out = []
    examples = shared_fixtures() / "examples" / "ingress-nginx"
    for group, folder in (("example", examples), ("ours", CASES)):
        for f in sorted(folder.glob("*.yaml")):
            docs = _docs(f)
            ings = [d for d in docs if d["kind"] == "Ingress"]
            if not ings:
                continue
            for d in docs:
                d.setdefault("metadata", {}).setdefault("namespace", "default")
            out.append(
                {
                    "name": "%s/%s" % (group, f.stem),
                    "source": (
                        str(f.relative_to(ROOT))
                        if group == "ours"
                        else "examples/ingress-nginx/" + f.name
                    ),
                    "ingresses": ings,
                    "services": [d for d in docs if d["kind"] == "Service"],
                }
            )
    return out


def translate(ingresses, services, accept=()):
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.translate import (
        translate_ingresses,
    )

    return translate_ingresses(
        copy.deepcopy(ingresses), copy.deepcopy(services), "ingress-nginx", TARGET, accept
    )


def translated(case) -> dict:
    """The translation, every refused annotation accepted by name (the proof covers what is
    generated; the refusal itself is in the report and the table)."""
    first = translate(case["ingresses"], case["services"])
    if not first["refused"]:
        return dict(first, accepted=[])
    again = translate(case["ingresses"], case["services"], tuple(first["refused"]))
    return dict(again, accepted=list(first["refused"]))


@functools.lru_cache(maxsize=1)
def _certificate() -> tuple[str, str]:
    """A self-signed certificate for the TLS Secrets (SIMULATED: the Ingresses' Secrets)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "migrate.example.com")])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    )


def _secret(ns, name):
    crt, key = _certificate()
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/tls",
        "metadata": {"name": name, "namespace": ns},
        "data": {
            "tls.crt": base64.b64encode(crt.encode()).decode(),
            "tls.key": base64.b64encode(key.encode()).decode(),
        },
    }


def _backend_service(ns, name, port):
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "selector": {"app": name},
            "ports": [{"name": "http", "port": port, "targetPort": 8080, "protocol": "TCP"}],
        },
    }


def cluster_objects(case, result) -> list[dict]:
    """The cluster the oracle sees: namespaces (Ingress namespaces injected), the Services
    (the case's, else one per backend the Ingresses name), a Deployment per Service, the
    translated objects, the Istio GatewayClass, TLS Secrets, mesh-wide STRICT; then the
    simulated Pods, EndpointSlices and the gateway's Deployment."""
    services = {
        (s["metadata"]["namespace"], s["metadata"]["name"]): copy.deepcopy(s)
        for s in case["services"]
    }
    secrets = set()
    for ing in case["ingresses"]:
        ns = ing["metadata"]["namespace"]
        spec = ing.get("spec") or {}
        backends = [spec["defaultBackend"]] if spec.get("defaultBackend") else []
        for rule in spec.get("rules") or ():
            backends += [p["backend"] for p in (rule.get("http") or {}).get("paths") or ()]
        for b in backends:
            svc = b.get("service") or {}
            port = (svc.get("port") or {}).get("number") or 80
            services.setdefault((ns, svc["name"]), _backend_service(ns, svc["name"], port))
        for t in spec.get("tls") or ():
            if t.get("secretName"):
                secrets.add((ns, t["secretName"]))
    namespaces = {ns for ns, _ in services} | {ns for ns, _ in secrets}
    objs = [ob.namespace("istio-system"), ob.namespace(GATEWAY_NS)]
    objs += [
        ob.namespace(ns, injection=True) for ns in sorted(namespaces - {GATEWAY_NS, "istio-system"})
    ]
    for (ns, name), svc in sorted(services.items()):
        objs.append(svc)
        labels = dict((svc.get("spec") or {}).get("selector") or {"app": name})
        objs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name + "-backend", "namespace": ns},
                "spec": {
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "containers": [
                                {
                                    "name": "app",
                                    "image": "example/app",
                                    "ports": [
                                        {"containerPort": int(p.get("targetPort") or p["port"])}
                                        for p in svc["spec"]["ports"]
                                        if str(p.get("targetPort") or p["port"]).isdigit()
                                    ],
                                }
                            ]
                        },
                    },
                },
            }
        )
    objs += [_secret(ns, name) for ns, name in sorted(secrets)]
    objs += [ob.ISTIO_GATEWAY_CLASS, ob.peer_authentication("istio-system", "default", "STRICT")]
    objs += copy.deepcopy(result["objects"])
    return simulated_cluster(objs)


def _gateway(objs):
    gw = next(
        o
        for o in objs
        if o.get("kind") == "Gateway"
        and o.get("apiVersion", "").startswith("gateway.networking.k8s.io/")
        and o["metadata"]["name"] == GATEWAY_NAME
    )
    pod = next(
        o
        for o in objs
        if o.get("kind") == "Pod"
        and (o["metadata"].get("labels") or {}).get("gateway.networking.k8s.io/gateway-name")
        == GATEWAY_NAME
    )
    ports = {}
    for listener in gw["spec"].get("listeners") or ():
        ports.setdefault(listener["protocol"].upper(), listener["port"])
    return pod, ports


def hop_for(item, pod, ports):
    req = item["request"]
    https = req["scheme"] == "https"
    port = ports.get("HTTPS" if https else "HTTP")
    if port is None:
        return None
    headers = dict(req.get("headers") or {})
    if req.get("cookies"):
        headers["cookie"] = "; ".join("%s=%s" % kv for kv in sorted(req["cookies"].items()))
    call = {
        "address": pod["status"]["podIP"],
        "port": port,
        "host": req["host"],
        "path": req["path"],
        "protocol": req.get("protocol") or "http",
        "tls": "tls" if https else "plaintext",
        "headers": headers,
    }
    if req.get("method"):
        call["method"] = req["method"]
    if req.get("source_ip"):
        call["source_ip"] = req["source_ip"]
    if https:
        call["sni"] = req["host"].lower()
    return {
        "name": item["name"],
        "caller": {
            "pod": "%s/%s" % (pod["metadata"]["namespace"], pod["metadata"]["name"]),
            "proxy": "router",
        },
        "call": call,
    }


CLUSTER_RE = re.compile(r"^outbound\|(\d+)\|[^|]*\|([^.]+)\.([^.]+)\.svc\.")


def istio_outcome(answer, req) -> dict:
    """The oracle's answer as an outcome of the model's shape (Envoy's own semantics for what
    a matched route does: redirect location, rewrites)."""
    act = answer.get("action") or {}
    err = answer.get("error") or ""
    if (answer.get("rbac") or "").startswith("denied"):
        # Envoy's RBAC filter answers 403 before the route's action runs.
        return {"kind": "reject", "code": 403, "error": answer["rbac"]}
    if err.startswith("tls required"):
        return {
            "kind": "redirect",
            "code": 301,
            "location": "https://%s%s" % (req["host"], req["path"]),
        }
    if err:
        # Envoy answers 404 when no virtual host or route matches.
        code = 404 if ("no virtual host" in err or "no route" in err) else 0
        return {"kind": "reject", "code": code, "error": err}
    if act.get("kind") == "direct_response":
        return {"kind": "reject", "code": act.get("status")}
    if act.get("kind") == "redirect":
        return {
            "kind": "redirect",
            "code": act["redirect"]["code"],
            "location": _location(act, req),
        }
    backends, mtls = [], bool(answer.get("mtls"))
    total = sum(c.get("weight") or 0 for c in act.get("clusters") or ()) or 0
    for c in act.get("clusters") or ():
        m = CLUSTER_RE.match(c["name"])
        service = "%s/%s" % (m.group(3), m.group(2)) if m else c["name"]
        weight = round(100 * c["weight"] / total) if total else 100
        backends.append(
            {"service": service, "port": int(m.group(1)) if m else None, "weight": weight}
        )
    return {
        "kind": "backend",
        "backends": [b for b in backends if b["weight"] > 0],
        "upstream_path": _upstream_path(act, req["path"]),
        "upstream_host": act.get("host_rewrite") or req["host"],
        "mtls": mtls,
        "reaches": bool(answer.get("reaches")),
    }


def _upstream_path(act, full):
    """Envoy: prefix_rewrite replaces the part of the path the route's prefix matched;
    regex_rewrite substitutes every match of its pattern in the path (query kept)."""
    path, sep, query = full.partition("?")
    if act.get("prefix_rewrite") and act.get("match_type") in (
        "prefix",
        "path_separated_prefix",
        "path",
    ):
        path = act["prefix_rewrite"] + path[len(act.get("match_value") or "") :]
    elif act.get("regex_rewrite"):
        subst = re.sub(r"\\(\d)", r"\\g<\1>", act.get("regex_substitution") or "")
        path = re.sub(act["regex_rewrite"], subst, path)
    return path + sep + query


def _location(act, req):
    """Envoy RedirectAction: scheme/host/port swapped when set, path_redirect replaces the path
    (keeping the query unless it has its own or strip_query), prefix_rewrite the matched
    prefix; otherwise the request's path and query."""
    r = act["redirect"]
    scheme = r.get("scheme") or req["scheme"]
    host = r.get("host") or req["host"]
    if r.get("port"):
        host = "%s:%d" % (host.split(":")[0], r["port"])
    path, sep, query = req["path"].partition("?")
    if r.get("path"):
        new = r["path"]
        path, sep, query = new.partition("?") if "?" in new else (new, sep, query)
    elif r.get("prefix_rewrite"):
        path = r["prefix_rewrite"] + path[len(act.get("match_value") or "") :]
    if r.get("strip_query"):
        sep = query = ""
    return "%s://%s%s%s%s" % (scheme, host, path or "/", sep, query)


def _norm_location(loc):
    m = re.match(r"^(\w+://[^/?]+)(.*)$", loc or "")
    if not m:
        return loc
    rest = m.group(2) or "/"
    if rest.startswith("?"):
        rest = "/" + rest
    return m.group(1).lower() + rest


def compare(model, istio, report_for) -> tuple[str, str]:
    """(verdict, detail): "same", "reported" (differs where the translation report says it
    approximates or does not translate), "not checked" (the oracle cannot say), "DIFFERS"."""
    diffs = []
    unexecuted = [NOT_EXECUTED[f] for f in model.get("features") or () if f in NOT_EXECUTED]
    if model["kind"] != istio["kind"]:
        diffs.append("%s vs %s" % (_say(model), _say(istio)))
    elif model["kind"] == "backend":
        mb = sorted((b["service"], b["port"], b["weight"]) for b in model["backends"])
        ib = sorted((b["service"], b["port"], b["weight"]) for b in istio["backends"])
        if mb != ib:
            diffs.append("backends %s vs %s" % (_bk(mb), _bk(ib)))
        if model["upstream_path"] != istio["upstream_path"]:
            diffs.append(
                "upstream path %s vs %s" % (model["upstream_path"], istio["upstream_path"])
            )
        if model["upstream_host"].lower() != istio["upstream_host"].lower():
            diffs.append(
                "upstream Host %s vs %s" % (model["upstream_host"], istio["upstream_host"])
            )
        if not istio["mtls"]:
            diffs.append("not Istio mTLS to every endpoint")
    elif model["kind"] == "redirect":
        if model["code"] != istio["code"]:
            diffs.append("redirect code %s vs %s" % (model["code"], istio["code"]))
        if _norm_location(model["location"]) != _norm_location(istio["location"]):
            diffs.append("location %s vs %s" % (model["location"], istio["location"]))
    elif model["code"] != istio["code"] and istio["code"] is not None:
        # A refused connection (no listener) rejects as surely as a 404 does.
        diffs.append("reject %s vs %s" % (model["code"], istio["code"]))
    if (
        model["kind"] == "backend"
        and istio["kind"] == "backend"
        and "backend-protocol:HTTPS" in (model.get("features") or ())
    ):
        # The translation originates TLS to the backend (DestinationRule tls SIMPLE), which is
        # not Istio mTLS by design; the oracle recognises Istio mTLS only.
        diffs = [d for d in diffs if not d.startswith("not Istio mTLS")]
        unexecuted.append(
            "upstream TLS (backend-protocol HTTPS) is not Istio mTLS; the oracle checks only the route"
        )
        if not diffs:
            return "not checked", "; ".join(unexecuted)
    if model["kind"] == "answer" and "enable-cors" in (model.get("features") or ()):
        # Envoy's CORS filter answers a preflight; the oracle runs no CORS filter.
        return "not checked", "CORS preflight: Envoy's CORS filter is not run by the oracle"
    grpc = {"backend-protocol:GRPC", "backend-protocol:GRPCS"} & set(model.get("features") or ())
    if grpc and istio["kind"] == "reject" and "virtual host" in (istio.get("error") or ""):
        # Measured: the oracle's Istio test server programs no virtual host for a GRPCRoute,
        # while the same rule as an HTTPRoute is routed; the oracle cannot judge GRPCRoutes.
        return "not checked", "the oracle's Istio test server does not program GRPCRoutes"
    if unexecuted and (diffs or model["kind"] == "reject"):
        return "not checked", "; ".join(sorted(set(unexecuted)))
    if not diffs:
        return "same", ""
    reported = report_for(model)
    if reported:
        return "reported", "; ".join(diffs) + " (report: " + reported + ")"
    return "DIFFERS", "; ".join(diffs)


def _bk(items):
    return (
        ", ".join("%s:%s%s" % (s, p, "" if w == 100 else " %d%%" % w) for s, p, w in items)
        or "none"
    )


def _say(o):
    if o["kind"] == "backend":
        return "backend " + _bk(
            sorted((b["service"], b["port"], b["weight"]) for b in o["backends"])
        )
    if o["kind"] == "redirect":
        return "redirect %s %s" % (o["code"], o["location"])
    if o["kind"] == "answer":
        return "answered by the proxy, %s" % o["code"]
    if o.get("code") is None:
        return "refused (%s)" % (o.get("error") or "no listener")
    return "reject %s" % o.get("code")


def _strip(annotation):
    return (annotation or "").replace(nginx_model.PREFIX, "")


def _explains(key, feature):
    """A report entry's key explains a model feature: the same annotation (canary explains
    canary-by-cookie), or a "path ..."/"host ..." entry naming the feature's path or host."""
    token, _, value = feature.partition(":")
    if " " in key:
        first, rest = key.split(" ", 1)
        return first == token and (not value or value.lower() in rest.lower())
    return key == token or token.startswith(key + "-") or key.startswith(token + "-")


def report_lookup(report):
    """A function: model outcome -> the translation report's words for a difference it
    explains (an entry of the outcome's Ingress, approximated or not translated, for one of the
    outcome's features), or ""."""

    def find(model):
        ings = set(model.get("ingresses") or [model.get("ingress")]) - {None}
        feats = list(model.get("features") or ())
        for e in report:
            if e.get("status") == "translated":
                continue
            if ings and e.get("ingress") not in ings:
                continue
            key = _strip(e.get("annotation"))
            if key and any(_explains(key, f) for f in feats):
                return "%s %s: %s" % (
                    e.get("annotation"),
                    e.get("status"),
                    e.get("detail") or e.get("to") or "",
                )
        return ""

    return find


def measure(case, binary=None) -> list[dict]:
    """One row per request of the case's corpus."""
    result = translated(case)
    objs = cluster_objects(case, result)
    pod, ports = _gateway(objs)
    items = corpus(case["ingresses"])
    find = report_lookup(result["report"])
    hops, kept = [], []
    rows = []
    for item in items:
        h = hop_for(item, pod, ports)
        if h is None:
            # No listener for the scheme: the gateway refuses the connection.
            model = nginx_model.route(case["ingresses"], case["services"], item["request"])
            refused = {
                "kind": "reject",
                "code": None,
                "error": "no %s listener" % item["request"]["scheme"],
            }
            verdict, detail = compare(model, refused, find)
            rows.append(_row(case, item, model, refused, verdict, detail))
            continue
        hops.append(h)
        kept.append(item)
    answers = run_objects(objs, hops, binary=binary) if hops else []
    for item, answer in zip(kept, answers, strict=True):
        model = nginx_model.route(case["ingresses"], case["services"], item["request"])
        istio = istio_outcome(answer, item["request"])
        verdict, detail = compare(model, istio, find)
        rows.append(_row(case, item, model, istio, verdict, detail))
    return rows


def _row(case, item, model, istio, verdict, detail):
    return {
        "set": case["name"],
        "request": item["name"],
        "model": _say(model),
        "istio": _say(istio) if istio else "",
        "verdict": verdict,
        "detail": detail,
    }


def all_rows(binary=None) -> list[dict]:
    rows = []
    for case in case_sets():
        rows += measure(case, binary)
    return rows


def markdown(rows) -> str:
    counts: dict = {}
    for r in rows:
        counts.setdefault(r["set"], {}).setdefault(r["verdict"], 0)
        counts[r["set"]][r["verdict"]] += 1
    verdicts = ("same", "reported", "not checked", "DIFFERS")
    lines = [
        BEGIN,
        "<!-- generated by tests/dataplane/migrate_equivalence.py --write; "
        "tests/dataplane/test_migrate_equivalence.py checks it -->",
        "",
        "| set | requests | " + " | ".join(verdicts) + " |",
        "|---|---|" + "---|" * len(verdicts),
    ]
    for name in sorted(counts):
        c = counts[name]
        lines.append(
            "| %s | %d | %s |"
            % (name, sum(c.values()), " | ".join(str(c.get(v, 0)) for v in verdicts))
        )
    lines += [
        "",
        "Every request that is not `same`:",
        "",
        "| set | request | ingress-nginx | Istio gateway | verdict | why |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["verdict"] != "same":
            lines.append(
                "| %s | %s | %s | %s | %s | %s |"
                % tuple(
                    _cell(r[k]) for k in ("set", "request", "model", "istio", "verdict", "detail")
                )
            )
    lines.append(END)
    return "\n".join(lines)


def _cell(text, limit=200):
    text = str(text).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def documented() -> str:
    text = DOC.read_text()
    return text[text.index(BEGIN) : text.index(END) + len(END)]


def write(rows):
    text = DOC.read_text()
    DOC.write_text(text[: text.index(BEGIN)] + markdown(rows) + text[text.index(END) + len(END) :])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--write", action="store_true", help="write the table into docs/migrate.md")
    args = parser.parse_args(argv)
    rows = all_rows()
    if args.write:
        write(rows)
    else:
        print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
