"""API test fixtures, loaded by test modules with ``pytest_plugins = ["api_fixtures"]``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api_support import BASE_URL, MovingClock, TestClient, make_services
from needlepoint.bootstrap import Services
from needlepoint.entrypoints.api.app import create_app


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'needlepoint.sqlite3'}"


@pytest.fixture
def api(sqlite_url: str, clock: MovingClock) -> Iterator[Services]:
    """Services over a freshly migrated SQLite file."""
    services = make_services(sqlite_url, clock)
    yield services
    services.database.close()


@pytest.fixture
def client(api: Services) -> Iterator[TestClient]:
    with TestClient(create_app(api), base_url=BASE_URL) as test_client:
        yield test_client
