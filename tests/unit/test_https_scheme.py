"""TR-1 in one process: which requests count as HTTPS, and what the middleware answers.

The live-server checks are in ``tests/e2e/test_https_only.py``; these run the ASGI middleware
on hand-made scopes, so that the peer address can be anything.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.types import Message, Receive, Scope, Send

from needlepoint.entrypoints.api.transport import HSTS, HttpsOnly, came_over_https

PROXIES = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("::1/128"))
PUBLIC = "https://clinic.example/np"

untrusted_peers = st.one_of(
    st.ip_addresses(v=4).filter(lambda a: a not in PROXIES[0]).map(str),
    st.just("testclient"),
    st.just(""),
)
proto_values = st.lists(st.sampled_from(["https", "http", "HTTPS", " https", "ws", ""]), max_size=3)


def _scope(scheme: str, peer: str, protos: list[str], path: str = "/", query: bytes = b"") -> Scope:
    headers = [(b"x-forwarded-proto", ", ".join(protos).encode())] if protos else []
    return {
        "type": "http",
        "scheme": scheme,
        "client": (peer, 5000) if peer else None,
        "headers": [(b"host", b"evil.example"), *headers],
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "method": "GET",
    }


@given(peer=untrusted_peers, scheme=st.sampled_from(["http", "https"]), protos=proto_values)
def test_tr1_forwarded_proto_from_an_untrusted_peer_changes_nothing(
    peer: str, scheme: str, protos: list[str]
) -> None:
    assert came_over_https(_scope(scheme, peer, protos), PROXIES) is (scheme == "https")


@given(host=st.integers(1, 254), protos=proto_values.filter(bool))
def test_tr1_a_trusted_proxy_is_believed_by_its_last_value(host: int, protos: list[str]) -> None:
    scope = _scope("http", f"10.0.0.{host}", protos)

    assert came_over_https(scope, PROXIES) is (protos[-1].strip().lower() == "https")


def _answer(scope: Scope) -> list[Message]:
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(HttpsOnly(app, PUBLIC, PROXIES)(scope, receive, send))
    return sent


def _headers(message: Message) -> dict[str, str]:
    raw: Any = message["headers"]
    return {k.decode().lower(): v.decode() for k, v in raw}


def test_tr1_plain_http_is_redirected_to_the_public_url_not_the_host() -> None:
    start, _ = _answer(_scope("http", "192.0.2.7", ["https"], "/patients/a b", b"q=1"))

    assert start["status"] == 308
    assert _headers(start)["location"] == f"{PUBLIC}/patients/a b?q=1"
    assert "strict-transport-security" not in _headers(start)


def test_tr1_https_answers_carry_hsts() -> None:
    start, body = _answer(_scope("http", "10.0.0.2", ["https"]))

    assert (start["status"], body["body"]) == (200, b"page")
    assert _headers(start)["strict-transport-security"] == HSTS
    assert int(HSTS.split(";")[0].removeprefix("max-age=")) >= 31536000
