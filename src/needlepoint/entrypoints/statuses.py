"""The one table that gives each error raised on purpose its HTTP status.

The API answers with problem+json and the web app with an HTML page, but both speak the same
statuses: an error type gets its status here and nowhere else (a subclass inherits its
nearest listed base class).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from needlepoint.domain.charting import (
    ContraindicatedError,
    ExpiredCartridgeError,
    OverrideRequiredError,
)
from needlepoint.domain.checkins import CheckInClosedError, PhotoTooLargeError, PhotoTypeError
from needlepoint.domain.clearances import ClearanceRequiredError
from needlepoint.domain.errors import DomainError, InvalidInputError, KnowledgeError
from needlepoint.domain.records import AlreadySignedError
from needlepoint.domain.scheduling import NoSlotError, SlotTakenError
from needlepoint.domain.treatment import (
    InvalidTransitionError,
    LicenceRequiredError,
    SeriesExistsError,
    SeriesOverlapError,
    VersionConflictError,
)
from needlepoint.services.access import (
    PatientNotFoundError,
    SeriesNotFoundError,
    SessionNotFoundError,
)
from needlepoint.services.accounts.api_tokens import ApiTokenNotFoundError
from needlepoint.services.accounts.sign_in import (
    InvalidCredentialsError,
    NotAuthenticatedError,
    StaffNotFoundError,
    TooManyAttemptsError,
)
from needlepoint.services.accounts.staff import EmailTakenError
from needlepoint.services.consultation.consultations import (
    ConsultationNotFoundError,
    ConsultationNotSignedError,
)
from needlepoint.services.messaging.delivery import MessageNotUncertainError
from needlepoint.services.permissions import PermissionDeniedError
from needlepoint.services.portal.check_ins import CheckInNotFoundError
from needlepoint.services.portal.sign_in import (
    PortalRecordNotFoundError,
    SignInLinkError,
    TooManyLinkRequestsError,
)
from needlepoint.services.scheduling.booking import AppointmentNotFoundError
from needlepoint.services.scheduling.calendar_feeds import CalendarFeedNotFoundError
from needlepoint.services.treatment.series import NotTreatableError

STATUS_BY_ERROR: Final[Mapping[type[DomainError], int]] = {
    InvalidInputError: 422,
    ExpiredCartridgeError: 422,
    OverrideRequiredError: 422,
    InvalidCredentialsError: 401,
    NotAuthenticatedError: 401,
    PermissionDeniedError: 403,
    PatientNotFoundError: 404,
    ConsultationNotFoundError: 404,
    StaffNotFoundError: 404,
    ApiTokenNotFoundError: 404,
    AlreadySignedError: 409,
    EmailTakenError: 409,
    ContraindicatedError: 409,
    VersionConflictError: 409,
    SeriesExistsError: 409,
    SeriesOverlapError: 409,
    ClearanceRequiredError: 409,
    InvalidTransitionError: 409,
    ConsultationNotSignedError: 409,
    NotTreatableError: 409,
    SeriesNotFoundError: 404,
    SessionNotFoundError: 404,
    AppointmentNotFoundError: 404,
    MessageNotUncertainError: 404,
    SlotTakenError: 409,
    NoSlotError: 409,
    CalendarFeedNotFoundError: 404,
    PortalRecordNotFoundError: 404,
    CheckInNotFoundError: 404,
    CheckInClosedError: 409,
    PhotoTooLargeError: 413,
    PhotoTypeError: 415,
    SignInLinkError: 400,
    TooManyLinkRequestsError: 429,
    LicenceRequiredError: 403,
    TooManyAttemptsError: 429,
    KnowledgeError: 500,
}
"""Error type → HTTP status. An error raised on purpose but not listed here is a 400."""

UNLISTED_STATUS: Final = 400


def status_of(error: DomainError) -> int:
    """The HTTP status of an error: its own entry, else its nearest listed base class."""
    for kind in type(error).__mro__:
        status = STATUS_BY_ERROR.get(kind)
        if status is not None:
            return status
    return UNLISTED_STATUS
