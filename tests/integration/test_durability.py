"""Durability: every acknowledged write survives SIGKILL of the writer (SQLite and PostgreSQL).

A child process registers patients one transaction at a time and prints each id only after
its commit returned. The parent kills it with SIGKILL at a random moment, ten rounds per
database, then checks that every acknowledged id is in the database. SQLite runs with WAL and
synchronous=FULL; PostgreSQL with its default synchronous commit (both checked first).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Engine

from depth import scaled
from needlepoint.adapters.db.engine import check_durability
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.records import Clinic

ROUNDS = scaled(deep=10, quick=4)

CHILD = textwrap.dedent(
    """
    import sys
    from datetime import UTC, date, datetime
    from uuid import UUID, uuid4

    from needlepoint.adapters.db.engine import make_engine
    from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
    from needlepoint.domain.records import PatientRecord
    from needlepoint.domain.vocabulary import Sex

    engine = make_engine(sys.argv[1])
    clinic_id = UUID(sys.argv[2])
    print("ready", flush=True)
    while True:
        patient = PatientRecord(
            id=uuid4(), clinic_id=clinic_id, given_name="Durable", family_name="Writer",
            born_on=date(1990, 1, 1), sex=Sex.FEMALE, email=None, phone=None,
            created_at=datetime.now(UTC),
        )
        with SqlAlchemyUnitOfWork(engine) as uow:
            uow.patients.add(patient)
            uow.commit()
        print(patient.id, flush=True)
    """
)


def _round(url: str, clinic_id: UUID, rng: random.Random) -> list[UUID]:
    """Run the writer, kill it at a random moment, return the ids it acknowledged."""
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(clinic_id)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        lines = child.stdout.read().split()
    return [UUID(line) for line in lines]


@pytest.mark.slow
def test_du1_every_acknowledged_write_survives_sigkill(db_url: str, engine: Engine) -> None:
    """DU-1: 100 % of acknowledged transactions present after SIGKILL, 10 rounds deep; SQLite
    ``synchronous`` = 2 (FULL) and ``journal_mode`` = wal, PostgreSQL ``synchronous_commit`` on."""
    settings = check_durability(engine)
    if engine.dialect.name == "sqlite":
        assert settings["synchronous"] == "2"
        assert settings["journal_mode"] == "wal"
    else:
        assert settings["synchronous_commit"] == "on"
    clinic = Clinic(id=uuid4(), name="Durability", time_zone="UTC")
    with SqlAlchemyUnitOfWork(engine) as uow:
        uow.clinics.add(clinic)
        uow.commit()
    rng = random.Random(20261123)
    acknowledged: list[UUID] = []

    for _ in range(ROUNDS):
        acknowledged.extend(_round(db_url, clinic.id, rng))

    assert len(acknowledged) >= ROUNDS
    with SqlAlchemyUnitOfWork(engine) as uow:
        missing = [i for i in acknowledged if uow.patients.get(clinic.id, i) is None]
    assert missing == []
