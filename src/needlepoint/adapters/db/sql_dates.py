"""Day arithmetic in SQL that both databases run: a UTC instant's day, plus whole days.

SQLite keeps instants as ``YYYY-MM-DD HH:MM:SS.ffffff`` text and days as ``YYYY-MM-DD``
text, so its ``date()`` function does the work; PostgreSQL casts. Both give a ``Date``, which
orders, compares with a bound ``date`` and reads back as one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class utc_day_plus(FunctionElement[Any]):
    """``utc_day_plus(instant, days)``: the instant's UTC day plus ``days`` days."""

    type = Date()
    inherit_cache = True


class day_of_text(FunctionElement[Any]):
    """``day_of_text(text)``: a ``YYYY-MM-DD`` text (such as a JSON value) as a day."""

    type = Date()
    inherit_cache = True


@compiles(utc_day_plus, "sqlite")
def _sqlite_day_plus(element: utc_day_plus, compiler: SQLCompiler, **kw: Any) -> str:
    instant, days = list(element.clauses)
    return (
        f"date({compiler.process(instant, **kw)}, '+' || ({compiler.process(days, **kw)}) "
        "|| ' days')"
    )


@compiles(utc_day_plus, "postgresql")
def _postgresql_day_plus(element: utc_day_plus, compiler: SQLCompiler, **kw: Any) -> str:
    instant, days = list(element.clauses)
    return (
        f"(CAST(({compiler.process(instant, **kw)} AT TIME ZONE 'UTC') AS DATE)"
        f" + ({compiler.process(days, **kw)}))"
    )


@compiles(day_of_text, "sqlite")
def _sqlite_day_of_text(element: day_of_text, compiler: SQLCompiler, **kw: Any) -> str:
    (text,) = list(element.clauses)
    return f"date({compiler.process(text, **kw)})"


@compiles(day_of_text, "postgresql")
def _postgresql_day_of_text(element: day_of_text, compiler: SQLCompiler, **kw: Any) -> str:
    (text,) = list(element.clauses)
    return f"CAST({compiler.process(text, **kw)} AS DATE)"
