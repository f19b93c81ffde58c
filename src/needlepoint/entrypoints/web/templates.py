"""Rendering pages: one Jinja2 environment, autoescaping everything, strict about names.

Templates live in ``templates/``; static files in ``static/`` are served at ``/static``.
Every template gets ``visit`` (who is asking, and ``visit.csrf_token`` for forms) and the
helpers below; a value is escaped unless a template says otherwise, and none does.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse

if TYPE_CHECKING:
    from needlepoint.entrypoints.web.visits import Visit

STATIC_PATH: Final = "/static"


@functools.cache
def environment() -> Environment:
    """The template environment (built on first use, then shared)."""
    env = Environment(
        loader=PackageLoader("needlepoint.entrypoints.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static
    env.filters["day"] = day
    env.filters["moment"] = moment
    env.filters["words"] = words
    env.filters["sentence"] = sentence
    return env


def render(
    visit: Visit,
    template: str,
    values: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page (or an htmx fragment) rendered for this visit with these values."""
    html = environment().get_template(template).render(values or {}, visit=visit)
    return HTMLResponse(html, status_code=status, headers=headers)


def static(path: str) -> str:
    """The URL of a static file."""
    return f"{STATIC_PATH}/{path}"


def day(value: date | datetime | str | None) -> str:
    """A date as clinics write it: 7 Dec 2026."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.day} {value:%b %Y}"


def moment(value: datetime | None) -> str:
    """A moment, to the minute, in UTC: 7 Dec 2026 10:00 UTC."""
    if value is None:
        return "—"
    return f"{day(value)} {value:%H:%M} UTC"


def words(value: object) -> str:
    """A code as words: ``front_desk`` → ``front desk``."""
    return str(getattr(value, "value", value)).replace("_", " ")


def sentence(value: object) -> str:
    """Text with its first letter raised, the rest untouched (``capitalize`` lowers it)."""
    text = str(value)
    return text[:1].upper() + text[1:]
