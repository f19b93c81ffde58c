"""`needlepoint serve`: migrates, checks durability, and serves the web app and the API."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer {url} within {STARTUP_SECONDS} s")


@pytest.mark.slow
def test_serve_applies_migrations_and_serves_the_api_and_the_web_app(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "NEEDLEPOINT_DATABASE_URL"}
    env["NEEDLEPOINT_DATA_DIR"] = str(tmp_path)
    command = [str(Path(sys.executable).with_name("needlepoint")), "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/api/v1/openapi.json", process)
        anonymous = httpx.get(f"http://127.0.0.1:{port}/api/v1/patients", timeout=5)
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        stray = httpx.get(f"http://127.0.0.1:{port}/nowhere", timeout=5)
    finally:
        process.terminate()
        output = process.communicate(timeout=STARTUP_SECONDS)[0].decode()

    assert response.status_code == 200
    assert "/api/v1/patients" in response.json()["paths"]
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    with sqlite3.connect(tmp_path / "needlepoint.sqlite3") as raw:
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    assert {"login_session", "api_token", "login_throttle", "audit_event"} <= tables
    assert "GET /api/v1/patients 401" in output  # our access line: route, status, no query
    origin = f"http://127.0.0.1:{port}"
    assert f"needlepoint web app on {origin}/ (sign in at {origin}/login)" in output
    assert f"needlepoint API on {origin}/api/v1 (docs at {origin}/api/v1/docs)" in output
    assert home.status_code == 303
    assert home.headers["location"] == "/login?next=%2F"
    assert stray.status_code == 404
    assert stray.headers["content-type"].startswith("text/html")
