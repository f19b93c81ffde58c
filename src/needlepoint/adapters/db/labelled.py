"""Columns of joined tables under ``<prefix><column>`` labels, and back under their own names.

A statement joining several tables labels each table's columns with a prefix; ``unprefixed``
then hands one table's columns to the same row converter its repository uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import RowMapping, Table

Keys = tuple[tuple[str, str], ...]
"""(label in the joined row, column name) of the columns of one table."""


def keys(table: Table, prefix: str, names: Iterable[str] | None = None) -> Keys:
    """The labels of ``names`` (every column by default) of one table."""
    chosen = [column.name for column in table.c] if names is None else names
    return tuple((f"{prefix}{name}", name) for name in chosen)


def labelled(table: Table, keys: Keys) -> tuple[Any, ...]:
    """The table's columns under their labels, for a ``select``."""
    return tuple(table.c[name].label(label) for label, name in keys)


def unprefixed(row: RowMapping, keys: Keys) -> RowMapping:
    """One table's columns of a joined row, under their own names (as a repository reads)."""
    own = {name: row[label] for label, name in keys}
    return cast("RowMapping", own)  # the converters only index by column name
