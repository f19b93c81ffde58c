"""What a request to any page offers, whoever its audience.

Staff pages get a ``visits.Visit``, portal pages a ``portal.visits.PortalVisit``; both are a
``PageRequest``. Only the audience-free parts live here: the CSRF token, the request id, the
clinic's today, cookie security, htmx and the query string. Who is signed in, and from which
cookie, stays with each audience, so neither ever reads the other's session.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from datetime import date, tzinfo

from starlette.requests import Request

from needlepoint.bootstrap import Services
from needlepoint.entrypoints.web import csrf


class PageRequest(ABC):
    """The shared half of a visit; the visit's dataclass supplies these fields."""

    __slots__ = ()

    request: Request
    services: Services
    csrf_binding: str
    """The session cookie when signed in, else the pre-session cookie; the token is bound to it."""
    secret: bytes

    @property
    @abstractmethod
    def time_zone(self) -> tzinfo:
        """The zone every time is shown in (the signed-in person's clinic's, else UTC)."""

    @property
    def csrf_token(self) -> str:
        """The token this browser's forms and htmx requests must send back."""
        return csrf.token(self.secret, self.csrf_binding)

    @property
    def request_id(self) -> str:
        """The id given to this request (for the audit trail)."""
        return str(getattr(self.request.state, "request_id", None) or uuid.uuid4().hex)

    def today(self) -> date:
        """Today's date in the clinic (forms offer it as their default date)."""
        return self.services.clock.now().astimezone(self.time_zone).date()

    @property
    def secure_cookies(self) -> bool:
        """Cookies are ``Secure`` except on a developer's plain-http machine."""
        return not self.services.settings.development

    @property
    def from_htmx(self) -> bool:
        """Whether htmx sent the request (it then wants a fragment, not a whole page)."""
        return self.request.headers.get("HX-Request") == "true"

    def query(self, name: str) -> str:
        """A query-string value, or the empty string."""
        return self.request.query_params.get(name, "")
