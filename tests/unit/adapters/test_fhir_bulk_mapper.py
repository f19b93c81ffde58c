"""The bulk export's lines are the mapping's resources, one JSON object a line, as the API has them.

``FhirR4BBulkMapper`` serialises each resource with ``model_dump_json`` (faster than building
the dict); its JSON must be what ``bundles.dumped`` gives the single-patient API.
"""

from __future__ import annotations

import json

from builders import make_consultation
from fhir_support import clinic_export, export_for
from needlepoint.adapters.fhir.bulk import FhirR4BBulkMapper
from needlepoint.adapters.fhir.bundles import dumped
from needlepoint.adapters.fhir.mapping import clinic_resources, patient_resources


def test_each_patient_line_is_one_resource_as_the_api_dumps_it() -> None:
    export = export_for(make_consultation())

    lines = list(FhirR4BBulkMapper().patient_lines(export))

    expected = [dumped(resource) for resource in patient_resources(export)]
    assert [json.loads(text) for _, text in lines] == expected
    assert [kind for kind, _ in lines] == [e["resourceType"] for e in expected]
    assert not any("\n" in text for _, text in lines)


def test_the_clinics_lines_are_its_organization_staff_and_rooms() -> None:
    clinic = clinic_export()

    lines = list(FhirR4BBulkMapper().clinic_lines(clinic))

    assert [json.loads(text) for _, text in lines] == [dumped(r) for r in clinic_resources(clinic)]
    assert lines[0][0] == "Organization"


def test_every_type_written_is_one_the_manifest_lists() -> None:
    mapper = FhirR4BBulkMapper()
    export = export_for(make_consultation())

    kinds = {kind for kind, _ in mapper.patient_lines(export)}
    kinds |= {kind for kind, _ in mapper.clinic_lines(export.clinic)}

    assert kinds <= set(mapper.resource_types())
