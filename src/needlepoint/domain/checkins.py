"""Daily check-ins after a session, and how each is triaged green, amber or red.

For the days after a session (day 0 is the treatment day) the patient answers six questions:
redness and swelling (none, mild, moderate, severe), pain from 0 to 10, and whether they have
pus, a fever or blisters. ``triage`` weighs the answers against the triage rules, which come
from the knowledge base (``checkin_triage.yaml``, each rule tied to a row of ``red_flags.yaml``
or to the expected course of healing, with its sources):

* **red**: an answer that is a red flag (pus or fever: infection; blisters: a cold sore);
  the patient should call the clinic today;
* **amber**: outside what healing usually looks like (severe swelling, strong pain, redness
  past the days it usually lasts); the clinic looks at it;
* **green**: nothing a rule picks up.

Every rule only ever asks "is this answer at least so bad, from this day on", so a worse
answer never lowers the level, and the level is the highest of the rules that fire. The
result keeps each reason with its rule id and sources: the answer to "why was this red?".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Final
from uuid import UUID

from needlepoint.domain.check_in_reviews import CheckInReview, CheckInReviewedError, ReviewOutcome
from needlepoint.domain.errors import ConflictError, FieldProblem, InvalidInputError
from needlepoint.domain.evidence import Provenance
from needlepoint.domain.records import PatientRecord

MAX_PAIN: Final = 10
"""The top of the 0–10 pain scale the check-in asks on."""

MAX_NOTE_CHARS: Final = 1000
"""A note longer than this is refused (the form says so)."""

MAX_PHOTO_BYTES: Final = 20 * 1024 * 1024
"""The largest photo upload accepted: 20 MB (a phone photo is 2–8 MB)."""

MAX_PHOTO_PIXELS: Final = 40_000_000
"""The most pixels a photo may have: 40 megapixels (more than a phone camera's output)."""


class Degree(StrEnum):
    """How marked redness or swelling is, in the patient's own judgement."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def rank(self) -> int:
        """0 for none up to 3 for severe: what the triage rules compare."""
        return _DEGREES.index(self)


_DEGREES: Final = (Degree.NONE, Degree.MILD, Degree.MODERATE, Degree.SEVERE)


class TriageLevel(StrEnum):
    """How soon the clinic needs to see a check-in."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def rank(self) -> int:
        """0 for green, 1 for amber, 2 for red."""
        return _LEVELS.index(self)


_LEVELS: Final = (TriageLevel.GREEN, TriageLevel.AMBER, TriageLevel.RED)


class Sign(StrEnum):
    """The answer a triage rule looks at."""

    REDNESS = "redness"
    SWELLING = "swelling"
    PAIN = "pain"
    PUS = "pus"
    FEVER = "fever"
    BLISTERS = "blisters"


YES_NO_SIGNS: Final = frozenset({Sign.PUS, Sign.FEVER, Sign.BLISTERS})
DEGREE_SIGNS: Final = frozenset({Sign.REDNESS, Sign.SWELLING})


@dataclass(frozen=True, slots=True)
class CheckInAnswers:
    """What the patient answered on one day."""

    redness: Degree
    swelling: Degree
    pain: int
    pus: bool
    fever: bool
    blisters: bool
    note: str = ""

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.pain <= MAX_PAIN:
            problems.append(
                FieldProblem("pain", f"{self.pain} is not on the scale.", "choose 0 to 10.")
            )
        if len(self.note) > MAX_NOTE_CHARS:
            problems.append(
                FieldProblem(
                    "note",
                    f"is {len(self.note)} characters long.",
                    f"shorten it to {MAX_NOTE_CHARS} characters or fewer.",
                )
            )
        if problems:
            raise InvalidInputError(problems)

    def score(self, sign: Sign) -> int:
        """The answer to one question as a number: yes = 1, a degree its rank, pain itself."""
        match sign:
            case Sign.REDNESS:
                return self.redness.rank
            case Sign.SWELLING:
                return self.swelling.rank
            case Sign.PAIN:
                return self.pain
            case Sign.PUS:
                return int(self.pus)
            case Sign.FEVER:
                return int(self.fever)
            case Sign.BLISTERS:
                return int(self.blisters)


@dataclass(frozen=True, slots=True)
class TriageRule:
    """One rule: ``sign`` scoring at least ``at_least`` from day ``from_day`` gives ``level``.

    ``reason`` says it in plain words to the patient and the clinic; ``red_flag`` names the
    row of ``red_flags.yaml`` the rule stands for, if any.
    """

    id: str
    level: TriageLevel
    sign: Sign
    at_least: int
    from_day: int
    reason: str
    red_flag: str | None
    provenance: Provenance

    def fires(self, answers: CheckInAnswers, day: int) -> bool:
        """Whether the answers given on ``day`` after the session meet this rule."""
        return day >= self.from_day and answers.score(self.sign) >= self.at_least


@dataclass(frozen=True, slots=True)
class TriageRules:
    """The rules, the last day after a session a check-in is asked for, and the table version."""

    rules: tuple[TriageRule, ...]
    last_day: int
    version: str


@dataclass(frozen=True, slots=True)
class TriageReason:
    """Why a check-in got its level: the rule that fired, in words, with its sources."""

    rule_id: str
    level: TriageLevel
    reason: str
    sources: tuple[str, ...]
    unverified: bool


@dataclass(frozen=True, slots=True)
class Triage:
    """The level of a check-in and every reason for it, worst first."""

    level: TriageLevel
    reasons: tuple[TriageReason, ...]
    rules_version: str

    @property
    def needs_attention(self) -> bool:
        """Amber and red go to the clinic's dashboard and by email to its clinicians."""
        return self.level is not TriageLevel.GREEN


def triage(answers: CheckInAnswers, *, day: int, rules: TriageRules) -> Triage:
    """Triage one check-in given ``day`` days after the session.

    The level is the highest level among the rules that fire (green when none does).
    """
    fired = [rule for rule in rules.rules if rule.fires(answers, day)]
    fired.sort(key=lambda rule: (-rule.level.rank, rule.id))
    level = fired[0].level if fired else TriageLevel.GREEN
    reasons = tuple(
        TriageReason(
            rule.id,
            rule.level,
            rule.reason,
            rule.provenance.sources,
            rule.provenance.is_unverified,
        )
        for rule in fired
    )
    return Triage(level=level, reasons=reasons, rules_version=rules.version)


def day_after(treated_on: date, today: date) -> int:
    """Which day after the session ``today`` is (0 on the treatment day itself)."""
    return (today - treated_on).days


def check_in_open(day: int, rules: TriageRules) -> bool:
    """Whether a check-in is asked for on this day after a session."""
    return 0 <= day <= rules.last_day


class CheckInClosedError(ConflictError):
    """Check-ins are taken from the day of a session to the last day the table allows."""

    code = "check-in-closed"

    def __init__(self, day: int, last_day: int) -> None:
        super().__init__(
            f"check-ins are open from the day of a session to day {last_day} after it; "
            f"today is day {day}. Call the clinic if you are worried about your skin."
        )
        self.day = day
        self.last_day = last_day


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One check-in as stored: whose, after which treatment, the answers and their triage.

    The treatment is a started session (``session_id``) or, without one, an attended
    appointment (``appointment_id``); ``treated_at`` is when it began.
    """

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    session_id: UUID | None
    appointment_id: UUID | None
    treated_at: datetime
    day: int
    answers: CheckInAnswers
    triage: Triage
    submitted_at: datetime
    photo_id: UUID | None = None
    reviewed_at: datetime | None = None
    reviewed_by: UUID | None = None
    review_outcome: ReviewOutcome | None = None
    """None on a review recorded before outcomes were asked for."""
    review_note: str = ""

    def reviewed(self, review: CheckInReview, *, by: UUID, at: datetime) -> CheckIn:
        """The check-in with a clinician's review; the same review again changes nothing.

        Raises:
            CheckInReviewedError: It was reviewed already, by someone else or otherwise.
        """
        if self.reviewed_at is None:
            return replace(
                self,
                reviewed_at=at,
                reviewed_by=by,
                review_outcome=review.outcome,
                review_note=review.note,
            )
        if (self.reviewed_by, self.review_outcome, self.review_note) == (
            by,
            review.outcome,
            review.note,
        ):
            return self
        raise CheckInReviewedError(self.reviewed_at)


# --- photos ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckInPhoto:
    """A check-in photo as kept: re-encoded JPEG bytes, no metadata, upright."""

    id: UUID
    check_in_id: UUID
    clinic_id: UUID
    patient_id: UUID
    content_type: str
    width_px: int
    height_px: int
    data: bytes
    sha256: str
    created_at: datetime


class PhotoRejectedError(InvalidInputError):
    """A photo cannot be accepted; the problem names the ``photo`` field and the fix."""

    code = "photo-rejected"

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__([FieldProblem("photo", problem, fix)])


class PhotoTypeError(PhotoRejectedError):
    """The file is not a JPEG or PNG image (judged by its content, not its name)."""

    code = "photo-type"

    def __init__(self) -> None:
        super().__init__("is not a JPEG or PNG image.", "choose a photo saved as JPEG or PNG.")


class PhotoTooLargeError(PhotoRejectedError):
    """The file is larger than the portal accepts."""

    code = "photo-too-large"

    def __init__(self, limit_bytes: int) -> None:
        megabytes = limit_bytes // (1024 * 1024)
        super().__init__(
            f"is larger than {megabytes} MB.", "send a smaller photo, or one taken at lower size."
        )
        self.limit_bytes = limit_bytes


class PhotoTooManyPixelsError(PhotoRejectedError):
    """The image is larger, in pixels, than the portal decodes (a decompression-bomb guard)."""

    code = "photo-too-many-pixels"

    def __init__(self, limit_pixels: int) -> None:
        megapixels = limit_pixels // 1_000_000
        super().__init__(
            f"has more than {megapixels} megapixels.", "send a photo of normal camera size."
        )
        self.limit_pixels = limit_pixels


class PhotoUnreadableError(PhotoRejectedError):
    """The file starts like an image but cannot be decoded."""

    code = "photo-unreadable"

    def __init__(self) -> None:
        super().__init__("could not be read as an image.", "take the photo again and send it.")


@dataclass(frozen=True, slots=True)
class ClinicCheckIn:
    """A check-in with its patient and its reviewer's name, as the clinic's staff see it."""

    check_in: CheckIn
    patient: PatientRecord
    reviewer: str | None = None
