"""The cohort filter read from a query string: the same fields and problems for the API and web.

Every field is optional; an empty value means "any". A value that is not one of the field's
choices is refused naming the field and the choices (422, never a 500).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, TypeVar
from urllib.parse import urlencode

from needlepoint.domain.cohorts import (
    SCAR_SCALES,
    CohortFilter,
    DepthBand,
    FitzpatrickGroup,
    IntervalBand,
)
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.domain.vocabulary import Device, Indication, Zone

FIELDS: Final = (
    "indication",
    "baseline_grade",
    "fitzpatrick",
    "zone",
    "device",
    "depth_band",
    "interval_band",
    "sessions",
    "scale",
    "reference_sessions",
)
GRADES: Final = range(1, 5)
MAX_SESSIONS: Final = 20
CHOICES: Final[Mapping[str, tuple[str, ...]]] = {
    "indication": tuple(i.value for i in Indication),
    "baseline_grade": tuple(str(g) for g in GRADES),
    "fitzpatrick": tuple(g.value for g in FitzpatrickGroup),
    "zone": tuple(z.value for z in Zone),
    "device": tuple(d.value for d in Device),
    "depth_band": tuple(b.value for b in DepthBand),
    "interval_band": tuple(b.value for b in IntervalBand),
    "scale": tuple(s.value for s in SCAR_SCALES),
}

T = TypeVar("T")


def cohort_filter(given: Mapping[str, str]) -> CohortFilter:
    """The filter the query asks for.

    Raises:
        InvalidInputError: A field's value is not one of its choices; the problem names it.
    """
    values = {name: given.get(name, "").strip() for name in FIELDS}
    return CohortFilter(
        indication=_choice(values, "indication", str),
        baseline_grade=_number(values, "baseline_grade", GRADES.stop - 1),
        fitzpatrick=_choice(values, "fitzpatrick", FitzpatrickGroup),
        zone=_choice(values, "zone", str),
        device=_choice(values, "device", str),
        depth_band=_choice(values, "depth_band", DepthBand),
        interval_band=_choice(values, "interval_band", IntervalBand),
        sessions=_number(values, "sessions", MAX_SESSIONS),
        scale=_choice(values, "scale", OutcomeScale) or OutcomeScale.GB_QUANTITATIVE,
        reference_sessions=_number(values, "reference_sessions", MAX_SESSIONS) or 3,
    )


def query_of(wanted: CohortFilter) -> str:
    """The filter as a query string (for the CSV and chart links)."""
    pairs = {
        "indication": wanted.indication,
        "baseline_grade": wanted.baseline_grade,
        "fitzpatrick": wanted.fitzpatrick,
        "zone": wanted.zone,
        "device": wanted.device,
        "depth_band": wanted.depth_band,
        "interval_band": wanted.interval_band,
        "sessions": wanted.sessions,
        "scale": wanted.scale.value,
        "reference_sessions": wanted.reference_sessions,
    }
    return urlencode({k: str(v) for k, v in pairs.items() if v is not None})


def _choice(values: Mapping[str, str], name: str, make: Callable[[str], T]) -> T | None:
    raw = values[name]
    if not raw:
        return None
    if raw not in CHOICES[name]:
        raise InvalidInputError.single(
            name,
            f"{raw!r} is not one of the choices.",
            f"give one of {', '.join(CHOICES[name])}, or leave it empty for any.",
        )
    return make(raw)


def _number(values: Mapping[str, str], name: str, highest: int) -> int | None:
    raw = values[name]
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= highest:
        raise InvalidInputError.single(
            name,
            f"{raw!r} is not a whole number from 1 to {highest}.",
            f"give a whole number from 1 to {highest}, or leave it empty for any.",
        )
    return int(raw)
