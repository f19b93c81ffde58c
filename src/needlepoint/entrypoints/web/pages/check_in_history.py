"""A patient's check-ins on their page: every one, newest first, with its triage and review.

Shown to clinical staff only (the action table's ``check_in.read``), a page of ``LISTED`` at a
time: ``?check_ins_from=N`` shows the ones after the newest ``N``. A reviewed check-in stays in
the list with its review (who, when, what came of it, the note).
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints.web.portal.clinic_side import OUTCOME_WORDS
from needlepoint.entrypoints.web.visits import Visit
from needlepoint.services.permissions import Action
from needlepoint.services.portal.clinic_check_ins import CheckInHistory

LISTED: Final = 20
"""Check-ins shown per page of the history."""
MAX_FROM: Final = 100_000
FROM: Final = "check_ins_from"


def history_of(visit: Visit, patient_id: UUID) -> dict[str, object] | None:
    """The page of the patient's check-ins the visit asks for, or None for non-clinical staff."""
    if not visit.may(Action.CHECK_IN_READ):
        return None
    history: CheckInHistory = visit.services.portal.patient_check_ins(
        patient_id, page=(_offset(visit.query(FROM)), LISTED), context=visit.context
    )
    return {"history": history, "outcomes": OUTCOME_WORDS, "from_name": FROM}


def _offset(raw: str) -> int:
    if not raw:
        return 0
    if not raw.isdigit() or int(raw) > MAX_FROM:
        raise InvalidInputError.single(
            FROM, "is not a place in the list.", "follow the page's own links to older check-ins."
        )
    return int(raw)
