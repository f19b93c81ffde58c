"""HTTPS only (scenario TR-1, ADR 0040): plain HTTP is redirected, HTTPS answers carry HSTS.

With ``NEEDLEPOINT_HTTPS_ONLY`` on, a request that came over plain HTTP gets a 308 to the same
path under ``NEEDLEPOINT_PUBLIC_URL`` (an https:// address), never to the request's ``Host``
header, which the caller chose. Whether a request came over HTTPS is the socket's scheme, or
``X-Forwarded-Proto`` when, and only when, the socket peer is one of
``NEEDLEPOINT_TRUSTED_PROXIES``; from anyone else that header is ignored. needlepoint does not
terminate TLS itself: the proxy does, and sends ``X-Forwarded-Proto: https``.

Every answer to an HTTPS request has ``Strict-Transport-Security``: browsers then use HTTPS for
a year without trying HTTP first. With the setting off, nothing here changes a request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from needlepoint.config import IpNetwork

HSTS: Final = "max-age=31536000; includeSubDomains"
"""One year (the TR-1 figure is at least 31536000 seconds), subdomains included."""
REDIRECT_STATUS: Final = 308
"""Permanent, and the method and body are kept (a POST stays a POST)."""


def came_over_https(scope: Scope, proxies: Sequence[IpNetwork]) -> bool:
    """The socket's scheme, or the last ``X-Forwarded-Proto`` value from a trusted proxy."""
    client = scope.get("client")
    peer = client[0] if client else ""
    if _is_trusted(peer, proxies):
        forwarded = Headers(scope=scope).get("x-forwarded-proto")
        if forwarded is not None:
            return forwarded.split(",")[-1].strip().lower() == "https"
    return scope.get("scheme") == "https"


def _is_trusted(address: str, proxies: Sequence[IpNetwork]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in proxies)


class HttpsOnly:
    """308 from plain HTTP to ``public_url``; HSTS on every HTTPS answer."""

    def __init__(self, app: ASGIApp, public_url: str, proxies: Sequence[IpNetwork]) -> None:
        self.app = app
        self.public_url = public_url.rstrip("/")
        self.proxies = tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not came_over_https(scope, self.proxies):
            await self._redirect(scope, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_hsts)

    async def _redirect(self, scope: Scope, send: Send) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        path = scope.get("raw_path", b"").decode("latin-1") or scope.get("path", "/")
        location = f"{self.public_url}{path}" + (f"?{query}" if query else "")
        body = b"This site is served over HTTPS only.\n"
        headers = [
            (b"location", location.encode("latin-1")),
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": REDIRECT_STATUS, "headers": headers})
        await send({"type": "http.response.body", "body": body})
