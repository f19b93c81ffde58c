"""TR-1 over real HTTP: ``needlepoint serve`` with NEEDLEPOINT_HTTPS_ONLY behind a proxy.

The test client is the proxy: it connects from 127.0.0.1 and sends ``X-Forwarded-Proto``.
Trusted (127.0.0.1 in NEEDLEPOINT_TRUSTED_PROXIES), ``https`` is believed: the page is served
with HSTS. Untrusted (only 10.0.0.2 trusted), the header is ignored and the request is plain
HTTP: 308 to the public URL, never to the Host header.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from needlepoint.config import Settings, SettingsError
from serving import environment, serving

PUBLIC = "https://clinic.example.test"
MIN_HSTS_SECONDS = 31536000
SECRETS = {
    "NEEDLEPOINT_WEB_SECRET": "w" * 64,
    "NEEDLEPOINT_AUDIT_KEY": "a" * 64,
    "NEEDLEPOINT_FIELD_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
}


def _settings(trusted: str) -> dict[str, str]:
    return {
        "NEEDLEPOINT_HTTPS_ONLY": "1",
        "NEEDLEPOINT_PUBLIC_URL": PUBLIC,
        "NEEDLEPOINT_TRUSTED_PROXIES": trusted,
        **SECRETS,
    }


def _hsts_seconds(response: httpx.Response) -> int:
    header = response.headers["strict-transport-security"]
    (max_age,) = (p.strip() for p in header.split(";") if p.strip().startswith("max-age="))
    return int(max_age.removeprefix("max-age="))


@pytest.mark.slow
def test_tr1_http_is_redirected_and_https_has_hsts_from_a_trusted_proxy(tmp_path: Path) -> None:
    env = environment(tmp_path, _settings("127.0.0.1"))
    with serving(env, options=("--workers", "2")) as url, httpx.Client(base_url=url) as http:
        https = [
            http.get("/login", headers={"X-Forwarded-Proto": "https"}) for _ in range(4)
        ]  # several answers: both workers
        api = http.get("/api/v1/auth/me", headers={"X-Forwarded-Proto": "https"})
        plain = http.get(
            "/patients?q=1", headers={"X-Forwarded-Proto": "http", "Host": "evil.example"}
        )
        bare = http.post("/login", headers={"Host": "evil.example"}, data={"x": "1"})

    assert {r.status_code for r in https} == {200}
    assert min(_hsts_seconds(r) for r in [*https, api]) >= MIN_HSTS_SECONDS
    assert https[0].headers["strict-transport-security"] == ("max-age=31536000; includeSubDomains")
    assert api.status_code == 401
    assert (plain.status_code, plain.headers["location"]) == (308, f"{PUBLIC}/patients?q=1")
    assert (bare.status_code, bare.headers["location"]) == (308, f"{PUBLIC}/login")
    assert "strict-transport-security" not in plain.headers


@pytest.mark.slow
def test_tr1_forwarded_proto_from_an_untrusted_peer_is_ignored(tmp_path: Path) -> None:
    env = environment(tmp_path, _settings("10.0.0.2"))
    with serving(env) as url, httpx.Client(base_url=url) as http:
        forged = http.get(
            "/login",
            headers={
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "10.0.0.2",
                "Host": "evil.example",
            },
        )

    assert (forged.status_code, forged.headers["location"]) == (308, f"{PUBLIC}/login")
    assert "strict-transport-security" not in forged.headers


def test_tr1_https_only_needs_an_https_public_url() -> None:
    with pytest.raises(SettingsError, match="NEEDLEPOINT_PUBLIC_URL"):
        Settings.from_env(
            {"NEEDLEPOINT_HTTPS_ONLY": "1", "NEEDLEPOINT_PUBLIC_URL": "http://clinic.example"}
        )
    assert not Settings.from_env({}).https_only
