"""The client's network address, as every part of Guichet that needs one reads it: the log-in
lock-out (django-axes, through AXES_CLIENT_IP_CALLABLE) and the log-in throttle.

By default it is the peer of the connection (REMOTE_ADDR). Behind a reverse proxy that peer is
the proxy, for every client alike; the proxy names its client in X-Forwarded-For, but so can
anyone who sends the header. So the header is read only when the peer is one of the proxies
listed in GUICHET_TRUSTED_PROXIES, and from the right: each trusted proxy appends the address it
received the request from, so the right-most entry that is not a trusted proxy is the client
seen by the outermost proxy we trust. Whatever lies further left was written by the client
itself and is never believed.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(text: object) -> IPAddress | None:
    """An IP address, IPv4 for an IPv4-mapped IPv6 address and without an IPv6 zone; None for
    anything else (an empty peer on a Unix socket, a port, "unknown")."""
    try:
        address = ipaddress.ip_address(str(text or "").strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=4)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    # settings.py checked them (guichet.env.env_ip_networks); tests may set them directly.
    return tuple(ipaddress.ip_network(entry) for entry in entries)


def _is_trusted(address: IPAddress, proxies: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent `request`, normalised ("2001:db8::1"), or None when
    the peer has no IP address (Guichet served on a Unix socket)."""
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    proxies = _networks(tuple(settings.GUICHET_TRUSTED_PROXIES))
    if not _is_trusted(peer, proxies):
        return str(peer)  # no proxy we trust: a forwarded header is the client's own word
    client = peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for entry in reversed(forwarded.split(",")):
        hop = parse_address(entry)
        if hop is None:
            break  # not an address: nothing to its left can be believed either
        client = hop
        if not _is_trusted(hop, proxies):
            break
    return str(client)
