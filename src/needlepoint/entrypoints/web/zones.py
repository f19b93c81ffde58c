"""Each clinic's time zone, asked of the services once per clinic and server process.

Every time a page shows is given in the zone of the signed-in member's clinic (ADR 0014). A
clinic's zone is set when the clinic is made and no use case changes it, and clinic ids are
random UUIDs, so one map from clinic id to zone for the whole process never goes stale and never
confuses two databases' clinics: pages need no query for it after a clinic's first. (Two
threads asking at once for a new clinic both look it up, and store the same zone.)
"""

from __future__ import annotations

from typing import Final
from uuid import UUID
from zoneinfo import ZoneInfo

from needlepoint.bootstrap import Services

_known: Final[dict[UUID, ZoneInfo]] = {}


def clinic_zone(services: Services, clinic_id: UUID) -> ZoneInfo:
    """The IANA time zone of a clinic (looked up in the services on first use only)."""
    zone = _known.get(clinic_id)
    if zone is None:
        zone = _known[clinic_id] = ZoneInfo(services.accounts.clinic_time_zone(clinic_id))
    return zone
