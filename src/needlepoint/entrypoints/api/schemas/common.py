"""What the API models of every area share: bounded types, ``RequestModel``, problems, pages.

Every request model refuses unknown fields (``extra="forbid"``) and bounds every string and
number; text follows ``domain.text``'s one rule: no control characters (they have no place in
a name, they break log lines, and PostgreSQL refuses NUL) but line breaks and tabs in a field
over several lines, and no direction overrides. Lengths follow the database columns.

A list that can be long is answered a page at a time: ``Page[ItemOut]``, declared under its own
name (``class PatientPage(Page[PatientOut])``) so the API document names it as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Final, Generic, Protocol, Self, TypeVar

from fastapi import Query
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from needlepoint.domain import contact, text, units
from needlepoint.domain.errors import InputCode
from needlepoint.domain.units import DecimalFormat
from needlepoint.services.access import MAX_PAGE_SIZE

NOT_BLANK: Final = text.NOT_BLANK
"""A pattern: one line of printable text that is not blank (``domain.text``)."""
PRINTABLE: Final = text.PRINTABLE
"""A pattern: one line of printable text, perhaps empty (``domain.text``)."""
LINES: Final = text.LINES
"""A pattern: printable text over several lines, perhaps empty (``domain.text``)."""


def _iso_date_text(value: object) -> object:
    """Dates come as YYYY-MM-DD text: a bare number is not silently read as a Unix time."""
    if isinstance(value, int | float):
        raise PydanticCustomError(
            "date_parsing",
            "is not a date",
            {"fix": "write the date as YYYY-MM-DD", "code": InputCode.NOT_A_DATE},
        )
    return value


Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NOT_BLANK)]
Email = Annotated[str, StringConstraints(max_length=320, pattern=contact.EMAIL)]
Phone = Annotated[str, StringConstraints(max_length=50, pattern=contact.PHONE)]
IsoDate = Annotated[
    date, BeforeValidator(_iso_date_text), WithJsonSchema({"type": "string", "format": "date"})
]
Search = Annotated[str, StringConstraints(max_length=200, pattern=PRINTABLE)]
Cursor = Annotated[str, StringConstraints(max_length=4096, pattern=PRINTABLE)]
"""A list's opaque ``next_cursor``, handed back unchanged (read by the service, 422 if not one)."""
Reason = Annotated[str, StringConstraints(max_length=2000, pattern=PRINTABLE)]
"""A clinician's reason or note (blank where the domain says blank means none)."""
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NOT_BLANK)]

MAX_OFFSET: Final = 1_000_000
"""Deepest offset a list accepts (a bound on the query, not on the data)."""
DEFAULT_PAGE_SIZE: Final = 20
Version = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
MAX_ZONES: Final = 20
MAX_LIST: Final = 50


@dataclass(frozen=True, slots=True)
class DecimalRule:
    """What a Decimal field accepts: the domain's ``DecimalFormat``, documented exactly.

    Pydantic alone would read any text ``Decimal()`` reads (``" 1.5"``, ``"1e1"``, ``"1_0"``)
    and document the field as ``number | string`` with the string unconstrained. Here the value
    is checked by the same ``DecimalFormat`` the web forms use (so both refuse with the same
    code), and ``text`` is the pattern the document gives for the text form.
    """

    format: DecimalFormat
    text: str
    """An ECMA-262 pattern (anchored) for the text form: digits, no exponent, no padding."""

    def check(self, value: object) -> object:
        """Let a well-formed value through to pydantic's own Decimal validation."""
        if self.format.value_of(value) is None:
            raise PydanticCustomError(
                "decimal_rule",
                "{problem}",
                {
                    "problem": self.format.problem.removesuffix("."),
                    "fix": self.format.fix,
                    "code": self.format.code,
                },
            )
        return value

    def json_schema(self) -> dict[str, Any]:
        """The field as the API document gives it (request side)."""
        rule = self.format
        number: dict[str, Any] = {"type": "number", "maximum": float(rule.high)}
        number["exclusiveMinimum" if rule.low_excluded else "minimum"] = float(rule.low)
        number["multipleOf"] = float(Decimal(1).scaleb(-rule.places))
        return {"anyOf": [number, {"type": "string", "pattern": self.text}]}


TWO_PLACES: Final = r"(?:\.[0-9]{1,2})?"
_DEPTH_TEXT: Final = rf"^(?:[1-9][0-9]?{TWO_PLACES}|0\.(?:[1-9][0-9]?|0[1-9]))$"
DEPTH: Final = DecimalRule(units.DEPTH_MM, _DEPTH_TEXT)
"""A depth in millimetres as written: above 0, under 100, in hundredths (a needling depth's
caps are limits; a licence's deepest depth is written the same way)."""
DepthMm = Annotated[
    Decimal,
    BeforeValidator(DEPTH.check),
    WithJsonSchema(DEPTH.json_schema(), mode="validation"),
]


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldProblemOut(BaseModel):
    """One problem with one field, and its stable code (the same on the API and the web)."""

    field: str
    problem: str
    fix: str
    code: str


class Problem(BaseModel):
    """An error (RFC 9457 problem details) with a stable ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblemOut]


class Window(Protocol):
    """Which part of a list was asked for."""

    @property
    def offset(self) -> int: ...

    @property
    def limit(self) -> int: ...


class PageQuery(RequestModel):
    """Which page of a list."""

    offset: Offset = 0
    limit: Limit = DEFAULT_PAGE_SIZE


Paging = Annotated[PageQuery, Query()]
"""A route's parameter: which page of a list, as ``?offset=…&limit=…``."""


RecordT = TypeVar("RecordT")


class FromRecord(BaseModel, Generic[RecordT]):
    """A response model read off a domain record's attributes of the same names.

    ``class PatientOut(FromRecord[PatientRecord])`` gets ``PatientOut.from_domain(record)``;
    lists become lists, enums their values, nested records the nested models.
    """

    @classmethod
    def from_domain(cls, record: RecordT) -> Self:
        """From the domain record."""
        return cls.model_validate(record, from_attributes=True)


ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(BaseModel, Generic[ItemT]):
    """One page of a list; ``next_offset`` is null on the last page.

    Declare each page under its own name, with its own docstring (the API document's name and
    description): ``class PatientPage(Page[PatientOut]): ...``.
    """

    items: list[ItemT]
    offset: int
    limit: int
    next_offset: int | None

    @classmethod
    def of(cls, items: Sequence[ItemT], window: Window) -> Self:
        """The page of ``items`` found in ``window`` (a full page may have a next one)."""
        offset, limit = window.offset, window.limit
        return cls(
            items=list(items),
            offset=offset,
            limit=limit,
            next_offset=offset + limit if len(items) == limit else None,
        )
