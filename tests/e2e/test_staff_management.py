"""An admin manages the clinic's staff on the staff page and through the API: one service.

Every change is audited; a deactivated member or one whose password was reset is signed out at
once; the clinic's last active admin is never deactivated.
"""

from __future__ import annotations

import sqlite3

import httpx

from api_support import PASSWORD, TestClient, log_in, signed_in
from web_support import ADMIN, CLINICIAN, FRONT_DESK, Clinic, csrf_token, signed_in_browser

pytest_plugins = ["web_fixtures"]


def admin_page(clinic: Clinic) -> TestClient:
    return signed_in_browser(clinic.services, ADMIN)


def staff_ids(clinic: Clinic) -> dict[str, str]:
    api = signed_in(clinic.services, ADMIN)
    return {m["email"]: m["id"] for m in api.get("/api/v1/staff").json()["items"]}


def post(client: TestClient, path: str, **form: str) -> httpx.Response:
    token = csrf_token(client.get("/settings/staff").text)
    answer: httpx.Response = client.post(path, data={**form, "csrf_token": token})
    return answer


def audit_actions(clinic: Clinic) -> list[str]:
    """The actions of the clinic's audit trail, oldest first, read as a reviewer would."""
    path = clinic.services.settings.effective_database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        return [row[0] for row in raw.execute("SELECT action FROM audit_event ORDER BY seq")]


def test_the_staff_page_lists_everyone_and_is_for_admins_only(clinic: Clinic) -> None:
    admin = admin_page(clinic)
    desk = signed_in_browser(clinic.services, FRONT_DESK)

    page = admin.get("/settings/staff")

    assert page.status_code == 200
    for email in (ADMIN, CLINICIAN, FRONT_DESK):
        assert email in page.text
    assert 'href="/settings/staff"' in page.text
    assert desk.get("/settings/staff").status_code == 403
    assert 'href="/settings/staff"' not in desk.get("/").text


def test_an_admin_adds_a_member_who_can_then_sign_in(clinic: Clinic) -> None:
    admin = admin_page(clinic)

    added = post(
        admin,
        "/settings/staff",
        display_name="Dr Noor Haddad",
        email="noor@clinic.test",
        role="clinician",
        licence_max_depth_mm="1.0",
        password=PASSWORD,
    )

    assert added.status_code == 303
    assert "Dr Noor Haddad" in admin.get("/settings/staff").text
    assert signed_in_browser(clinic.services, "noor@clinic.test")


def test_a_new_clinician_without_a_licence_depth_is_named_beside_the_field(clinic: Clinic) -> None:
    admin = admin_page(clinic)

    refused = post(
        admin,
        "/settings/staff",
        display_name="Dr Noor Haddad",
        email="noor@clinic.test",
        role="clinician",
        password=PASSWORD,
    )

    assert refused.status_code == 422
    assert 'data-field="licence_max_depth_mm"' in refused.text


def test_deactivating_signs_the_member_out_and_reactivating_lets_them_back(
    clinic: Clinic,
) -> None:
    admin = admin_page(clinic)
    desk = signed_in_browser(clinic.services, FRONT_DESK)
    desk_id = staff_ids(clinic)[FRONT_DESK]

    post(admin, f"/settings/staff/{desk_id}/deactivate")
    signed_out = desk.get("/patients")
    refused_login = log_in(TestClient(desk.app, base_url="https://testserver"), FRONT_DESK)
    post(admin, f"/settings/staff/{desk_id}/reactivate")

    assert signed_out.status_code == 303
    assert refused_login.status_code == 401
    assert signed_in_browser(clinic.services, FRONT_DESK)
    changes = [a for a in audit_actions(clinic) if a.startswith("staff.")]
    assert changes[-2:] == ["staff.deactivate", "staff.reactivate"]


def test_the_last_admin_cannot_deactivate_themselves(clinic: Clinic) -> None:
    admin = admin_page(clinic)
    admin_id = staff_ids(clinic)[ADMIN]

    refused = post(admin, f"/settings/staff/{admin_id}/deactivate")

    assert refused.status_code == 409
    assert 'id="staff-refusal"' in refused.text
    assert admin.get("/settings/staff").status_code == 200


def test_a_password_reset_ends_the_members_sessions_and_the_new_password_works(
    clinic: Clinic,
) -> None:
    admin = admin_page(clinic)
    clinician = signed_in_browser(clinic.services, CLINICIAN)
    clinician_id = staff_ids(clinic)[CLINICIAN]

    short = post(admin, f"/settings/staff/{clinician_id}/password", password="short")
    reset = post(
        admin, f"/settings/staff/{clinician_id}/password", password="a temporary passphrase"
    )

    assert short.status_code == 422
    assert 'data-field="password"' in short.text
    assert reset.status_code == 303
    assert clinician.get("/patients").status_code == 303
    fresh = TestClient(clinician.app, base_url="https://testserver")
    assert log_in(fresh, CLINICIAN).status_code == 401
    assert log_in(fresh, CLINICIAN, "a temporary passphrase").status_code == 200


def test_the_api_sets_a_licence_and_refuses_one_for_front_desk(clinic: Clinic) -> None:
    api = signed_in(clinic.services, ADMIN)
    ids = staff_ids(clinic)

    deeper = api.put(f"/api/v1/staff/{ids[CLINICIAN]}/licence", json={"licence_max_depth_mm": "2"})
    desk = api.put(f"/api/v1/staff/{ids[FRONT_DESK]}/licence", json={"licence_max_depth_mm": "1"})
    last = api.post(f"/api/v1/staff/{ids[ADMIN]}/deactivate")

    assert (deeper.status_code, deeper.json()["licence_max_depth_mm"]) == (200, "2")
    assert (desk.status_code, desk.json()["errors"][0]["field"]) == (422, "licence_max_depth_mm")
    assert (last.status_code, last.json()["code"]) == (409, "last-admin")
    assert "staff.set_licence" in audit_actions(clinic)


def test_a_clinician_may_not_manage_staff_through_the_api(clinic: Clinic) -> None:
    api = signed_in(clinic.services, CLINICIAN)
    ids = staff_ids(clinic)

    for answer in (
        api.get("/api/v1/staff"),
        api.post(f"/api/v1/staff/{ids[FRONT_DESK]}/password", json={"password": PASSWORD}),
    ):
        assert (answer.status_code, answer.json()["code"]) == (403, "permission-denied")
