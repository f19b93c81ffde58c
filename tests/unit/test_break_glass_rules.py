"""Break-glass grants (ADR 0038, scenario AC-6): a reason, one patient, at most 60 minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain import break_glass
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import Role, StaffMember

AT = datetime(2026, 12, 11, 22, 30, tzinfo=UTC)
REASON = "patient phoned with swelling after treatment, clinician unreachable"


def _actor() -> StaffMember:
    return StaffMember(uuid4(), uuid4(), "desk@harbour.test", "Desk", Role.FRONT_DESK, None)


@pytest.mark.parametrize("reason", [None, "", "   \n\t "])
def test_ac6_no_reason_is_refused_naming_reason(reason: str | None) -> None:
    with pytest.raises(InvalidInputError) as refused:
        break_glass.grant(
            grant_id=uuid4(), actor=_actor(), patient_id=uuid4(), reason=reason, at=AT
        )

    (problem,) = refused.value.problems
    assert problem.field == "reason"
    assert problem.code == "reason-required"


def test_a_reason_too_short_to_say_what_the_emergency_is_is_refused() -> None:
    with pytest.raises(InvalidInputError) as refused:
        break_glass.grant(
            grant_id=uuid4(), actor=_actor(), patient_id=uuid4(), reason="urgent", at=AT
        )

    assert refused.value.problems[0].field == "reason"
    assert refused.value.problems[0].code == "too-short"


@given(
    ttl_minutes=st.integers(min_value=1, max_value=10_000),
    elapsed_s=st.integers(min_value=0, max_value=2 * 3600),
)
def test_ac6_a_grant_never_outlasts_60_minutes(ttl_minutes: int, elapsed_s: int) -> None:
    actor, patient_id = _actor(), uuid4()
    grant = break_glass.grant(
        grant_id=uuid4(),
        actor=actor,
        patient_id=patient_id,
        reason=REASON,
        at=AT,
        ttl_minutes=ttl_minutes,
    )
    at = AT + timedelta(seconds=elapsed_s)

    assert grant.expires_at - grant.granted_at <= timedelta(minutes=60)
    assert grant.expires_at - grant.granted_at == timedelta(minutes=min(ttl_minutes, 60))
    assert grant.opens(actor.id, patient_id, at) == (at < grant.expires_at)
    assert not grant.opens(actor.id, uuid4(), at)  # one patient only
    assert not grant.opens(uuid4(), patient_id, at)  # its actor only


def test_ac6_sixty_minutes_and_one_second_later_the_grant_is_closed() -> None:
    grant = break_glass.grant(
        grant_id=uuid4(), actor=_actor(), patient_id=uuid4(), reason=REASON, at=AT
    )

    assert grant.is_active(AT + timedelta(minutes=59, seconds=59))
    assert not grant.is_active(AT + timedelta(minutes=60, seconds=1))


def test_the_reason_is_kept_trimmed_to_one_line() -> None:
    grant = break_glass.grant(
        grant_id=uuid4(), actor=_actor(), patient_id=uuid4(), reason=f"  {REASON}\n ", at=AT
    )

    assert grant.reason == REASON
