"""Errors the clinical core raises when an action cannot continue.

Expected clinical outcomes (a contraindication, an excluded zone) are values, not
exceptions. Exceptions mean "this request cannot be carried out" and carry a stable
kebab-case ``code`` that entrypoints map to exit codes or HTTP statuses::

    DomainError
    ├── InvalidInputError          a value is impossible (names the field and the fix)
    │   └── InvalidDepthRangeError
    ├── InvalidTransitionError     the record's state does not allow the action
    ├── KnowledgeError             a knowledge table is malformed (raised by knowledge/)
    └── ContraindicatedError       an action is refused because of absolute findings
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar


class DomainError(Exception):
    """Base of every error needlepoint raises on purpose."""

    code: ClassVar[str] = "domain-error"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem with one input field: where it is, what is wrong, how to fix it.

    ``limit`` is the id of the limit (``limits.yaml``) the value breaks, when it breaks one.
    """

    field: str
    problem: str
    fix: str
    limit: str | None = None

    def __str__(self) -> str:
        return f"{self.field}: {self.problem} Fix: {self.fix}"


class InvalidInputError(DomainError):
    """One or more input values are impossible; each problem names its field and fix."""

    code = "invalid-input"

    def __init__(self, problems: list[FieldProblem] | tuple[FieldProblem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, field: str, problem: str, fix: str) -> InvalidInputError:
        """Build the error for one field."""
        return cls([FieldProblem(field=field, problem=problem, fix=fix)])


class InvalidDepthRangeError(InvalidInputError):
    """A depth range is empty, negative or reversed."""

    code = "invalid-depth-range"

    def __init__(self, min_mm: Decimal, max_mm: Decimal) -> None:
        super().__init__(
            [
                FieldProblem(
                    field="depth_mm",
                    problem=f"range {min_mm}–{max_mm} mm is not a positive ordered range.",
                    fix="give a minimum greater than 0 and not above the maximum.",
                )
            ]
        )
        self.min_mm = min_mm
        self.max_mm = max_mm


class InvalidTransitionError(DomainError):
    """The record's state does not allow this action (e.g. starting a cancelled series)."""

    code = "invalid-transition"


class KnowledgeError(DomainError):
    """A knowledge table is malformed; names the file, the row and the field."""

    code = "knowledge-error"

    def __init__(self, table: str, row: str, detail: str) -> None:
        super().__init__(f"{table} [{row}]: {detail}")
        self.table = table
        self.row = row
        self.detail = detail
