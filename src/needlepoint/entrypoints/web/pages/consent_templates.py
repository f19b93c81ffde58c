"""The clinic's consent forms, for admins (ADR 0029): write a draft, edit it, publish it.

A form is a template per procedure and indication (or every indication) with numbered
versions. A draft is edited in place; a published version never changes: "write the next
version" starts a new draft from its text. Each form sends back the SHA-256 of the text the
admin read, so a change made by someone else meanwhile is refused, never published unseen.
The forms are read by the API's ``ConsentTemplateIn``, ``ConsentTemplateRevisionIn`` and
``PublishIn``: a problem names the same field with the same code as the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any, Final

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    DraftExistsError,
    TemplateChangedError,
    TemplateKey,
    blocks,
)
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.vocabulary import Indication
from needlepoint.entrypoints.api.schemas.consent import (
    ConsentTemplateIn,
    ConsentTemplateRevisionIn,
    PublishIn,
)
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.permissions import Action
from needlepoint.services.treatment.consent_templates import ConsentTemplateNotFoundError

PATH: Final = "/settings/consent"
CHANGED: Final = (
    "Someone changed this version while you were reading it; nothing was saved. Read it as it "
    "is now, then make your change again."
)
DRAFT_EXISTS: Final = "This form has a draft already: edit or publish that draft first."


def show_all(visit: StaffVisit) -> Response:
    """Every consent form of the clinic with its versions, and a form for a new one."""
    return _list(visit, values={}, problems={})


def create(visit: StaffVisit) -> Response:
    """Start a form's next version as a draft."""
    names = ("indication", "title", "body")
    given: dict[str, Any] = forms.body(visit.form, names)
    if given.get("indication") == "all":
        given["indication"] = None
    try:
        new = forms.parsed(ConsentTemplateIn, given).to_domain()
        made = visit.services.treatment.create_consent_template(new, context=visit.context)
    except InvalidInputError as error:
        return _list(visit, values=visit.form, problems=forms.by_field(error.problems), status=422)
    except DraftExistsError as error:
        return RedirectResponse(f"{PATH}/{error.draft_id}?exists=1", status_code=303)
    return RedirectResponse(f"{PATH}/{made.id}?saved=1", status_code=303)


def show(visit: StaffVisit) -> Response:
    """One version: its text as patients read it, its hash, and what can be done with it."""
    version_id = visit.path_id("version_id", ConsentTemplateNotFoundError)
    version = visit.services.treatment.consent_template(version_id, context=visit.context)
    return _version(visit, version, values={}, problems={})


def revise(visit: StaffVisit) -> Response:
    """Save a draft's new text, or write a published version's successor as a new draft."""
    version_id = visit.path_id("version_id", ConsentTemplateNotFoundError)
    services, context = visit.services, visit.context
    names = ("title", "body", "expected_sha256")
    try:
        body = forms.parsed(ConsentTemplateRevisionIn, forms.body(visit.form, names))
        revised = services.treatment.revise_consent_template(
            body.to_domain(version_id), context=context
        )
    except InvalidInputError as error:
        version = services.treatment.consent_template(version_id, context=context)
        problems = forms.by_field(error.problems)
        return _version(visit, version, values=visit.form, problems=problems, status=422)
    except (TemplateChangedError, DraftExistsError) as error:
        version = services.treatment.consent_template(version_id, context=context)
        said = DRAFT_EXISTS if isinstance(error, DraftExistsError) else CHANGED
        return _version(visit, version, values={}, problems={}, detail=said, status=409)
    return RedirectResponse(f"{PATH}/{revised.id}?saved=1", status_code=303)


def publish(visit: StaffVisit) -> Response:
    """Publish a draft as read; from now on it never changes."""
    version_id = visit.path_id("version_id", ConsentTemplateNotFoundError)
    services, context = visit.services, visit.context
    try:
        body = forms.parsed(PublishIn, forms.body(visit.form, ("expected_sha256",)))
        services.treatment.publish_consent_template(
            version_id, expected_sha256=body.expected_sha256, context=context
        )
    except TemplateChangedError:
        version = services.treatment.consent_template(version_id, context=context)
        return _version(visit, version, values={}, problems={}, detail=CHANGED, status=409)
    return RedirectResponse(f"{PATH}/{version_id}?published=1", status_code=303)


def _list(
    visit: StaffVisit,
    *,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    status: int = 200,
) -> Response:
    versions = visit.services.treatment.list_consent_templates(context=visit.context)
    page = {
        "templates": _by_template(versions),
        "indications": [i for i in Indication if i is not Indication.HAIR_LOSS],
        "values": values,
        "problems": problems,
        "may_manage": visit.may(Action.CONSENT_TEMPLATE_MANAGE),
        "current": "consent",
    }
    return templates.render(visit, "consent/templates.html", page, status=status)


def _by_template(
    versions: Sequence[ConsentTemplateVersion],
) -> list[tuple[TemplateKey, list[ConsentTemplateVersion]]]:
    """The versions by template (the service lists them by template, newest first)."""
    return [(key, list(group)) for key, group in groupby(versions, key=lambda v: v.key)]


def _version(
    visit: StaffVisit,
    version: ConsentTemplateVersion,
    *,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    detail: str = "",
    status: int = 200,
) -> Response:
    page = {
        "version": version,
        "form_blocks": blocks(version.text.body),
        "values": values or {"title": version.text.title, "body": version.text.body},
        "problems": problems,
        "detail": detail,
        "may_manage": visit.may(Action.CONSENT_TEMPLATE_MANAGE),
        "done": next((w for w in ("saved", "published", "exists") if visit.query(w)), ""),
        "current": "consent",
    }
    return templates.render(visit, "consent/template.html", page, status=status)
