"""The scheduling area's facade.

Calendar set-up, proposals, bookings, changes, feeds and the dashboard.

Entrypoints call the use cases here. Other areas import only this module and the area's
``ports`` (the import contract "Areas meet only at their facades" checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time
from uuid import UUID

from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.scheduling import Appointment, OpeningHours, Room, Slot
from needlepoint.domain.scheduling.agenda import Agenda
from needlepoint.services import audit as audit_service
from needlepoint.services.ports import Clock
from needlepoint.services.scheduling import agenda as agendas
from needlepoint.services.scheduling import booking, changes, proposals, queries, setup, steps
from needlepoint.services.scheduling import calendar_feeds as calendar_service
from needlepoint.services.scheduling import dashboard as worklists
from needlepoint.services.scheduling.ports import CalendarRenderer, SchedulingUnitOfWork
from needlepoint.services.scheduling.visits import attend_session

__all__ = ["Scheduling", "attend_session"]


@dataclass(frozen=True, slots=True)
class Scheduling:
    """Calendar set-up, proposals, bookings, changes, feeds and the dashboard."""

    unit_of_work: Callable[[], SchedulingUnitOfWork]
    clock: Clock
    knowledge: ClinicalKnowledge
    on_appointment_change: steps.OnChange
    calendar_renderer: CalendarRenderer

    def _booking(self) -> steps.Booking:
        return steps.Booking(
            self.knowledge.planning, self.knowledge.limits, self.on_appointment_change
        )

    def clinic_setup(self, *, context: audit_service.RequestContext) -> setup.ClinicSetup:
        """The clinic's rooms, opening hours, practitioners and the booked session length."""
        uow = self.unit_of_work()
        return setup.clinic_setup(context=context, uow=uow, tables=self.knowledge.planning)

    def add_room(self, name: str, *, context: audit_service.RequestContext) -> Room:
        """Add a treatment room."""
        uow = self.unit_of_work()
        return setup.add_room(name=name, context=context, uow=uow, clock=self.clock)

    def set_opening_hours(
        self,
        hours: Sequence[tuple[int, time, time]],
        *,
        context: audit_service.RequestContext,
        closed_all_week: bool = False,
    ) -> tuple[OpeningHours, ...]:
        """Replace the clinic's week of opening hours (local times); none needs confirming."""
        uow = self.unit_of_work()
        return setup.set_opening_hours(
            hours=hours,
            context=context,
            uow=uow,
            clock=self.clock,
            closed_all_week=closed_all_week,
        )

    def propose_series_booking(
        self,
        series_id: UUID,
        *,
        context: audit_service.RequestContext,
        practitioner_id: UUID | None = None,
    ) -> proposals.SeriesBooking:
        """Free slots for every session of a series still to book."""
        return proposals.propose_series_booking(
            series_id=series_id,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            booking=self._booking(),
            practitioner_id=practitioner_id,
        )

    def book_series(
        self,
        series_id: UUID,
        choices: Sequence[booking.SlotChoice],
        *,
        context: audit_service.RequestContext,
    ) -> tuple[Appointment, ...]:
        """Book sessions of a series, all or nothing."""
        return booking.book_series(
            series_id=series_id,
            choices=choices,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            booking=self._booking(),
        )

    def reschedule_appointment(
        self, move: changes.Move, *, context: audit_service.RequestContext
    ) -> Appointment:
        """Move a booked appointment; intervals are re-checked."""
        uow = self.unit_of_work()
        return changes.reschedule(
            move=move, context=context, uow=uow, clock=self.clock, booking=self._booking()
        )

    def change_appointment_status(
        self, change: changes.StatusChange, *, context: audit_service.RequestContext
    ) -> Appointment:
        """Cancel an appointment, or record attendance or a no-show."""
        uow = self.unit_of_work()
        return changes.change_status(
            change=change, context=context, uow=uow, clock=self.clock, booking=self._booking()
        )

    def free_slots(
        self,
        on: date,
        *,
        context: audit_service.RequestContext,
        practitioner_id: UUID | None = None,
    ) -> tuple[Slot, ...]:
        """Every free treatment slot of a local day."""
        return proposals.slots_on(
            on=on,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            booking=self._booking(),
            practitioner_id=practitioner_id,
        )

    def day_list(
        self, on: date, *, context: audit_service.RequestContext
    ) -> tuple[queries.DayAppointment, ...]:
        """The clinic's appointments on a local day."""
        uow = self.unit_of_work()
        return queries.day_list(on=on, context=context, uow=uow, clock=self.clock)

    def agenda(
        self, request: agendas.AgendaRequest, *, context: audit_service.RequestContext
    ) -> Agenda:
        """The clinic's calendar of one to seven local days, a lane per practitioner or room."""
        return agendas.clinic_agenda(
            request=request,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            tables=self.knowledge.planning,
        )

    def get_appointment(
        self, appointment_id: UUID, *, context: audit_service.RequestContext
    ) -> queries.DayAppointment:
        """One appointment with its patient, practitioner and room."""
        uow = self.unit_of_work()
        return queries.get_appointment(
            appointment_id=appointment_id, context=context, uow=uow, clock=self.clock
        )

    def patient_appointments(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> tuple[Appointment, ...]:
        """A patient's appointments, earliest first."""
        uow = self.unit_of_work()
        return queries.patient_appointments(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def issue_calendar_feed(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> calendar_service.IssuedFeed:
        """A new secret calendar link for a patient (shown once); the old link stops working."""
        uow = self.unit_of_work()
        return calendar_service.issue_feed(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def revoke_calendar_feed(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> int:
        """Stop a patient's calendar link working; how many live links there were."""
        uow = self.unit_of_work()
        return calendar_service.revoke_feed(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def calendar_feed_status(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> calendar_service.FeedStatus:
        """A patient and their live calendar link (without its token), if any."""
        uow = self.unit_of_work()
        return calendar_service.feed_status(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def calendar_feed(self, token: str, *, request_id: str) -> bytes:
        """The iCalendar feed a secret link opens (``CalendarFeedNotFoundError`` otherwise)."""
        making = calendar_service.FeedMaking(
            care_templates=self.knowledge.care.templates, renderer=self.calendar_renderer
        )
        return calendar_service.render_feed(
            token=token,
            request_id=request_id,
            making=making,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def dashboard(
        self,
        *,
        clinical: bool,
        context: audit_service.RequestContext,
        due_after: str | None = None,
    ) -> worklists.Dashboard:
        """Today's appointments and the worklists, in one transaction and one audit event.

        ``due_after``: the ``due_more`` cursor of the page of series to book before.
        """
        uow = self.unit_of_work()
        return worklists.dashboard(
            clinical=clinical, context=context, uow=uow, clock=self.clock, due_after=due_after
        )
