"""The consent pages and the action each takes (ADR 0029), joined to ``web.routes.PAGES``."""

from __future__ import annotations

from typing import Final

from needlepoint.entrypoints.web.pages import consent, consent_templates
from needlepoint.entrypoints.web.routing import Page
from needlepoint.services.permissions import Action

FORM: Final = f"{consent_templates.PATH}/{{version_id}}"

CONSENT_PAGES: Final = (
    Page("GET", consent_templates.PATH, consent_templates.show_all, Action.CONSENT_TEMPLATE_READ),
    Page("POST", consent_templates.PATH, consent_templates.create, Action.CONSENT_TEMPLATE_MANAGE),
    Page("GET", FORM, consent_templates.show, Action.CONSENT_TEMPLATE_READ),
    Page("POST", FORM, consent_templates.revise, Action.CONSENT_TEMPLATE_MANAGE),
    Page("POST", f"{FORM}/publish", consent_templates.publish, Action.CONSENT_TEMPLATE_MANAGE),
    Page("GET", "/series/{series_id}/consent", consent.show, Action.CONSENT_READ),
    Page("POST", "/series/{series_id}/consent", consent.sign, Action.CONSENT_RECORD),
    Page("POST", "/consents/{consent_id}/witness", consent.witness, Action.CONSENT_WITNESS),
    Page("POST", "/consents/{consent_id}/withdraw", consent.withdraw, Action.CONSENT_WITHDRAW),
    Page("GET", "/consents/{consent_id}/signed-form.pdf", consent.document, Action.CONSENT_READ),
)
