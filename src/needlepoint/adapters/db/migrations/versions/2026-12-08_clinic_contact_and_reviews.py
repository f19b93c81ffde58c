"""Clinic contact details and check-in reviews (issue 12).

Revision ID: 20261208_clinic_contact
Revises: 20261207_sign_in_throttle
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "20261208_clinic_contact"
down_revision: str | Sequence[str] | None = "20261207_sign_in_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: the schema of this step lands with its feature."""


def downgrade() -> None:
    """Nothing yet."""
