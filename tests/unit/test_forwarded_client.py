"""The client's address behind proxies (api.security.forwarded_client): X-Forwarded-For is
believed only from a configured proxy, and only its rightmost untrusted hop."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from needlepoint.entrypoints.api.security import forwarded_client, parse_origin

PROXIES = (ip_network("10.0.0.0/8"), ip_network("::1"))


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),  # not a proxy: the header is ignored
        ("10.0.0.2", [], "10.0.0.2"),  # a proxy without the header
        ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.2", ["1.2.3.4, 198.51.100.1"], "198.51.100.1"),  # the leftmost is the client's say
        ("10.0.0.2", ["198.51.100.1, 10.0.0.9"], "198.51.100.1"),  # two proxies
        ("10.0.0.2", ["1.2.3.4", "198.51.100.1"], "198.51.100.1"),  # two headers, in order
        ("10.0.0.2", ["198.51.100.1, not-an-address"], "10.0.0.2"),  # malformed: the proxy
        ("10.0.0.2", ["10.0.0.7, 10.0.0.9"], "10.0.0.7"),  # all proxies: the first
        ("::1", ["2001:db8::1"], "2001:db8::1"),
        ("unknown", ["198.51.100.1"], "unknown"),
    ],
)
def test_the_client_is_the_rightmost_hop_no_trusted_proxy_wrote(
    peer: str, forwarded_for: list[str], client: str
) -> None:
    assert forwarded_client(peer, forwarded_for, PROXIES) == client


def test_without_proxies_the_peer_is_the_client() -> None:
    assert forwarded_client("10.0.0.2", ["198.51.100.1"], ()) == "10.0.0.2"


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://clinic.example", ("https", "clinic.example", 443)),
        ("HTTPS://Clinic.Example:443", ("https", "clinic.example", 443)),
        ("http://127.0.0.1:8000", ("http", "127.0.0.1", 8000)),
        ("null", None),
        ("file://", None),
        ("https://clinic.example:99999", None),
    ],
)
def test_origins_are_compared_by_scheme_host_and_port(
    text: str, origin: tuple[str, str, int] | None
) -> None:
    assert parse_origin(text) == origin
