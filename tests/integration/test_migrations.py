"""Migrations build the schema on an empty database, come down again, and match tables.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.migrate import current_revision, downgrade, head_revision, upgrade
from needlepoint.adapters.db.tables import exists_on, metadata

TABLES = {
    "clinic",
    "staff_member",
    "patient",
    "consultation",
    "audit_event",
    "treatment_series",
    "treatment_session",
    "chart_version",
    "outcome_measurement",
    "care_document",
}
TABLES |= {"login_session", "api_token", "login_attempt"}  # the accounts migration
TABLES |= {"scar_assessment"}  # the assessments migration
TABLES |= {"room", "opening_hours", "appointment", "outbox_message"}  # scheduling
TABLES |= {"calendar_feed"}  # the calendar migration
TABLES |= {  # the portal migration
    "portal_sign_in_link",
    "portal_sign_in_request",
    "patient_session",
    "care_acknowledgement",
    "check_in",
    "check_in_photo",
}
TABLES |= {"clearance"}  # the safety gate migration
TABLES = (TABLES - {"login_attempt"}) | {"login_throttle"}  # the sign-in throttle migration
TABLES |= {"consent_template_version", "signed_consent", "stored_document"}  # consent
TABLES |= {"clinical_photo", "redness_reading", "photo_derivative"}  # clinical photos (issue 12)
TABLES |= {"patient_change"}  # the patient changes migration (issue 12)
TABLES |= {"break_glass_grant"}  # break-glass access (issue 14, ADR 0038)
TABLES |= {"staff_totp", "staff_recovery_code", "sign_in_challenge"}  # staff MFA (issue 14)
TABLES |= {"staff_reset_link"}  # password resets by email (issue 14, ADR 0037)
TABLES |= {"fhir_bulk_job"}  # FHIR Bulk Data export jobs (issue 15)
SQLITE_TRIGGERS = {
    "audit_event_no_update",
    "audit_event_no_delete",
    "consultation_signed_no_update",
    "consultation_signed_no_delete",
    "chart_version_content_immutable",
    "chart_version_signed_no_update",
    "chart_version_signed_no_delete",
    "appointment_no_overlap_insert",
    "appointment_no_overlap_update",
}
POSTGRES_TRIGGERS = {
    "audit_event_append_only",
    "audit_event_no_truncate",
    "consultation_signed_immutable",
    "chart_version_guard",
}


CONSENT_TRIGGERS = {  # the consent migration (2026-12-08): published forms, stored documents
    "sqlite": {
        "consent_template_published_no_update",
        "consent_template_published_no_delete",
        "stored_document_no_update",
        "stored_document_no_delete",
    },
    "postgresql": {"consent_template_guard", "stored_document_guard"},
}


def expected_triggers(url: str, *, consent: bool = True) -> set[str]:
    """The triggers of the head schema on this backend (without the consent ones, if asked)."""
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    base = SQLITE_TRIGGERS if backend == "sqlite" else POSTGRES_TRIGGERS
    return base | (CONSENT_TRIGGERS[backend] if consent else set())


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def trigger_names(url: str) -> set[str]:
    engine = make_engine(url)
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if engine.dialect.name == "sqlite"
        else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    )
    try:
        with engine.connect() as connection:
            return set(connection.execute(text(query)).scalars())
    finally:
        engine.dispose()


def test_upgrade_head_on_an_empty_database_creates_every_table(empty_db_url: str) -> None:
    upgrade(empty_db_url)

    assert table_names(empty_db_url) == TABLES | {"alembic_version"}
    assert current_revision(empty_db_url) == head_revision()


def test_upgrade_creates_the_append_only_triggers(empty_db_url: str) -> None:
    upgrade(empty_db_url)

    assert trigger_names(empty_db_url) == expected_triggers(empty_db_url)


def test_upgrade_twice_is_harmless(empty_db_url: str) -> None:
    upgrade(empty_db_url)

    upgrade(empty_db_url)

    assert current_revision(empty_db_url) == head_revision()


def test_downgrade_to_base_then_upgrade_again(empty_db_url: str) -> None:
    upgrade(empty_db_url)

    downgrade(empty_db_url, "base")
    emptied = (current_revision(empty_db_url), table_names(empty_db_url))
    emptied_triggers = trigger_names(empty_db_url)
    upgrade(empty_db_url)

    assert emptied == (None, {"alembic_version"})
    assert emptied_triggers == set()
    assert current_revision(empty_db_url) == head_revision()
    assert table_names(empty_db_url) == TABLES | {"alembic_version"}


def test_the_migrated_schema_matches_tables_py(empty_db_url: str) -> None:
    upgrade(empty_db_url)

    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            dialect_name = connection.dialect.name

            def on_this_database(_: object, name: str | None, type_: str, *__: object) -> bool:
                return type_ != "index" or exists_on(name, dialect_name)

            options = {"include_object": on_this_database}
            context = MigrationContext.configure(connection, opts=options)
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()

    assert differences == []


def test_migrations_run_from_any_working_directory(
    empty_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    upgrade(empty_db_url)

    assert current_revision(empty_db_url) == head_revision()


def test_the_sign_in_throttle_migration_comes_down_to_the_attempts_table(
    empty_db_url: str,
) -> None:
    upgrade(empty_db_url)

    downgrade(empty_db_url, "20261206_safety_gate")
    down = table_names(empty_db_url)
    down_triggers = trigger_names(empty_db_url)
    upgrade(empty_db_url)

    assert "login_attempt" in down
    assert "login_throttle" not in down
    assert down_triggers == expected_triggers(empty_db_url, consent=False)
    assert table_names(empty_db_url) == TABLES | {"alembic_version"}


def test_the_outbox_migration_blanks_live_sign_in_links_and_relocks_them(tmp_path: Path) -> None:
    """Issue 14 (ADR 0037): a sign-in email queued before the upgrade kept its live token."""
    import sqlite3  # noqa: PLC0415
    from contextlib import closing  # noqa: PLC0415
    from hashlib import sha256  # noqa: PLC0415

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "20261211_api_token_expiry")
    token = "live-token-" + "x" * 32
    with closing(sqlite3.connect(tmp_path / "old.sqlite3")) as db:
        db.execute(
            "INSERT INTO clinic (id, name, time_zone, created_at) VALUES ("
            "'22222222222222222222222222222222', 'Harbour', 'Europe/London', '2026-12-01')"
        )
        db.execute(
            "INSERT INTO patient (id, clinic_id, given_name, family_name, born_on, sex,"
            " created_at) VALUES ('33333333333333333333333333333333',"
            " '22222222222222222222222222222222', 'Amira', 'Okafor', '1990-01-01', 'female',"
            " '2026-12-01')"
        )
        db.execute(
            "INSERT INTO portal_sign_in_link VALUES ("
            "'11111111111111111111111111111111', '22222222222222222222222222222222', "
            "'33333333333333333333333333333333', ?, '2026-12-10 09:00:00', "
            "'2026-12-10 09:15:00', NULL)",
            (sha256(token.encode()).hexdigest(),),
        )
        db.execute(
            "INSERT INTO outbox_message (id, clinic_id, patient_id, kind, channel, recipient,"
            " subject, body, due_at, idempotency_key, status, attempts, created_at) VALUES ("
            "'44444444444444444444444444444444', '22222222222222222222222222222222', NULL,"
            " 'portal_sign_in', 'email', 'a@b.test', 'Your sign-in link', ?,"
            " '2026-12-10 09:00:00', 'portal-sign-in:x', 'sent', 1, '2026-12-10 09:00:00')",
            (f"Sign in: https://clinic.example/portal/sign-in/{token}",),
        )
        db.commit()

    upgrade(url)

    with closing(sqlite3.connect(tmp_path / "old.sqlite3")) as db:
        (body,) = db.execute("SELECT body FROM outbox_message").fetchone()
        (token_hash,) = db.execute("SELECT token_hash FROM portal_sign_in_link").fetchone()
    assert token not in body and "{secret-link}" in body
    assert token_hash != sha256(token.encode()).hexdigest() and len(token_hash) == 64
