"""The wording of the clinic's automatic messages: the minimum, and a link to the portal.

A message travels over email or SMS, which others may see (a shared inbox, a lock screen).
So each builder takes only dates, counts and the portal's address, never a care item, a
diagnosis, a depth or a medicine: what to do sits behind the patient's portal sign-in
(issue 5; ecosystem.md TR-3). Subjects name no treatment and no body part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
FOOTER: Final = "This message was sent automatically by your clinic. Please do not reply to it."


@dataclass(frozen=True, slots=True)
class Text:
    """A message's subject line and plain-text body."""

    subject: str
    body: str


def pre_care(steps: int, appointment_at: datetime, portal_url: str) -> Text:
    """A countdown step before an appointment begins today."""
    what = "a step" if steps == 1 else f"{steps} steps"
    return _text(
        "Before your appointment",
        f"You have {what} to start today before your appointment on "
        f"{spoken(appointment_at)}. Sign in to your portal to see what to do:",
        portal_url,
    )


def appointment_reminder(appointment_at: datetime, portal_url: str, *, steps_due: bool) -> Text:
    """The reminder the day before (exactly 24 h ahead)."""
    steps = " You also have steps to take before it." if steps_due else ""
    return _text(
        "Appointment reminder",
        f"This is a reminder of your appointment on {spoken(appointment_at)}.{steps} "
        "Details, and how to ask for a change, are in your portal:",
        portal_url,
    )


def aftercare(day: int, appointment_at: datetime, portal_url: str) -> Text:
    """A follow-up on day ``day`` after an appointment (0 = the day itself)."""
    if day == 0:
        opening = "Thank you for coming in today. Your instructions for the coming days"
    else:
        when = "1 day" if day == 1 else f"{day} days"
        opening = (
            f"It is {when} since your appointment on {spoken_day(appointment_at.date())}. "
            "Today's instructions"
        )
    return _text("Following up on your appointment", f"{opening} are in your portal:", portal_url)


def next_session_recall(next_due_on: date, portal_url: str) -> Text:
    """A prompt to book the next appointment, which is not booked yet."""
    return _text(
        "Time to book your next appointment",
        f"Your next appointment is due around {spoken_day(next_due_on)} and is not booked "
        "yet. Please book it through your portal:",
        portal_url,
    )


def series_end(last_at: datetime, portal_url: str) -> Text:
    """The note closing a course after its last appointment."""
    return _text(
        "Your course of appointments is complete",
        f"Your last planned appointment was on {spoken_day(last_at.date())}. What to expect "
        "from here, and when we will check in, is in your portal:",
        portal_url,
    )


def outcome_review(months: int, portal_url: str) -> Text:
    """An invitation to a review some months after the last appointment."""
    return _text(
        "Time for your review",
        f"It is {months} months since your last appointment. Please book a review, or answer "
        "a few questions, through your portal:",
        portal_url,
    )


def spoken(moment: datetime) -> str:
    """A local date and time as people read it: "Tue 8 Dec 2026 at 10:00"."""
    return f"{spoken_day(moment.date())} at {moment:%H:%M}"


def spoken_day(day: date) -> str:
    """A date as people read it: "Tue 8 Dec 2026" (English, whatever the locale)."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _text(subject: str, sentence: str, portal_url: str) -> Text:
    return Text(subject=subject, body=f"{sentence}\n{portal_url}\n\n{FOOTER}\n")
