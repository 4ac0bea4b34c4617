# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Faults and bad input against the real API server (first part of the reliability suite):
one clear error naming the problem, nothing half applied, and a re-run converges."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
import yaml
from plans import MODE_VARIANTS
from playbook import run_play
from vendor_fixtures import SHARED

from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import (
    ApplyError,
    apply_plan,
    undo_plan,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.detect.run import detect
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.errors import PlanError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.plan.planner import plan
from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.live import collect_live

NGINX = {"load_balancers": ["ingress-nginx/ingress-nginx-controller"]}
GATEWAY = "istio-system/istio-ingressgateway"

pytestmark = [pytest.mark.controlplane, pytest.mark.mutates_cluster]


def _client(control_plane):
    return client_from_params({"kubeconfig": control_plane.kubeconfig})


def _facts(client):
    facts = detect(collect_live(client)[0])
    facts["cluster"] = {"source": "live", "server": client.server}
    return facts


def _other_ca(tmp_path):
    """A CA the API server's certificate was not signed by."""
    import pki  # the harness's own PKI helpers (tests/controlplane)

    _key, cert = pki.make_ca("not-the-cluster-ca")
    path = tmp_path / "other-ca.crt"
    path.write_bytes(pki.cert_pem(cert))
    return str(path)


def test_tls_verification_failure_names_the_fix(control_plane, tmp_path):
    # Built outside the raises block: only the server's certificate may fail it.
    client = client_from_params(
        {"host": control_plane.server, "api_key": "x", "ca_cert": _other_ca(tmp_path)}
    )
    with pytest.raises(K8sError) as exc:
        client.discover()
    assert exc.value.reason == "tls"
    assert "ca_cert" in str(exc.value) or "validate_certs" in str(exc.value)


def test_invalid_token_is_unauthorized_and_never_echoed(control_plane):
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl"
    with pytest.raises(K8sError) as exc:
        client_from_params(
            {"host": control_plane.server, "api_key": token, "validate_certs": False}
        ).discover()
    assert exc.value.reason == "unauthorized"
    assert token not in str(exc.value) and token not in json.dumps(exc.value.to_dict())


def _service_account_jwt(control_plane, namespace, name, uid, exp):
    """A bound service-account token signed with the API server's own signing key (what
    TokenRequest would return), with a chosen expiry: TokenRequest cannot issue one that is
    already expired (minimum 10 minutes), and the test must not wait for one to expire."""
    import base64
    import uuid

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    key = serialization.load_pem_private_key(
        (control_plane.pki_dir / "sa.key").read_bytes(), password=None
    )
    issuer = "https://kubernetes.default.svc.cluster.local"
    claims = {
        "aud": [issuer],
        "iss": issuer,
        "iat": int(exp) - 3600,
        "nbf": int(exp) - 3600,
        "exp": int(exp),
        "jti": str(uuid.uuid4()),
        "sub": "system:serviceaccount:%s:%s" % (namespace, name),
        "kubernetes.io": {
            "namespace": namespace,
            "serviceaccount": {"name": name, "uid": uid},
        },
    }
    header = {"alg": "ES256", "typ": "JWT"}
    signing_input = "%s.%s" % (
        b64(json.dumps(header).encode()),
        b64(json.dumps(claims).encode()),
    )
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return signing_input + "." + b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def test_expired_token_is_told_apart_from_an_invalid_one(control_plane):
    """The same service account's token: valid -> authenticated (then 403 without RBAC: proof
    the token itself is good); expired -> 401 and an error that says it expired and how to get a
    new one; the token never appears in the error."""
    control_plane.apply_manifests(
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "expiry", "namespace": "default"},
        }
    )
    uid = json.loads(
        control_plane.kubectl(
            "get", "serviceaccount", "expiry", "-n", "default", "-o", "json"
        ).stdout
    )["metadata"]["uid"]
    now = time.time()
    fresh = _service_account_jwt(control_plane, "default", "expiry", uid, now + 600)
    expired = _service_account_jwt(control_plane, "default", "expiry", uid, now - 120)
    params = {"host": control_plane.server, "validate_certs": False}
    with pytest.raises(K8sError) as good:
        list(  # list_items is lazy: consume it
            client_from_params(dict(params, api_key=fresh)).list_items(
                "/api/v1/namespaces/default/configmaps"
            )
        )
    assert good.value.reason == "forbidden"  # authenticated: the signed token is a real one
    assert "system:serviceaccount:default:expiry" in str(good.value)
    with pytest.raises(K8sError) as exc:
        client_from_params(dict(params, api_key=expired)).discover()
    assert exc.value.reason == "unauthorized"
    text = str(exc.value)
    assert "the bearer token expired at" in text and "kubectl create token" in text
    assert expired not in text and expired not in json.dumps(exc.value.to_dict())


def test_api_server_stopped_in_the_middle_of_an_apply(control_plane, loaded):
    """The API server goes away after the first write: the error says it is unreachable; after
    the restart a re-run finishes the plan and nothing is lost; a third run writes nothing."""
    client = _client(control_plane)
    the_plan = plan(_facts(client), "standalone_mtls", NGINX)
    assert the_plan["summary"]["patches"] == 2
    real_apply = client.apply
    writes = []

    def apply_then_stop(obj, manager, dry_run=False, force=False):
        out = real_apply(obj, manager, dry_run=dry_run, force=force)
        if not dry_run:
            writes.append(obj["kind"])
            control_plane.stop_component("kube-apiserver")
        return out

    client.apply = apply_then_stop
    try:
        with pytest.raises(ApplyError) as exc:
            apply_plan(client, the_plan, wait="none")
        assert exc.value.reason == "unreachable"
        assert control_plane.server.split("//")[1] in str(exc.value)
        assert "after 1 write(s)" in str(exc.value) and "safe to re-run" in str(exc.value)
        assert writes == ["Ingress"]  # the first phase's patch went through
    finally:
        control_plane.start_component("kube-apiserver")
    client = _client(control_plane)
    try:
        again = apply_plan(client, the_plan, wait="none")
        assert [r["status"] for r in again["results"]] == ["unchanged", "changed"]
        assert apply_plan(client, the_plan, wait="none")["changed"] is False
        assert plan(_facts(client), "standalone_mtls", NGINX)["summary"]["patches"] == 0
    finally:
        undo_plan(client, the_plan)  # leave the fixtures as loaded for the next tests


def test_two_concurrent_runs_end_consistent(control_plane, loaded):
    client = _client(control_plane)
    the_plan = plan(
        _facts(client), "chained", {"gateway": "istio-system/istio-ingressgateway", **NGINX}
    )
    errors = []

    def run():
        try:
            apply_plan(_client(control_plane), the_plan, force_conflicts=True, wait="none")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    opts = {"gateway": "istio-system/istio-ingressgateway", **NGINX}
    assert plan(_facts(client), "chained", opts)["summary"]["patches"] == 0
    undo_plan(client, the_plan)


def test_concurrent_runs_of_different_plans_keep_both(control_plane, loaded):
    """Two runs with different plans on the same Ingress, interleaved deterministically: run B
    reads, then run A writes the Ingress, then B writes. Both share the field manager, so
    without the resourceVersion precondition B's write would drop A's fields (last writer wins).
    With it, B gets a 409, reads again and keeps A's fields: both plans end converged."""
    client = _client(control_plane)
    facts = _facts(client)
    chained_opts = {"gateway": GATEWAY, **NGINX}
    chained = plan(facts, "chained", chained_opts)
    mtls = plan(facts, "standalone_mtls", NGINX)
    run_b = _client(control_plane)
    real_apply = run_b.apply
    conflicts = []

    def apply_after_a(obj, manager, dry_run=False, force=False):
        if not dry_run and obj["kind"] == "Ingress" and not conflicts:
            # B has read the Ingress; A now runs to the end before B's first write.
            apply_plan(_client(control_plane), chained, force_conflicts=True, wait="none")
            try:
                return real_apply(obj, manager, dry_run=dry_run, force=force)
            except K8sError as exc:
                conflicts.append(exc)
                raise
        return real_apply(obj, manager, dry_run=dry_run, force=force)

    run_b.apply = apply_after_a
    try:
        apply_plan(run_b, mtls, force_conflicts=True, wait="none")
        assert len(conflicts) == 1 and conflicts[0].reason == "conflict", conflicts
        assert not conflicts[0].managers  # the precondition, not field ownership
        ing = client.request(
            "GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/nginx-test"
        )
        rules = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"]
        assert rules == "meshgate-istio-gateway"  # A's change survived B's write
        assert (
            ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/service-upstream"] == "true"
        )
        after = _facts(client)
        assert plan(after, "chained", chained_opts)["summary"]["patches"] == 0
        assert plan(after, "standalone_mtls", NGINX)["summary"]["patches"] == 0
    finally:
        undo_plan(client, mtls)
        undo_plan(client, chained)


def _lb_readiness_finding(client, lb_name, timeout=60):
    """MG0015 for the LB once the controller-manager has reported its status."""
    deadline = time.monotonic() + timeout
    while True:
        facts = _facts(client)
        lb = [x for x in facts["load_balancers"] if x["name"] == lb_name][0]
        hits = [f for f in facts["findings"] if f["code"] == "MG0015" and lb_name in f["message"]]
        if lb["ready_replicas"] is not None or time.monotonic() > deadline:
            return lb, hits
        time.sleep(1)


def test_lb_with_no_ready_pods_and_scaled_to_zero(control_plane, loaded):
    """No kubelet runs here, so the LB's pods stay Pending: lb_info says nothing is serving
    (MG0015, from the status the controller-manager reports). Scaled to zero, the finding says
    so, and a plan still applies: the rollout wait has no pod to wait for."""
    client = _client(control_plane)
    name = "ingress-nginx-controller"
    lb, hits = _lb_readiness_finding(client, name)
    assert lb["ready_replicas"] == 0 and lb["replicas"] >= 1
    assert len(hits) == 1 and "(0 ready)" in hits[0]["message"], hits
    original = lb["replicas"]
    control_plane.kubectl("scale", "-n", "ingress-nginx", "deployment/" + name, "--replicas=0")
    the_plan = None
    try:
        deadline = time.monotonic() + 60
        while True:
            lb, hits = _lb_readiness_finding(client, name)
            if lb["replicas"] == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert lb["replicas"] == 0
        assert len(hits) == 1 and "has 0 replicas" in hits[0]["message"], hits
        the_plan = plan(_facts(client), "standalone_mtls", NGINX)
        out = apply_plan(client, the_plan, wait="rollout", wait_timeout=60)
        assert out["changed"] and all(w["ok"] for w in out["waits"]), out["waits"]
        assert plan(_facts(client), "standalone_mtls", NGINX)["summary"]["patches"] == 0
    finally:
        if the_plan:
            undo_plan(client, the_plan)
        control_plane.kubectl(
            "scale", "-n", "ingress-nginx", "deployment/" + name, "--replicas=%d" % original
        )


def test_the_collection_never_reads_secrets(control_plane, loaded, tmp_path):
    """A whole detect -> plan -> dry-run cycle as a user bound to the shipped roles: the audit
    log shows no request for Secrets at all."""
    rules = []
    root = Path(__file__).resolve().parents[2]
    for name in ("meshgate-istio-lb-reader.yaml", "meshgate-istio-lb-applier.yaml"):
        rules += yaml.safe_load((root / "rbac" / name).read_text())["rules"]
    kubeconfig = control_plane.create_user("no-secrets", rules=rules)
    mark = control_plane.audit.mark()
    tasks = [
        {
            "name": "detect",
            "meshgate.istio_lb.lb_info": {"kubeconfig": kubeconfig, "detail": "full"},
            "register": "i",
        },
        {
            "name": "plan",
            "meshgate.istio_lb.lb_plan": {
                "mode": "standalone_mtls",
                "facts": "{{ i }}",
                "kubeconfig": kubeconfig,
            },
            "register": "p",
        },
        {
            "name": "dry run",
            "meshgate.istio_lb.lb_apply": {
                "plan": "{{ p.plan }}",
                "kubeconfig": kubeconfig,
                "force_conflicts": True,
            },
            "check_mode": True,
            "register": "a",
        },
    ]
    registered, proc = run_play(tmp_path, tasks, ["i", "p", "a"])
    assert proc.returncode == 0, proc.stdout[-3000:]
    events = [
        e
        for e in control_plane.audit.events(since=mark)
        if (e.get("user") or {}).get("username") == "no-secrets"
    ]
    assert events, "the audit log saw the user's requests"
    assert [e for e in events if (e.get("objectRef") or {}).get("resource") == "secrets"] == []


def test_no_secret_in_output_at_vvvv(control_plane, loaded, tmp_path):
    """A kubeconfig given as a dict (tokens, keys) and an api_key never show in -vvvv output."""
    cfg = yaml.safe_load(Path(control_plane.kubeconfig).read_text())
    key_data = cfg["users"][0]["user"].get("client-key-data")
    assert key_data
    tasks = [{"name": "detect", "meshgate.istio_lb.lb_info": {"kubeconfig": cfg}, "register": "i"}]
    registered, proc = run_play(tmp_path, tasks, ["i"], extra_args=["-vvvv"])
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert key_data not in proc.stdout and key_data not in proc.stderr
    assert key_data not in json.dumps(registered)


def test_plans_on_the_same_object_do_not_undo_each_other(control_plane, loaded):
    """Server-side apply treats each apply as the manager's whole intent: a second plan on an
    object must keep the first plan's fields, and undoing it must release only its own."""
    client = _client(control_plane)
    chained = plan(
        _facts(client), "chained", {"gateway": "istio-system/istio-ingressgateway", **NGINX}
    )
    apply_plan(client, chained, force_conflicts=True, wait="none")
    try:
        mtls = plan(_facts(client), "standalone_mtls", NGINX)
        assert any(
            pt["target"]["kind"] == "Ingress" for ph in mtls["phases"] for pt in ph["patches"]
        )
        apply_plan(client, mtls, force_conflicts=True, wait="none")
        ing = client.request(
            "GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/nginx-test"
        )
        backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"]
        assert backend == "meshgate-istio-gateway"  # the chained plan's rules survived
        assert (
            ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/service-upstream"] == "true"
        )
        undo_plan(client, mtls)
        ing = client.request(
            "GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/nginx-test"
        )
        assert "nginx.ingress.kubernetes.io/service-upstream" not in (
            ing["metadata"].get("annotations") or {}
        )
        assert (
            ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"]
            == "meshgate-istio-gateway"
        )
    finally:
        undo_plan(client, chained)


def test_reader_clusterrole_is_minimal_for_served_kinds(control_plane, loaded):
    """Drop any one resource of the shipped reader role: if this cluster serves that kind,
    lb_info fails naming it (every rule is needed); kinds it does not serve are listed."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import rbac_rules

    served = client_from_params({"kubeconfig": control_plane.kubeconfig}).discover()
    served_plurals = {(g, info["resource"]) for (g, _k), info in served.items()}
    full = rbac_rules()
    checked, not_served = [], []
    for i, rule in enumerate(full):
        group = rule["apiGroups"][0]
        for resource in rule["resources"]:
            if (group, resource) not in served_plurals:
                not_served.append("%s/%s" % (group or "core", resource))
                continue
            rules = [dict(r) for r in full]
            rules[i] = dict(rule, resources=[x for x in rule["resources"] if x != resource])
            rules = [r for r in rules if r["resources"]]
            name = "minimal-%s-%s" % ((group or "core").replace(".", "-")[:20], resource[:20])
            kubeconfig = control_plane.create_user(name, rules=rules)
            with pytest.raises(K8sError) as exc:
                collect_live(client_from_params({"kubeconfig": kubeconfig}))
            assert exc.value.reason == "forbidden" and resource in str(exc.value), (
                resource,
                str(exc.value),
            )
            checked.append(resource)
    assert len(checked) >= 20, checked
    # The rest are CRDs this test cluster does not install (their rules cannot be proven here).
    assert all(
        x.split("/")[0] not in ("core", "apps", "networking.k8s.io") for x in not_served
    ), not_served


def _settled_load_balancers(control_plane, timeout=60):
    """The load balancers once two reads in a row agree: the controller-manager keeps writing
    Pods and status for a while after the fixtures load, which changes pods_observed and
    ready_replicas between reads (seen: this test failing on that alone)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        now = detect(collect_live(_client(control_plane))[0])["load_balancers"]
        if now == last or time.monotonic() > deadline:
            return now
        last = now
        time.sleep(2)


def test_etcd_restart(control_plane, loaded):
    before = _settled_load_balancers(control_plane)
    control_plane.stop_component("etcd")
    try:
        with pytest.raises(K8sError) as exc:
            collect_live(_client(control_plane))
        # The API server is up but cannot serve: an error, never an empty answer.
        assert exc.value.reason in ("server", "timeout", "unreachable")
    finally:
        control_plane.start_component("etcd")
    deadline = time.monotonic() + 60
    while True:
        try:
            after = detect(collect_live(_client(control_plane))[0])["load_balancers"]
        except K8sError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
            continue
        # The same answer as before; a status the controller-manager is still writing may need
        # another look, a real difference (a partial read) stays until the deadline.
        if after == before or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert after == before


def test_names_that_are_not_dns_1123_fail_before_any_request(control_plane, tmp_path):
    """lb_info and lb_plan check every name-valued option first: one error naming the option,
    the value and the rule, and the API server sees no request at all from the user."""
    root = Path(__file__).resolve().parents[2]
    rules = yaml.safe_load((root / "rbac" / "meshgate-istio-lb-reader.yaml").read_text())["rules"]
    kubeconfig = control_plane.create_user("bad-names", rules=rules)
    mark = control_plane.audit.mark()
    tasks = [
        {
            "name": "detect in a namespace that cannot exist",
            "meshgate.istio_lb.lb_info": {"kubeconfig": kubeconfig, "namespaces": ["Shop_NS"]},
            "register": "info",
            "ignore_errors": True,
        },
        {
            "name": "plan with bad names",
            "meshgate.istio_lb.lb_plan": {
                "kubeconfig": kubeconfig,
                "mode": "gclb_chained",
                "load_balancers": ["ingress-nginx/Controller!"],
                "gateway": "istio-ingressgateway",
                "static_ip_name": "shop ip",
                "managed_certificate_domains": ["*.shop.example.com"],
            },
            "register": "planned",
            "ignore_errors": True,
        },
    ]
    registered, proc = run_play(tmp_path, tasks, ["info", "planned"])
    info, planned = registered["info"], registered["planned"]
    assert info["failed"] and "namespaces: 'Shop_NS' is not valid" in info["msg"]
    assert "RFC 1123 label" in info["msg"]
    assert planned["failed"]
    for expected in (
        "load_balancers: 'ingress-nginx/Controller!'",
        "gateway: 'istio-ingressgateway'",  # no namespace: <namespace>/<name> is required
        "static_ip_name: 'shop ip'",
        "managed_certificate_domains: '*.shop.example.com'",
    ):
        assert expected in planned["msg"], planned["msg"]
    assert control_plane.audit.count(since=mark, user="bad-names") == 0


def test_a_crd_missing_for_the_chosen_mode_is_one_error_up_front(control_plane, loaded):
    """Without the HealthCheckPolicy CRD (GKE Gateway), gclb_chained with a GKE Gateway class
    is refused at planning time, naming the kind and where its CRD comes from, instead of a 404
    half way through an apply. The CRD is put back afterwards (no objects of it are loaded)."""
    crd_file = SHARED / "crds" / "gke" / "gateway-policies" / "healthcheckpolicy.yaml"
    crd_name = yaml.safe_load(crd_file.read_text())["metadata"]["name"]
    options = {"gke_gateway_class": "gke-l7-global-external-managed", "gateway": GATEWAY}
    client = _client(control_plane)
    assert plan(_facts(client), "gclb_chained", options)["phases"]  # plannable while served
    control_plane.kubectl("delete", "crd", crd_name, "--wait=true")
    try:
        deadline = time.monotonic() + 60
        while True:
            facts = _facts(_client(control_plane))  # a new client: fresh discovery
            if "networking.gke.io/HealthCheckPolicy" not in facts["cluster_facts"]["apis"]:
                break
            assert time.monotonic() < deadline, "the API server still serves the deleted CRD"
            time.sleep(1)
        with pytest.raises(PlanError) as exc:
            plan(facts, "gclb_chained", options)
        msg = str(exc.value)
        assert "HealthCheckPolicy (networking.gke.io)" in msg
        assert "only on GKE" in msg and "nothing was planned" in msg
        # Modes that do not need the kind still plan.
        assert plan(facts, "chained", {"gateway": GATEWAY})["phases"]
    finally:
        control_plane.install_crds([str(crd_file)])


MIGRATE_CASES = Path(__file__).resolve().parents[1] / "migrate" / "ingresses.yaml"


@pytest.fixture
def migrate_plan(control_plane, loaded):
    """Mode migrate's plan over our migrate cases (tests/migrate/ingresses.yaml) in two namespaces
    of this test: the one plan that creates DestinationRules, AuthorizationPolicies,
    ReferenceGrants and GRPCRoutes. The Ingresses and Services are removed afterwards."""
    import uuid

    from ansible_collections.meshgate.istio_lb.plugins.module_utils.migrate.source import (
        read_source,
    )

    tag = uuid.uuid4().hex[:6]
    names = {"shop": "t-applier-mig-shop-%s" % tag, "api": "t-applier-mig-api-%s" % tag}
    control_plane.apply_manifests(
        [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in names.values()]
    )
    docs = [d for d in yaml.safe_load_all(MIGRATE_CASES.read_text(encoding="utf-8")) if d]
    for d in docs:
        d["metadata"]["namespace"] = names[d["metadata"]["namespace"]]
    control_plane.apply_manifests(docs)
    try:
        admin = _client(control_plane)
        facts = _facts(admin)
        facts["migrate_source"] = read_source(client=admin)
        opts = {
            "load_balancers": ["Deployment/ingress-nginx/ingress-nginx-controller"],
            "hosts": sorted(
                {
                    r["host"]
                    for d in docs
                    if d["kind"] == "Ingress"
                    for r in d["spec"].get("rules") or ()
                }
            ),
            "gateway": "%s/meshgate-migrate" % names["shop"],
        }
        refused = plan(facts, "migrate", opts)
        yield plan(facts, "migrate", dict(opts, migrate_accept=refused["migration"]["refused"]))
    finally:
        for ns in names.values():
            control_plane.kubectl(
                "delete", "ingresses,services", "--all", "-n", ns, "--wait=true", check=False
            )


def test_applier_clusterrole_is_minimal(control_plane, loaded, scenario, migrate_plan):
    """Drop any one verb on any one resource of the shipped applier role (bound with the reader
    role, as the docs say): a plan that needs it fails with 403 naming that resource, and
    nothing is written (patch/create/list: the first refusal is in the dry-run pass; delete:
    undo's dry-run pass). Resources no plan over this cluster touches are listed."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.read.kinds import (
        PLURALS,
        rbac_apply_rules,
        rbac_rules,
    )

    admin = _client(control_plane)
    facts = _facts(admin)
    # (group, resource) -> {"patch": plan, "create": plan} from the plans above.
    covering = {}
    for the_plan in [plan(facts, mode, opts) for mode, opts in MODE_VARIANTS] + [migrate_plan]:
        for ph in the_plan["phases"]:
            for pt in ph["patches"]:
                t = pt["target"]
                key = (t["apiVersion"].rpartition("/")[0], PLURALS[t["kind"]])
                uses = covering.setdefault(key, {})
                uses.setdefault("patch", the_plan)
                if pt["creates"]:
                    uses.setdefault("create", the_plan)
    reader, applier = rbac_rules(), rbac_apply_rules()
    checked, uncovered = [], []
    for i, rule in enumerate(applier):
        group = rule["apiGroups"][0]
        for resource in rule["resources"]:
            for verb in rule["verbs"]:
                uses = covering.get((group, resource), {})
                the_plan = uses.get("create" if verb in ("create", "delete", "list") else "patch")
                if verb == "list" and the_plan is None:
                    the_plan = uses.get("patch")
                if the_plan is None:
                    uncovered.append("%s %s/%s" % (verb, group or "core", resource))
                    continue
                rules = [dict(r) for r in applier]
                rest = dict(rule, resources=[x for x in rule["resources"] if x != resource])
                rules[i] = rest
                rules.append(
                    dict(rule, resources=[resource], verbs=[v for v in rule["verbs"] if v != verb])
                )
                rules = reader + [r for r in rules if r["resources"] and r["verbs"]]
                user = "applier-no-%s-%s-%s" % (verb, (group or "core")[:12], resource[:16])
                kubeconfig = control_plane.create_user(user.replace(".", "-"), rules=rules)
                limited = client_from_params({"kubeconfig": kubeconfig})
                mark = control_plane.audit.mark()
                if verb == "delete":
                    apply_plan(admin, the_plan, force_conflicts=True, wait="none")
                    mark = control_plane.audit.mark()
                    try:
                        with pytest.raises(ApplyError) as exc:
                            undo_plan(limited, the_plan)
                    finally:
                        undo_plan(admin, the_plan)
                else:
                    try:
                        with pytest.raises((ApplyError, K8sError)) as exc:
                            apply_plan(limited, the_plan, force_conflicts=True, wait="none")
                    finally:
                        undo_plan(admin, the_plan)  # if the assertion fails, clean up anyway
                assert exc.value.reason == "forbidden" and resource in str(exc.value), (
                    verb,
                    resource,
                    str(exc.value),
                )
                writes = [
                    e
                    for e in control_plane.audit.events(since=mark)
                    if (e.get("user") or {}).get("username") == user.replace(".", "-")
                    and e.get("verb") in ("create", "update", "patch", "delete")
                    and "dryRun=All" not in e.get("requestURI", "")
                ]
                assert writes == [], (verb, resource, writes)
                checked.append("%s %s/%s" % (verb, group or "core", resource))
    print("applier rules proven needed: %d; not reachable here: %s" % (len(checked), uncovered))
    assert len(checked) >= 30, checked
    # Every verb on the core, Ingress, Istio and Gateway API route kinds is proven; the rest are
    # patches of vendors' objects (Envoy Gateway's GatewayClass/EnvoyProxy, APISIX, StatefulSet
    # LBs) the fixture cluster has none of - the same code path as the proven patches.
    proven_groups = ("core", "networking.k8s.io", "security.istio.io", "networking.istio.io")
    assert not [u for u in uncovered if u.split()[1].split("/")[0] in proven_groups], uncovered
    assert not [
        u
        for u in uncovered
        if u.split()[1]
        in ("gateway.networking.k8s.io/gateways", "gateway.networking.k8s.io/httproutes")
    ], uncovered
