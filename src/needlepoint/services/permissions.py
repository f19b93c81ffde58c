"""The one action table: what each role may do, checked by every use case.

Every use case that acts for a member of staff names its ``Action`` and calls ``require``
before it reads or writes anything. The API and the web app map their routes and pages to
actions (never to roles), and may refuse early with ``allows``; the answer comes from this
table either way, so a new entry point (the command line included) cannot get around it.

Roles: an admin may do everything; a clinician everything clinical; front desk may register,
find and read patients, and book, move and record appointments, but never read or write
clinical content (consultations, charts, outcomes, assessments, care documents).

Some actions are *attestations*: a clinician vouches for them in person (signing a
consultation or a chart, charting the depths delivered, clearing a finding, witnessing a
patient's consent). They need the actor's own signed-in session; an API token, whoever issued
it, never attests.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from needlepoint.domain.errors import DomainError
from needlepoint.domain.records import Role
from needlepoint.services.audit import AuthMethod, RequestContext


class PermissionDeniedError(DomainError):
    """The actor's role may not take this action, or may not take it this way."""

    code = "permission-denied"


class Action(StrEnum):
    """Everything a member of staff can ask needlepoint to do (stable ids, used in the audit)."""

    # accounts
    TOKEN_ISSUE = "token.issue"
    TOKEN_REVOKE = "token.revoke"
    TOKEN_READ = "token.read"
    # one's own account: password, sign-in email, two-step and re-authentication
    OWN_ACCOUNT = "account.own"
    STAFF_CREATE = "staff.create"
    STAFF_DEACTIVATE = "staff.deactivate"
    STAFF_READ = "staff.read"
    STAFF_REACTIVATE = "staff.reactivate"
    STAFF_RESET_PASSWORD = "staff.reset_password"
    STAFF_SET_LICENCE = "staff.set_licence"
    # the clinic's own details (its contact details, as patients are shown them)
    CLINIC_READ = "clinic.read"
    CLINIC_UPDATE = "clinic.update"
    # patients
    PATIENT_LIST = "patient.list"
    PATIENT_REGISTER = "patient.register"
    PATIENT_READ = "patient.read"
    PATIENT_EDIT = "patient.edit"
    # consultations and clearances
    CONSULTATION_CREATE = "consultation.create"
    CONSULTATION_READ = "consultation.read"
    CONSULTATION_SIGN = "consultation.sign"
    CLEARANCE_RECORD = "clearance.record"
    CLEARANCE_READ = "clearance.read"
    # treatment
    SERIES_CREATE = "series.create"
    SERIES_READ = "series.read"
    SERIES_CANCEL = "series.cancel"
    SESSION_START = "session.start"
    CONSENT_TEMPLATE_READ = "consent_template.read"
    CONSENT_TEMPLATE_MANAGE = "consent_template.manage"
    CONSENT_READ = "consent.read"
    CONSENT_RECORD = "consent.record"
    CONSENT_WITNESS = "consent.witness"
    CONSENT_WITHDRAW = "consent.withdraw"
    CHART_WRITE = "chart.write"
    CHART_SIGN = "chart.sign"
    CHART_READ = "chart.read"
    LOT_RECALL = "lot.recall"
    OUTCOME_RECORD = "outcome.record"
    OUTCOME_READ = "outcome.read"
    CARE_DOCUMENT_ISSUE = "care_document.issue"
    CARE_DOCUMENT_READ = "care_document.read"
    ASSESSMENT_RECORD = "assessment.record"
    ASSESSMENT_READ = "assessment.read"
    CHECK_IN_READ = "check_in.read"
    CHECK_IN_REVIEW = "check_in.review"
    PHOTO_UPLOAD = "photo.upload"
    PHOTO_READ = "photo.read"
    PHOTO_ANNOTATE = "photo.annotate"
    # scheduling
    SCHEDULE_READ = "schedule.read"
    SCHEDULE_SET_UP = "schedule.set_up"
    APPOINTMENT_BOOK = "appointment.book"
    APPOINTMENT_CHANGE = "appointment.change"
    CALENDAR_FEED_MANAGE = "calendar_feed.manage"
    # the clinic's own work lists and messages
    DASHBOARD_READ = "dashboard.read"
    MESSAGES_REVIEW = "messages.review"
    # emergency access and the audit trail (ADR 0038)
    BREAK_GLASS = "break_glass.open"
    AUDIT_READ = "audit.read"
    ANALYTICS_READ = "analytics.read"
    AUDIT_EXPORT = "audit.export"
    # interoperability: a patient's record as FHIR R4B (issue 15, ADR 0044)
    FHIR_READ = "fhir.read"
    # the whole clinic's records as FHIR (HL7 Bulk Data $export): admins
    FHIR_BULK_EXPORT = "fhir.bulk_export"


ALL_STAFF: Final = frozenset(Role)
CLINICAL: Final = frozenset({Role.ADMIN, Role.CLINICIAN})
ADMIN_ONLY: Final = frozenset({Role.ADMIN})

ROLES_BY_ACTION: Final[Mapping[Action, frozenset[Role]]] = {
    Action.TOKEN_ISSUE: ADMIN_ONLY,
    # Anyone may list and revoke the tokens acting as them; only an admin (who may issue
    # tokens) sees and revokes the rest of the clinic's (services.accounts.api_tokens).
    Action.TOKEN_REVOKE: ALL_STAFF,
    Action.TOKEN_READ: ALL_STAFF,
    Action.OWN_ACCOUNT: ALL_STAFF,
    Action.STAFF_CREATE: ADMIN_ONLY,
    Action.STAFF_DEACTIVATE: ADMIN_ONLY,
    Action.STAFF_READ: ADMIN_ONLY,
    Action.STAFF_REACTIVATE: ADMIN_ONLY,
    Action.STAFF_RESET_PASSWORD: ADMIN_ONLY,
    Action.STAFF_SET_LICENCE: ADMIN_ONLY,
    Action.CLINIC_READ: ALL_STAFF,
    Action.CLINIC_UPDATE: ADMIN_ONLY,
    Action.PATIENT_LIST: ALL_STAFF,
    Action.PATIENT_REGISTER: ALL_STAFF,
    Action.PATIENT_READ: ALL_STAFF,
    Action.PATIENT_EDIT: ALL_STAFF,
    Action.CONSULTATION_CREATE: CLINICAL,
    Action.CONSULTATION_READ: CLINICAL,
    Action.CONSULTATION_SIGN: CLINICAL,
    Action.CLEARANCE_RECORD: CLINICAL,
    Action.CLEARANCE_READ: CLINICAL,
    Action.SERIES_CREATE: CLINICAL,
    Action.SERIES_READ: ALL_STAFF,
    Action.SERIES_CANCEL: CLINICAL,
    Action.SESSION_START: CLINICAL,
    Action.CONSENT_TEMPLATE_READ: CLINICAL,
    Action.CONSENT_TEMPLATE_MANAGE: ADMIN_ONLY,
    Action.CONSENT_READ: CLINICAL,
    Action.CONSENT_RECORD: CLINICAL,
    Action.CONSENT_WITNESS: CLINICAL,
    Action.CONSENT_WITHDRAW: CLINICAL,
    Action.CHART_WRITE: CLINICAL,
    Action.CHART_SIGN: CLINICAL,
    Action.CHART_READ: CLINICAL,
    Action.LOT_RECALL: CLINICAL,
    Action.OUTCOME_RECORD: CLINICAL,
    Action.OUTCOME_READ: CLINICAL,
    Action.CARE_DOCUMENT_ISSUE: CLINICAL,
    Action.CARE_DOCUMENT_READ: CLINICAL,
    Action.ASSESSMENT_RECORD: CLINICAL,
    Action.ASSESSMENT_READ: CLINICAL,
    Action.CHECK_IN_READ: CLINICAL,
    Action.CHECK_IN_REVIEW: CLINICAL,
    Action.PHOTO_UPLOAD: CLINICAL,
    Action.PHOTO_READ: CLINICAL,
    Action.PHOTO_ANNOTATE: CLINICAL,
    Action.SCHEDULE_READ: ALL_STAFF,
    Action.SCHEDULE_SET_UP: ADMIN_ONLY,
    Action.APPOINTMENT_BOOK: ALL_STAFF,
    Action.APPOINTMENT_CHANGE: ALL_STAFF,
    Action.CALENDAR_FEED_MANAGE: ALL_STAFF,
    Action.DASHBOARD_READ: ALL_STAFF,
    Action.MESSAGES_REVIEW: ADMIN_ONLY,
    Action.BREAK_GLASS: ALL_STAFF,
    Action.AUDIT_READ: ADMIN_ONLY,
    Action.ANALYTICS_READ: CLINICAL,
    Action.FHIR_READ: CLINICAL,
    Action.AUDIT_EXPORT: ADMIN_ONLY,
    Action.FHIR_BULK_EXPORT: ADMIN_ONLY,
}
"""Action → the roles that may take it. An action missing here is refused for everyone."""

ATTESTED: Final = frozenset(
    {
        Action.CONSULTATION_SIGN,
        Action.CLEARANCE_RECORD,
        Action.CHART_WRITE,
        Action.CHART_SIGN,
        Action.CONSENT_WITNESS,
    }
)
"""Actions a clinician vouches for in person: never through an API token."""

IN_PERSON: Final = frozenset({AuthMethod.SESSION, AuthMethod.COMMAND_LINE})
"""How an actor may be authenticated to attest: their own sign-in, or the machine's operator."""


def allows(role: Role, action: Action) -> bool:
    """Whether a role may take an action (deny by default)."""
    return role in ROLES_BY_ACTION.get(action, frozenset())


def require(context: RequestContext, action: Action) -> None:
    """Refuse unless the actor's role may take ``action``, in person where it is attested.

    Raises:
        PermissionDeniedError: The role may not take the action, or an attested action came
            through an API token (code ``permission-denied``).
    """
    role = context.actor.role
    if not allows(role, action):
        raise PermissionDeniedError(f"a {role.value.replace('_', ' ')} may not {_said(action)}")
    if action in ATTESTED and context.auth not in IN_PERSON:
        raise PermissionDeniedError(
            f"{_said(action)} needs the clinician's own signed-in session; an API token "
            "cannot vouch for a clinician"
        )


def _said(action: Action) -> str:
    area, _, verb = action.value.partition(".")
    return f"{verb.replace('_', ' ')} ({area.replace('_', ' ')})"
