"""Clinical photo test helpers: a patient to photograph, uploads through the API, raw storage.

Photos go in through ``POST /api/v1/patients/{id}/photos`` (the image as the body, what it is
in the query), as a script or the clinic's tablet would send them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from api_support import PATIENT, TestClient
from needlepoint.adapters.db import tables as t
from needlepoint.bootstrap import Services

API = "/api/v1"


def new_patient(api: TestClient, family: str = "Okafor", email: str | None = None) -> str:
    """A registered patient's id."""
    body: dict[str, Any] = {**PATIENT, "family_name": family}
    if email is not None:
        body["email"] = email
    answer = api.post(f"{API}/patients", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def upload(
    api: TestClient,
    patient_id: str,
    data: bytes,
    *,
    taken_on: str = "2026-11-20",
    content_type: str = "image/jpeg",
    **query: str,
) -> Any:
    """Upload a photo through the API; the answer as it came."""
    params = {"view": "front", "taken_on": taken_on, **query}
    return api.post(
        f"{API}/patients/{patient_id}/photos",
        params=params,
        content=data,
        headers={"Content-Type": content_type},
    )


def uploaded(api: TestClient, patient_id: str, data: bytes, **query: str) -> dict[str, Any]:
    """Upload a photo that must be accepted; its description."""
    answer = upload(api, patient_id, data, **query)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def landmarks_body(eyes: list[tuple[float, float]]) -> dict[str, Any]:
    """The landmarks request for two eye centres."""
    (ax, ay), (bx, by) = eyes
    return {"first": {"x_px": ax, "y_px": ay}, "second": {"x_px": bx, "y_px": by}}


def flip_a_byte(services: Services, photo_id: str, at: int = 1000) -> None:
    """Damage a stored photo as a disk or a hand in the database might: one byte changed."""
    with services.database._opened().begin() as connection:
        table = t.clinical_photo
        data = connection.execute(
            select(table.c.data).where(table.c.id == UUID(photo_id))
        ).scalar_one()
        damaged = bytearray(data)
        damaged[at] ^= 0xFF
        connection.execute(
            update(table).where(table.c.id == UUID(photo_id)).values(data=bytes(damaged))
        )


def flip_a_kept_copy(services: Services, photo_id: str, at: int = 500) -> None:
    """Damage every copy kept of a photo (one byte each)."""
    with services.database._opened().begin() as connection:
        table = t.photo_derivative
        rows = connection.execute(
            select(table.c.key, table.c.data).where(table.c.photo_id == UUID(photo_id))
        ).all()
        assert rows, "no copy is kept of this photo"
        for key, data in rows:
            damaged = bytearray(data)
            damaged[at] ^= 0xFF
            connection.execute(update(table).where(table.c.key == key).values(data=bytes(damaged)))


def audit_rows(services: Services, resource_id: str) -> list[tuple[str, str, str]]:
    """(action, actor role, outcome) of each audit event about one record, in order."""
    with services.database._opened().connect() as connection:
        table = t.audit_event
        rows = connection.execute(
            select(table.c.action, table.c.actor_role, table.c.outcome)
            .where(table.c.resource_id == resource_id)
            .order_by(table.c.seq)
        )
        return [(str(a), str(r), str(o)) for a, r, o in rows]
