"""The bulk export's serialiser writes byte for byte what ``model_dump_json`` writes.

``ndjson.ndjson_line`` walks a validated ``fhir.resources`` model itself (a dozen times
faster than the library's serializer); these tests hold its JSON to the library's for a full
record, for any record the engine can produce, and for the elements the demo records do not
use (a primitive's extension, comments, bytes, decimals), and check every line parses back
as a valid R4B resource.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fhir.resources import R4B
from fhir.resources.R4B.attachment import Attachment
from fhir.resources.R4B.documentreference import DocumentReference, DocumentReferenceContent
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.quantity import Quantity
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import make_consultation
from fhir_support import Choices, clinic_export, export_for
from needlepoint.adapters.fhir.mapping import clinic_resources, patient_resources
from needlepoint.adapters.fhir.ndjson import ndjson_line
from needlepoint.domain.treatment import SeriesStatus
from strategies import consultations


def library_json(resource: FHIRAbstractModel) -> str:
    """The validated path: the library's own serializer."""
    return resource.model_dump_json(exclude_none=True, by_alias=True)


def assert_same_json_and_valid(resources: list[DomainResource]) -> None:
    assert resources
    for resource in resources:
        line = ndjson_line(resource)
        assert line == library_json(resource), resource.get_resource_type()
        assert "\n" not in line
        parsed = R4B.get_fhir_model_class(resource.get_resource_type()).model_validate_json(line)
        assert library_json(parsed) == line


def test_a_full_record_and_the_clinic_serialise_byte_for_byte_as_the_library_does() -> None:
    export = export_for(make_consultation())

    resources = [*clinic_resources(export.clinic), *patient_resources(export)]

    assert_same_json_and_valid(resources)
    assert {r.get_resource_type() for r in resources} >= {"Patient", "Procedure", "Observation"}


def test_the_clinics_own_resources_serialise_as_the_library_does() -> None:
    assert_same_json_and_valid(list(clinic_resources(clinic_export())))


def test_primitive_extensions_comments_bytes_and_decimals_serialise_as_the_library_does() -> None:
    note = {"url": "https://needlepoint.example/fhir/StructureDefinition/note", "valueString": "x"}
    patient = Patient.model_validate(
        {
            "id": "p1",
            "birthDate": "1990-02-03",
            "_birthDate": {"extension": [note]},
            "active": True,
            "fhir_comments": ["kept as the library keeps it"],
        }
    )
    document = DocumentReference(
        status="current",
        content=[DocumentReferenceContent(attachment=Attachment(data=b"AP9ieXRlcw==", size=7))],
    )
    observation = Observation(
        status="final",
        code={"text": "a*"},
        valueQuantity=Quantity(value=Decimal("12.50"), unit="1"),
        component=[{"code": {"text": "whole"}, "valueQuantity": Quantity(value=Decimal(3))}],
    )

    assert_same_json_and_valid([patient, document, observation])
    assert '"_birthDate"' in ndjson_line(patient)


def test_a_value_that_is_not_a_model_in_a_complex_element_is_refused() -> None:
    not_a_model: Any = {"text": "a dict, not a HumanName"}
    patient = Patient.model_construct(id="p1", name=[not_a_model])

    with pytest.raises(TypeError, match="dict"):
        ndjson_line(patient)


choices = st.builds(
    Choices,
    started_sessions=st.integers(0, 4),
    series_status=st.sampled_from(SeriesStatus),
    adverse_events=st.lists(st.text(min_size=1, max_size=40).filter(str.strip), max_size=2).map(
        tuple
    ),
    withdrawn=st.booleans(),
)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consultation=consultations(scar_records_too=True), after=choices)
def test_any_record_the_engine_can_produce_serialises_as_the_library_does(
    consultation: Any, after: Choices
) -> None:
    assert_same_json_and_valid(list(patient_resources(export_for(consultation, after))))
