"""Reading a portal form: URL-encoded, or ``multipart/form-data`` with one photo at most.

The project carries no multipart library, so this reads the small subset browsers send:
parts separated by the boundary, each with a ``Content-Disposition: form-data; name=…``
header and, for a file, ``filename=…``. The body is read with a cap (``MAX_BODY_BYTES``,
the largest photo plus room for the fields) and never further: a longer body, by its
``Content-Length`` or by what arrives, is marked ``too_large`` and its content dropped.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qsl

from starlette.requests import Request

from needlepoint.domain.checkins import MAX_PHOTO_BYTES
from needlepoint.entrypoints.web import csrf

FORM_TYPE: Final = "application/x-www-form-urlencoded"
MULTIPART_TYPE: Final = "multipart/form-data"
MAX_FIELDS: Final = 50
MAX_FORM_BYTES: Final = 64 * 1024
"""A URL-encoded form is small: the check-in note is at most 1,000 characters."""
MAX_BODY_BYTES: Final = MAX_PHOTO_BYTES + MAX_FORM_BYTES
PHOTO_PATH: Final = re.compile(r"/portal/treatments/[^/]+/check-in")
"""The only page that takes a photo (the API's body limit lets it be larger)."""
_HEADERS: Final = email.parser.BytesHeaderParser(policy=email.policy.HTTP)


@dataclass(frozen=True, slots=True)
class Form:
    """The fields and files of a request; ``too_large`` when its body was over the cap."""

    fields: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, bytes] = field(default_factory=dict)
    too_large: bool = False


async def read_form(
    request: Request, *, max_fields: int = MAX_FIELDS, limit: int = MAX_FORM_BYTES
) -> Form:
    """The request's form (empty for a safe method or another content type).

    A URL-encoded body is read up to ``limit`` bytes and ``max_fields`` fields (more fields:
    no form at all, so no CSRF token); a multipart one up to ``MAX_BODY_BYTES``.
    """
    if request.method in csrf.SAFE_METHODS:
        return Form()
    content_type, _, params = request.headers.get("content-type", "").partition(";")
    kind = content_type.strip().lower()
    if kind not in {FORM_TYPE, MULTIPART_TYPE}:
        return Form()
    body = await _body(request, MAX_BODY_BYTES if kind == MULTIPART_TYPE else limit)
    if body is None:
        return Form(too_large=True)
    if kind == FORM_TYPE:
        return Form(fields=_urlencoded(body, max_fields))
    boundary = _boundary(params)
    return Form() if boundary is None else parse_multipart(body, boundary)


async def _body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to be longer than ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _urlencoded(body: bytes, max_fields: int) -> dict[str, str]:
    try:
        pairs = parse_qsl(
            body.decode("utf-8", errors="replace"),
            keep_blank_values=True,
            max_num_fields=max_fields,
        )
    except ValueError:
        return {}  # too many fields: no form (so no CSRF token) at all
    return dict(pairs)


def _boundary(params: str) -> bytes | None:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"').encode("latin-1", errors="replace")
    return None


def parse_multipart(body: bytes, boundary: bytes) -> Form:
    """The fields and files of a ``multipart/form-data`` body (malformed parts are skipped).

    An empty file input (no file chosen) is left out, so ``files`` holds only real uploads.
    """
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    parts = body.split(b"--" + boundary)
    if len(parts) > MAX_FIELDS + 2:
        return Form()
    for part in parts[1:]:
        if part.startswith(b"--"):
            break
        head, separator, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            continue
        headers = _HEADERS.parsebytes(head + b"\r\n\r\n")
        name = headers.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        content = content.removesuffix(b"\r\n")
        if headers.get_filename() is not None:
            if content:
                files[name] = content
        else:
            fields[name] = content.decode("utf-8", errors="replace")
    return Form(fields=fields, files=files)
