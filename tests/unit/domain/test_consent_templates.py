"""Consent templates (ADR 0029): canonical text and its hash, immutable published versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    DraftExistsError,
    Procedure,
    TemplateAlteredError,
    TemplateChangedError,
    TemplateKey,
    TemplatePublishedError,
    TemplateText,
    blocks,
    next_draft,
    revised,
    section_items,
    template_for,
    template_text,
)
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.vocabulary import Indication

AT = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
ADMIN = UUID(int=1)
CLINIC = UUID(int=2)
GENERAL = TemplateKey(Procedure.MICRONEEDLING, None)
ACNE = TemplateKey(Procedure.MICRONEEDLING, Indication.ACNE_SCARS)

lines = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\n"),
    max_size=40,
).map(lambda line: f"a{line}")  # a line with something on it: the blank ones are tested apart
bodies = st.lists(lines, min_size=1, max_size=8).map("\n".join)
texts = st.builds(template_text, lines, bodies)


def draft(
    text: TemplateText | None = None, number: int = 1, key: TemplateKey = GENERAL
) -> ConsentTemplateVersion:
    written = text or template_text("Consent to microneedling", "## Risks\n- Infection.")
    return ConsentTemplateVersion(uuid4(), CLINIC, key, number, written, AT, ADMIN)


def published(
    text: TemplateText | None = None, number: int = 1, key: TemplateKey = GENERAL
) -> ConsentTemplateVersion:
    made = draft(text, number, key)
    return made.published(by=ADMIN, at=AT, expected_sha256=made.sha256)


def new(at: datetime = AT) -> tuple[UUID, UUID, datetime]:
    return uuid4(), ADMIN, at


def test_the_hash_is_of_the_canonical_text_whatever_the_line_endings_and_trailing_spaces() -> None:
    unix = template_text("Consent", "## Risks\n- Infection.\n- Bruising.")
    windows = template_text("  Consent ", "\r\n## Risks  \r\n- Infection.\r\n- Bruising.\t\r\n\r\n")

    assert unix == windows
    assert unix.sha256 == windows.sha256
    assert unix.canonical == "Consent\n\n## Risks\n- Infection.\n- Bruising.\n"


def test_one_changed_character_changes_the_hash() -> None:
    one = template_text("Consent", "Risks: infection.")
    other = template_text("Consent", "Risks: infections.")

    assert one.sha256 != other.sha256
    assert len(one.sha256) == 64


def test_a_form_is_refused_blank_too_long_or_with_control_characters_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as blank:
        template_text("  ", "\n\n")
    with pytest.raises(InvalidInputError) as control:
        template_text("Consent\x07", "text")
    with pytest.raises(InvalidInputError) as long:
        template_text("Consent", "x" * 20_001)

    assert {(p.field, p.code) for p in blank.value.problems} == {
        ("title", "required"),
        ("body", "required"),
    }
    # the one text rule's code, as the API gives it
    assert [(p.field, p.code) for p in control.value.problems] == [("title", "not-text")]
    assert [(p.field, p.code) for p in long.value.problems] == [("body", "too-long")]


@given(text=texts, update=texts, others=st.integers(0, 4))
def test_an_update_of_a_published_version_always_creates_a_new_version(
    text: TemplateText, update: TemplateText, others: int
) -> None:
    versions = [published(text, number) for number in range(1, others + 2)]
    current = versions[-1]
    before = replace(current)

    successor = revised(
        current, update, expected_sha256=current.sha256, versions=versions, new=new()
    )

    assert current == before  # the published version itself is untouched
    assert successor.id != current.id
    assert successor.version == max(v.version for v in versions) + 1
    assert (successor.is_published, successor.text) == (False, update)
    assert current.verified() is current


@given(text=texts, update=texts)
def test_an_update_of_a_draft_edits_it_in_place_as_read(
    text: TemplateText, update: TemplateText
) -> None:
    written = draft(text)

    edited = revised(written, update, expected_sha256=written.sha256, versions=[written], new=new())

    assert (edited.id, edited.version, edited.text) == (written.id, written.version, update)


def test_a_published_version_is_never_edited_or_published_again() -> None:
    version = published()

    with pytest.raises(TemplatePublishedError):
        version.edited(template_text("Other", "text"), expected_sha256=version.sha256)
    with pytest.raises(TemplatePublishedError):
        version.published(by=ADMIN, at=AT, expected_sha256=version.sha256)


def test_a_change_based_on_text_read_before_someone_else_changed_it_is_refused() -> None:
    written = draft()
    stale = "0" * 64

    with pytest.raises(TemplateChangedError):
        written.edited(template_text("T", "b"), expected_sha256=stale)
    with pytest.raises(TemplateChangedError):
        written.published(by=ADMIN, at=AT, expected_sha256=stale)
    with pytest.raises(TemplateChangedError):
        revised(published(), written.text, expected_sha256=stale, versions=[], new=new())


def test_publishing_records_the_hash_and_an_altered_text_fails_its_check() -> None:
    version = published()
    altered = replace(version, text=template_text(version.text.title, "Risks: none at all."))

    assert version.published_sha256 == version.sha256
    assert version.verified() is version
    with pytest.raises(TemplateAlteredError):
        altered.verified()
    with pytest.raises(TemplateAlteredError):
        draft().verified()  # a draft is not a form anyone signs


def test_a_template_has_one_draft_at_a_time() -> None:
    first = published()
    pending = draft(number=2)

    with pytest.raises(DraftExistsError) as refused:
        next_draft(CLINIC, GENERAL, template_text("T", "b"), versions=[first, pending], new=new())

    assert refused.value.draft_id == pending.id


@given(number=st.integers(1, 5))
def test_the_form_of_a_series_is_the_newest_published_for_its_one_indication_else_general(
    number: int,
) -> None:
    general = [published(number=n) for n in range(1, number + 1)]
    acne = published(number=1, key=ACNE)
    unpublished = draft(number=number + 1)

    assert template_for({Indication.ACNE_SCARS}, [*general, acne, unpublished]) == acne
    assert template_for({Indication.STRETCH_MARKS}, [*general, acne]) == general[-1]
    both = {Indication.ACNE_SCARS, Indication.FINE_LINES}
    assert template_for(both, [*general, acne]) == general[-1]
    assert template_for({Indication.STRETCH_MARKS}, [acne, unpublished]) is None


def test_the_body_reads_as_headings_paragraphs_and_lists() -> None:
    body = (
        "## What it is\nFine needles make\nsmall channels.\n\n## Risks\n- Infection.\n"
        "- Cold sores,\n  especially near the lips.\n\n## Photos\nWe take photos."
    )

    found = blocks(template_text("T", body).body)

    assert [(b.kind, b.lines) for b in found] == [
        ("heading", ("What it is",)),
        ("paragraph", ("Fine needles make small channels.",)),
        ("heading", ("Risks",)),
        ("list", ("Infection.", "Cold sores, especially near the lips.")),
        ("heading", ("Photos",)),
        ("paragraph", ("We take photos.",)),
    ]
    assert section_items(body, "Risks") == ("Infection.", "Cold sores, especially near the lips.")
    assert section_items(body, "Photos") == ()


def test_versions_made_later_are_numbered_after_every_earlier_one() -> None:
    old = published(number=3)
    later = next_draft(
        CLINIC, GENERAL, template_text("T", "b"), versions=[old], new=new(AT + timedelta(days=1))
    )

    assert later.version == 4
    assert later.created_at == AT + timedelta(days=1)
