"""Finding the demo patient Amira Okafor (entrypoints/cli/demo.py) by full name in either
order, by email and by date of birth, through the API and the web page alike (issue 12).

Before issue 12 each word was matched against the given and the family name separately as one
string, so a full name ("Amira Okafor") found nobody.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from api_support import MovingClock, TestClient
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.cli import demo
from web_support import sign_in, web_client, web_services

LOGIN = {login.role: login for login in demo.LOGINS}
EXAMPLE = next((Path(demo.EXAMPLES)).glob("01-*.yaml"))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = web_services(tmp_path_factory.mktemp("search"), MovingClock())
    demo.seed(services)
    yield services
    services.database.close()


@pytest.fixture(scope="module")
def api(seeded: Services) -> TestClient:
    return signed_in_with(seeded)


def signed_in_with(services: Services) -> TestClient:
    client = web_client(services)
    login = LOGIN[Role.FRONT_DESK]
    assert sign_in(client, login.email, login.password).status_code == 303
    return client


def amira_born_on() -> str:
    document: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    shifted = demo._shifted(document, MovingClock().now().date() - demo.EXAMPLES_WRITTEN_ON)
    return str(shifted["patient"]["born_on"])


def names_found(client: TestClient, search: str) -> list[tuple[str, str]]:
    answer = client.get("/api/v1/patients", params={"search": search})
    assert answer.status_code == 200, answer.text
    return [(p["given_name"], p["family_name"]) for p in answer.json()["items"]]


@pytest.mark.parametrize(
    "search",
    [
        "Okafor Amira",
        "amira okafor",
        "  AMIRA   Okafor ",
        "amira.okafor@patients.demo.needlepoint.test",
    ],
)
def test_the_api_finds_amira_okafor_by_full_name_or_email(api: TestClient, search: str) -> None:
    assert names_found(api, search) == [("Amira", "Okafor")]


def test_the_api_finds_amira_okafor_by_date_of_birth_as_written_or_as_shown(
    api: TestClient,
) -> None:
    born_on = date.fromisoformat(amira_born_on())

    for search in (born_on.isoformat(), f"{born_on.day} {born_on:%b %Y}"):
        assert ("Amira", "Okafor") in names_found(api, search), search


def test_a_date_of_birth_that_does_not_exist_is_a_clear_problem(api: TestClient) -> None:
    answer = api.get("/api/v1/patients", params={"search": "1997-02-30"})

    assert answer.status_code == 422
    (problem,) = answer.json()["errors"]
    assert (problem["field"], problem["code"]) == ("search", "not-a-date")


def test_the_api_pages_by_keyset(api: TestClient) -> None:
    first = api.get("/api/v1/patients", params={"limit": 4}).json()
    second = api.get("/api/v1/patients", params={"limit": 4, "after": first["next_after"]}).json()
    everyone = api.get("/api/v1/patients", params={"limit": 8}).json()

    assert first["next_after"] == first["items"][-1]["id"]
    assert [p["id"] for p in first["items"] + second["items"]] == [
        p["id"] for p in everyone["items"]
    ]


def test_the_api_pages_by_cursor_and_the_last_page_has_none(api: TestClient) -> None:
    everyone = api.get("/api/v1/patients", params={"limit": 100}).json()["items"]
    listed: list[str] = []
    params: dict[str, str | int] = {"limit": 3}
    while True:
        page = api.get("/api/v1/patients", params=params).json()
        listed += [p["id"] for p in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 3, "cursor": page["next_cursor"]}

    assert listed == [p["id"] for p in everyone]
    assert len(everyone) > 3


@pytest.mark.parametrize(
    "cursor",
    ["not a cursor", "WzEsMiwzXQ", "W10", "eyJhIjoxfQ", "x" * 4096, "WyJhIiwiYiIsImMiXQ"],
)
def test_a_bad_cursor_is_a_clear_problem(api: TestClient, cursor: str) -> None:
    answer = api.get("/api/v1/patients", params={"cursor": cursor})

    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["errors"]
    assert problem["field"] == "cursor"
    assert "next_cursor" in problem["fix"]
    assert problem["code"] == "invalid"


def test_a_cursor_too_long_to_be_one_is_refused_by_its_length(api: TestClient) -> None:
    answer = api.get("/api/v1/patients", params={"cursor": "x" * 4097})

    assert answer.status_code == 422
    (problem,) = answer.json()["errors"]
    assert problem["field"] == "cursor"


@pytest.mark.parametrize(
    "search", ["Okafor Amira", "amira okafor", "amira.okafor@patients.demo.needlepoint.test"]
)
def test_the_web_search_finds_amira_okafor(api: TestClient, search: str) -> None:
    html = api.get("/patients", params={"q": search}).text

    assert "Okafor, Amira" in html
    assert "Osei" not in html


def test_the_web_search_finds_amira_okafor_by_date_of_birth(api: TestClient) -> None:
    html = api.get("/patients", params={"q": amira_born_on()}).text

    assert "Okafor, Amira" in html


def test_the_web_search_names_a_date_that_does_not_exist(api: TestClient) -> None:
    response = api.get("/patients", params={"q": "30 Feb 1997"})

    assert response.status_code == 200
    assert 'data-field="q" data-code="not-a-date"' in response.text
    assert "YYYY-MM-DD" in response.text
