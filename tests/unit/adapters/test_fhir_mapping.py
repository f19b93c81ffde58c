"""The FHIR R4B mapping: every resource validates, references resolve, codes are published.

The property ``test_in4_...`` is security scenario IN-4: whatever consultation and series the
engine can produce, the export is valid FHIR R4B.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fhir.resources import R4B
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codesystem import CodeSystem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import make_assessment, make_consultation, make_history
from fhir_support import Choices, export_for, references_of
from needlepoint.adapters.fhir import RESOURCE_TYPES
from needlepoint.adapters.fhir.bundles import FhirR4BExporter, dumped
from needlepoint.adapters.fhir.codes import (
    KNOWLEDGE_SYSTEM,
    OWN_CODE_SYSTEM,
    compartment_id,
    needlepoint_code_system,
    patient_of,
)
from needlepoint.domain.consultation import Isotretinoin
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.domain.scales.inputs import EccaItem
from needlepoint.domain.treatment import SeriesStatus
from needlepoint.domain.vocabulary import IsotretinoinStatus, Zone
from strategies import consultations

ROOT = Path(__file__).resolve().parents[3]
CODE_SYSTEM_FILE = ROOT / "docs/fhir/CodeSystem-needlepoint.json"


def full_export_json() -> dict[str, Any]:
    """The $everything Bundle of a patient treated twice, with every kind of record."""
    history = make_history(
        isotretinoin=Isotretinoin(IsotretinoinStatus.STOPPED, date(2025, 1, 10)),
        anticoagulant=True,
        photosensitising_drugs=("doxycycline",),
    )
    scars = (make_assessment(Zone.CHEEKS, ecca_counts={EccaItem.V_SHAPED_ATROPHIC: 3}),)
    export = export_for(make_consultation(history=history, scar_assessments=scars))
    return FhirR4BExporter().patient_bundle(export, bundle_type="collection")


def test_every_exported_resource_parses_and_validates_with_r4b_models() -> None:
    data = full_export_json()
    parsed = Bundle.model_validate(data)
    for entry in data["entry"]:
        kind = entry["resource"]["resourceType"]
        model = R4B.get_fhir_model_class(kind)
        parsed_resource = model.model_validate(entry["resource"])
        assert parsed_resource.model_dump(mode="json")["id"] == entry["resource"]["id"]
    assert parsed.type == "collection"


def test_the_export_writes_every_resource_type_in_dependency_order() -> None:
    kinds = [e["resource"]["resourceType"] for e in full_export_json()["entry"]]
    assert set(kinds) == set(RESOURCE_TYPES)
    first_seen = sorted(set(kinds), key=kinds.index)
    assert first_seen == [k for k in RESOURCE_TYPES if k in set(kinds)]


def assert_references_resolve(data: dict[str, Any]) -> None:
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in data["entry"]}
    for entry in data["entry"]:
        for ref in references_of(entry["resource"]):
            assert ref in present, f"{entry['resource']['resourceType']} refers to {ref}"


def test_every_reference_inside_the_bundle_resolves_to_an_entry() -> None:
    data = full_export_json()
    assert len(references_of(data)) > 40
    assert_references_resolve(data)


def test_every_resource_and_the_bundle_state_the_knowledge_versions() -> None:
    data = full_export_json()
    for item in [data, *(e["resource"] for e in data["entry"])]:
        tags = {t["code"] for t in item["meta"]["tag"] if t["system"] == KNOWLEDGE_SYSTEM}
        assert any(code.startswith("scales@") for code in tags), item.get("resourceType")


def codes_used(value: Any) -> set[str]:
    """Every needlepoint code in a resource."""
    if isinstance(value, dict):
        own = {value["code"]} if value.get("system") == OWN_CODE_SYSTEM else set()
        return own.union(*(codes_used(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(codes_used(v) for v in value))
    return set()


def published_codes() -> set[str]:
    system = CodeSystem.model_validate_json(CODE_SYSTEM_FILE.read_text(encoding="utf-8"))

    def walk(concepts: Any) -> set[str]:
        return {c.code for c in concepts or ()}.union(*(walk(c.concept) for c in concepts or ()))

    assert system.url == OWN_CODE_SYSTEM
    return walk(system.concept)


def test_the_published_code_system_is_valid_r4b_and_is_the_one_the_code_builds() -> None:
    published = json.loads(CODE_SYSTEM_FILE.read_text(encoding="utf-8"))
    assert published == dumped(needlepoint_code_system()), (
        "regenerate docs/fhir/CodeSystem-needlepoint.json (docs/fhir.md says how)"
    )
    assert published["count"] == len(published_codes())


def test_every_needlepoint_code_in_an_export_is_listed_in_the_published_code_system() -> None:
    used = codes_used(full_export_json())
    assert {"zone-cheeks", "indication-acne_scars", "concept-isotretinoin"} <= used
    assert used <= published_codes()


def test_photos_are_metadata_and_a_link_never_the_bytes() -> None:
    media = [
        e["resource"]
        for e in full_export_json()["entry"]
        if e["resource"]["resourceType"] == "Media"
    ]
    assert media
    for item in media:
        assert "data" not in item["content"]
        assert item["content"]["url"].endswith("/image")


def test_delivered_depth_per_zone_is_in_millimetres() -> None:
    procedures = [
        e["resource"]
        for e in full_export_json()["entry"]
        if e["resource"]["resourceType"] == "Procedure"
    ]
    depths = [
        inner["valueQuantity"]
        for p in procedures
        for ext in p["extension"]
        if ext["url"].endswith("/zone-depth")
        for inner in ext["extension"]
        if inner["url"].endswith("/delivered-depth")
    ]
    assert depths
    assert all(d["code"] == "mm" and d["system"] == "http://unitsofmeasure.org" for d in depths)


def test_a_withdrawn_consent_is_inactive_and_its_provision_ends() -> None:
    export = export_for(make_consultation(), Choices(withdrawn=True))
    consent = next(r for r in map(dumped, _resources(export)) if r["resourceType"] == "Consent")
    assert consent["status"] == "inactive"
    assert "end" in consent["provision"]["period"]


def _resources(export: Any) -> list[Any]:
    from needlepoint.adapters.fhir.bundles import export_resources  # noqa: PLC0415

    return export_resources(export)


choices = st.builds(
    Choices,
    started_sessions=st.integers(0, 4),
    series_status=st.sampled_from(SeriesStatus),
    adverse_events=st.lists(st.text(min_size=1, max_size=40).filter(str.strip), max_size=2).map(
        tuple
    ),
    outcome_values=st.lists(
        st.sampled_from(
            [
                (OutcomeScale.GB_QUALITATIVE, Decimal(2)),
                (OutcomeScale.GB_QUANTITATIVE, Decimal(12)),
                (OutcomeScale.ECCA, Decimal(40)),
                (OutcomeScale.GAIS, Decimal(1)),
                (OutcomeScale.SATISFACTION, Decimal("7.5")),
            ]
        ),
        max_size=5,
    ).map(tuple),
    withdrawn=st.booleans(),
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consultation=consultations(scar_records_too=True), after=choices)
def test_in4_any_consultation_and_series_the_engine_can_produce_exports_valid_r4b(
    consultation: Any, after: Choices
) -> None:
    data = FhirR4BExporter().patient_bundle(
        export_for(consultation, after), bundle_type="searchset"
    )
    bundle = Bundle.model_validate(data)
    assert bundle.total == len(data["entry"])
    for entry in data["entry"]:
        R4B.get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(
            entry["resource"]
        )
    assert_references_resolve(data)
    assert codes_used(data) <= published_codes()
    kinds = Counter(e["resource"]["resourceType"] for e in data["entry"])
    assert kinds["Patient"] == 1
    assert kinds["Condition"] == len({r.indication for r in consultation.requests})


MAPPING_DOC = ROOT / "docs/fhir.md"
PATH_IN_CELL = re.compile(r"`([A-Z][A-Za-z]+(?:\.[A-Za-z]+(?:\[[a-z0-9-]+\])?)+)`")


def mapped_paths() -> list[str]:
    """Every FHIR path of docs/fhir.md's mapping table (its second column)."""
    text = MAPPING_DOC.read_text(encoding="utf-8")
    table = text.split("<!-- mapping table: read by the round-trip test -->", 1)[1]
    table = table.split("<!-- end of mapping table -->", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    paths = [path for row in rows[2:] for path in PATH_IN_CELL.findall(row.rsplit("|", 2)[1])]
    assert len(paths) > 100
    return paths


def values_at(resource: dict[str, Any], path: str) -> list[Any]:
    """The values at a dotted path (lists flattened; ``extension[name]`` by url ending)."""
    kind, *steps = path.split(".")
    if resource["resourceType"] != kind:
        return []
    found: list[Any] = [resource]
    for step in steps:
        name, _, wanted = step.partition("[")
        nxt: list[Any] = []
        for item in found:
            value = item.get(name) if isinstance(item, dict) else None
            values = value if isinstance(value, list) else [] if value is None else [value]
            if wanted:
                values = [v for v in values if v.get("url", "").endswith("/" + wanted[:-1])]
            nxt.extend(values)
        found = nxt
    return found


def test_in4_a_round_trip_keeps_every_field_of_the_mapping_table() -> None:
    withdrawn = FhirR4BExporter().patient_bundle(
        export_for(make_consultation(), Choices(withdrawn=True)), bundle_type="collection"
    )
    exports = [full_export_json(), withdrawn]
    parsed_again = [dumped(Bundle.model_validate_json(json.dumps(data))) for data in exports]
    missing = []
    for path in mapped_paths():
        present = False
        for data, again in zip(exports, parsed_again, strict=True):
            before = [v for e in data["entry"] for v in values_at(e["resource"], path)]
            after = [v for e in again["entry"] for v in values_at(e["resource"], path)]
            assert before == after, path
            present = present or bool(before)
        if not present:
            missing.append(path)

    assert missing == []


FHIR_ID = re.compile(r"^[A-Za-z0-9\-\.]{1,64}$")


@given(patient=st.uuids(), record=st.uuids(), part=st.text(max_size=30))
def test_a_compartment_id_is_a_fhir_id_that_names_its_patient(
    patient: UUID, record: UUID, part: str
) -> None:
    resource_id = compartment_id(patient, record, part)

    assert FHIR_ID.match(resource_id)
    assert patient_of(resource_id) == patient
    assert compartment_id(patient, record, part) == resource_id  # stable


@given(st.text(max_size=70))
def test_text_that_is_not_a_compartment_id_names_no_patient_or_its_own(text: str) -> None:
    found = patient_of(text)

    assert found is None or text.startswith(found.hex + "-")
