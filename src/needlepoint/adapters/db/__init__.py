"""The database adapter: SQLite by default, PostgreSQL by URL, one schema and one migration set.

- ``engine``: ``make_engine(url)`` (durable SQLite pragmas, ``BEGIN IMMEDIATE``) and
  ``check_durability(engine)``.
- ``tables``: the Core tables, one module per area on one ``MetaData``.
- ``<area>/<repository>.py``: the repositories, one a module, grouped as the services are
  (``services/<area>/ports.py``); ``shared`` holds those of ``services/ports.py`` (clinics,
  staff, patients, the audit trail). ``repository``: what they all share.
- ``unit_of_work``: ``SqlAlchemyUnitOfWork``, every area's unit of work.
- ``accounts``: sessions, API tokens and sign-in attempts (``SqlAccountsUnitOfWork``).
- ``migrate``: ``upgrade(url)`` / ``downgrade(url, revision)`` (imported on its own, as it
  loads Alembic).
"""

from needlepoint.adapters.db.accounts.unit_of_work import SqlAccountsUnitOfWork
from needlepoint.adapters.db.engine import DurabilityError, check_durability, make_engine
from needlepoint.adapters.db.shared.audit import (
    ChainProblem,
    ChainReport,
    SqlAuditLog,
    verify_chain,
)
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "ChainProblem",
    "ChainReport",
    "DurabilityError",
    "SqlAccountsUnitOfWork",
    "SqlAlchemyUnitOfWork",
    "SqlAuditLog",
    "check_durability",
    "make_engine",
    "verify_chain",
]
