"""A page per treatment series: its plan, sessions and appointments; cancel it or replace it.

Cancelling is read by the API's ``CancelSeriesIn`` (the version last read, and a reason) and
replacing by the API's ``SeriesIn`` (``supersede_reason``), from a signed consultation the
page offers (``services.treatment.series_overview``): the same services as
``POST /api/v1/series/{id}/cancel`` and ``POST /api/v1/consultations/{id}/series``. A reason
is required either way; a refusal is shown beside the reason's input.
"""

from __future__ import annotations

from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.treatment import SeriesOverlapError, VersionConflictError
from needlepoint.entrypoints.api.schemas.treatment import CancelSeriesIn, SeriesIn
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import SeriesNotFoundError
from needlepoint.services.consultation.facade import ConsultationNotFoundError
from needlepoint.services.permissions import Action

CANCEL = "cancel"
SUPERSEDE = "supersede"


def show(visit: StaffVisit) -> Response:
    """The series with its patient, plan, sessions and appointments."""
    return _page(visit, visit.path_id("series_id", SeriesNotFoundError))


def cancel(visit: StaffVisit) -> Response:
    """Stop the series with a reason; its appointments still to come are cancelled."""
    series_id = visit.path_id("series_id", SeriesNotFoundError)
    try:
        given = forms.body(visit.form, ("expected_version", "reason"), blank=("reason",))
        cancellation = forms.parsed(CancelSeriesIn, given).to_domain(series_id)
        visit.services.treatment.cancel_series(cancellation, context=visit.context)
    except InvalidInputError as error:
        return _page(visit, series_id, refused=(CANCEL, error.problems), status=422)
    except VersionConflictError:
        problem = FieldProblem(
            "expected_version",
            "changed while you were reading it.",
            "read the page again, then cancel it if it still should stop.",
            VersionConflictError.code,
        )
        return _page(visit, series_id, refused=(CANCEL, (problem,)), status=409)
    return RedirectResponse(f"/series/{series_id}", status_code=303)


def supersede(visit: StaffVisit) -> Response:
    """Agree a new series from a signed consultation, replacing this one, with a reason."""
    series_id = visit.path_id("series_id", SeriesNotFoundError)
    try:
        consultation_id = _consultation_id(visit.form.get("consultation_id", ""))
        given = forms.body(visit.form, ("supersede_reason",), blank=("supersede_reason",))
        new = forms.parsed(SeriesIn, given).to_domain(consultation_id)
        created = visit.services.treatment.create_series(new, context=visit.context)
    except InvalidInputError as error:
        return _page(visit, series_id, refused=(SUPERSEDE, error.problems), status=422)
    except SeriesOverlapError:
        problem = FieldProblem(
            "supersede_reason",
            "is missing.",
            "say why the new series replaces this one.",
            InputCode.REASON_REQUIRED,
        )
        return _page(visit, series_id, refused=(SUPERSEDE, (problem,)), status=422)
    return RedirectResponse(f"/series/{created.id}", status_code=303)


def _consultation_id(raw: str) -> UUID:
    if not raw:
        raise InvalidInputError.single(
            "consultation_id", "is not chosen.", "choose the consultation the new series follows."
        )
    try:
        return UUID(raw)
    except ValueError:
        raise ConsultationNotFoundError(f"no consultation {raw!r}") from None


def _page(
    visit: Visit,
    series_id: UUID,
    *,
    refused: tuple[str, tuple[FieldProblem, ...]] | None = None,
    status: int = 200,
) -> Response:
    treatment, context = visit.services.treatment, visit.context
    overview = treatment.series_overview(series_id, context=context)
    may_replace = overview.is_active and visit.may(Action.SERIES_CREATE)
    form, problems = refused or ("", ())
    page = {
        "overview": overview,
        "series": overview.series,
        "patient": overview.patient,
        "clinical": visit.may(Action.CONSULTATION_READ),
        "may_cancel": overview.is_active and visit.may(Action.SERIES_CANCEL),
        "may_book": overview.is_active and visit.may(Action.APPOINTMENT_BOOK),
        "replacements": treatment.replacement_candidates(series_id, context=context)
        if may_replace
        else (),
        "refused_form": form,
        "problems": forms.by_field(problems),
        "values": visit.form,
        "current": "patients",
    }
    return templates.render(visit, "series/show.html", page, status=status)
