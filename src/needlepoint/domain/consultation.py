"""The consultation: who the patient is, their health history, their skin, and the request.

A ``Consultation`` is an immutable record of what was asked and examined on one day. It
validates what it can on its own (ranges, dates against the consultation day); rules that
need clinical knowledge live in ``screening``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from needlepoint.domain.dates import calendar_problem
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.scales.inputs import ZoneScarAssessment
from needlepoint.domain.vocabulary import (
    Device,
    DiabetesControl,
    Indication,
    IsotretinoinStatus,
    ProcedureKind,
    Sex,
    SkinCancerHistory,
    TopicalActive,
    Zone,
    ZoneCondition,
)

FITZPATRICK_TYPES = range(1, 7)


@dataclass(frozen=True, slots=True)
class Patient:
    """The person: birth date, sex and Fitzpatrick skin type (1–6)."""

    born_on: date
    sex: Sex
    fitzpatrick: int

    def age_years(self, on: date) -> int:
        """Completed years of age on a given day."""
        had_birthday = (on.month, on.day) >= (self.born_on.month, self.born_on.day)
        return on.year - self.born_on.year - (0 if had_birthday else 1)


@dataclass(frozen=True, slots=True)
class Isotretinoin:
    """Oral isotretinoin exposure."""

    status: IsotretinoinStatus = IsotretinoinStatus.NEVER
    stopped_on: date | None = None


@dataclass(frozen=True, slots=True)
class RecentProcedure:
    """A procedure done before this consultation, with its date and zones."""

    kind: ProcedureKind
    performed_on: date
    zones: frozenset[Zone]


@dataclass(frozen=True, slots=True)
class HealthHistory:
    """Answers to the health-history questions that bear on microneedling."""

    pregnant: bool = False
    breastfeeding: bool = False
    isotretinoin: Isotretinoin = field(default_factory=Isotretinoin)
    anticoagulant: bool = False
    antiplatelet: bool = False
    bleeding_disorder: bool = False
    keloid_history: bool = False
    hypertrophic_scar_history: bool = False
    cold_sores: bool = False
    immunosuppressed: bool = False
    diabetes: DiabetesControl = DiabetesControl.NONE
    autoimmune_or_collagen_vascular: bool = False
    metal_allergy: bool = False
    anaesthetic_allergy: bool = False
    photosensitising_drugs: tuple[str, ...] = ()
    topical_actives: frozenset[TopicalActive] = frozenset()
    recent_procedures: tuple[RecentProcedure, ...] = ()
    skin_cancer: SkinCancerHistory = SkinCancerHistory.NONE
    pigmentation_after_procedures: bool = False
    cardiac_device: bool = False
    unwell_or_feverish: bool = False


@dataclass(frozen=True, slots=True)
class ZoneState:
    """What the examiner found in one zone."""

    zone: Zone
    conditions: frozenset[ZoneCondition]


@dataclass(frozen=True, slots=True)
class TreatmentRequest:
    """One indication and the zones where the patient wants it treated."""

    indication: Indication
    zones: tuple[Zone, ...]


@dataclass(frozen=True, slots=True)
class Consultation:
    """Everything recorded at one consultation, as of ``consulted_on``."""

    consulted_on: date
    patient: Patient
    history: HealthHistory
    requests: tuple[TreatmentRequest, ...]
    device: Device
    zone_states: tuple[ZoneState, ...] = ()
    scar_assessments: tuple[ZoneScarAssessment, ...] = ()

    _requested_zones: tuple[Zone, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: dict[Zone, None] = {}
        for request in self.requests:
            for zone in request.zones:
                seen.setdefault(zone, None)
        object.__setattr__(self, "_requested_zones", tuple(seen))
        problems = list(_problems(self))
        if problems:
            raise InvalidInputError(problems)

    @property
    def requested_zones(self) -> tuple[Zone, ...]:
        """Every zone asked for, once each, in the order first requested."""
        return self._requested_zones

    @property
    def indications(self) -> tuple[Indication, ...]:
        """Every indication asked for, in order."""
        return tuple(r.indication for r in self.requests)

    def conditions_in(self, zone: Zone) -> frozenset[ZoneCondition]:
        """The conditions the examiner found in a zone (empty if not examined)."""
        found: set[ZoneCondition] = set()
        for state in self.zone_states:
            if state.zone is zone:
                found |= state.conditions
        return frozenset(found)

    def zones_with(self, condition: ZoneCondition) -> frozenset[Zone]:
        """Requested zones where a condition was found."""
        return frozenset(z for z in self.requested_zones if condition in self.conditions_in(z))

    def indication_for(self, zone: Zone) -> tuple[Indication, ...]:
        """Indications requested for a zone, in request order."""
        return tuple(r.indication for r in self.requests if zone in r.zones)


def _problems(consultation: Consultation) -> Iterable[FieldProblem]:
    yield from _patient_problems(consultation.patient, consultation.consulted_on)
    yield from _history_problems(consultation.history, consultation.consulted_on)
    yield from _before_birth_problems(consultation.history, consultation.patient.born_on)
    yield from _request_problems(consultation)


def _patient_problems(patient: Patient, on: date) -> Iterable[FieldProblem]:
    for name, day in (("consulted_on", on), ("patient.born_on", patient.born_on)):
        if (outside := calendar_problem(name, day)) is not None:
            yield outside
    if patient.fitzpatrick not in FITZPATRICK_TYPES:
        yield FieldProblem(
            "patient.fitzpatrick",
            f"{patient.fitzpatrick} is not a Fitzpatrick skin type.",
            "use a whole number from 1 (I) to 6 (VI).",
        )
    if patient.born_on >= on:
        yield FieldProblem(
            "patient.born_on",
            f"{patient.born_on} is not before the consultation date {on}.",
            "give the patient's real date of birth (YYYY-MM-DD).",
        )


def _history_problems(history: HealthHistory, on: date) -> Iterable[FieldProblem]:
    iso = history.isotretinoin
    if iso.status is IsotretinoinStatus.STOPPED and iso.stopped_on is None:
        yield FieldProblem(
            "history.isotretinoin.stopped_on",
            "isotretinoin is marked as stopped but no stop date is given.",
            "add the date the last dose was taken (YYYY-MM-DD), or set status to 'current'.",
        )
    if iso.stopped_on is not None and iso.stopped_on > on:
        yield FieldProblem(
            "history.isotretinoin.stopped_on",
            f"stop date {iso.stopped_on} is after the consultation date {on}.",
            "a planned stop is not a stop: set status to 'current' until the last dose.",
        )
    if iso.stopped_on is not None and iso.status is not IsotretinoinStatus.STOPPED:
        yield FieldProblem(
            "history.isotretinoin.stopped_on",
            f"a stop date is given but status is '{iso.status}'.",
            "set status to 'stopped', or remove the stop date.",
        )
    for index, procedure in enumerate(history.recent_procedures):
        if procedure.performed_on > on:
            yield FieldProblem(
                f"history.recent_procedures[{index}].performed_on",
                f"{procedure.performed_on} is after the consultation date {on}.",
                "record only procedures that have already happened.",
            )


def _before_birth_problems(history: HealthHistory, born_on: date) -> Iterable[FieldProblem]:
    stopped_on = history.isotretinoin.stopped_on
    if stopped_on is not None and stopped_on < born_on:
        yield FieldProblem(
            "history.isotretinoin.stopped_on",
            f"{stopped_on} is before the patient was born ({born_on}).",
            "check the stop date and the date of birth.",
        )
    for index, procedure in enumerate(history.recent_procedures):
        if procedure.performed_on < born_on:
            yield FieldProblem(
                f"history.recent_procedures[{index}].performed_on",
                f"{procedure.performed_on} is before the patient was born ({born_on}).",
                "check the procedure date and the date of birth.",
            )


def _request_problems(consultation: Consultation) -> Iterable[FieldProblem]:
    if not consultation.requests:
        yield FieldProblem(
            "treatments",
            "no treatment is requested.",
            "list at least one indication with its zones.",
        )
    for index, request in enumerate(consultation.requests):
        if not request.zones:
            yield FieldProblem(
                f"treatments[{index}].zones",
                "no zone is given for this indication.",
                "list the zones to treat, e.g. [cheeks, chin].",
            )
    requested = set(consultation.requested_zones)
    assessed = tuple(a.zone for a in consultation.scar_assessments)
    yield from _zone_entry_problems("scar_assessments", assessed, requested)
    yield from _zone_entry_problems(
        "zone_states", tuple(s.zone for s in consultation.zone_states), requested
    )


def _zone_entry_problems(
    section: str, zones: tuple[Zone, ...], requested: set[Zone]
) -> Iterable[FieldProblem]:
    """Per-zone entries must name a requested zone, once each."""
    seen: set[Zone] = set()
    for index, zone in enumerate(zones):
        if zone not in requested:
            yield FieldProblem(
                f"{section}[{index}].zone",
                f"'{zone}' is recorded here but not requested for treatment.",
                "add the zone to a treatment, or remove this entry.",
            )
        if zone in seen:
            yield FieldProblem(
                f"{section}[{index}].zone",
                f"'{zone}' appears more than once.",
                "record each zone once; merge the entries.",
            )
        seen.add(zone)
