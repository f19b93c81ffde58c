"""Issue 15's browser acceptance point "Export to FHIR downloads a Bundle", in Debian's chromium.

A clinician opens the demo patient's page, presses "Export to FHIR" and gets a JSON file that
fhir.resources reads as a valid R4B Bundle: it holds that patient and their programme (the
consultation's conditions, the series as a care plan, each session as a procedure), and every
reference inside it resolves to an entry of the same Bundle.
"""

from __future__ import annotations

import json
import re

from fhir.resources.R4B.bundle import Bundle
from playwright.sync_api import Page

from fhir_support import references_of

_PATIENT_PAGE = re.compile(r"/patients/([0-9a-f-]{36})$")


def test_export_to_fhir_downloads_a_valid_r4b_bundle_of_the_patient(clinician: Page) -> None:
    clinician.goto("/patients")
    clinician.get_by_role("link", name="Okafor, Amira").click()
    opened = _PATIENT_PAGE.search(clinician.url)
    assert opened is not None, clinician.url

    with clinician.expect_download() as started:
        clinician.get_by_role("link", name="Export to FHIR").click()
    download = started.value
    document = json.loads(download.path().read_bytes())

    Bundle.model_validate(document)  # raises unless it is a valid R4B Bundle
    resources = [entry["resource"] for entry in document["entry"]]
    assert document["resourceType"] == "Bundle"
    assert download.suggested_filename.endswith(".json")
    assert {"Patient", "Condition", "CarePlan"} <= {r["resourceType"] for r in resources}
    (patient,) = [r for r in resources if r["resourceType"] == "Patient"]
    assert opened.group(1).replace("-", "") in patient["id"].replace("-", "")
    assert any(name.get("family") == "Okafor" for name in patient["name"])
    present = {f"{r['resourceType']}/{r['id']}" for r in resources}
    references = [r for r in references_of(document) if not r.startswith(("http", "#"))]
    assert references and set(references) <= present
