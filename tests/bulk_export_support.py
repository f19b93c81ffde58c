"""Helpers for the FHIR bulk export's tests: a scripted resource source and runners."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from needlepoint.adapters.bulk_files import NdjsonFiles
from needlepoint.bootstrap import Services
from needlepoint.services.interop.bulk_facade import BulkExport
from needlepoint.services.interop.bulk_ports import ClinicResources, JobRunner


@dataclass
class ScriptedResources:
    """``patients`` Patient resources and one Organization per clinic, in plain JSON."""

    patients: int = 3
    fail_at: int | None = None
    """Raise after this many resources (a mapping that breaks half way)."""

    def resource_types(self) -> Sequence[str]:
        return ("Organization", "Patient", "Observation")

    def patient_count(self, clinic_id: UUID) -> int:  # noqa: ARG002 - every clinic alike
        return self.patients

    def resources(self, clinic_id: UUID) -> Iterator[tuple[str, str]]:
        yield "Organization", json.dumps({"resourceType": "Organization", "id": str(clinic_id)})
        for number in range(self.patients):
            if self.fail_at is not None and number >= self.fail_at:
                raise ValueError("the mapping broke on a patient named Amira")
            patient = {"resourceType": "Patient", "id": f"p{number}"}
            yield "Patient", json.dumps(patient)


class NowRunner:
    """Runs the job at once, inside the request (the tests see its end state)."""

    def start(self, work: Callable[[], object]) -> None:
        with contextlib.suppress(ValueError):  # a failed job is recorded as failed
            work()


@dataclass
class HeldRunner:
    """Holds the job until ``release`` (the tests see it running, and may cancel it)."""

    held: list[Callable[[], object]] = field(default_factory=list)

    def start(self, work: Callable[[], object]) -> None:
        self.held.append(work)

    def release(self) -> None:
        for work in self.held:
            work()
        self.held.clear()


def with_bulk_export(
    services: Services,
    resources: ClinicResources | None = None,
    runner: JobRunner | None = None,
) -> BulkExport:
    """Put a bulk export with these parts into ``services`` (before its first use)."""
    export = BulkExport(
        unit_of_work=services.database.unit_of_work,
        clock=services.clock,
        resources=resources or ScriptedResources(),
        files=NdjsonFiles(Path(services.settings.data_dir) / "fhir-exports"),
        runner=runner or NowRunner(),
    )
    services._built["bulk_export"] = export
    return export
