"""``needlepoint user two-step-off``: the operator removes a member's app (a lost phone)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api_support import migrate
from fakes import OPERATOR
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.config import Settings
from needlepoint.domain import totp
from needlepoint.domain.records import Role
from needlepoint.entrypoints.cli import main as cli
from needlepoint.services.accounts import second_step, two_step
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts import staff as accounts

EMAIL = "ada@harbour.test"
PASSWORD = "a long enough passphrase"


def _pending(services: Services, email: str) -> second_step.Pending:
    credentials = sessions.Credentials(email, PASSWORD, "192.0.2.1")
    with pytest.raises(second_step.SecondStepRequiredError) as raised:
        services.accounts.log_in(credentials)
    return raised.value.pending


def test_au5_the_operator_turns_off_a_members_two_step_after_a_lost_phone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEEDLEPOINT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NEEDLEPOINT_DATABASE_URL", raising=False)
    monkeypatch.setenv("NEEDLEPOINT_ADMIN_TWO_STEP", "1")
    services = bootstrap(Settings.from_env())
    migrate(services.database)
    clinic = services.accounts.add_clinic(name="Harbour", time_zone="Europe/London")
    new = accounts.NewStaff(clinic.id, EMAIL, "Ada", Role.ADMIN, None, PASSWORD)
    services.accounts.add_staff(new, context=OPERATOR)
    enrol = _pending(services, EMAIL)
    assert enrol.enrolment is not None
    code = totp.code_at(enrol.enrolment.secret, datetime.now(UTC))
    services.accounts.answer_second_step(two_step.Answer(enrol.token, code=code, ip="192.0.2.1"))
    assert _pending(services, EMAIL).purpose == second_step.CODE

    result = CliRunner().invoke(cli.app, ["user", "two-step-off", "--email", EMAIL])

    assert result.exit_code == 0, result.output
    assert "removed their app and recovery codes" in result.output
    again = _pending(services, EMAIL)  # an admin must set up a new app
    assert again.purpose == second_step.ENROL
    assert again.enrolment is not None
    assert again.enrolment.secret != enrol.enrolment.secret
    unknown = CliRunner().invoke(cli.app, ["user", "two-step-off", "--email", "nobody@x.test"])
    assert unknown.exit_code != 0
    services.database.close()
