"""Scenarios AD-3 and AD-5 (ecosystem.md §2.7): what reaches the logs.

AD-3: canaries (unique marker strings) are put in every kind of patient data the API takes
(names, date of birth, email, phone, search text) and in secrets (a password, the session
cookie, the CSRF token); a scripted run through sign-in, registration, reads, edits, searches,
refusals, bad input and not-found runs with every logger at DEBUG, and no canary may appear in
any log record.
AD-5: values with CR/LF, ANSI escapes and JSON breakers, sent where a log line could pick them
up (paths, query strings, headers, bodies, a forged request id), leave exactly as many log lines
as the same requests with plain values, and no raw control character reaches a line.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import pytest

from api_support import BASE_URL, PATIENT, TestClient, add_clinic, add_member, log_in, signed_in
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api.app import create_app

pytest_plugins = ["api_fixtures"]

PATIENTS = "/api/v1/patients"
PHI_CANARIES = {
    "given_name": "Kanarygiven",
    "family_name": "Kanaryfamily",
    "born_on": "1931-03-17",
    "email": "kanary.mailbox@example.org",
    "phone": "+44 7700 931731",
}
SECRET_PASSWORD = "kanary secret passphrase"


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Each record the server wrote, as formatted and as raw arguments (a handler may format
    them otherwise). The test's own HTTP client logs each request it sends (logger ``httpx``,
    to ``testserver``): that is the client's log, not the server's, and is left out."""
    parts = []
    for record in caplog.records:
        if record.name == "httpx" and BASE_URL in record.getMessage():
            continue
        parts.append(logging.Formatter().format(record))
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def test_ad3_no_canary_of_patient_data_or_secrets_reaches_a_log_at_debug(
    api: Services, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    add_member(api, add_clinic(api), Role.FRONT_DESK, "desk@harbour.test")
    refused = [
        log_in(client, "desk@harbour.test", SECRET_PASSWORD),
        log_in(client, PHI_CANARIES["email"], SECRET_PASSWORD),
    ]
    desk = signed_in(api, "desk@harbour.test")
    secrets = [desk.cookies["needlepoint_session"], desk.headers["X-CSRF-Token"]]
    made = desk.post(PATIENTS, json={**PATIENT, **PHI_CANARIES})
    patient = made.json()
    edit = {**PATIENT, **PHI_CANARIES, "phone": "+44 7700 931732", "expected_version": 1}
    answers: list[Any] = [
        *refused,
        made,
        desk.get(f"{PATIENTS}/{patient['id']}"),
        desk.put(f"{PATIENTS}/{patient['id']}", json=edit),
        desk.put(f"{PATIENTS}/{patient['id']}", json=edit),  # stale: 409
        desk.get(f"{PATIENTS}/{patient['id']}/changes"),
        desk.get(PATIENTS, params={"search": PHI_CANARIES["family_name"]}),
        desk.get(PATIENTS, params={"search": PHI_CANARIES["email"]}),
        desk.get(PATIENTS, params={"search": PHI_CANARIES["born_on"]}),
        desk.post(PATIENTS, json={**PHI_CANARIES, "born_on": "Kanarydate", "sex": "x"}),  # 422
        desk.get(f"{PATIENTS}/00000000-0000-4000-8000-000000000000"),  # 404
        desk.post("/api/v1/staff", json={"email": PHI_CANARIES["email"]}),  # 403
    ]
    logged = _everything_logged(caplog)

    assert [a.status_code for a in answers] == [
        401, 401, 201, 200, 200, 409, 200, 200, 200, 200, 422, 404, 403
    ]  # fmt: skip
    assert len(caplog.records) > len(answers)  # the run was logged, at DEBUG
    hits = [c for c in (*PHI_CANARIES.values(), SECRET_PASSWORD, *secrets) if c in logged]
    assert hits == []


HOSTILE = 'a\r\nforged line\x1b[31m red\u2028"}{"x":"\\'
PLAIN = "a plain value of the same kind"


def _requests(client: TestClient, value: str) -> None:
    """Requests that carry ``value`` wherever a log line could pick it up (in a path it is
    percent-encoded, as a client must send it; the server decodes it)."""
    in_path = quote(value, safe="")
    client.get(f"{PATIENTS}/{in_path}")
    client.get(PATIENTS, params={"search": value, value: value})
    client.post(PATIENTS, json={**PATIENT, "given_name": value, value: value})
    header = value.encode("ascii", "ignore").decode().replace("\r\n", " ")  # as HTTP allows
    client.get("/api/v1/auth/me", headers={"X-Request-ID": header})
    client.get(f"/api/v1/nowhere/{in_path}")
    client.post("/api/v1/auth/login", json={"email": value, "password": value})
    client.post(f"/api/v1/patients/{in_path}/consultations", json={"document": value})
    client.get(f"/patients/{in_path}")  # the web pages
    client.post(f"/patients/{in_path}/edit", data={"given_name": value})  # no CSRF token
    client.get("/login", params={"next": value})
    client.post("/login", data={"email": value, "password": value, "next": value})


@pytest.mark.parametrize("signed", [False, True], ids=["anonymous", "front-desk"])
def test_ad5_hostile_values_leave_as_many_log_lines_as_plain_ones_and_no_control_character(
    api: Services, caplog: pytest.LogCaptureFixture, signed: bool
) -> None:
    add_member(api, add_clinic(api), Role.FRONT_DESK, "desk@harbour.test")
    if signed:
        client = signed_in(api, "desk@harbour.test")
    else:
        client = TestClient(create_app(api), base_url=BASE_URL)
    caplog.set_level(logging.DEBUG, logger="needlepoint")

    _requests(client, PLAIN)
    plain_lines = caplog.text.count("\n")
    plain_records = len(caplog.records)
    caplog.clear()
    _requests(client, HOSTILE)
    hostile_lines = caplog.text.count("\n")

    assert plain_records > 0
    assert len(caplog.records) == plain_records
    assert hostile_lines == plain_lines
    for record in caplog.records:
        message = record.getMessage()
        assert not any(c in message for c in "\r\n\x1b\u2028"), message
