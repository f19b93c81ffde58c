"""Use cases: an admin writes consent templates, edits drafts and publishes versions.

A template belongs to a procedure and an indication (or all of the procedure's indications).
Its versions are drafts until published; a published version is never written again, and an
update of it creates the next version as a draft (``domain.consent_templates``, ADR 0029).
Editing and publishing name the SHA-256 of the text the admin read, so that a change made by
someone else meanwhile is refused rather than published unseen.

Reads need ``consent_template.read``; writes ``consent_template.manage`` (admins), each
write one unit of work with one audit event. Another clinic's version reads as missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    TemplateKey,
    next_draft,
    revised,
    template_text,
)
from needlepoint.domain.errors import NotFoundError
from needlepoint.services import audit, permissions
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasConsentTemplates
from needlepoint.services.treatment.ports import ConsentTemplateReads, ConsentTemplateWriting

RESOURCE = "consent_template_version"


class ConsentTemplateNotFoundError(NotFoundError):
    """No such consent template version in this clinic."""

    code = "consent-template-not-found"


@dataclass(frozen=True, slots=True)
class NewTemplate:
    """The first draft of a template's next version: which template, its title and body."""

    key: TemplateKey
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class TemplateRevision:
    """An update of a version as the admin wrote it, with the hash of the text they read."""

    version_id: UUID
    title: str
    body: str
    expected_sha256: str


def list_templates(
    *, context: audit.RequestContext, uow: ConsentTemplateReads
) -> Sequence[ConsentTemplateVersion]:
    """Every version of the clinic's consent templates, by template then newest first."""
    permissions.require(context, Action.CONSENT_TEMPLATE_READ)
    with uow:
        return uow.consent_templates.for_clinic(context.actor.clinic_id)


def get_template(
    *, version_id: UUID, context: audit.RequestContext, uow: ConsentTemplateReads
) -> ConsentTemplateVersion:
    """One version of the clinic's consent templates."""
    permissions.require(context, Action.CONSENT_TEMPLATE_READ)
    with uow:
        return version_or_raise(uow, context.actor.clinic_id, version_id)


def create_template(
    *, new: NewTemplate, context: audit.RequestContext, uow: ConsentTemplateWriting, clock: Clock
) -> ConsentTemplateVersion:
    """Start a template's next version as a draft (its first, for a new template).

    Raises:
        InvalidInputError: The title or body is blank, too long or has control characters.
        DraftExistsError: The template has a draft already: edit that one.
    """
    permissions.require(context, Action.CONSENT_TEMPLATE_MANAGE)
    text = template_text(new.title, new.body)
    now = clock.now()
    with uow:
        versions = uow.consent_templates.of_template(context.actor.clinic_id, new.key)
        made = (uuid4(), context.actor.id, now)
        draft = next_draft(context.actor.clinic_id, new.key, text, versions=versions, new=made)
        uow.consent_templates.add(draft)
        _audit(uow, context, "consent_template.create", draft, clock)
        uow.commit()
    return draft


def revise_template(
    *,
    revision: TemplateRevision,
    context: audit.RequestContext,
    uow: ConsentTemplateWriting,
    clock: Clock,
) -> ConsentTemplateVersion:
    """Update a version: a draft is edited; a published one gets a new draft after it.

    Raises:
        ConsentTemplateNotFoundError: No such version in the clinic.
        TemplateChangedError: The version changed since the admin read it.
        DraftExistsError: A published version is updated while its template has a draft.
    """
    permissions.require(context, Action.CONSENT_TEMPLATE_MANAGE)
    text = template_text(revision.title, revision.body)
    clinic_id = context.actor.clinic_id
    with uow:
        current = version_or_raise(uow, clinic_id, revision.version_id)
        versions = uow.consent_templates.of_template(clinic_id, current.key)
        made = (uuid4(), context.actor.id, clock.now())
        updated = revised(
            current, text, expected_sha256=revision.expected_sha256, versions=versions, new=made
        )
        if updated.id == current.id:
            uow.consent_templates.save_draft(updated, replacing=current.text)
            _audit(uow, context, "consent_template.edit", updated, clock)
        else:
            uow.consent_templates.add(updated)
            _audit(uow, context, "consent_template.create", updated, clock)
        uow.commit()
    return updated


def publish_template(
    *,
    version_id: UUID,
    expected_sha256: str,
    context: audit.RequestContext,
    uow: ConsentTemplateWriting,
    clock: Clock,
) -> ConsentTemplateVersion:
    """Publish a draft as the admin read it; from now on it never changes.

    Raises:
        ConsentTemplateNotFoundError: No such version in the clinic.
        TemplatePublishedError: It is published already.
        TemplateChangedError: Its text changed since the admin read it.
    """
    permissions.require(context, Action.CONSENT_TEMPLATE_MANAGE)
    with uow:
        draft = version_or_raise(uow, context.actor.clinic_id, version_id)
        published = draft.published(
            by=context.actor.id, at=clock.now(), expected_sha256=expected_sha256
        )
        uow.consent_templates.save_draft(published, replacing=draft.text)
        _audit(uow, context, "consent_template.publish", published, clock)
        uow.commit()
    return published


def version_or_raise(
    uow: HasConsentTemplates, clinic_id: UUID, version_id: UUID
) -> ConsentTemplateVersion:
    """A version of the clinic's templates, or ``ConsentTemplateNotFoundError``."""
    found = uow.consent_templates.get(clinic_id, version_id)
    if found is None:
        raise ConsentTemplateNotFoundError(f"no consent template version {version_id}")
    return found


def _audit(
    uow: audit.Audited,
    context: audit.RequestContext,
    action: str,
    version: ConsentTemplateVersion,
    clock: Clock,
) -> None:
    access = audit.Access(action, RESOURCE, str(version.id), None)
    audit.record(uow, context, access, at=clock.now())
