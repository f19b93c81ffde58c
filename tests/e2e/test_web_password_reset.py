"""Forgot your password, in the web app: the link goes out by the real worker over SMTP, holds
no secret in the outbox or a backup, works once, and signs nobody in (AU-6, AU-4, ADR 0037)."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from contextlib import closing
from pathlib import Path

from api_support import TestClient
from needlepoint.config import SmtpSettings
from needlepoint.entrypoints.api.security import SESSION_COOKIE
from needlepoint.services.messaging.delivery import WorkerLoop, WorkerSettings
from outbox_support import SENDER, smtp_server
from web_support import FRONT_DESK, Clinic, csrf_token, web_client

pytest_plugins = ["web_fixtures"]

NEW_PASSWORD = "saltmarsh lantern orbit 42"
_LINK = re.compile(r"https?://\S+(/reset-password/[A-Za-z0-9_-]{43})\b")


def outbox_bodies(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as connection:
        return [row[0] for row in connection.execute("SELECT body FROM outbox_message")]


def ask(client: TestClient, email: str) -> object:
    form = client.get("/forgot-password").text
    return client.post("/forgot-password", data={"email": email, "csrf_token": csrf_token(form)})


def emailed_path(clinic: Clinic) -> str:
    with smtp_server() as (handler, port):
        smtp = SmtpSettings(
            host="127.0.0.1", port=port, sender=SENDER, security="none", allow_plaintext=True
        )
        settings = clinic.services.settings.model_copy(update={"smtp": smtp})
        worker = dataclasses.replace(clinic.services, settings=settings)
        worker.messaging.run_worker(WorkerSettings(worker_id="reset"), WorkerLoop(once=True))
    (mail,) = [r for r in handler.received if FRONT_DESK in r.rcpt_tos]
    found = _LINK.search(mail.body)
    assert found is not None, mail.body
    return found.group(1)


def choose(client: TestClient, path: str, password: str, again: str | None = None) -> object:
    page = client.get(path)
    data = {"password": password, "password_again": again or password}
    return client.post(path, data={**data, "csrf_token": csrf_token(page.text)})


def test_au4_the_forgot_page_answers_a_known_and_an_unknown_email_alike(
    browser: TestClient,
) -> None:
    assert 'href="/forgot-password"' in browser.get("/login").text

    known, unknown = ask(browser, FRONT_DESK), ask(browser, "nobody@nowhere.test")

    assert known.status_code == unknown.status_code == 200  # type: ignore[attr-defined]
    assert known.text == unknown.text  # type: ignore[attr-defined]
    assert "Check your email" in known.text  # type: ignore[attr-defined]


def test_au6_the_mailed_link_sets_a_password_once_signs_nobody_in_and_leaves_no_secret(
    clinic: Clinic, browser: TestClient, tmp_path: Path
) -> None:
    ask(browser, FRONT_DESK)
    path = emailed_path(clinic)
    token = path.rsplit("/", 1)[1]
    backup = clinic.services.database.backup(tmp_path / "backups", at=clinic.services.clock.now())

    mismatch = choose(browser, path, NEW_PASSWORD, "something else entirely 9")
    done = choose(browser, path, NEW_PASSWORD)
    again = web_client(clinic.services).get(path)

    assert token not in "".join(outbox_bodies(tmp_path / "needlepoint.sqlite3"))
    assert token.encode() not in backup.path.read_bytes()
    assert mismatch.status_code == 422  # type: ignore[attr-defined]
    assert done.status_code == 200  # type: ignore[attr-defined]
    assert "Sign in with your new password" in done.text  # type: ignore[attr-defined]
    assert SESSION_COOKIE not in done.headers.get("set-cookie", "")  # type: ignore[attr-defined]
    assert again.status_code == 400
    assert 'href="/forgot-password"' in again.text
    form = browser.get("/login").text
    signed = browser.post(
        "/login",
        data={"email": FRONT_DESK, "password": NEW_PASSWORD, "csrf_token": csrf_token(form)},
    )
    assert signed.status_code == 303
