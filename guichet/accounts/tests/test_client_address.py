"""The client's address: the connection's peer, or what a trusted proxy forwarded; and the
setting that lists the trusted proxies."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from guichet.accounts.client_address import client_address
from guichet.env import env_ip_networks

PROXIES = ["10.0.0.0/8", "192.0.2.1/32", "2001:db8:ffff::/48"]


def address(peer: str, forwarded: str | None = None) -> str | None:
    meta: dict[str, Any] = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().post("/accounts/login/", **meta))


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header() -> None:
    assert address("198.51.100.7") == "198.51.100.7"
    assert address("198.51.100.7", "203.0.113.1") == "198.51.100.7"
    assert address("10.0.0.2", "203.0.113.1") == "10.0.0.2"


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # A peer that is not a trusted proxy: its header is ignored.
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),
        # The proxy appended its client's address (nginx: $proxy_add_x_forwarded_for).
        ("10.0.0.2", "203.0.113.1", "203.0.113.1"),
        # The client sent a header of its own; the proxy appended the real address after it.
        ("10.0.0.2", "6.6.6.6, 203.0.113.1", "203.0.113.1"),
        ("10.0.0.2", "10.0.0.9, 203.0.113.1", "203.0.113.1"),
        # Two trusted proxies in a row: the first untrusted address from the right.
        ("10.0.0.2", "6.6.6.6, 203.0.113.1, 192.0.2.1", "203.0.113.1"),
        # Headers repeated by the client and joined by the server, spaces, IPv6.
        ("10.0.0.2", "6.6.6.6,203.0.113.1 ,  2001:DB8:0:0::1", "2001:db8::1"),
        ("2001:db8:ffff::5", "2001:db8:1::7", "2001:db8:1::7"),
        # An IPv4 client seen through IPv6.
        ("::ffff:10.0.0.2", "::ffff:203.0.113.1", "203.0.113.1"),
        # No header, an empty one, or only trusted proxies: the last trusted hop.
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "192.0.2.1", "192.0.2.1"),
        # Something that is not an address stops the walk: nothing left of it is believed.
        ("10.0.0.2", "203.0.113.1, unknown", "10.0.0.2"),
        ("10.0.0.2", "203.0.113.1:4711", "10.0.0.2"),
        ("10.0.0.2", "203.0.113.1, 192.0.2.1, garbage", "10.0.0.2"),
        ("10.0.0.2", "garbage, 192.0.2.1", "192.0.2.1"),
    ],
)
def test_behind_trusted_proxies(
    settings: Any, peer: str, forwarded: str | None, client: str
) -> None:
    settings.GUICHET_TRUSTED_PROXIES = PROXIES
    assert address(peer, forwarded) == client


def test_a_peer_without_an_ip_address_has_none(settings: Any) -> None:
    settings.GUICHET_TRUSTED_PROXIES = PROXIES
    assert address("", "203.0.113.1") is None  # a Unix socket


def test_axes_reads_the_same_address(settings: Any) -> None:
    from axes.helpers import get_client_ip_address

    settings.GUICHET_TRUSTED_PROXIES = PROXIES
    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.1"
    )
    assert get_client_ip_address(request) == "203.0.113.1"


# --- The setting -----------------------------------------------------------------------------


def test_trusted_proxies_are_none_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings as live

    monkeypatch.delenv("GUICHET_TRUSTED_PROXIES", raising=False)
    assert env_ip_networks("GUICHET_TRUSTED_PROXIES") == []
    monkeypatch.setenv("GUICHET_TRUSTED_PROXIES", "")
    assert env_ip_networks("GUICHET_TRUSTED_PROXIES") == []
    assert live.GUICHET_TRUSTED_PROXIES == []


def test_trusted_proxies_are_read_as_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUICHET_TRUSTED_PROXIES", " 10.0.0.2, 172.16.0.0/12 ,::1,2001:DB8::/32")
    assert env_ip_networks("GUICHET_TRUSTED_PROXIES") == [
        "10.0.0.2/32",
        "172.16.0.0/12",
        "::1/128",
        "2001:db8::/32",
    ]


@pytest.mark.parametrize("value", ["nginx", "10.0.0.5/8", "10.0.0.0/33", "10.0.0.2:8000"])
def test_a_bad_trusted_proxy_stops_the_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("GUICHET_TRUSTED_PROXIES", f"10.0.0.1, {value}")
    with pytest.raises(ImproperlyConfigured) as refused:
        env_ip_networks("GUICHET_TRUSTED_PROXIES")
    assert str(refused.value) == (
        f"GUICHET_TRUSTED_PROXIES must list IP addresses or CIDR ranges, not {value!r}"
    )
