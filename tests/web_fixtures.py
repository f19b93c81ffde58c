"""Web test fixtures, loaded with ``pytest_plugins = ["web_fixtures"]``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api_support import MovingClock, TestClient, add_clinic, add_member
from needlepoint.domain.records import Role
from web_support import (
    ADMIN,
    CLINICIAN,
    FRONT_DESK,
    Clinic,
    signed_in_browser,
    web_client,
    web_services,
)


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    services = web_services(tmp_path, MovingClock())
    clinic_id = add_clinic(services)
    for role, email in ((Role.CLINICIAN, CLINICIAN), (Role.FRONT_DESK, FRONT_DESK)):
        add_member(services, clinic_id, role, email)
    add_member(services, clinic_id, Role.ADMIN, ADMIN)
    yield Clinic(services, clinic_id)
    services.database.close()


@pytest.fixture
def browser(clinic: Clinic) -> Iterator[TestClient]:
    """A signed-out client."""
    with web_client(clinic.services) as client:
        yield client


@pytest.fixture
def clinician(clinic: Clinic) -> Iterator[TestClient]:
    with signed_in_browser(clinic.services, CLINICIAN) as client:
        yield client


@pytest.fixture
def front_desk(clinic: Clinic) -> Iterator[TestClient]:
    with signed_in_browser(clinic.services, FRONT_DESK) as client:
        yield client
