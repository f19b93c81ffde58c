"""The face map: three views of the face as SVG shapes, and the scar counts of each zone.

Each shape belongs to a zone of ``zones.yaml`` (``data-zone``); the front view is drawn once
and the oblique views are the same shapes seen turned (the near side wider, the far side
narrower). A zone's form asks for scar counts by Jacob type and the Goodman & Baron
qualitative observations; ``zone_document`` turns them into the assessment document the
services grade (quantitative rows, ECCA items and Jacob morphology from the same counts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.vocabulary import Zone

FACE_ZONES: Final = (
    Zone.FOREHEAD,
    Zone.GLABELLA,
    Zone.TEMPLES,
    Zone.PERIORBITAL,
    Zone.EYELIDS,
    Zone.NOSE,
    Zone.CHEEKS,
    Zone.PERIORAL,
    Zone.CHIN,
    Zone.JAWLINE,
    Zone.NECK,
)
HARD_STOPS: Final = {
    Zone.EYELIDS: "Inside the orbital rim: the device label forbids needling there, ever.",
}

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Shape:
    """One clickable area of one view."""

    zone: Zone
    side: str
    path: str

    @property
    def key(self) -> str:
        """Unique within a view: the zone and its side."""
        return f"{self.zone}-{self.side}" if self.side else str(self.zone)


@dataclass(frozen=True, slots=True)
class View:
    """One drawing of the face."""

    key: str
    title: str
    outline: str
    shapes: tuple[Shape, ...]


def _ellipse(cx: float, cy: float, rx: float, ry: float, steps: int = 20) -> list[Point]:
    return [
        (cx + rx * math.cos(2 * math.pi * i / steps), cy + ry * math.sin(2 * math.pi * i / steps))
        for i in range(steps)
    ]


def _mirror(points: Iterable[Point]) -> list[Point]:
    return [(200 - x, y) for x, y in points]


_RIGHT: Final[dict[Zone, list[Point]]] = {
    # The patient's right side, drawn on the viewer's left; the left side is its mirror.
    Zone.TEMPLES: [(34, 58), (50, 56), (50, 98), (38, 98)],
    Zone.PERIORBITAL: _ellipse(72, 100, 23, 15),
    Zone.EYELIDS: _ellipse(72, 100, 12, 6),
    Zone.CHEEKS: [(44, 112), (84, 122), (86, 162), (52, 160)],
    Zone.JAWLINE: [(40, 166), (52, 164), (84, 214), (78, 226)],
}
_MIDDLE: Final[dict[Zone, list[Point]]] = {
    Zone.FOREHEAD: [(52, 30), (100, 16), (148, 30), (150, 70), (110, 70), (90, 70), (50, 70)],
    Zone.GLABELLA: [(90, 72), (110, 72), (110, 92), (90, 92)],
    Zone.NOSE: [(94, 94), (106, 94), (116, 150), (84, 150)],
    Zone.PERIORAL: _ellipse(100, 178, 28, 15),
    Zone.CHIN: [(82, 198), (118, 198), (114, 226), (86, 226)],
    Zone.NECK: [(72, 240), (128, 240), (136, 268), (64, 268)],
}
_OUTLINE: Final = _ellipse(100, 125, 68, 108, 40)
_ORDER: Final = {zone: index for index, zone in enumerate(FACE_ZONES)}


def _front_points() -> list[tuple[Zone, str, list[Point]]]:
    shapes = [(zone, "", points) for zone, points in _MIDDLE.items()]
    for zone, points in _RIGHT.items():
        shapes.append((zone, "right", points))
        shapes.append((zone, "left", _mirror(points)))
    # Drawn in zone order, so the eyelids lie over the periorbital ring and stay clickable.
    return sorted(shapes, key=lambda s: _ORDER[s[0]])


def _turned(near: str) -> Callable[[Point], Point]:
    """The front view seen turned towards one side: that side wider, the other narrower."""

    def turn(point: Point) -> Point:
        x, y = point
        offset = x - 100
        patient_left = offset > 0  # the patient's left is on the viewer's right
        wide = patient_left == (near == "left")
        return (100 + offset * (1.35 if wide else 0.55), y)

    return turn


def _path(points: Iterable[Point], transform: Callable[[Point], Point] | None = None) -> str:
    moved = [transform(p) if transform else p for p in points]
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in moved) + " Z"


def _view(key: str, title: str, near: str | None, hidden: str | None) -> View:
    transform = _turned(near) if near else None
    shapes = tuple(
        Shape(zone, side, _path(points, transform))
        for zone, side, points in _front_points()
        if side != hidden
    )
    return View(key, title, _path(_OUTLINE, transform), shapes)


VIEWS: Final = (
    _view("front", "Front", None, None),
    _view("left", "Left oblique", "left", "right"),
    _view("right", "Right oblique", "right", "left"),
)


@dataclass(frozen=True, slots=True)
class CountField:
    """One count a zone's form asks for, and where it goes in the assessment document."""

    name: str
    label: str
    hint: str


COUNTS: Final = (
    CountField("rolling", "Rolling scars", "sloping edges, wider than 4 mm"),
    CountField("boxcar_shallow", "Boxcar scars, shallow", "vertical edges, 1.5–4 mm, under 0.5 mm"),
    CountField("boxcar_deep", "Boxcar scars, deep", "vertical edges, 1.5–4 mm, 0.5 mm or more"),
    CountField("icepick", "Icepick scars", "narrower than 2 mm, tapering to a point"),
    CountField("macular", "Flat marks (macular)", "red or dark, no change in contour"),
    CountField("hypertrophic", "Hypertrophic scars, recent", "raised, under 2 years old"),
    CountField("keloid", "Keloids or old raised scars", "raised, over 2 years old"),
)
QUALITATIVE: Final = (
    ("contour_change", "Changes the skin's contour"),
    ("visible_at_social_distance", "Obvious at 50 cm"),
    ("easily_concealed", "Easily concealed"),
    ("flattens_on_stretch", "Flattens on stretch"),
)
MAX_COUNT: Final = 10_000

_GB_ROW: Final = {
    "rolling": "b1_moderate_atrophic",
    "boxcar_shallow": "b2_punched_out_shallow_small",
    "boxcar_deep": "c1_punched_out_deep_normal_base",
    "icepick": "c2_punched_out_deep_abnormal_base",
    "macular": "a1_macular",
}
_ECCA_ITEM: Final = {
    "rolling": "m_shaped_atrophic",
    "boxcar_shallow": "u_shaped_atrophic",
    "boxcar_deep": "u_shaped_atrophic",
    "icepick": "v_shaped_atrophic",
    "hypertrophic": "hypertrophic_recent",
    "keloid": "keloid_or_old_hypertrophic",
}
_MORPHOLOGY: Final = {
    "rolling": {"width_mm": "5", "edges": "sloping", "tapers_to_point": False, "depth": "shallow"},
    "boxcar_shallow": {
        "width_mm": "2.5",
        "edges": "vertical",
        "tapers_to_point": False,
        "depth": "shallow",
    },
    "boxcar_deep": {
        "width_mm": "2.5",
        "edges": "vertical",
        "tapers_to_point": False,
        "depth": "deep",
    },
    "icepick": {"width_mm": "1", "edges": "vertical", "tapers_to_point": True, "depth": "deep"},
}
_ANSWERS: Final = {"true": True, "false": False}


def opened_zones(form: Mapping[str, str]) -> tuple[Zone, ...]:
    """The zones whose form is on the page (each carries a hidden ``<zone>.open``)."""
    return tuple(zone for zone in FACE_ZONES if form.get(f"{zone}.open"))


def zone_documents(form: Mapping[str, str]) -> list[dict[str, Any]]:
    """The assessment document of every opened zone; bad counts raise ``InvalidInputError``."""
    problems: list[FieldProblem] = []
    documents = [zone_document(form, zone, problems) for zone in opened_zones(form)]
    if problems:
        raise InvalidInputError(problems)
    if not documents:
        raise InvalidInputError.single(
            "zones", "no zone is assessed.", "choose a zone on the face map and enter its scars."
        )
    return documents


def zone_document(
    form: Mapping[str, str], zone: Zone, problems: list[FieldProblem]
) -> dict[str, Any]:
    """One zone's assessment document, from its counts and observations."""
    counts = {field.name: _count(form, f"{zone}.{field.name}", problems) for field in COUNTS}
    document: dict[str, Any] = {"zone": zone.value}
    quantitative: dict[str, int] = {}
    ecca: dict[str, int] = {}
    morphology = []
    for name, count in counts.items():
        if not count:
            continue
        if name in _GB_ROW:
            quantitative[_GB_ROW[name]] = count
        if name in _ECCA_ITEM:
            item = _ECCA_ITEM[name]
            ecca[item] = ecca.get(item, 0) + count
        if name in _MORPHOLOGY:
            morphology.append({**_MORPHOLOGY[name], "count": count})
    document |= {"quantitative_counts": quantitative, "ecca_counts": ecca}
    document["morphology"] = morphology
    area = _area(form, f"{zone}.keloid_area_cm2", problems)
    if area:
        document["keloid_area_cm2"] = str(area)
    answers = {
        field: _ANSWERS.get(form.get(f"{zone}.qualitative.{field}", "")) for field, _ in QUALITATIVE
    }
    given = {field: answer for field, answer in answers.items() if answer is not None}
    if given and len(given) < len(QUALITATIVE):
        problems.append(
            FieldProblem(
                f"{zone}.qualitative",
                "has some observations answered but not all four.",
                "answer all four, or none.",
            )
        )
    elif given:
        document["qualitative"] = given
    return document


def problems_by_zone(
    problems: Iterable[object], zones: tuple[Zone, ...]
) -> dict[str, FieldProblem]:
    """Problems keyed by the zone they belong to (the services name zones by list index)."""
    found: dict[str, FieldProblem] = {}
    for problem in problems:
        if not isinstance(problem, FieldProblem):
            continue
        field = problem.field
        key = field
        if field.startswith("zones[") and "]" in field:
            index = int(field[len("zones[") : field.index("]")])
            key = str(zones[index]) if index < len(zones) else "zones"
        elif "." in field and field.split(".")[0] in {z.value for z in FACE_ZONES}:
            key = field.split(".")[0]
        found.setdefault(key, problem)
    return found


def _count(form: Mapping[str, str], name: str, problems: list[FieldProblem]) -> int:
    raw = form.get(name, "").strip()
    if not raw:
        return 0
    if not raw.isdigit() or int(raw) > MAX_COUNT:
        problems.append(
            FieldProblem(
                name, f"{raw!r} is not a count.", f"give a whole number from 0 to {MAX_COUNT}."
            )
        )
        return 0
    return int(raw)


def _area(form: Mapping[str, str], name: str, problems: list[FieldProblem]) -> Decimal:
    raw = form.get(name, "").strip()
    if not raw:
        return Decimal(0)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1000):
        problems.append(
            FieldProblem(name, f"{raw!r} is not an area.", "give 0 to 1000 cm², like 1.5.")
        )
        return Decimal(0)
    return value
