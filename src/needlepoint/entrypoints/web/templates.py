"""Rendering pages: one Jinja2 environment, autoescaping everything, strict about names.

Templates live in ``templates/``; static files in ``static/`` are served at ``/static``.
Every template gets ``visit`` (who is asking, and ``visit.csrf_token`` for forms) and the
helpers below; a value is escaped unless a template says otherwise, and none does.

Times: instants are kept in UTC, and every one a page shows goes through ``moment`` or ``day``,
which give it in the zone of the signed-in member's clinic (``visit.time_zone``): one format,
``23 Nov 2026, 14:05 GMT``. A naive datetime is a clinic wall time already and is not moved.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Final

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
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
    env.filters["day"] = _day_in_clinic
    env.filters["moment"] = _moment_in_clinic
    env.filters["words"] = words
    env.filters["sentence"] = sentence
    env.filters["field_id"] = field_id
    return env


_NOT_ID: Final = re.compile(r"[^A-Za-z0-9_-]+")


def field_id(name: str) -> str:
    """An element id for a field named as the API names it, usable in CSS selectors.

    ``chart.zones[cheeks].passes`` → ``chart-zones-cheeks-passes``.
    """
    return _NOT_ID.sub("-", name).strip("-")


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


def day(value: date | datetime | str | None, zone: tzinfo | None = None) -> str:
    """A date as clinics write it: 7 Dec 2026 (an aware instant: its date in ``zone``)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = _local(value, zone)
    return f"{value.day} {value:%b %Y}"


def moment(value: datetime | None, zone: tzinfo = UTC) -> str:
    """A moment, to the minute, in ``zone`` and naming it: 7 Dec 2026, 10:00 GMT."""
    if value is None:
        return "—"
    local = _local(value, zone)
    named = f" {local:%Z}" if local.tzinfo is not None else ""
    return f"{day(local)}, {local:%H:%M}{named}"


def _local(value: datetime, zone: tzinfo | None) -> datetime:
    """An aware instant moved into ``zone``; a naive datetime (a wall time) as it is."""
    if value.tzinfo is None or zone is None:
        return value
    return value.astimezone(zone)


@pass_context
def _day_in_clinic(context: Context, value: date | datetime | str | None) -> str:
    return day(value, _zone(context))


@pass_context
def _moment_in_clinic(context: Context, value: datetime | None) -> str:
    return moment(value, _zone(context))


def _zone(context: Context) -> tzinfo:
    """The zone of the visit being rendered (every render is given its ``visit``)."""
    visit: Visit = context["visit"]
    return visit.time_zone


def words(value: object) -> str:
    """A code as words: ``front_desk`` → ``front desk``."""
    return str(getattr(value, "value", value)).replace("_", " ")


def sentence(value: object) -> str:
    """Text with its first letter raised, the rest untouched (``capitalize`` lowers it)."""
    text = str(value)
    return text[:1].upper() + text[1:]
