"""Database engines: SQLite (the default, one file) and PostgreSQL, both set up for durability.

SQLite connections get WAL, ``synchronous=FULL``, foreign keys and a busy timeout on every
connect, and every transaction starts with ``BEGIN IMMEDIATE`` (SQLAlchemy's documented pysqlite
recipe: the driver's own BEGIN is switched off and SQLAlchemy emits ours). Taking the write lock
up front means a transaction never fails half-way when it upgrades from reading to writing,
and ``busy_timeout`` is honoured. A read-only connection may ask for a deferred start with
``engine.execution_options(sqlite_begin="DEFERRED")``, and reads of one statement each for no
transaction at all (``single_statement_reads``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

from needlepoint.adapters.private_files import private_dir, private_sqlite

if TYPE_CHECKING:
    from needlepoint.adapters.field_crypto import FieldKeyring

AUDIT_KEY_OPTION: Final = "needlepoint_audit_key"
"""Execution option holding the audit trail's HMAC key (bytes), set by ``make_engine``."""

FIELD_KEYS_OPTION: Final = "needlepoint_field_keys"
"""Execution option holding the field keyring (``FieldKeyring``, ADR 0039), set by make_engine."""

SQLITE_BEGIN_OPTION: Final = "sqlite_begin"
"""Execution option naming how a SQLite transaction begins (IMMEDIATE unless told)."""

AUTOCOMMIT: Final = "AUTOCOMMIT"
"""A SQLite "begin mode" that begins nothing: each statement is its own transaction."""

_BEGIN_MODES: Final = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE", AUTOCOMMIT})
BUSY_TIMEOUT_S: Final = 5.0
"""How long a writer waits for the write lock before giving up."""

_HOLDS_GATE: Final = "needlepoint_holds_writer_gate"
_SQLITE_PRAGMAS: Final = (
    f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)
_DURABLE_SQLITE: Final[Mapping[str, frozenset[str]]] = {
    "journal_mode": frozenset({"wal"}),
    "synchronous": frozenset({"2", "3"}),  # FULL or EXTRA
    "foreign_keys": frozenset({"1"}),
}
_DURABLE_POSTGRES: Final[Mapping[str, frozenset[str]]] = {
    "fsync": frozenset({"on"}),
    # Every one of these waits for the local WAL flush before a commit is acknowledged.
    "synchronous_commit": frozenset({"on", "remote_write", "remote_apply"}),
    "full_page_writes": frozenset({"on"}),
}


class DurabilityError(RuntimeError):
    """The database would acknowledge commits it could lose; names each wrong setting."""

    code: ClassVar[str] = "database-not-durable"

    def __init__(self, wrong: Mapping[str, str]) -> None:
        listed = ", ".join(f"{name}={value!r}" for name, value in sorted(wrong.items()))
        super().__init__(
            f"database settings are not durable: {listed}. Fix: on SQLite open the database "
            "with make_engine(); on PostgreSQL set fsync, synchronous_commit and "
            "full_page_writes to on."
        )
        self.wrong = dict(wrong)


def make_engine(
    url: str,
    *,
    light_commits: bool = False,
    audit_key: bytes | None = None,
    field_keys: FieldKeyring | None = None,
) -> Engine:
    """An engine for ``url``: SQLite with the durable pragmas, or PostgreSQL via psycopg 3.

    A SQLite file's directory is created if missing. ``postgresql://`` URLs use psycopg 3.
    ``light_commits``: commits survive the process being killed but need not reach the disk
    before they return (SQLite ``synchronous=NORMAL`` in WAL mode, PostgreSQL
    ``synchronous_commit=off``); only for records whose loss in a power cut is harmless.
    ``audit_key``: the audit trail's HMAC key (ADR 0032); without it, audited work fails.
    ``field_keys``: the keys sealed fields are sealed with (ADR 0039); without them, reading or
    writing a sealed field fails.
    """
    parsed = make_url(url)
    options: dict[str, Any] = {} if audit_key is None else {AUDIT_KEY_OPTION: audit_key}
    if field_keys is not None:
        options[FIELD_KEYS_OPTION] = field_keys
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed, options)
        if light_commits:
            event.listen(engine, "connect", _light_sqlite_commits)
        return engine
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    connect = {"options": "-c synchronous_commit=off"} if light_commits else {}
    return create_engine(
        parsed, pool_pre_ping=True, connect_args=connect, execution_options=options
    )


def _light_sqlite_commits(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    """Run after the durable pragmas: WAL commits without waiting for the disk."""
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def _sqlite_engine(url: URL, options: Mapping[str, Any]) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        if not path.parent.exists():
            private_dir(path.parent)  # a folder it makes is the data's own; others are left
        private_sqlite(path)
    engine = create_engine(url, execution_options=dict(options))
    gate = WriterGate()
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", gate.begin)
    event.listen(engine, "commit", gate.end)
    event.listen(engine, "rollback", gate.end)
    return engine


class WriterGate:
    """Lets one writing transaction of this process at a time ask SQLite for its write lock.

    SQLite admits one writer; the others' ``BEGIN IMMEDIATE`` would poll in the busy
    handler, sleeping up to 100 ms between tries, which under load wastes the time and gives
    second-long tail latencies. Threads of this process queue on a lock instead and start
    the moment the writer before them ends. Other processes still meet the busy timeout.
    A deferred (read-only) transaction does not queue.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin(self, connection: Connection) -> None:
        """Wait for the gate (as long as the busy timeout), then begin the transaction."""
        mode = _begin_mode(connection)
        if mode == AUTOCOMMIT:
            return  # no BEGIN: SQLite runs each statement in its own (read) transaction
        gated = mode != "DEFERRED"
        if gated and not self._lock.acquire(timeout=BUSY_TIMEOUT_S):
            raise sqlite3.OperationalError("database is locked (another writer kept it)")
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            if gated:
                self._lock.release()
            raise
        connection.info[_HOLDS_GATE] = gated

    def end(self, connection: Connection) -> None:
        """Open the gate after a commit or rollback of a transaction that held it."""
        if connection.info.pop(_HOLDS_GATE, False):
            self._lock.release()


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Hand transaction control to SQLAlchemy (see WriterGate.begin).
    dbapi_connection.isolation_level = None
    # SQLite's own lower() folds ASCII only; names are not ASCII.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _unicode_lower(value: object) -> str | None:
    if value is None:
        return None
    return value.lower() if isinstance(value, str) else str(value)


def _begin_mode(connection: Connection) -> str:
    mode = str(connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")).upper()
    if mode not in _BEGIN_MODES:
        raise ValueError(f"{SQLITE_BEGIN_OPTION} must be one of {sorted(_BEGIN_MODES)}")
    return mode


def single_statement_reads(engine: Engine) -> Engine:
    """``engine`` for reads of one statement each, with no transaction around the statement.

    One round trip on PostgreSQL (no BEGIN and ROLLBACK around it); on SQLite no BEGIN and no
    lock or writer gate. A statement still sees one consistent snapshot; two statements may
    not, so a read of more than one statement that must agree uses a transaction instead.
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{SQLITE_BEGIN_OPTION: AUTOCOMMIT})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def check_durability(engine: Engine) -> dict[str, str]:
    """The durability settings of ``engine``'s database; raises DurabilityError if any is unsafe.

    SQLite: ``journal_mode``, ``synchronous``, ``foreign_keys``. PostgreSQL: ``fsync``,
    ``synchronous_commit``, ``full_page_writes``.
    """
    expected = _expected_settings(engine)
    with engine.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"}).connect() as connection:
        actual = {name: _read_setting(connection, name) for name in expected}
    wrong = {name: value for name, value in actual.items() if value not in expected[name]}
    if wrong:
        raise DurabilityError(wrong)
    return actual


def _expected_settings(engine: Engine) -> Mapping[str, frozenset[str]]:
    backend = engine.dialect.name
    if backend == "sqlite":
        return _DURABLE_SQLITE
    if backend == "postgresql":
        return _DURABLE_POSTGRES
    raise DurabilityError({"dialect": backend})


def _read_setting(connection: Connection, name: str) -> str:
    statement = f"PRAGMA {name}" if connection.dialect.name == "sqlite" else f"SHOW {name}"
    value: Any = connection.execute(text(statement)).scalar_one()
    return str(value).lower()
