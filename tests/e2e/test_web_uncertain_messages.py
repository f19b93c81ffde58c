"""The admin's list of messages a stopped worker left uncertain, and what they found (ADR 0016)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update

from api_support import TestClient
from needlepoint.adapters.db import tables as t
from needlepoint.domain.messages import MessageStatus
from outbox_support import make_message
from web_support import ADMIN, Clinic, csrf_token, signed_in_browser

pytest_plugins = ["web_fixtures"]


def _uncertain(clinic: Clinic, number: int) -> UUID:
    now = clinic.services.clock.now()
    message = make_message(clinic.clinic_id, number, due_at=now - timedelta(hours=1))
    with clinic.services.database.unit_of_work() as uow:
        assert uow.outbox.add(message)
        uow.commit()
    engine = clinic.services.database._opened()
    with engine.begin() as connection:
        connection.execute(
            update(t.outbox_message)
            .where(t.outbox_message.c.id == message.id)
            .values(status=MessageStatus.UNCERTAIN.value)
        )
    return message.id


def _status(clinic: Clinic, message_id: UUID) -> str:
    engine = clinic.services.database._opened()
    with engine.connect() as connection:
        query = select(t.outbox_message.c.status).where(t.outbox_message.c.id == message_id)
        return str(connection.execute(query).scalar_one())


def test_an_admin_records_what_they_found_and_each_answer_is_audited(clinic: Clinic) -> None:
    arrived, lost = _uncertain(clinic, 1), _uncertain(clinic, 2)
    with signed_in_browser(clinic.services, ADMIN) as admin:
        page = admin.get("/settings/messages")
        token = csrf_token(page.text)
        yes = admin.post(
            f"/settings/messages/{arrived}", data={"csrf_token": token, "arrived": "yes"}
        )
        no = admin.post(f"/settings/messages/{lost}", data={"csrf_token": token, "arrived": "no"})
        again = admin.post(
            f"/settings/messages/{lost}", data={"csrf_token": token, "arrived": "no"}
        )
        after = admin.get("/settings/messages").text

    assert page.status_code == 200
    assert f"&lt;{arrived}@" in page.text and f"&lt;{lost}@" in page.text
    assert (yes.status_code, no.status_code, again.status_code) == (303, 303, 404)
    assert (_status(clinic, arrived), _status(clinic, lost)) == ("sent", "pending")
    assert "No message is waiting to be checked." in after
    engine = clinic.services.database._opened()
    with engine.connect() as connection:
        actions = connection.execute(
            select(t.audit_event.c.action, t.audit_event.c.resource_id).where(
                t.audit_event.c.resource_type == "outbox_message"
            )
        ).all()
    assert ("message.confirm_sent", str(arrived)) in actions
    assert ("message.send_again", str(lost)) in actions


def test_only_an_admin_sees_the_messages(clinician: TestClient, front_desk: TestClient) -> None:
    assert clinician.get("/settings/messages").status_code == 403
    assert front_desk.get("/settings/messages").status_code == 403
