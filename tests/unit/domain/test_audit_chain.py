"""The audit chain's arithmetic and anchor format (domain.audit_chain), without a database."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.audit_chain import (
    GENESIS_HASH,
    AnchorError,
    ChainHead,
    Link,
    anchor_document,
    keyed_hash,
    parse_anchor,
    trail_digest,
)
from needlepoint.domain.records import AuditEvent

TAKEN = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
EVENT = AuditEvent(
    at=TAKEN,
    actor_id=UUID(int=1),
    actor_role="clinician",
    action="chart.read",
    resource_type="chart",
    resource_id="c-1",
    patient_id=UUID(int=2),
    outcome="success",
    request_id="req-1",
)

hashes = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
heads = st.lists(
    st.builds(ChainHead, st.uuids().map(str), st.integers(0, 10**9), hashes),
    unique_by=lambda head: head.chain,
    max_size=8,
)


@given(heads)
def test_an_anchor_reads_back_as_the_heads_it_was_written_from(written: list[ChainHead]) -> None:
    read = parse_anchor(anchor_document(written, taken_at=TAKEN))

    assert sorted(read, key=lambda h: h.chain) == sorted(written, key=lambda h: h.chain)


@given(heads, st.randoms())
def test_the_trail_digest_ignores_the_order_of_the_chains(
    written: list[ChainHead], rng: random.Random
) -> None:
    shuffled = list(written)
    rng.shuffle(shuffled)

    assert trail_digest(shuffled) == trail_digest(written)
    assert (trail_digest(written) == GENESIS_HASH) == (not written)


@given(st.binary(min_size=1, max_size=64), st.binary(min_size=1, max_size=64))
def test_the_hash_depends_on_the_key(key: bytes, other: bytes) -> None:
    link = Link("w", 1, GENESIS_HASH)

    assert (keyed_hash(key, link, EVENT) == keyed_hash(other, link, EVENT)) == (key == other)


@pytest.mark.parametrize(
    "moved", [Link("w2", 1, GENESIS_HASH), Link("w", 2, GENESIS_HASH), Link("w", 1, "1" * 64)]
)
def test_the_hash_binds_the_writer_its_place_and_the_row_before(moved: Link) -> None:
    key = b"k" * 32

    assert keyed_hash(key, moved, EVENT) != keyed_hash(key, Link("w", 1, GENESIS_HASH), EVENT)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "not JSON"),
        ('{"format": "other"}', "format"),
        (
            '{"format": "needlepoint-audit-anchor/1", "chains": [{"chain": "w", "count": -1}]}',
            "count",
        ),
        (
            '{"format": "needlepoint-audit-anchor/1", "chains": '
            '[{"chain": "w", "count": 1, "head": "xyz"}]}',
            "head hash",
        ),
    ],
)
def test_a_bad_anchor_is_refused_naming_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(AnchorError, match=reason):
        parse_anchor(text)
