"""The database adapter: SQLite by default, PostgreSQL by URL, one schema and one migration set.

- ``engine``: ``make_engine(url)`` (durable SQLite pragmas, ``BEGIN IMMEDIATE``) and
  ``check_durability(engine)``.
- ``tables``: the Core tables. ``repositories`` and ``audit``: the port implementations.
- ``unit_of_work``: ``SqlAlchemyUnitOfWork``, the ``services.ports.UnitOfWork``.
- ``accounts``: sessions, API tokens and sign-in attempts (``SqlAccountsUnitOfWork``).
- ``migrate``: ``upgrade(url)`` / ``downgrade(url, revision)`` (imported on its own, as it
  loads Alembic).
"""

from needlepoint.adapters.db.accounts import SqlAccountsUnitOfWork
from needlepoint.adapters.db.audit import ChainProblem, ChainReport, SqlAuditLog, verify_chain
from needlepoint.adapters.db.engine import DurabilityError, check_durability, make_engine
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
