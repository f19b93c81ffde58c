"""The patient page's "Export to FHIR": the patient's record as a FHIR R4B Bundle download.

The same use case as ``GET /fhir/R4B/Patient/{id}/$everything`` (``fhir.read``, audited as
``fhir.everything``), as a ``collection`` Bundle the browser saves as a ``.json`` file.
Another clinic's patient answers exactly like a missing one. See ``docs/fhir.md``.
"""

from __future__ import annotations

import json
from typing import Final

from starlette.responses import Response

from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.access import PatientNotFoundError

FHIR_JSON: Final = "application/fhir+json"
PATH: Final = "/patients/{patient_id}/fhir.json"


def download(visit: StaffVisit) -> Response:
    """The patient's record as a FHIR R4B Bundle, saved as ``patient-<id>.fhir.json``."""
    patient_id = visit.path_id("patient_id", PatientNotFoundError)
    bundle = visit.services.interop.everything(
        patient_id, context=visit.context, bundle_type="collection"
    )
    headers = {
        "Content-Disposition": f'attachment; filename="patient-{patient_id}.fhir.json"',
        "Cache-Control": "no-store",
    }
    data = json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8")
    return Response(data, media_type=FHIR_JSON, headers=headers)
