# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
#
# Options for authenticating with the Kubernetes API. Names, types, aliases and K8S_AUTH_*
# environment variables are those of kubernetes.core's k8s_auth_options fragment, so playbooks,
# module_defaults and AWX/AAP credentials written for kubernetes.core work unchanged.
# The argument spec is AUTH_ARG_SPEC in plugins/module_utils/k8s/args.py: keep both in sync
# (ansible-test validate-modules compares them).

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  host:
    description:
      - URL of the Kubernetes API server, for example V(https://k8s.example.com:6443).
      - Can also be specified via E(K8S_AUTH_HOST) environment variable.
      - With O(api_key), or with O(client_cert) and O(client_key), no kubeconfig is read.
        Otherwise it overrides the server of the kubeconfig context.
    type: str
  api_key:
    description:
      - Token used to authenticate with the API, sent as a bearer token in the C(Authorization) header.
      - Can also be specified via E(K8S_AUTH_API_KEY) environment variable.
    type: str
  kubeconfig:
    description:
      - Path to an existing Kubernetes config file. If not provided, and no other connection
        options are provided, E(KUBECONFIG) or C(~/.kube/config) is used when it exists, and the
        in-cluster service account of a pod as the last resort.
      - Can also be specified via E(K8S_AUTH_KUBECONFIG) environment variable.
      - Multiple Kubernetes config files can be provided using separator C(;) for Windows
        platform or C(:) for other platforms. The first definition of a name wins.
      - The Kubernetes configuration can be provided as dictionary. Tokens, passwords and
        key/certificate data of such a dictionary are masked in the module's output.
    type: raw
  context:
    description:
      - The name of a context found in the config file. Defaults to its C(current-context).
      - Can also be specified via E(K8S_AUTH_CONTEXT) environment variable.
      - An unknown context fails with the list of the available ones.
    type: str
  client_cert:
    description:
      - Path to a certificate used to authenticate with the API.
      - Can also be specified via E(K8S_AUTH_CERT_FILE) environment variable.
    type: path
    aliases: [cert_file]
  client_key:
    description:
      - Path to a key file used to authenticate with the API.
      - Can also be specified via E(K8S_AUTH_KEY_FILE) environment variable.
    type: path
    aliases: [key_file]
  ca_cert:
    description:
      - Path to a CA certificate used to authenticate with the API. The full certificate chain
        must be provided to avoid certificate validation errors.
      - Can also be specified via E(K8S_AUTH_SSL_CA_CERT) environment variable.
    type: path
    aliases: [ssl_ca_cert]
  validate_certs:
    description:
      - Whether or not to verify the API server's SSL certificates.
      - Can also be specified via E(K8S_AUTH_VERIFY_SSL) environment variable (V(0), V(false) and
        V(no) mean false).
      - Defaults to the kubeconfig's C(insecure-skip-tls-verify) setting, and to V(true).
    type: bool
    aliases: [verify_ssl]
  proxy:
    description:
      - The URL of an HTTP proxy to use for the connection.
      - Can also be specified via E(K8S_AUTH_PROXY) environment variable.
      - Please note that this module does not pick up typical proxy settings from the
        environment (for example E(HTTP_PROXY)); a kubeconfig C(proxy-url) is honoured.
    type: str
  no_proxy:
    description:
      - The comma separated list of hosts/domains/IP/CIDR that should not go through the proxy.
      - Can also be specified via E(K8S_AUTH_NO_PROXY) environment variable.
      - Please note that this module does not pick up typical proxy settings from the
        environment (for example E(NO_PROXY)).
      - Example value is C(localhost,.local,.example.com,127.0.0.1,127.0.0.0/8,10.0.0.0/8).
    type: str
  proxy_headers:
    description:
      - The headers sent to the HTTP proxy.
      - See U(https://urllib3.readthedocs.io/en/latest/reference/urllib3.util.html#urllib3.util.make_headers).
    type: dict
    suboptions:
      proxy_basic_auth:
        description:
          - Colon-separated username:password for proxy basic authentication header.
          - Can also be specified via E(K8S_AUTH_PROXY_HEADERS_PROXY_BASIC_AUTH) environment
            variable.
        type: str
      basic_auth:
        description:
          - Colon-separated username:password for basic authentication header.
          - Can also be specified via E(K8S_AUTH_PROXY_HEADERS_BASIC_AUTH) environment variable.
        type: str
      user_agent:
        description:
          - String representing the user-agent you want, such as C(foo/1.0).
          - Can also be specified via E(K8S_AUTH_PROXY_HEADERS_USER_AGENT) environment variable.
        type: str
  impersonate_user:
    description:
      - Username to impersonate for the operation.
      - Can also be specified via E(K8S_AUTH_IMPERSONATE_USER) environment variable.
    type: str
  impersonate_groups:
    description:
      - Group(s) to impersonate for the operation.
      - Can also be specified via E(K8S_AUTH_IMPERSONATE_GROUPS) environment variable, for
        example C(Group1,Group2).
    type: list
    elements: str
  request_timeout:
    description:
      - Time limit in seconds for connecting to the API server and for each answer to arrive,
        applied to every request.
      - Not a kubernetes.core option; there is no environment variable for it.
      - A read or dry run that fails on the way (connection refused or reset, an answer cut
        short, HTTP 429, 502, 503 or 504) is sent again, twice at most (after 0.5 and 1 s); a
        timeout is not, so this limit holds. A write is never sent again without reading the
        object first.
    type: int
    default: 30
notes:
  - Options and environment variables follow kubernetes.core. A module parameter wins over its
    C(K8S_AUTH_*) environment variable; for O(validate_certs), O(ca_cert), O(client_cert) and
    O(client_key) both spellings are read (for example E(K8S_AUTH_VALIDATE_CERTS) then
    E(K8S_AUTH_VERIFY_SSL)).
  - Unlike kubernetes.core, the in-cluster service account is tried only when no kubeconfig
    (O(kubeconfig), E(KUBECONFIG) or C(~/.kube/config)) exists.
  - To avoid SSL certificate validation errors when O(validate_certs=true), the full
    certificate chain for the API server must be provided via O(ca_cert) or in the
    O(kubeconfig) file.
  - The kubeconfig options C(username)/C(password) and C(persist_config) of kubernetes.core are
    not supported (basic authentication was removed from Kubernetes; refreshed tokens are never
    written back to your kubeconfig).
requirements:
  - kubernetes >= 24.2.0 (Python library), only when talking to a cluster with a kubeconfig user
    that has C(exec) or C(auth-provider) credentials, or with the in-cluster service account
"""
