"""Consent templates: the text a patient reads and signs, versioned per procedure and indication.

A template is the list of versions an admin wrote for one procedure (microneedling) and one
indication, or for the procedure whatever the indication (``indication`` None). A version is a
*draft* until it is published; a draft may be edited, a published version never changes again.
An update of a published version is always the next version, a new draft: the old one stays
readable, and every consent signed with it still names it (ADR 0029).

The text is kept in one canonical form (``TemplateText``: Unicode NFC, LF line breaks, no
trailing spaces, no control characters) and its SHA-256 is computed over that form. Publishing
records the hash (``published_sha256``); a published version whose stored text no longer
hashes to it has been altered outside the application, and is refused wherever it is used.

The body is plain text with two marks, so that no template can carry markup: a line starting
``## `` is a heading, and a line starting ``- `` is an item of a list. ``blocks`` reads it into
headings, paragraphs and lists for the pages and the PDF.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import ConflictError, FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.text import text_problem
from needlepoint.domain.vocabulary import Indication

MAX_TITLE_CHARS: Final = 200
"""The longest title of a consent form."""

MAX_BODY_CHARS: Final = 20_000
"""The longest body: about eight printed pages, far more than a plain-language form needs."""

HEADING: Final = "## "
ITEM: Final = "- "

"""Control characters other than line breaks (LF, CR) and the tab, which are normalised."""


class Procedure(StrEnum):
    """What a patient consents to."""

    MICRONEEDLING = "microneedling"


@dataclass(frozen=True, slots=True)
class TemplateText:
    """A consent form's title and body in canonical form (build it with ``template_text``)."""

    title: str
    body: str

    @property
    def canonical(self) -> str:
        """The exact text the hash is computed over: the title, a blank line, the body."""
        return f"{self.title}\n\n{self.body}\n"

    @property
    def sha256(self) -> str:
        """The SHA-256 (hex) of the canonical text, as UTF-8."""
        return hashlib.sha256(self.canonical.encode("utf-8")).hexdigest()


def template_text(title: str, body: str) -> TemplateText:
    """The canonical text of a title and body, or ``InvalidInputError`` naming the field.

    Line breaks become LF, tabs spaces, trailing spaces and blank lines at either end go,
    and three or more line breaks become a blank line; the text is then Unicode NFC.
    """
    clean_title = _canonical(title).replace("\n", " ")
    clean_body = _canonical(body)
    problems = [
        *_text_problems("title", title, clean_title, MAX_TITLE_CHARS),
        *_text_problems("body", body, clean_body, MAX_BODY_CHARS),
    ]
    if problems:
        raise InvalidInputError(problems)
    return TemplateText(clean_title, clean_body)


def _canonical(text: str) -> str:
    unified = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    lines = [line.rstrip() for line in unicodedata.normalize("NFC", unified).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n").strip()


def _text_problems(field: str, given: str, clean: str, limit: int) -> Iterator[FieldProblem]:
    unprintable = text_problem(field, given, lines=True)
    if unprintable is not None:
        yield unprintable
    elif not clean:
        yield FieldProblem(field, "is blank.", "write it out.", InputCode.REQUIRED)
    elif len(clean) > limit:
        yield FieldProblem(
            field,
            f"is {len(clean)} characters long.",
            f"shorten it to {limit} characters or fewer.",
            InputCode.TOO_LONG,
        )


class TemplateChangedError(ConflictError):
    """The text changed since it was read: the change (or the signature) was based on old text.

    Nothing was written; read the version again.
    """

    code = "consent-template-changed"

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} changed while it was being read; nothing was saved. Read it again, then "
            "save (or sign) the text now shown."
        )


class TemplatePublishedError(ConflictError):
    """A published version never changes: it cannot be published again or edited in place."""

    code = "consent-template-published"

    def __init__(self, version_id: UUID) -> None:
        super().__init__(f"consent template version {version_id} is published already")
        self.version_id = version_id


class TemplateAlteredError(ConflictError):
    """A published version's stored text no longer hashes to what was recorded at publication."""

    code = "consent-template-altered"

    def __init__(self, version_id: UUID) -> None:
        super().__init__(
            f"consent template version {version_id} does not match the SHA-256 recorded when it "
            "was published: it was changed outside needlepoint and is not used. Restore it from "
            "a backup, or publish a new version."
        )
        self.version_id = version_id


class DraftExistsError(ConflictError):
    """A template has one draft at a time: edit it (or publish it) before starting another."""

    code = "consent-draft-exists"

    def __init__(self, draft_id: UUID) -> None:
        super().__init__(
            f"this consent template has a draft already ({draft_id}); edit or publish it first"
        )
        self.draft_id = draft_id


@dataclass(frozen=True, slots=True)
class TemplateKey:
    """Which template a version belongs to: a procedure, and an indication or None for all."""

    procedure: Procedure
    indication: Indication | None

    def __str__(self) -> str:
        which = "all indications" if self.indication is None else self.indication.value
        return f"{self.procedure.value} ({which.replace('_', ' ')})"


@dataclass(frozen=True, slots=True)
class ConsentTemplateVersion:
    """One version of a clinic's consent template: a draft, or published and never changed."""

    id: UUID
    clinic_id: UUID
    key: TemplateKey
    version: int
    text: TemplateText
    created_at: datetime
    created_by: UUID
    published_at: datetime | None = None
    published_by: UUID | None = None
    published_sha256: str | None = None

    @property
    def is_published(self) -> bool:
        """Whether the version is published (and so can never change)."""
        return self.published_at is not None

    @property
    def sha256(self) -> str:
        """The SHA-256 of the version's text as stored now."""
        return self.text.sha256

    def edited(self, text: TemplateText, *, expected_sha256: str) -> ConsentTemplateVersion:
        """The draft with new text, if the editor saw its current text.

        Raises:
            TemplatePublishedError: The version is published (``revised`` makes a new one).
            TemplateChangedError: The draft changed since the editor read it.
        """
        if self.is_published:
            raise TemplatePublishedError(self.id)
        if expected_sha256 != self.sha256:
            raise TemplateChangedError("this draft")
        return replace(self, text=text)

    def published(self, *, by: UUID, at: datetime, expected_sha256: str) -> ConsentTemplateVersion:
        """The version published as the admin read it: its hash recorded, never to change.

        Raises:
            TemplatePublishedError: It is published already.
            TemplateChangedError: Its text changed since the admin read it.
        """
        if self.is_published:
            raise TemplatePublishedError(self.id)
        if expected_sha256 != self.sha256:
            raise TemplateChangedError("this draft")
        return replace(self, published_at=at, published_by=by, published_sha256=self.sha256)

    def verified(self) -> ConsentTemplateVersion:
        """The version, if published and its text still hashes to the hash recorded then.

        Raises:
            TemplateAlteredError: The stored text does not match the recorded hash.
        """
        if not self.is_published or self.published_sha256 != self.sha256:
            raise TemplateAlteredError(self.id)
        return self


def revised(
    current: ConsentTemplateVersion,
    text: TemplateText,
    *,
    expected_sha256: str,
    versions: Sequence[ConsentTemplateVersion],
    new: tuple[UUID, UUID, datetime],
) -> ConsentTemplateVersion:
    """An update of a version: a draft is edited; a published version gets a successor.

    ``versions`` are every version of the template; ``new`` is the id, author and time of a
    new version. An update of a published version is the next version number, a draft with
    the new text: the published version itself is never changed.

    Raises:
        TemplateChangedError: The version changed since the editor read it.
        DraftExistsError: A published version is updated while the template has a draft.
    """
    if not current.is_published:
        return current.edited(text, expected_sha256=expected_sha256)
    if expected_sha256 != current.sha256:
        raise TemplateChangedError("this version")
    return next_draft(current.clinic_id, current.key, text, versions=versions, new=new)


def next_draft(
    clinic_id: UUID,
    key: TemplateKey,
    text: TemplateText,
    *,
    versions: Sequence[ConsentTemplateVersion],
    new: tuple[UUID, UUID, datetime],
) -> ConsentTemplateVersion:
    """A new draft of a template, numbered after its newest version.

    Raises:
        DraftExistsError: The template has a draft already.
    """
    draft = next((v for v in versions if not v.is_published), None)
    if draft is not None:
        raise DraftExistsError(draft.id)
    version_id, author, at = new
    number = max((v.version for v in versions), default=0) + 1
    return ConsentTemplateVersion(version_id, clinic_id, key, number, text, at, author)


def template_for(
    indications: Iterable[Indication], published: Iterable[ConsentTemplateVersion]
) -> ConsentTemplateVersion | None:
    """The published version a series is consented with, or None.

    The newest published version for the series' one indication, else the newest for the
    procedure whatever the indication. A series treating several indications is consented with
    the procedure's general form.
    """
    wanted = set(indications)
    live = [v for v in published if v.is_published]
    specific = [v for v in live if len(wanted) == 1 and v.key.indication in wanted]
    general = [v for v in live if v.key.indication is None]
    for candidates in (specific, general):
        if candidates:
            return max(candidates, key=lambda v: v.version)
    return None


# --- reading the body ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a consent body: a heading, a paragraph, or a list of items."""

    kind: str
    """``heading``, ``paragraph`` or ``list``."""
    lines: tuple[str, ...]


def blocks(body: str) -> tuple[Block, ...]:
    """The body as headings, paragraphs (lines joined by a space) and lists, in order."""
    found: list[Block] = []
    for chunk in body.split("\n\n"):
        found.extend(_chunk_blocks([line.strip() for line in chunk.split("\n") if line.strip()]))
    return tuple(found)


def _chunk_blocks(lines: list[str]) -> Iterator[Block]:
    """A chunk's blocks; a line after a list item without a blank line continues the item."""
    paragraph: list[str] = []
    items: list[str] = []
    for line in lines:
        if line.startswith(HEADING):
            yield from _flush(paragraph, "paragraph")
            yield from _flush(items, "list")
            yield Block("heading", (line.removeprefix(HEADING).strip(),))
        elif line.startswith(ITEM):
            yield from _flush(paragraph, "paragraph")
            items.append(line.removeprefix(ITEM).strip())
        elif items:
            items[-1] = f"{items[-1]} {line}"
        else:
            paragraph.append(line)
    yield from _flush(paragraph, "paragraph")
    yield from _flush(items, "list")


def _flush(lines: list[str], kind: str) -> Iterator[Block]:
    if lines:
        yield Block(kind, (" ".join(lines),) if kind == "paragraph" else tuple(lines))
        lines.clear()


def section_items(body: str, heading: str) -> tuple[str, ...]:
    """The list items under one heading of a body (e.g. the risks), in order."""
    items: list[str] = []
    inside = False
    for block in blocks(body):
        if block.kind == "heading":
            inside = block.lines[0] == heading
        elif inside and block.kind == "list":
            items.extend(block.lines)
    return tuple(items)
