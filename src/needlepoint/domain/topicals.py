"""Products that must not go on freshly needled skin without an acknowledged reason.

A product charted as applied during or right after needling is matched, as whole words in any
case, against the terms of each row of the topicals table (``knowledge/data/topicals.yaml``).
A match is the soft limit ``unsafe-topical`` (``domain.limits``): the chart is saved only with a
reason for that product, recorded on the chart with the row's id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from needlepoint.domain.evidence import Provenance


@dataclass(frozen=True, slots=True)
class UnsafeTopical:
    """One kind of product that is unsafe on needled skin, and the words that name it."""

    id: str
    label: str
    terms: tuple[str, ...]
    concern: str
    provenance: Provenance

    def names(self, product: str) -> bool:
        """Whether a product as charted is of this kind (a term appears as whole words)."""
        text = " ".join(product.lower().split())
        return any(_whole_words(term).search(text) for term in self.terms)


@dataclass(frozen=True, slots=True)
class TopicalTable:
    """Every unsafe kind of product, with the table's version."""

    topicals: tuple[UnsafeTopical, ...]
    version: str

    def matches(self, product: str) -> tuple[UnsafeTopical, ...]:
        """The kinds of unsafe product a charted product is (none for a safe product)."""
        return tuple(t for t in self.topicals if t.names(product))

    def flagged(self, products: tuple[str, ...]) -> Iterator[tuple[int, str, UnsafeTopical]]:
        """(index, product, first matching kind) for every unsafe product in a list."""
        for index, product in enumerate(products):
            found = self.matches(product)
            if found:
                yield index, product, found[0]


def _whole_words(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])")
