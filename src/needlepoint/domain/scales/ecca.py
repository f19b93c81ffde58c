"""ECCA: Échelle d'Évaluation Clinique des Cicatrices d'Acné (weighted acne-scar score).

Publication: Dréno B, Khammari A, Orain N, et al. *ECCA grading scale: an original validated
acne scar grading scale for clinical practice in dermatology.* Dermatology 2007;214:46–51
(source id ``dreno-2007-ecca``).

Items (``EccaItem``): V-shaped atrophic scars under 2 mm (≈ icepick); U-shaped atrophic
scars with steep edges (≈ boxcar); M-shaped superficial irregular atrophic scars
(≈ rolling); superficial elastolysis; hypertrophic inflammatory scars under 2 years old;
keloid or hypertrophic scars over 2 years old.

Scoring: each item's lesion count falls in a band that gives a semi-quantitative score (b);
the item's subscore is its weight (a) × b, and the total is the sum of the six subscores.
Weights and bands come from :class:`EccaTable`, built from ``scales.yaml``. The weights and
bands there are recalled, not verified against the publication, so every result says whether
it rests on unverified rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from needlepoint.domain.errors import FieldProblem, InvalidInputError, KnowledgeError
from needlepoint.domain.evidence import Provenance
from needlepoint.domain.scales.bands import CountBand
from needlepoint.domain.scales.inputs import EccaItem


@dataclass(frozen=True, slots=True)
class EccaWeight:
    """The weight (a) of one ECCA item.

    ``label`` is the item as the knowledge table words it (``V-shaped atrophic scars, diameter
    < 2 mm (≈ icepick)``); explanations name items by it, never by the ``item`` code.
    """

    item: EccaItem
    weight: int
    provenance: Provenance
    label: str


@dataclass(frozen=True, slots=True)
class EccaCountBand(CountBand):
    """A band of lesion counts and its score."""

    score: int
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class EccaTable:
    """Item weights and count bands, from ``scales.yaml``."""

    weights: tuple[EccaWeight, ...]
    count_bands: tuple[EccaCountBand, ...]

    @property
    def max_total(self) -> int:
        """The highest total the table allows (every item in the top band)."""
        top_score = max(band.score for band in self.count_bands)
        return sum(row.weight for row in self.weights) * top_score

    def band_for(self, count: int) -> EccaCountBand:
        """The count band a lesion count falls in.

        Raises:
            KnowledgeError: No band covers the count.
        """
        for band in self.count_bands:
            if band.contains(count):
                return band
        raise KnowledgeError("scales", "ecca-count-bands", f"no band covers {count}")


@dataclass(frozen=True, slots=True)
class EccaSubscore:
    """One item's subscore: weight (a) × the band score (b) of its lesion count."""

    item: EccaItem
    count: int
    weight: int
    band_score: int
    subscore: int


@dataclass(frozen=True, slots=True)
class EccaResult:
    """An ECCA total, item by item, with why.

    Attributes:
        subscores: One subscore per item, in table order (items not counted score 0).
        total: Sum of the subscores.
        max_total: The highest total the table allows.
        explanation: Plain words: each scoring item, its band and arithmetic, and the total.
        sources: Source ids behind the weights and bands used.
        unverified: True when any weight or band used awaits checking against the publication.
    """

    subscores: tuple[EccaSubscore, ...]
    total: int
    max_total: int
    explanation: str
    sources: tuple[str, ...]
    unverified: bool


def score(counts: Mapping[EccaItem, int], table: EccaTable) -> EccaResult:
    """Score acne scarring on the ECCA scale from lesion counts per item.

    Args:
        counts: Lesions counted per item; an item left out counts 0.
        table: Item weights and count bands from the knowledge table.

    Returns:
        Every item's subscore, the total, the maximum and an explanation.

    Raises:
        InvalidInputError: A count is negative or names no item.
    """
    _check(counts, {row.item for row in table.weights})
    bands = [table.band_for(counts.get(row.item, 0)) for row in table.weights]
    subscores = tuple(
        _subscore(row, counts.get(row.item, 0), band)
        for row, band in zip(table.weights, bands, strict=True)
    )
    used = [row.provenance for row in table.weights] + [band.provenance for band in bands]
    unverified = any(p.is_unverified for p in used)
    total = sum(item.subscore for item in subscores)
    return EccaResult(
        subscores=subscores,
        total=total,
        max_total=table.max_total,
        explanation=_explain(subscores, bands, _labels(table), total, table.max_total, unverified),
        sources=tuple(dict.fromkeys(source for p in used for source in p.sources)),
        unverified=unverified,
    )


def _subscore(row: EccaWeight, count: int, band: EccaCountBand) -> EccaSubscore:
    return EccaSubscore(
        item=row.item,
        count=count,
        weight=row.weight,
        band_score=band.score,
        subscore=row.weight * band.score,
    )


def _check(counts: Mapping[EccaItem, int], items: set[EccaItem]) -> None:
    problems = list(_count_problems(counts, items))
    if problems:
        raise InvalidInputError(problems)


def _count_problems(counts: Mapping[EccaItem, int], items: set[EccaItem]) -> Iterator[FieldProblem]:
    for item, count in counts.items():
        where = f"ecca_counts.{item}"
        if item not in items:
            yield FieldProblem(where, "is not an item of the scale.", "use an EccaItem.")
        elif count < 0:
            yield FieldProblem(
                where, f"{count} is a negative lesion count.", "count lesions as 0 or more."
            )


def _labels(table: EccaTable) -> dict[EccaItem, str]:
    return {row.item: row.label for row in table.weights}


def _explain(
    subscores: Iterable[EccaSubscore],
    bands: Iterable[EccaCountBand],
    labels: Mapping[EccaItem, str],
    total: int,
    max_total: int,
    unverified: bool,
) -> str:
    lines = [
        f"{labels[sub.item]}: {sub.count} {'lesion' if sub.count == 1 else 'lesions'} "
        f"({band.label}) → b = {sub.band_score} × weight {sub.weight} = {sub.subscore}"
        for sub, band in zip(subscores, bands, strict=True)
        if sub.count
    ]
    if not lines:
        lines.append("no lesions counted")
    lines.append(f"total {total} of {max_total}")
    if unverified:
        lines.append("weights and bands are recalled and unverified against Dréno 2007")
    return "; ".join(lines)
