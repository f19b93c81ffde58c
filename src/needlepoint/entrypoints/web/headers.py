"""Security headers on every web response, pages and static files alike.

The Content-Security-Policy allows scripts, styles and images from this origin only, and no
inline script or style at all: templates carry no ``<script>`` body, no ``style=`` and no
``on…=`` attributes, and htmx is told not to inject its indicator styles (ADR 0014).
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
"""Set on every web response. ``no-store``: pages hold patient data and CSRF tokens."""

PHOTO_HEADERS: Final = {"Content-Disposition": "inline", "Cache-Control": "private, no-store"}
"""A photo of a patient (scenario PB-2): shown inline, for this user only, never stored."""


def add_security_headers(headers: MutableHeaders) -> None:
    """Set ``SECURITY_HEADERS``; a route's own ``Cache-Control`` stays if it says no-store.

    A photo's ``private, no-store`` is kept; nothing weaker than no-store ever goes out.
    """
    for name, value in SECURITY_HEADERS.items():
        if name == "Cache-Control" and "no-store" in headers.get(name, ""):
            continue
        headers[name] = value


class SecurityHeaders:
    """ASGI middleware for the web routes: adds ``SECURITY_HEADERS`` to each response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)
