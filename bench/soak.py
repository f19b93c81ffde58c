"""Soak test: a mixed load for minutes while the server and the worker are killed (issue 14).

Not run by ``make test``: ``make soak`` runs it for 10 minutes on each database, and the deep
tests (``tests/soak/test_soak.py``, ``make test-deep``, so CI) run it for 30 seconds on each.

One run, on one database (a fresh data directory; on PostgreSQL a scratch database with a
unique name, dropped afterwards):

* ``needlepoint demo`` seeds the clinic and its staff; then, through the real API, the admin
  opens the clinic around the clock, adds rooms and clinicians, and the front desk and the
  clinician register patients, sign their consultations, agree their series and (for the ones
  treated during the run) take their witnessed consent.
* ``needlepoint serve`` (``--workers 2``) and ``needlepoint worker`` run as real processes;
  the worker sends through an SMTP server (aiosmtpd) run in this process, which records every
  message it accepts.
* A load generator (asyncio + httpx, a few clients, staff signed in through the API) runs a
  weighted mix: patient reads, list pages followed by cursor, searches, web pages, chart reads;
  bookings that contend for the same few slots (201 or 409), reschedules, cancellations;
  patient edits; chart writes (session start, chart save, sign); portal sign-ins (the link is
  read from the recorded email) and check-ins. Every acknowledged (2xx) write goes in a ledger
  with what it wrote. Bookings start 24 h and a few seconds to minutes after the run begins, so
  their T−24 h reminders fall due while the run goes on.
* A chaos loop (seeded) SIGKILLs, every few seconds to tens of seconds, one server process, the
  whole server, or the worker, and starts it again. A write that fails without an answer is
  unacknowledged: it is never counted as lost; the client reads the record back before it
  writes to it again.
* A sampler reads the resident memory (RSS, /proc) of the server's processes every second.

Then the load stops, the worker is left to drain, and the checks run:

* lost 0: every acknowledged write is there and equal (appointments, charts and their
  signatures, patient edits, check-ins), read back from the database or the API;
* doubled 0: no two active appointments of one practitioner or one room overlap (SQL);
* every message that fell due was delivered exactly once: duplicates 0 (a Message-ID recorded
  twice), missing 0 (due, not cancelled, not delivered); ``uncertain`` messages (ADR 0016:
  a worker killed mid-handover) are reported, never resent;
* ``needlepoint audit verify`` passes;
* no 5xx answer;
* memory does not grow without bound: see ``memory_verdict``.

Output: JSON (``--json FILE``, else bench/results/soak-<db>.json) and a Markdown summary on
stdout; the exit status is 1 when any check fails.

Usage: python bench/soak.py [--db sqlite|postgresql|both] [--seconds 600] [--seed N]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import email
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import yaml
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, and_, create_engine, or_, select, text
from sqlalchemy.engine import make_url

from needlepoint.adapters.db import tables as t

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
NEEDLEPOINT = BIN / "needlepoint" if (BIN / "needlepoint").exists() else Path("needlepoint")
RESULTS = ROOT / "bench" / "results"
EXAMPLE = ROOT / "examples" / "01-proceed-rolling-boxcar-cheeks.yaml"
API = "/api/v1"
POSTGRES = os.environ.get(
    "NEEDLEPOINT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ADMIN = ("admin@demo.needlepoint.test", "demo admin passphrase")
CLINICIAN = ("clinician@demo.needlepoint.test", "demo clinician passphrase")
DESK = ("desk@demo.needlepoint.test", "demo front desk passphrase")
SENDER = "reminders@soak.needlepoint.test"
STAFF_PASSWORD = "soak clinician passphrase 7f3a"

BOOKING_PATIENTS = 16
TREATED_PATIENTS = 4
EXTRA_CLINICIANS = 5
EXTRA_ROOMS = 4
CLIENTS = 6
LEASE_SECONDS = 2
WARMUP_SECONDS = 15.0
RSS_GROWTH_LIMIT = 1.2
DRAIN_SECONDS = 90.0
OUTAGE_SECONDS = 120.0
MIN_RSS_SAMPLES = 60
_MESSAGE_ID = re.compile(r"<([0-9a-f-]{36})@")
_LINK = re.compile(r"/portal/sign-in/([A-Za-z0-9_-]{43})\b")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_CHECK_IN = re.compile(r"/portal/check-ins/([0-9a-f-]{36})")


# --------------------------------------------------------------------------- SMTP recorder


@dataclass
class Recorder:
    """aiosmtpd handler: every accepted message's outbox id (from its Message-ID) and body."""

    ids: Counter[str] = field(default_factory=Counter)
    bodies: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: ARG002
        parsed = email.message_from_bytes(envelope.content)
        found = _MESSAGE_ID.search(str(parsed["Message-ID"]))
        with self.lock:
            self.ids[found.group(1) if found else str(parsed["Message-ID"])] += 1
            for rcpt in envelope.rcpt_tos:
                self.bodies[rcpt.lower()].append(_text_of(parsed))
        return "250 Message accepted"

    def link_for(self, address: str, seen: int) -> str | None:
        """The newest sign-in link token sent to ``address`` after its first ``seen`` messages."""
        with self.lock:
            for body in reversed(self.bodies.get(address.lower(), [])[seen:]):
                found = _LINK.search(body)
                if found:
                    return found.group(1)
        return None

    def count_for(self, address: str) -> int:
        with self.lock:
            return len(self.bodies.get(address.lower(), []))


def _text_of(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    out = []
    for part in parts:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            out.append(payload.decode("utf-8", "replace"))
    return "\n".join(out)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------------- processes


@dataclass
class Child:
    """A ``needlepoint`` process in its own process group, started again after each kill."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def kill_group(self) -> None:
        """SIGKILL the process and every process of its group (uvicorn's children too)."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 15 s; the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill_group()
            return None

    def group_pids(self) -> list[int]:
        """Every live process in this child's process group."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    if int(fields[2]) == self.proc.pid and fields[0] != "Z":
                        pids.append(int(entry.name))
        return pids


def rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_until_up(base: str, child: Child, timeout: float = OUTAGE_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.proc is not None and child.proc.poll() is not None:
            raise RuntimeError(f"{child.name} exited with {child.proc.returncode}; see {child.log}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{base}/login", timeout=2.0)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{child.name} did not answer within {timeout:.0f} s; see {child.log}")


@contextlib.contextmanager
def scratch_postgres() -> Iterator[str]:
    """A new PostgreSQL database with a unique name, dropped afterwards (even on error)."""
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"needlepoint_soak_{uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --------------------------------------------------------------------------- the world


@dataclass
class Booked:
    """A booking patient's series and its one active appointment, as last acknowledged."""

    patient_id: str
    series_id: str
    appointment: dict[str, Any] | None = None
    unsure: bool = False


@dataclass
class Treated:
    """A treated patient: series, session, the chart's last acknowledged version, portal."""

    patient_id: str
    email: str
    series_id: str
    plan: dict[str, Any]
    session_id: str | None = None
    version: int = 0
    unsure: bool = False
    portal: httpx.AsyncClient | None = None
    portal_csrf: str = ""


@dataclass
class Ledger:
    """Every acknowledged write and what it wrote; the last acknowledged state of each record."""

    appointments: dict[str, dict[str, Any]] = field(default_factory=dict)
    appointments_touched_after: set[str] = field(default_factory=set)
    charts: dict[tuple[str, int], str] = field(default_factory=dict)
    signed: set[tuple[str, int]] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)
    patients: dict[str, dict[str, Any]] = field(default_factory=dict)
    patients_touched_after: set[str] = field(default_factory=set)
    check_ins: dict[str, dict[str, Any]] = field(default_factory=dict)
    writes: Counter[str] = field(default_factory=Counter)
    unacknowledged: Counter[str] = field(default_factory=Counter)
    surprises: list[str] = field(default_factory=list)


@dataclass
class World:
    """What the load works on and what it has seen."""

    rng: random.Random
    base: str
    started_at: datetime
    seconds: float
    practitioners: list[str]
    rooms: list[str]
    booked: list[Booked]
    treated: list[Treated]
    patients: list[dict[str, Any]]
    chart_template: dict[str, Any]
    recorder: Recorder
    busy: set[int] = field(default_factory=set)
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    ledger: Ledger = field(default_factory=Ledger)
    server_up: asyncio.Event = field(default_factory=asyncio.Event)

    def count(self, kind: str, status: int | str) -> None:
        self.statuses[kind][str(status)] += 1

    def near_start(self) -> str:
        """A start 24 h and 5 to 25 s from now: its T−24 h reminder falls due seconds later,
        while the run goes on. Starts fall on a 5-second grid; they overlap one another (an
        appointment lasts 90 minutes), so bookings contend for the practitioners and rooms."""
        offset = 5 * round(self.rng.uniform(5.0, 25.0) / 5)
        start = datetime.now(UTC) + timedelta(days=1, seconds=offset)
        return start.replace(microsecond=0).isoformat()

    def later_start(self) -> str:
        """A start 2 to 4 days on, on a 30-minute grid: more bookings, more contention."""
        day = self.started_at.replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        return (day + timedelta(minutes=30 * self.rng.randrange(96))).isoformat()


# --------------------------------------------------------------------------- setup


@contextlib.contextmanager
def sign_in(base: str, login: tuple[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as client:
        answer = client.post(f"{API}/auth/login", json={"email": login[0], "password": login[1]})
        answer.raise_for_status()
        client.headers["X-CSRF-Token"] = str(answer.json()["csrf_token"])
        yield client


def ok(answer: httpx.Response) -> Any:
    if answer.status_code >= 300:
        raise RuntimeError(f"{answer.request.method} {answer.request.url}: {answer.text[:400]}")
    return answer.json() if answer.content else None


def set_up_clinic(base: str) -> tuple[list[str], list[str]]:
    """Open around the clock; more rooms and clinicians so more bookings fit in the run."""
    with sign_in(base, ADMIN) as admin:
        week = [{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)]
        ok(admin.put(f"{API}/schedule/opening-hours", json={"periods": week}))
        for n in range(EXTRA_ROOMS):
            ok(admin.post(f"{API}/schedule/rooms", json={"name": f"Soak room {n + 1}"}))
        for n in range(EXTRA_CLINICIANS):
            body = {
                "email": f"clinician{n}@soak.needlepoint.test",
                "display_name": f"Dr Soak {n}",
                "role": "clinician",
                "licence_max_depth_mm": "1.5",
                "password": STAFF_PASSWORD,
            }
            ok(admin.post(f"{API}/staff", json=body))
        setup = ok(admin.get(f"{API}/schedule/setup"))
    return [p["id"] for p in setup["practitioners"]], [r["id"] for r in setup["rooms"]]


def new_series(
    client: httpx.Client, document: dict[str, Any], name: str, *, mail: str
) -> tuple[str, dict[str, Any]]:
    """Patient → consultation (signed) → series; the patient's and the series' ids."""
    body = {
        "given_name": name,
        "family_name": "Soak",
        "born_on": str(document["patient"]["born_on"]),
        "sex": document["patient"]["sex"],
        "email": mail,
    }
    patient = ok(client.post(f"{API}/patients", json=body))
    consult = ok(
        client.post(
            f"{API}/patients/{patient['id']}/consultations",
            json={"document": json.loads(json.dumps(document, default=str))},
        )
    )
    ok(client.post(f"{API}/consultations/{consult['id']}/sign"))
    series = ok(client.post(f"{API}/consultations/{consult['id']}/series", json={}))
    return str(patient["id"]), series


def consent(client: httpx.Client, series_id: str, name: str) -> None:
    """The patient signs the clinic's published form (typed name); the clinician witnesses."""
    form = ok(client.get(f"{API}/series/{series_id}/consent"))["form"]
    body = {
        "template_id": form["id"],
        "template_sha256": form["sha256"],
        "typed_name": f"{name} Soak",
        "agreed": True,
    }
    signed = ok(client.post(f"{API}/series/{series_id}/consents", json=body))
    ok(client.post(f"{API}/consents/{signed['id']}/witness"))


def chart_template(client: httpx.Client) -> dict[str, Any]:
    """A signed chart of the demo clinic, to fill each soak chart from."""
    for patient in ok(client.get(f"{API}/patients", params={"limit": 100}))["items"]:
        for series in ok(client.get(f"{API}/patients/{patient['id']}/series"))["items"]:
            for one in ok(client.get(f"{API}/series/{series['id']}/sessions"))["items"]:
                if one["status"] == "signed":
                    return dict(ok(client.get(f"{API}/sessions/{one['id']}/chart"))["items"][-1])
    raise RuntimeError("no signed chart in the demo clinic")


def seed_patients(base: str) -> tuple[list[Booked], list[Treated], dict[str, Any]]:
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    booked, treated = [], []
    with sign_in(base, CLINICIAN) as client:
        template = chart_template(client)["chart"]
        for n in range(BOOKING_PATIENTS):
            mail = f"booked{n}@patients.soak.test"
            patient_id, series = new_series(client, document, f"Booked{n}", mail=mail)
            booked.append(Booked(patient_id, str(series["id"])))
        for n in range(TREATED_PATIENTS):
            mail = f"treated{n}@patients.soak.test"
            patient_id, series = new_series(client, document, f"Treated{n}", mail=mail)
            consent(client, str(series["id"]), f"Treated{n}")
            treated.append(Treated(patient_id, mail, str(series["id"]), series["plan"]))
    return booked, treated, template


def chart_body(plan: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    """A chart within the plan's depths with a cartridge that has not expired."""
    chart: dict[str, Any] = json.loads(json.dumps(template))
    chart["cartridge"] = {
        "lot": "SOAK-LOT-1",
        "expires_on": (date.today() + timedelta(days=365)).isoformat(),
    }
    now = datetime.now(UTC)
    chart["numbing"]["applied_at"] = (now - timedelta(minutes=45)).isoformat()
    chart["numbing"]["removed_at"] = (now - timedelta(minutes=5)).isoformat()
    chart["zones"] = [
        {
            "zone": zone["zone"],
            "planned_depth_mm": zone["depth_mm"]["min"],
            "delivered_depth_mm": zone["depth_mm"]["min"],
            "passes": 3,
        }
        for zone in plan["zones"]
    ]
    chart["overrides"] = []
    chart["adverse_events"] = []
    return chart


# --------------------------------------------------------------------------- requests


class Unanswered(Exception):
    """A request that got no answer (the server was killed or is down)."""


async def send(
    world: World, client: httpx.AsyncClient, kind: str, method: str, url: str, **kw: Any
) -> httpx.Response:
    """One request; a read is retried across an outage, a write is not (it may have landed)."""
    write = method != "GET"
    deadline = time.monotonic() + OUTAGE_SECONDS
    retried = False
    while True:
        try:
            answer = await client.request(method, url, **kw)
        except httpx.TransportError as error:
            if not retried:
                world.count(kind, "no answer")
            retried = True
            if write or time.monotonic() > deadline:
                raise Unanswered(kind) from error
            await asyncio.sleep(0.2)
            continue
        world.count(kind, answer.status_code)
        if retried:
            world.count(kind, "answered after an outage")
        if answer.status_code >= 500:
            world.ledger.surprises.append(f"{kind}: {answer.status_code} {answer.text[:200]}")
        return answer


async def read_patient(world: World, staff: httpx.AsyncClient) -> None:
    patient = world.rng.choice(world.patients)
    await send(world, staff, "read patient", "GET", f"{API}/patients/{patient['id']}")


async def list_pages(world: World, staff: httpx.AsyncClient) -> None:
    params: dict[str, Any] = {"limit": 5}
    for _ in range(3):
        answer = await send(world, staff, "list page", "GET", f"{API}/patients", params=params)
        cursor = answer.json().get("next_cursor") if answer.status_code == 200 else None
        if not cursor:
            return
        params = {"limit": 5, "cursor": cursor}


async def search(world: World, staff: httpx.AsyncClient) -> None:
    patient = world.rng.choice(world.patients)
    name = f"{patient['given_name']} {patient['family_name']}"
    await send(world, staff, "search", "GET", f"{API}/patients", params={"search": name})


async def web_page(world: World, staff: httpx.AsyncClient) -> None:
    patient = world.rng.choice(world.patients)
    path = world.rng.choice(["/", "/patients", f"/patients/{patient['id']}"])
    await send(world, staff, "web page", "GET", path)


async def read_chart(world: World, staff: httpx.AsyncClient) -> None:
    started = [t for t in world.treated if t.session_id]
    if started:
        one = world.rng.choice(started)
        await send(world, staff, "read chart", "GET", f"{API}/sessions/{one.session_id}/chart")


# --------------------------------------------------------------------------- bookings


def _appointment_state(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "status", "starts_at", "practitioner_id", "room_id", "version")
    state = {k: item[k] for k in keys}
    state["starts_at"] = datetime.fromisoformat(item["starts_at"]).astimezone(UTC).isoformat()
    return state


def _acknowledge_appointment(world: World, item: dict[str, Any], kind: str) -> dict[str, Any]:
    state = _appointment_state(item)
    world.ledger.appointments[state["id"]] = state
    world.ledger.appointments_touched_after.discard(state["id"])
    world.ledger.writes[kind] += 1
    return state


async def resync_booking(world: World, staff: httpx.AsyncClient, one: Booked) -> None:
    """After a write without an answer: read the series' active appointment back."""
    url = f"{API}/patients/{one.patient_id}/appointments"
    answer = await send(world, staff, "read appointments", "GET", url)
    if answer.status_code != 200:
        return
    active = [
        i
        for i in answer.json()["items"]
        if i["series_id"] == one.series_id and i["status"] == "booked"
    ]
    one.appointment = _appointment_state(active[-1]) if active else None
    one.unsure = False


async def booking(world: World, staff: httpx.AsyncClient, one: Booked) -> None:
    if one.unsure:
        await resync_booking(world, staff, one)
        return
    if one.appointment is None:
        await book(world, staff, one)
        return
    draw = world.rng.random()
    if draw < 0.35:
        await reschedule(world, staff, one)
    elif draw < 0.6:
        await cancel(world, staff, one)
    else:  # left alone a while, so that its reminder can fall due before it changes
        url = f"{API}/patients/{one.patient_id}/appointments"
        await send(world, staff, "read appointments", "GET", url)


def _slot(world: World) -> dict[str, Any]:
    near = world.rng.random() < 0.6
    return {
        "starts_at": world.near_start() if near else world.later_start(),
        "practitioner_id": world.rng.choice(world.practitioners),
        "room_id": world.rng.choice(world.rooms),
    }


async def book(world: World, staff: httpx.AsyncClient, one: Booked) -> None:
    body = {"sessions": [{"number": 1, **_slot(world)}]}
    url = f"{API}/series/{one.series_id}/appointments"
    try:
        answer = await send(world, staff, "book", "POST", url, json=body)
    except Unanswered:
        world.ledger.unacknowledged["book"] += 1
        one.unsure = True
        return
    if answer.status_code == 201:
        one.appointment = _acknowledge_appointment(world, answer.json()["items"][0], "book")
    elif answer.status_code not in {409, 422}:
        world.ledger.surprises.append(f"book: {answer.status_code} {answer.text[:200]}")


async def change(
    world: World, staff: httpx.AsyncClient, one: Booked, kind: str, url: str, body: dict[str, Any]
) -> httpx.Response | None:
    """A change to ``one``'s appointment; None when it got no answer (then it is unsure)."""
    assert one.appointment is not None
    try:
        return await send(world, staff, kind, "POST", url, json=body)
    except Unanswered:
        world.ledger.unacknowledged[kind] += 1
        world.ledger.appointments_touched_after.add(one.appointment["id"])
        one.unsure = True
        return None


def _refused_change(world: World, kind: str, answer: httpx.Response) -> None:
    """409 ``slot-taken`` is contention; a 409 ``version-conflict`` on a record only this
    client writes means an acknowledged write is missing."""
    if answer.status_code == 409 and "version" in answer.text:
        world.ledger.surprises.append(f"{kind}: version conflict {answer.text[:200]}")
    elif answer.status_code not in {409, 422}:
        world.ledger.surprises.append(f"{kind}: {answer.status_code} {answer.text[:200]}")


async def reschedule(world: World, staff: httpx.AsyncClient, one: Booked) -> None:
    assert one.appointment is not None
    url = f"{API}/appointments/{one.appointment['id']}/reschedule"
    body = {"expected_version": one.appointment["version"], **_slot(world)}
    answer = await change(world, staff, one, "reschedule", url, body)
    if answer is None:
        return
    if answer.status_code == 200:
        one.appointment = _acknowledge_appointment(world, answer.json(), "reschedule")
    else:
        _refused_change(world, "reschedule", answer)


async def cancel(world: World, staff: httpx.AsyncClient, one: Booked) -> None:
    assert one.appointment is not None
    url = f"{API}/appointments/{one.appointment['id']}/status"
    body = {"expected_version": one.appointment["version"], "status": "cancelled", "reason": "soak"}
    answer = await change(world, staff, one, "cancel", url, body)
    if answer is None:
        return
    if answer.status_code == 200:
        _acknowledge_appointment(world, answer.json(), "cancel")
        one.appointment = None
    else:
        _refused_change(world, "cancel", answer)


# --------------------------------------------------------------------------- patients


async def edit_patient(world: World, staff: httpx.AsyncClient, one: Booked) -> None:
    """Change a booking patient's phone number (version-checked)."""
    url = f"{API}/patients/{one.patient_id}"
    current = await send(world, staff, "read patient", "GET", url)
    if current.status_code != 200:
        return
    patient = current.json()
    keys = ("given_name", "family_name", "born_on", "sex", "email")
    phone = f"07700 9{world.rng.randrange(100000):05d}"
    body = {k: patient[k] for k in keys} | {"phone": phone, "expected_version": patient["version"]}
    try:
        answer = await send(world, staff, "edit patient", "PUT", url, json=body)
    except Unanswered:
        world.ledger.unacknowledged["edit patient"] += 1
        world.ledger.patients_touched_after.add(one.patient_id)
        return
    if answer.status_code == 200:
        world.ledger.patients[one.patient_id] = {
            "phone": phone,
            "version": answer.json()["version"],
        }
        world.ledger.patients_touched_after.discard(one.patient_id)
        world.ledger.writes["edit patient"] += 1
    elif answer.status_code != 409:
        world.ledger.surprises.append(f"edit patient: {answer.status_code} {answer.text[:200]}")


# --------------------------------------------------------------------------- charts


async def resync_chart(world: World, clinician: httpx.AsyncClient, one: Treated) -> None:
    if one.session_id is None:
        url = f"{API}/series/{one.series_id}/sessions"
        answer = await send(world, clinician, "read sessions", "GET", url)
        if answer.status_code == 200:
            items = answer.json()["items"]
            one.session_id = str(items[-1]["id"]) if items else None
    if one.session_id is not None:
        url = f"{API}/sessions/{one.session_id}/chart"
        answer = await send(world, clinician, "read chart", "GET", url)
        if answer.status_code == 200:
            items = answer.json()["items"]
            one.version = int(items[-1]["version"]) if items else 0
        elif answer.status_code != 404:
            return
    one.unsure = False


async def charting(world: World, clinician: httpx.AsyncClient, one: Treated) -> None:
    if one.unsure:
        await resync_chart(world, clinician, one)
    elif one.session_id is None:
        await start_session(world, clinician, one)
    elif (
        one.version
        and (str(one.session_id), one.version) not in world.ledger.signed
        and world.rng.random() < 0.25
    ):
        await sign_chart(world, clinician, one)
    else:
        await save_chart(world, clinician, one)


async def start_session(world: World, clinician: httpx.AsyncClient, one: Treated) -> None:
    url = f"{API}/series/{one.series_id}/sessions"
    try:
        answer = await send(world, clinician, "start session", "POST", url, json={"rescreen": {}})
    except Unanswered:
        world.ledger.unacknowledged["start session"] += 1
        one.unsure = True
        return
    if answer.status_code == 201:
        one.session_id = str(answer.json()["id"])
        world.ledger.sessions.add(one.session_id)
        world.ledger.writes["start session"] += 1
    else:
        world.ledger.surprises.append(f"start session: {answer.status_code} {answer.text[:200]}")


async def save_chart(world: World, clinician: httpx.AsyncClient, one: Treated) -> None:
    notes = f"soak {uuid4().hex}"
    body = {
        "expected_version": one.version,
        "chart": chart_body(one.plan, world.chart_template),
        "notes": notes,
    }
    url = f"{API}/sessions/{one.session_id}/chart"
    try:
        answer = await send(world, clinician, "save chart", "POST", url, json=body)
    except Unanswered:
        world.ledger.unacknowledged["save chart"] += 1
        one.unsure = True
        return
    if answer.status_code == 201:
        one.version = int(answer.json()["version"])
        world.ledger.charts[(str(one.session_id), one.version)] = notes
        world.ledger.writes["save chart"] += 1
    else:
        _refused_change(world, "save chart", answer)


async def sign_chart(world: World, clinician: httpx.AsyncClient, one: Treated) -> None:
    url = f"{API}/sessions/{one.session_id}/chart/{one.version}/sign"
    try:
        answer = await send(world, clinician, "sign chart", "POST", url)
    except Unanswered:
        world.ledger.unacknowledged["sign chart"] += 1
        one.unsure = True
        return
    if answer.status_code == 200:
        world.ledger.signed.add((str(one.session_id), one.version))
        world.ledger.writes["sign chart"] += 1
    elif answer.status_code != 409:  # already signed: a sign that landed without its answer
        world.ledger.surprises.append(f"sign chart: {answer.status_code} {answer.text[:200]}")


# --------------------------------------------------------------------------- portal


async def portal_sign_in(world: World, one: Treated) -> None:
    """Ask for a link, wait for the worker to deliver it, open it: a signed-in portal client."""
    portal = httpx.AsyncClient(base_url=world.base, timeout=30)
    try:
        page = await send(world, portal, "portal page", "GET", "/portal/sign-in")
        seen = world.recorder.count_for(one.email)
        form = {"email": one.email, "csrf_token": _csrf(page.text)}
        await send(world, portal, "portal link", "POST", "/portal/sign-in", data=form)
        token = await _wait_for_link(world, one.email, seen)
        if token is None:
            world.ledger.surprises.append(f"portal: no sign-in link reached {one.email}")
            await portal.aclose()
            return
        page = await send(world, portal, "portal page", "GET", f"/portal/sign-in/{token}")
        used = await send(
            world,
            portal,
            "portal sign-in",
            "POST",
            f"/portal/sign-in/{token}",
            data={"csrf_token": _csrf(page.text)},
        )
    except Unanswered:
        await portal.aclose()
        return
    if used.status_code == 303:
        one.portal = portal
    else:
        await portal.aclose()


async def _wait_for_link(world: World, address: str, seen: int) -> str | None:
    deadline = time.monotonic() + 2 * OUTAGE_SECONDS
    while time.monotonic() < deadline:
        token = world.recorder.link_for(address, seen)
        if token:
            return token
        await asyncio.sleep(0.25)
    return None


def _csrf(page: str) -> str:
    found = _CSRF.search(page)
    return found.group(1) if found else ""


async def check_in(world: World, one: Treated) -> None:
    assert one.portal is not None and one.session_id is not None
    path = f"/portal/treatments/{one.session_id}/check-in"
    try:
        form = await send(world, one.portal, "check-in form", "GET", path)
        if form.status_code != 200:
            return
        answers = {
            "redness": world.rng.choice(["none", "mild"]),
            "swelling": world.rng.choice(["none", "mild"]),
            "pain": str(world.rng.randrange(3)),
            "pus": "no",
            "fever": "no",
            "blisters": "no",
            "note": f"soak {uuid4().hex[:12]}",
        }
        data = {**answers, "csrf_token": _csrf(form.text)}
        answer = await send(world, one.portal, "check-in", "POST", path, data=data)
    except Unanswered:
        world.ledger.unacknowledged["check-in"] += 1
        return
    found = _CHECK_IN.search(answer.headers.get("location", ""))
    if answer.status_code == 303 and found:
        world.ledger.check_ins[found.group(1)] = answers
        world.ledger.writes["check-in"] += 1
    else:
        world.ledger.surprises.append(f"check-in: {answer.status_code} {answer.text[:200]}")


async def portal(world: World, one: Treated) -> None:
    if one.session_id is None:
        return
    if one.portal is None:
        await portal_sign_in(world, one)
    else:
        await check_in(world, one)


# --------------------------------------------------------------------------- the load


@dataclass
class Clients:
    desk: httpx.AsyncClient
    clinician: httpx.AsyncClient


async def signed_in(base: str, login: tuple[str, str]) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    deadline = time.monotonic() + OUTAGE_SECONDS
    while True:
        try:
            answer = await client.post(
                f"{API}/auth/login", json={"email": login[0], "password": login[1]}
            )
            answer.raise_for_status()
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
    client.headers["X-CSRF-Token"] = str(answer.json()["csrf_token"])
    return client


def _idle(world: World, records: list[Any]) -> Any | None:
    free = [r for r in records if id(r) not in world.busy]
    return world.rng.choice(free) if free else None


async def on_record(world: World, records: list[Any], action: Callable[[Any], Any]) -> None:
    """Run ``action`` on a record no other client is working on (one writer per record)."""
    record = _idle(world, records)
    if record is None:
        return
    world.busy.add(id(record))
    try:
        await action(record)
    finally:
        world.busy.discard(id(record))


async def one_step(world: World, clients: Clients) -> None:
    desk, clinician = clients.desk, clients.clinician
    steps: list[tuple[int, Callable[[], Any]]] = [
        (14, lambda: read_patient(world, desk)),
        (7, lambda: list_pages(world, desk)),
        (6, lambda: search(world, desk)),
        (8, lambda: web_page(world, desk)),
        (5, lambda: read_chart(world, clinician)),
        (22, lambda: on_record(world, world.booked, lambda r: booking(world, desk, r))),
        (5, lambda: on_record(world, world.booked, lambda r: edit_patient(world, desk, r))),
        (10, lambda: on_record(world, world.treated, lambda r: charting(world, clinician, r))),
        (5, lambda: on_record(world, world.treated, lambda r: portal(world, r))),
    ]
    chosen = world.rng.choices([s for _, s in steps], weights=[w for w, _ in steps])[0]
    await chosen()


async def client_loop(world: World, clients: Clients, stop_at: float) -> None:
    while time.monotonic() < stop_at:
        try:
            await one_step(world, clients)
        except Unanswered:
            await asyncio.sleep(0.2)


# --------------------------------------------------------------------------- chaos and memory


@dataclass
class Chaos:
    server: Child
    worker: Child
    base: str
    server_workers: int
    kills: Counter[str] = field(default_factory=Counter)
    events: list[dict[str, Any]] = field(default_factory=list)


def kill_one(chaos: Chaos, victim: str, rng: random.Random) -> None:
    """SIGKILL the victim and bring it back (uvicorn restarts a killed worker process)."""
    if victim == "server process":
        children = [p for p in chaos.server.group_pids() if p != chaos.server.proc.pid]  # type: ignore[union-attr]
        if not children:
            victim = "server"
        else:
            os.kill(rng.choice(children), signal.SIGKILL)
            wait_until_up(chaos.base, chaos.server)
    if victim == "server":
        chaos.server.kill_group()
        chaos.server.start()
        wait_until_up(chaos.base, chaos.server)
    elif victim == "worker":
        chaos.worker.kill_group()
        chaos.worker.start()
    chaos.kills[victim] += 1


async def chaos_loop(
    chaos: Chaos, rng: random.Random, stop_at: float, gaps: tuple[float, float]
) -> None:
    victims = ["server", "worker"] + (["server process"] if chaos.server_workers > 1 else [])
    while True:
        await asyncio.sleep(min(rng.uniform(*gaps), max(0.0, stop_at - time.monotonic())))
        victim = rng.choice(victims)
        at = time.monotonic()
        if at >= stop_at:
            return
        await asyncio.to_thread(kill_one, chaos, victim, rng)
        chaos.events.append({"victim": victim, "back_after_s": round(time.monotonic() - at, 2)})


@dataclass
class Memory:
    samples: list[tuple[float, int]] = field(default_factory=list)
    started: dict[int, float] = field(default_factory=dict)


async def memory_loop(server: Child, memory: Memory, stop_at: float, begun: float) -> None:
    """Every second: the server's total RSS, skipping the first seconds of each server start."""
    last_start = server.starts
    since = time.monotonic()
    while time.monotonic() < stop_at:
        await asyncio.sleep(1.0)
        if server.starts != last_start:
            last_start, since = server.starts, time.monotonic()
        if time.monotonic() - since < WARMUP_SECONDS:
            continue
        total = sum(rss_kib(pid) for pid in server.group_pids())
        if total:
            memory.samples.append((round(time.monotonic() - begun, 1), total))


def memory_verdict(samples: list[tuple[float, int]]) -> dict[str, Any]:
    """Judge growth from the server's RSS sampled after warm-up (WARMUP_SECONDS after each
    start). Bounded means the median of the last third of the samples is at most
    RSS_GROWTH_LIMIT times the median of the first third: a leak proportional to requests grows
    the total steadily and fails that; caches that fill and stop do not. Kills restart processes
    and so reset their memory: the verdict covers each process's life between kills; the long
    run (make soak) gives the longest lives."""
    values = [v for _, v in samples]
    if len(values) < MIN_RSS_SAMPLES:  # under a minute of lives past warm-up: the CI version
        return {"samples": len(values), "ok": True, "note": "too few samples to judge"}
    third = len(values) // 3
    first, last = statistics.median(values[:third]), statistics.median(values[-third:])
    return {
        "samples": len(values),
        "first_third_median_mib": round(first / 1024, 1),
        "last_third_median_mib": round(last / 1024, 1),
        "max_mib": round(max(values) / 1024, 1),
        "ratio": round(last / first, 3),
        "rule": f"last third's median <= {RSS_GROWTH_LIMIT} x first third's, after warm-up",
        "ok": last <= RSS_GROWTH_LIMIT * first,
    }


# --------------------------------------------------------------------------- checks


def check_appointments(engine: Engine, ledger: Ledger) -> dict[str, Any]:
    a = t.appointment
    with engine.connect() as connection:
        rows = {str(r.id): r for r in connection.execute(select(a)).all()}
    lost = []
    for appointment_id, state in ledger.appointments.items():
        row = rows.get(appointment_id)
        if row is None:
            lost.append(appointment_id)
            continue
        found = {
            "status": row.status,
            "starts_at": row.starts_at.astimezone(UTC).isoformat(),
            "practitioner_id": str(row.practitioner_id),
            "room_id": str(row.room_id),
            "version": row.version,
        }
        expected = {k: v for k, v in state.items() if k != "id"}
        if appointment_id in ledger.appointments_touched_after:
            if row.version < state["version"]:
                lost.append(appointment_id)
        elif found != expected:
            lost.append(appointment_id)
    return {"acknowledged": len(ledger.appointments), "lost": lost}


def double_bookings(engine: Engine) -> list[tuple[str, str]]:
    """Pairs of active appointments of one practitioner or one room that overlap (SQL)."""
    one, other = t.appointment.alias("one"), t.appointment.alias("other")
    query = select(one.c.id, other.c.id).where(
        one.c.id < other.c.id,
        one.c.status == "booked",
        other.c.status == "booked",
        one.c.starts_at < other.c.ends_at,
        other.c.starts_at < one.c.ends_at,
        or_(
            one.c.practitioner_id == other.c.practitioner_id,
            one.c.room_id == other.c.room_id,
        ),
    )
    with engine.connect() as connection:
        return [(str(x), str(y)) for x, y in connection.execute(query).all()]


def check_patients(engine: Engine, ledger: Ledger) -> list[str]:
    p = t.patient
    with engine.connect() as connection:
        rows = {str(r.id): r for r in connection.execute(select(p.c.id, p.c.phone, p.c.version))}
    lost = []
    for patient_id, state in ledger.patients.items():
        row = rows.get(patient_id)
        if row is None:
            lost.append(patient_id)
        elif patient_id in ledger.patients_touched_after:
            if row.version < state["version"]:
                lost.append(patient_id)
        elif (row.phone, row.version) != (state["phone"], state["version"]):
            lost.append(patient_id)
    return lost


def check_charts(base: str, ledger: Ledger) -> list[str]:
    lost = []
    with sign_in(base, CLINICIAN) as client:
        histories: dict[str, dict[int, dict[str, Any]]] = {}
        for session_id in {s for s, _ in ledger.charts} | ledger.sessions:
            answer = client.get(f"{API}/sessions/{session_id}/chart")
            items = answer.json()["items"] if answer.status_code == 200 else []
            histories[session_id] = {int(i["version"]): i for i in items}
        for (session_id, version), notes in ledger.charts.items():
            item = histories[session_id].get(version)
            if item is None or item["notes"] != notes:
                lost.append(f"chart {session_id} v{version}")
        for session_id, version in ledger.signed:
            item = histories[session_id].get(version)
            if item is None or item["signed_at"] is None:
                lost.append(f"signature {session_id} v{version}")
        for check_in_id, answers in ledger.check_ins.items():
            answer = client.get(f"{API}/check-ins/{check_in_id}")
            if answer.status_code != 200 or not _same_answers(answer.json()["answers"], answers):
                lost.append(f"check-in {check_in_id}")
    return lost


def _same_answers(stored: dict[str, Any], sent: dict[str, str]) -> bool:
    yes = {"yes": True, "no": False}
    return (
        stored["redness"] == sent["redness"]
        and stored["swelling"] == sent["swelling"]
        and stored["pain"] == int(sent["pain"])
        and all(stored[k] == yes[sent[k]] for k in ("pus", "fever", "blisters"))
        and stored["note"] == sent["note"]
    )


def unsettled_due(engine: Engine) -> int:
    m = t.outbox_message
    query = select(m.c.id).where(
        m.c.due_at <= datetime.now(UTC),
        m.c.status.in_(("pending", "sending", "handing_over")),
    )
    with engine.connect() as connection:
        return len(connection.execute(query).all())


def check_messages(engine: Engine, recorder: Recorder, until: datetime) -> dict[str, Any]:
    """Every message due by ``until``: delivered exactly once, or cancelled and not delivered."""
    m = t.outbox_message
    with engine.connect() as connection:
        rows = connection.execute(
            select(m.c.id, m.c.kind, m.c.status, m.c.due_at).where(
                or_(m.c.due_at <= until, and_(m.c.status != "pending", m.c.status != "cancelled"))
            )
        ).all()
    with recorder.lock:
        received = Counter(recorder.ids)
    by_status = Counter(r.status for r in rows)
    duplicates = {k: n for k, n in received.items() if n > 1}
    known = {str(r.id) for r in rows}
    missing = [
        str(r.id)
        for r in rows
        if r.status not in {"cancelled", "uncertain"} and received.get(str(r.id), 0) == 0
    ]
    cancelled_but_sent = [
        str(r.id) for r in rows if r.status == "cancelled" and str(r.id) in received
    ]
    uncertain = [str(r.id) for r in rows if r.status == "uncertain"]
    return {
        "due": len(rows),
        "by_status": dict(by_status),
        "by_kind": dict(Counter(r.kind for r in rows if r.status == "sent")),
        "delivered": sum(received.values()),
        "duplicates": len(duplicates),
        "missing": len(missing) + len(cancelled_but_sent),
        "missing_ids": (missing + cancelled_but_sent)[:20],
        "unknown_deliveries": len(set(received) - known),
        "uncertain": len(uncertain),
        "uncertain_arrived": sum(1 for i in uncertain if received.get(i)),
    }


def audit_verify(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [str(NEEDLEPOINT), "audit", "verify"], env=env, capture_output=True, text=True, check=False
    )
    return {"ok": done.returncode == 0, "output": (done.stdout + done.stderr).strip()[-600:]}


# --------------------------------------------------------------------------- one run


@dataclass
class Run:
    args: argparse.Namespace
    database: str
    url: str | None
    tmp: Path

    def env(self, port: int, smtp_port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLEPOINT_")}
        env |= {
            "NEEDLEPOINT_DATA_DIR": str(self.tmp / "data"),
            "NEEDLEPOINT_DEVELOPMENT": "1",
            # The soak signs the demo's staff in by password; two-step sign-in (required of
            # admins by default, ADR 0036) has tests of its own.
            "NEEDLEPOINT_ADMIN_TWO_STEP": "0",
            "NEEDLEPOINT_WEB_SECRET": uuid4().hex + uuid4().hex,
            "NEEDLEPOINT_AUDIT_KEY": uuid4().hex + uuid4().hex,
            "NEEDLEPOINT_FIELD_KEY": base64.b64encode(os.urandom(32)).decode(),
            "NEEDLEPOINT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "NEEDLEPOINT_SMTP_HOST": "127.0.0.1",
            "NEEDLEPOINT_SMTP_PORT": str(smtp_port),
            "NEEDLEPOINT_SMTP_SECURITY": "none",
            "NEEDLEPOINT_SMTP_ALLOW_PLAINTEXT": "1",
            "NEEDLEPOINT_SMTP_FROM": SENDER,
        }
        if self.url:
            env["NEEDLEPOINT_DATABASE_URL"] = self.url
        return env

    def engine_url(self) -> str:
        return self.url or f"sqlite:///{self.tmp / 'data' / 'needlepoint.sqlite3'}"


def start_children(run: Run, env: dict[str, str], base: str) -> tuple[Child, Child]:
    port = base.rsplit(":", 1)[1]
    workers = str(run.args.server_workers)
    server = Child(
        "server",
        [str(NEEDLEPOINT), "serve", "--port", port, "--workers", workers],
        env,
        run.tmp / "serve.log",
    )
    worker = Child(
        "worker",
        [
            str(NEEDLEPOINT),
            "worker",
            *("--batch", "10", "--lease-seconds", str(LEASE_SECONDS), "--poll-seconds", "0.2"),
        ],
        env,
        run.tmp / "worker.log",
    )
    server.start()
    wait_until_up(base, server)
    worker.start()
    return server, worker


async def load(run: Run, world: World, chaos: Chaos, memory: Memory) -> float:
    begun = time.monotonic()
    stop_at = begun + run.args.seconds
    gaps = (run.args.min_gap, run.args.max_gap)
    # One session per role, shared by the clients: signing in again and again is throttled.
    clients = Clients(await signed_in(world.base, DESK), await signed_in(world.base, CLINICIAN))
    tasks = [client_loop(world, clients, stop_at) for _ in range(run.args.clients)]
    await asyncio.gather(
        *tasks,
        chaos_loop(chaos, random.Random(run.args.seed + 1), stop_at, gaps),
        memory_loop(chaos.server, memory, stop_at, begun),
    )
    await clients.desk.aclose()
    await clients.clinician.aclose()
    for one in world.treated:
        if one.portal is not None:
            await one.portal.aclose()
    return time.monotonic() - begun


def drain(engine: Engine, worker: Child) -> float:
    """Leave the worker (alive) until nothing due is unsettled; how long that took."""
    begun = time.monotonic()
    while time.monotonic() - begun < DRAIN_SECONDS:
        if worker.proc is None or worker.proc.poll() is not None:
            worker.start()
        if unsettled_due(engine) == 0:
            break
        time.sleep(0.5)
    return round(time.monotonic() - begun, 1)


def say(run: Run, what: str) -> None:
    print(f"{datetime.now(UTC):%H:%M:%S} soak {run.database}: {what}", file=sys.stderr, flush=True)


def soak(run: Run) -> dict[str, Any]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    port = free_port()
    env = run.env(port, controller.port)
    base = f"http://127.0.0.1:{port}"
    (run.tmp / "data").mkdir()
    say(run, "seeding the demo clinic")
    subprocess.run([str(NEEDLEPOINT), "demo"], env=env, check=True, capture_output=True)
    server, worker = start_children(run, env, base)
    engine = create_engine(run.engine_url())
    try:
        say(run, "setting up rooms, clinicians and patients through the API")
        practitioners, rooms = set_up_clinic(base)
        booked, treated, template = seed_patients(base)
        with sign_in(base, DESK) as desk:
            patients = ok(desk.get(f"{API}/patients", params={"limit": 100}))["items"]
        world_started = datetime.now(UTC)
        chaos = Chaos(server, worker, base, run.args.server_workers)
        memory = Memory()

        async def go() -> tuple[World, float]:
            world = World(
                random.Random(run.args.seed),
                base,
                world_started,
                run.args.seconds,
                practitioners,
                rooms,
                booked,
                treated,
                patients,
                template,
                recorder,
            )
            return world, await load(run, world, chaos, memory)

        say(run, f"load and kills for {run.args.seconds:.0f} s")
        world, elapsed = asyncio.run(go())
        say(run, "draining the worker, then checking")
        if server.proc is None or server.proc.poll() is not None:
            server.start()
        wait_until_up(base, server)
        drained_s = drain(engine, worker)
        until = datetime.now(UTC)
        charts_lost = check_charts(base, world.ledger)
        worker_exit = worker.stop()
        server.stop()
        timings = Timings(elapsed, drained_s, until, worker_exit)
        return report(run, world, chaos, memory, engine, env, timings, charts_lost)
    finally:
        server.stop()
        worker.stop()
        engine.dispose()
        controller.stop()


@dataclass(frozen=True)
class Timings:
    elapsed: float
    drained_s: float
    until: datetime
    worker_exit: int | None


def report(  # noqa: PLR0913, PLR0917 - one call site
    run: Run,
    world: World,
    chaos: Chaos,
    memory: Memory,
    engine: Engine,
    env: dict[str, str],
    timings: Timings,
    charts_lost: list[str],
) -> dict[str, Any]:
    ledger = world.ledger
    appointments = check_appointments(engine, ledger)
    lost = appointments["lost"] + check_patients(engine, ledger) + charts_lost
    doubled = double_bookings(engine)
    messages = check_messages(engine, world.recorder, timings.until)
    audit = audit_verify(env)
    rss = memory_verdict(memory.samples)
    server_errors = sum(
        n for c in world.statuses.values() for s, n in c.items() if s.startswith("5")
    )
    requests = {k: dict(sorted(v.items())) for k, v in sorted(world.statuses.items())}
    served = sum(n for c in world.statuses.values() for s, n in c.items() if s.isdigit())
    checks = {
        "lost": len(lost) == 0,
        "doubled": not doubled,
        "reminders_duplicated": messages["duplicates"] == 0,
        "reminders_missing": messages["missing"] == 0,
        "audit_verifies": audit["ok"],
        "no_5xx": server_errors == 0,
        "memory_bounded": rss["ok"],
        "no_surprises": not ledger.surprises,
    }
    return {
        "database": run.database,
        "seed": run.args.seed,
        "seconds": round(timings.elapsed, 1),
        "server_workers": run.args.server_workers,
        "clients": run.args.clients,
        "requests_served": served,
        "requests": requests,
        "server_errors": server_errors,
        "kills_survived": dict(chaos.kills),
        "kills": sum(chaos.kills.values()),
        "longest_outage_s": max((e["back_after_s"] for e in chaos.events), default=0.0),
        "acknowledged_writes": dict(ledger.writes),
        "acknowledged_total": sum(ledger.writes.values()),
        "unacknowledged_writes": dict(ledger.unacknowledged),
        "lost": len(lost),
        "lost_records": lost[:20],
        "doubled": len(doubled),
        "messages": messages,
        "drain_seconds": timings.drained_s,
        "worker_exit": timings.worker_exit,
        "audit": audit,
        "rss": rss,
        "surprises": ledger.surprises[:20],
        "checks": checks,
        "ok": all(checks.values()),
    }


def markdown(result: dict[str, Any]) -> str:
    m = result["messages"]
    return "\n".join(
        [
            f"### Soak on {result['database']} ({result['seconds']} s, seed {result['seed']})",
            "",
            f"- requests served: {result['requests_served']} ({result['server_errors']} 5xx)",
            f"- kills survived: {result['kills']} {result['kills_survived']}",
            f"- acknowledged writes: {result['acknowledged_total']} "
            f"{result['acknowledged_writes']}",
            f"- unacknowledged writes (no answer during a kill): {result['unacknowledged_writes']}",
            f"- lost {result['lost']}, doubled {result['doubled']}, reminders duplicated "
            f"{m['duplicates']}, missing {m['missing']} (of {m['due']} due; "
            f"{m['delivered']} delivered; uncertain {m['uncertain']})",
            f"- audit verify: {'ok' if result['audit']['ok'] else 'FAILED'}",
            f"- server RSS: {result['rss']}",
            f"- checks: {'all pass' if result['ok'] else result['checks']}",
        ]
    )


def run_one(args: argparse.Namespace, database: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"needlepoint-soak-{database}-") as name:
        tmp = Path(name)
        try:
            if database == "postgresql":
                with scratch_postgres() as url:
                    return soak(Run(args, database, url, tmp))
            return soak(Run(args, database, None, tmp))
        except Exception:
            for log in ("serve.log", "worker.log"):
                path = tmp / log
                if path.exists():
                    print(f"--- {log} (tail)\n{path.read_text()[-3000:]}", file=sys.stderr)
            raise


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=600.0, help="load time per database")
    parser.add_argument("--seed", type=int, default=None, help="random by default (printed)")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--min-gap", type=float, default=3.0, help="seconds between kills, least")
    parser.add_argument("--max-gap", type=float, default=25.0, help="seconds between kills, most")
    parser.add_argument("--json", type=Path, default=None, help="where to write the results")
    args = parser.parse_args(argv)
    if args.seed is None:
        args.seed = random.randrange(1_000_000)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = [run_one(args, database) for database in databases]
    out = args.json or RESULTS / f"soak-{args.db}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for result in results:
        print(markdown(result))
    print(f"\nresults: {out}")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
