"""CSRF tokens: HMAC-SHA256 of the server secret and the browser's session (ADR 0014).

A signed-in browser's token is bound to its session cookie; before sign-in, to a random
pre-session cookie set with the login form. Pages put the token in a hidden ``csrf_token``
field of every form and in ``hx-headers`` on ``<body>`` (``X-CSRF-Token``), so htmx sends
it with every request. The app's one guard (``api.permissions.authorize``) refuses every
unsafe request (anything but GET, HEAD and OPTIONS) without the token of its binding, with
403, before its page runs (``api.security.is_proven_same_site``).
"""

from __future__ import annotations

from typing import Final

from starlette.responses import Response

from needlepoint.entrypoints.api import security

FIELD: Final = security.CSRF_FIELD
HEADER: Final = security.CSRF_HEADER
PRE_SESSION_COOKIE: Final = security.PRE_SESSION_COOKIE
SAFE_METHODS: Final = security.SAFE_METHODS


def token(secret: bytes, binding: str) -> str:
    """The token for a session (or pre-session) cookie value (the API's scheme, ADR 0023)."""
    return security.csrf_token(secret, binding)


def set_pre_session(response: Response, value: str, *, secure: bool) -> None:
    """Hand the browser its pre-session cookie (for the login form's token)."""
    response.set_cookie(
        PRE_SESSION_COOKIE, value, path="/", secure=secure, httponly=True, samesite="strict"
    )


def clear_pre_session(response: Response, *, secure: bool) -> None:
    """Forget the pre-session cookie once signed in."""
    response.delete_cookie(
        PRE_SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="strict"
    )
