"""Field encryption end to end (IN-3, ADR 0039): check-in notes are sealed per row.

Two patients check in through the portal with canary notes and a clinician reviews one with a
canary note: the database holds neither canary in clear, a ciphertext copied onto the other
patient's row does not open, and a key rotation keeps every note readable.
"""

from __future__ import annotations

import base64
import html
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from uuid import UUID

import pytest
from cryptography.exceptions import InvalidTag
from pydantic import SecretStr

from api_support import TestClient
from fakes import FIELD_KEY, FIELD_KEYS, PlainHasher
from needlepoint.adapters.db.sealed import UNREADABLE_ACTION
from needlepoint.adapters.field_crypto import SealedFieldError, aad, key_id, sealed_key_id
from needlepoint.bootstrap import bootstrap
from needlepoint.domain.sealed_fields import UNREADABLE_TEXT
from needlepoint.services.audit import OperatorContext
from portal_support import Treated, check_in, portal_browser, treated_patient
from web_support import Clinic, page_token

pytest_plugins = ["web_fixtures"]

CANARIES = ("CANARY-5d1e-itching-left-cheek", "CANARY-a07f-burning-forehead")
REVIEW_CANARY = "CANARY-c3b9-phoned-back"


def _checked_in(clinic: Clinic, patient: Treated, note: str) -> UUID:
    with portal_browser(clinic, patient) as portal:
        response = check_in(portal, patient.session_id, note=note, fever="yes")
    assert response.status_code == 303, response.text
    return UUID(response.headers["location"].rsplit("/", 1)[1])


def _database(clinic: Clinic) -> Path:
    return clinic.services.settings.data_dir / "needlepoint.sqlite3"


def _notes(clinic: Clinic) -> dict[UUID, tuple[str, str | None]]:
    with closing(sqlite3.connect(_database(clinic))) as raw:
        found = raw.execute("SELECT id, note, review_note FROM check_in").fetchall()
    return {UUID(row[0]): (row[1], row[2]) for row in found}


def _read(clinic: Clinic, services_database: object, check_in_id: UUID) -> object:
    with services_database.unit_of_work() as uow:  # type: ignore[attr-defined]
        return uow.check_ins.get(clinic.clinic_id, check_in_id)


@pytest.fixture
def two_check_ins(clinic: Clinic, clinician: TestClient) -> tuple[UUID, UUID]:
    first = treated_patient(clinic, clinician, "amira@patient.test", "Okafor")
    second = treated_patient(clinic, clinician, "bea@patient.test", "Lindqvist")
    ids = (_checked_in(clinic, first, CANARIES[0]), _checked_in(clinic, second, CANARIES[1]))
    page = clinician.get(f"/check-ins/{ids[0]}")
    reviewed = clinician.post(
        f"/check-ins/{ids[0]}/reviewed",
        data={
            "csrf_token": page_token(clinician),
            "outcome": "advice_given",
            "note": REVIEW_CANARY,
        },
    )
    assert page.status_code == 200 and reviewed.status_code == 303
    return ids


def test_in3_check_in_notes_are_stored_sealed_and_shown_in_clear(
    clinic: Clinic, clinician: TestClient, two_check_ins: tuple[UUID, UUID]
) -> None:
    first, _second = two_check_ins
    stored = _notes(clinic)

    current = key_id(FIELD_KEY)
    assert {sealed_key_id(note) for note, _ in stored.values()} == {current}
    assert sealed_key_id(stored[first][1] or "") == current
    for canary in (*CANARIES, REVIEW_CANARY):
        assert all(canary not in f"{note} {review}" for note, review in stored.values())
    files = sorted(_database(clinic).parent.glob("needlepoint.sqlite3*"))  # with -wal, -shm
    written = b"".join(f.read_bytes() for f in files)
    assert len(files) >= 1 and all(c.encode() not in written for c in (*CANARIES, REVIEW_CANARY))
    shown = clinician.get(f"/check-ins/{first}").text
    assert CANARIES[0] in shown and REVIEW_CANARY in shown


def test_in3_a_note_copied_onto_another_patients_check_in_does_not_open(
    clinic: Clinic, two_check_ins: tuple[UUID, UUID]
) -> None:
    first, second = two_check_ins
    stored = _notes(clinic)
    with closing(sqlite3.connect(_database(clinic))) as raw, raw:
        for target, source in ((first, second), (second, first)):
            raw.execute(
                "UPDATE check_in SET note = ? WHERE id = ?", (stored[source][0], target.hex)
            )

    refused = 0
    assert FIELD_KEYS.open(stored[first][0], aad("check_in", "note", first)) == CANARIES[0]
    for check_in_id in (first, second):
        with pytest.raises(SealedFieldError) as caught:
            FIELD_KEYS.open(_notes(clinic)[check_in_id][0], aad("check_in", "note", check_in_id))
        refused += isinstance(caught.value.__cause__, InvalidTag)
        # Read as a record, the note is the marker: never the other patient's text.
        assert _read(clinic, clinic.services.database, check_in_id).answers.note == UNREADABLE_TEXT  # type: ignore[attr-defined]
    assert refused == 2  # 100 % of the swapped notes


def test_in3_rotating_the_field_key_re_encrypts_every_note_and_keeps_it_readable(
    clinic: Clinic, two_check_ins: tuple[UUID, UUID]
) -> None:
    first, second = two_check_ins
    old, new = base64.b64encode(FIELD_KEY).decode(), os.urandom(32)
    settings = clinic.services.settings.model_copy(
        update={
            "field_key": SecretStr(base64.b64encode(new).decode()),
            "field_keys_retired": SecretStr(old),
        }
    )
    during = bootstrap(settings, clock=clinic.services.clock, hasher=PlainHasher())

    report = during.database.reencrypt_fields(batch_size=1)  # one row per transaction

    assert report.resealed == 2  # both check-ins (one note each, one review note)
    assert {sealed_key_id(n) for n, _ in _notes(clinic).values()} == {key_id(new)}
    assert during.database.reencrypt_fields(batch_size=1).resealed == 0  # nothing left
    after = bootstrap(
        settings.model_copy(update={"field_keys_retired": None}),
        clock=clinic.services.clock,
        hasher=PlainHasher(),
    )
    notes = [_read(clinic, after.database, i).answers.note for i in (first, second)]  # type: ignore[attr-defined]
    assert notes == list(CANARIES)
    during.database.close()
    after.database.close()


def test_in3_text_written_before_encryption_stays_readable_and_is_sealed_on_request(
    clinic: Clinic, two_check_ins: tuple[UUID, UUID]
) -> None:
    first, _second = two_check_ins
    with closing(sqlite3.connect(_database(clinic))) as raw, raw:
        raw.execute("UPDATE check_in SET note = ? WHERE id = ?", ("legacy words", first.hex))

    assert _read(clinic, clinic.services.database, first).answers.note == "legacy words"  # type: ignore[attr-defined]
    assert clinic.services.database.reencrypt_fields(batch_size=500).resealed == 1
    assert "legacy words" not in _notes(clinic)[first][0]
    assert _read(clinic, clinic.services.database, first).answers.note == "legacy words"  # type: ignore[attr-defined]


def _swap_notes(clinic: Clinic, first: UUID, second: UUID) -> dict[UUID, tuple[str, str | None]]:
    stored = _notes(clinic)
    with closing(sqlite3.connect(_database(clinic))) as raw, raw:
        for target, source in ((first, second), (second, first)):
            raw.execute(
                "UPDATE check_in SET note = ? WHERE id = ?", (stored[source][0], target.hex)
            )
    return stored


def _unreadable_events(clinic: Clinic) -> list[tuple[str, str, str, str, str | None, str]]:
    with closing(sqlite3.connect(_database(clinic))) as raw:
        found = raw.execute(
            "SELECT action, resource_type, resource_id, severity, patient_id, outcome"
            " FROM audit_event WHERE action = ?",
            (UNREADABLE_ACTION,),
        ).fetchall()
    return [tuple(row) for row in found]


def test_in3_a_swapped_note_reads_as_unreadable_on_the_api_and_the_page_and_is_audited_high(
    clinic: Clinic, clinician: TestClient, two_check_ins: tuple[UUID, UUID]
) -> None:
    """A note that does not open is not a 500: the check-in is served, the note replaced by
    a plain marker (the same on the API and the page), and the event audited high, once per
    read, without the stored text."""
    first, second = two_check_ins
    stored = _swap_notes(clinic, first, second)

    api = clinician.get(f"/api/v1/check-ins/{first}")
    page = clinician.get(f"/check-ins/{first}")

    assert api.status_code == 200, api.text
    body = api.json()
    assert body["answers"]["note"] == UNREADABLE_TEXT
    assert body["review"]["note"] == REVIEW_CANARY  # the rest of the record is still there
    assert body["id"] == str(first)
    assert page.status_code == 200, page.text
    assert UNREADABLE_TEXT in html.unescape(page.text)
    assert REVIEW_CANARY in page.text
    assert CANARIES[1] not in page.text + api.text  # the other patient's note never opens
    events = _unreadable_events(clinic)
    assert [(a, t, r, s, o) for a, t, r, s, _, o in events] == [
        (UNREADABLE_ACTION, "check_in.note", str(first), "high", "unreadable")
    ] * 2
    assert {UUID(str(patient)) for *_, patient, _ in events} == {UUID(body["patient_id"])}
    with closing(sqlite3.connect(_database(clinic))) as raw:
        trail = " ".join(map(str, raw.execute("SELECT * FROM audit_event").fetchall()))
    assert all(sealed not in trail for sealed, _ in stored.values())
    assert clinic.services.database.verify_audit().ok


def _reencryption_events(clinic: Clinic) -> list[tuple[str, str | None, str, str]]:
    with closing(sqlite3.connect(_database(clinic))) as raw:
        found = raw.execute(
            "SELECT actor_role, actor_id, resource_id, outcome FROM audit_event"
            " WHERE action = 'keys.reencrypt_fields' ORDER BY seq"
        ).fetchall()
    return [tuple(row) for row in found]


def test_in3_a_reencryption_is_audited_and_one_that_left_values_it_could_not_open_as_partial(
    clinic: Clinic,
    two_check_ins: tuple[UUID, UUID],
) -> None:
    operator = OperatorContext(request_id="cli-test")
    clean = clinic.services.records.reencrypt_fields(batch_size=500, context=operator)
    lost_key = clinic.services.settings.model_copy(  # a new key, the old one not kept
        update={"field_key": SecretStr(base64.b64encode(os.urandom(32)).decode())}
    )
    without = bootstrap(lost_key, clock=clinic.services.clock, hasher=PlainHasher())

    lost = without.records.reencrypt_fields(batch_size=500, context=operator)
    without.database.close()

    assert not clean.unreadable
    assert len(lost.unreadable) == 3  # two notes and a review note, left as they were
    assert _reencryption_events(clinic) == [
        ("operator", None, "current", "success"),
        ("operator", None, "current", "partial"),
    ]
    with closing(sqlite3.connect(_database(clinic))) as raw:
        trail = " ".join(str(row) for row in raw.execute("SELECT * FROM audit_event"))
    assert not any(text in trail for text, _ in _notes(clinic).values())
    assert not any(canary in trail for canary in CANARIES)
