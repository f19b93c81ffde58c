"""Outbox bodies hold no live secret link (issue 14, ADR 0037).

A sign-in email is queued with a placeholder; the worker makes the link's secret as it sends
the email over real SMTP (aiosmtpd) and stores only its hash. The raw token is then searched
for, as a canary, in every outbox body and in a backup of the whole database, and is found in
neither; the link in the delivered email still signs the patient in.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from api_support import TestClient
from needlepoint.adapters import backup_crypto
from needlepoint.bootstrap import backup_key
from needlepoint.config import SmtpSettings
from needlepoint.domain.messages import link_reference
from needlepoint.services.messaging.delivery import WorkerLoop, WorkerSettings
from outbox_support import SENDER, Received, smtp_server
from portal_support import Treated, ask_for_link, follow_link, treated_patient
from web_support import Clinic

pytest_plugins = ["web_fixtures"]

EMAIL = "amira.okafor@patient.test"
_TOKEN = re.compile(r"/portal/sign-in/([A-Za-z0-9_-]{43})\b")


@pytest.fixture
def patient(clinic: Clinic, clinician: TestClient) -> Treated:
    return treated_patient(clinic, clinician, EMAIL, "Okafor")


def send_over_smtp(clinic: Clinic) -> list[Received]:
    """Run ``needlepoint worker --once`` against a recording SMTP server; what it received."""
    with smtp_server() as (handler, port):
        smtp = SmtpSettings(
            host="127.0.0.1", port=port, sender=SENDER, security="none", allow_plaintext=True
        )
        settings = clinic.services.settings.model_copy(update={"smtp": smtp})
        worker = dataclasses.replace(clinic.services, settings=settings)
        worker.messaging.run_worker(WorkerSettings(worker_id="canary"), WorkerLoop(once=True))
    return handler.received


def outbox_bodies(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as connection:
        return [row[0] for row in connection.execute("SELECT body FROM outbox_message")]


def test_no_outbox_body_or_backup_holds_the_sign_in_token_and_the_mailed_link_works(
    clinic: Clinic, patient: Treated, browser: TestClient, tmp_path: Path
) -> None:
    assert ask_for_link(browser, EMAIL).status_code == 200

    (mail,) = [r for r in send_over_smtp(clinic) if EMAIL in r.rcpt_tos]
    found = _TOKEN.search(mail.body)
    assert found is not None, mail.body
    token = found.group(1)
    backup = clinic.services.database.backup(tmp_path / "backups", at=clinic.services.clock.now())

    plain = tmp_path / "backup-in-clear.sqlite3"
    with plain.open(
        "wb"
    ) as target:  # backups are encrypted: look inside, as an attacker with the key would
        backup_crypto.decrypt_file(backup.path, target, backup_key(clinic.services.settings))

    live_bodies = outbox_bodies(tmp_path / "needlepoint.sqlite3")
    assert live_bodies and not any(token in body for body in live_bodies)
    backup_bodies = outbox_bodies(plain)
    assert backup_bodies and token not in "".join(backup_bodies)
    assert token.encode() not in plain.read_bytes()
    response = follow_link(browser, token)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/portal")


def test_each_send_makes_a_new_secret_so_only_the_last_mail_works(
    clinic: Clinic, patient: Treated, browser: TestClient
) -> None:
    assert ask_for_link(browser, EMAIL).status_code == 200
    uow = clinic.services.database.unit_of_work()
    with uow:
        (queued,) = uow.outbox.for_patient(clinic.clinic_id, patient.patient_id)
    reference = link_reference(queued.idempotency_key)

    first, second = (clinic.services.portal.make_sign_in_link(reference) for _ in range(2))

    assert first is not None and second is not None
    (old,), (new,) = _TOKEN.findall(first), _TOKEN.findall(second)
    assert old != new
    assert follow_link(browser, old).status_code == 400
    assert follow_link(browser, new).status_code == 303
    assert clinic.services.portal.make_sign_in_link(reference) is None  # used: no new secret
