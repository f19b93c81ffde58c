"""A clinic's records as FHIR resources for a bulk export: every patient's Bundle, split.

Each patient of the clinic is exported with the same mapping as ``GET /fhir/R4B/Patient/…``
(a ``collection`` Bundle of the patient's record); the bundle's entries are handed on one by
one, their type and their JSON on one line. The resources every patient's bundle repeats
(the clinic, its staff and rooms) are handed on once. Patients are read by keyset pages
(ADR 0034), so memory stays flat however large the clinic.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final
from uuid import UUID

from sqlalchemy import Engine, func, select

from needlepoint.adapters.db import tables as t

PAGE: Final = 500
"""Patient ids read per query."""

Bundle = Mapping[str, Any]
BundleOf = Callable[[UUID, UUID], Bundle]
"""The (clinic id, patient id) → the patient's ``collection`` Bundle (the FHIR mapping)."""


class FhirClinicResources:
    """``ClinicResources`` over the database's patients and the mapping's bundles."""

    def __init__(
        self,
        engine: Callable[[], Engine],
        bundle_of: BundleOf,
        resource_types: Sequence[str],
        shared_types: frozenset[str],
    ) -> None:
        """``shared_types`` name the resources several patients' bundles repeat."""
        self._engine = engine
        self._bundle_of = bundle_of
        self._types = tuple(resource_types)
        self._shared = shared_types

    def resource_types(self) -> Sequence[str]:
        """Every resource type, in the mapping's order."""
        return self._types

    def patient_count(self, clinic_id: UUID) -> int:
        """How many patients the clinic has."""
        query = select(func.count()).where(t.patient.c.clinic_id == clinic_id)
        with self._engine().connect() as connection:
            return int(connection.execute(query).scalar_one())

    def resources(self, clinic_id: UUID) -> Iterator[tuple[str, str]]:
        """Each resource of the clinic once, as (type, one line of JSON)."""
        seen: set[tuple[str, str]] = set()
        for patient_id in self._patient_ids(clinic_id):
            bundle = self._bundle_of(clinic_id, patient_id)
            for entry in bundle.get("entry", ()):
                resource = entry["resource"]
                kind = str(resource["resourceType"])
                if kind in self._shared:
                    key = (kind, str(resource.get("id")))
                    if key in seen:
                        continue
                    seen.add(key)
                yield kind, json.dumps(resource, ensure_ascii=False, separators=(",", ":"))

    def _patient_ids(self, clinic_id: UUID) -> Iterator[UUID]:
        c = t.patient.c
        after: UUID | None = None
        while True:
            query = select(c.id).where(c.clinic_id == clinic_id).order_by(c.id).limit(PAGE)
            if after is not None:
                query = query.where(c.id > after)
            with self._engine().connect() as connection:
                page = list(connection.execute(query).scalars())
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1]
