"""The ``needlepoint`` command: consult, schema, knowledge.

Thin by design: read the file, call one service, render, set the exit code. Exit codes:
0 success, 2 bad input (the message names the field and the fix), 3 a broken installation
(knowledge tables that do not validate).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
import yaml

from needlepoint.adapters import data_dir_lock
from needlepoint.adapters.bounded_documents import (
    DocumentRefused,
    load_bounded_text,
    read_bounded_bytes,
)
from needlepoint.adapters.private_files import PRIVATE_UMASK, private_dir, write_private_text
from needlepoint.bootstrap import bootstrap, consulting
from needlepoint.domain.errors import DomainError, InvalidInputError, KnowledgeError
from needlepoint.domain.records import Role
from needlepoint.engine_settings import SettingsError

if TYPE_CHECKING:
    from uuid import UUID

    from rich.console import Console

    from needlepoint.bootstrap import Services
    from needlepoint.services.audit import RequestContext

app = typer.Typer(
    name="needlepoint",
    help="Microneedling programmes: screen, grade, plan and time them from cited knowledge.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _out() -> Console:
    """Rich is imported only when text is rendered: ``--json`` never pays for it."""
    from rich.console import Console  # noqa: PLC0415 - deferred on purpose (start-up time)

    return Console(soft_wrap=False, highlight=False)


def _err() -> Console:
    from rich.console import Console  # noqa: PLC0415 - deferred on purpose (start-up time)

    return Console(stderr=True, soft_wrap=True, highlight=False)


def _progress_bars(*, quiet: bool = False) -> Any:
    """Rich progress bars on stderr (none when it is not a terminal, or ``quiet``)."""
    from needlepoint.entrypoints.cli.progress import progress_bars  # noqa: PLC0415 - Rich

    return progress_bars(quiet=quiet)


def _render() -> Any:
    from needlepoint.entrypoints.cli import render  # noqa: PLC0415 - pulls in Rich

    return render


T = TypeVar("T")
EXIT_BAD_INPUT = 2
EXIT_BROKEN_INSTALL = 3
EXIT_DATA_DIR_BUSY = 4
"""A restore refused because a server holds the data directory (or a server refused because a
restore does): nothing was changed; try again once the other has stopped."""
EXIT_BACKUP_REFUSED = 5
"""A restore refused because the backup does not open (wrong backup key, cut short, changed)
or fails its integrity check: nothing was changed."""


@app.command()
def consult(
    file: Annotated[Path, typer.Argument(help="Consultation file (YAML or JSON).")],
    appointment: Annotated[
        str | None,
        typer.Option(help="First session, e.g. 2026-12-07T10:00 (clinic local time)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Screen a consultation and propose its programme: decision first, then the plan."""
    engine = _checked_setup(consulting)
    document = _read_document(file)
    try:
        report = engine.consultation_report(document, appointment=appointment)
    except InvalidInputError as error:
        _fail_input(file.name, error)
    if as_json:
        # Plain JSON for machines and pipes: Rich's highlighting would cost more than the engine.
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        _render().consultation(_out(), report)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the consultation file."""
    sys.stdout.write(json.dumps(_services().consultation.consultation_schema(), indent=2) + "\n")


@app.command()
def knowledge(
    table: Annotated[str | None, typer.Argument(help="A table name, to list its rows.")] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print every table as Markdown (for docs/).")
    ] = False,
) -> None:
    """List the knowledge tables with their versions and sources, or one table's rows."""
    services = _services()
    if markdown:
        print(services.consultation.knowledge_reference(), end="")  # noqa: T201 - raw Markdown, no styling
        return
    if table is None:
        _render().tables(_out(), services.consultation.knowledge_tables())
        return
    try:
        rows = services.consultation.knowledge_rows(table)
    except KnowledgeError as error:
        _err().print(f"[red]No table named '{escape(table)}'.[/] {escape(error.detail)}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    _render().rows(_out(), table, rows)


db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
clinic_app = typer.Typer(help="Clinics.", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys (docs/keys.md).", no_args_is_help=True)
export_app = typer.Typer(help="Export a clinic's records (docs/fhir.md).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(clinic_app, name="clinic")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(export_app, name="export")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every database migration (creates the database if it is new)."""
    services = _services()
    private_dir(services.settings.data_dir)
    services.database.upgrade()
    sys.stdout.write("database is up to date\n")


@clinic_app.command("add")
def clinic_add(
    name: Annotated[str, typer.Argument(help="The clinic's name.")],
    time_zone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/London.")],
) -> None:
    """Create a clinic and print its id."""
    clinic = _checked(lambda: _services().accounts.add_clinic(name=name, time_zone=time_zone))
    sys.stdout.write(f"{clinic.id}\n")


@user_app.command("add")
def user_add(
    clinic: Annotated[str, typer.Option(help="Clinic id (from `needlepoint clinic add`).")],
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Name shown on charts.")],
    role: Annotated[Role, typer.Option(help="admin, clinician or front_desk.")],
    licence_mm: Annotated[
        str | None, typer.Option(help="Clinicians: deepest setting their licence allows, mm.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a staff account; the password is prompted for (or read from stdin).

    The machine's operator needs no account to do this (it is how the first admin is made);
    the creation is audited with the role ``operator``.
    """
    from needlepoint.services.accounts import staff as accounts  # noqa: PLC0415

    password = _password(password_stdin)
    new = accounts.NewStaff(
        clinic_id=_uuid("--clinic", clinic),
        email=email,
        display_name=name,
        role=role,
        licence_max_depth_mm=_millimetres(licence_mm),
        password=password,
    )
    operator = _operator()
    member = _checked(lambda: _services().accounts.add_staff(new, context=operator))
    sys.stdout.write(f"{member.id}\n")


@user_app.command("two-step-off")
def user_two_step_off(
    email: Annotated[str, typer.Option(help="The member's sign-in email.")],
) -> None:
    """Remove a member's authenticator app and recovery codes (a lost phone); sessions end.

    At their next sign-in an admin (or anyone whose clinic requires it) sets up a new app;
    anyone else signs in with the password alone. Audited as ``mfa.reset`` by the operator.
    """
    operator = _operator()
    had = _checked(lambda: _services().accounts.reset_two_step(email, context=operator))
    said = "removed their app and recovery codes" if had else "they had no app; nothing to remove"
    sys.stdout.write(f"{email}: {said}\n")


@export_app.command("fhir")
def export_fhir(
    clinic: Annotated[str, typer.Option(help="The clinic's id or its name.")],
    out: Annotated[Path, typer.Option(help="Folder for the NDJSON files and manifest.json.")],
    quiet: Annotated[bool, typer.Option("--quiet", help="Draw no progress bar.")] = False,
) -> None:
    """Export a clinic's records as FHIR R4B NDJSON (one file per resource type) + manifest.

    The same files as the API's Bulk Data ``$export``; audited as the machine's operator.
    The folder is made 0700 and each file 0600: they hold patient data.
    """
    from needlepoint.adapters.bulk_files import NdjsonFiles  # noqa: PLC0415

    if out.exists() and not out.is_dir():
        _fail_file(f"--out {escape(str(out))} is a file.", "Give a folder (it is made if missing).")
    services = _services()
    export = services.bulk_export
    clinic_id = _checked(lambda: export.find_clinic(clinic))
    operator = _operator()
    total = _checked(lambda: export.resources.patient_count(clinic_id))
    with _progress_bars(quiet=quiet) as step:

        def on_resource(resource_type: str, count: int) -> None:
            if resource_type == "Patient":
                step("patients", count, total)

        job = _checked(
            lambda: export.export_to(
                clinic_id, NdjsonFiles(out, flat=True), context=operator, on_progress=on_resource
            )
        )
    manifest = _bulk_manifest(job)
    write_private_text(out / "manifest.json", json.dumps(manifest, indent=1) + "\n")
    for exported in job.files:
        sys.stdout.write(f"{exported.file_name}\t{exported.resource_count}\n")
    sys.stdout.write(f"{out / 'manifest.json'}\n")


def _bulk_manifest(job: Any) -> dict[str, object]:
    from needlepoint.domain.bulk_export import manifest  # noqa: PLC0415

    return manifest(job, url_of=lambda exported: exported.file_name)


@app.command()
def backup(
    to: Annotated[
        Path | None, typer.Option(help="Folder for the backup (default: <data dir>/backups).")
    ] = None,
) -> None:
    """Take a consistent online backup, check its integrity, and print where it is."""
    services = _services()
    folder = to or services.settings.data_dir / "backups"
    with _progress_bars() as step:
        at = services.clock.now()
        report = _checked(lambda: services.database.backup(folder, at=at, progress=step))
    sys.stdout.write(f"{report.path}\n")
    if services.settings.backup_key is None:
        _err().print(
            f"Encrypted with the key in {escape(str(services.settings.backup_key_file))}: keep a "
            "copy of it apart from the backups, or they cannot be restored (docs/keys.md)."
        )


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by `needlepoint backup`.")],
    unencrypted: Annotated[
        bool,
        typer.Option(
            "--unencrypted", help="Accept a backup in clear, taken before backups were encrypted."
        ),
    ] = False,
) -> None:
    """Restore a backup (stop the server first); refuses a backup that fails its checks.

    Exits 4, changing nothing, while a server holds the data directory; exits 5, changing
    nothing, when the backup does not open with the backup key or fails its checks.
    """
    from needlepoint.adapters.backup_crypto import BackupError  # noqa: PLC0415 - on use

    services = _services()
    settings = services.settings
    if not file.is_file():
        _fail_file(
            f"{escape(str(file))}: no such backup.", "Give a file `needlepoint backup` wrote."
        )
    if settings.backup_key is None and not settings.backup_key_file.exists():
        _err().print(
            "[red]Nothing was restored: no backup key here:[/] NEEDLEPOINT_BACKUP_KEY is unset "
            f"and {escape(str(settings.backup_key_file))} does not exist. Set "
            "NEEDLEPOINT_BACKUP_KEY to the key the backup was taken with (docs/keys.md)."
        )
        raise typer.Exit(EXIT_BROKEN_INSTALL)
    refused: BackupError | None = None

    def restoring() -> Any:
        nonlocal refused
        try:
            with _progress_bars() as step:
                return services.database.restore(file, allow_unencrypted=unencrypted, progress=step)
        except BackupError as error:
            refused = error
            return None

    try:
        with data_dir_lock.held_alone(services.settings.data_dir):
            report = _checked(restoring)
    except data_dir_lock.DataDirBusy as busy:
        _err().print(f"[red]Nothing was restored: {escape(str(busy))}.[/]")
        raise typer.Exit(EXIT_DATA_DIR_BUSY) from None
    if refused is not None or report is None:
        _err().print(f"[red]Nothing was restored:[/] {escape(str(refused))}.")
        raise typer.Exit(EXIT_BACKUP_REFUSED)
    rows = sum(report.row_counts.values())
    sys.stdout.write(f"restored {file} ({rows} rows), integrity verified\n")


@app.command()
def demo(
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete the local SQLite demo database first.")
    ] = False,
    cohort: Annotated[
        bool,
        typer.Option(
            "--cohort",
            help="Also write synthetic completed series (outcomes at 3 and 6 months) for the "
            "analytics page; 4 sessions improve the GB score 2.0 points more than 3.",
        ),
    ] = False,
    series: Annotated[
        int,
        typer.Option("--series", min=1, max=100_000, help="How many series --cohort writes."),
    ] = 300,
    seed: Annotated[int, typer.Option("--seed", help="The cohort's random seed.")] = 15,
) -> None:
    """Create a demo clinic with staff and patients in every state, and print the logins.

    With ``--cohort``, the clinic also gets ``--series`` synthetic completed series.
    """
    services = _services()
    database_file = services.settings.data_dir / "needlepoint.sqlite3"
    if reset and services.settings.database_url is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database_file}{suffix}").unlink(missing_ok=True)
    private_dir(services.settings.data_dir)
    services.database.upgrade()
    if services.database.has_clinics():
        _fail_file("This database already has clinics.", "Use --reset (local SQLite only).")
    from needlepoint.entrypoints.cli import demo as demo_data  # noqa: PLC0415 - only here

    logins, clinician = _checked(lambda: demo_data.seed_clinic(services))
    if cohort:
        _checked(lambda: _seed_cohort(services, clinician, series, seed))
    sys.stdout.write("Demo clinic ready. Sign in with:\n")
    for login in logins:
        sys.stdout.write(f"  {login.role.value:<11} {login.email}  password: {login.password}\n")


def _seed_cohort(services: Services, clinician: RequestContext, count: int, seed: int) -> None:
    """The synthetic cohort, with a progress bar on stderr."""
    from rich.progress import Progress  # noqa: PLC0415 - deferred on purpose (start-up time)

    from needlepoint.entrypoints.cli import demo_cohort  # noqa: PLC0415 - only here

    with Progress(console=_err(), transient=False) as progress:
        task = progress.add_task("Synthetic cohort (completed series)", total=count)
        seeded = demo_cohort.seed_cohort(
            services,
            clinician,
            count=count,
            seed=seed,
            progress=lambda done: progress.update(task, completed=done),
        )
    _err().print(f"Cohort: {seeded.series} completed series, {seeded.outcomes} outcomes.")


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        Path | None,
        typer.Option(
            "--anchor",
            help="An anchor written earlier by `audit anchor`: a chain shorter than it recorded "
            "(its newest events deleted) is reported as truncated.",
        ),
    ] = None,
) -> None:
    """Check the audit trail's chains; prints each chain's head, exits 1 naming the first bad row.

    With ``--anchor FILE`` each chain must still reach the head the anchor recorded.
    """
    heads = () if anchor is None else _read_anchor(anchor)
    services = _services_with_audit_key()
    report = _checked(lambda: services.database.verify_audit(heads))
    if report.ok:
        sys.stdout.write(
            f"audit trail intact: {report.checked} events in {len(report.heads)} chains\n"
            f"head {report.head_hash}\n"
        )
        for head in report.heads:
            sys.stdout.write(f"  chain {head.chain}: {head.count} events, head {head.head_hash}\n")
        return
    where = f"chain {report.first_bad_chain}, event {report.first_bad_chain_seq}"
    if report.first_bad_seq is not None:
        where = f"row {report.first_bad_seq} ({where})"
    _err().print(
        f"[red]audit trail broken ({report.problem}) at {where}:[/] {escape(report.detail)}"
    )
    raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(
    to: Annotated[
        Path,
        typer.Option(
            "--to",
            help="The file to write the anchor to; keep it off this machine (or print it).",
        ),
    ],
) -> None:
    """Verify the trail, then write each chain's head to a file kept outside the database."""
    from needlepoint.domain.audit_chain import anchor_document  # noqa: PLC0415 - only here

    services = _services_with_audit_key()
    report = _checked(services.database.verify_audit)
    if not report.ok:
        _err().print(f"[red]Not anchored: the audit trail is broken:[/] {escape(report.detail)}")
        raise typer.Exit(1)
    document = anchor_document(report.heads, taken_at=services.clock.now())
    _checked(lambda: to.write_text(document, encoding="utf-8"))
    sys.stdout.write(
        f"anchored {report.checked} events in {len(report.heads)} chains to {to}\n"
        f"head {report.head_hash}\n"
    )


BatchSize = Annotated[
    int, typer.Option(min=1, max=10_000, help="Rows re-encrypted per transaction.")
]


@keys_app.command("reencrypt-fields")
def keys_reencrypt_fields(batch_size: BatchSize = 500) -> None:
    """Encrypt every protected text still in clear or under a retired key with the current key.

    Run it once after upgrading (text written before field encryption) and after a rotation;
    it works in batches, each its own transaction, and can be run again if interrupted.
    """
    services = _services()
    operator = _operator()
    report = _checked(
        lambda: services.records.reencrypt_fields(batch_size=batch_size, context=operator)
    )
    _report_unreadable(report)
    sys.stdout.write(
        f"checked {report.checked} rows, re-encrypted {report.resealed}; every protected text "
        "is now under the current field key\n"
    )


def _operator() -> Any:
    """The machine's operator as the actor of a command's audit events, with a request id."""
    from uuid import uuid4  # noqa: PLC0415

    from needlepoint.services.audit import OperatorContext  # noqa: PLC0415

    return OperatorContext(request_id=f"cli-{uuid4().hex}")


def _report_unreadable(report: Any) -> None:
    """Exit 1 naming the values that did not open (left as they are), if any."""
    if not report.unreadable:
        return
    _err().print(
        f"[red]{len(report.unreadable)} protected texts do not open with any field key[/] "
        "(changed in the database, copied from another row, or sealed under a key that is "
        "not in NEEDLEPOINT_FIELD_KEYS_RETIRED); they were left as they are: "
        + ", ".join(report.unreadable[:20])
    )
    raise typer.Exit(1)


@keys_app.command("rotate-field-key")
def keys_rotate_field_key(batch_size: BatchSize = 500) -> None:
    """Make a new field key in <data dir>/field-key and re-encrypt every protected text with it.

    For the key kept in the data directory (stop the server first: exits 4 while one runs).
    The old key is kept in <data dir>/field-keys-retired for reading until you delete it.
    With NEEDLEPOINT_FIELD_KEY set, follow docs/keys.md instead.
    """
    from needlepoint.adapters import secret_file  # noqa: PLC0415 - only here

    services = _services()
    settings = services.settings
    if settings.field_key is not None:
        _err().print(
            "[red]Not rotated:[/] NEEDLEPOINT_FIELD_KEY is set, so the key lives in your "
            "settings: set a new NEEDLEPOINT_FIELD_KEY, move the old one into "
            "NEEDLEPOINT_FIELD_KEYS_RETIRED, restart, then run `needlepoint keys "
            "reencrypt-fields` (docs/keys.md)."
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        with data_dir_lock.held_alone(settings.data_dir):
            old = secret_file.load_or_create(settings.field_key_file).decode("ascii")
            retired = settings.field_keys_retired_file
            earlier = retired.read_text(encoding="ascii") if retired.exists() else ""
            write_private_text(retired, earlier + old + "\n")
            settings.field_key_file.unlink()
            secret_file.load_or_create(settings.field_key_file)
            fresh = bootstrap(settings, clock=services.clock)
            operator = _operator()
            report = _checked(
                lambda: fresh.records.reencrypt_fields(batch_size=batch_size, context=operator)
            )
    except data_dir_lock.DataDirBusy as busy:
        _err().print(f"[red]Not rotated: {escape(str(busy))}.[/]")
        raise typer.Exit(EXIT_DATA_DIR_BUSY) from None
    _report_unreadable(report)
    sys.stdout.write(
        f"new field key in {settings.field_key_file}; re-encrypted {report.resealed} of "
        f"{report.checked} rows. The old key stays in {retired} for reading: keep it until "
        "every backup taken before today has expired, then delete it.\n"
    )


def _services_with_audit_key() -> Services:
    """The services, if the audit key is here: checking with a key made now would fail every row."""
    services = _services()
    settings = services.settings
    if settings.audit_key is None and not settings.audit_key_file.exists():
        _err().print(
            f"[red]Settings:[/] no audit key here: NEEDLEPOINT_AUDIT_KEY is unset and "
            f"{escape(str(settings.audit_key_file))} does not exist. Run this where the server "
            "keeps its data (NEEDLEPOINT_DATA_DIR), or set NEEDLEPOINT_AUDIT_KEY to the "
            "servers' key."
        )
        raise typer.Exit(EXIT_BROKEN_INSTALL)
    return services


def _read_anchor(file: Path) -> Any:
    from needlepoint.domain.audit_chain import AnchorError, parse_anchor  # noqa: PLC0415

    name = escape(str(file))
    try:
        return parse_anchor(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail_file(f"{name}: no such file.", "Give the file `audit anchor --to` wrote.")
    except (OSError, UnicodeDecodeError):
        _fail_file(f"{name} cannot be read.", "Give the file `audit anchor --to` wrote.")
    except AnchorError as error:
        _fail_file(f"{name}: {escape(str(error))}.", "Give the file `audit anchor --to` wrote.")


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Deliver what is due now, then exit.")
    ] = False,
    batch: Annotated[int, typer.Option(help="Messages claimed at a time.", min=1, max=500)] = 20,
    lease_seconds: Annotated[
        float,
        typer.Option(help="How long a claim holds before another worker may take over.", min=1),
    ] = 120.0,
    poll_seconds: Annotated[
        float, typer.Option(help="Pause between passes when nothing is due.", min=0.05)
    ] = 5.0,
) -> None:
    """Send due reminders (email over SMTP, SMS if set up), each exactly once (ADR 0016).

    Run `needlepoint db upgrade` first. Several workers may share a database. SIGTERM or
    Ctrl-C stops a worker cleanly: it finishes the message in hand and gives back the rest.
    Logs carry message ids and counts only.
    """
    import logging  # noqa: PLC0415 - the worker's only, like the imports below
    import secrets  # noqa: PLC0415
    import signal  # noqa: PLC0415
    import socket  # noqa: PLC0415
    import threading  # noqa: PLC0415

    from needlepoint.services.messaging import delivery  # noqa: PLC0415

    services = _services()
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
    settings = delivery.WorkerSettings(
        worker_id=worker_id, batch_size=batch, lease=timedelta(seconds=lease_seconds)
    )
    loop = delivery.WorkerLoop(once=once, poll_seconds=poll_seconds, should_stop=stopping.is_set)
    try:
        report = services.messaging.run_worker(settings, loop)
    except SettingsError as error:
        _err().print(f"[red]Settings:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_BROKEN_INSTALL) from None
    sys.stdout.write(f"worker {worker_id} stopped: {report}\n")


MAX_WORKERS = 64
"""More server processes than this is a typo, not a deployment (each holds its own pool)."""

API_APP_FACTORY = "needlepoint.entrypoints.api.app:create_app_from_environment"
"""The API, named for uvicorn to import: the CLI never imports the API itself (the two
entrypoints are independent, see pyproject's import contracts), and an import string is what
uvicorn needs to run more than one worker."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            help="Server processes sharing the port. More than 1 needs NEEDLEPOINT_WEB_SECRET "
            "set (docs/deployment.md).",
            min=1,
            max=MAX_WORKERS,
        ),
    ] = 1,
) -> None:
    """Serve the web app and the REST API: migrations apply first; the database must be durable.

    The migrations and the durability check run once, here, before any worker starts.
    """
    services = _services()
    _refuse_unshared_secrets(services, workers)
    private_dir(services.settings.data_dir)
    try:
        data_dir_lock.hold_for_serving(services.settings.data_dir)  # released when we exit
    except data_dir_lock.DataDirBusy as busy:
        _err().print(f"[red]Not serving: {escape(str(busy))}.[/]")
        raise typer.Exit(EXIT_DATA_DIR_BUSY) from None
    _checked(services.database.upgrade)
    _checked(services.database.check_durability)
    import uvicorn  # noqa: PLC0415 - deferred on purpose (start-up time of other commands)

    origin = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    processes = "" if workers == 1 else f" ({workers} worker processes)"
    sys.stdout.write(f"needlepoint web app on {origin}/ (sign in at {origin}/login){processes}\n")
    sys.stdout.write(f"needlepoint API on {origin}/api/v1 (docs at {origin}/api/v1/docs)\n")
    sys.stdout.flush()
    uvicorn.run(
        API_APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # uvicorn's line has the query string; ours has neither it nor ids
        # X-Forwarded-* are believed only from NEEDLEPOINT_TRUSTED_PROXIES (api.security), not
        # from uvicorn's default of the loopback: the client's address is the socket peer's.
        proxy_headers=False,
        log_config=_server_logging(),
    )


def _refuse_unshared_secrets(services: Services, workers: int) -> None:
    """Several workers must agree on every secret: none may be made per data directory."""
    unset = services.settings.unshared_secrets()
    if workers == 1 or not unset:
        return
    names = unset[0] if len(unset) == 1 else ", ".join(unset[:-1]) + " and " + unset[-1]
    _err().print(
        f"[red]Settings:[/] --workers {workers} needs {names} set. Unset, each server makes "
        "its own in its data directory: a form signed by one is refused by another, audit "
        "events one writes do not verify on another, and notes one encrypts another cannot "
        "read. Set NEEDLEPOINT_WEB_SECRET and NEEDLEPOINT_AUDIT_KEY to the same 64 random "
        "characters for every process and machine (python -c 'import secrets; "
        "print(secrets.token_hex(32))'), and NEEDLEPOINT_FIELD_KEY to the same 32 random bytes "
        "in base64 (python -c 'import base64, os; print(base64.b64encode(os.urandom(32))"
        ".decode())'); see docs/deployment.md."
    )
    raise typer.Exit(EXIT_BROKEN_INSTALL)


def _server_logging() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG  # noqa: PLC0415 - deferred on purpose

    config = json.loads(json.dumps(LOGGING_CONFIG))
    config["loggers"]["needlepoint"] = {"handlers": ["default"], "level": "INFO"}
    return dict(config)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _uuid(option: str, value: str) -> UUID:
    from uuid import UUID  # noqa: PLC0415 - uuid brings platform; consult needs neither

    try:
        return UUID(value)
    except ValueError:
        _fail_file(
            f"{option} '{escape(value)}' is not an id.", "Copy the id printed when it was created."
        )


def _millimetres(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        _fail_file(
            f"--licence-mm '{escape(value)}' is not a number.", "Give millimetres, e.g. 1.5."
        )


def _checked(action: Callable[[], T]) -> T:
    try:
        return action()
    except InvalidInputError as error:
        _fail_input("", error)
    except (DomainError, RuntimeError, OSError) as error:
        _fail_file(escape(str(error)) + ".", "")


def _services() -> Services:
    return _checked_setup(bootstrap)


def _checked_setup(setup: Callable[[], T]) -> T:
    """Settings and knowledge made ready, or exit 3 naming what is wrong with them."""
    try:
        return setup()
    except SettingsError as error:
        _err().print(f"[red]Settings:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_BROKEN_INSTALL) from None
    except KnowledgeError as error:
        _err().print(f"[red]The knowledge base did not load:[/] {escape(str(error))}")
        _err().print("Reinstall needlepoint or restore the knowledge files from version control.")
        raise typer.Exit(EXIT_BROKEN_INSTALL) from None


def _read_document(file: Path) -> Any:
    """The parsed consultation file, read within the bounds of ``bounded_documents``."""
    try:
        text = read_bounded_bytes(file).decode("utf-8")
    except FileNotFoundError:
        name = escape(str(file))  # Rich is imported only when a message is printed
        _fail_file(f"{name}: no such file.", "Give the path of a consultation file.")
    except IsADirectoryError:
        name = escape(str(file))
        _fail_file(f"{name} is a folder.", "Give the path of one consultation file in it.")
    except PermissionError:
        name = escape(str(file))
        _fail_file(f"{name} cannot be read.", "Check the file's permissions.")
    except UnicodeDecodeError:
        name = escape(str(file))
        _fail_file(f"{name}: not a text file.", "Save the consultation as UTF-8 YAML or JSON.")
    except DocumentRefused as refusal:
        _fail_file(f"{escape(str(file))} {escape(refusal.problem)}.", escape(refusal.fix))
    try:
        return load_bounded_text(text)
    except DocumentRefused as refusal:
        _fail_file(f"{escape(str(file))} {escape(refusal.problem)}.", escape(refusal.fix))
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        name = escape(str(file))
        _fail_file(f"{name}: not valid YAML or JSON{line}.", "Check indentation and quotes.")


def escape(text: str) -> str:
    """Escape text for Rich markup (imported late: Rich is only loaded to print)."""
    from rich.markup import escape as rich_escape  # noqa: PLC0415 - deferred on purpose

    return rich_escape(text)


def _fail_file(problem: str, fix: str) -> NoReturn:
    _err().print(f"[red]{problem}[/] {fix}")
    raise typer.Exit(EXIT_BAD_INPUT)


def _fail_input(file_name: str, error: InvalidInputError) -> NoReturn:
    """Every problem of refused input, each with its field and fix; exit code 2.

    ``file_name`` names the consultation file read, or is empty for a command's own options.
    """
    console = _err()
    if file_name:
        console.print(
            f"[red bold]{escape(file_name)}: the consultation cannot be read as it is.[/]"
        )
    else:
        console.print("[red bold]Nothing was changed: the input is refused.[/]")
    for problem in error.problems:
        console.print(f"  • [bold]{escape(problem.field)}[/]: {escape(problem.problem)}")
        console.print(f"    [green]fix:[/] {escape(problem.fix)}")
    raise typer.Exit(EXIT_BAD_INPUT)


def main() -> None:
    """Console-script entry point: whatever the command writes is its owner's only."""
    os.umask(PRIVATE_UMASK)
    app()
