"""The lot recall page: every session charted with a cartridge lot, and its CSV export.

The lot is read by the API's ``RecallQuery`` (the rules of the API's path parameter); the page
and the file come from the same service as the API's ``GET /recalls/{lot}``, each request one
audited recall. Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return) as a formula, so such a cell is written with a leading ``'``
(OWASP, CSV injection): a patient's name or an email can never run as one.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Final

from starlette.responses import Response

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.recalls import LotRecall, RecallEntry
from needlepoint.entrypoints.api.schemas.treatment import RecallQuery
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit

PATH: Final = "/recalls"
CSV_PATH: Final = "/recalls.csv"
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula."""
CSV_HEADER: Final = (
    "family_name",
    "given_name",
    "born_on",
    "email",
    "phone",
    "session_number",
    "treated_on",
    "zones",
    "clinician",
    "chart_version",
    "lot",
)
_FILE_NAME: Final = re.compile(r"[^A-Za-z0-9._-]+")


def show(visit: StaffVisit) -> Response:
    """The form, and with a lot the sessions and patients it treated."""
    raw = visit.query("lot")
    if not raw:
        return _page(visit, recall=None, lot="")
    try:
        recall = _recall(visit, raw)
    except InvalidInputError as error:
        return _page(visit, recall=None, lot=raw, problems=error.problems, status=422)
    return _page(visit, recall=recall, lot=recall.lot)


def export(visit: StaffVisit) -> Response:
    """The recall as a CSV file, one row per session (cells safe from formula injection)."""
    recall = _recall(visit, visit.query("lot"))
    name = _FILE_NAME.sub("-", recall.lot).strip("-") or "lot"
    headers = {"Content-Disposition": f'attachment; filename="recall-{name}.csv"'}
    return Response(recall_csv(recall), media_type="text/csv; charset=utf-8", headers=headers)


def recall_csv(recall: LotRecall) -> str:
    """The recall as CSV text: a header row, then a row per session."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(safe_row(_row(entry, recall.lot)) for entry in recall.treatments)
    return out.getvalue()


def safe_row(cells: Iterable[object]) -> list[str]:
    """Each cell as text, a leading ``'`` on any a spreadsheet would read as a formula."""
    return [safe_cell(cell) for cell in cells]


def safe_cell(cell: object) -> str:
    """A cell as text, never starting with what makes a spreadsheet compute it."""
    text = "" if cell is None else str(cell)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _row(entry: RecallEntry, lot: str) -> Sequence[object]:
    patient = entry.patient
    return (
        patient.family_name,
        patient.given_name,
        patient.born_on.isoformat(),
        patient.email,
        patient.phone,
        entry.session_number,
        entry.treated_on.isoformat() if entry.treated_on else "",
        ";".join(zone.value for zone in entry.zones),
        entry.clinician,
        entry.chart_version,
        lot,
    )


def _recall(visit: Visit, raw: str) -> LotRecall:
    query = forms.parsed(RecallQuery, forms.body({"lot": raw}, ("lot",)))
    return visit.services.treatment.recall_lot(query.lot, context=visit.context)


def _page(
    visit: Visit,
    *,
    recall: LotRecall | None,
    lot: str,
    problems: tuple[object, ...] = (),
    status: int = 200,
) -> Response:
    page = {
        "recall": recall,
        "lot": lot,
        "problems": forms.by_field(problems),
        "csv_path": CSV_PATH,
        "current": "recalls",
    }
    return templates.render(visit, "recalls/show.html", page, status=status)
