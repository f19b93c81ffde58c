"""Plain words for the portal: zones, intervals and triage levels as a patient reads them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from needlepoint.domain.checkins import TriageLevel
from needlepoint.domain.treatment import SeriesStatus
from needlepoint.domain.vocabulary import Zone

DAYS_IN_WEEK: Final = 7

ZONE_WORDS: Final = {
    Zone.FOREHEAD: "forehead",
    Zone.GLABELLA: "between the eyebrows",
    Zone.TEMPLES: "temples",
    Zone.PERIORBITAL: "around the eyes",
    Zone.EYELIDS: "eyelids",
    Zone.NOSE: "nose",
    Zone.CHEEKS: "cheeks",
    Zone.PERIORAL: "around the mouth",
    Zone.CHIN: "chin",
    Zone.JAWLINE: "jawline",
    Zone.NECK: "neck",
    Zone.DECOLLETE: "upper chest",
    Zone.ABDOMEN: "tummy",
    Zone.THIGHS: "thighs",
    Zone.BREASTS: "breasts",
    Zone.BUTTOCKS: "buttocks",
    Zone.UPPER_ARMS: "upper arms",
    Zone.SCALP: "scalp",
}

LEVEL_WORDS: Final = {
    TriageLevel.GREEN: "Healing as expected",
    TriageLevel.AMBER: "Your clinic will take a look",
    TriageLevel.RED: "Call your clinic today",
}

STATUS_WORDS: Final = {
    SeriesStatus.PLANNED: "planned",
    SeriesStatus.IN_PROGRESS: "under way",
    SeriesStatus.COMPLETED: "finished",
    SeriesStatus.CANCELLED: "stopped",
}


def zones(treated: Iterable[Zone]) -> str:
    """Zones in words, as a list: "cheeks, forehead and around the eyes"."""
    names = [ZONE_WORDS.get(zone, str(zone).replace("_", " ")) for zone in treated]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def interval(days: int) -> str:
    """An interval in words: "every 4 weeks", or "every 10 days"."""
    if days % DAYS_IN_WEEK == 0:
        weeks = days // DAYS_IN_WEEK
        return "every week" if weeks == 1 else f"every {weeks} weeks"
    return "every day" if days == 1 else f"every {days} days"


def level(value: TriageLevel) -> str:
    """What a triage level means for the patient, in a few words."""
    return LEVEL_WORDS[value]


def series_status(value: SeriesStatus) -> str:
    """Where a series stands, in a word."""
    return STATUS_WORDS[value]


HELPERS: Final = {
    "zone_words": zones,
    "interval_words": interval,
    "level_words": level,
    "series_status_words": series_status,
}
"""Passed to every portal template."""
