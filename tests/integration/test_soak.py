"""The soak test's 60-second version: bench/soak.py for 30 s on SQLite and 30 s on PostgreSQL.

A real ``needlepoint serve --workers 2`` and ``needlepoint worker`` under a mixed load
(reads, pages, bookings contending for slots, chart writes, portal check-ins, reminders falling
due), SIGKILLed every few seconds and started again (ADR 0041). Each run must end with every
acknowledged write present and equal, no double booking, every due message delivered exactly
once, the audit chain verifying, no 5xx, and the server's memory bounded.

Run by ``make test-deep`` (so by CI) only: it takes minutes, which ``make test`` must not.
``NEEDLEPOINT_SOAK=1`` runs it anyway. PostgreSQL is skipped when unreachable, failed instead
under ``NEEDLEPOINT_REQUIRE_POSTGRES=1`` (the ``postgres_admin_url`` fixture).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from depth import DEEP

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not DEEP and os.environ.get("NEEDLEPOINT_SOAK") != "1",
        reason="the soak runs under make test-deep (CI) or with NEEDLEPOINT_SOAK=1",
    ),
]

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"
SECONDS = 30


def soak(database: str, tmp_path: Path, postgres_url: str | None = None) -> dict[str, Any]:
    """One run of bench/soak.py; its result (the run's summary is printed with ``pytest -s``)."""
    seed = random.randrange(1_000_000)
    out = tmp_path / f"soak-{database}.json"
    command = [
        sys.executable,
        str(SOAK),
        *("--db", database, "--seconds", str(SECONDS), "--seed", str(seed)),
        *("--min-gap", "3", "--max-gap", "8", "--json", str(out)),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLEPOINT_")}
    if postgres_url is not None:
        env["NEEDLEPOINT_TEST_POSTGRES_URL"] = postgres_url
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    print(done.stdout)  # noqa: T201 - the run's figures, shown with pytest -s
    assert out.exists(), f"seed {seed}: bench/soak.py wrote nothing\n{done.stderr[-4000:]}"
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))[0]
    return result


def assert_survived(result: dict[str, Any]) -> None:
    summary = json.dumps(result, indent=1)[:6000]
    messages = result["messages"]
    assert result["kills"] >= 1, summary
    assert result["requests_served"] > 0, summary
    assert result["acknowledged_total"] > 0, summary
    assert result["lost"] == 0, summary
    assert result["doubled"] == 0, summary
    assert messages["duplicates"] == 0, summary
    assert messages["missing"] == 0, summary
    assert result["audit"]["ok"], summary
    assert result["server_errors"] == 0, summary
    assert result["rss"]["ok"], summary
    assert result["surprises"] == [], summary
    assert result["ok"], summary


def test_soak_sqlite_kills_lose_double_and_repeat_nothing(tmp_path: Path) -> None:
    assert_survived(soak("sqlite", tmp_path))


@pytest.mark.postgres
def test_soak_postgresql_kills_lose_double_and_repeat_nothing(
    tmp_path: Path, postgres_admin_url: str
) -> None:
    assert_survived(soak("postgresql", tmp_path, postgres_admin_url))
