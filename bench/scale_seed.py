"""Seeding for bench/scale.py: N patients with histories on PostgreSQL, in set-based SQL.

The database must be migrated and hold the demo clinic (`needlepoint demo`): its signed
consultation, series, session and chart are the templates every seeded record copies its JSON
documents from (so the pages read documents the application itself wrote), and its clinic is
the *home* clinic the benchmark signs in to. ``seed`` then adds, with `INSERT ... SELECT
generate_series` only:

* clinics: the home clinic keeps half of the patients, the other half is shared by
  ``clinics - 1`` more clinics. Each clinic has one clinician, and one room, per
  ``PATIENTS_PER_PRACTITIONER`` patients (at least two of each).
* patients (names drawn from short lists, so a full name is shared by a few patients; a unique
  email for 90 %, a date of birth over 55 years), and by a hash of their number, a history:
  - completed (30 %): a signed consultation, a completed series, every planned session signed
    with its chart, each at an attended appointment, the last one yesterday or earlier;
  - in progress (0.3 %): session 1 held (one in 50 charted and awaiting sign-off), session 2
    booked from today on (one in ten left to book: the dashboard's "due to book");
  - planned (0.1 %): a series not started, session 1 booked from today (one in five not);
  - cancelled (3 %), consulted only (10 %), registered only (the rest).
* appointments fill each practitioner's hourly slots (08:00-18:00, the clinic's time) without
  overlap: history backwards from yesterday, bookings forwards from today. A larger clinic
  has more practitioners and a longer history.
* the audit trail: one event per patient registered, consultation signed, series created,
  chart signed and appointment booked, chained after the demo's events (``chain_events``).

Speed: indexes, unique, exclusion and foreign-key constraints of the loaded tables are dropped
before the load and re-created after it from their own catalog definitions (``Indexes``), the
load runs with ``synchronous_commit=off`` and lz4 TOAST compression, and the audit rows go in
by COPY. Ids are ``md5(kind || number)`` UUIDs, so a seed is reproducible.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final
from uuid import UUID, uuid4

from sqlalchemy import Connection, Engine, text

from needlepoint.domain.audit_chain import GENESIS_HASH, Link, keyed_hash
from needlepoint.domain.records import AuditEvent

PATIENTS_PER_PRACTITIONER: Final = 25_000
SLOTS_PER_DAY: Final = 10
"""Hourly slots from 08:00 local: hours 0-5 hold completed series, 6-9 the active ones."""
COMPLETED_HOURS: Final = 6
SEED_REQUEST_ID: Final = "scale-seed"

LOADED_TABLES: Final = (
    "patient",
    "consultation",
    "treatment_series",
    "treatment_session",
    "chart_version",
    "appointment",
    "audit_event",
)

GIVEN_NAMES: Final = (
    *(
        (name, "female")
        for name in [
            "Amira",
            "Helen",
            "Sofia",
            "Priya",
            "Chloe",
            "Ines",
            "Olivia",
            "Amelia",
            "Isla",
            "Ava",
            "Mia",
            "Grace",
            "Freya",
            "Lily",
            "Emily",
            "Ella",
            "Poppy",
            "Evie",
            "Sophie",
            "Daisy",
            "Alice",
            "Florence",
            "Ruby",
            "Matilda",
            "Rosie",
            "Hannah",
            "Aisha",
            "Zara",
            "Leah",
            "Maya",
            "Nadia",
            "Fatima",
            "Yasmin",
            "Anya",
            "Eleanor",
            "Harriet",
            "Imogen",
            "Clara",
            "Lucy",
            "Martha",
            "Nora",
            "Beatrice",
            "Esme",
            "Iris",
            "Jade",
            "Keira",
            "Laura",
            "Megan",
            "Naomi",
            "Rachel",
        ]
    ),
    *(
        (name, "male")
        for name in [
            "Daniel",
            "Tom",
            "Gareth",
            "Marcus",
            "Kenji",
            "Oliver",
            "George",
            "Harry",
            "Noah",
            "Jack",
            "Leo",
            "Arthur",
            "Oscar",
            "Charlie",
            "Jacob",
            "Thomas",
            "Henry",
            "William",
            "Alfie",
            "Joshua",
            "James",
            "Ethan",
            "Samuel",
            "Isaac",
            "Adam",
            "Omar",
            "Ibrahim",
            "Yusuf",
            "Ravi",
            "Arjun",
            "Luca",
            "Mateo",
            "Felix",
            "Hugo",
            "Rowan",
            "Owen",
            "Callum",
            "Connor",
            "Dylan",
            "Ewan",
            "Finlay",
            "Gabriel",
            "Jonah",
            "Kai",
            "Lewis",
            "Max",
            "Nathan",
            "Patrick",
            "Reuben",
            "Simon",
        ]
    ),
)
FAMILY_NAMES: Final = (
    "Okafor",
    "Marsh",
    "Osei",
    "Raman",
    "Lindqvist",
    "Kowalski",
    "Evans",
    "Bell",
    "Dubois",
    "Moreau",
    "Sato",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Shaw",
    "Murphy",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Chapman",
    "Mason",
    "Webb",
    "Rogers",
    "Gray",
    "Ali",
    "Hunt",
    "Holmes",
    "Palmer",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Barker",
    "Fisher",
    "Stevens",
    "Jenkins",
    "Dixon",
    "Fletcher",
    "Howard",
    "Fox",
    "Ahmed",
    "Kaur",
    "Nguyen",
    "Chen",
    "Wang",
    "Tanaka",
    "Suzuki",
    "Kim",
    "Park",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "Costa",
    "Giordano",
    "Mancini",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Novak",
    "Horvat",
    "Nowak",
    "Lewandowski",
    "Wozniak",
    "Kaminski",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Kruger",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Kohler",
    "Walsh",
    "Byrne",
    "Ryan",
    "Oconnor",
    "Doyle",
    "Mccarthy",
    "Gallagher",
    "Doherty",
    "Kennedy",
    "Lynch",
    "Murray",
    "Quinn",
    "Moran",
    "Nolan",
    "Brennan",
    "Boyle",
    "Reilly",
    "Dunne",
    "Hayes",
    "Burke",
    "Sullivan",
    "Fitzgerald",
    "Larsen",
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
)


@dataclass(frozen=True, slots=True)
class Plan:
    """How many patients, in how many clinics, as of which day."""

    patients: int
    clinics: int
    today: date

    def clinic_of(self, number: int) -> int:
        """The clinic (0: home) of patient ``number``: even numbers at home, odd ones shared."""
        if self.clinics == 1 or number % 2 == 0:
            return 0
        return 1 + (number // 2) % (self.clinics - 1)

    def patients_by_clinic(self) -> list[int]:
        counts = [0] * self.clinics
        counts[0] = self.patients // 2
        odd = self.patients - counts[0]
        if self.clinics == 1:
            return [self.patients]
        for clinic in range(1, self.clinics):
            # odd numbers n = 2m + 1, m = 0 .. odd - 1; clinic 1 + m % (clinics - 1)
            counts[clinic] = len(range(clinic - 1, odd, self.clinics - 1))
        return counts

    def practitioners_by_clinic(self) -> list[int]:
        return [
            max(2, math.ceil(count / PATIENTS_PER_PRACTITIONER))
            for count in self.patients_by_clinic()
        ]


@dataclass(frozen=True, slots=True)
class Seeded:
    """What the benchmark needs to know about the seeded database."""

    home_clinic_id: UUID
    home_patients: int
    practitioners: list[int]
    counts: dict[str, int] = field(default_factory=dict)
    phases_s: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- entry point


SEED_PHASES: Final = ("patients", "histories", "audit", "indexes", "vacuum_analyze")

Progress = Callable[[str, int, int | None], None]
"""Told "seeding", the phases done and their number (a Rich bar: needlepoint's progress_bars)."""


def _no_progress(step: str, done: int, total: int | None) -> None:
    """Reports nothing."""


def seed(engine: Engine, plan: Plan, progress: Progress = _no_progress) -> Seeded:
    """Load ``plan.patients`` patients with their histories and audit events; see the module."""
    phases = Phases(progress)
    indexes = Indexes(engine)
    with engine.begin() as connection:
        _load_settings(connection)
        indexes.drop(connection)
        home = _home_clinic(connection)
        _templates(connection)
        _clinics(connection, plan, home)
        _patients(connection, plan)
        phases.done("patients")
        _histories(connection, plan)
    phases.done("histories")
    append_audit_trail(engine, plan.patients)
    phases.done("audit")
    with engine.begin() as connection:
        _load_settings(connection)
        indexes.restore(connection)
    phases.done("indexes")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in LOADED_TABLES:
            connection.exec_driver_sql(f"VACUUM ANALYZE {table}")
    phases.done("vacuum_analyze")
    home_patients = plan.patients_by_clinic()[0]
    practitioners = plan.practitioners_by_clinic()
    return Seeded(home, home_patients, practitioners, count(engine), phases.seconds)


class Phases:
    """Seconds spent in each phase of the seeding, each phase's end told to ``progress``."""

    def __init__(self, progress: Progress = _no_progress) -> None:
        self.seconds: dict[str, float] = {}
        self._since = time.monotonic()
        self._progress = progress
        progress("seeding", 0, len(SEED_PHASES))

    def done(self, phase: str) -> None:
        now = time.monotonic()
        self.seconds[phase] = round(now - self._since, 1)
        self._since = now
        self._progress("seeding", len(self.seconds), len(SEED_PHASES))


def count(engine: Engine) -> dict[str, int]:
    """Rows per loaded table (and clinics)."""
    with engine.connect() as connection:
        return {
            table: int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
            for table in (*LOADED_TABLES, "clinic", "staff_member", "room")
        }


def _load_settings(connection: Connection) -> None:
    """For the load only: no wait for the WAL flush, fast TOAST compression, sort memory."""
    connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    connection.exec_driver_sql("SET LOCAL default_toast_compression = lz4")
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    connection.exec_driver_sql("SET LOCAL work_mem = '128MB'")


# --------------------------------------------------------------------------- indexes


class Indexes:
    """The loaded tables' secondary indexes and constraints, as the catalog defines them.

    Primary keys stay (every row needs its own); everything else is dropped before the load
    and re-created after it, in dependency order, from the definitions read here.
    """

    def __init__(self, engine: Engine) -> None:
        with engine.connect() as connection:
            self.foreign_keys = _constraints(connection, "f")
            self.constraints = _constraints(connection, "ux")
            self.indexes = _plain_indexes(connection)

    def drop(self, connection: Connection) -> None:
        for table, name, _ in (*self.foreign_keys, *self.constraints):
            connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _, name, _ in self.indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')

    def restore(self, connection: Connection) -> None:
        for _, _, definition in self.indexes:
            connection.exec_driver_sql(definition)
        for table, name, definition in (*self.constraints, *self.foreign_keys):
            connection.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    def snapshot(self) -> set[tuple[str, str, str]]:
        return {*self.foreign_keys, *self.constraints, *self.indexes}


def _loaded_oids() -> str:
    names = ", ".join(f"'{table}'::regclass" for table in LOADED_TABLES)
    return f"({names})"


def _constraints(connection: Connection, kinds: str) -> list[tuple[str, str, str]]:
    kind_list = ", ".join(f"'{kind}'" for kind in kinds)
    query = f"""
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE contype IN ({kind_list})
          AND (conrelid IN {_loaded_oids()} OR confrelid IN {_loaded_oids()})
        ORDER BY 1, 2
    """
    return [(str(r[0]), str(r[1]), str(r[2])) for r in connection.exec_driver_sql(query)]


def _plain_indexes(connection: Connection) -> list[tuple[str, str, str]]:
    query = f"""
        SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,
               pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid IN {_loaded_oids()}
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1, 2
    """
    return [(str(r[0]), str(r[1]), str(r[2])) for r in connection.exec_driver_sql(query)]


# --------------------------------------------------------------------------- clinics


def _home_clinic(connection: Connection) -> UUID:
    found = connection.exec_driver_sql(
        "SELECT clinic_id FROM staff_member WHERE email = 'clinician@demo.needlepoint.test'"
    ).scalar_one_or_none()
    if found is None:
        raise RuntimeError("no demo clinic: run `needlepoint demo` on this database first")
    return UUID(str(found))


def _templates(connection: Connection) -> None:
    """One row of JSON documents the demo wrote: a signed chart's session, series, consultation."""
    connection.exec_driver_sql("""
        CREATE TEMP TABLE seed_template ON COMMIT DROP AS
        SELECT c.intake, c.report, c.decision, c.knowledge_versions,
               s.proposal, s.plan, s.deviations,
               ss.rescreen AS session_rescreen, ss.excluded_zones,
               cv.chart, cv.rescreen AS chart_rescreen, cv.notes,
               (s.plan->>'sessions')::int AS sessions,
               (s.plan->>'interval_days')::int AS interval_days,
               (SELECT password_hash FROM staff_member
                WHERE email = 'clinician@demo.needlepoint.test') AS password_hash
        FROM chart_version cv
        JOIN treatment_session ss ON ss.id = cv.session_id
        JOIN treatment_series s ON s.id = ss.series_id
        JOIN consultation c ON c.id = s.consultation_id
        WHERE cv.signed_at IS NOT NULL AND ss.status = 'signed'
        LIMIT 1
    """)
    sessions = connection.exec_driver_sql("SELECT sessions FROM seed_template").scalar_one()
    if not 1 <= sessions <= COMPLETED_HOURS:
        raise RuntimeError(f"the template plan has {sessions} sessions: expected 1 to 6")


def _clinics(connection: Connection, plan: Plan, home: UUID) -> None:
    """The clinics with their practitioners and rooms (``seed_clinic``: one row per clinic)."""
    connection.exec_driver_sql(
        "CREATE TEMP TABLE seed_clinic (idx int PRIMARY KEY, id uuid, zone text, "
        "practitioners uuid[], rooms uuid[]) ON COMMIT DROP"
    )
    for idx, wanted in enumerate(plan.practitioners_by_clinic()):
        clinic_id = home if idx == 0 else _new_clinic(connection, idx)
        _add_practitioners(connection, idx, clinic_id, wanted)
        _add_rooms(connection, idx, clinic_id, wanted)
        connection.execute(
            text("""
                INSERT INTO seed_clinic
                SELECT :idx, c.id, c.time_zone,
                  (SELECT array_agg(id ORDER BY created_at, email) FROM staff_member
                   WHERE clinic_id = c.id AND role = 'clinician' AND active),
                  (SELECT array_agg(id ORDER BY name) FROM room
                   WHERE clinic_id = c.id AND active)
                FROM clinic c WHERE c.id = :clinic_id
            """),
            {"idx": idx, "clinic_id": clinic_id},
        )


def _new_clinic(connection: Connection, idx: int) -> UUID:
    return UUID(
        str(
            connection.execute(
                text("""
                INSERT INTO clinic (id, name, time_zone, created_at, phone)
                VALUES (md5('scale-clinic-' || :idx)::uuid, 'Scale clinic ' || :idx,
                        'Europe/London', now(), '020 7946 0' || lpad(CAST(:idx AS text), 3, '0'))
                RETURNING id
            """),
                {"idx": idx},
            ).scalar_one()
        )
    )


def _add_practitioners(connection: Connection, idx: int, clinic_id: UUID, wanted: int) -> None:
    connection.execute(
        text("""
            INSERT INTO staff_member (id, clinic_id, email, display_name, role,
                                      licence_max_depth_mm, password_hash, active, created_at)
            SELECT md5('scale-staff-' || :idx || '-' || j)::uuid, :clinic_id,
                   'clinician-' || :idx || '-' || j || '@scale.needlepoint.test',
                   'Dr Scale ' || :idx || '-' || j, 'clinician', 1.5,
                   (SELECT password_hash FROM seed_template), true, now() + j * interval '1 us'
            FROM generate_series(1, :wanted - (SELECT count(*) FROM staff_member
                 WHERE clinic_id = :clinic_id AND role = 'clinician' AND active)) AS j
        """),
        {"idx": idx, "clinic_id": clinic_id, "wanted": wanted},
    )


def _add_rooms(connection: Connection, idx: int, clinic_id: UUID, wanted: int) -> None:
    connection.execute(
        text("""
            INSERT INTO room (id, clinic_id, name, active)
            SELECT md5('scale-room-' || :idx || '-' || j)::uuid, :clinic_id,
                   'Scale room ' || lpad(j::text, 3, '0'), true
            FROM generate_series(1, :wanted - (SELECT count(*) FROM room
                 WHERE clinic_id = :clinic_id AND active)) AS j
        """),
        {"idx": idx, "clinic_id": clinic_id, "wanted": wanted},
    )


# --------------------------------------------------------------------------- patients


def _sql_array(values: Iterable[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"


def _patients(connection: Connection, plan: Plan) -> None:
    """``seed_patient``: each patient's clinic, kind, rank within both, and details; inserted."""
    given = _sql_array(name for name, _ in GIVEN_NAMES)
    sexes = _sql_array(sex for _, sex in GIVEN_NAMES)
    family = _sql_array(FAMILY_NAMES)
    connection.execute(
        text(f"""
            CREATE TEMP TABLE seed_patient ON COMMIT DROP AS
            WITH numbered AS (
              SELECT i, CASE WHEN :clinics = 1 OR i % 2 = 0 THEN 0
                             ELSE 1 + (i / 2) % (:clinics - 1) END AS clinic_idx,
                     abs(hashtext('kind' || i)) % 1000 AS k,
                     1 + abs(hashtext('given' || i)) % {len(GIVEN_NAMES)} AS g,
                     1 + abs(hashtext('family' || i)) % {len(FAMILY_NAMES)} AS f
              FROM generate_series(1, :patients) AS i
            ), kinded AS (
              SELECT *, CASE WHEN k < 300 THEN 'completed' WHEN k < 303 THEN 'active'
                             WHEN k < 304 THEN 'planned' WHEN k < 334 THEN 'cancelled'
                             WHEN k < 434 THEN 'consulted' ELSE 'registered' END AS kind
              FROM numbered
            )
            SELECT n.i, n.kind, md5('scale-patient-' || n.i)::uuid AS id,
                   c.id AS clinic_id, c.zone, c.practitioners, c.rooms,
                   cardinality(c.practitioners) AS p,
                   (row_number() OVER (PARTITION BY n.clinic_idx, n.kind ORDER BY n.i) - 1)::int
                     AS r,
                   ({given})[n.g] AS given_name, ({sexes})[n.g] AS sex,
                   ({family})[n.f] AS family_name
            FROM kinded n JOIN seed_clinic c ON c.idx = n.clinic_idx
        """),
        {"patients": plan.patients, "clinics": plan.clinics},
    )
    connection.exec_driver_sql("ALTER TABLE seed_patient ADD PRIMARY KEY (i)")
    _schedule(connection, plan)
    connection.execute(
        text("""
        INSERT INTO patient (id, clinic_id, given_name, family_name, search_name, born_on, sex,
                             email, phone, created_at, version)
        SELECT id, clinic_id, given_name, family_name,
               lower(given_name) || ' ' || lower(family_name),
               date '1950-01-01' + abs(hashtext('born' || i)) % 20000,
               sex,
               CASE WHEN i % 10 <> 0
                    THEN lower(given_name) || '.' || lower(family_name) || '.' || i
                         || '@patients.scale.test' END,
               '07700 ' || lpad((i % 1000000)::text, 6, '0'),
               registered_at, 1
        FROM seed_patient
    """)
    )


def _schedule(connection: Connection, plan: Plan) -> None:
    """Each patient's slot (practitioner, hour) and days: see the module docstring.

    Completed series: ``per`` hours a day per session number (hours 0-5), so the slot of
    (rank, session) is unique; session n is ``interval * (sessions - n)`` days before the last.
    Active series: hours 6-7, session 1 before today, session 2 the same slot from today.
    Planned series: hours 8-9 from today.
    """
    connection.execute(
        text(f"""
            CREATE TEMP TABLE seed_slot ON COMMIT DROP AS
            SELECT sp.i,
              CASE sp.kind
                WHEN 'completed' THEN sp.r % (sp.p * per) % sp.p
                ELSE sp.r % (sp.p * 2) % sp.p END AS prac,
              CASE sp.kind
                WHEN 'completed' THEN sp.r % (sp.p * per) / sp.p
                WHEN 'active' THEN 6 + sp.r % (sp.p * 2) / sp.p
                WHEN 'planned' THEN 8 + sp.r % (sp.p * 2) / sp.p
                ELSE 0 END AS hour,
              CASE sp.kind
                WHEN 'completed' THEN 1 + sp.r / (sp.p * per)
                WHEN 'active' THEN 1 + sp.r / (sp.p * 2)
                ELSE sp.r / (sp.p * 2) END AS day,
              t.sessions, t.interval_days, per
            FROM seed_patient sp
            CROSS JOIN (SELECT sessions, interval_days,
                               {COMPLETED_HOURS} / sessions AS per FROM seed_template) t
        """),
        {"today": plan.today},
    )
    for statement in _SCHEDULE:
        connection.execute(text(statement), {"today": plan.today})


_SCHEDULE: Final = (
    """
    ALTER TABLE seed_patient
      ADD COLUMN practitioner uuid, ADD COLUMN room uuid, ADD COLUMN hour int,
      ADD COLUMN first_day date, ADD COLUMN sessions int, ADD COLUMN interval_days int,
      ADD COLUMN consulted_on date, ADD COLUMN registered_at timestamptz,
      ADD COLUMN awaiting boolean, ADD COLUMN booked boolean
    """,
    """
    UPDATE seed_patient sp SET
      practitioner = sp.practitioners[1 + s.prac], room = sp.rooms[1 + s.prac],
      hour = s.hour, sessions = s.sessions, interval_days = s.interval_days,
      first_day = CASE sp.kind
        WHEN 'completed'
          THEN CAST(:today AS date) - s.day - (s.sessions - 1) * s.interval_days
        WHEN 'active' THEN CAST(:today AS date) - s.day
        WHEN 'planned' THEN CAST(:today AS date) + s.day END,
      awaiting = sp.kind = 'active' AND sp.r % 50 = 0,
      booked = (sp.kind = 'active' AND sp.r % 50 <> 0 AND sp.r % 10 <> 9)
            OR (sp.kind = 'planned' AND sp.r % 5 <> 4)
    FROM seed_slot s WHERE s.i = sp.i
    """,
    """
    UPDATE seed_patient SET consulted_on = CASE kind
        WHEN 'completed' THEN first_day - 14
        WHEN 'active' THEN first_day - 14
        WHEN 'planned' THEN CAST(:today AS date) - 7 - r % 30
        WHEN 'cancelled' THEN CAST(:today AS date) - 30 - i % 2000
        WHEN 'consulted' THEN CAST(:today AS date) - i % 3000 END
    """,
    """
    UPDATE seed_patient SET registered_at = (coalesce(consulted_on - 1,
        CAST(:today AS date) - i % 3650) + time '09:00') AT TIME ZONE zone
    """,
)


# --------------------------------------------------------------------------- histories


def _histories(connection: Connection, plan: Plan) -> None:
    """Consultations, series, sessions, charts and appointments, one statement each."""
    for statement in _HISTORY:
        connection.execute(text(statement), {"today": plan.today})


def _at(day: str, hour: str, minutes: int = 0) -> str:
    """SQL for the instant ``hour`` slots after 08:00 local on ``day``, plus ``minutes``."""
    return (
        f"(({day}) + time '08:00' + ({hour}) * interval '1 hour' "
        f"+ interval '{minutes} minutes') AT TIME ZONE sp.zone"
    )


# Sessions held per patient: every planned one of a completed series, session 1 of an active one.
_HELD: Final = """
    SELECT sp.*, n,
           sp.first_day + (n - 1) * sp.interval_days AS day,
           CASE WHEN sp.kind = 'completed'
                THEN sp.hour + (n - 1) * (6 / sp.sessions) ELSE sp.hour END AS slot
    FROM seed_patient sp
    CROSS JOIN LATERAL generate_series(1, CASE sp.kind WHEN 'completed' THEN sp.sessions
                                                       WHEN 'active' THEN 1 ELSE 0 END) AS n
"""

_HISTORY: Final = (
    f"""
    INSERT INTO consultation (id, clinic_id, patient_id, consulted_on, intake, report, decision,
        knowledge_versions, status, created_at, created_by, signed_at, signed_by)
    SELECT md5('scale-consultation-' || sp.i)::uuid, sp.clinic_id, sp.id, sp.consulted_on,
           t.intake, t.report, t.decision, t.knowledge_versions, 'signed',
           {_at("sp.consulted_on", "2")}, sp.practitioner,
           {_at("sp.consulted_on", "2", 30)}, sp.practitioner
    FROM seed_patient sp CROSS JOIN seed_template t
    WHERE sp.kind <> 'registered'
    """,
    f"""
    INSERT INTO treatment_series (id, clinic_id, patient_id, consultation_id, proposal, plan,
        deviations, status, created_at, created_by, version, cancelled_at, cancelled_by,
        cancel_reason)
    SELECT md5('scale-series-' || sp.i)::uuid, sp.clinic_id, sp.id,
           md5('scale-consultation-' || sp.i)::uuid, t.proposal, t.plan, t.deviations,
           CASE sp.kind WHEN 'completed' THEN 'completed' WHEN 'active' THEN 'in_progress'
                        ELSE sp.kind END,
           {_at("sp.consulted_on", "3")}, sp.practitioner, 1,
           CASE WHEN sp.kind = 'cancelled' THEN {_at("sp.consulted_on + 7", "3")} END,
           CASE WHEN sp.kind = 'cancelled' THEN sp.practitioner END,
           CASE WHEN sp.kind = 'cancelled' THEN 'The patient chose not to go ahead.' END
    FROM seed_patient sp CROSS JOIN seed_template t
    WHERE sp.kind IN ('completed', 'active', 'planned', 'cancelled')
    """,
    f"""
    INSERT INTO treatment_session (id, series_id, clinic_id, patient_id, number, status,
        started_at, started_by, rescreen, excluded_zones)
    SELECT md5('scale-session-' || h.i || '-' || h.n)::uuid,
           md5('scale-series-' || h.i)::uuid, h.clinic_id, h.id, h.n,
           CASE WHEN h.awaiting THEN 'started' ELSE 'signed' END,
           {_at("h.day", "h.slot").replace("sp.", "h.")}, h.practitioner,
           t.session_rescreen, t.excluded_zones
    FROM ({_HELD}) h CROSS JOIN seed_template t
    """,
    f"""
    INSERT INTO chart_version (id, session_id, clinic_id, patient_id, version, chart, rescreen,
        notes, cartridge_lot, cartridge_expires_on, created_at, created_by, signed_at,
        signed_by)
    SELECT md5('scale-chart-' || h.i || '-' || h.n)::uuid,
           md5('scale-session-' || h.i || '-' || h.n)::uuid, h.clinic_id, h.id, 1,
           t.chart, t.chart_rescreen, t.notes,
           'SCALE-LOT-' || to_char(h.day, 'YYMM'), h.day + 365,
           {_at("h.day", "h.slot", 40).replace("sp.", "h.")}, h.practitioner,
           CASE WHEN NOT h.awaiting THEN {_at("h.day", "h.slot", 50).replace("sp.", "h.")} END,
           CASE WHEN NOT h.awaiting THEN h.practitioner END
    FROM ({_HELD}) h CROSS JOIN seed_template t
    """,
    f"""
    INSERT INTO appointment (id, clinic_id, patient_id, series_id, session_number,
        practitioner_id, room_id, starts_at, ends_at, status, created_at, created_by, version,
        session_id)
    SELECT md5('scale-appointment-' || h.i || '-' || h.n)::uuid, h.clinic_id, h.id,
           md5('scale-series-' || h.i)::uuid, h.n, h.practitioner, h.room,
           {_at("h.day", "h.slot").replace("sp.", "h.")},
           {_at("h.day", "h.slot + 1").replace("sp.", "h.")},
           'attended', {_at("h.consulted_on", "4").replace("sp.", "h.")}, h.practitioner, 1,
           md5('scale-session-' || h.i || '-' || h.n)::uuid
    FROM ({_HELD}) h
    """,
    f"""
    INSERT INTO appointment (id, clinic_id, patient_id, series_id, session_number,
        practitioner_id, room_id, starts_at, ends_at, status, created_at, created_by, version)
    SELECT md5('scale-appointment-' || sp.i || '-' || n)::uuid, sp.clinic_id, sp.id,
           md5('scale-series-' || sp.i)::uuid, n, sp.practitioner, sp.room,
           {_at("day", "sp.hour")}, {_at("day", "sp.hour + 1")},
           'booked', {_at("sp.consulted_on", "4")}, sp.practitioner, 1
    FROM seed_patient sp
    CROSS JOIN LATERAL (
      SELECT CASE sp.kind WHEN 'active' THEN 2 ELSE 1 END AS n,
             CASE sp.kind WHEN 'active' THEN CAST(:today AS date) + (CAST(:today AS date)
                  - sp.first_day - 1) ELSE sp.first_day END AS day
    ) next
    WHERE sp.booked
    """,
    # The stored next session due (domain.series_due, migration 2026-12-10_series_next_due)
    # of every active series, set-based: the seeding drops the indexes that the migration's
    # per-series subqueries would read.
    """
    WITH held AS (
      SELECT series_id, count(*) AS n, max(started_at) AS last_started_at
      FROM treatment_session GROUP BY series_id
    ), progress AS (
      SELECT s.id, coalesce(h.n, 0) AS n, h.last_started_at
      FROM treatment_series s LEFT JOIN held h ON h.series_id = s.id
      WHERE s.status IN ('planned', 'in_progress')
    ), next_session AS (
      SELECT p.id, bool_or(a.status = 'attended') AS attended,
             max(a.starts_at) FILTER (WHERE a.status = 'booked') AS booked_at
      FROM progress p
      JOIN appointment a ON a.series_id = p.id AND a.session_number = p.n + 1
      GROUP BY p.id
    )
    UPDATE treatment_series s
    SET next_due_on = coalesce(
          CAST((p.last_started_at AT TIME ZONE 'UTC') AS DATE)
            + CAST(s.plan ->> 'interval_days' AS INTEGER),
          CAST(s.proposal -> 'series' -> 'dated' -> 0 ->> 'on' AS DATE),
          CAST((s.created_at AT TIME ZONE 'UTC') AS DATE)),
        next_booked_at = x.booked_at
    FROM progress p LEFT JOIN next_session x ON x.id = p.id
    WHERE s.id = p.id AND p.n < CAST(s.plan ->> 'sessions' AS INTEGER)
      AND NOT coalesce(x.attended, false)
    """,
)


# --------------------------------------------------------------------------- audit trail

_EVENTS: Final = """
    SELECT p.created_at AS at, s.id AS actor_id, 'clinician' AS actor_role,
           'patient.create' AS action, 'patient' AS resource_type, p.id::text AS resource_id,
           p.id AS patient_id
    FROM patient p
    JOIN LATERAL (SELECT id FROM staff_member WHERE clinic_id = p.clinic_id
                  AND role = 'clinician' ORDER BY created_at LIMIT 1) s ON true
    WHERE p.id IN (SELECT id FROM seed_ids)
    UNION ALL
    SELECT signed_at, signed_by, 'clinician', 'consultation.sign', 'consultation', id::text,
           patient_id
    FROM consultation WHERE patient_id IN (SELECT id FROM seed_ids)
    UNION ALL
    SELECT created_at, created_by, 'clinician', 'series.create', 'treatment_series', id::text,
           patient_id
    FROM treatment_series WHERE patient_id IN (SELECT id FROM seed_ids)
    UNION ALL
    SELECT signed_at, signed_by, 'clinician', 'chart.sign', 'treatment_session',
           session_id::text, patient_id
    FROM chart_version WHERE signed_at IS NOT NULL AND patient_id IN (SELECT id FROM seed_ids)
    UNION ALL
    SELECT created_at, created_by, 'clinician', 'appointment.book', 'treatment_series',
           series_id::text, patient_id
    FROM appointment WHERE patient_id IN (SELECT id FROM seed_ids)
    ORDER BY 1, 4, 6
"""

_AUDIT_COLUMNS: Final = (
    "seq, at, actor_id, actor_role, action, resource_type, resource_id, patient_id, "
    "outcome, request_id, prev_hash, hash, writer_id, writer_seq"
)


def append_audit_trail(engine: Engine, patients: int) -> int:
    """Append the seeded records' events to the audit trail, chained; returns how many.

    Read in time order on one connection and COPY'd on another, so memory stays flat.
    """
    with engine.connect() as reader, engine.connect() as writer:
        reader.execute(
            text(
                "CREATE TEMP TABLE seed_ids AS SELECT md5('scale-patient-' || i)::uuid AS id "
                "FROM generate_series(1, :patients) AS i"
            ),
            {"patients": patients},
        )
        reader.exec_driver_sql("ALTER TABLE seed_ids ADD PRIMARY KEY (id)")
        seq = writer.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM audit_event").scalar_one()
        legacy = writer.exec_driver_sql(
            "SELECT hash FROM audit_event WHERE writer_id IS NULL ORDER BY seq DESC LIMIT 1"
        ).scalar_one_or_none()
        head = GENESIS_HASH if legacy is None else legacy
        rows = reader.execution_options(yield_per=20_000).exec_driver_sql(_EVENTS)
        written = _copy(writer, chain_events(_events(rows), str(uuid4()), head), seq)
        writer.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('audit_event', 'seq'), "
            "(SELECT max(seq) FROM audit_event))"
        )
        _load_settings(writer)
        writer.commit()
        reader.rollback()
    return written


def _events(rows: Iterable[Any]) -> Iterator[AuditEvent]:
    for at, actor_id, role, action, resource_type, resource_id, patient_id in rows:
        yield AuditEvent(
            at=at,
            actor_id=actor_id,
            actor_role=role,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            patient_id=patient_id,
            outcome="success",
            request_id=SEED_REQUEST_ID,
        )


# ====================== AUDIT CHAIN: adapt here when the chain changes =======================
# The one place that knows how an audit row is chained (ADR 0032): the seeder is one more
# writer, with its own chain keyed with HMAC under AUDIT_KEY, starting from the legacy chain's
# head like every writer's chain; nothing else in the seeder computes a hash.
AUDIT_KEY: Final = "scale-bench-audit-key-not-a-secret-0123456789"
"""The audit key the benchmark's processes share (NEEDLEPOINT_AUDIT_KEY): a scratch database."""


def chain_events(
    events: Iterable[AuditEvent], writer: str, prev_hash: str
) -> Iterator[tuple[Link, AuditEvent, str]]:
    """(link, event, hash) for each event, in a new chain of ``writer`` after ``prev_hash``."""
    key = AUDIT_KEY.encode("utf-8")
    for writer_seq, event in enumerate(events, start=1):
        link = Link(writer, writer_seq, prev_hash)
        digest = keyed_hash(key, link, event)
        yield link, event, digest
        prev_hash = digest


# =============================================================================================


def _copy(writer: Connection, chained: Iterable[tuple[Link, AuditEvent, str]], seq: int) -> int:
    driver = writer.connection.driver_connection
    assert driver is not None
    written = 0
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY audit_event ({_AUDIT_COLUMNS}) FROM STDIN") as copy,
    ):
        for link, event, digest in chained:
            seq += 1
            copy.write_row(
                (
                    seq,
                    event.at,
                    event.actor_id,
                    event.actor_role,
                    event.action,
                    event.resource_type,
                    event.resource_id,
                    event.patient_id,
                    event.outcome,
                    event.request_id,
                    link.prev_hash,
                    digest,
                    link.writer_id,
                    link.writer_seq,
                )
            )
            written += 1
    return written
