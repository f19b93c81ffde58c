"""Staff invites in the web app: an admin invites from the staff page, the link goes out by the
real worker over SMTP, holds no secret in the outbox, works once, and signs nobody in (AU-6,
ADR 0037)."""

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
from web_support import ADMIN, Clinic, csrf_token, signed_in_browser, web_client

pytest_plugins = ["web_fixtures"]

INVITEE = "bea@clinic.test"
PASSWORD_CHOSEN = "saltmarsh lantern orbit 42"
_LINK = re.compile(r"https?://\S+(/accept-invite/[A-Za-z0-9_-]{43})\b")


def _outbox_bodies(database: Path) -> str:
    with closing(sqlite3.connect(database)) as connection:
        return "".join(row[0] for row in connection.execute("SELECT body FROM outbox_message"))


def _emailed_path(clinic: Clinic) -> str:
    with smtp_server() as (handler, port):
        smtp = SmtpSettings(
            host="127.0.0.1", port=port, sender=SENDER, security="none", allow_plaintext=True
        )
        settings = clinic.services.settings.model_copy(update={"smtp": smtp})
        worker = dataclasses.replace(clinic.services, settings=settings)
        worker.messaging.run_worker(WorkerSettings(worker_id="invite"), WorkerLoop(once=True))
    (mail,) = [r for r in handler.received if INVITEE in r.rcpt_tos]
    found = _LINK.search(mail.body)
    assert found is not None, mail.body
    return found.group(1)


def _choose(client: TestClient, path: str, password: str, again: str | None = None) -> object:
    page = client.get(path)
    data = {"password": password, "password_again": again or password}
    return client.post(path, data={**data, "csrf_token": csrf_token(page.text)})


def _sign_in(client: TestClient, password: str) -> object:
    form = client.get("/login").text
    data = {"email": INVITEE, "password": password, "csrf_token": csrf_token(form)}
    return client.post("/login", data=data)


def test_au6_an_invite_link_from_the_staff_page_sets_a_password_once_and_signs_nobody_in(
    clinic: Clinic, tmp_path: Path
) -> None:
    admin = signed_in_browser(clinic.services, ADMIN)
    page = admin.get("/settings/staff").text
    assert "Invite a member of staff" in page
    invited = admin.post(
        "/settings/staff/invites",
        data={
            "display_name": "Bea Starter",
            "email": INVITEE,
            "role": "front_desk",
            "csrf_token": csrf_token(page),
        },
    )
    assert invited.status_code == 303
    listed = admin.get("/settings/staff").text
    assert "invited" in listed and "Send the invite again" in listed

    path = _emailed_path(clinic)
    token = path.rsplit("/", 1)[1]
    browser = web_client(clinic.services)
    before = _sign_in(browser, PASSWORD_CHOSEN)
    mismatch = _choose(browser, path, PASSWORD_CHOSEN, "something else entirely 9")
    done = _choose(browser, path, PASSWORD_CHOSEN)
    again = web_client(clinic.services).get(path)

    assert token not in _outbox_bodies(tmp_path / "needlepoint.sqlite3")
    assert before.status_code != 303  # type: ignore[attr-defined]
    assert mismatch.status_code == 422  # type: ignore[attr-defined]
    assert done.status_code == 200  # type: ignore[attr-defined]
    assert "Sign in with your email and your new password" in done.text  # type: ignore[attr-defined]
    assert SESSION_COOKIE not in done.headers.get("set-cookie", "")  # type: ignore[attr-defined]
    assert again.status_code == 400
    assert "ask your clinic's admin" in again.text.replace("&#39;", "'")
    assert _sign_in(browser, PASSWORD_CHOSEN).status_code == 303  # type: ignore[attr-defined]
    assert "Send the invite again" not in admin.get("/settings/staff").text


def test_au6_the_staff_page_names_a_bad_invite_field(clinic: Clinic) -> None:
    admin = signed_in_browser(clinic.services, ADMIN)
    page = admin.get("/settings/staff").text
    refused = admin.post(
        "/settings/staff/invites",
        data={"display_name": "Bea", "email": "not-an-email", "role": "front_desk",
              "csrf_token": csrf_token(page)},
    )  # fmt: skip
    assert refused.status_code == 422
    assert 'data-field="email"' in refused.text
