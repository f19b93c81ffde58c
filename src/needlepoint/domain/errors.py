"""Errors the clinical core raises when an action cannot continue.

Expected clinical outcomes (a contraindication, an excluded zone) are values, not
exceptions. Exceptions mean "this request cannot be carried out" and carry a stable
kebab-case ``code`` that entrypoints map to exit codes or HTTP statuses::

    DomainError
    ├── InvalidInputError          a value is impossible (names the field and the fix)
    │   └── InvalidDepthRangeError
    ├── NotFoundError              no such record in the caller's clinic (``…NotFoundError``)
    ├── ConflictError              the records as they stand refuse the change
    │   ├── InvalidTransitionError the record's state does not allow the action
    │   └── ContraindicatedError   an action is refused because of absolute findings
    └── KnowledgeError             a knowledge table is malformed (raised by knowledge/)

Each kind of missing record and each conflict keeps its own ``code``; the entrypoints map the
two bases once (404 and 409) and every subclass answers the same way with its own code.

Every ``FieldProblem`` names its field by its path in the API's request body (``born_on``,
``chart.zones[cheeks].delivered_depth_mm``: list items with a natural key are named by it) and
carries a stable ``code`` (``InputCode``, or the id of the limit it breaks, such as
``device-depth-cap``). The web forms name their fields the same way, so the API and the web
app refuse the same input with the same field and the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import ClassVar, Final


class DomainError(Exception):
    """Base of every error needlepoint raises on purpose."""

    code: ClassVar[str] = "domain-error"


class InputCode:
    """Stable codes for problems with one input value (the limits have their own ids)."""

    REQUIRED: Final = "required"
    UNKNOWN_FIELD: Final = "unknown-field"
    NOT_A_NUMBER: Final = "not-a-number"
    NOT_A_WHOLE_NUMBER: Final = "not-a-whole-number"
    NOT_A_DATE: Final = "not-a-date"
    NOT_A_TIME: Final = "not-a-time"
    NOT_A_CHOICE: Final = "not-a-choice"
    NOT_AN_ID: Final = "not-an-id"
    NOT_YES_OR_NO: Final = "not-yes-or-no"
    NOT_TEXT: Final = "not-text"
    NOT_AN_EMAIL: Final = "not-an-email"
    NOT_A_PHONE: Final = "not-a-phone"
    TOO_LONG: Final = "too-long"
    TOO_SHORT: Final = "too-short"
    OUT_OF_RANGE: Final = "out-of-range"
    IN_THE_FUTURE: Final = "in-the-future"
    TOO_EARLY: Final = "too-early"
    OUT_OF_ORDER: Final = "out-of-order"
    NOT_PLANNED: Final = "not-planned"
    REPEATED: Final = "repeated"
    REASON_REQUIRED: Final = "reason-required"
    MISMATCH: Final = "mismatch"
    INVALID: Final = "invalid"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem with one input field: where it is, what is wrong, how to fix it.

    ``code`` is stable (``InputCode`` or a limit id): clients and tests compare it, people
    read ``problem`` and ``fix``.
    """

    field: str
    problem: str
    fix: str
    code: str = InputCode.INVALID

    def __str__(self) -> str:
        return f"{self.field}: {self.problem} Fix: {self.fix}"

    def within(self, prefix: str) -> FieldProblem:
        """The same problem, its field named from an enclosing object (``chart.`` + field)."""
        return replace(self, field=f"{prefix}.{self.field}")


class InvalidInputError(DomainError):
    """One or more input values are impossible; each problem names its field and fix."""

    code = "invalid-input"

    def __init__(self, problems: list[FieldProblem] | tuple[FieldProblem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def single(
        cls, field: str, problem: str, fix: str, code: str = InputCode.INVALID
    ) -> InvalidInputError:
        """Build the error for one field."""
        return cls([FieldProblem(field=field, problem=problem, fix=fix, code=code)])

    def within(self, prefix: str) -> InvalidInputError:
        """The same error, every field named from an enclosing object (``chart.`` + field)."""
        moved = type(self).__new__(type(self))
        moved.__dict__.update(self.__dict__)
        moved.problems = tuple(p.within(prefix) for p in self.problems)
        moved.args = ("; ".join(str(p) for p in moved.problems),)
        return moved


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
                    code=InputCode.OUT_OF_ORDER,
                )
            ]
        )
        self.min_mm = min_mm
        self.max_mm = max_mm


class NotFoundError(DomainError):
    """No such record in the caller's clinic (another clinic's record reads the same)."""

    code = "not-found"


class ConflictError(DomainError):
    """The records as they stand refuse the change (a state, a version, a clash, a finding)."""

    code = "conflict"


class InvalidTransitionError(ConflictError):
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
