"""Apps of one process share their routes' inclusion (``api.app._included_routers``), never
their services: each app answers from its own database, its own sign-ins and its own settings.
"""

from __future__ import annotations

from pathlib import Path

from api_support import (
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    make_services,
    migrate,
    signed_in,
)
from fakes import PlainHasher
from needlepoint.bootstrap import bootstrap
from needlepoint.config import Settings
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api.app import create_app

EMAIL = "front@harbour.test"


def test_two_apps_in_one_process_each_answer_from_their_own_services(tmp_path: Path) -> None:
    first = make_services(f"sqlite:///{tmp_path / 'first.sqlite3'}", MovingClock())
    second = make_services(f"sqlite:///{tmp_path / 'second.sqlite3'}", MovingClock())
    for services, name in ((first, "First Clinic"), (second, "Second Clinic")):
        add_member(services, add_clinic(services, name), Role.FRONT_DESK, EMAIL)

    with signed_in(first, EMAIL) as one, signed_in(second, EMAIL) as other:
        assert one.get("/api/v1/clinic").json()["name"] == "First Clinic"
        assert other.get("/api/v1/clinic").json()["name"] == "Second Clinic"
        # a session of one app means nothing to the other
        other.cookies.clear()
        other.cookies.update(one.cookies)
        assert other.get("/api/v1/clinic").status_code == 401
    first.database.close()
    second.database.close()


def test_an_app_with_https_only_redirects_while_another_in_the_process_does_not(
    tmp_path: Path,
) -> None:
    plain = make_services(f"sqlite:///{tmp_path / 'plain.sqlite3'}", MovingClock())
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'strict.sqlite3'}",
        audit_key=plain.settings.audit_key,
        field_key=plain.settings.field_key,
        https_only=True,
        public_url="https://clinic.example",
    )
    strict = bootstrap(settings, clock=MovingClock(), hasher=PlainHasher())
    migrate(strict.database)

    with (
        TestClient(create_app(plain), base_url="http://testserver") as a,
        TestClient(create_app(strict), base_url="http://testserver") as b,
    ):
        assert a.get("/login", follow_redirects=False).status_code == 200
        assert b.get("/login", follow_redirects=False).status_code == 308
    plain.database.close()
    strict.database.close()
