# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""What a finding rule is: the codes it raises, when it runs, what it reads, and its check.

Like istioctl analyze's analyzers: each rule is declared once, in the file of its group under
detect/findings/, and the message catalog (messages.py) stays data. detect/findings/rules.py
collects them and runs each at its stage.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

# When a rule runs, and what its check is given.
STAGES = {
    # check(idx, state, istio) -> findings; state: load_balancers.py lb_start()'s
    "lb": "each in-cluster load balancer, before its routes are seen",
    # check(idx, state, routes, istio, store): the routes of one page that the LB serves
    # (annotated, in route order); store: this rule's per-LB memory; release(store) ->
    # findings at the end, if the LB's mode lets them stand (`stands`)
    "lb_routes": "each page of the routes an in-cluster load balancer serves",
    # check(state, istio, mode) -> findings
    "lb_end": "each in-cluster load balancer, once its mode is known",
    # check(idx, cloud, istio) -> findings; cloud: detect/cloud.py's view of one cloud LB
    "cloud_lb": "each cloud load balancer (a cloud route, cloud Gateway or LoadBalancer Service)",
    # check(idx, routes) -> findings
    "route_page": "each page of routes, whoever serves them",
    # check(idx, istio, load_balancers) -> findings
    "cluster": "once, after everything is detected",
}
# Findings collected from routes that stand only when the LB turns out not to be chained (its
# routes then do not reach the backends through the Istio gateway).
STANDS = ("always", "unless_chained")


class Rule(NamedTuple):
    codes: tuple
    when: str
    inputs: str  # what it reads, for the reader of the catalog
    check: Callable
    store: Callable = list  # lb_routes: makes the rule's empty per-LB memory
    release: Callable = list  # lb_routes: the findings its memory holds at the end
    stands: str = "always"
