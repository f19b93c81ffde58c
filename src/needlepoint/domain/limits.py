"""The limits the safety gate applies: hard stops, and soft limits a reason may pass.

Every limit is a row of cited knowledge (``knowledge/data/limits.yaml``) with a stable id that
is recorded on every refusal and every override (ADR 0020):

* a **hard** limit is never unlocked by a reason: the device's depth cap, the zone maximum,
  the clinician's licence, the minimum interval between sessions on one zone, an absolute
  contraindication, the earliest eligible date of a deferral;
* a **soft** limit passes only with a written reason, recorded with the user and the limit's
  id, and only within the bound its row states: deeper than the plan (within the caps), more
  sessions than the protocol's range, a gap longer than its longest interval, a product the
  topicals table names as unsafe on needled skin.

Input bounds that are not clinical rules (a plausible age, how long numbing may be recorded
on the skin) are stated the same way, so that no number lives in code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.evidence import Provenance

DEVICE_DEPTH_CAP: Final = "device-depth-cap"
ZONE_DEPTH_MAXIMUM: Final = "zone-depth-maximum"
LICENCE_DEPTH: Final = "licence-depth"
MINIMUM_INTERVAL: Final = "minimum-interval"
ABSOLUTE_CONTRAINDICATION: Final = "absolute-contraindication"
DEFERRAL_DATE: Final = "deferral-date"
DEEPER_THAN_PLAN: Final = "deeper-than-plan"
SESSIONS_BEYOND_RANGE: Final = "sessions-beyond-range"
INTERVAL_BEYOND_MAXIMUM: Final = "interval-beyond-maximum"
UNSAFE_TOPICAL: Final = "unsafe-topical"
PATIENT_AGE: Final = "patient-age"
NUMBING_DURATION: Final = "numbing-duration"
RECORDED_TIME_AHEAD: Final = "recorded-time-ahead"
CLEARANCE_VALIDITY: Final = "clearance-validity"

REQUIRED: Final = {
    DEVICE_DEPTH_CAP: "hard",
    ZONE_DEPTH_MAXIMUM: "hard",
    LICENCE_DEPTH: "hard",
    MINIMUM_INTERVAL: "hard",
    ABSOLUTE_CONTRAINDICATION: "hard",
    DEFERRAL_DATE: "hard",
    DEEPER_THAN_PLAN: "soft",
    SESSIONS_BEYOND_RANGE: "soft",
    INTERVAL_BEYOND_MAXIMUM: "soft",
    UNSAFE_TOPICAL: "soft",
    PATIENT_AGE: "hard",
    NUMBING_DURATION: "hard",
    RECORDED_TIME_AHEAD: "hard",
    CLEARANCE_VALIDITY: "hard",
}
"""Every limit the code applies, and its kind: the table must state each, with this kind."""


class LimitKind(StrEnum):
    """Whether a reason can pass a limit."""

    HARD = "hard"
    SOFT = "soft"


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit: its id, kind, the rule in words, its bound numbers and its sources."""

    id: str
    kind: LimitKind
    statement: str
    provenance: Provenance
    bound: Mapping[str, int] = field(default_factory=dict)

    def number(self, name: str) -> int:
        """One number of the limit's bound (``KnowledgeError`` if the table leaves it out)."""
        if name not in self.bound:
            raise KnowledgeError("limits", self.id, f"the bound needs {name}")
        return self.bound[name]


@dataclass(frozen=True, slots=True)
class LimitTable:
    """Every limit, by id, with the table's version."""

    limits: Mapping[str, Limit]
    version: str

    def __getitem__(self, limit_id: str) -> Limit:
        """The limit with this id (``KnowledgeError`` when the table does not state it)."""
        found = self.limits.get(limit_id)
        if found is None:
            raise KnowledgeError("limits", limit_id, "no such limit")
        return found

    @property
    def extra_sessions(self) -> int:
        """Sessions a reason may add past the protocol's maximum."""
        return self[SESSIONS_BEYOND_RANGE].number("extra_sessions")

    @property
    def extra_interval_days(self) -> int:
        """Days a reason may add past the protocol's longest interval."""
        return self[INTERVAL_BEYOND_MAXIMUM].number("extra_days")

    @property
    def max_age_years(self) -> int:
        """The oldest plausible age of a patient."""
        return self[PATIENT_AGE].number("max_years")

    @property
    def numbing_max_minutes(self) -> int:
        """The longest a topical anaesthetic may be recorded as on the skin."""
        return self[NUMBING_DURATION].number("max_minutes")

    @property
    def ahead_minutes(self) -> int:
        """How far ahead of the clinic's clock a time recorded as past may be."""
        return self[RECORDED_TIME_AHEAD].number("ahead_minutes")

    @property
    def clearance_max_days(self) -> int:
        """The longest a clearance may hold after it is recorded."""
        return self[CLEARANCE_VALIDITY].number("max_days")
