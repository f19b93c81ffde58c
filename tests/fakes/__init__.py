"""Hand-written fakes for the ports (no mocks), one module per area.

* ``support``: the fixed clock, the plain password hasher and the actors fixtures use.
* ``database``: the in-memory tables every fake repository is a view over, and transactions.
* ``common``, ``consultation``, ``records``, ``treatment``, ``scheduling``, ``messaging``,
  ``portal``, ``accounts``: the fake repositories of ``services/ports.py`` and of each area's
  ``services/<area>/ports.py``.
* ``units``: one fake unit of work per area, checked by mypy against that area's protocol, and
  ``FakeUnitOfWork``, which holds them all.
"""

from fakes.database import FakeDatabase
from fakes.support import (
    AUDIT_KEY,
    BACKUP_KEY,
    FIELD_KEY,
    OPERATOR,
    SETUP_CLOCK,
    FixedClock,
    PlainHasher,
    as_admin,
)
from fakes.units import (
    FakeAccountsUnitOfWork,
    FakeConsultationUnitOfWork,
    FakeMessagingUnitOfWork,
    FakePortalUnitOfWork,
    FakeRecordsUnitOfWork,
    FakeSchedulingUnitOfWork,
    FakeStaffUnitOfWork,
    FakeTreatmentUnitOfWork,
    FakeUnitOfWork,
    FakeVisitsUnitOfWork,
)
from needlepoint.adapters.field_crypto import FieldKeyring

FIELD_KEYS = FieldKeyring(FIELD_KEY)
"""The field keyring real-database tests open their engines with."""

__all__ = [
    "AUDIT_KEY",
    "BACKUP_KEY",
    "FIELD_KEY",
    "FIELD_KEYS",
    "OPERATOR",
    "SETUP_CLOCK",
    "FakeAccountsUnitOfWork",
    "FakeConsultationUnitOfWork",
    "FakeDatabase",
    "FakeMessagingUnitOfWork",
    "FakePortalUnitOfWork",
    "FakeRecordsUnitOfWork",
    "FakeSchedulingUnitOfWork",
    "FakeStaffUnitOfWork",
    "FakeTreatmentUnitOfWork",
    "FakeUnitOfWork",
    "FakeVisitsUnitOfWork",
    "FixedClock",
    "PlainHasher",
    "as_admin",
]
