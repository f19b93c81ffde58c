"""ASGI middleware: the request boundary, and the request body size limit.

The boundary gives every request an id, marks responses no-store, logs one line per request and
turns an unexpected error into a bare 500.

The body limit is ours rather than FastAPI's ``max_body_size`` because Starlette's limiter
answers an over-long declared body with a plain-text 413 after the app has replied, which would
bypass the one problem+json mapping in ``errors.py``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from needlepoint.entrypoints.api import errors

MAX_BODY_BYTES: Final = 1024 * 1024
"""Largest request body accepted: 1 MiB."""

REQUEST_ID_HEADER: Final = "X-Request-ID"
_ACCEPTED_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,100}")

access_log = logging.getLogger("needlepoint.api.access")


class RequestBoundary:
    """The outermost layer: request id, no-store, access log, last-resort 500.

    The request id is taken from ``X-Request-ID`` when it is a plain token, else generated,
    and echoed on the response. The access log line has the route's template, never its path
    values, query string or body.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        started_at = time.perf_counter()
        reply = _Reply(send, request_id)
        try:
            await self.app(scope, receive, reply.send)
        except Exception as error:
            errors.log_unexpected(error, request_id)
            if not reply.started:
                await errors.internal_problem()(scope, receive, reply.send)
        finally:
            _log_access(scope, reply.status, started_at, request_id)


class _Reply:
    """Wraps ``send``: adds the request id and no-store, remembers the status."""

    def __init__(self, send: Send, request_id: str) -> None:
        self._send = send
        self._request_id = request_id
        self.started = False
        self.status = 500

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = int(message["status"])
            headers = MutableHeaders(scope=message)
            headers[REQUEST_ID_HEADER] = self._request_id
            # A route may say more (photos: "private, no-store") but never less than no-store.
            if "no-store" not in headers.get("Cache-Control", ""):
                headers["Cache-Control"] = "no-store"
        await self._send(message)


def _request_id(scope: Scope) -> str:
    given = Headers(scope=scope).get(REQUEST_ID_HEADER)
    if given and _ACCEPTED_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def _log_access(scope: Scope, status: int, started_at: float, request_id: str) -> None:
    route = getattr(scope.get("route"), "path", "-")
    elapsed_ms = (time.perf_counter() - started_at) * 1000
    access_log.info(
        "%s %s %d %.1fms request_id=%s", scope["method"], route, status, elapsed_ms, request_id
    )


class BodySizeLimit:
    """Refuses a request body over ``max_bytes`` with a 413 problem.

    At once when its Content-Length says so, else as soon as the streamed bytes pass it.
    ``larger`` names paths (full-match patterns) allowed a larger body, with their own limit:
    the patient portal's check-in, which carries a photo (ADR 0017).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        larger: tuple[tuple[re.Pattern[str], int], ...] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = next((n for p, n in self.larger if p.fullmatch(path)), self.max_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit)(scope, receive, send)
            return
        await self.app(scope, _Counted(receive, limit).receive, send)


class _Counted:
    def __init__(self, receive: Receive, max_bytes: int) -> None:
        self._receive = receive
        self._max_bytes = max_bytes
        self._received = 0

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._max_bytes:
                # FastAPI re-raises HTTPException from body reading; errors.py renders it.
                raise HTTPException(status_code=413)
        return message


def _content_length(scope: Scope) -> int | None:
    raw = Headers(scope=scope).get("content-length")
    try:
        return None if raw is None else int(raw)
    except ValueError:
        return None


def _too_large(max_bytes: int) -> ASGIApp:
    detail = f"the request body is larger than {max_bytes} bytes."
    return errors.problem(413, errors.CODE_BY_HTTP_STATUS[413], detail)
