# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Benchmarks at cluster scale (not tests): `make bench` or `python bench/run.py --help`.

For each size, a fresh control plane (etcd + kube-apiserver from the test harness, audit log
on) is loaded with bench/generate.py's cluster, then each contender runs --runs times in a
fresh process; the medians go to bench/results/<name>.json, which bench/report.py turns into
docs/benchmarks.md and docs/benchmarks.svg.

Contenders, all reading the same objects from the same API server:
  kubectl      kubectl get deployments,services,ingresses -A -o json (to /dev/null)
  floor        raw paginated LIST of the same three kinds with urllib3 + json, GC paused
  noop         ansible-playbook with one no-op task (Ansible's own start-up cost)
  ping         ansible-playbook with one ansible.builtin.ping task (what running any module
               adds: its process, payload and result)
  lb_info      ansible-playbook with one meshgate.istio_lb.lb_info task (every kind it reads;
               the default detail: summary)
  lb_info_full the same with detail: full (every route in the result)
  lb_plan      one lb_plan task (standalone_mtls) reading the cluster itself, as the roles do
  info_then_plan  lb_info detail: full, then lb_plan on its registered facts
  k8s_info     ansible-playbook with three kubernetes.core.k8s_info tasks (the `ansible`
               wheel's kubernetes.core, in the bench venv) for the same three kinds
Wall time and peak RSS are measured per process (os.wait4); for the playbooks, the peak RSS of
the module process is measured through an interpreter wrapper (bench/rss-python.sh).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "controlplane"))
sys.path.insert(0, str(ROOT / ".build" / "collections"))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from harness import ControlPlane, default_crd_paths  # noqa: E402

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (  # noqa: E402
    client_from_params,
)

VENV = ROOT / ".venv" / "bin"
BENCH_VENV = Path(os.environ.get("MESHGATE_BENCH_VENV", ROOT / ".build" / "bench-venv")) / "bin"
COLLECTIONS = ROOT / ".build" / "collections"
KINDS = [
    ("apps/v1", "Deployment", "deployments"),
    ("v1", "Service", "services"),
    ("networking.k8s.io/v1", "Ingress", "ingresses"),
]


# --------------------------------------------------------------------------- measuring


def measure(argv, env=None, rss_file=None, cwd=None):
    """Run argv once: (wall seconds, peak RSS MB of the process, (peak RSS MB, seconds) of the
    module processes, CPU seconds of the process and every child it waited for)."""
    if rss_file:
        Path(rss_file).write_text("")
    # Peak RSS through /usr/bin/time: a child forked straight from this (large) Python process
    # would report at least this process's RSS (Linux keeps the high-water mark across exec).
    peak = tempfile.NamedTemporaryFile(prefix="meshgate-bench-rss-", delete=False)
    peak.close()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        ["/usr/bin/time", "-o", peak.name, "-f", "%U %S %M", *map(str, argv)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    _pid, status, _usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    text = Path(peak.name).read_text().split()
    os.unlink(peak.name)
    rss_mb = int(text[-1]) / 1024 if text and text[-1].isdigit() else None
    # User + system time of the process tree (ansible-playbook, its workers and the modules;
    # not the API servers, which are not its children).
    cpu_s = float(text[-3]) + float(text[-2]) if len(text) >= 3 else None
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(map(str, argv[:3])), err[-3000:]))
    module = None
    if rss_file:
        rows = [line.split() for line in Path(rss_file).read_text().splitlines()]
        rows = [r for r in rows if len(r) == 2 and r[0].isdigit()]
        if rows:
            # Peak RSS of the largest module process; time spent in module processes.
            module = (max(int(r[0]) for r in rows) / 1024, sum(float(r[1]) for r in rows))
    return wall, rss_mb, module, cpu_s


def median_of(runs, argv, **kw):
    return medians([measure(argv, **kw) for _i in range(runs)])


def interleaved(runs, contenders):
    """{name: medians} with the contenders taking turns - round 1 runs each once, then round 2
    ... - so a machine whose speed drifts during the run (a VM sharing its host) slows every
    contender alike instead of whichever ran then, and the ratios stay fair."""
    samples = {name: [] for name in contenders}
    for _round in range(runs):
        for name, (argv, kw) in contenders.items():
            samples[name].append(measure(argv, **kw))
    return {name: medians(got) for name, got in samples.items()}


def medians(samples):
    walls = [s[0] for s in samples]
    out = {
        "wall_s": statistics.median(walls),
        "wall_runs": [round(w, 3) for w in walls],
        "rss_mb": statistics.median(s[1] for s in samples),
    }
    cpus = [s[3] for s in samples if s[3] is not None]
    if cpus:
        out["cpu_s"] = statistics.median(cpus)
    modules = [s[2] for s in samples if s[2] is not None]
    if modules:
        out["module_rss_mb"] = statistics.median(m[0] for m in modules)
        out["module_wall_s"] = statistics.median(m[1] for m in modules)
    return out


# --------------------------------------------------------------------------- the cluster


def load(cp, size, seed, workers=8):
    """Install the CRDs, create the generated objects (namespaces and cluster-scoped first),
    8 at a time."""
    cp.install_crds(default_crd_paths())
    client = client_from_params({"kubeconfig": cp.kubeconfig})
    objs = list(generate.objects(size, seed))
    first = [o for o in objs if o["kind"] in ("Namespace", "IngressClass")]
    rest = [o for o in objs if o["kind"] not in ("Namespace", "IngressClass")]

    def create(obj):
        ns = obj["metadata"].get("namespace")
        path = client.resource_path(obj["apiVersion"], obj["kind"], ns)
        client.request("POST", path, body=obj)

    t0 = time.perf_counter()
    for obj in first:
        create(obj)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(create, rest))
    return {"objects": len(objs), "load_s": round(time.perf_counter() - t0, 1)}


def list_bytes(cp):
    """Size of the three kinds' LIST answers (JSON bytes)."""
    client = client_from_params({"kubeconfig": cp.kubeconfig})
    total = 0
    for api, kind, _plural in KINDS:
        path = client.resource_path(api, kind)
        cont = None
        while True:
            q = {"limit": "500"}
            if cont:
                q["continue"] = cont
            page = client.request("GET", path, query=q)
            total += len(json.dumps(page))
            cont = (page.get("metadata") or {}).get("continue")
            if not cont:
                break
    return total


# --------------------------------------------------------------------------- contenders


def playbook(tmp, name, tasks, hosts="localhost", inventory=None):
    path = Path(tmp) / ("%s.yml" % name)
    play = [{"name": name, "hosts": hosts, "gather_facts": False, "tasks": tasks}]
    path.write_text(json.dumps(play))
    return path


def ansible_env(cp, rss_file, python, collections):
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        ANSIBLE_PYTHON_INTERPRETER=str(HERE / "rss-python.sh"),
        MESHGATE_BENCH_PYTHON=str(python),
        MESHGATE_BENCH_RSS=str(rss_file),
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        K8S_AUTH_KUBECONFIG=str(cp.kubeconfig),
        KUBECONFIG=str(cp.kubeconfig),
    )
    return env


NGINX_ONLY = ["ingress-nginx/ingress-nginx-controller"]
# Our playbook contenders: name -> tasks.
OUR_PLAYBOOKS = {
    "noop": [{"ansible.builtin.meta": "noop"}],
    # Ansible's fixed cost of running any module (a process, the module's payload, a result).
    "ping": [{"ansible.builtin.ping": {}}],
    # The default: a summary whose size does not grow with the routes.
    "lb_info": [{"meshgate.istio_lb.lb_info": {}, "register": "facts"}],
    # Every route (what planning from facts needs).
    "lb_info_full": [{"meshgate.istio_lb.lb_info": {"detail": "full"}, "register": "facts"}],
    # The recommended way to plan (and what the roles do): one lb_plan task reads the cluster.
    "lb_plan": [
        {"meshgate.istio_lb.lb_plan": {"mode": "standalone_mtls", "load_balancers": NGINX_ONLY}}
    ],
    # lb_info (full), then lb_plan on its registered facts: the facts travel through Ansible
    # (module result -> controller -> templated into the next module's arguments).
    "info_then_plan": [
        {"meshgate.istio_lb.lb_info": {"detail": "full"}, "register": "facts"},
        {
            "meshgate.istio_lb.lb_plan": {
                "mode": "standalone_mtls",
                "facts": "{{ facts }}",
                "load_balancers": NGINX_ONLY,
            }
        },
    ],
}


def contenders(cp, tmp, have_k8s_info):
    """name -> (argv, kwargs for measure)."""
    rss = Path(tmp) / "module-rss.txt"
    ours = ansible_env(cp, rss, VENV / "python", COLLECTIONS)
    floor = [str(VENV / "python"), str(HERE / "floor.py"), str(cp.kubeconfig)]
    kubectl = [cp.kubectl_path, "--kubeconfig", str(cp.kubeconfig), "get"]
    kubectl += ["deployments,services,ingresses", "-A", "-o", "json"]
    pb = [str(VENV / "ansible-playbook"), "-i", "localhost,", "-c", "local"]
    out = {"kubectl": (kubectl, {}), "floor": (floor, {})}
    for name, tasks in OUR_PLAYBOOKS.items():
        kw = {"env": ours} if name == "noop" else {"env": ours, "rss_file": rss}
        out[name] = (pb + [str(playbook(tmp, name, tasks))], kw)
    if have_k8s_info:
        theirs = ansible_env(
            cp,
            rss,
            BENCH_VENV / "python",
            BENCH_VENV.parent / "lib" / "python3.11" / "site-packages",
        )
        tasks = [
            {"kubernetes.core.k8s_info": {"api_version": api, "kind": kind}, "register": plural}
            for api, kind, plural in KINDS
        ]
        out["k8s_info"] = (
            [str(BENCH_VENV / "ansible-playbook"), "-i", "localhost,", "-c", "local"]
            + [str(playbook(tmp, "k8s_info", tasks))],
            {"env": theirs, "rss_file": rss},
        )
    return out


def result_bytes(cp, tmp):
    """Size of lb_info's registered result (JSON bytes) with detail summary and full."""
    out = {}
    env = ansible_env(cp, Path(tmp) / "bytes-rss.txt", VENV / "python", COLLECTIONS)
    pb = [str(VENV / "ansible-playbook"), "-i", "localhost,", "-c", "local"]
    for detail in ("summary", "full"):
        dest = Path(tmp) / ("result-%s.json" % detail)
        tasks = [
            {"meshgate.istio_lb.lb_info": {"detail": detail}, "register": "facts"},
            {"ansible.builtin.copy": {"content": "{{ facts | to_json }}", "dest": str(dest)}},
        ]
        measure(pb + [str(playbook(tmp, "bytes-" + detail, tasks))], env=env)
        out[detail] = dest.stat().st_size
    return out


def audit_of_lb_info(cp, tmp):
    """Requests lb_info makes (audit log): LISTs per resource, GETs of single objects."""
    rss = Path(tmp) / "audit-rss.txt"
    argv, kw = contenders(cp, tmp, False)["lb_info"]
    kw = dict(kw)
    kw["rss_file"] = rss
    mark = cp.audit.mark()
    measure(argv, **kw)
    lists, gets, other = {}, 0, 0
    for e in cp.audit.events(since=mark):
        if e.get("user", {}).get("username", "").startswith("system:"):
            continue
        ref = e.get("objectRef") or {}
        if e["verb"] == "list":
            lists[ref.get("resource")] = lists.get(ref.get("resource"), 0) + 1
        elif e["verb"] == "get" and ref.get("name"):
            gets += 1
        else:
            other += 1
    return {"list_requests": lists, "object_gets": gets, "other": other}


# --------------------------------------------------------------------------- apply and fleet


def apply_requests(cp):
    """One plan with N patches: dry-run pass + N writes; re-run: 0 writes (audit log)."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import (
        apply_plan,
        undo_plan,
    )
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.live import collect_live

    client = client_from_params({"kubeconfig": cp.kubeconfig})
    facts = detect(collect_live(client)[0])
    facts["cluster"] = {"source": "live", "server": client.server}
    the_plan = plan(
        facts, "standalone_mtls", {"load_balancers": ["ingress-nginx/ingress-nginx-controller"]}
    )
    n = the_plan["summary"]["patches"]

    def writes(mark):
        real = dry = 0
        for e in cp.audit.events(since=mark):
            if e["verb"] in ("patch", "create", "update", "delete") and not e.get("user", {}).get(
                "username", ""
            ).startswith("system:"):
                if "dryRun=All" in e.get("requestURI", ""):
                    dry += 1
                else:
                    real += 1
        return real, dry

    mark = cp.audit.mark()
    t0 = time.perf_counter()
    apply_plan(client, the_plan, force_conflicts=True, wait="none")
    apply_s = time.perf_counter() - t0
    first = writes(mark)
    mark = cp.audit.mark()
    apply_plan(client, the_plan, force_conflicts=True, wait="none")
    again = writes(mark)
    undo_plan(client, the_plan)
    return {
        "patches": n,
        "apply_s": round(apply_s, 2),
        "writes": first[0],
        "dry_runs": first[1],
        "rerun_writes": again[0],
        "rerun_dry_runs": again[1],
    }


def fleet(counts, size, seed, runs, tmp):
    """lb_info over 1, 5, 10 control planes with forks = number of clusters."""
    out = {}
    planes = []
    try:
        for k in range(max(counts)):
            cp = ControlPlane(Path(tmp) / ("fleet-%d" % k), only=("etcd", "kube-apiserver"))
            cp.start()
            load(cp, size, seed)
            planes.append(cp)
        for n in counts:
            inv = Path(tmp) / ("fleet-%d.yml" % n)
            hosts = {
                "cluster%02d"
                % k: {
                    "ansible_connection": "local",
                    "kubeconfig": str(planes[k].kubeconfig),
                }
                for k in range(n)
            }
            inv.write_text(json.dumps({"all": {"hosts": hosts}}))
            pb = playbook(
                tmp,
                "fleet",
                [{"meshgate.istio_lb.lb_info": {"kubeconfig": "{{ kubeconfig }}"}}],
                hosts="all",
            )
            env = ansible_env(planes[0], Path(tmp) / "fleet-rss.txt", VENV / "python", COLLECTIONS)
            argv = [str(VENV / "ansible-playbook"), "-i", str(inv), "-f", str(n), str(pb)]
            out[str(n)] = median_of(runs, argv, env=env)
    finally:
        for cp in planes:
            cp.stop()
    return out


# --------------------------------------------------------------------------- main


def _manifest_version(path):
    try:
        return json.loads(Path(path).read_text())["collection_info"]["version"]
    except (OSError, ValueError, KeyError):
        return None


def machine():
    cpus = os.cpu_count()
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return None

    return {
        "cpus": cpus,
        "cpu_model": model,
        "memory_gib": mem,
        "python": platform.python_version(),
        "ansible_core": version(
            [str(VENV / "python"), "-c", "import ansible; print(ansible.__version__)"]
        ),
        "kubernetes_core": _manifest_version(
            BENCH_VENV.parent
            / "lib"
            / "python3.11"
            / "site-packages"
            / "ansible_collections"
            / "kubernetes"
            / "core"
            / "MANIFEST.json"
        ),
        "ansible": version(
            [
                str(BENCH_VENV / "python"),
                "-c",
                "import importlib.metadata as m; print(m.version('ansible'))",
            ]
        ),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--sizes", default="500,5000,20000", help="objects of each kind, comma-separated"
    )
    ap.add_argument("--runs", type=int, default=5, help="runs per contender (median reported)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--k8s-info-sizes", default="5000", help="sizes to run the k8s_info way at")
    ap.add_argument(
        "--fleet", default="1,5,10", help="numbers of clusters for the fleet run ('' = skip)"
    )
    ap.add_argument("--fleet-size", type=int, default=500)
    ap.add_argument(
        "--merge",
        action="store_true",
        help="update --out in place: keep its other sizes and fleet, replace what this run measured",
    )
    ap.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    args = ap.parse_args(argv)
    if args.merge and Path(args.out).exists():
        old = json.loads(Path(args.out).read_text())
        if (old.get("seed"), old.get("runs")) != (args.seed, args.runs):
            raise SystemExit(
                "bench: --merge into %s needs the --seed and --runs it was made with (%s, %s)"
                % (args.out, old.get("seed"), old.get("runs"))
            )
    sizes = [int(x) for x in args.sizes.split(",") if x]
    k8s_info_sizes = {int(x) for x in args.k8s_info_sizes.split(",") if x}
    have_k8s_info = (BENCH_VENV / "ansible-playbook").exists()
    if k8s_info_sizes and not have_k8s_info:
        print("bench: no bench venv at %s (make bench-venv): k8s_info skipped" % BENCH_VENV)
    result = {
        "machine": machine(),
        "seed": args.seed,
        "runs": args.runs,
        "interleaved": True,
        "sizes": {},
    }
    tmp = tempfile.mkdtemp(prefix="meshgate-bench-")
    try:
        for size in sizes:
            cp = ControlPlane(Path(tmp) / ("cp-%d" % size), only=("etcd", "kube-apiserver"))
            cp.start()
            try:
                entry = load(cp, size, args.seed)
                entry["list_bytes"] = list_bytes(cp)
                print("bench: size %d loaded: %s" % (size, entry), flush=True)
                run_k8s_info = have_k8s_info and size in k8s_info_sizes
                for name, got in interleaved(args.runs, contenders(cp, tmp, run_k8s_info)).items():
                    entry[name] = got
                    print("bench: size %d %s: %s" % (size, name, got), flush=True)
                entry["lb_info_requests"] = audit_of_lb_info(cp, tmp)
                entry["result_bytes"] = result_bytes(cp, tmp)
                if size == sizes[0]:
                    entry["apply"] = apply_requests(cp)
                result["sizes"][str(size)] = entry
            finally:
                cp.stop()
                shutil.rmtree(Path(tmp) / ("cp-%d" % size) / "etcd-data", ignore_errors=True)
        if args.fleet:
            counts = [int(x) for x in args.fleet.split(",") if x]
            result["fleet"] = {
                "size": args.fleet_size,
                "clusters": fleet(counts, args.fleet_size, args.seed, args.runs, tmp),
            }
            print("bench: fleet %s" % result["fleet"], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.merge and out.exists():
        old = json.loads(out.read_text())
        old["sizes"].update(result["sizes"])
        if "fleet" in result:
            old["fleet"] = result["fleet"]
        old["machine"] = result["machine"]
        old["interleaved"] = bool(old.get("interleaved"))  # only if every size was measured so
        result = old
    out.write_text(json.dumps(result, indent=2, sort_keys=True))
    print("bench: wrote %s" % out)


if __name__ == "__main__":
    main()
