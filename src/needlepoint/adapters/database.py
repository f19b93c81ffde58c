"""The database as the composition root hands it out: opened on first use.

Commands that never touch the database never import SQLAlchemy: every method imports the
``adapters.db`` module it needs when it is first called.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from needlepoint.services.accounts.ports import AccountsUnitOfWork, SessionRead

if TYPE_CHECKING:
    from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
    from needlepoint.adapters.field_crypto import FieldKeyring


class Database:
    """The database, opened on first use: commands that never touch it never import it."""

    def __init__(
        self,
        url: str,
        *,
        audit_key: Callable[[], bytes] | None = None,
        field_keys: Callable[[], FieldKeyring] | None = None,
        backup_key: Callable[[], bytes] | None = None,
    ) -> None:
        """``audit_key`` gives the audit trail's HMAC key when the database is first opened.

        ``field_keys`` gives the keys sealed fields are sealed with (ADR 0039), also on first
        opening; ``backup_key`` the key backups are encrypted with, when one is taken or restored.
        """
        self.url = url
        self.audit_key = audit_key
        self.field_keys = field_keys
        self.backup_key = backup_key
        self._field_keys: FieldKeyring | None = None
        self._engine: Any = None
        self._handover_engine: Any = None
        self._committer: Any = None
        self._reading_engine: Any = None

    def _opened(self) -> Any:
        if self._engine is None:
            from needlepoint.adapters.db import engine  # noqa: PLC0415 - deferred on purpose

            self._engine = engine.make_engine(
                self.url, audit_key=self._key(), field_keys=self._keyring()
            )
        return self._engine

    def engine(self) -> Any:
        """The SQLAlchemy engine, for an adapter that reads in bulk (a FHIR bulk export)."""
        return self._opened()

    def _key(self) -> bytes | None:
        return None if self.audit_key is None else self.audit_key()

    def _keyring(self) -> FieldKeyring | None:
        if self._field_keys is None and self.field_keys is not None:
            self._field_keys = self.field_keys()
        return self._field_keys

    def _backup_key(self) -> bytes:
        if self.backup_key is None:
            raise RuntimeError("no backup key: open the database with Database(backup_key=...)")
        return self.backup_key()

    def unit_of_work(self) -> SqlAlchemyUnitOfWork:
        """A new unit of work (one transaction)."""
        from needlepoint.adapters.db import unit_of_work  # noqa: PLC0415 - deferred on purpose

        return unit_of_work.SqlAlchemyUnitOfWork(self._opened())

    def reading_unit_of_work(self) -> SqlAlchemyUnitOfWork:
        """A unit of work for a use case that only reads (ADR 0032).

        It reads without the write lock; its audit events are group-committed with other
        reads' at commit, which returns once they are durable.
        """
        from needlepoint.adapters.db.shared import audit_committer  # noqa: PLC0415 - deferred

        engine = self._opened()
        if self._committer is None:
            self._committer = audit_committer.AuditCommitter(engine)
        return audit_committer.ReadingUnitOfWork(engine, self._committer)

    def upgrade(self) -> None:
        """Apply every migration up to the newest."""
        from needlepoint.adapters.db import migrate  # noqa: PLC0415 - deferred on purpose

        migrate.upgrade(self.url)

    def backup(self, directory: Path, *, at: datetime, progress: Any = None) -> Any:
        """A consistent, integrity-checked backup written into ``directory``.

        ``progress`` (``backup.Progress``) is told each step's progress: a command's bar.
        """
        from needlepoint.adapters.db import backup  # noqa: PLC0415 - deferred on purpose

        steps = {} if progress is None else {"progress": progress}
        return backup.backup(self.url, directory, at=at, key=self._backup_key(), **steps)

    def restore(
        self, source: Path, *, allow_unencrypted: bool = False, progress: Any = None
    ) -> Any:
        """Replace the database's content with a backup, verified before and after.

        Raises ``backup_crypto.BackupError`` (nothing replaced) for a backup that is refused.
        """
        from needlepoint.adapters.db import backup  # noqa: PLC0415 - deferred on purpose

        if self._engine is not None:
            self._engine.dispose()
        steps = {} if progress is None else {"progress": progress}
        return backup.restore(
            self.url,
            source,
            key=self._backup_key(),
            allow_unencrypted=allow_unencrypted,
            **steps,
        )

    def reencrypt_fields(self, *, batch_size: int) -> Any:
        """Seal every sealed field in clear or under a retired key with the current key."""
        from needlepoint.adapters.db import sealed  # noqa: PLC0415 - deferred on purpose

        keys = self._keyring()
        if keys is None:
            raise RuntimeError("no field keys: open the database with Database(field_keys=...)")
        return sealed.reseal(self._opened(), keys, batch_size=batch_size)

    def has_clinics(self) -> bool:
        """Whether any clinic exists yet (a demo is only seeded into an empty database)."""
        from sqlalchemy import func, select  # noqa: PLC0415 - deferred on purpose

        from needlepoint.adapters.db.tables import clinic  # noqa: PLC0415

        with self._opened().connect() as conn:
            return bool(conn.execute(select(func.count()).select_from(clinic)).scalar_one())

    def verify_audit(self, anchor: Any = ()) -> Any:
        """Walk the audit hash chains; the report names the first bad row, if any.

        ``anchor``: chain heads recorded earlier (``ChainHead``); a chain found shorter than its
        anchored head was truncated.
        """
        from needlepoint.adapters.db.shared import audit  # noqa: PLC0415 - deferred on purpose

        return audit.verify_chain(self._opened(), anchor=anchor)

    def handover_unit_of_work(self) -> SqlAlchemyUnitOfWork:
        """A unit of work whose commit survives the process being killed, not a power loss.

        Only the outbox worker's hand-over records use it (ADR 0016): SQLite commits without
        waiting for the disk (``synchronous=NORMAL`` in WAL mode), PostgreSQL with
        ``synchronous_commit=off``.
        """
        from needlepoint.adapters.db import engine, unit_of_work  # noqa: PLC0415 - deferred

        if self._handover_engine is None:
            self._handover_engine = engine.make_engine(
                self.url, light_commits=True, audit_key=self._key(), field_keys=self._keyring()
            )
        return unit_of_work.SqlAlchemyUnitOfWork(self._handover_engine)

    def accounts_unit_of_work(self) -> AccountsUnitOfWork:
        """A new unit of work over sessions, API tokens and sign-in attempts."""
        from needlepoint.adapters.db.accounts import unit_of_work as db_accounts  # noqa: PLC0415

        return db_accounts.SqlAccountsUnitOfWork(self._opened())

    def session_reader(self) -> SessionRead:
        """A unit of work that reads sign-in sessions, one statement each, without a transaction.

        Every request with a session cookie makes one (ADR 0033), so its engine is made once.
        """
        from needlepoint.adapters.db import engine  # noqa: PLC0415 - deferred on purpose
        from needlepoint.adapters.db.accounts import unit_of_work as db_accounts  # noqa: PLC0415

        if self._reading_engine is None:
            self._reading_engine = engine.single_statement_reads(self._opened())
        return db_accounts.SqlSessionReader(self._reading_engine)

    def close(self) -> None:
        """Release the database's connections (it opens again on next use)."""
        for opened in (self._engine, self._handover_engine):
            if opened is not None:
                opened.dispose()
        self._engine = self._handover_engine = self._reading_engine = None
        self._committer = None

    def check_durability(self) -> dict[str, str]:
        """The durability settings; raises ``DurabilityError`` naming any unsafe one."""
        from needlepoint.adapters.db import engine  # noqa: PLC0415 - deferred on purpose

        return engine.check_durability(self._opened())
