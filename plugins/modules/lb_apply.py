#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_apply
short_description: Apply (or undo) an lb_plan plan with server-side apply, dry-run first
version_added: 0.1.0
author:
  - meshgate platform team (@meshgate)
description:
  - Applies a whole plan from M(meshgate.istio_lb.lb_plan) to one cluster in one task, with
    server-side apply and the fixed field manager C(meshgate), so only the fields in the plan's
    manifests are touched.
  - Reads the current state first (one LIST per kind and namespace, no per-object GET). A patch
    whose values the C(meshgate) field manager already owns is unchanged; when nothing is
    pending the task reports C(changed=false) and makes no write request.
  - Before the first write, every pending patch is sent as a server-side dry run; any rejection
    (schema, admission, conflict) fails the task naming the object and the reason, and nothing
    is written. Check mode stops after that dry run.
  - Phases are applied in order; between phases it waits (rollout of the load balancer or
    gateway pods, or only the observed generation) and stops, saying what it waited on, when a
    wait times out.
  - When another field manager (Helm, Argo CD, kubectl) owns a field the plan sets, the task
    fails naming the owner and the plan's Helm/kustomize alternative, unless O(force_conflicts=true).
  - O(state=absent) undoes the plan, releasing the fields C(meshgate) owns (so values nobody
    else set are removed), putting back the values the plan had replaced (under the field
    manager C(meshgate-restore)), and deleting the objects the plan created.
options:
  plan:
    description:
      - The plan to apply or undo (the C(plan) key of an M(meshgate.istio_lb.lb_plan) result).
    type: dict
    required: true
  state:
    description:
      - V(present) applies the plan, V(absent) undoes it.
    type: str
    default: present
    choices: [present, absent]
  force_conflicts:
    description:
      - Take over fields another field manager owns (server-side apply C(force)).
    type: bool
    default: false
  wait:
    description:
      - What to wait for between phases. V(rollout) waits until the pods of the targets are
        updated and available, V(observed) only until their controller observed the change,
        V(none) does not wait.
    type: str
    default: rollout
    choices: [rollout, observed, none]
  wait_timeout:
    description:
      - Seconds to wait per phase (default, the plan's own timeout, 600).
    type: int
extends_documentation_fragment:
  - meshgate.istio_lb.k8s_auth
  - meshgate.istio_lb.attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode runs the server-side dry run of every pending patch and reports what would change.
  diff_mode:
    support: full
    details:
      - Shows, per patch, the current values at the paths the plan owns (before) and the plan's values (after).
  idempotent:
    support: full
requirements:
  - python >= 3.9
  - kubernetes >= 24.2.0
  - PyYAML
seealso:
  - module: meshgate.istio_lb.lb_plan
  - module: meshgate.istio_lb.lb_info
"""

EXAMPLES = r"""
- name: Plan Istio's recipe for the in-cluster load balancers
  meshgate.istio_lb.lb_plan:
    mode: standalone_mtls
  register: lb

- name: Apply it (dry run of the whole plan first; waits for the LB pods between phases)
  meshgate.istio_lb.lb_apply:
    plan: "{{ lb.plan }}"

- name: Undo it
  meshgate.istio_lb.lb_apply:
    plan: "{{ lb.plan }}"
    state: absent
"""

RETURN = r"""
results:
  description: One entry per patch, with C(patch), C(target), C(status) (V(changed), V(unchanged) or V(failed)) and C(error) when it failed.
  returned: always
  type: list
  elements: dict
waits:
  description: What was waited for after each phase, and whether it completed.
  returned: when O(state=present)
  type: list
  elements: dict
api_requests:
  description: API requests made, by HTTP method.
  returned: always
  type: dict
diff:
  description: Before/after of the fields the plan owns, per changed patch (diff mode).
  returned: when diff mode is on
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.meshgate.istio_lb.plugins.module_utils.apply import (
    WAIT_MODES,
    ApplyError,
    apply_plan,
    undo_plan,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.args import AUTH_ARG_SPEC
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.connect import (
    client_from_params,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.meshgate.istio_lb.plugins.module_utils.module_shell import (
    fail,
    open_module,
)


def argument_spec():
    spec = dict(AUTH_ARG_SPEC)
    spec.update(
        plan=dict(type="dict", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        force_conflicts=dict(type="bool", default=False),
        wait=dict(type="str", default="rollout", choices=list(WAIT_MODES)),
        wait_timeout=dict(type="int"),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    open_module(module)
    params = module.params
    client = None
    try:
        client = client_from_params(params)
        if params["state"] == "absent":
            out = undo_plan(
                client, params["plan"], check_mode=module.check_mode, want_diff=module._diff
            )
        else:
            out = apply_plan(
                client,
                params["plan"],
                force_conflicts=params["force_conflicts"],
                check_mode=module.check_mode,
                wait=params["wait"],
                wait_timeout=params["wait_timeout"],
                want_diff=module._diff,
            )
    except (ApplyError, K8sError) as exc:
        fail(module, exc, client, requests=True)
    result = dict(out, api_requests=dict(client.request_counts))
    if module._diff:
        before, after = {}, {}
        for entry in out["results"]:
            if "diff" in entry:
                before[entry["patch"]] = entry["diff"]["before"]
                after[entry["patch"]] = entry["diff"]["after"]
        result["diff"] = {"before": before, "after": after}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
