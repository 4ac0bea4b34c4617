# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
#
# Standard attribute descriptions (community.docker's _attributes style). A module extends
#   - meshgate.istio_lb.attributes
#   - meshgate.istio_lb.attributes.actiongroup_istio_lb
#   - meshgate.istio_lb.attributes.info_module      (read-only modules)
# and states its own support level under attributes:, for example
#   attributes:
#     check_mode: {support: full}
#     diff_mode: {support: full}
#     idempotent: {support: full}

from __future__ import annotations


class ModuleDocFragment:
    # Standard documentation fragment
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
      - This assumes that the system controlled/queried by the module has not changed in a relevant way.
"""

    # Should be used together with the standard fragment
    ACTIONGROUP_ISTIO_LB = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/meshgate.istio_lb.istio_lb) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - meshgate.istio_lb.istio_lb
"""

    # Should be used together with the standard fragment, for modules that never change anything
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
  idempotent:
    support: full
    details:
      - This action does not modify state.
"""
