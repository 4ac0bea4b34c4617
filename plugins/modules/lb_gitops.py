#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_gitops
short_description: Merge a plan's Helm values into a file of a GitOps repository checkout
version_added: 0.1.0
author:
  - meshgate platform team (@meshgate)
description:
  - For a load balancer kept by Helm, Argo CD or Flux, M(meshgate.istio_lb.lb_plan) gives the
    change as Helm values (C(plan.gitops[].helm_values)). This module merges those values into
    the file of your GitOps checkout that holds the release's values, so the change goes
    through your review and your sync instead of a direct patch the next sync would revert.
  - "The file can be a Helm values file, a Flux C(HelmRelease) (the values go into
    C(spec.values)) or an Argo CD C(Application) (C(spec.source.helm.valuesObject), or the
    chart's entry of C(spec.sources) for a multi-source Application). A file of several YAML
    documents is supported: the C(HelmRelease) or C(Application) is chosen by O(name) and
    O(namespace), which default to the object the plan names as the owner."
  - Merge semantics are Helm's own for values files. Mappings are merged key by key,
    recursively; a scalar or a list is replaced as a whole by the plan's value (lists are never
    merged item by item); nothing is removed. Existing keys keep their place, comments and
    quoting; new keys go at the end of their mapping. Lines the merge does not change are left
    exactly as they were.
  - "An Argo CD Application whose values are a string (C(helm.values: |)) is edited inside the
    string: Argo CD ignores C(helm.values) once C(helm.valuesObject) is set, so adding
    C(valuesObject) would drop the values already there."
  - "Refuses, leaving the file untouched, when the file is not valid YAML; when the object does
    not install the plan's chart (C(spec.chart.spec.chart) of a HelmRelease, C(spec.source.chart)
    of an Application) or installs another exact version than the one the values were made for
    (the chart the cluster runs, or O(version)); when the HelmRelease or Application is not in
    the file; and when a values file sits beside a C(Chart.yaml) of another chart (an umbrella
    chart that depends on the plan's chart needs O(values_path))."
  - Works on local files only; it never contacts a cluster, a Git server or a chart repository,
    and never commits.
options:
  path:
    description:
      - The file to edit, in your GitOps checkout. It must exist.
    type: path
    required: true
  plan:
    description:
      - The registered M(meshgate.istio_lb.lb_plan) result, its C(plan), or one entry of its
        C(plan.gitops). The values, the chart and its version, and the owner's HelmRelease or
        Application are read from the entry of O(target).
      - Mutually exclusive with O(values).
    type: dict
  target:
    description:
      - Which entry of the plan's C(gitops) list to merge, by its target object (the load
        balancer workload). Needed when the plan has more than one entry with Helm values.
    type: dict
    suboptions:
      kind:
        description: Kind of the target (C(Deployment), C(DaemonSet)).
        type: str
      namespace:
        description: Namespace of the target.
        type: str
      name:
        description: Name of the target.
        type: str
  values:
    description:
      - Helm values to merge, given directly instead of a plan. Nothing about the chart is then
        known unless O(chart) and O(version) are set.
    type: dict
  values_path:
    description:
      - Keys, separated by dots, under which the values are merged, for example the subchart's
        key (its alias or name) in the values file of an umbrella chart.
    type: str
  file_type:
    description:
      - What the file is. V(auto) tells from its content, a C(HelmRelease) or C(Application)
        document makes it one, otherwise it is a values file (a file of other Kubernetes objects
        is refused).
    type: str
    default: auto
    choices: [auto, values, helmrelease, application]
  name:
    description:
      - Name of the C(HelmRelease) or C(Application) to edit. Defaults to the owner the plan
        names (the Flux HelmRelease, the Argo CD Application); else, the one that installs the
        plan's chart (and, for Flux, makes its Helm release), else the only one in the file.
    type: str
  namespace:
    description:
      - Namespace of that object. A document without C(metadata.namespace) (kustomize sets it)
        matches any.
    type: str
  chart:
    description:
      - The chart the file must install. Defaults to the chart the plan's values were made for
        (the C(helm.sh/chart) label of the running release).
    type: str
  version:
    description:
      - The chart version the file must install. Defaults to the version the cluster runs, from
        the plan. A file that asks for a version range is not checked (a warning says so).
    type: str
  backup:
    description:
      - Keep a copy of the file, with a timestamp in its name, before changing it.
    type: bool
    default: false
extends_documentation_fragment:
  - meshgate.istio_lb.attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode computes the merge and reports what would change; it writes nothing.
  diff_mode:
    support: full
    details:
      - Returns the file's text before and after the merge.
  idempotent:
    support: full
    details:
      - When the file already holds the values, nothing is written (its modification time is unchanged).
requirements:
  - python >= 3.9
  - ruamel.yaml >= 0.18.0
notes:
  - Not in the C(group/meshgate.istio_lb.istio_lb) action group, whose defaults are the
    cluster options this module does not take.
  - Helm values the chart cannot take (C(helm_notes) of the plan entry) are returned in
    RV(notes); the plan's kustomize patch covers them.
seealso:
  - module: meshgate.istio_lb.lb_plan
  - module: meshgate.istio_lb.lb_apply
"""

EXAMPLES = r"""
- name: Plan Istio's recipe for the in-cluster load balancers
  meshgate.istio_lb.lb_plan:
    mode: standalone_mtls
  register: lb

- name: Merge the values of each GitOps-kept load balancer into the file that keeps its release
  meshgate.istio_lb.lb_gitops:
    plan: "{{ item }}"
    path: "{{ gitops_checkout }}/{{ gitops_files[item.target.name] }}"
  loop: "{{ lb.plan.gitops | selectattr('helm_values', 'defined') }}"
  loop_control:
    label: "{{ item.target.kind }} {{ item.target.namespace }}/{{ item.target.name }}"

- name: A Flux HelmRelease in a file of several documents, chosen by name
  meshgate.istio_lb.lb_gitops:
    plan: "{{ lb }}"
    target: {kind: Deployment, namespace: ingress-nginx, name: edge-ingress-nginx-controller}
    path: clusters/prod/ingress/release.yaml
    name: edge
    namespace: flux-system

- name: Values given directly, into the subchart key of an umbrella chart's values file
  meshgate.istio_lb.lb_gitops:
    path: charts/edge-stack/values.yaml
    values_path: ingress-nginx
    chart: ingress-nginx
    values:
      controller:
        podLabels:
          sidecar.istio.io/inject: "true"
"""

RETURN = r"""
path:
  description: The file.
  returned: always
  type: str
file_type:
  description: What the file was edited as, V(values), V(HelmRelease) or V(Application).
  returned: always
  type: str
object:
  description: The C(kind), C(name) and C(namespace) of the HelmRelease or Application edited.
  returned: always
  type: dict
values_at:
  description:
    - Where the values are in the document, C(.) for a values file, C(spec.values),
      C(spec.source.helm.valuesObject), C(spec.sources[0].helm.valuesObject) or C(spec.source.helm.values).
  returned: always
  type: str
chart:
  description: The chart C(name) and C(version) the file installs, as far as it says (null for a values file without Chart.yaml).
  returned: always
  type: dict
changes:
  description:
    - Each key added or replaced, C(path) (C(controller.podLabels["sidecar.istio.io/inject"])),
      C(action) (V(added) or V(replaced)) and, when replaced, C(before).
  returned: always
  type: list
  elements: dict
notes:
  description: What the chart cannot take through values (the plan entry's C(helm_notes)).
  returned: when given a plan
  type: list
  elements: str
backup_file:
  description: The copy made before the change.
  returned: when O(backup=true) and the file changed
  type: str
diff:
  description: The file's text before and after.
  returned: when diff mode is on and the file changes
  type: dict
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.edit import (
    FILE_TYPES,
    edit_text,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.errors import (
    GitopsEditError,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.files import (
    chart_beside,
    read_text,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.plan_input import (
    expectations,
    select_entry,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.gitops_edit.yaml_rt import (
    HAS_RUAMEL,
)
from ansible_collections.meshgate.istio_lb.plugins.module_utils.module_shell import (
    fail,
    open_module,
)


def argument_spec():
    return dict(
        path=dict(type="path", required=True),
        plan=dict(type="dict"),
        target=dict(
            type="dict",
            options=dict(kind=dict(type="str"), namespace=dict(type="str"), name=dict(type="str")),
        ),
        values=dict(type="dict"),
        values_path=dict(type="str"),
        file_type=dict(type="str", default="auto", choices=list(FILE_TYPES)),
        name=dict(type="str"),
        namespace=dict(type="str"),
        chart=dict(type="str"),
        version=dict(type="str"),
        backup=dict(type="bool", default=False),
    )


def request(params):
    """The values to merge and what the file must be, from the plan entry and the options (an
    option wins over what the plan says)."""
    if params["plan"] is None:
        return params["values"], {}, None
    entry = select_entry(params["plan"], params["target"])
    return entry["helm_values"], expectations(entry), list(entry.get("helm_notes") or ())


def write(module, path, text):
    """Replace the file atomically (its mode and owner kept); returns the backup's path."""
    backup = module.backup_local(path) if module.params["backup"] else None
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".lb_gitops.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    module.atomic_move(tmp, os.path.abspath(path))
    return backup


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        mutually_exclusive=[("plan", "values")],
        required_one_of=[("plan", "values")],
        supports_check_mode=True,
    )
    open_module(module, None if HAS_RUAMEL else missing_required_lib("ruamel.yaml"))
    p = module.params
    path = p["path"]
    try:
        values, expected, notes = request(p)
        for key in ("chart", "version", "name", "namespace"):
            if p[key]:
                expected[key] = p[key]
        text = read_text(path)
        result = edit_text(
            text,
            values,
            path=path,
            file_type=p["file_type"],
            chart_meta=chart_beside(path),
            values_path=p["values_path"],
            **{k: expected.get(k) for k in ("chart", "version", "name", "namespace", "release")},
        )
    except GitopsEditError as exc:
        fail(module, exc)
    for warning in result.pop("warnings"):
        module.warn(warning)
    out = dict(result, path=path)
    new_text = out.pop("text")
    if notes is not None:
        out["notes"] = notes
    if out["changed"] and module._diff:
        out["diff"] = dict(before=text, after=new_text, before_header=path, after_header=path)
    if out["changed"] and not module.check_mode:
        backup = write(module, path, new_text)
        if backup:
            out["backup_file"] = backup
    module.exit_json(**out)


if __name__ == "__main__":
    main()
