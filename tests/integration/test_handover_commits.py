"""The worker's hand-over records commit lightly; everything else stays fully durable (ADR 0016)."""

from __future__ import annotations

from sqlalchemy import text

from needlepoint.adapters.db.engine import make_engine


def test_only_the_handover_engine_commits_without_waiting_for_the_disk(db_url: str) -> None:
    durable, light = make_engine(db_url), make_engine(db_url, light_commits=True)
    sqlite = db_url.startswith("sqlite")
    query = "PRAGMA synchronous" if sqlite else "SHOW synchronous_commit"
    try:
        settings = []
        for engine in (durable, light):  # one at a time: each connection opens a write lock
            with engine.connect() as connection:
                settings.append(connection.execute(text(query)).scalar())
    finally:
        durable.dispose()
        light.dispose()

    assert settings == ([2, 1] if sqlite else ["on", "off"])  # FULL then NORMAL on SQLite
