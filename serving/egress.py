"""Outbound HTTP to endpoints a visitor typed: https only, and only to public internet addresses.

A public deployment that lets visitors bring their own endpoint must not become a way to reach
what only the server can reach (loopback, private ranges, link-local cloud metadata such as
169.254.169.254). The address is checked where the connection is made: `PublicOnlyBackend`
resolves the host once, refuses it unless every address is public, and connects to the checked
address itself, so a DNS answer that changes between a check and the connect does not get through.
Proxies from the environment are ignored for these clients (a proxy would be the address connected to).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpcore2
import httpx2


class EgressRefused(httpcore2.ConnectError):
    """A connection to a non-public address was refused; the message says which and why."""


def blocked_reason(address: str) -> str | None:
    """Why `address` (an IPv4/IPv6 literal) may not be contacted, or None when it is a public address.

    Refused: loopback, private (RFC 1918, ULA), link-local (incl. 169.254.169.254 cloud metadata),
    multicast, reserved, unspecified, shared/CGNAT and documentation ranges: anything Python's
    `ipaddress` does not mark `is_global`. IPv4-mapped IPv6 addresses are judged as their IPv4 address.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for label, flag in (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local or metadata", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    ):
        if flag:
            return label
    return None if ip.is_global else "not a public address"


def public_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, when all of them are public.

    Raises EgressRefused naming the first non-public address (a host that resolves to a public and a
    private address is refused: the resolver's order must not decide), or when it does not resolve.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise EgressRefused(f"cannot resolve {host!r}: {exc}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        reason = blocked_reason(address)
        if reason:
            raise EgressRefused(
                f"{host} resolves to {address} ({reason}); only public internet "
                "addresses may be used as a visitor's endpoint"
            )
    if not addresses:
        raise EgressRefused(f"{host!r} resolves to no address")
    return addresses


def check_visitor_url(url: str) -> None:
    """Refuse a visitor's base URL that is not https or whose host is not public.

    Raises ValueError with text for the visitor. This early check gives a clear message before any
    request; `PublicOnlyBackend` repeats it on the address actually connected to.
    """
    parts = urlsplit(url.strip())
    if parts.scheme != "https":
        raise ValueError(f"A base URL of your own must use https:// (got {parts.scheme or 'no'} scheme).")
    if not parts.hostname:
        raise ValueError(f"The base URL {url!r} has no host name.")
    try:
        public_addresses(parts.hostname, parts.port or 443)
    except EgressRefused as exc:
        raise ValueError(f"This server does not connect there: {exc}.") from None


class PublicOnlyBackend(httpcore2.SyncBackend):
    """httpcore network backend that connects only to public addresses, to the address it checked."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        """Resolve `host`, refuse non-public answers (EgressRefused), connect to the first address."""
        address = public_addresses(host, port)[0]
        return super().connect_tcp(
            address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )


class PublicOnlyTransport(httpx2.HTTPTransport):
    """httpx transport over `PublicOnlyBackend`; TLS still verifies the certificate of the host name."""

    def __init__(self):
        super().__init__(trust_env=False)
        self._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(trust_env=False), network_backend=PublicOnlyBackend()
        )


def public_only_client(timeout: float) -> httpx2.Client:
    """An httpx client for visitor endpoints: public addresses only, no environment proxies, no redirects.

    `timeout`: seconds per request. Pass it as `http_client` to `openai.OpenAI`.
    """
    return httpx2.Client(transport=PublicOnlyTransport(), timeout=timeout, trust_env=False, follow_redirects=False)
