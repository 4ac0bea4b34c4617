# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Turn bench/results/*.json into docs/benchmarks.md and docs/benchmarks.svg.

Usage: python bench/report.py [RESULTS.json] (default bench/results/latest.json)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_SIZE = "5000"
SERIES = [
    ("kubectl", "kubectl get -o json (3 kinds)", "#888888"),
    ("floor", "raw LIST floor (3 kinds)", "#2b8a3e"),
    ("lb_info", "lb_info playbook (all kinds)", "#1c7ed6"),
    ("lb_info_full", "lb_info detail=full", "#15aabf"),
    ("lb_plan", "lb_plan playbook (reads + plans)", "#7048e8"),
    ("info_then_plan", "lb_info, then lb_plan(facts)", "#d6336c"),
    ("k8s_info", "kubernetes.core k8s_info x3", "#e8590c"),
]


def _s(x):
    return "%.2f s" % x if x is not None else "-"


def _mb(x):
    return "%.0f MB" % x if x is not None else "-"


def _spread(entry, name):
    """'; <name> runs a-b s': how far one run's noise moves a median (borderline targets)."""
    runs = entry.get("wall_runs") or ()
    return "; %s runs %.2f-%.2f s" % (name, min(runs), max(runs)) if len(runs) > 1 else ""


def targets(res):
    """(name, measured, target, ok) rows at TARGET_SIZE and across sizes."""
    rows = []
    at = res["sizes"].get(TARGET_SIZE)
    if at:
        info, kubectl = at["lb_info"]["wall_s"], at["kubectl"]["wall_s"]
        info_runs = _spread(at["lb_info"], "lb_info")
        floor, noop = at["floor"]["wall_s"], at["noop"]["wall_s"]
        rows.append(
            (
                "lb_info <= 0.4x kubectl's time",
                "%.2fx (%s vs %s%s)" % (info / kubectl, _s(info), _s(kubectl), info_runs),
                "<= 0.40x",
                info / kubectl <= 0.4,
            )
        )
        rows.append(
            (
                "lb_info <= 1.3x (floor + no-op playbook)",
                "%.2fx (%s vs %s + %s%s)"
                % (info / (floor + noop), _s(info), _s(floor), _s(noop), info_runs),
                "<= 1.30x",
                info / (floor + noop) <= 1.3,
            )
        )
        if "k8s_info" in at:
            k = at["k8s_info"]["wall_s"]
            rows.append(
                (
                    ">= 15x faster than the k8s_info way",
                    "%.1fx (%s vs %s%s)" % (k / info, _s(k), _s(info), info_runs),
                    ">= 15x",
                    k / info >= 15,
                )
            )
        plan = at["lb_plan"]["wall_s"]
        rows.append(
            (
                "lb_plan adds <= 20% to lb_info",
                "%+.0f%% (%s vs %s)" % (100 * (plan - info) / info, _s(plan), _s(info)),
                "<= +20%",
                (plan - info) / info <= 0.2,
            )
        )
    rss = {
        size: max(e["lb_info"].get("module_rss_mb") or 0, e["lb_plan"].get("module_rss_mb") or 0)
        for size, e in res["sizes"].items()
    }
    if rss:
        # The issue sets the 200 MB at the target size; growth is the next row.
        at_target = rss.get(TARGET_SIZE, max(rss.values()))
        rows.append(
            (
                "peak RSS of the module process <= 200 MB at %s (all sizes listed)" % TARGET_SIZE,
                ", ".join(
                    "%s: %s" % (k, _mb(v))
                    for k, v in sorted(rss.items(), key=lambda kv: int(kv[0]))
                ),
                "<= 200 MB",
                at_target <= 200,
            )
        )
        sizes = sorted(rss, key=int)
        if len(sizes) > 1:
            growth = rss[sizes[-1]] / rss[sizes[0]]

            def module_growth(name):
                first, last = (
                    res["sizes"][s][name].get("module_rss_mb") or 0 for s in (sizes[0], sizes[-1])
                )
                return "%s x%.2f (%s -> %s)" % (name, last / first, _mb(first), _mb(last))

            # Against the yardstick: objects kept as dicts cost 5.5-6.5x the LIST size.
            first, last = res["sizes"][sizes[0]], res["sizes"][sizes[-1]]
            per_list = ""
            if first.get("list_bytes") and last.get("list_bytes"):
                per_list = "; it grows %.2fx as much as the LIST (dicts: 5.5-6.5x)" % (
                    (rss[sizes[-1]] - rss[sizes[0]])
                    * 2**20
                    / (last["list_bytes"] - first["list_bytes"])
                )
            rows.append(
                (
                    "RSS nearly flat as the cluster grows",
                    "x%.2f from %s to %s objects per kind; %s, %s%s"
                    % (
                        growth,
                        sizes[0],
                        sizes[-1],
                        module_growth("lb_info"),
                        module_growth("lb_plan"),
                        per_list,
                    ),
                    "nearly flat",
                    growth <= 1.5,
                )
            )
    for size, e in sorted(res["sizes"].items(), key=lambda kv: int(kv[0])):
        req = e.get("lb_info_requests")
        if not req:
            continue
        pages = math.ceil(int(size) / 500) if int(size) else 1
        three = {
            r: req["list_requests"].get(r, 0) for r in ("deployments", "services", "ingresses")
        }
        ok = req["object_gets"] == 0 and all(v <= pages + 1 for v in three.values())
        rows.append(
            (
                "requests at %s: one LIST per kind per 500-object page, no GETs" % size,
                "%s; %d GETs of single objects; %d kinds listed"
                % (
                    ", ".join("%s %d" % kv for kv in three.items()),
                    req["object_gets"],
                    len(req["list_requests"]),
                ),
                "<= %d pages per kind, 0 GETs" % (pages + 1),
                ok,
            )
        )
    for size, e in res["sizes"].items():
        a = e.get("apply")
        if a:
            rows.append(
                (
                    "apply of a plan with N patches (N=%d, %s objects per kind)"
                    % (a["patches"], size),
                    "%d dry runs + %d writes; re-run %d writes, %d dry runs"
                    % (a["dry_runs"], a["writes"], a["rerun_writes"], a["rerun_dry_runs"]),
                    "N dry runs + N writes; re-run 0 writes",
                    a["dry_runs"] == a["patches"] == a["writes"] and a["rerun_writes"] == 0,
                )
            )
    fleet = (res.get("fleet") or {}).get("clusters") or {}
    if "1" in fleet and len(fleet) > 1:
        top = max(fleet, key=int)
        ratio = fleet[top]["wall_s"] / fleet["1"]["wall_s"]
        rows.append(
            (
                "fleet: %s clusters with forks=%s within 2x of one" % (top, top),
                "%.2fx (%s vs %s)" % (ratio, _s(fleet[top]["wall_s"]), _s(fleet["1"]["wall_s"])),
                "<= 2x",
                ratio <= 2,
            )
        )
    return rows


def svg(res):
    """Time vs size, log-log, one line per contender."""
    sizes = sorted(res["sizes"], key=int)
    pts = {}
    for key, _label, _color in SERIES:
        pts[key] = [
            (int(s), res["sizes"][s][key]["wall_s"]) for s in sizes if key in res["sizes"][s]
        ]
    values = [t for series in pts.values() for _x, t in series]
    if not values:
        return ""
    w, h, left, right, top, bottom = 720, 420, 70, 250, 30, 50
    x_lo, x_hi = math.log10(min(int(s) for s in sizes)), math.log10(max(int(s) for s in sizes))
    y_lo, y_hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    x_hi = x_hi if x_hi > x_lo else x_lo + 1

    def x(v):
        return left + (math.log10(v) - x_lo) / (x_hi - x_lo) * (w - left - right)

    def y(v):
        return h - bottom - (math.log10(v) - y_lo) / (y_hi - y_lo) * (h - top - bottom)

    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
        'font-size="12">' % (w, h),
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="%d" y="18" font-size="14">Wall time vs objects per kind (log-log, median of %s runs)</text>'
        % (left, res.get("runs")),
    ]
    for e in range(y_lo, y_hi + 1):
        yy = y(10**e)
        out.append(
            '<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (left, yy, w - right, yy)
        )
        out.append('<text x="%d" y="%.1f" text-anchor="end">%gs</text>' % (left - 6, yy + 4, 10**e))
    for s in sizes:
        xx = x(int(s))
        out.append(
            '<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (xx, top, xx, h - bottom)
        )
        out.append(
            '<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (xx, h - bottom + 18, s)
        )
    out.append(
        '<text x="%d" y="%d" text-anchor="middle">Deployments = Services = Ingresses</text>'
        % ((left + w - right) / 2, h - 12)
    )
    for i, (key, label, color) in enumerate(SERIES):
        series = pts.get(key) or []
        if not series:
            continue
        path = " ".join("%.1f,%.1f" % (x(a), y(b)) for a, b in series)
        out.append(
            '<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>' % (path, color)
        )
        for a, b in series:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (x(a), y(b), color))
        ly = top + 20 + i * 20
        out.append(
            '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>'
            % (w - right + 15, ly, w - right + 35, ly, color)
        )
        out.append('<text x="%d" y="%d">%s</text>' % (w - right + 40, ly + 4, label))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def markdown(res, notes):
    m = res["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `bench/report.py` from `bench/run.py` results (run them with `make bench`;",
        "see bench/README.md). Synthetic cluster from `bench/generate.py` (seed %s): per size N, N"
        % res["seed"],
        "Deployments + N Services + N Ingresses over N/100 namespaces, five ingress controllers,",
        "an Istio control plane; objects carry Helm labels and kubectl's last-applied annotation",
        "like real ones. A fresh control plane per size (etcd + kube-apiserver from the test",
        "harness, audit log on). Every figure is the **median of %s runs**, each in a fresh process."
        % res["runs"],
    ]
    if res.get("interleaved"):
        lines += [
            "The contenders take turns (round 1 runs each once, then round 2 ...), so drift in",
            "the machine's speed during a run slows them alike and the ratios stay fair.",
        ]
    lines += [
        "",
        "Machine: %s CPUs (%s), %s GiB; Python %s, ansible-core %s, kubernetes.core %s (from the"
        % (
            m["cpus"],
            m["cpu_model"],
            m["memory_gib"],
            m["python"],
            m["ansible_core"],
            m["kubernetes_core"],
        ),
        "`ansible` wheel), Kubernetes v1.36.2, etcd v3.6.16.",
        "",
        "## Targets",
        "",
        "| Target | Measured | Goal | Met |",
        "|---|---|---|---|",
    ]
    for name, measured, goal, ok in targets(res):
        lines.append("| %s | %s | %s | %s |" % (name, measured, goal, "yes" if ok else "**no**"))
    lines += ["", "## How cost grows", "", "![time vs size](benchmarks.svg)", ""]
    header = "| Objects per kind | LIST size (3 kinds) | load |"
    cols = [k for k, _l, _c in SERIES] + ["noop"]
    cols += ["ping"] if any("ping" in e for e in res["sizes"].values()) else []
    header += "".join(" %s |" % c for c in cols)
    lines += [header, "|" + "---|" * (3 + len(cols))]
    for size, e in sorted(res["sizes"].items(), key=lambda kv: int(kv[0])):
        row = "| %s | %.1f MB | %s s |" % (size, e["list_bytes"] / 1e6, e["load_s"])
        for c in cols:
            v = e.get(c)
            row += " %s |" % (
                "%s / %s%s"
                % (
                    _s(v["wall_s"]),
                    _mb(v["rss_mb"]),
                    " (module %s)" % _mb(v["module_rss_mb"]) if v.get("module_rss_mb") else "",
                )
                if v
                else "-"
            )
        lines.append(row)
    lines += [
        "",
        "Each cell: wall time / peak RSS of the process tree (for playbooks, and the peak RSS of",
        "the module process). `noop` is ansible-playbook with one no-op task, `ping` with one",
        "ansible.builtin.ping task (what running any module costs). `lb_info` returns",
        "its default summary; `lb_info_full` every route (`detail: full`); `lb_plan` is one task",
        "that reads the cluster and plans (what the roles run); `info_then_plan` is lb_info",
        "`detail: full` then lb_plan on its registered facts.",
        "",
    ]
    sized = [(k, e["result_bytes"]) for k, e in res["sizes"].items() if e.get("result_bytes")]
    if sized:
        lines += [
            "Size of lb_info's registered result (JSON):",
            "",
            "| Objects per kind | detail: summary | detail: full |",
            "|---|---|---|",
        ]
        for size, b in sorted(sized, key=lambda kv: int(kv[0])):
            lines.append("| %s | %.2f MB | %.2f MB |" % (size, b["summary"] / 1e6, b["full"] / 1e6))
        lines.append("")
    fleet = (res.get("fleet") or {}).get("clusters") or {}
    if fleet:
        lines += [
            "## Fleet",
            "",
            "lb_info over 1..N control planes (%s objects per kind each), forks = N:"
            % res["fleet"]["size"],
            "",
            "| Clusters | Wall time | per cluster | Ansible-side CPU (controller + modules) |",
            "|---|---|---|---|",
        ]
        for n, v in sorted(fleet.items(), key=lambda kv: int(kv[0])):
            lines.append(
                "| %s | %s | %s | %s |"
                % (n, _s(v["wall_s"]), _s(v["wall_s"] / int(n)), _s(v.get("cpu_s")))
            )
        lines += [
            "",
            "All control planes run on this machine: with forks = N, N API servers, N etcds and N",
            "module processes share its %s CPUs, so the fleet run is CPU-bound here; clusters that"
            % res["machine"]["cpus"],
            "run elsewhere leave only Ansible's side on the controller.",
        ]
        top = max(fleet, key=int)
        if "1" in fleet and fleet[top].get("cpu_s"):
            need = fleet[top]["cpu_s"] / (2 * fleet["1"]["wall_s"])
            lines += [
                "Ansible's side of %s clusters is %s of CPU: a controller whose clusters run"
                % (top, _s(fleet[top]["cpu_s"])),
                "elsewhere keeps them within 2x of one cluster's %s with about %d CPUs or more"
                % (_s(fleet["1"]["wall_s"]), math.ceil(need)),
                "(CPU / (2 x one cluster's wall time); an estimate, not measured on such a machine).",
            ]
        lines.append("")
    at = res["sizes"].get(TARGET_SIZE) or {}
    if "k8s_info" in at:
        k = at["k8s_info"]
        noop = at["noop"]["wall_s"]
        inside = k.get("module_wall_s") or 0
        lines += [
            "## Where the time goes in the k8s_info way (%s per kind)" % TARGET_SIZE,
            "",
            "- playbook wall time %s; Ansible's own start-up (no-op playbook) %s;"
            % (_s(k["wall_s"]), _s(noop)),
            "- inside the three module processes (read, convert to dicts, JSON-encode the result):"
            " %s (%.0f%%);" % (_s(inside), 100 * inside / k["wall_s"]),
            "- the rest, %s (%.0f%%), is the controller receiving, scrubbing and registering the"
            % (_s(k["wall_s"] - inside - noop), 100 * (k["wall_s"] - inside - noop) / k["wall_s"]),
            "  results. lb_info returns a summary of its answer, not the objects (size above).",
            "",
        ]
    lines += _lb_info_time(at)
    if notes:
        lines += ["## Notes", ""] + notes + [""]
    return "\n".join(lines)


def _lb_info_time(at):
    """Where lb_info's time goes at the target size, against the floor: Ansible's start-up,
    what running any module costs (a ping task), the module process, the controller's rest."""
    if not all(at.get(k) for k in ("noop", "ping", "lb_info", "floor")):
        return []  # results from before the ping contender
    noop, ping, info = at["noop"]["wall_s"], at["ping"], at["lb_info"]
    inside = info.get("module_wall_s")
    ping_inside = ping.get("module_wall_s")
    if inside is None or ping_inside is None:
        return []
    any_module = ping["wall_s"] - noop  # what running a module adds to a playbook
    fixed = any_module - ping_inside  # Ansible's side of it
    rest = info["wall_s"] - noop - inside
    floor = at["floor"]["wall_s"]
    return [
        "## Where lb_info's time goes (%s per kind)" % TARGET_SIZE,
        "",
        "- playbook wall time %s; Ansible's own start-up (no-op playbook) %s;"
        % (_s(info["wall_s"]), _s(noop)),
        "- running any module (a ping task) adds %s to the no-op playbook: %s on Ansible's side"
        % (_s(any_module), _s(fixed)),
        "  (the module's payload, its process, the result) and %s in the ping module's process;"
        % _s(ping_inside),
        "- inside lb_info's module process (start, read every kind, reduce, detect, the"
        " result): %s - %.2fx the floor's process (%s, three kinds read, nothing kept);"
        % (_s(inside), inside / floor, _s(floor)),
        "- the rest, %s, is Ansible's side: %s for any module, %s more for lb_info's result."
        % (_s(rest), _s(fixed), _s(max(rest - fixed, 0.0))),
        "- less what running any module costs (the ping task's %s), lb_info takes %s: %.2fx"
        % (
            _s(any_module),
            _s(info["wall_s"] - any_module),
            (info["wall_s"] - any_module) / (floor + noop),
        ),
        "  (floor + no-op playbook), against the target's 1.3x.",
        "",
    ]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else HERE / "results" / "latest.json"
    res = json.loads(path.read_text())
    notes_file = HERE / "NOTES.md"
    notes = notes_file.read_text().splitlines() if notes_file.exists() else []
    (ROOT / "docs" / "benchmarks.md").write_text(markdown(res, notes))
    (ROOT / "docs" / "benchmarks.svg").write_text(svg(res))
    print("wrote docs/benchmarks.md, docs/benchmarks.svg")


if __name__ == "__main__":
    main()
