# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
# SPDX-License-Identifier: Apache-2.0
"""The urllib3 connection pool for a StaticConfig (``static_pool_manager``, what kubernetes'
RESTClientObject would build) and proxy handling: ``no_proxy`` matching, credentials in a
proxy URL moved into Proxy-Authorization (``proxy_credentials``), and a proxy URL fit to be
shown (``proxy_for_display``).
"""

from __future__ import annotations

_SOCKS_PROXY_SCHEMES = frozenset(("socks5", "socks5h", "socks4", "socks4a"))


def _should_bypass_proxies(url, no_proxy):
    """kubernetes.client.rest.should_bypass_proxies: does ``url`` match a ``no_proxy`` rule?"""
    import ipaddress
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if not parsed.hostname:
        return True
    host = parsed.hostname.lower()
    host_and_port = parsed.netloc.lower()
    try:
        host_ip = ipaddress.ip_address(host)
    except ValueError:
        host_ip = None
    for entry in (entry.strip().lower() for entry in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        if host_ip is not None:
            try:
                if host_ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
        entry = entry.lstrip(".")
        if (
            host == entry
            or host.endswith("." + entry)
            or host_and_port == entry
            or host_and_port.endswith("." + entry)
        ):
            return True
    return False


def static_pool_manager(configuration):
    """The urllib3 pool kubernetes' RESTClientObject(configuration) would build."""
    import ssl

    import urllib3

    pool_args = {
        "cert_reqs": ssl.CERT_REQUIRED if configuration.verify_ssl else ssl.CERT_NONE,
        "ca_certs": configuration.ssl_ca_cert,
        "cert_file": configuration.cert_file,
        "key_file": configuration.key_file,
        "ca_cert_data": None,
    }
    if configuration.tls_server_name:
        pool_args["server_hostname"] = configuration.tls_server_name
    if configuration.connection_pool_maxsize is not None:
        pool_args["maxsize"] = configuration.connection_pool_maxsize
    proxy = configuration.proxy
    if proxy and not _should_bypass_proxies(configuration.host, configuration.no_proxy or ""):
        scheme = proxy.split("://", 1)
        if len(scheme) == 2 and scheme[0].lower() in _SOCKS_PROXY_SCHEMES:
            from urllib3.contrib.socks import SOCKSProxyManager

            pool_args["proxy_url"] = proxy
            pool_args["headers"] = configuration.proxy_headers
            return SOCKSProxyManager(**pool_args)
        pool_args["proxy_url"] = proxy
        pool_args["proxy_headers"] = configuration.proxy_headers
        return urllib3.ProxyManager(**pool_args)
    return urllib3.PoolManager(**pool_args)


def proxy_for_display(proxy):
    """A proxy URL without the user and password it may carry."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(proxy or "")
    except ValueError:
        return "<invalid proxy URL>"
    if parts.username is None and parts.password is None:
        return proxy
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=host).geturl()


def proxy_credentials(cfg, secrets):
    """``http://user:password@proxy:3128``: kubectl sends them as Proxy-Authorization, urllib3
    ignores them in the URL. Move them into the proxy headers (an explicit
    proxy_headers.proxy_basic_auth wins) and keep the password out of every message. SOCKS
    proxies take them from the URL, so theirs stay."""
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(cfg.proxy)
        user, password = parts.username, parts.password
    except ValueError:
        return  # the pool reports the bad URL (its message is redacted)
    if user is None and password is None:
        return
    if password:
        secrets.add(unquote(password))
        secrets.add(password)
    if parts.scheme.lower() in _SOCKS_PROXY_SCHEMES:
        return
    import urllib3

    headers = dict(cfg.proxy_headers or {})
    if not any(k.lower() == "proxy-authorization" for k in headers):
        headers.update(
            urllib3.util.make_headers(
                proxy_basic_auth="%s:%s" % (unquote(user or ""), unquote(password or ""))
            )
        )
    cfg.proxy_headers = headers
    cfg.proxy = proxy_for_display(cfg.proxy)
