"""CSRF tokens: HMAC-SHA256 of the server secret and the browser's session (ADR 0014).

A signed-in browser's token is bound to its session cookie; before sign-in, to a random
pre-session cookie set with the login form. Pages put the token in a hidden ``csrf_token``
field of every form and in ``hx-headers`` on ``<body>`` (``X-CSRF-Token``), so htmx sends
it with every request. Every unsafe request (anything but GET, HEAD and OPTIONS) must carry
the token that matches its binding, else it is refused with 403 before its page runs.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from needlepoint.entrypoints.api import security

FIELD: Final = "csrf_token"
HEADER: Final = security.CSRF_HEADER
PRE_SESSION_COOKIE: Final = "needlepoint_presession"
SAFE_METHODS: Final = security.SAFE_METHODS


class CsrfError(Exception):
    """An unsafe request came without the token of its session (or pre-session)."""


def token(secret: bytes, binding: str) -> str:
    """The token for a session (or pre-session) cookie value (the API's scheme, ADR 0023)."""
    return security.csrf_token(secret, binding)


def presented(request: Request, form: Mapping[str, str]) -> str:
    """The token the request carries: the htmx header, else the hidden form field."""
    return request.headers.get(HEADER) or form.get(FIELD, "")


def check(request: Request, form: Mapping[str, str], *, secret: bytes, binding: str) -> None:
    """Refuse an unsafe request whose token does not match its binding."""
    if request.method in SAFE_METHODS:
        return
    given = presented(request, form)
    if not binding or not hmac.compare_digest(given.encode(), token(secret, binding).encode()):
        raise CsrfError("the form was not sent by this app, or it has expired")


def pre_session(request: Request) -> str:
    """The pre-session cookie's value, or a new random one to set with the response."""
    return request.cookies.get(PRE_SESSION_COOKIE) or secrets.token_urlsafe(32)


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
