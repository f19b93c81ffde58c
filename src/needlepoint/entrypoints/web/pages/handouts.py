"""The patient handout: pre-care and aftercare for the date of one session, printable.

The date is the session's booked appointment, else its actual start, else a provisional date,
and the handout says which (``clinical_pages.HandoutDate``).

Plain instructions only (no depths, findings or sources): the page is meant to be printed and
given to the patient. Care documents are clinical records in the API's permission table, so
this page is open to clinical staff only, as there.
"""

from __future__ import annotations

from uuid import UUID

from starlette.responses import Response

from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints.web import care_topics, templates
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.access import SeriesNotFoundError

MAX_SESSION = 50


def show(visit: StaffVisit) -> Response:
    """The handout for ``?session=N`` of a series (the first session when not given)."""
    raw = visit.request.path_params["series_id"]
    try:
        series_id = UUID(raw)
    except ValueError:
        raise SeriesNotFoundError(f"no series {raw!r}") from None
    number = session_number(visit.query("session") or "1")
    handout = visit.services.treatment.session_handout(series_id, number, context=visit.context)
    page = {
        "handout": handout,
        "patient": handout.patient,
        "heading": care_topics.heading,
        "current": "patients",
    }
    return templates.render(visit, "handouts/show.html", page)


def session_number(raw: str) -> int:
    """The session number of ``?session=``; a clear message for anything else."""
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SESSION:
        raise InvalidInputError.single(
            "session", "is not a session number.", f"give 1 to {MAX_SESSION}."
        )
    return int(raw)
