"""Clinic contact details and check-in reviews (issue 12).

* ``clinic`` gains how patients reach it: ``phone``, ``address`` and ``phone_hours`` (all NULL
  until an admin sets the phone number; an address or hours without a phone is refused).
* ``check_in`` gains what came of its review, ``review_outcome`` (advice given, seen in clinic,
  referred), and the clinician's ``review_note``. Reviews recorded before keep both NULL: they
  were made without either, and nothing is invented for them.

Revision ID: 20261208_clinic_contact
Revises: 20261207_sign_in_throttle
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261208_clinic_contact"
down_revision: str | Sequence[str] | None = "20261207_sign_in_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = "('advice_given', 'seen_in_clinic', 'referred')"
CLINIC_CONTACT = ("phone_hours", "address", "phone")
CHECK_IN_REVIEW = ("review_note", "review_outcome")


def upgrade() -> None:
    """Add the clinic's contact columns and the review's outcome and note."""
    with op.batch_alter_table("clinic") as batch:
        batch.add_column(sa.Column("phone", sa.String(50), nullable=True))
        batch.add_column(sa.Column("address", sa.String(300), nullable=True))
        batch.add_column(sa.Column("phone_hours", sa.String(300), nullable=True))
        batch.create_check_constraint(
            "ck_clinic_contact_has_phone",
            "phone IS NOT NULL OR (address IS NULL AND phone_hours IS NULL)",
        )
    with op.batch_alter_table("check_in") as batch:
        batch.add_column(sa.Column("review_outcome", sa.String(20), nullable=True))
        batch.add_column(sa.Column("review_note", sa.Text, nullable=True))
        batch.create_check_constraint(
            "ck_check_in_review_outcome",
            f"review_outcome IS NULL OR review_outcome IN {OUTCOMES}",
        )
        batch.create_check_constraint(
            "ck_check_in_review_has_note",
            "(review_outcome IS NULL AND review_note IS NULL) "
            "OR (review_outcome IS NOT NULL AND review_note IS NOT NULL "
            "AND reviewed_at IS NOT NULL)",
        )


def downgrade() -> None:
    """Drop them again (the contact details, outcomes and notes are lost)."""
    with op.batch_alter_table("check_in") as batch:
        batch.drop_constraint("ck_check_in_review_has_note", type_="check")
        batch.drop_constraint("ck_check_in_review_outcome", type_="check")
        for column in CHECK_IN_REVIEW:
            batch.drop_column(column)
    with op.batch_alter_table("clinic") as batch:
        batch.drop_constraint("ck_clinic_contact_has_phone", type_="check")
        for column in CLINIC_CONTACT:
            batch.drop_column(column)
