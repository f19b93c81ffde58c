"""The composition root: settings → adapters → services. The one place things are wired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from needlepoint.adapters.clock import SystemClock
from needlepoint.adapters.passwords import Argon2PasswordHasher
from needlepoint.config import Settings
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.records import Clinic, StaffMember
from needlepoint.knowledge import catalogue, reference
from needlepoint.services import accounts, clinics, consultations, intake, reports
from needlepoint.services.ports import Clock, PasswordHasher, UnitOfWork


class Database:
    """The database, opened on first use: commands that never touch it never import it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Any = None

    def _opened(self) -> Any:
        if self._engine is None:
            from needlepoint.adapters.db import engine  # noqa: PLC0415 - deferred on purpose

            self._engine = engine.make_engine(self.url)
        return self._engine

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work (one transaction)."""
        from needlepoint.adapters.db import unit_of_work  # noqa: PLC0415 - deferred on purpose

        return unit_of_work.SqlAlchemyUnitOfWork(self._opened())

    def upgrade(self) -> None:
        """Apply every migration up to the newest."""
        from needlepoint.adapters.db import migrate  # noqa: PLC0415 - deferred on purpose

        migrate.upgrade(self.url)

    def backup(self, directory: Path, *, at: datetime) -> Any:
        """A consistent, integrity-checked backup written into ``directory``."""
        from needlepoint.adapters.db import backup  # noqa: PLC0415 - deferred on purpose

        return backup.backup(self.url, directory, at=at)

    def restore(self, source: Path) -> Any:
        """Replace the database's content with a backup, verified before and after."""
        from needlepoint.adapters.db import backup  # noqa: PLC0415 - deferred on purpose

        if self._engine is not None:
            self._engine.dispose()
        return backup.restore(self.url, source)

    def verify_audit(self) -> Any:
        """Walk the audit hash chain; the report names the first bad row, if any."""
        from needlepoint.adapters.db import audit  # noqa: PLC0415 - deferred on purpose

        return audit.verify_chain(self._opened())


@dataclass(frozen=True, slots=True)
class Services:
    """The use cases, wired to real adapters. Entrypoints call these and nothing deeper."""

    settings: Settings
    clock: Clock
    knowledge: ClinicalKnowledge
    citations: dict[str, str]
    database: Database
    hasher: PasswordHasher

    def consult(
        self, document: Any, *, appointment: str | None
    ) -> consultations.ConsultationOutcome:
        """Screen, grade, plan and time a programme for a consultation document."""
        return consultations.consult(
            document=document,
            knowledge=self.knowledge,
            clock=self.clock,
            appointment=appointment,
            default_session_time=self.settings.default_session_time,
        )

    def consultation_report(self, document: Any, *, appointment: str | None) -> reports.Json:
        """The full consultation report as plain data (decision first)."""
        outcome = self.consult(document, appointment=appointment)
        return reports.build_report(outcome, cite=self.citations)

    def consultation_schema(self) -> dict[str, Any]:
        """The JSON Schema of the consultation file."""
        return intake.consultation_schema()

    def knowledge_tables(self) -> tuple[catalogue.TableInfo, ...]:
        """Every knowledge table with its version and the sources it cites."""
        return catalogue.describe_tables()

    def add_clinic(self, *, name: str, time_zone: str) -> Clinic:
        """Create a clinic."""
        return clinics.add_clinic(name=name, time_zone=time_zone, uow=self.database.unit_of_work())

    def add_staff(self, new: accounts.NewStaff) -> StaffMember:
        """Create a member of staff with an Argon2id-hashed password."""
        return accounts.add_staff(new=new, uow=self.database.unit_of_work(), hasher=self.hasher)

    def knowledge_reference(self) -> str:
        """Every knowledge table rendered as Markdown."""
        return reference.render_markdown()

    def knowledge_rows(self, table: str) -> tuple[catalogue.RowInfo, ...]:
        """The rows of one knowledge table with their provenance."""
        return catalogue.describe_rows(table)


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> Services:
    """Build the services from settings (read from the environment when not given)."""
    settings = settings or Settings.from_env()
    return Services(
        settings=settings,
        clock=clock or SystemClock(),
        knowledge=catalogue.load_knowledge(),
        citations={s.id: s.citation for s in catalogue.sources().sources},
        database=Database(settings.effective_database_url),
        hasher=Argon2PasswordHasher(),
    )
