"""Consent templates, signed consents and stored documents (issue 12).

Revision ID: 20261208_consent
Revises: 20261208_clinic_contact
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "20261208_consent"
down_revision: str | Sequence[str] | None = "20261208_clinic_contact"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: the schema of this step lands with its feature."""


def downgrade() -> None:
    """Nothing yet."""
