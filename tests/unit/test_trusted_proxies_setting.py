"""NEEDLEPOINT_TRUSTED_PROXIES: addresses or networks, refused by name when malformed."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from needlepoint.config import Settings, SettingsError


def test_no_proxies_are_trusted_unless_configured() -> None:
    assert Settings.from_env({}).trusted_proxies == ()


def test_addresses_and_networks_are_read_with_spaces_and_empty_entries_ignored() -> None:
    settings = Settings.from_env({"NEEDLEPOINT_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8,,::1 "})

    assert settings.trusted_proxies == (
        ip_network("127.0.0.1/32"),
        ip_network("10.0.0.0/8"),
        ip_network("::1/128"),
    )


def test_a_malformed_entry_is_named_with_the_fix() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"NEEDLEPOINT_TRUSTED_PROXIES": "127.0.0.1,proxy.internal"})

    assert "NEEDLEPOINT_TRUSTED_PROXIES" in str(caught.value)
    assert "'proxy.internal'" in str(caught.value)
    assert "10.0.0.0/8" in str(caught.value)
