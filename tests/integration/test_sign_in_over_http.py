"""Sign-in under attack, CSRF and tokens over HTTP (issue 10 acceptance), against real servers.

Two ``needlepoint serve`` processes share one database (SQLite, and PostgreSQL when reachable):

* 40 simultaneous sign-ins for one account, 39 wrong and the right one a few ms after the
  others, split across both processes: 5 are evaluated (hashed) free, and each one after them
  only once the throttle's delay (2 s, doubling) has passed since the one before, however the
  machine's load spreads the 40 over time; the right password gets in only after a delay, and
  after the race it does. The evaluations are counted from the audit trail (one event per
  evaluated attempt, AD-2).
* A cross-origin cookie POST (sign a consultation, form content type, ``Origin:
  https://evil.example``, no token) gets 403 and signs nothing; the same with the CSRF token, or
  from the server's own origin, signs.
* An admin cannot act as a clinician: a token the admin issued for the clinician cannot sign
  a consultation or a chart (403, nothing signed), and the issue is audited with the issuer.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select

from api_support import intake_document
from consent_support import give_consent
from fakes import AUDIT_KEY, FIELD_KEY, FIELD_KEYS
from integration.conftest import BACKENDS, postgres_admin_url, scratch_database  # noqa: F401
from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.tables import audit_event, login_throttle
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.config import Settings
from needlepoint.domain.records import Role, StaffMember
from needlepoint.domain.vocabulary import Sex
from needlepoint.entrypoints.api.schemas.treatment import ChartIn
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.accounts.throttling import ACCOUNT_POLICY, ADDRESS_POLICY, ThrottleKeys
from needlepoint.services.audit import AuthMethod, OperatorContext, RequestContext
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.records import patients
from needlepoint.services.treatment import charts
from needlepoint.services.treatment import series as treatment
from serving import environment, serving

API = "/api/v1"
PASSWORD = "correct horse battery staple"
CALLERS = 40
RIGHT_ONE_LATE_SECONDS = 0.005
WEB_SECRET = "s" * 40
SETUP = OperatorContext(request_id="http-setup")


@dataclass(frozen=True)
class World:
    urls: tuple[str, str]
    engine: Engine
    ids: dict[str, str]


def _member(services: Services, clinic_id: Any, role: Role, email: str) -> StaffMember:
    licence = Decimal("1.5") if role is Role.CLINICIAN else None
    new = accounts.NewStaff(clinic_id, email, email.split("@", 1)[0], role, licence, PASSWORD)
    return services.accounts.add_staff(new, context=SETUP)


def _seed(services: Services) -> dict[str, str]:
    clinic = services.accounts.add_clinic(name="Harbour Skin Clinic", time_zone="Europe/London")
    for role, email in ((Role.CLINICIAN, "race@http.test"), (Role.ADMIN, "ada@http.test")):
        _member(services, clinic.id, role, email)
    clinician = _member(services, clinic.id, Role.CLINICIAN, "dr@http.test")
    context = RequestContext(actor=clinician, request_id="http-setup", auth=AuthMethod.SESSION)
    new = patients.NewPatient("Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE)
    patient = services.records.register_patient(new, context=context)
    drafts = [_draft(services, context, patient.id) for _ in range(3)]
    return {
        "clinician_id": str(clinician.id),
        "draft_1": drafts[0],
        "draft_2": drafts[1],
        "draft_3": drafts[2],
        **_charted_session(services, context, patient.id),
    }


def _draft(services: Services, context: RequestContext, patient_id: Any) -> str:
    request = consultation_records.ConsultationRequest(patient_id, intake_document())
    return str(services.consultation.record_consultation(request, context=context).id)


def _charted_session(
    services: Services, context: RequestContext, patient_id: Any
) -> dict[str, str]:
    """A signed consultation, its series, a started session and its first (unsigned) chart."""
    request = consultation_records.ConsultationRequest(patient_id, intake_document())
    signed = services.consultation.sign_consultation(
        services.consultation.record_consultation(request, context=context).id, context=context
    )
    series = services.treatment.create_series(treatment.NewSeries(signed.id), context=context)
    give_consent(services, series.id, context)  # the patient's witnessed consent (ADR 0029)
    session = services.treatment.start_session(series.id, rescreen_document={}, context=context)
    cartridge = {"lot": "LOT-HTTP-1", "expires_on": "2099-01-01"}
    body = {"expected_version": 0, "chart": {"device": "pen", "cartridge": cartridge, "zones": []}}
    chart = ChartIn.model_validate(body).chart.to_domain()
    services.treatment.chart_session(charts.ChartEntry(session.id, chart, 0), context=context)
    return {"session_id": str(session.id)}


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("signin")
    with scratch_database(request, directory) as url, ExitStack() as stack:
        field_key = SecretStr(base64.b64encode(FIELD_KEY).decode())  # the servers' key too
        settings = Settings(database_url=url, data_dir=directory, field_key=field_key)
        services = bootstrap(settings)  # Argon2id
        services.database.upgrade()
        ids = _seed(services)
        services.database.close()
        urls = tuple(stack.enter_context(serving(_env(directory / n, url))) for n in ("a", "b"))
        engine = make_engine(url, audit_key=AUDIT_KEY, field_keys=FIELD_KEYS)
        stack.callback(engine.dispose)
        yield World((urls[0], urls[1]), engine, ids)


def _env(data_dir: Path, url: str) -> dict[str, str]:
    data_dir.mkdir()
    settings = {
        "NEEDLEPOINT_DATABASE_URL": url,
        "NEEDLEPOINT_DEVELOPMENT": "1",  # plain http on the loopback: cookies without Secure
        "NEEDLEPOINT_WEB_SECRET": WEB_SECRET,  # both servers accept each other's CSRF tokens
        "NEEDLEPOINT_AUDIT_KEY": AUDIT_KEY.decode(),  # both servers' chains verify
        "NEEDLEPOINT_FIELD_KEY": base64.b64encode(FIELD_KEY).decode(),  # and read each other's
    }
    return environment(data_dir, settings)


def _count(engine: Engine, *where: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).where(*where)).scalar_one())


def most_evaluated(seconds: float) -> int:
    """The most attempts of one account the throttle may evaluate in ``seconds`` (AU-3's rule).

    Five free failures, then each further attempt only once the wait after the one before has
    passed: 2 s, 4 s, 8 s … (``ACCOUNT_POLICY``), counted from the fifth failure's charge.
    """
    evaluated, waited = ACCOUNT_POLICY.free_failures, 0.0
    while True:
        wait = ACCOUNT_POLICY.delay_after(evaluated).total_seconds()
        if waited + wait > seconds:
            return evaluated
        evaluated, waited = evaluated + 1, waited + wait


def test_au3_the_rule_allows_five_within_two_seconds_and_one_more_per_doubling_wait() -> None:
    assert [most_evaluated(s) for s in (0, 1.99, 2, 5.99, 6, 13.99, 14)] == [5, 5, 6, 6, 7, 7, 8]


def _race(urls: tuple[str, str]) -> tuple[list[httpx.Response | str], float, float]:
    """40 sign-ins at once across both servers; the last, with the right password, a moment late.

    Also returns how long the race took (from the start until the last answer) and how long
    after the start the right password's answer came, in seconds.
    """
    barrier = threading.Barrier(CALLERS)
    answers: list[httpx.Response | str] = ["not sent"] * CALLERS
    started = [0.0]
    right_answered = [0.0]

    def attempt(n: int) -> None:
        right = n == CALLERS - 1
        body = {"email": "race@http.test", "password": PASSWORD if right else f"wrong guess {n}"}
        with httpx.Client(base_url=urls[n % 2], timeout=60) as client:
            if barrier.wait() == 0:
                started[0] = time.monotonic()
            if right:
                time.sleep(RIGHT_ONE_LATE_SECONDS)
            try:
                answers[n] = client.post(
                    f"{API}/auth/login", json=body, headers={"X-Request-ID": f"race-{n}"}
                )
            except httpx.HTTPError as error:  # counted, never hidden: the test then fails
                answers[n] = repr(error)
            if right:
                right_answered[0] = time.monotonic()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = time.monotonic()
    return answers, finished - started[0], right_answered[0] - started[0]


def test_forty_simultaneous_sign_ins_evaluate_five_and_then_only_after_each_wait(
    world: World,
) -> None:
    """On an idle machine the 40 reach the throttle within 2 s: exactly AU-3's figure, at most
    5 evaluated. A loaded machine may spread them over longer; the rule is then what counts:
    the 6th is evaluated no sooner than 2 s after the 5th, the 7th 4 s after the 6th …, so
    at most ``most_evaluated(how long the race took)``, never a 6th within 2 s."""
    answers, lasted_s, right_after_s = _race(world.urls)

    statuses = [a.status_code if isinstance(a, httpx.Response) else a for a in answers]
    race = audit_event.c.request_id.like("race-%")
    evaluated = _count(
        world.engine, race, audit_event.c.outcome.in_(["invalid-credentials", "success"])
    )
    throttled = _count(world.engine, race, audit_event.c.outcome == "too-many-attempts")
    signed_in = _count(world.engine, race, audit_event.c.action == "auth.login")
    right = answers[-1]
    assert isinstance(right, httpx.Response)
    right_evaluated = right.status_code != 429
    wrong_evaluated = evaluated - right_evaluated
    # A right password that got in clears the account's count: five more are then free.
    allowed = most_evaluated(lasted_s) + right_evaluated * ACCOUNT_POLICY.free_failures
    assert 1 <= evaluated <= allowed, (evaluated, lasted_s)
    assert set(map(str, statuses[:-1])) <= {"401", "429"}, statuses
    assert (statuses.count(401), statuses.count(429)) == (wrong_evaluated, CALLERS - evaluated)
    assert (evaluated + throttled, signed_in) == (CALLERS, int(right_evaluated))
    wait_seconds = 0
    if right_evaluated:
        # Only after a wait (or, on a machine slow to start the others, among the free five).
        assert right.status_code == 200, right.text
        assert wrong_evaluated < ACCOUNT_POLICY.free_failures or right_after_s >= 2, right_after_s
    else:
        assert right.json()["code"] == "too-many-attempts"
        wait_seconds = int(right.headers["retry-after"])
        longest = ACCOUNT_POLICY.delay_after(wrong_evaluated).total_seconds()
        assert 1 <= wait_seconds <= max(longest, 1), (wait_seconds, wrong_evaluated)

    time.sleep(wait_seconds)
    login = {"email": "race@http.test", "password": PASSWORD}
    after = httpx.post(f"{world.urls[1]}{API}/auth/login", json=login, timeout=60)
    for _ in range(3):  # an attempt admitted after the right one's refusal waits longer
        if after.status_code != 429:
            break
        time.sleep(int(after.headers["retry-after"]))
        after = httpx.post(f"{world.urls[1]}{API}/auth/login", json=login, timeout=60)

    assert after.status_code == 200, after.text


def _signed_in(url: str, email: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=60)
    response = client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client, str(response.json()["csrf_token"])


def _consultation_status(client: httpx.Client, consultation_id: str) -> str:
    return str(client.get(f"{API}/consultations/{consultation_id}").json()["status"])


def test_a_cross_origin_cookie_post_is_refused_and_signs_nothing(world: World) -> None:
    url = world.urls[0]
    client, csrf_token = _signed_in(url, "dr@http.test")
    sign = f"{API}/consultations/{world.ids['draft_1']}/sign"
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    with closing(client):
        forged = client.post(
            sign, content=b"x=1", headers={"Origin": "https://evil.example", **form}
        )
        after_forgery = _consultation_status(client, world.ids["draft_1"])
        with_token = client.post(sign, headers={"X-CSRF-Token": csrf_token, **form})
        same_origin = client.post(
            f"{API}/consultations/{world.ids['draft_2']}/sign", headers={"Origin": url, **form}
        )

    assert forged.status_code == 403
    assert forged.headers["content-type"] == "application/problem+json"
    assert forged.json()["code"] == "csrf-refused"
    assert after_forgery == "draft"
    assert with_token.status_code == 200, with_token.text
    assert with_token.json()["status"] == "signed"
    assert same_origin.status_code == 200, same_origin.text


def test_a_token_an_admin_issued_for_a_clinician_cannot_sign_for_them(world: World) -> None:
    admin, csrf_token = _signed_in(world.urls[0], "ada@http.test")
    with closing(admin):
        issued = admin.post(
            f"{API}/auth/tokens",
            json={"name": "as the doctor", "staff_id": world.ids["clinician_id"]},
            headers={"X-CSRF-Token": csrf_token, "X-Request-ID": "issue-as-doctor"},
        )
        admin_id = admin.get(f"{API}/auth/me").json()["id"]
    assert issued.status_code == 201, issued.text
    bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
    session = world.ids["session_id"]

    with httpx.Client(base_url=world.urls[1], headers=bearer, timeout=60) as script:
        consultation = script.post(f"{API}/consultations/{world.ids['draft_3']}/sign")
        chart = script.post(f"{API}/sessions/{session}/chart/1/sign")
        status = _consultation_status(script, world.ids["draft_3"])
        versions = script.get(f"{API}/sessions/{session}/chart").json()

    assert (consultation.status_code, chart.status_code) == (403, 403)
    assert consultation.json()["code"] == chart.json()["code"] == "permission-denied"
    assert status == "draft"
    assert [version["signed_at"] for version in versions["items"]] == [None]
    assert issued.json()["issued_by"] == admin_id
    issue = (
        audit_event.c.action == "token.issue",
        audit_event.c.resource_id == issued.json()["id"],
        audit_event.c.request_id == "issue-as-doctor",
        audit_event.c.actor_role == "admin",
    )
    assert _count(world.engine, *issue) == 1


def test_a_forged_forwarded_for_does_not_hide_the_address(world: World) -> None:
    """The server trusts no proxy here, not even the loopback it is called from (uvicorn would):
    sign-ins for ever new emails, each claiming another address, are still counted against the
    one address they come from. Last in this module: it leaves the loopback throttled."""
    statuses = []
    before = _address_failures(world.engine, "127.0.0.1")
    with httpx.Client(base_url=world.urls[0], timeout=60) as client:
        for n in range(ADDRESS_POLICY.free_failures + 5):
            body = {"email": f"nobody{n}@http.test", "password": "wrong guess"}
            forged = {"X-Forwarded-For": f"198.51.100.{n + 1}"}
            statuses.append(client.post(f"{API}/auth/login", json=body, headers=forged).status_code)

    free = ADDRESS_POLICY.free_failures
    assert statuses[:free] == [401] * free  # each a new email and a "new" address: evaluated
    assert set(statuses) <= {401, 429}, statuses
    # Every evaluated attempt was charged to the one real address, none to a claimed one; so
    # the address now waits, whatever it claims (a 429 in the run itself depends on the
    # machine: an attempt reaching the throttle after the wait has passed is evaluated).
    after = _address_failures(world.engine, "127.0.0.1")
    assert after - before == statuses.count(401) >= free, (before, after, statuses)
    assert ADDRESS_POLICY.delay_after(after).total_seconds() >= 1
    forged_keys = [ThrottleKeys.of("x", f"198.51.100.{n + 1}").address for n in range(25)]
    with world.engine.connect() as connection:
        found = select(login_throttle.c.key_hash).where(login_throttle.c.key_hash.in_(forged_keys))
        assert connection.execute(found).all() == []


def _address_failures(engine: Engine, ip: str) -> int:
    key = ThrottleKeys.of("x", ip).address
    with engine.connect() as connection:
        query = select(login_throttle.c.failures).where(login_throttle.c.key_hash == key)
        return int(connection.execute(query).scalar_one_or_none() or 0)
