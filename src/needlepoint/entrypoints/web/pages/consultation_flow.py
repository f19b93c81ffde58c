"""The pages of a new consultation's guided flow, for the web's page table (``routes.PAGES``).

Every page here shows or records clinical content, so each is open to ``CLINICAL`` roles
only, as the API's permission table has it for consultations, series and assessments.
"""

from __future__ import annotations

from typing import Final

from needlepoint.entrypoints.api.permissions import CLINICAL
from needlepoint.entrypoints.web.pages import assessments, consultations
from needlepoint.entrypoints.web.visits import Page

CONSULTATION_PAGES: Final = (
    Page("GET", "/patients/{patient_id}/consultations/new", consultations.new_form, CLINICAL),
    Page("POST", "/patients/{patient_id}/consultations/new", consultations.record, CLINICAL),
    Page("GET", "/consultations/{consultation_id}", consultations.show, CLINICAL),
    Page("POST", "/consultations/{consultation_id}/sign", consultations.sign, CLINICAL),
    Page("GET", "/consultations/{consultation_id}/plan", consultations.plan, CLINICAL),
    Page("POST", "/consultations/{consultation_id}/plan", consultations.save_series, CLINICAL),
    Page("GET", "/patients/{patient_id}/assessments/new", assessments.new_form, CLINICAL),
    Page("POST", "/patients/{patient_id}/assessments/new", assessments.record, CLINICAL),
    Page("GET", "/patients/{patient_id}/assessments/zones/{zone}", assessments.zone_form, CLINICAL),
    Page("POST", "/patients/{patient_id}/assessments/preview", assessments.preview, CLINICAL),
)
