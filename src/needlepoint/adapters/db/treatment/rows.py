"""Rows ⇄ treatment records: series, sessions and chart versions.

Conversions are explicit, field by field. JSON columns keep depths as strings (``"1.25"``, so
nothing is rounded), dates and instants in ISO 8601 and enums by value; a chart's cartridge
lot and expiry are also copied to their own columns so that a recall is an indexed query.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping

from needlepoint.adapters.db import sealed
from needlepoint.adapters.db import tables as t
from needlepoint.domain.charting import (
    Cartridge,
    Numbing,
    Override,
    OverrideKind,
    SessionChart,
    ZoneTreatment,
)
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.series_plan import Deviation, PlannedZone, SeriesPlan
from needlepoint.domain.treatment import (
    Cancellation,
    ChartVersion,
    SeriesStatus,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
)
from needlepoint.domain.vocabulary import Device, Zone

_EVENTS = f"chart.{sealed.ADVERSE_EVENTS}"


def series_values(series: TreatmentSeries) -> dict[str, Any]:
    """The columns of a series."""
    return {
        "id": series.id,
        "clinic_id": series.clinic_id,
        "patient_id": series.patient_id,
        "consultation_id": series.consultation_id,
        "proposal": dict(series.proposal),
        "plan": plan_json(series.plan),
        "deviations": [deviation_json(d) for d in series.deviations],
        "status": series.status.value,
        "created_at": series.created_at,
        "created_by": series.created_by,
        "version": series.version,
        **cancellation_values(series.cancellation),
    }


def cancellation_values(cancellation: Cancellation | None) -> dict[str, Any]:
    """The cancellation columns of a series (all None while it is not cancelled)."""
    if cancellation is None:
        return dict.fromkeys(("cancelled_at", "cancelled_by", "cancel_reason", "superseded_by"))
    return {
        "cancelled_at": cancellation.at,
        "cancelled_by": cancellation.by,
        "cancel_reason": cancellation.reason,
        "superseded_by": cancellation.superseded_by,
    }


def _cancellation(row: RowMapping) -> Cancellation | None:
    """A series' cancellation read back (series cancelled before reasons were kept have none)."""
    if row["cancel_reason"] is None:
        return None
    return Cancellation(
        at=row["cancelled_at"] or row["created_at"],
        by=row["cancelled_by"] or row["created_by"],
        reason=row["cancel_reason"],
        superseded_by=row["superseded_by"],
    )


def series_from_row(row: RowMapping) -> TreatmentSeries:
    """A series read back from its row."""
    return TreatmentSeries(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        consultation_id=row["consultation_id"],
        proposal=row["proposal"],
        plan=plan_from_json(row["plan"]),
        deviations=tuple(deviation_from_json(d) for d in row["deviations"]),
        status=SeriesStatus(row["status"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        version=row["version"],
        cancellation=_cancellation(row),
    )


def plan_json(plan: SeriesPlan) -> dict[str, Any]:
    """The agreed plan as JSON."""
    return {
        "zones": [
            {
                "zone": z.zone.value,
                "depth_mm": {"min": str(z.depth_min_mm), "max": str(z.depth_max_mm)},
            }
            for z in plan.zones
        ],
        "sessions": plan.sessions,
        "interval_days": plan.interval_days,
    }


def plan_from_json(data: dict[str, Any]) -> SeriesPlan:
    """The agreed plan read back from JSON."""
    return SeriesPlan(
        zones=tuple(
            PlannedZone(
                zone=Zone(z["zone"]),
                depth_min_mm=Decimal(z["depth_mm"]["min"]),
                depth_max_mm=Decimal(z["depth_mm"]["max"]),
            )
            for z in data["zones"]
        ),
        sessions=data["sessions"],
        interval_days=data["interval_days"],
    )


def deviation_json(deviation: Deviation) -> dict[str, Any]:
    """One deviation as JSON."""
    return {
        "path": deviation.path,
        "proposed": deviation.proposed,
        "chosen": deviation.chosen,
        "reason": deviation.reason,
        "by": str(deviation.by),
        "at": deviation.at.isoformat(),
        "rule_id": deviation.rule_id,
    }


def deviation_from_json(data: dict[str, Any]) -> Deviation:
    """One deviation read back from JSON."""
    return Deviation(
        path=data["path"],
        proposed=data["proposed"],
        chosen=data["chosen"],
        reason=data["reason"],
        by=UUID(data["by"]),
        at=datetime.fromisoformat(data["at"]),
        rule_id=data.get("rule_id", ""),
    )


def session_values(session: TreatmentSession) -> dict[str, Any]:
    """The columns of a session."""
    return {
        "id": session.id,
        "series_id": session.series_id,
        "clinic_id": session.clinic_id,
        "patient_id": session.patient_id,
        "number": session.number,
        "status": session.status.value,
        "started_at": session.started_at,
        "started_by": session.started_by,
        "rescreen": None if session.rescreen is None else dict(session.rescreen),
        "excluded_zones": [z.value for z in session.excluded_zones],
    }


def session_from_row(row: RowMapping) -> TreatmentSession:
    """A session read back from its row."""
    return TreatmentSession(
        id=row["id"],
        series_id=row["series_id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        number=row["number"],
        status=SessionStatus(row["status"]),
        started_at=row["started_at"],
        started_by=row["started_by"],
        rescreen=row["rescreen"],
        excluded_zones=tuple(Zone(z) for z in row["excluded_zones"]),
    )


def chart_version_values(connection: Connection, version: ChartVersion) -> dict[str, Any]:
    """The columns of a chart version (the lot and expiry copied out of the chart).

    The notes and the adverse events are sealed for this row (ADR 0039).
    """
    chart = chart_json(version.chart)
    chart[sealed.ADVERSE_EVENTS] = sealed.seal_list(
        connection, t.chart_version, _EVENTS, version.id, chart[sealed.ADVERSE_EVENTS]
    )
    return {
        "id": version.id,
        "session_id": version.session_id,
        "clinic_id": version.clinic_id,
        "patient_id": version.patient_id,
        "version": version.version,
        "chart": chart,
        "rescreen": dict(version.rescreen),
        "notes": sealed.seal(connection, t.chart_version, "notes", version.id, version.notes),
        "cartridge_lot": version.chart.cartridge.lot,
        "cartridge_expires_on": version.chart.cartridge.expires_on,
        "created_at": version.created_at,
        "created_by": version.created_by,
        "signed_at": version.signed_at,
        "signed_by": version.signed_by,
    }


def chart_version_from_row(connection: Connection, row: RowMapping) -> ChartVersion:
    """A chart version read back from its row (its sealed fields opened)."""
    version_id = row["id"]
    chart = dict(row["chart"])
    chart[sealed.ADVERSE_EVENTS] = sealed.open_list(
        connection, t.chart_version, _EVENTS, version_id, chart[sealed.ADVERSE_EVENTS]
    )
    return ChartVersion(
        id=row["id"],
        session_id=row["session_id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        version=row["version"],
        chart=chart_from_json(chart),
        rescreen=row["rescreen"],
        notes=sealed.open_text(connection, t.chart_version, "notes", version_id, row["notes"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        signed_at=row["signed_at"],
        signed_by=row["signed_by"],
    )


def chart_json(chart: SessionChart) -> dict[str, Any]:
    """The chart as JSON: depths as strings (never rounded), instants in ISO 8601."""
    endpoint = chart.endpoint_reached
    return {
        "device": chart.device.value,
        "cartridge": {
            "lot": chart.cartridge.lot,
            "expires_on": chart.cartridge.expires_on.isoformat(),
        },
        "numbing": numbing_json(chart.numbing),
        "zones": [zone_treatment_json(z) for z in chart.zones],
        "endpoint_reached": None if endpoint is None else endpoint.value,
        "products_applied": list(chart.products_applied),
        "adverse_events": list(chart.adverse_events),
        "overrides": [override_json(o) for o in chart.overrides],
    }


def override_json(override: Override) -> dict[str, Any]:
    """One override as JSON: its kind, subject, reason, rule id and who recorded it."""
    return {
        "kind": override.kind.value,
        "zone": None if override.zone is None else override.zone.value,
        "product": override.product,
        "reason": override.reason,
        "rule_id": override.rule_id,
        "by": None if override.by is None else str(override.by),
    }


def override_from_json(data: dict[str, Any]) -> Override:
    """One override read back (charts saved before rule ids were kept have kind and zone)."""
    zone, by = data.get("zone"), data.get("by")
    return Override(
        kind=OverrideKind(data["kind"]),
        reason=data["reason"],
        zone=None if zone is None else Zone(zone),
        product=data.get("product"),
        rule_id=data.get("rule_id", ""),
        by=None if by is None else UUID(by),
    )


def numbing_json(numbing: Numbing | None) -> dict[str, Any] | None:
    """Numbing as JSON (None when none was used)."""
    if numbing is None:
        return None
    removed = numbing.removed_at
    return {
        "product": numbing.product,
        "applied_at": numbing.applied_at.isoformat(),
        "removed_at": None if removed is None else removed.isoformat(),
    }


def zone_treatment_json(zone: ZoneTreatment) -> dict[str, Any]:
    """One charted zone as JSON."""
    return {
        "zone": zone.zone.value,
        "planned_depth_mm": str(zone.planned_depth_mm),
        "delivered_depth_mm": str(zone.delivered_depth_mm),
        "passes": zone.passes,
    }


def chart_from_json(data: dict[str, Any]) -> SessionChart:
    """The chart read back from JSON."""
    endpoint = data["endpoint_reached"]
    cartridge = data["cartridge"]
    return SessionChart(
        device=Device(data["device"]),
        cartridge=Cartridge(
            lot=cartridge["lot"], expires_on=date.fromisoformat(cartridge["expires_on"])
        ),
        numbing=numbing_from_json(data["numbing"]),
        zones=tuple(zone_treatment_from_json(z) for z in data["zones"]),
        endpoint_reached=None if endpoint is None else Endpoint(endpoint),
        products_applied=tuple(data["products_applied"]),
        adverse_events=tuple(data["adverse_events"]),
        overrides=tuple(override_from_json(o) for o in data["overrides"]),
    )


def zone_treatment_from_json(data: dict[str, Any]) -> ZoneTreatment:
    """One charted zone read back from JSON."""
    return ZoneTreatment(
        zone=Zone(data["zone"]),
        planned_depth_mm=Decimal(data["planned_depth_mm"]),
        delivered_depth_mm=Decimal(data["delivered_depth_mm"]),
        passes=data["passes"],
    )


def numbing_from_json(data: dict[str, Any] | None) -> Numbing | None:
    """Numbing read back from JSON."""
    if data is None:
        return None
    removed = data["removed_at"]
    return Numbing(
        product=data["product"],
        applied_at=datetime.fromisoformat(data["applied_at"]),
        removed_at=None if removed is None else datetime.fromisoformat(removed),
    )
