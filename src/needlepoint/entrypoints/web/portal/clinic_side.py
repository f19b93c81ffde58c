"""The clinic's side of check-ins: one check-in with its photo, and its review.

These are staff pages (``routes.PAGES``, open to clinical roles). The list "Check-ins that need
attention" is on the dashboard (``templates/_checkins_attention.html``) and a patient's whole
history is on their page. The review form (an outcome and a note) is read by the API's
``ReviewIn`` and goes through the same use case as ``POST /api/v1/check-ins/{id}/review``, so a
problem names the same field with the same code; the note's line breaks become spaces first
(the API's note is one line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.check_in_reviews import ReviewOutcome
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.entrypoints.api.schemas.portal import ReviewIn
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.headers import PHOTO_HEADERS
from needlepoint.entrypoints.web.portal.words import HELPERS
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.portal.check_ins import CheckInNotFoundError

PHOTO_TYPE = "image/jpeg"
OUTCOME_WORDS: Final = {
    ReviewOutcome.ADVICE_GIVEN: "Advice given",
    ReviewOutcome.SEEN_IN_CLINIC: "Seen in clinic",
    ReviewOutcome.REFERRED: "Referred",
}
"""What came of a review, as staff read it."""
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")


def show(visit: StaffVisit) -> Response:
    """A check-in's answers, triage with its reasons and sources, photo, and review."""
    return _page(visit, values={}, problems={})


def photo(visit: StaffVisit) -> Response:
    """The photo of a check-in, as the server re-encoded it."""
    kept = visit.services.portal.clinic_photo(
        visit.path_id("check_in_id", CheckInNotFoundError), context=visit.context
    )
    return Response(kept.data, media_type=PHOTO_TYPE, headers=PHOTO_HEADERS)


def mark_reviewed(visit: StaffVisit) -> Response:
    """Record the signed-in clinician's review (outcome and note); back to the dashboard."""
    check_in_id = visit.path_id("check_in_id", CheckInNotFoundError)
    given = forms.body(visit.form, ("outcome", "note"), blank=("note",))
    if "note" in given:
        given["note"] = " ".join(p.strip() for p in _LINE_BREAK.split(given["note"]) if p.strip())
    try:
        review = forms.parsed(ReviewIn, given).to_domain()
        visit.services.portal.review(check_in_id, review, context=visit.context)
    except InvalidInputError as error:
        return _page(visit, values=visit.form, problems=forms.by_field(error.problems), status=422)
    return RedirectResponse("/#attention-title", status_code=303)


def _page(
    visit: StaffVisit,
    *,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    status: int = 200,
) -> Response:
    found = visit.services.portal.clinic_check_in(
        visit.path_id("check_in_id", CheckInNotFoundError), context=visit.context
    )
    page = {
        "found": found,
        "values": values,
        "problems": problems,
        "outcomes": OUTCOME_WORDS,
        "current": "dashboard",
        **HELPERS,
    }
    return templates.render(visit, "portal/clinic_check_in.html", page, status=status)
