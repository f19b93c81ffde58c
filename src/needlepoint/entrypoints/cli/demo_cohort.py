"""``needlepoint demo --cohort``: a few hundred synthetic completed series with a known truth.

Each synthetic patient goes through the real use cases up to an agreed series (registered,
consulted by the engine, the consultation signed, a baseline scar assessment graded, the
series agreed with 3 to 6 sessions at the protocol's interval); the finished course is then
recorded in one go (``Treatment.record_past_sessions``: every chart checked against the plan
and the depth caps, audited), and the outcomes at baseline, ~3 and ~6 months after the last
session are recorded through ``Records.record_outcome``. Every date is in the past of the
clock passed in, and the random draws come from one seeded generator: the same seed and
the same day give the same cohort.

The truth built in, for the analytics to find: on the Goodman and Baron quantitative score,
a course of 4 sessions improves the score by ``FOUR_VS_THREE_POINTS`` (2.0) points more than a
course of 3, plus noise; 5 and 6 sessions add a little more.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

from needlepoint.bootstrap import Services
from needlepoint.domain.charting import Cartridge, Numbing, SessionChart, ZoneTreatment
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.series_plan import SeriesPlan, proposed_plan
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.domain.vocabulary import Device, Indication, Sex, Zone
from needlepoint.services.audit import RequestContext
from needlepoint.services.consultation.consultations import ConsultationRequest
from needlepoint.services.records import assessments, outcomes, patients
from needlepoint.services.treatment import series as treatment
from needlepoint.services.treatment.past_sessions import PastVisit

DEFAULT_SERIES: Final = 300
SEED: Final = 15
FOUR_VS_THREE_POINTS: Final = 2.0
"""The built-in truth: 4 sessions improve the GB quantitative score 2.0 points more than 3."""

SESSION_GAIN_POINTS: Final = {3: 0.0, 4: FOUR_VS_THREE_POINTS, 5: 2.8, 6: 3.2}
"""Improvement in GB points on top of a 3-session course, by number of sessions."""

NOISE_SD_POINTS: Final = 1.5
DARKER_SKIN_FROM: Final = 5
"""Fitzpatrick V and VI improve 0.5 points less (the cautious depths of the protocol)."""
WOMEN_SHARE: Final = 0.6
VISIBLE_FROM_SCARS: Final = 30
"""More moderate or severe scars than this are visible at social distance (grade 3)."""
SESSION_WEIGHTS: Final = {3: 0.35, 4: 0.35, 5: 0.18, 6: 0.12}
"""How often each course length is drawn; a plan keeps it within the protocol's range plus the
sessions a reason may add (for acne scars: 3 to 5, so a drawn 6 becomes 5)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """What one kind of synthetic course treats: an indication on some zones with a device."""

    indication: Indication
    zones: tuple[Zone, ...]
    device: Device
    weight: float


PROFILES: Final = (
    Profile(Indication.ACNE_SCARS, (Zone.CHEEKS,), Device.PEN, 0.25),
    Profile(Indication.ACNE_SCARS, (Zone.CHEEKS, Zone.CHIN), Device.PEN, 0.15),
    Profile(Indication.ACNE_SCARS, (Zone.CHEEKS, Zone.TEMPLES), Device.ROLLER, 0.1),
    Profile(Indication.ACNE_SCARS, (Zone.CHEEKS,), Device.RF, 0.1),
    Profile(Indication.STRETCH_MARKS, (Zone.ABDOMEN,), Device.PEN, 0.1),
    Profile(Indication.STRETCH_MARKS, (Zone.THIGHS,), Device.ROLLER, 0.05),
    Profile(Indication.FINE_LINES, (Zone.FOREHEAD, Zone.PERIORAL), Device.PEN, 0.1),
    Profile(Indication.ENLARGED_PORES, (Zone.NOSE, Zone.CHEEKS), Device.RF, 0.08),
    Profile(Indication.TEXTURE, (Zone.FOREHEAD,), Device.PEN, 0.07),
)

GB_LESIONS: Final = (
    "a1_macular",
    "a2_mild_atrophic_dish",
    "b1_moderate_atrophic",
    "b2_punched_out_shallow_small",
    "b3_shallow_broad_atrophic",
    "c4_deep_broad_atrophic",
)
"""The Goodman and Baron lesion types the synthetic baseline counts (0 to 25 of each)."""

FITZPATRICK_WEIGHTS: Final = {1: 0.08, 2: 0.22, 3: 0.28, 4: 0.2, 5: 0.14, 6: 0.08}

CLEAN_HISTORY: Final[dict[str, Any]] = {
    "pregnant": False,
    "breastfeeding": False,
    "isotretinoin": {"status": "never"},
    "anticoagulant": False,
    "antiplatelet": False,
    "bleeding_disorder": False,
    "keloid_history": False,
    "hypertrophic_scar_history": False,
    "cold_sores": False,
    "immunosuppressed": False,
    "diabetes": "none",
    "autoimmune_or_collagen_vascular": False,
    "metal_allergy": False,
    "anaesthetic_allergy": False,
    "skin_cancer": "none",
    "pigmentation_after_procedures": False,
    "cardiac_device": False,
    "unwell_or_feverish": False,
    "topical_actives": [],
}

GIVEN: Final = ("Alex", "Sam", "Jordan", "Morgan", "Riley", "Casey", "Robin", "Jamie", "Avery")
FAMILY: Final = ("Cohort", "Synthetic", "Example", "Sample", "Testcase", "Placeholder")


@dataclass(frozen=True, slots=True)
class Draw:
    """Everything random about one synthetic course, drawn before anything is written."""

    number: int
    profile: Profile
    fitzpatrick: int
    sex: Sex
    born_on: date
    sessions: int
    consulted_on: date
    first_session_in_days: int
    interval_extra_days: tuple[int, ...]
    scar_counts: tuple[int, ...]
    noise_points: tuple[float, float]
    follow_up_jitter_days: tuple[int, int]


def draws(count: int, *, seed: int, today: date) -> tuple[Draw, ...]:
    """The cohort's random draws (reproducible: the same seed and day give the same draws)."""
    rng = random.Random(seed)
    return tuple(_draw(rng, number, today) for number in range(count))


def _draw(rng: random.Random, number: int, today: date) -> Draw:
    profile = rng.choices(PROFILES, weights=[p.weight for p in PROFILES])[0]
    fitzpatrick = rng.choices(list(FITZPATRICK_WEIGHTS), list(FITZPATRICK_WEIGHTS.values()))[0]
    sessions = rng.choices(list(SESSION_WEIGHTS), list(SESSION_WEIGHTS.values()))[0]
    return Draw(
        number=number,
        profile=profile,
        fitzpatrick=fitzpatrick,
        sex=Sex.FEMALE if rng.random() < WOMEN_SHARE else Sex.MALE,
        born_on=today - timedelta(days=rng.randint(22 * 365, 58 * 365)),
        sessions=sessions,
        # Consulted 1 to 3 years ago: the last session and both follow-ups are past.
        consulted_on=today - timedelta(days=rng.randint(400, 1100)),
        first_session_in_days=rng.randint(7, 21),
        interval_extra_days=tuple(rng.randint(0, 6) for _ in range(max(SESSION_WEIGHTS))),
        scar_counts=tuple(rng.randint(0, 25) for _ in GB_LESIONS),
        noise_points=(rng.gauss(0, NOISE_SD_POINTS), rng.gauss(0, NOISE_SD_POINTS)),
        follow_up_jitter_days=(rng.randint(-10, 10), rng.randint(-10, 10)),
    )


@dataclass(frozen=True, slots=True)
class Seeded:
    """What the cohort seeding wrote."""

    series: int
    outcomes: int


def seed_cohort(
    services: Services,
    context: RequestContext,
    *,
    count: int = DEFAULT_SERIES,
    seed: int = SEED,
    progress: Callable[[int], None] = lambda _done: None,
) -> Seeded:
    """Write ``count`` synthetic completed series for the clinician's clinic.

    ``progress`` is called with the number of series written so far after each one.
    """
    today = services.clock.now().date()
    written = 0
    for draw in draws(count, seed=seed, today=today):
        written += _course(services, context, draw)
        progress(draw.number + 1)
    return Seeded(series=count, outcomes=written)


def _course(services: Services, context: RequestContext, draw: Draw) -> int:
    name = (GIVEN[draw.number % len(GIVEN)], f"{FAMILY[draw.number % len(FAMILY)]}{draw.number}")
    email = f"cohort{draw.number}@patients.demo.needlepoint.test"
    patient = services.records.register_patient(
        patients.NewPatient(name[0], name[1], draw.born_on, draw.sex, email=email),
        context=context,
    )
    record = services.consultation.record_consultation(
        ConsultationRequest(patient_id=patient.id, document=_document(draw)), context=context
    )
    services.consultation.sign_consultation(record.id, context=context)
    is_acne = draw.profile.indication is Indication.ACNE_SCARS
    baseline = _baseline_score(services, context, draw, patient.id) if is_acne else None
    series = services.treatment.create_series(
        treatment.NewSeries(
            consultation_id=record.id,
            plan=_plan(record.report, draw, services.knowledge.limits.extra_sessions),
            reasons={"plan.sessions": "Synthetic demo cohort: the course length is varied."},
        ),
        context=context,
    )
    draw = replace(draw, sessions=series.plan.sessions)
    days = _session_days(draw, series.plan.interval_days)
    services.treatment.record_past_sessions(
        series.id, [_visit(series, draw, day) for day in days], context=context
    )
    return _follow_ups(services, context, (series, draw, days[-1]), baseline)


def _document(draw: Draw) -> dict[str, Any]:
    scars = [_scar_zone(draw, zone) for zone in draw.profile.zones]
    acne = draw.profile.indication is Indication.ACNE_SCARS
    return {
        "consulted_on": draw.consulted_on,
        "patient": {
            "born_on": draw.born_on,
            "sex": draw.sex.value,
            "fitzpatrick": draw.fitzpatrick,
        },
        "history": CLEAN_HISTORY,
        "device": draw.profile.device.value,
        "treatments": [
            {
                "indication": draw.profile.indication.value,
                "zones": [zone.value for zone in draw.profile.zones],
            }
        ],
        **({"scar_assessments": scars} if acne else {}),
    }


def _plan(report: Any, draw: Draw, extra_sessions: int) -> SeriesPlan:
    """The engine's proposal with the drawn number of sessions (3 to 6).

    Fewer than the protocol's minimum is a change with a reason; more than its maximum, up to
    ``extra_sessions`` more, passes the soft limit ``sessions-beyond-range`` with the same
    reason (``_course``).
    """
    series = report["series"]
    plan = proposed_plan({"plan": report["plan"], "series": series})
    high = int(series["sessions"]["max"]) + extra_sessions
    return replace(plan, sessions=min(draw.sessions, high))


def _session_days(draw: Draw, interval_days: int) -> tuple[date, ...]:
    day = draw.consulted_on + timedelta(days=draw.first_session_in_days)
    days = [day]
    for extra in draw.interval_extra_days[1 : draw.sessions]:
        day = day + timedelta(days=interval_days + extra)
        days.append(day)
    return tuple(days)


def _visit(series: TreatmentSeries, draw: Draw, day: date) -> PastVisit:
    at = datetime.combine(day, time(10, 30), tzinfo=UTC)
    chart = SessionChart(
        device=draw.profile.device,
        cartridge=Cartridge(lot=f"COHORT-{day:%y%m}", expires_on=day + timedelta(days=365)),
        numbing=Numbing(
            "lidocaine 4% cream", at - timedelta(minutes=45), at - timedelta(minutes=5)
        ),
        zones=tuple(
            ZoneTreatment(z.zone, z.depth_min_mm, z.depth_min_mm, 3) for z in series.plan.zones
        ),
        endpoint_reached=Endpoint.ERYTHEMA,
        products_applied=(),
        adverse_events=(),
        overrides=(),
    )
    return PastVisit(at, chart)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The baseline assessment's Goodman and Baron scores, as the real scales graded them."""

    points: int
    grade: int


def _baseline_score(
    services: Services, context: RequestContext, draw: Draw, patient_id: Any
) -> Baseline:
    """The baseline scar assessment, graded by the real scales."""
    zones = [_scar_zone(draw, zone) for zone in draw.profile.zones]
    record = services.records.record_assessment(
        assessments.NewAssessment(patient_id, draw.consulted_on, zones), context=context
    )
    overall = record.grading["overall"]
    return Baseline(
        int(overall["gb_quantitative"]["total"]), int(overall["gb_qualitative"]["grade"])
    )


FOLLOW_UP_DAYS: Final = (91, 182)
"""The follow-up visits: about 3 and 6 months after the last session (each drawn ±10 days)."""


def gb_change_points(draw: Draw, baseline: int, *, at_six_months: bool) -> float:
    """The truth: how many GB points the course takes off the baseline score (before rounding).

    A share of the baseline (worse scars improve more), the sessions' gain over a 3-session
    course, a little less in Fitzpatrick V-VI (more cautious depths), and noise; at 3 months
    70 % of it is seen.
    """
    gain = 0.2 * baseline + 1.5 + SESSION_GAIN_POINTS[draw.sessions]
    gain -= 0.5 if draw.fitzpatrick >= DARKER_SKIN_FROM else 0.0
    if at_six_months:
        return gain + draw.noise_points[1]
    return 0.7 * gain + draw.noise_points[0]


def _follow_ups(
    services: Services,
    context: RequestContext,
    course: tuple[TreatmentSeries, Draw, date],
    baseline: Baseline | None,
) -> int:
    """The outcomes at baseline and about 3 and 6 months after the last session."""
    series, draw, last_day = course
    days = tuple(
        last_day + timedelta(days=after + jitter)
        for after, jitter in zip(FOLLOW_UP_DAYS, draw.follow_up_jitter_days, strict=True)
    )
    scores = _gb_scores(draw, baseline, days) if baseline else _gais_scores(draw, days)
    for scale, value, day, note in scores:
        services.records.record_outcome(
            outcomes.NewOutcome(series.patient_id, scale, Decimal(value), day, series.id, note),
            context=context,
        )
    return len(scores)


Score = tuple[OutcomeScale, int, date, str]
FOLLOW_UP_NOTES: Final = ("3 months after the last session", "6 months after the last session")
GRADE_STEP_POINTS: Final = 6.0
"""A follow-up whose GB points fell by this much or more is one qualitative grade better."""


def _gb_scores(draw: Draw, baseline: Baseline, days: tuple[date, ...]) -> list[Score]:
    scores: list[Score] = [
        (OutcomeScale.GB_QUANTITATIVE, baseline.points, draw.consulted_on, "baseline"),
        (OutcomeScale.GB_QUALITATIVE, baseline.grade, draw.consulted_on, "baseline"),
    ]
    for day, six, note in zip(days, (False, True), FOLLOW_UP_NOTES, strict=True):
        change = gb_change_points(draw, baseline.points, at_six_months=six)
        better = 1 if change >= GRADE_STEP_POINTS else 0
        scores.append(
            (OutcomeScale.GB_QUANTITATIVE, max(0, round(baseline.points - change)), day, note)
        )
        scores.append((OutcomeScale.GB_QUALITATIVE, max(1, baseline.grade - better), day, note))
    return scores


def _gais_scores(draw: Draw, days: tuple[date, ...]) -> list[Score]:
    """Other indications: the Global Aesthetic Improvement Scale (2 improved, 3 a little)."""
    longer = draw.sessions > min(SESSION_WEIGHTS)
    return [
        (OutcomeScale.GAIS, 2 if six or longer else 3, day, note)
        for day, six, note in zip(days, (False, True), FOLLOW_UP_NOTES, strict=True)
    ]


def _scar_zone(draw: Draw, zone: Zone) -> dict[str, Any]:
    """One zone's scars as the examiner records them (the same counts in every zone)."""
    moderate = sum(draw.scar_counts[2:])
    return {
        "zone": zone.value,
        "morphology": [
            {
                "width_mm": 4.5,
                "edges": "sloping",
                "tapers_to_point": False,
                "depth": "shallow",
                "count": max(1, sum(draw.scar_counts)),
            }
        ],
        "qualitative": {
            "contour_change": True,
            "visible_at_social_distance": moderate > VISIBLE_FROM_SCARS,
            "easily_concealed": moderate <= VISIBLE_FROM_SCARS,
            "flattens_on_stretch": True,
        },
        "quantitative_counts": dict(zip(GB_LESIONS, draw.scar_counts, strict=True)),
    }
