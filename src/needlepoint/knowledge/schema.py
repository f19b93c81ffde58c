"""Pydantic models shared by every knowledge table: the header and the cited row.

Every table file has ``schema_version`` and ``table_version``; every row carries
``sources`` (ids from ``sources.yaml``), an ``evidence`` level and optional ``notes``.
A row may be marked ``unverified: true`` when the reference says a value must be checked
against its source before clinical use; INF rows are reported as unverified anyway.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from needlepoint.domain.evidence import EvidenceLevel, Provenance

SourceId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
RuleId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class Strict(BaseModel):
    """Base for all knowledge models: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class TableHeader(Strict):
    """Fields every table file starts with."""

    schema_version: int = Field(ge=1)
    table_version: str = Field(min_length=1)


class CitedRow(Strict):
    """Fields every row carries: where it comes from and how strong it is."""

    sources: tuple[SourceId, ...] = Field(min_length=1)
    evidence: EvidenceLevel
    notes: str = ""
    unverified: bool = False

    def provenance(self) -> Provenance:
        """The row's provenance as a domain value."""
        return Provenance(
            sources=self.sources,
            evidence=self.evidence,
            note=self.notes,
            unverified=self.unverified,
        )


class SourceRow(Strict):
    """One bibliography entry."""

    id: SourceId
    citation: str = Field(min_length=10)
    link: str = ""
    kind: str
    used_for: str = Field(min_length=5)


class SourcesFile(TableHeader):
    """``sources.yaml``."""

    sources: tuple[SourceRow, ...]
