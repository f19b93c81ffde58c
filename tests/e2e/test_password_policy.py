"""The password policy, AU-1 of ecosystem.md §2.7, everywhere a password is set (issue 14).

AU-1's figures: 7 characters, a top-3,000 password → refused; a 128-character passphrase, a
passphrase with no digits or symbols → accepted. The probe's ``password1234`` and
``123456789012`` were accepted before. Staff add and reset over the API, the web form, and
``needlepoint user add`` give the same field.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from api_support import signed_in
from needlepoint.entrypoints.cli import main as cli
from web_support import ADMIN, CLINICIAN, Clinic, csrf_token, signed_in_browser

pytest_plugins = ["web_fixtures"]

TOP_3000 = FREQUENCY_LISTS["passwords"][:3000]
LONG_TOP_PASSWORDS = [word for word in TOP_3000 if len(word) >= 12]
PASSPHRASE_128 = ("quiet lantern orchard velvet " * 5)[:128]
REFUSED = ["short12", "password1234", "123456789012", *LONG_TOP_PASSWORDS[:3], "aaaaaaaaaaaaaaaa"]
ACCEPTED = [PASSPHRASE_128, "plum heron tidy basalt"]

runner = CliRunner()


def _add_staff(clinic: Clinic, email: str, password: str) -> httpx.Response:
    api = signed_in(clinic.services, ADMIN)
    new = {"email": email, "display_name": "Sam Desk", "role": "front_desk", "password": password}
    answer: httpx.Response = api.post("/api/v1/staff", json=new)
    return answer


def test_au1_password_policy(clinic: Clinic) -> None:
    assert len(PASSPHRASE_128) == 128
    assert not any(char.isdigit() for char in ACCEPTED[1])
    assert LONG_TOP_PASSWORDS  # the bundled list has top-3,000 passwords of 12+ characters
    for number, password in enumerate(REFUSED):
        refused = _add_staff(clinic, f"weak{number}@clinic.test", password)
        assert refused.status_code == 422, (password, refused.text)
        assert refused.json()["errors"][0]["field"] == "password", password
    for number, password in enumerate(ACCEPTED):
        added = _add_staff(clinic, f"strong{number}@clinic.test", password)
        assert added.status_code == 201, (password, added.text)


def test_au1_a_password_made_of_the_members_own_email_is_refused(clinic: Clinic) -> None:
    refused = _add_staff(clinic, "marguerite.okonkwo@clinic.test", "marguerite.okonkwo")
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "password")


def test_au1_a_reset_to_a_weak_password_is_refused_over_the_api(clinic: Clinic) -> None:
    api = signed_in(clinic.services, ADMIN)
    ids = {m["email"]: m["id"] for m in api.get("/api/v1/staff").json()["items"]}
    path = f"/api/v1/staff/{ids[CLINICIAN]}/password"
    for password in ("password1234", "123456789012"):
        refused = api.post(path, json={"password": password})
        assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "password")
    assert api.post(path, json={"password": "plum heron tidy basalt"}).is_success


def test_au1_the_web_form_names_the_password_field(clinic: Clinic) -> None:
    admin = signed_in_browser(clinic.services, ADMIN)
    form = {
        "display_name": "Sam Desk",
        "email": "sam@clinic.test",
        "role": "front_desk",
        "password": "password1234",
        "csrf_token": csrf_token(admin.get("/settings/staff").text),
    }
    refused = admin.post("/settings/staff", data=form)
    assert refused.status_code == 422
    assert 'data-field="password"' in refused.text


def test_au1_user_add_refuses_a_weak_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEEDLEPOINT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NEEDLEPOINT_DATABASE_URL", raising=False)
    assert runner.invoke(cli.app, ["db", "upgrade"]).exit_code == 0
    made = runner.invoke(cli.app, ["clinic", "add", "Harbour", "--time-zone", "Europe/London"])
    options = ["--clinic", made.stdout.strip(), "--email", "ada@b.test", "--name", "Ada"]
    command = ["user", "add", *options, "--role", "admin", "--password-stdin"]

    refused = runner.invoke(cli.app, command, input="123456789012\n")
    added = runner.invoke(cli.app, command, input="plum heron tidy basalt\n")

    assert refused.exit_code == 2
    assert "password" in refused.stderr
    assert "easy to guess" in refused.stderr
    assert added.exit_code == 0, added.output
