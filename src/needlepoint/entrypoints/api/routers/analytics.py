"""Cohort analytics (ADR 0045): the clinic's aggregated outcomes, for clinicians and admins.

Cells and comparisons under 5 patients come back ``suppressed`` with no numbers. A filter value
that is not one of its choices answers 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from needlepoint.entrypoints import cohort_query
from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.analytics import CohortReportOut
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(prefix=API, tags=["analytics"])

Choice = Annotated[str, Query(max_length=40)]


@router.get("/analytics/cohorts")
def cohorts(
    *,
    context: Context,
    services: ServicesDep,
    indication: Choice = "",
    baseline_grade: Choice = "",
    fitzpatrick: Choice = "",
    zone: Choice = "",
    device: Choice = "",
    depth_band: Choice = "",
    interval_band: Choice = "",
    sessions: Choice = "",
    scale: Choice = "",
    reference_sessions: Choice = "",
) -> CohortReportOut:
    """The cohort's improvement at 3 and 6 months by number of sessions, and the differences.

    Differences are against ``reference_sessions`` (default 3), adjusted for the baseline grade
    and the Fitzpatrick group, with 95 % intervals; they are associations, not effects.
    """
    given = {
        "indication": indication,
        "baseline_grade": baseline_grade,
        "fitzpatrick": fitzpatrick,
        "zone": zone,
        "device": device,
        "depth_band": depth_band,
        "interval_band": interval_band,
        "sessions": sessions,
        "scale": scale,
        "reference_sessions": reference_sessions,
    }
    wanted = cohort_query.cohort_filter(given)
    return CohortReportOut.of(services.analytics.cohort_view(wanted, context=context))
