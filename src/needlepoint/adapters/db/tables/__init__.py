"""The schema as SQLAlchemy Core tables, on one MetaData with a naming convention.

One module per area (``tables/<area>.py``, as in ``services/<area>``), every table on the
``metadata`` of ``tables/base.py``; importing this package defines them all, so that
``metadata`` always describes the whole schema. Names are singular snake_case; instants end in
``_at`` (stored in UTC), dates in ``_on``. Migrations live in ``migrations/versions``; a test
checks that they build exactly this schema.
"""

from __future__ import annotations

from needlepoint.adapters.db.tables.accounts import (
    api_token,
    login_session,
    login_throttle,
    sign_in_challenge,
    staff_recovery_code,
    staff_reset_link,
    staff_totp,
)
from needlepoint.adapters.db.tables.base import NAMING_CONVENTION, UtcDateTime, metadata
from needlepoint.adapters.db.tables.consent import (
    consent_template_version,
    signed_consent,
    stored_document,
)
from needlepoint.adapters.db.tables.consultation import clearance, consultation
from needlepoint.adapters.db.tables.interop import fhir_bulk_job
from needlepoint.adapters.db.tables.messaging import outbox_message
from needlepoint.adapters.db.tables.portal import (
    care_acknowledgement,
    check_in,
    check_in_photo,
    patient_session,
    portal_sign_in_link,
    portal_sign_in_request,
)
from needlepoint.adapters.db.tables.records import (
    care_document,
    outcome_measurement,
    patient_change,
    scar_assessment,
)
from needlepoint.adapters.db.tables.scheduling import (
    appointment,
    calendar_feed,
    opening_hours,
    room,
)
from needlepoint.adapters.db.tables.shared import (
    ONE_DIALECT_INDEXES,
    audit_event,
    break_glass_grant,
    clinic,
    exists_on,
    patient,
    staff_member,
)
from needlepoint.adapters.db.tables.treatment import (
    chart_version,
    clinical_photo,
    photo_derivative,
    redness_reading,
    treatment_series,
    treatment_session,
)

__all__ = [
    "NAMING_CONVENTION",
    "ONE_DIALECT_INDEXES",
    "UtcDateTime",
    "api_token",
    "appointment",
    "audit_event",
    "break_glass_grant",
    "calendar_feed",
    "care_acknowledgement",
    "care_document",
    "chart_version",
    "check_in",
    "check_in_photo",
    "clearance",
    "clinic",
    "clinical_photo",
    "consent_template_version",
    "consultation",
    "exists_on",
    "fhir_bulk_job",
    "login_session",
    "login_throttle",
    "metadata",
    "opening_hours",
    "outbox_message",
    "outcome_measurement",
    "patient",
    "patient_change",
    "patient_session",
    "photo_derivative",
    "portal_sign_in_link",
    "portal_sign_in_request",
    "redness_reading",
    "room",
    "scar_assessment",
    "sign_in_challenge",
    "signed_consent",
    "staff_member",
    "staff_recovery_code",
    "staff_reset_link",
    "staff_totp",
    "stored_document",
    "treatment_series",
    "treatment_session",
]
