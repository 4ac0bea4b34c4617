# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Ingresses read into plain records for the translator: the source annotations by catalog
feature, each rule's host, path, path type and backend (a named Service port resolved to its
number), the TLS hosts and their Secrets, and the report entries the translator appends to."""

from __future__ import annotations

STATUSES = ("translated", "approximated", "not-translated")


class Report:
    """The translation report: one entry per Ingress and annotation (or feature)."""

    def __init__(self):
        self.entries = {}

    def add(self, ingress, annotation, status, to, detail=""):
        assert status in STATUSES, status
        self.entries[(ingress, annotation)] = {
            "ingress": ingress,
            "annotation": annotation,
            "status": status,
            "to": to,
            "detail": detail,
        }

    def rows(self):
        return [self.entries[k] for k in sorted(self.entries)]


def ingress_id(ing):
    m = ing.get("metadata") or {}
    return "%s/%s" % (m.get("namespace") or "default", m.get("name"))


def source_annotations(ing, catalog):
    """{annotation suffix: value} of the Ingress's annotations with the catalog's prefix."""
    prefix = catalog["prefix"]
    out = {}
    for key, value in ((ing.get("metadata") or {}).get("annotations") or {}).items():
        if key.startswith(prefix):
            out[key[len(prefix) :]] = "" if value is None else str(value).strip()
    return out


def service_ports(services):
    """{(namespace, service, port name): port number} of the Services."""
    out = {}
    for svc in services or ():
        m = svc.get("metadata") or {}
        for p in (svc.get("spec") or {}).get("ports") or ():
            if p.get("name"):
                out[(m.get("namespace") or "default", m.get("name"), p["name"])] = p.get("port")
    return out


def backend(ns, ref, ports):
    """{"name", "port"} of an Ingress backend, or {"name", "port_name"} when the port name is not
    a port of a known Service, or None when it is not a Service backend."""
    svc = (ref or {}).get("service")
    if not svc or not svc.get("name"):
        return None
    port = svc.get("port") or {}
    if port.get("number") is not None:
        return {"name": svc["name"], "port": int(port["number"])}
    number = ports.get((ns, svc["name"], port.get("name")))
    if number is None:
        return {"name": svc["name"], "port_name": port.get("name")}
    return {"name": svc["name"], "port": int(number)}


def read_ingress(ing, catalog, ports):
    """The Ingress as a record: id, namespace, name, annotations, paths, default backend, TLS."""
    m = ing.get("metadata") or {}
    ns = m.get("namespace") or "default"
    spec = ing.get("spec") or {}
    paths = []
    for rule in spec.get("rules") or ():
        host = rule.get("host") or ""
        for p in (rule.get("http") or {}).get("paths") or ():
            paths.append(
                {
                    "host": host,
                    "path": p.get("path") or "/",
                    "type": p.get("pathType") or "ImplementationSpecific",
                    "backend": backend(ns, p.get("backend"), ports),
                }
            )
    tls = []
    for t in spec.get("tls") or ():
        tls.append({"hosts": sorted(t.get("hosts") or ()), "secret": t.get("secretName")})
    return {
        "id": "%s/%s" % (ns, m.get("name")),
        "namespace": ns,
        "name": m.get("name"),
        "ann": source_annotations(ing, catalog),
        "paths": paths,
        "default": backend(ns, spec.get("defaultBackend"), ports),
        "tls": tls,
        "hosts": sorted({p["host"] for p in paths}),
    }


def host_matches(pattern, host):
    """A TLS host (maybe *.domain) covers host."""
    if pattern == host:
        return True
    if pattern.startswith("*.") and host.count(".") >= 1:
        return host.split(".", 1)[1] == pattern[2:]
    return False


def is_true(value):
    return str(value).strip().lower() == "true"


def seconds(value):
    """An NGINX time value in whole seconds (\"60\", \"60s\", \"2m\"), or None."""
    text = str(value).strip().lower()
    units = {"s": 1, "m": 60, "h": 3600}
    if text[-1:] in units:
        number, unit = text[:-1], units[text[-1]]
    else:
        number, unit = text, 1
    if not number.isdigit():
        return None
    return int(number) * unit


def csv(value):
    return [v.strip() for v in str(value).split(",") if v.strip()]
