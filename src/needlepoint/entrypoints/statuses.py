"""The one table that gives each error raised on purpose its HTTP status.

The API answers with problem+json and the web app with an HTML page, but both speak the same
statuses: an error type gets its status here and nowhere else (a subclass inherits its
nearest listed base class). Every missing record is a ``NotFoundError`` (404) and every
refusal by the records as they stand a ``ConflictError`` (409); each keeps its own ``code``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from needlepoint.domain.charting import ExpiredCartridgeError, OverrideRequiredError
from needlepoint.domain.checkins import PhotoTooLargeError, PhotoTypeError
from needlepoint.domain.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    KnowledgeError,
    NotFoundError,
)
from needlepoint.domain.treatment import LicenceRequiredError
from needlepoint.services.accounts.api_tokens import ApiTokenExpiredError, ApiTokenRevokedError
from needlepoint.services.accounts.invites import InviteLinkError
from needlepoint.services.accounts.password_reset import ResetLinkError
from needlepoint.services.accounts.second_step import SecondStepRequiredError
from needlepoint.services.accounts.sign_in import (
    InvalidCredentialsError,
    NotAuthenticatedError,
    TooManyAttemptsError,
)
from needlepoint.services.accounts.two_step import InvalidCodeError, ReauthRequiredError
from needlepoint.services.permissions import PermissionDeniedError
from needlepoint.services.portal.sign_in import SignInLinkError, TooManyLinkRequestsError

STATUS_BY_ERROR: Final[Mapping[type[DomainError], int]] = {
    InvalidInputError: 422,
    ExpiredCartridgeError: 422,
    OverrideRequiredError: 422,
    InvalidCredentialsError: 401,
    NotAuthenticatedError: 401,
    SecondStepRequiredError: 401,
    InvalidCodeError: 401,
    ReauthRequiredError: 403,
    ApiTokenExpiredError: 401,
    ApiTokenRevokedError: 401,
    PermissionDeniedError: 403,
    LicenceRequiredError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    PhotoTooLargeError: 413,
    PhotoTypeError: 415,
    SignInLinkError: 400,
    ResetLinkError: 400,
    InviteLinkError: 400,
    TooManyLinkRequestsError: 429,
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
