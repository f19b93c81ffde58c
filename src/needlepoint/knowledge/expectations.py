"""Loading ``expectations.yaml``: study results, timing per indication and the acne model.

Semantic checks: ids are unique across the file; there is exactly one timing row for every
in-scope indication (every indication except those the programme declares out of scope) and
none for an out-of-scope one. Any failure raises ``KnowledgeError`` naming the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from types import MappingProxyType

from pydantic import Field

from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.expectations import (
    ExpectationTables,
    IndicationTiming,
    ResponseModel,
    StudyResult,
)
from needlepoint.domain.programme import OUT_OF_SCOPE
from needlepoint.domain.vocabulary import Indication
from needlepoint.knowledge import files
from needlepoint.knowledge.schema import CitedRow, IdentifiedRow, TableHeader, check_unique

TABLE = "expectations"


class StudyRow(IdentifiedRow):
    """One study's result in plain words."""

    indication: Indication
    summary: str = Field(min_length=20)
    sessions: int | None = Field(ge=1)


class TimingRow(IdentifiedRow):
    """When results show and when to judge them, for one indication."""

    indication: Indication
    results_show: str = Field(min_length=10)
    judge_after: str = Field(min_length=10)
    remodelling: str = Field(min_length=10)
    caveat: str = Field(min_length=10)


class ResponseModelRow(IdentifiedRow):
    """The saturating acne-scar response model."""

    e_max: Decimal = Field(gt=0, le=1)
    k_per_session: Decimal = Field(gt=0)
    spread_pp: Decimal = Field(ge=0)
    severe_shift_pp: Decimal = Field(ge=0)


class ExpectationsFile(TableHeader):
    """``expectations.yaml``."""

    studies: tuple[StudyRow, ...]
    timings: tuple[TimingRow, ...]
    acne_model: ResponseModelRow


@cache
def load_expectations_file() -> ExpectationsFile:
    """``expectations.yaml`` parsed once per process.

    Raises:
        KnowledgeError: The file is missing, is not YAML, or does not fit its schema.
    """
    return files.parse_table(TABLE, ExpectationsFile)


@cache
def load_expectation_tables() -> ExpectationTables:
    """Study rows, timing rows and the acne-scar model, checked, once per process.

    Raises:
        KnowledgeError: The file is malformed or fails a semantic check.
    """
    return build_expectation_tables(load_expectations_file())


def build_expectation_tables(parsed: ExpectationsFile) -> ExpectationTables:
    """Check the parsed file and build the domain tables.

    Raises:
        KnowledgeError: An id repeats, or an in-scope indication has no timing row, or one
            has two, or an out-of-scope indication has one.
    """
    check_unique(TABLE, ((row_id, row_id) for _, row_id, _ in _rows(parsed)), "id")
    return ExpectationTables(
        studies=tuple(_study(row) for row in parsed.studies),
        timings=_timings(parsed.timings),
        acne_model=_model(parsed.acne_model),
        version=parsed.table_version,
    )


def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table, row id, row) for every cited row of ``expectations.yaml``."""
    return _rows(load_expectations_file())


def _rows(parsed: ExpectationsFile) -> tuple[tuple[str, str, CitedRow], ...]:
    rows: tuple[IdentifiedRow, ...] = (*parsed.studies, *parsed.timings, parsed.acne_model)
    return tuple((TABLE, row.id, row) for row in rows)


def _study(row: StudyRow) -> StudyResult:
    return StudyResult(
        id=row.id,
        indication=row.indication,
        summary=row.summary,
        sessions=row.sessions,
        provenance=row.provenance(),
    )


def _timings(rows: tuple[TimingRow, ...]) -> Mapping[Indication, IndicationTiming]:
    check_unique(TABLE, ((row.id, row.indication) for row in rows), "indication")
    for row in rows:
        if row.indication in OUT_OF_SCOPE:
            raise KnowledgeError(TABLE, row.id, f"'{row.indication}' is out of scope")
    missing = sorted(set(Indication) - OUT_OF_SCOPE - {row.indication for row in rows})
    if missing:
        raise KnowledgeError(TABLE, "timings", f"no timing row for {', '.join(missing)}")
    return MappingProxyType({row.indication: _timing(row) for row in rows})


def _timing(row: TimingRow) -> IndicationTiming:
    return IndicationTiming(
        indication=row.indication,
        results_show=row.results_show,
        judge_after=row.judge_after,
        remodelling=row.remodelling,
        caveat=row.caveat,
        provenance=row.provenance(),
    )


def _model(row: ResponseModelRow) -> ResponseModel:
    return ResponseModel(
        e_max=row.e_max,
        k_per_session=row.k_per_session,
        spread_pp=row.spread_pp,
        severe_shift_pp=row.severe_shift_pp,
        provenance=row.provenance(),
    )
