# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Executing a plan on one cluster: server-side apply, dry-run first, waits, undo.

Order of work (so that nothing is half applied):
  1. read the current state of every target: one LIST per (kind, namespace), no GETs;
  2. decide per patch: unchanged (our field manager already owns these values) or pending;
     nothing pending -> done, zero write requests;
  3. server-side dry-run of every pending patch; any rejection fails before the first write;
  4. check mode stops here; otherwise apply phase by phase, waiting between phases.
Undo (state=absent) releases what our field manager owns and deletes what the plan created.
"""

from __future__ import annotations

import copy
import time
from typing import Callable, NamedTuple, Optional

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.retry import outcome_unknown
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.builder import FIELD_MANAGER

# Values put back by undo (they were replaced by a patch) are applied under this manager, so
# they stay owned by someone and never look like meshgate's own changes. (Applying them under
# the original owner's name would drop that owner's other fields: server-side apply removes
# what a manager stops sending.)
RESTORE_MANAGER = "meshgate-restore"
WAIT_MODES = ("rollout", "observed", "none")


class ApplyError(Exception):
    """A plan could not be applied; ``results`` holds the per-patch states so far."""

    def __init__(self, message, results=None, reason=None):
        super().__init__(message)
        self.results = results or []
        self.reason = reason


# --------------------------------------------------------------------------- comparison


def subset_equal(want, have):
    """Does ``have`` already hold every value of ``want``? Lists compare element-wise, allowing
    server defaults inside the elements (e.g. HTTPRoute backendRefs gain kind/weight)."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            return False
        return all(k in have and subset_equal(v, have[k]) for k, v in want.items())
    if isinstance(want, list):
        if not isinstance(have, list) or len(want) != len(have):
            return False
        return all(subset_equal(w, h) for w, h in zip(want, have, strict=True))
    if want == "" and have is None:
        return False
    return want == have


def owned_by(obj, manager):
    return any(
        m.get("manager") == manager and m.get("operation") == "Apply"
        for m in (obj or {}).get("metadata", {}).get("managedFields") or ()
    )


def _project(want, have):
    """The part of ``have`` at the paths of ``want`` (for diffs: before)."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            return None
        out = {}
        for k, v in want.items():
            if k in have:
                out[k] = _project(v, have[k])
        return out
    return copy.deepcopy(have)


def _owned_projection(fields, value):
    """The part of ``value`` whose fields a manager owns, from its managedFields fieldsV1.

    Maps (``f:`` keys) are followed; a leaf, or an atomic list owned as a whole, is copied. Items
    of keyed or set lists (``k:``/``v:``/``i:``) are skipped: our patches own none on objects
    they did not create, and re-sending a whole keyed list would claim other managers' items.
    """
    out = {}
    for key, sub in (fields or {}).items():
        if not key.startswith("f:"):
            continue
        name = key[2:]
        if not isinstance(value, dict) or name not in value:
            continue
        current = value[name]
        children = [k for k in (sub or {}) if k != "."]
        if isinstance(current, list) and any(k.startswith(("k:", "v:", "i:")) for k in children):
            continue
        if isinstance(current, dict) and any(k.startswith("f:") for k in children):
            out[name] = _owned_projection(sub, current)
        else:
            out[name] = copy.deepcopy(current)
    return out


def _merge_into(dst, src):
    for key, val in src.items():
        if isinstance(val, dict) and isinstance(dst.get(key), dict):
            _merge_into(dst[key], val)
        else:
            dst[key] = copy.deepcopy(val)
    return dst


def full_intent(manifest, obj, manager=None):
    """Server-side apply takes each apply as the manager's whole intent: fields it owned and
    leaves out are removed. So send what ``manager`` already owns on the object together with
    the patch, and earlier plans' changes (another mode, a later re-plan) survive."""
    manager = manager or FIELD_MANAGER
    owned = {}
    for entry in (obj or {}).get("metadata", {}).get("managedFields") or ():
        if (
            entry.get("manager") == manager
            and entry.get("operation") == "Apply"
            and not entry.get("subresource")
        ):
            _merge_into(owned, _owned_projection(entry.get("fieldsV1"), obj))
    if not owned:
        return manifest
    out = _merge_into(owned, manifest)
    meta = out.setdefault("metadata", {})
    for key in ("uid", "resourceVersion", "generation", "managedFields", "creationTimestamp"):
        meta.pop(key, None)
    return out


def _without(owned, manifest):
    """``owned`` minus every path ``manifest`` sets (what stays ours after undoing a plan)."""
    out = {}
    for key, val in owned.items():
        if key not in manifest:
            out[key] = copy.deepcopy(val)
        elif isinstance(val, dict) and isinstance(manifest[key], dict):
            rest = _without(val, manifest[key])
            if rest:
                out[key] = rest
    return out


def _key(target):
    group = target["apiVersion"].split("/")[0] if "/" in target["apiVersion"] else ""
    return (group, target["kind"], target.get("namespace"), target["name"])


def _label(target):
    if target.get("namespace"):
        return "%s %s/%s" % (target["kind"], target["namespace"], target["name"])
    return "%s %s" % (target["kind"], target["name"])


# How often a write is recomputed when another writer changed the object between our read
# and our write (HTTP 409 on the resourceVersion precondition).
FRESH_RETRIES = 5


def _precondition_failed(exc):
    """A 409 from the resourceVersion precondition, not from field ownership."""
    return exc.reason == "conflict" and not exc.managers


# How often a write whose answer was lost (the connection broke, a timeout) is followed by a
# read of the object and, if the read shows it did not land, sent again.
UNKNOWN_OUTCOME_RETRIES = 1


def _landed(body, obj):
    """Does ``obj`` (read after a write whose answer was lost) hold what ``body`` sent, owned
    by our field manager? Then the write was applied: sending it again would be a second write."""
    sent = copy.deepcopy(body)
    sent.get("metadata", {}).pop("resourceVersion", None)
    return obj is not None and owned_by(obj, FIELD_MANAGER) and subset_equal(sent, obj)


def write_fresh(client, target, build, current, force=False, creates=False):
    """Server-side apply ``build(obj)`` with obj's resourceVersion as a precondition.

    Every run shares the field manager ``meshgate`` and sends what it owns plus its patch, so a
    run working from an old read would silently drop fields another run (another plan) wrote in
    between - the last writer wins. The precondition turns that into a 409; the object is read
    again (one LIST), the body recomputed from the fresh state, and the write retried
    (FRESH_RETRIES times). ``current`` is updated with what the server stored.

    A write whose answer never came (outcome unknown: the connection broke, a timeout) is never
    simply sent again: the object is read first; if it holds the write, that is the result,
    otherwise the write is recomputed from the fresh object and sent once more (its
    precondition is the fresh resourceVersion, so a write that did land in between cannot be
    doubled). If that read fails too, the write's own error is raised."""
    key = _key(target)
    unknown = 0
    attempt = 0
    while True:
        attempt += 1
        obj = current.get(key)
        if obj is None and not creates:
            raise ApplyError(
                "stale plan: %s no longer exists; plan again" % _label(target), reason="stale"
            )
        body = copy.deepcopy(build(obj))
        version = ((obj or {}).get("metadata") or {}).get("resourceVersion")
        if version:
            body.setdefault("metadata", {})["resourceVersion"] = version
        try:
            stored = client.apply(body, FIELD_MANAGER, force=force)
        except K8sError as exc:
            if outcome_unknown(exc.reason, exc.status) and unknown < UNKNOWN_OUTCOME_RETRIES:
                unknown += 1
                fresh = _reread(client, target, exc)
                current.pop(key, None)
                current.update(fresh)
                if _landed(body, fresh.get(key)):
                    return fresh[key]
                continue
            if not _precondition_failed(exc) or attempt > FRESH_RETRIES:
                raise
            current.pop(key, None)
            current.update(read_targets(client, [target]))
            continue
        if isinstance(stored, dict) and stored.get("metadata"):
            current[key] = stored
        return stored


def _reread(client, target, write_error):
    """read_targets for one target after a write whose outcome is unknown; if the read fails
    as well, the write's error (what the user must know) is raised, naming both."""
    try:
        return read_targets(client, [target])
    except K8sError as exc:
        write_error.message = (
            "%s; reading %s again to learn whether it was applied failed too: %s"
            % (
                write_error.message,
                _label(target),
                exc.message,
            )
        )
        write_error.args = (write_error.message,)
        raise write_error from None


# --------------------------------------------------------------------------- reading


def read_targets(client, targets):
    """Current objects for the targets: one LIST per (apiVersion, kind, namespace)."""
    groups = {}
    for t in targets:
        groups.setdefault((t["apiVersion"], t["kind"], t.get("namespace")), set()).add(t["name"])
    found = {}
    for (api_version, kind, namespace), names in sorted(
        groups.items(), key=lambda g: (g[0][0], g[0][1], g[0][2] or "")
    ):
        try:
            path = client.resource_path(api_version, kind, namespace)
        except K8sError as exc:
            if exc.reason == "not_found":
                raise K8sError(
                    "not_found",
                    "%s: the plan needs %s %s, which this cluster does not serve; install its CRD "
                    "(or plan again for this cluster)" % (exc.message, api_version, kind),
                    status=404,
                ) from None
            raise
        for item in client.list_items(path):
            name = (item.get("metadata") or {}).get("name")
            if name in names:
                found[
                    _key(
                        {
                            "apiVersion": api_version,
                            "kind": kind,
                            "namespace": namespace,
                            "name": name,
                        }
                    )
                ] = item
    return found


def check_plan(the_plan, client):
    """Refuse a plan made for another cluster or that is not a plan at all."""
    if not isinstance(the_plan, dict) or "phases" not in the_plan or "mode" not in the_plan:
        raise ApplyError(
            "plan must be the plan key of a meshgate.istio_lb.lb_plan result", reason="invalid"
        )
    if the_plan.get("field_manager") not in (None, FIELD_MANAGER):
        raise ApplyError(
            "plan was made for field manager %r, not %r"
            % (the_plan.get("field_manager"), FIELD_MANAGER),
            reason="invalid",
        )
    planned_on = (the_plan.get("cluster") or {}).get("server")
    if planned_on and client.server and planned_on.rstrip("/") != client.server.rstrip("/"):
        raise ApplyError(
            "plan from another cluster: it was computed for %s but this task talks to %s; "
            "plan again for this cluster" % (planned_on, client.server),
            reason="other-cluster",
        )


# --------------------------------------------------------------------------- present


class ApplyOptions(NamedTuple):
    """How apply_plan() applies a plan (lb_apply's options, and a hook for the waits)."""

    force_conflicts: bool = False  # take over fields other field managers own
    check_mode: bool = False  # stop after the whole-plan dry run
    wait: str = "rollout"  # one of WAIT_MODES, after each phase that wrote something
    wait_timeout: Optional[int] = None  # seconds per wait; None: each wait's own timeout
    want_diff: bool = False  # give each pending patch a before/after diff
    sleep: Callable = time.sleep  # between two polls of a wait


def apply_plan(client, the_plan, **options):
    """Apply a plan; returns {"changed", "results", "diff", "requests", "waits"}.

    ``options``: the fields of ApplyOptions, as keywords.
    """
    opts = ApplyOptions(**options)
    check_plan(the_plan, client)
    patches = [(ph, p) for ph in the_plan["phases"] for p in ph["patches"]]
    current = read_targets(client, [p["target"] for _ph, p in patches])
    _refuse_missing(patches, current)
    results, pending = _compare(patches, current, opts.want_diff)
    if not pending:
        return {"changed": False, "results": results, "waits": []}
    _dry_run(client, the_plan, pending, current, results, opts.force_conflicts)
    if opts.check_mode:
        for pending_entry in pending:
            pending_entry[2]["status"] = "changed"
        return {"changed": True, "results": results, "waits": []}
    waits = _write_phases(client, the_plan, pending, current, results, opts)
    return {"changed": True, "results": results, "waits": waits}


def _refuse_missing(patches, current):
    """A stale plan: a target it patches (rather than creates) is gone."""
    missing = [
        p["target"]
        for _ph, p in patches
        if not p.get("creates") and _key(p["target"]) not in current
    ]
    if missing:
        raise ApplyError(
            "stale plan: %s no longer exist(s); plan again" % ", ".join(_label(t) for t in missing),
            reason="stale",
        )


def _compare(patches, current, want_diff):
    """``(results, pending)``: an entry per patch, unchanged or pending, and the pending ones
    as ``(phase, patch, entry)``."""
    results = []
    pending = []
    for ph, p in patches:
        obj = current.get(_key(p["target"]))
        unchanged = (
            obj is not None and owned_by(obj, FIELD_MANAGER) and subset_equal(p["manifest"], obj)
        )
        entry = {
            "patch": p["id"],
            "phase": ph["name"],
            "target": p["target"],
            "status": "unchanged" if unchanged else "pending",
        }
        if want_diff and not unchanged:
            entry["diff"] = {
                "before": _project(p["manifest"], obj) if obj else None,
                "after": p["manifest"],
            }
        results.append(entry)
        if not unchanged:
            pending.append((ph, p, entry))
    return results, pending


def _dry_run(client, the_plan, pending, current, results, force):
    """Whole-plan dry run before the first write: a rejection anywhere writes nothing."""
    for _ph, p, entry in pending:
        body = full_intent(p["manifest"], current.get(_key(p["target"])))
        try:
            client.apply(body, FIELD_MANAGER, dry_run=True, force=force)
        except K8sError as exc:
            _mark_failed(entry, exc)
            raise ApplyError(_rejection(the_plan, p, exc), results, reason=exc.reason) from None


def _write_phases(client, the_plan, pending, current, results, opts):
    """Write the pending patches phase by phase, waiting after each phase that wrote; the waits'
    outcomes."""
    waits = []
    by_phase = {}
    for ph, p, entry in pending:
        by_phase.setdefault(ph["name"], []).append((p, entry))
    for ph in the_plan["phases"]:
        for p, entry in by_phase.get(ph["name"], ()):
            try:
                # Built from the freshest state: an earlier write of this run (another patch on
                # the same object) or another run may have changed it since the read.
                write_fresh(
                    client,
                    p["target"],
                    lambda obj, p=p: full_intent(p["manifest"], obj),
                    current,
                    force=opts.force_conflicts,
                    creates=p.get("creates", False),
                )
            except K8sError as exc:
                raise _write_failure(the_plan, p, entry, exc, results) from None
            entry["status"] = "changed"
        if opts.wait != "none" and by_phase.get(ph["name"]):
            for w in ph.get("wait") or ():
                timeout = opts.wait_timeout or w.get("timeout", 600)
                waits.append(wait_for(client, w, opts.wait, timeout, sleep=opts.sleep))
    return waits


def _write_failure(the_plan, p, entry, exc, results):
    """The ApplyError for a write that failed after the dry run passed (entry marked failed)."""
    _mark_failed(entry, exc)
    done = sum(1 for r in results if r["status"] == "changed")
    if exc.reason in ("unreachable", "timeout", "server"):
        # The dry run passed, so this is the connection or the server, not the plan.
        return ApplyError(
            "lost the API server while applying %s after %d write(s) of this run: %s. "
            "The plan is safe to re-run: what was written is kept and the rest is applied"
            % (_label(p["target"]), done, exc.message),
            results,
            reason=exc.reason,
        )
    return ApplyError(_rejection(the_plan, p, exc), results, reason=exc.reason)


def _mark_failed(entry, exc):
    entry["status"] = "failed"
    entry["error"] = exc.to_dict()


def _rejection(the_plan, patch, exc):
    label = _label(patch["target"])
    if exc.reason == "conflict":
        owners = ", ".join(exc.managers) or "another field manager"
        hint = "re-run with force_conflicts: true to take these fields over"
        gitops = [
            g
            for g in the_plan.get("gitops") or ()
            if g["target"].get("name") == patch["target"]["name"]
        ]
        if gitops:
            hint += ", or make the change through its owner (%s): the plan's gitops entry has the Helm values and a kustomize patch" % gitops[
                0
            ][
                "owner"
            ].get(
                "tool"
            )
        return "%s: fields are owned by %s (%s); nothing was written. %s" % (
            label,
            owners,
            exc.message,
            hint,
        )
    return "%s was rejected by the API server; nothing was written: %s" % (label, exc.message)


# --------------------------------------------------------------------------- waits


def _observed(obj):
    st = obj.get("status") or {}
    return st.get("observedGeneration", 0) >= (obj.get("metadata") or {}).get("generation", 0)


def _rolled_out(obj):
    st = obj.get("status") or {}
    kind = obj.get("kind")
    if kind == "DaemonSet":
        desired = st.get("desiredNumberScheduled", 0)
        return (
            st.get("updatedNumberScheduled", 0) == desired
            and st.get("numberAvailable", 0) == desired
        )
    replicas = (obj.get("spec") or {}).get("replicas", 1)
    return st.get("updatedReplicas", 0) == replicas and st.get("availableReplicas", 0) == replicas


def wait_for(client, w, mode, timeout, sleep=time.sleep):
    """Wait for the rollout (or only the observed generation) of every target of a phase."""
    deadline = time.monotonic() + timeout
    outcome = {"for": mode, "targets": w["targets"], "ok": False}
    pending = list(w["targets"])
    last = {}
    while True:
        still = []
        for t in pending:
            kind, ns, name = t.split("/", 2)
            api = "apps/v1"
            path = client.resource_path(api, kind, ns)
            items = list(
                client.list_items(path, query={"fieldSelector": "metadata.name=%s" % name})
            )
            obj = items[0] if items else None
            last[t] = obj
            done = obj is not None and _observed(obj) and (mode == "observed" or _rolled_out(obj))
            if not done:
                still.append(t)
        pending = still
        if not pending:
            outcome["ok"] = True
            return outcome
        if time.monotonic() >= deadline:
            details = []
            for t in pending:
                obj = last.get(t)
                if obj is None:
                    details.append("%s does not exist (yet)" % t)
                else:
                    st = obj.get("status") or {}
                    if not st.get("availableReplicas", st.get("numberAvailable", 0)):
                        details.append(
                            "%s has no available pod: see kubectl describe pods (Pending pods "
                            "mean no node can run them; the old pods keep serving)" % t
                        )
                    details.append(
                        "%s: generation %s observed %s, %s/%s updated replicas available"
                        % (
                            t,
                            (obj.get("metadata") or {}).get("generation"),
                            st.get("observedGeneration"),
                            st.get("availableReplicas", st.get("numberAvailable", 0)),
                            (obj.get("spec") or {}).get(
                                "replicas", st.get("desiredNumberScheduled")
                            ),
                        )
                    )
            raise ApplyError(
                "gave up waiting (%ss) for the %s of %s; later phases were not applied. %s"
                % (
                    timeout,
                    "rollout" if mode == "rollout" else "observed generation",
                    ", ".join(pending),
                    "; ".join(details),
                ),
                reason="timeout",
            )
        sleep(2)


# --------------------------------------------------------------------------- absent (undo)


def undo_plan(client, the_plan, check_mode=False, want_diff=False):
    """Reverse a plan: release our fields, restore replaced values, delete what it created."""
    check_plan(the_plan, client)
    by_id = {p["id"]: (ph, p) for ph in the_plan["phases"] for p in ph["patches"]}
    steps = [by_id[u["patch"]] for u in the_plan.get("undo") or () if u["patch"] in by_id]
    current = read_targets(client, [p["target"] for _ph, p in steps])
    results = []
    todo = []
    for _ph, p in steps:
        obj = current.get(_key(p["target"]))
        entry = {"patch": p["id"], "target": p["target"], "action": p["undo"]["action"]}
        if obj is None:
            entry["status"] = "unchanged"
        elif p["undo"]["action"] == "delete":
            ours = owned_by(obj, FIELD_MANAGER)
            entry["status"] = "pending" if ours else "unchanged"
            if not ours:
                entry["note"] = "exists but not created by meshgate; left alone"
        elif owned_by(obj, FIELD_MANAGER) or _needs_restore(p, obj):
            entry["status"] = "pending"
        else:
            entry["status"] = "unchanged"
        if want_diff and entry["status"] == "pending":
            entry["diff"] = {
                "before": _project(p["manifest"], obj),
                "after": p["undo"].get("restore") or None,
            }
        results.append(entry)
        if entry["status"] == "pending":
            todo.append((p, obj, entry))
    if not todo:
        return {"changed": False, "results": results}
    # Dry run first, as for apply: a refusal anywhere (RBAC, schema, conflict) stops the undo
    # before its first write.
    _undo_steps(client, todo, results, dry_run=True)
    if check_mode:
        for _p, _obj, entry in todo:
            entry["status"] = "changed"
        return {"changed": True, "results": results}
    _undo_steps(client, todo, results, dry_run=False)
    return {"changed": True, "results": results}


def _undo_steps(client, todo, results, dry_run):
    # What the server stored after each real step: a later step on the same object starts
    # from it rather than from the first read.
    stored = {}
    for p, obj, entry in todo:
        try:
            _undo_step(client, p, stored.get(_key(p["target"]), obj), dry_run, stored)
        except K8sError as exc:
            _mark_failed(entry, exc)
            what = "was rejected by the API server; nothing was written" if dry_run else "failed"
            raise ApplyError(
                "undo of %s %s: %s" % (_label(p["target"]), what, exc.message),
                results,
                reason=exc.reason,
            ) from None
        if not dry_run:
            entry["status"] = "changed"


def _needs_restore(p, obj):
    restore = p["undo"].get("restore") or {}
    return bool(restore) and not subset_equal(_restore_manifest(p, restore), obj)


# The maps whose keys may hold dots (label and annotation keys, ConfigMap keys): after one of
# these, the rest of a dotted path is one key.
_DOTTED_KEY_MAPS = ("labels", "annotations", "data")


def _set_path(root, dotted, value):
    """Set a value at a path like spec.template.metadata.annotations.proxy.istio.io/config or
    spec.provider.kubernetes.envoyDeployment.pod.labels.sidecar.istio.io/inject: each segment is
    a map level up to the first labels|annotations|data, the rest is one key (without such a
    map, the last segment is)."""
    parts = dotted.split(".")
    node = root
    i = 0
    while i < len(parts) - 1:
        node = node.setdefault(parts[i], {})
        i += 1
        if parts[i - 1] in _DOTTED_KEY_MAPS:
            break
    node[".".join(parts[i:])] = value


def _restore_manifest(p, restore):
    t = p["target"]
    manifest = {"apiVersion": t["apiVersion"], "kind": t["kind"], "metadata": {"name": t["name"]}}
    if t.get("namespace"):
        manifest["metadata"]["namespace"] = t["namespace"]
    for dotted, value in sorted(restore.items()):
        if dotted == "spec" and isinstance(value, dict):
            manifest["spec"] = copy.deepcopy(value)
        else:
            _set_path(manifest, dotted, value)
    return manifest


def _undo_step(client, p, obj, dry_run, stored):
    """Undo one patch from obj (its latest known state); real steps record in ``stored`` what
    the server stored, for later steps on the same object."""
    t = p["target"]
    action = p["undo"]["action"]
    if action == "delete":
        path = client.resource_path(t["apiVersion"], t["kind"], t.get("namespace"), t["name"])
        query = {"dryRun": "All"} if dry_run else None
        try:
            client.request("DELETE", path, query=query)
        except K8sError as exc:
            if exc.reason != "not_found":
                raise
        return
    restore = p["undo"].get("restore") or {}
    if action == "restore-field" and restore:
        # Atomic lists: put the original list back (owned by the restore manager), then release.
        restored = _restore(client, p, restore, dry_run)
        if not dry_run:
            # A dry-run release would be judged against the unrestored object (dry runs do not
            # persist), so only the real sequence releases, from the object the restore stored.
            _release(client, p, restored if _is_object(restored) else obj, stored)
        return
    if dry_run:
        client.apply(_release_body(p, obj), FIELD_MANAGER, dry_run=True)
    else:
        _release(client, p, obj, stored)
    if restore:
        restored = _restore(client, p, restore, dry_run)
        if not dry_run and _is_object(restored):
            stored[_key(t)] = restored


def _is_object(answer):
    return bool((answer or {}).get("metadata"))


def _restore(client, p, restore, dry_run):
    """Put the values the plan replaced back, owned by the restore manager."""
    return client.apply(_restore_manifest(p, restore), RESTORE_MANAGER, dry_run=dry_run, force=True)


def _release(client, p, obj, stored):
    """Release our fields (a fresh write from obj, retried on a race) and record the result."""
    current = {_key(p["target"]): obj}
    write_fresh(client, p["target"], lambda o: _release_body(p, o), current)
    stored.update(current)


def _release_body(p, obj):
    """Applying only what stays ours releases the rest: fields nobody else owns are removed,
    fields others share keep their value. Fields set by other plans on this object stay."""
    t = p["target"]
    bare = {"apiVersion": t["apiVersion"], "kind": t["kind"], "metadata": {"name": t["name"]}}
    if t.get("namespace"):
        bare["metadata"]["namespace"] = t["namespace"]
    kept = _without(full_intent({}, obj), p["manifest"])
    kept.pop("apiVersion", None)
    kept.pop("kind", None)
    return _merge_into(bare, kept)
