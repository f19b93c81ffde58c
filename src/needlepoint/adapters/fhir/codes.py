"""needlepoint's own FHIR vocabulary: one CodeSystem, its extensions, and the datatype helpers.

Every needlepoint concept that has no code we are sure of in a standard terminology (zones,
indications, devices, scales, endpoints, photo views…) is a code of one CodeSystem,
``OWN_CODE_SYSTEM``, whose codes are ``<kind>-<value>`` (``zone-cheeks``). The published
copy is ``docs/fhir/CodeSystem-needlepoint.json``; a test keeps it equal to
``needlepoint_code_system()``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Final
from uuid import UUID, uuid5

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.codesystem import CodeSystem, CodeSystemConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference

from needlepoint.domain.consent import SignedVia
from needlepoint.domain.outcomes import CareDocumentKind, OutcomeScale
from needlepoint.domain.photos import PhotoView
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.vocabulary import Device, Indication, Zone

BASE_URL: Final = "https://needlepoint.example/fhir"
OWN_CODE_SYSTEM: Final = f"{BASE_URL}/CodeSystem/needlepoint"
KNOWLEDGE_SYSTEM: Final = f"{BASE_URL}/CodeSystem/knowledge-version"
"""``meta.tag`` codes ``<table>@<version>``: the knowledge tables in force when exported."""
ID_SYSTEM: Final = f"{BASE_URL}/id"
UCUM: Final = "http://unitsofmeasure.org"
ATC: Final = "http://www.whocc.no/atc"
LOINC: Final = "http://loinc.org"
CODE_SYSTEM_VERSION: Final = "1"
_IDS: Final = UUID("7b0c6f0e-55a7-4b3e-9d0f-6a3c1f3f2b15")


def extension_url(name: str) -> str:
    """The url of one of needlepoint's extensions."""
    return f"{BASE_URL}/StructureDefinition/{name}"


class Concept(StrEnum):
    """needlepoint concepts that are not values of a domain enum."""

    MICRONEEDLING = "microneedling"
    ISOTRETINOIN = "isotretinoin"
    ANTICOAGULANT = "anticoagulant"
    ANTIPLATELET = "antiplatelet"
    PHOTOSENSITISING_DRUG = "photosensitising_drug"
    REDNESS_INDEX = "redness_index"
    CIELAB_A_STAR = "cielab_a_star"
    CLINICIAN_GRADED = "clinician_graded"
    PATIENT_REPORTED = "patient_reported"
    CONSENT_FORM = "consent_form"
    CHART_ADVERSE_EVENT = "chart_adverse_event"


KINDS: Final[Mapping[str, tuple[str, type[StrEnum]]]] = {
    "zone": ("Treatment zone (periorbital means outside the orbital rim)", Zone),
    "indication": ("What the patient wants treated", Indication),
    "device": ("Needling device family", Device),
    "scale": ("Outcome or scar scale", OutcomeScale),
    "endpoint": ("Clinical sign at which needling of a zone stops", Endpoint),
    "view": ("How a clinical photo is framed", PhotoView),
    "document": ("Care document kind", CareDocumentKind),
    "signed-via": ("Where a consent was signed", SignedVia),
    "concept": ("Other needlepoint concepts", Concept),
}
"""Each kind of code: its meaning and the enum whose values are its codes."""


def code(kind: str, value: str) -> str:
    """The needlepoint code of one value of one kind (``zone-cheeks``)."""
    if kind not in KINDS:
        msg = f"unknown needlepoint code kind {kind!r}"
        raise ValueError(msg)
    return f"{kind}-{value}"


def coding(kind: str, value: str) -> Coding:
    """A Coding in needlepoint's CodeSystem."""
    return Coding(system=OWN_CODE_SYSTEM, code=code(kind, value), display=_display(value))


def concept(kind: str, value: str, *, text: str | None = None) -> CodeableConcept:
    """A CodeableConcept holding one needlepoint code."""
    return CodeableConcept(coding=[coding(kind, value)], text=text or _display(value))


def standard(system: str, value: str, display: str) -> CodeableConcept:
    """A CodeableConcept of a standard terminology (HL7, LOINC, ATC)."""
    return CodeableConcept(coding=[Coding(system=system, code=value, display=display)])


def _display(value: str) -> str:
    return value.replace("_", " ")


def needlepoint_code_system() -> CodeSystem:
    """The CodeSystem listing every needlepoint code the export uses."""
    groups = [
        CodeSystemConcept(
            code=kind,
            display=meaning,
            concept=[
                CodeSystemConcept(code=code(kind, member.value), display=_display(member.value))
                for member in members
            ],
        )
        for kind, (meaning, members) in KINDS.items()
    ]
    return CodeSystem(
        id="needlepoint",
        url=OWN_CODE_SYSTEM,
        version=CODE_SYSTEM_VERSION,
        name="Needlepoint",
        title="needlepoint's own concepts (zones, indications, devices, scales, views)",
        status="active",
        experimental=False,
        publisher="needlepoint",
        description=(
            "Codes for the concepts of the needlepoint microneedling clinic system that have "
            "no code it is sure of in a standard terminology. Each code is <kind>-<value>."
        ),
        caseSensitive=True,
        hierarchyMeaning="grouped-by",
        content="complete",
        count=sum(len(members) + 1 for _, members in KINDS.values()),
        concept=groups,
    )


def every_code() -> frozenset[str]:
    """Every code of the CodeSystem, group codes included."""
    return frozenset(
        [*KINDS, *(code(kind, m.value) for kind, (_, members) in KINDS.items() for m in members)]
    )


PATIENT_HEX_CHARS: Final = 32


def compartment_id(patient_id: UUID, record_id: UUID, part: str = "") -> str:
    """The id of a resource in a patient's compartment: ``<patient hex>-<record, 22 chars>``.

    The patient comes first so that a read by id finds whose record to open (and a read of
    another clinic's resource finds no patient, as an unknown id does). ``part`` names one of
    several resources made from one record (a condition of a consultation…). 55 characters,
    within FHIR's 64, using only its letters, digits, ``-`` and ``.``.
    """
    record = uuid5(_IDS, f"{record_id}/{part}") if part else record_id
    short = base64.urlsafe_b64encode(record.bytes).decode("ascii").rstrip("=")
    return f"{patient_id.hex}-{short.replace('_', '.')}"


def patient_of(resource_id: str) -> UUID | None:
    """The patient whose compartment holds a resource id, or None if it is not one of ours."""
    head, dash, _ = resource_id.partition("-")
    if not dash or len(head) != PATIENT_HEX_CHARS:
        return None
    try:
        return UUID(hex=head)
    except ValueError:
        return None


def reference(resource_type: str, resource_id: UUID | str, display: str | None = None) -> Reference:
    """A relative literal reference ``Type/id``."""
    return Reference(reference=f"{resource_type}/{resource_id}", display=display)


def millimetres(value: Decimal) -> Quantity:
    """A depth in millimetres (UCUM ``mm``)."""
    return Quantity(value=value, unit="mm", system=UCUM, code="mm")


def score(value: Decimal | int, unit: str = "{score}") -> Quantity:
    """A score on a scale (UCUM annotation, dimensionless)."""
    return Quantity(value=Decimal(value), unit=unit.strip("{}"), system=UCUM, code=unit)


def meta(versions: Mapping[str, str], *, version_id: int | None = None) -> Meta:
    """``meta`` stating the knowledge versions (one ``meta.tag`` per table)."""
    tags = list(_version_tags(tuple(sorted(versions.items()))))
    return Meta(tag=tags or None, versionId=None if version_id is None else str(version_id))


@cache
def _version_tags(versions: tuple[tuple[str, str], ...]) -> tuple[Coding, ...]:
    """The tags of these versions, built once (every resource of an export states them)."""
    return tuple(
        Coding(system=KNOWLEDGE_SYSTEM, code=f"{table}@{version}", display=table)
        for table, version in versions
    )


def extension(name: str, **value: object) -> Extension:
    """One needlepoint extension with its value (``valueQuantity=…``)."""
    return Extension(url=extension_url(name), **value)


def instant(at: datetime) -> datetime:
    """A FHIR instant/dateTime: timezone-aware (naive values are UTC, as stored)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def day(on: date) -> date:
    """A FHIR date."""
    return on


def codes_of(kind: str, values: Iterable[str]) -> list[CodeableConcept]:
    """One CodeableConcept per value."""
    return [concept(kind, v) for v in values]
