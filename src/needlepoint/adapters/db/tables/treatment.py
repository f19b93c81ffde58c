"""Treatment series, their sessions, the sessions' chart versions, and clinical photos."""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

TO_BOOK_UNBOOKED = "next_due_on IS NOT NULL AND next_booked_at IS NULL"
"""The partial index of series to book with nothing booked (the query repeats it)."""
TO_BOOK_BOOKED = "next_booked_at IS NOT NULL"
"""The partial index of series whose next session is booked (never without a due day)."""

# --- treatment records (migration 2026-11-23_treatment) ------------------------------------
# Composite foreign keys carry (clinic_id, patient_id) down the chain patient → series →
# session → chart version, so a row can never name another clinic's or patient's parent.
# Names past PostgreSQL's 63-character limit are given explicitly.

treatment_series = Table(
    "treatment_series",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("consultation_id", Uuid, ForeignKey("consultation.id"), nullable=False),
    Column("proposal", JSON, nullable=False),
    Column("plan", JSON, nullable=False),
    Column("deviations", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("version", Integer, nullable=False),
    # the safety gate (migration 2026-12-06_safety_gate, ADR 0022)
    Column("cancelled_at", UtcDateTime, nullable=True),
    Column("cancelled_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    Column("cancel_reason", Text, nullable=True),
    Column("superseded_by", Uuid, nullable=True),
    # the next session due, kept by every write that moves it (migration
    # 2026-12-10_series_next_due, domain.series_due, ADR 0034): NULL when nothing is to book
    Column("next_due_on", Date, nullable=True),
    Column("next_booked_at", UtcDateTime, nullable=True),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    UniqueConstraint("id", "clinic_id", "patient_id"),
    CheckConstraint(
        "status IN ('planned', 'in_progress', 'completed', 'cancelled')", name="status"
    ),
    CheckConstraint("version >= 1", name="version_positive"),
    Index("ix_treatment_series_clinic_id_patient_id", "clinic_id", "patient_id"),
    # the dashboard's worklists (ADR 0019)
    Index("ix_treatment_series_clinic_id_status", "clinic_id", "status"),
    # one active series per consultation: saving a plan twice can never land twice
    Index(
        "uq_treatment_series_consultation_id_active",
        "consultation_id",
        unique=True,
        sqlite_where=text("status <> 'cancelled'"),
        postgresql_where=text("status <> 'cancelled'"),
    ),
    # the series to book: due, nothing booked for the next session, by (due day, id)
    Index(
        "ix_treatment_series_to_book",
        "clinic_id",
        "next_due_on",
        "id",
        sqlite_where=text(TO_BOOK_UNBOOKED),
        postgresql_where=text(TO_BOOK_UNBOOKED),
    ),
    # the series whose next session is booked, by its start: those booked before today
    Index(
        "ix_treatment_series_next_booked",
        "clinic_id",
        "next_booked_at",
        sqlite_where=text(TO_BOOK_BOOKED),
        postgresql_where=text(TO_BOOK_BOOKED),
    ),
)

treatment_session = Table(
    "treatment_session",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("series_id", Uuid, nullable=False),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("number", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("started_at", UtcDateTime, nullable=True),
    Column("started_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    Column("rescreen", JSON, nullable=True),
    Column("excluded_zones", JSON, nullable=False),
    ForeignKeyConstraint(
        ["series_id", "clinic_id", "patient_id"],
        ["treatment_series.id", "treatment_series.clinic_id", "treatment_series.patient_id"],
        name="fk_treatment_session_series",
    ),
    UniqueConstraint("series_id", "number"),
    UniqueConstraint("id", "clinic_id", "patient_id"),
    CheckConstraint("status IN ('scheduled', 'started', 'signed')", name="status"),
    CheckConstraint("number >= 1", name="number_positive"),
    # the dashboard's worklists (ADR 0019)
    Index("ix_treatment_session_clinic_id_status", "clinic_id", "status"),
    # sessions held and the last start of each series to book, from the index alone (ADR 0034)
    Index("ix_treatment_session_series_id_started_at", "series_id", "started_at"),
)

chart_version = Table(
    "chart_version",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("session_id", Uuid, nullable=False),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("chart", JSON, nullable=False),
    Column("rescreen", JSON, nullable=False),
    Column("notes", Text, nullable=False),
    # Copied out of ``chart`` so that a lot recall is an indexed query, not a JSON scan.
    Column("cartridge_lot", String(100), nullable=False),
    Column("cartridge_expires_on", Date, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("signed_at", UtcDateTime, nullable=True),
    Column("signed_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    ForeignKeyConstraint(
        ["session_id", "clinic_id", "patient_id"],
        ["treatment_session.id", "treatment_session.clinic_id", "treatment_session.patient_id"],
        name="fk_chart_version_session",
    ),
    # Two writers of the same version: the second insert fails, the first stays intact.
    UniqueConstraint("session_id", "version"),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint(
        "(signed_at IS NULL AND signed_by IS NULL) "
        "OR (signed_at IS NOT NULL AND signed_by IS NOT NULL)",
        name="signed_has_signer",
    ),
    Index("ix_chart_version_clinic_id_cartridge_lot", "clinic_id", "cartridge_lot"),
    # the charts waiting for sign-off, oldest first, without reading signed ones (ADR 0034)
    Index(
        "ix_chart_version_clinic_id_created_at_unsigned",
        "clinic_id",
        "created_at",
        postgresql_where=text("signed_at IS NULL"),
        sqlite_where=text("signed_at IS NULL"),
    ),
)

# --- clinical photos (migration 2026-12-08_clinical_photos, ADR 0028) -----------------------
# A photo is stored as the server re-encoded it (JPEG, upright, no metadata) with the SHA-256
# of those bytes, checked on every read. Copies made from photos (smaller copies, aligned
# images) are kept in photo_derivative under a key naming the photos' ids, hashes and landmarks.

PHOTO_VIEWS = (
    "('front', 'left_oblique', 'right_oblique', 'left_profile', 'right_profile', 'close_up')"
)

clinical_photo = Table(
    "clinical_photo",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("session_id", Uuid, nullable=True),
    Column("view", String(20), nullable=False),
    Column("zone", String(20), nullable=True),
    Column("taken_on", Date, nullable=False),
    Column("width_px", Integer, nullable=False),
    Column("height_px", Integer, nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("content_type", String(30), nullable=False),
    Column("sha256", CHAR(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    # {"first": {"x_px", "y_px"}, "second": {...}} in the photo's pixels, or null
    Column("landmarks", JSON, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    ForeignKeyConstraint(
        ["session_id", "clinic_id", "patient_id"],
        ["treatment_session.id", "treatment_session.clinic_id", "treatment_session.patient_id"],
        name="fk_clinical_photo_session",
    ),
    UniqueConstraint("id", "clinic_id", "patient_id"),
    CheckConstraint(f"view IN {PHOTO_VIEWS}", name="view"),
    CheckConstraint(
        "(view = 'close_up' AND zone IS NOT NULL) OR (view <> 'close_up' AND zone IS NULL)",
        name="zone_for_close_up",
    ),
    CheckConstraint("content_type = 'image/jpeg'", name="content_type"),
    CheckConstraint("width_px > 0 AND height_px > 0 AND size_bytes > 0", name="sizes"),
    Index("ix_clinical_photo_clinic_id_patient_id", "clinic_id", "patient_id"),
)

redness_reading = Table(
    "redness_reading",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("photo_id", Uuid, nullable=False),
    # [[x_px, y_px], ...]: the polygon's corners in the photo's pixels
    Column("region", JSON, nullable=False),
    # the mean CIELAB a* (D65) inside the region
    Column("a_star", Numeric(6, 2), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    ForeignKeyConstraint(
        ["photo_id", "clinic_id", "patient_id"],
        ["clinical_photo.id", "clinical_photo.clinic_id", "clinical_photo.patient_id"],
        name="fk_redness_reading_photo",
    ),
    Index("ix_redness_reading_clinic_id_patient_id", "clinic_id", "patient_id"),
)

photo_derivative = Table(
    "photo_derivative",
    metadata,
    Column("key", CHAR(64), primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    # the photo it was made from (for an aligned image: the later photo of the pair)
    Column("photo_id", Uuid, ForeignKey("clinical_photo.id"), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("sha256", CHAR(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_photo_derivative_photo_id", "photo_id"),
)
