"""Jacob, Dover & Kaminer 2001 morphological classification of atrophic acne scars.

Publication: Jacob CI, Dover JS, Kaminer MS. *Acne scarring: a classification system and
review of treatment options.* J Am Acad Dermatol 2001;45:109–17 (source id
``jacob-2001-classification``). The widths and depths are the ones tabulated by Fabbrocini
et al. 2010, Table 1 (``fabbrocini-2010-classification``).

Items, one group of similar scars at a time:

* **icepick** ("V"): narrow, sharply marginated tracts with vertical edges that taper to a
  point, reaching the deep dermis or subcutis.
* **boxcar** ("U"): round to oval depressions with vertical edges and no taper to a point;
  *shallow* or *deep*.
* **rolling** ("M"): dermal tethering of normal-looking skin; sloping edges, an undulating
  surface and a wide diameter.

A group whose features fit none of these (sloping edges on a narrow scar, vertical edges on
a very wide one) is ``indeterminate``; the explanation names the conflicting features and
what to re-check. Where the icepick and boxcar widths overlap, the taper decides. Every
width limit comes from :class:`JacobCriteria`, which the knowledge layer builds from
``scales.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.scales.inputs import ScarDepth, ScarEdges, ScarMorphology


class JacobType(StrEnum):
    """The Jacob morphological type of a scar group."""

    ICEPICK = "icepick"
    BOXCAR = "boxcar"
    ROLLING = "rolling"
    INDETERMINATE = "indeterminate"


@dataclass(frozen=True, slots=True)
class JacobCriteria:
    """The width limits (mm) that separate the Jacob types, read from ``scales.yaml``.

    Attributes:
        icepick_max_width_mm: Icepick scars are narrower than this (exclusive).
        boxcar_min_width_mm: Boxcar scars are at least this wide (inclusive).
        boxcar_max_width_mm: Boxcar scars are at most this wide (inclusive).
        rolling_min_width_mm: Rolling scars are wider than this (exclusive).
        boxcar_deep_min_depth_mm: Boxcar scars at least this deep are "deep". The input is a
            depth class, so this only words the explanation.
        sources: Source ids behind the criteria.
    """

    icepick_max_width_mm: Decimal
    boxcar_min_width_mm: Decimal
    boxcar_max_width_mm: Decimal
    rolling_min_width_mm: Decimal
    boxcar_deep_min_depth_mm: Decimal
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class JacobResult:
    """The Jacob type of one scar group, with why.

    Attributes:
        scar_type: Icepick, boxcar, rolling or indeterminate.
        boxcar_depth: Shallow or deep for a boxcar group, otherwise None.
        width_mm: The width the type was decided from.
        count: How many scars the group holds.
        explanation: Plain words: which features led to the type, or which ones conflict.
        sources: Source ids behind the criteria used.
    """

    scar_type: JacobType
    boxcar_depth: ScarDepth | None
    width_mm: Decimal
    count: int
    explanation: str
    sources: tuple[str, ...]


def classify(group: ScarMorphology, criteria: JacobCriteria) -> JacobResult:
    """Name the Jacob type of a group of similar scars from what the examiner saw.

    Args:
        group: Width, edges, taper and depth class of the scars, and how many there are.
        criteria: Width limits from the knowledge table.

    Returns:
        The type, the boxcar depth class if boxcar, and an explanation.

    Raises:
        InvalidInputError: The width is not a positive number or the count is below 1.
    """
    _check(group)
    if group.edges is ScarEdges.VERTICAL:
        scar_type, reason = _classify_vertical(group, criteria)
    else:
        scar_type, reason = _classify_sloping(group.width_mm, group.tapers_to_point, criteria)
    return JacobResult(
        scar_type=scar_type,
        boxcar_depth=group.depth if scar_type is JacobType.BOXCAR else None,
        width_mm=group.width_mm,
        count=group.count,
        explanation=f"{group.count} × {scar_type}: {reason}",
        sources=criteria.sources,
    )


def _check(group: ScarMorphology) -> None:
    problems: list[FieldProblem] = []
    if not group.width_mm.is_finite() or group.width_mm <= 0:
        problems.append(
            FieldProblem(
                "width_mm", f"{group.width_mm} mm is not a width.", "give a width above 0 mm."
            )
        )
    if group.count < 1:
        problems.append(
            FieldProblem(
                "count",
                f"{group.count} is not a number of scars.",
                "give how many scars look like this (1 or more).",
            )
        )
    if problems:
        raise InvalidInputError(problems)


def _classify_vertical(group: ScarMorphology, c: JacobCriteria) -> tuple[JacobType, str]:
    width = group.width_mm
    if group.tapers_to_point:
        return _classify_tapering(width, c)
    if c.boxcar_min_width_mm <= width <= c.boxcar_max_width_mm:
        return JacobType.BOXCAR, _boxcar_reason(width, group.depth, c)
    if width < c.boxcar_min_width_mm:
        return JacobType.INDETERMINATE, (
            f"vertical edges without a taper, but {width} mm is narrower than a boxcar scar "
            f"({c.boxcar_min_width_mm}–{c.boxcar_max_width_mm} mm) and icepick scars taper "
            "to a point. Re-check the taper and the width."
        )
    return JacobType.INDETERMINATE, (
        f"vertical edges, but {width} mm is wider than a boxcar scar (at most "
        f"{c.boxcar_max_width_mm} mm) and rolling scars have sloping edges. Re-check the "
        "edges and the width."
    )


def _classify_tapering(width: Decimal, c: JacobCriteria) -> tuple[JacobType, str]:
    if width < c.icepick_max_width_mm:
        return JacobType.ICEPICK, (
            f"vertical edges tapering to a point, {width} mm wide "
            f"(narrower than {c.icepick_max_width_mm} mm): a V-shaped icepick scar."
        )
    return JacobType.INDETERMINATE, (
        f"it tapers to a point like an icepick scar, but {width} mm is not narrower than "
        f"{c.icepick_max_width_mm} mm. Re-check the width, and whether the base really "
        "tapers (a flat base would make it boxcar)."
    )


def _boxcar_reason(width: Decimal, depth: ScarDepth, c: JacobCriteria) -> str:
    depth_words = (
        f"shallow (under {c.boxcar_deep_min_depth_mm} mm deep)"
        if depth is ScarDepth.SHALLOW
        else f"deep ({c.boxcar_deep_min_depth_mm} mm or deeper)"
    )
    return (
        f"vertical edges, no taper, {width} mm wide (within {c.boxcar_min_width_mm}–"
        f"{c.boxcar_max_width_mm} mm): a U-shaped boxcar scar, {depth_words}."
    )


def _classify_sloping(
    width: Decimal, tapers_to_point: bool, c: JacobCriteria
) -> tuple[JacobType, str]:
    if width <= c.rolling_min_width_mm:
        return JacobType.INDETERMINATE, (
            f"sloping edges, but {width} mm is not wider than {c.rolling_min_width_mm} mm as "
            "rolling scars are, and narrower icepick and boxcar scars have vertical edges. "
            "Re-check the edges and the width."
        )
    if tapers_to_point:
        return JacobType.INDETERMINATE, (
            f"sloping edges and {width} mm fit a rolling scar, but rolling scars undulate "
            "rather than taper to a point. Re-check the taper."
        )
    return JacobType.ROLLING, (
        f"sloping edges, no taper, {width} mm wide (wider than {c.rolling_min_width_mm} mm): "
        "an M-shaped, undulating rolling scar."
    )
