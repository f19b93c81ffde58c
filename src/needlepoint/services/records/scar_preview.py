"""Use case: grade scar counts without keeping them (the face map's live score preview).

The zone documents are validated exactly as a recorded assessment's (``assessments``) and
graded by the same pure scales; nothing is read from or written to the database, so nothing
is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from needlepoint.domain.scales.grading import grade_assessments
from needlepoint.services.consultation.facade import Engine, Json, scar_scores
from needlepoint.services.records.assessments import parse_zones


def preview_scar_scores(*, zones: Sequence[Mapping[str, Any]], engine: Engine) -> Json:
    """The scores (Goodman & Baron, ECCA, Jacob) these zone documents would be recorded with."""
    parsed = parse_zones(zones)
    grading = grade_assessments([z.to_domain() for z in parsed], engine.knowledge.scales)
    return scar_scores(grading)
