"""The API tokens page: everyone lists and revokes the tokens acting as them, an admin issues
one (named, for a chosen number of days) and sees its secret once (issue 14, ADR 0037)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from api_support import BASE_URL, TestClient
from needlepoint.entrypoints.api.app import create_app
from web_support import ADMIN, Clinic, page_token, signed_in_browser

pytest_plugins = ["web_fixtures"]


@pytest.fixture
def admin(clinic: Clinic) -> Iterator[TestClient]:
    with signed_in_browser(clinic.services, ADMIN) as client:
        yield client


_SECRET = re.compile(r"<code>(npt_[A-Za-z0-9_-]{43})</code>")


def test_an_admin_issues_a_token_sees_it_once_and_revokes_it(
    clinic: Clinic, admin: TestClient
) -> None:
    form = {"name": "diary sync", "expires_in_days": "30", "csrf_token": page_token(admin)}

    issued = admin.post("/settings/tokens", data=form)
    found = _SECRET.search(issued.text)
    assert issued.status_code == 201 and found is not None
    secret = found.group(1)
    script = TestClient(create_app(clinic.services), base_url=BASE_URL)
    assert (
        script.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )

    listed = admin.get("/settings/tokens").text
    assert "diary sync" in listed and secret not in listed and f"{secret[:8]}…" in listed
    token_id = re.search(r'action="/settings/tokens/([0-9a-f-]{36})/revoke"', listed)
    assert token_id is not None
    revoked = admin.post(
        f"/settings/tokens/{token_id.group(1)}/revoke", data={"csrf_token": page_token(admin)}
    )
    assert revoked.status_code == 303
    assert "Revoked" in admin.get(revoked.headers["location"]).text
    assert (
        script.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}).json()["code"]
        == "api-token-revoked"
    )


def test_a_lifetime_over_a_year_is_refused_with_the_fix(admin: TestClient) -> None:
    form = {"name": "too long", "expires_in_days": "400", "csrf_token": page_token(admin)}

    refused = admin.post("/settings/tokens", data=form)

    assert refused.status_code == 422
    assert "choose 1 to 365 days" in refused.text


def test_front_desk_sees_only_their_tokens_and_no_issue_form(
    admin: TestClient, front_desk: TestClient
) -> None:
    form = {"name": "admin script", "expires_in_days": "7", "csrf_token": page_token(admin)}
    assert admin.post("/settings/tokens", data=form).status_code == 201

    page = front_desk.get("/settings/tokens")

    assert page.status_code == 200
    assert "admin script" not in page.text
    assert "Issue the token" not in page.text
    assert "There is no API token yet." in page.text
