"""The lot recall over the demo clinic (its cartridge lot DEMO-LOT-2611 charted Okafor's and
Marsh's first sessions): the page, its CSV file and the API give the same sessions."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from api_support import MovingClock, TestClient
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.cli import demo
from web_support import sign_in, web_client, web_services

LOT = "DEMO-LOT-2611"
LOGIN = {login.role: login for login in demo.LOGINS}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = web_services(tmp_path_factory.mktemp("recall"), MovingClock())
    demo.seed(services)
    yield services
    services.database.close()


def browser_as(services: Services, role: Role) -> TestClient:
    client = web_client(services)
    login = LOGIN[role]
    assert sign_in(client, login.email, login.password).status_code == 303
    return client


@pytest.fixture(scope="module")
def clinician(seeded: Services) -> TestClient:
    return browser_as(seeded, Role.CLINICIAN)


def test_the_page_lists_each_session_with_its_day_zones_and_clinician(
    clinician: TestClient,
) -> None:
    html = clinician.get("/recalls", params={"lot": LOT}).text

    found = html.split('id="found-title"', 1)[1]
    assert "2 patients, 2 sessions" in found
    assert "Marsh, Helen" in found and "Okafor, Amira" in found
    assert "Dr Rowan Hale" in found
    assert 'href="/recalls.csv?lot=DEMO-LOT-2611"' in found


def test_the_csv_file_has_the_same_sessions_as_the_api(clinician: TestClient) -> None:
    exported = clinician.get("/recalls.csv", params={"lot": LOT})
    api = clinician.get(f"/api/v1/recalls/{LOT}").json()

    assert exported.status_code == 200
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        exported.headers["content-disposition"] == 'attachment; filename="recall-DEMO-LOT-2611.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["family_name"], r["treated_on"], r["zones"], r["clinician"]) for r in rows] == [
        (t["patient"]["family_name"], t["treated_on"], ";".join(t["zones"]), t["clinician"])
        for t in api["treatments"]
    ]
    assert [p["family_name"] for p in api["items"]] == ["Marsh", "Okafor"]


def test_an_unknown_lot_says_so_and_a_blank_one_shows_the_form(clinician: TestClient) -> None:
    unknown = clinician.get("/recalls", params={"lot": "NO-SUCH-LOT"}).text
    blank = clinician.get("/recalls").text

    assert "No session of this clinic was charted with lot NO-SUCH-LOT." in unknown
    assert 'id="found-title"' not in blank


def test_a_lot_with_control_characters_is_named_beside_the_field(clinician: TestClient) -> None:
    refused = clinician.get("/recalls", params={"lot": "LOT\x07"})

    assert refused.status_code == 422
    assert 'data-field="lot"' in refused.text


def test_front_desk_may_not_recall_a_lot(seeded: Services) -> None:
    desk = browser_as(seeded, Role.FRONT_DESK)

    assert desk.get("/recalls", params={"lot": LOT}).status_code == 403
    assert desk.get("/recalls.csv", params={"lot": LOT}).status_code == 403
    assert 'href="/recalls"' not in desk.get("/").text
