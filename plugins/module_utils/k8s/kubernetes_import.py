# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""The lazy import of the ``kubernetes`` package, for what the static loader does not handle (a
kubeconfig user with ``exec``, ``auth-provider`` or any other key, and the in-cluster service
account), with a clear error when it is not installed. Nothing else imports it: it costs
~0.1 s of CPU and 10+ MB per module run.
"""

from __future__ import annotations

from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.errors import K8sError


def import_kubernetes():
    try:
        from kubernetes.client import configuration as k8s_configuration
        from kubernetes.client import rest as k8s_rest
        from kubernetes.config import incluster_config, kube_config
        from kubernetes.config.config_exception import ConfigException
    except ImportError as exc:
        raise K8sError(
            "config",
            "the Python library 'kubernetes' is required to talk to a cluster but could not be "
            "imported (%s). Install it on the host that runs the module (pip install "
            "'kubernetes>=24.2.0', or add it to the execution environment), or read manifests "
            "offline with src" % exc,
        ) from None
    return k8s_configuration, k8s_rest, kube_config, incluster_config, ConfigException
