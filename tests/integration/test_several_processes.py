"""Several server processes over one database (issue 13, ADR 0033), against real servers.

Two ``needlepoint serve`` processes, A and B, each with its own data directory and the same
``NEEDLEPOINT_WEB_SECRET``, share one database (SQLite, and PostgreSQL when reachable). One
browser talks to both, as it would behind a reverse proxy that sends each request to either:

* a form token made by A is accepted by B (the sign-in form, and a signed-in page's form);
* a logout, or a deactivation, on one is refused by the other at the very next request, with
  the other having just confirmed the session (no window in which it still works).

And ``needlepoint serve --workers 2`` migrates a new database once, then serves from two
processes; it refuses to start while the web secret would be made per data directory.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from integration.conftest import BACKENDS, postgres_admin_url, scratch_database  # noqa: F401
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.config import Settings
from needlepoint.domain.records import Role
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import OperatorContext
from serving import NEEDLEPOINT, environment, free_port, serving
from web_support import csrf_token

API = "/api/v1"
PASSWORD = "correct horse battery staple"
WEB_SECRET = "w" * 48
AUDIT_KEY = "k" * 48
FIELD_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
SETUP = OperatorContext(request_id="processes-setup")
CLINICIAN = "dr@processes.test"
ADMIN = "ada@processes.test"
LEAVER = "leaver@processes.test"
STOP_SECONDS = 30


@dataclass(frozen=True)
class Instances:
    a: str
    b: str


def _seed(services: Services) -> None:
    clinic = services.accounts.add_clinic(name="Two Doors Clinic", time_zone="Europe/London")
    for role, email in (
        (Role.CLINICIAN, CLINICIAN),
        (Role.ADMIN, ADMIN),
        (Role.FRONT_DESK, LEAVER),
    ):
        licence = Decimal("1.5") if role is Role.CLINICIAN else None
        new = accounts.NewStaff(clinic.id, email, email.split("@")[0], role, licence, PASSWORD)
        services.accounts.add_staff(new, context=SETUP)


def _env(data_dir: Path, settings: dict[str, str]) -> dict[str, str]:
    data_dir.mkdir()
    base = {
        "NEEDLEPOINT_DEVELOPMENT": "1",
        "NEEDLEPOINT_WEB_SECRET": WEB_SECRET,
        "NEEDLEPOINT_AUDIT_KEY": AUDIT_KEY,
        "NEEDLEPOINT_FIELD_KEY": FIELD_KEY,
    }
    return environment(data_dir, base | settings)


@pytest.fixture(scope="module", params=BACKENDS)
def instances(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Instances]:
    directory = tmp_path_factory.mktemp("processes")
    with scratch_database(request, directory) as url, ExitStack() as stack:
        settings = Settings(database_url=url, data_dir=directory, field_key=SecretStr(FIELD_KEY))
        services = bootstrap(settings)  # the instances' field key, as their data is theirs
        services.database.upgrade()
        _seed(services)
        services.database.close()
        database = {"NEEDLEPOINT_DATABASE_URL": url}
        a, b = (stack.enter_context(serving(_env(directory / n, database))) for n in "ab")
        yield Instances(a, b)


def _browser() -> httpx.Client:
    """One browser: its cookies go to both instances (same host, as behind one proxy)."""
    return httpx.Client(timeout=60, follow_redirects=False)


def _sign_in_through(browser: httpx.Client, form_from: str, post_to: str, email: str) -> None:
    token = csrf_token(browser.get(f"{form_from}/login").text)
    form = {"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
    response = browser.post(f"{post_to}/login", data=form)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"


def _signed_in_api(url: str, email: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(timeout=60, follow_redirects=False)
    response = client.post(f"{url}{API}/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client, str(response.json()["csrf_token"])


def test_forms_made_by_one_instance_are_accepted_by_the_other(instances: Instances) -> None:
    with closing(_browser()) as browser:
        _sign_in_through(browser, form_from=instances.a, post_to=instances.b, email=CLINICIAN)
        page_on_a = browser.get(f"{instances.a}/")
        logout_on_b = browser.post(
            f"{instances.b}/logout", data={"csrf_token": csrf_token(page_on_a.text)}
        )

    assert page_on_a.status_code == 200
    assert logout_on_b.status_code == 303
    assert logout_on_b.headers["location"] == "/login"


def test_a_web_logout_on_one_instance_is_refused_by_the_other_at_the_next_page(
    instances: Instances,
) -> None:
    with closing(_browser()) as browser:
        _sign_in_through(browser, form_from=instances.b, post_to=instances.b, email=CLINICIAN)
        cookie = dict(browser.cookies)
        assert browser.get(f"{instances.a}/").status_code == 200  # A has just confirmed it
        token = csrf_token(browser.get(f"{instances.b}/").text)
        assert browser.post(f"{instances.b}/logout", data={"csrf_token": token}).status_code == 303
        browser.cookies.update(cookie)  # a copy of the cookie kept, as an attacker would

        next_page = browser.get(f"{instances.a}/patients")

    assert next_page.status_code == 303
    assert next_page.headers["location"].startswith("/login")


def test_an_api_logout_on_one_instance_is_refused_by_the_other_at_the_next_request(
    instances: Instances,
) -> None:
    client, csrf = _signed_in_api(instances.a, CLINICIAN)
    with closing(client):
        assert client.get(f"{instances.b}{API}/auth/me").status_code == 200
        cookie = client.cookies.get("needlepoint_session")
        assert cookie is not None
        logout = client.post(f"{instances.a}{API}/auth/logout", headers={"X-CSRF-Token": csrf})
        assert logout.status_code == 204, logout.text

        after = httpx.get(
            f"{instances.b}{API}/auth/me", cookies={"needlepoint_session": cookie}, timeout=60
        )

    assert after.status_code == 401
    assert after.json()["code"] == "not-authenticated"


def test_a_member_deactivated_on_one_instance_is_signed_out_of_the_other_at_once(
    instances: Instances,
) -> None:
    leaver, _ = _signed_in_api(instances.b, LEAVER)
    admin, admin_csrf = _signed_in_api(instances.a, ADMIN)
    with closing(leaver), closing(admin):
        me = leaver.get(f"{instances.b}{API}/auth/me")
        assert me.status_code == 200
        deactivate = admin.post(
            f"{instances.a}{API}/staff/{me.json()['id']}/deactivate",
            headers={"X-CSRF-Token": admin_csrf},
        )
        assert deactivate.status_code == 204, deactivate.text

        after = leaver.get(f"{instances.b}{API}/auth/me")

    assert after.status_code == 401


def _started_workers(log: Path, expected: int) -> set[str]:
    """The process ids uvicorn logged as started, waiting until ``expected`` have started."""
    deadline = time.monotonic() + STOP_SECONDS
    pids: set[str] = set()
    while time.monotonic() < deadline and len(pids) < expected:
        pids = set(re.findall(r"Started server process \[(\d+)\]", log.read_text()))
        time.sleep(0.1)
    return pids


def test_serve_with_two_workers_migrates_a_new_database_and_serves(tmp_path: Path) -> None:
    env = _env(tmp_path / "data", {})

    with serving(env, options=["--workers", "2"]) as url:
        workers = _started_workers(tmp_path / "data" / "serve.log", expected=2)
        answers = [httpx.get(f"{url}{API}/patients", timeout=10) for _ in range(6)]
        login = httpx.get(f"{url}/login", timeout=10)

    assert len(workers) == 2
    assert {answer.status_code for answer in answers} == {401}  # the tables exist: migrated
    assert login.status_code == 200
    assert csrf_token(login.text)
    assert (tmp_path / "data" / "needlepoint.sqlite3").exists()


def test_serve_refuses_several_workers_while_the_web_secret_is_made_per_directory(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    env = environment(data_dir, {"NEEDLEPOINT_DEVELOPMENT": "1"})
    command = [str(NEEDLEPOINT), "serve", "--workers", "2", "--port", str(free_port())]

    refused = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=STOP_SECONDS, check=False
    )

    assert refused.returncode == 3
    message = " ".join(refused.stderr.split())
    assert (
        "--workers 2 needs NEEDLEPOINT_WEB_SECRET, NEEDLEPOINT_AUDIT_KEY and "
        "NEEDLEPOINT_FIELD_KEY set" in message
    )
    assert "docs/deployment.md" in message
    assert not data_dir.exists()  # refused before migrating or making anything


def test_serve_refuses_several_workers_while_the_audit_key_is_made_per_directory(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    settings = {"NEEDLEPOINT_DEVELOPMENT": "1", "NEEDLEPOINT_WEB_SECRET": WEB_SECRET}
    command = [str(NEEDLEPOINT), "serve", "--workers", "2", "--port", str(free_port())]

    refused = subprocess.run(
        command,
        env=environment(data_dir, settings),
        capture_output=True,
        text=True,
        timeout=STOP_SECONDS,
        check=False,
    )

    assert refused.returncode == 3
    message = " ".join(refused.stderr.split())
    assert "--workers 2 needs NEEDLEPOINT_AUDIT_KEY and NEEDLEPOINT_FIELD_KEY set" in message
    assert not data_dir.exists()


def test_serve_refuses_several_workers_while_the_field_key_is_made_per_directory(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    settings = {
        "NEEDLEPOINT_DEVELOPMENT": "1",
        "NEEDLEPOINT_WEB_SECRET": WEB_SECRET,
        "NEEDLEPOINT_AUDIT_KEY": AUDIT_KEY,
    }
    command = [str(NEEDLEPOINT), "serve", "--workers", "2", "--port", str(free_port())]

    refused = subprocess.run(
        command,
        env=environment(data_dir, settings),
        capture_output=True,
        text=True,
        timeout=STOP_SECONDS,
        check=False,
    )

    assert refused.returncode == 3
    message = " ".join(refused.stderr.split())
    assert "--workers 2 needs NEEDLEPOINT_FIELD_KEY set" in message
    assert "32 random bytes in base64" in message
    assert not data_dir.exists()
