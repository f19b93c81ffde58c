"""Synthetic series facts for the cohort analytics tests (ADR 0045), with a known truth."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from needlepoint.domain.cohorts import Score, SeriesFacts
from needlepoint.domain.outcomes import OutcomeScale

GBQ = OutcomeScale.GB_QUANTITATIVE
GRADE = OutcomeScale.GB_QUALITATIVE
FIRST = date(2026, 1, 5)


def series(
    number: int,
    *,
    sessions: int,
    baseline: float,
    three_months: float | None,
    grades: tuple[int, int] = (3, 3),
    fitzpatrick: int = 2,
    indication: str = "acne_scars",
) -> SeriesFacts:
    last = FIRST + timedelta(days=28 * (sessions - 1))
    scores = [
        Score(GBQ, FIRST - timedelta(days=3), Decimal(str(round(baseline, 2)))),
        Score(GRADE, FIRST - timedelta(days=3), Decimal(grades[0])),
    ]
    if three_months is not None:
        later = last + timedelta(days=95)
        scores += [
            Score(GBQ, later, Decimal(str(round(three_months, 2)))),
            Score(GRADE, later, Decimal(grades[1])),
        ]
    return SeriesFacts(
        series_id=f"s{number}",
        patient_id=f"p{number}",
        indications=(indication,),
        fitzpatrick=fitzpatrick,
        device="pen",
        zones=("cheek_left",),
        max_depth_mm=Decimal("1.5"),
        interval_days=28,
        sessions_done=sessions,
        first_session_on=FIRST,
        last_session_on=last,
        scores=tuple(scores),
    )


def simulated_clinic(seed: int, per_group: int = 30) -> list[SeriesFacts]:
    """Known truth: 4 sessions improve the GB score by 2.0 points more than 3, with noise."""
    rng = random.Random(seed)
    made: list[SeriesFacts] = []
    for number in range(2 * per_group):
        sessions = 4 if number < per_group else 3
        grade = rng.randint(2, 4)
        fitzpatrick = rng.randint(1, 6)
        baseline = 10.0 * grade + rng.gauss(0, 2)
        gain = 1.5 * grade + (2.0 if sessions == 4 else 0.0) + rng.gauss(0, 3)
        made.append(
            series(
                number,
                sessions=sessions,
                baseline=baseline,
                three_months=baseline - gain,
                grades=(grade, grade - 1),
                fitzpatrick=fitzpatrick,
            )
        )
    return made
