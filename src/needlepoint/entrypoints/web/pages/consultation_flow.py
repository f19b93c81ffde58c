"""The pages of a new consultation's guided flow, for the web's page table (``routes.PAGES``).

Every page here shows or records clinical content; each names the action it takes, as the
API's operations for consultations, series and assessments do.
"""

from __future__ import annotations

from typing import Final

from needlepoint.entrypoints.web.pages import assessments, clearances, consultations
from needlepoint.entrypoints.web.routing import Page
from needlepoint.services.permissions import Action

CONSULTATION_PAGES: Final = (
    Page(
        "GET",
        "/patients/{patient_id}/consultations/new",
        consultations.new_form,
        Action.CONSULTATION_CREATE,
    ),
    Page(
        "POST",
        "/patients/{patient_id}/consultations/new",
        consultations.record,
        Action.CONSULTATION_CREATE,
    ),
    Page("GET", "/consultations/{consultation_id}", consultations.show, Action.CONSULTATION_READ),
    Page(
        "POST",
        "/consultations/{consultation_id}/sign",
        consultations.sign,
        Action.CONSULTATION_SIGN,
    ),
    Page(
        "POST",
        "/consultations/{consultation_id}/clearances",
        clearances.record,
        Action.CLEARANCE_RECORD,
    ),
    Page("GET", "/consultations/{consultation_id}/plan", consultations.plan, Action.SERIES_CREATE),
    Page(
        "POST",
        "/consultations/{consultation_id}/plan",
        consultations.save_series,
        Action.SERIES_CREATE,
    ),
    Page(
        "GET",
        "/patients/{patient_id}/assessments/new",
        assessments.new_form,
        Action.ASSESSMENT_RECORD,
    ),
    Page(
        "POST",
        "/patients/{patient_id}/assessments/new",
        assessments.record,
        Action.ASSESSMENT_RECORD,
    ),
    Page(
        "GET",
        "/patients/{patient_id}/assessments/zones/{zone}",
        assessments.zone_form,
        Action.ASSESSMENT_RECORD,
    ),
    Page(
        "POST",
        "/patients/{patient_id}/assessments/preview",
        assessments.preview,
        Action.ASSESSMENT_RECORD,
    ),
)
