"""Break-glass access and the audit trail, as pages (ADR 0038, scenarios AC-5 and AC-6).

A member of staff refused a patient's clinical record may break the glass: a form asks what
the emergency is; the record then opens for at most 60 minutes, every read recorded with
severity high. Admins see the audit trail (filtered by dates, person, patient and action, a
page at a time, newest first), the break-glass grants, and download the trail as CSV. Every
page goes through the same use cases as the API, so a problem names the same field and code.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from urllib.parse import urlencode
from uuid import UUID

from starlette.responses import RedirectResponse, Response, StreamingResponse

from needlepoint.domain.audit_view import AuditFilter
from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.entrypoints import audit_export
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.records.facade import BreakGlassNotFoundError, BrokenGlassRead

PATH: Final = "/audit"
CSV_PATH: Final = "/audit/export.csv"
PAGE_EVENTS: Final = 50
DEFAULT_DAYS: Final = 7


def break_glass_form(visit: StaffVisit) -> Response:
    """The form asking what the emergency is."""
    patient_id = _uuid(visit.request.path_params["patient_id"], "patient_id")
    return _form(visit, patient_id, reason="", problems=())


def break_glass(visit: StaffVisit) -> Response:
    """Open the patient's record in an emergency, or show the form again naming the problem."""
    patient_id = _uuid(visit.request.path_params["patient_id"], "patient_id")
    reason = visit.form.get("reason", "")
    try:
        grant = visit.services.records.open_break_glass(patient_id, reason, context=visit.context)
    except InvalidInputError as error:
        return _form(visit, patient_id, reason=reason, problems=error.problems, status=422)
    return RedirectResponse(f"/break-glass/{grant.id}", status_code=303)


def broken_glass(visit: StaffVisit) -> Response:
    """The patient's record under the member's live grant (refused once it has lapsed)."""
    grant_id = _uuid(visit.request.path_params["grant_id"], "grant_id")
    read: BrokenGlassRead = visit.services.records.read_under_break_glass(
        grant_id, context=visit.context
    )
    page = {
        "programme": read.programme,
        "grant": read.grant,
        "current": "patients",
        "may_edit": False,
        "may_export_fhir": False,  # break-glass is to read, not to take the record away
        "changes": (),
        "check_ins": None,
    }
    return templates.render(visit, "patients/show.html", page)


def show(visit: StaffVisit) -> Response:
    """The clinic's audit trail, newest first, filtered; and the break-glass grants."""
    wanted = _filter(visit)
    before = _before(visit.query("before_seq"))
    records = visit.services.records
    entries = records.audit_page(
        wanted, before_seq=before, limit=PAGE_EVENTS, context=visit.context
    )
    grants = records.break_glass_grants(context=visit.context)
    following = entries[-1].seq if len(entries) == PAGE_EVENTS else None
    page = {
        "entries": entries,
        "grants": grants,
        "following": following,
        "query": _query_of(visit),
        "values": {
            "from_on": wanted.from_at.date().isoformat(),
            "to_on": (wanted.to_at - timedelta(days=1)).date().isoformat(),
            "actor_id": visit.query("actor_id"),
            "patient_id": visit.query("patient_id"),
            "action": visit.query("action"),
        },
        "csv_path": CSV_PATH,
        "current": "audit",
    }
    return templates.render(visit, "settings/audit.html", page)


def export(visit: StaffVisit) -> Response:
    """The filtered trail as CSV, streamed (the export is audited before it starts)."""
    wanted = _filter(visit)
    entries = visit.services.records.audit_export(wanted, context=visit.context)
    name = f"audit-{wanted.from_at:%Y%m%d}-{wanted.to_at:%Y%m%d}.csv"
    return StreamingResponse(
        audit_export.csv_lines(entries),
        media_type=audit_export.MEDIA_TYPES["csv"],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _form(
    visit: Visit,
    patient_id: UUID,
    *,
    reason: str,
    problems: tuple[object, ...],
    status: int = 200,
) -> Response:
    page = {
        "patient_id": patient_id,
        "reason": reason,
        "problems": forms.by_field(problems),
        "current": "patients",
    }
    return templates.render(visit, "patients/break_glass.html", page, status=status)


def _filter(visit: Visit) -> AuditFilter:
    """The filter from the query: whole days in UTC, the last week by default."""
    today = visit.today()
    to_on = _day(visit.query("to_on"), "to_on") or today
    from_on = _day(visit.query("from_on"), "from_on") or to_on - timedelta(days=DEFAULT_DAYS - 1)
    return AuditFilter(
        from_at=datetime.combine(from_on, time(0), tzinfo=UTC),
        to_at=datetime.combine(to_on + timedelta(days=1), time(0), tzinfo=UTC),
        actor_id=_optional_uuid(visit.query("actor_id"), "actor_id"),
        patient_id=_optional_uuid(visit.query("patient_id"), "patient_id"),
        action=visit.query("action").strip() or None,
    )


def _query_of(visit: Visit) -> str:
    """The filters asked for, to carry to the next page and the download."""
    kept = ("from_on", "to_on", "actor_id", "patient_id", "action")
    return urlencode({name: value for name in kept if (value := visit.query(name).strip())})


def _day(raw: str, field: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInputError.single(
            field, f"{raw!r} is not a date.", "give it as YYYY-MM-DD.", InputCode.NOT_A_DATE
        ) from None


def _optional_uuid(raw: str, field: str) -> UUID | None:
    return _uuid(raw, field) if raw.strip() else None


def _uuid(raw: str, field: str) -> UUID:
    try:
        return UUID(raw.strip())
    except ValueError:
        if field == "grant_id":
            raise BreakGlassNotFoundError(f"no break-glass access {raw!r}") from None
        raise InvalidInputError.single(
            field,
            "is not an id.",
            "copy the id from a page or leave it blank.",
            InputCode.NOT_AN_ID,
        ) from None


def _before(raw: str) -> int | None:
    if not raw.strip():
        return None
    if not raw.strip().isdigit():
        raise InvalidInputError.single(
            "before_seq", "is not a page.", "use the page links.", InputCode.NOT_A_WHOLE_NUMBER
        )
    return int(raw)
