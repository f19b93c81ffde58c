"""Pydantic models and checks shared by every knowledge table.

Every table file has ``schema_version`` and ``table_version``; every row carries
``sources`` (ids from ``sources.yaml``), an ``evidence`` level and optional ``notes``.
A row may be marked ``unverified: true`` when the reference says a value must be checked
against its source before clinical use; INF rows are reported as unverified anyway.

The loaders share three checks and helpers from here: ``check_unique`` (no key used by two
rows), ``domain_errors_as_knowledge`` (a domain validation error while building a row
becomes a ``KnowledgeError`` naming the row) and ``combined_version`` (one version string
for several tables).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from needlepoint.domain.errors import InvalidInputError, KnowledgeError
from needlepoint.domain.evidence import EvidenceLevel, Provenance

SourceId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
RuleId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
KeyT = TypeVar("KeyT", bound=Hashable)


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


class IdentifiedRow(CitedRow):
    """A cited row with a kebab-case id, unique in its table."""

    id: RuleId


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


# ------------------------------------------------------------------ shared checks


def check_unique(table: str, keyed: Iterable[tuple[str, KeyT]], what: str) -> None:
    """Raise if two rows share a key.

    Args:
        table: The table name, for the error.
        keyed: (row id, key) pairs.
        what: What the key is, in words (e.g. "id", "zone").

    Raises:
        KnowledgeError: A key repeats; names the second row that uses it.
    """
    seen: set[KeyT] = set()
    for row_id, key in keyed:
        if key in seen:
            raise KnowledgeError(table, row_id, f"{what} '{key}' is used by more than one row")
        seen.add(key)


@contextmanager
def domain_errors_as_knowledge(table: str, row_id: str) -> Iterator[None]:
    """Turn a domain validation error raised while building a row into a KnowledgeError."""
    try:
        yield
    except InvalidInputError as error:
        raise KnowledgeError(table, row_id, str(error)) from error


def combined_version(versions: Mapping[str, str]) -> str:
    """One version string for several tables: the shared version, or each one named."""
    distinct = set(versions.values())
    if len(distinct) == 1:
        return distinct.pop()
    return ", ".join(f"{name} {version}" for name, version in sorted(versions.items()))
