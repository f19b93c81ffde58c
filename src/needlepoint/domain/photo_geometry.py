"""Points, landmarks and regions on a photo, and the similarity between two photos.

Every point is in the photo's own pixels, ``x_px`` rightwards and ``y_px`` downwards from the
top-left corner, with pixel edges at whole numbers: the photo spans 0 to ``width_px`` across
and 0 to ``height_px`` down. **Landmarks** are two points the clinician marks on a photo, such
as the inner corners of the eyes; two photos of the same view, both marked, are aligned by the
similarity transform (scale, rotation, shift) that maps one's landmarks onto the other's. Two
points determine that transform exactly, so they must be far enough apart. A **region** is a
polygon (three to ``MAX_REGION_VERTICES`` corners; a rectangle is four) drawn on a photo.

The maths on pixels happens in an adapter (``ClinicalImaging``); these are values and checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError

MIN_LANDMARK_GAP_PX: Final = 20
"""Landmarks closer than this (in the photo's pixels) fix rotation and scale too loosely."""

MAX_REGION_VERTICES: Final = 50
MIN_REGION_AREA_PX: Final = 100
"""A region smaller than this many pixels (10 × 10) says little about a zone's colour."""


@dataclass(frozen=True, slots=True)
class Point:
    """A point on a photo, in its pixels: ``x_px`` rightwards, ``y_px`` downwards."""

    x_px: float
    y_px: float

    def distance_to(self, other: Point) -> float:
        """The distance between two points, in pixels."""
        return math.hypot(self.x_px - other.x_px, self.y_px - other.y_px)


@dataclass(frozen=True, slots=True)
class Landmarks:
    """Two points marked on a photo, in the same order on every photo of a comparison."""

    first: Point
    second: Point


@dataclass(frozen=True, slots=True)
class Region:
    """A polygon drawn on a photo; a rectangle is its four corners."""

    vertices: tuple[Point, ...]

    @property
    def area_px(self) -> float:
        """The polygon's area in square pixels (the shoelace formula)."""
        corners = self.vertices
        twice = sum(
            a.x_px * b.y_px - b.x_px * a.y_px
            for a, b in zip(corners, corners[1:] + corners[:1], strict=True)
        )
        return abs(twice) / 2


@dataclass(frozen=True, slots=True)
class Similarity:
    """A similarity transform: scale, then rotation, then shift, in the photos' pixels.

    A positive ``rotation_deg`` turns the x axis towards the y axis: clockwise on the screen,
    where y points down.
    """

    scale: float
    rotation_deg: float
    shift_x_px: float
    shift_y_px: float


def check_landmarks(landmarks: Landmarks, *, width_px: int, height_px: int) -> None:
    """Both landmarks lie on the photo and are at least ``MIN_LANDMARK_GAP_PX`` apart.

    Raises:
        InvalidInputError: Naming ``first.x_px``, ``second.y_px``, … or ``second``.
    """
    problems = [
        *_off_photo("first", landmarks.first, width_px, height_px),
        *_off_photo("second", landmarks.second, width_px, height_px),
    ]
    if not problems and landmarks.first.distance_to(landmarks.second) < MIN_LANDMARK_GAP_PX:
        problems.append(
            FieldProblem(
                "second",
                f"is less than {MIN_LANDMARK_GAP_PX} pixels from the first landmark.",
                "mark two points well apart, such as the inner corners of the two eyes.",
                InputCode.OUT_OF_RANGE,
            )
        )
    if problems:
        raise InvalidInputError(problems)


def check_region(region: Region, *, width_px: int, height_px: int) -> None:
    """A region has 3 to ``MAX_REGION_VERTICES`` corners on the photo and encloses some skin.

    Raises:
        InvalidInputError: Naming ``points`` or ``points[i].x_px`` / ``points[i].y_px``.
    """
    count = len(region.vertices)
    if not 3 <= count <= MAX_REGION_VERTICES:  # noqa: PLR2004 - a polygon has three corners
        raise InvalidInputError.single(
            "points",
            f"has {count} corner(s).",
            f"draw a region with 3 to {MAX_REGION_VERTICES} corners (a rectangle has 4).",
            InputCode.OUT_OF_RANGE,
        )
    problems = [
        problem
        for index, corner in enumerate(region.vertices)
        for problem in _off_photo(f"points[{index}]", corner, width_px, height_px)
    ]
    if not problems and region.area_px < MIN_REGION_AREA_PX:
        problems.append(
            FieldProblem(
                "points",
                f"encloses {region.area_px:.0f} square pixels.",
                f"draw a region of at least {MIN_REGION_AREA_PX} square pixels.",
                InputCode.OUT_OF_RANGE,
            )
        )
    if problems:
        raise InvalidInputError(problems)


def _off_photo(name: str, point: Point, width_px: int, height_px: int) -> list[FieldProblem]:
    problems = []
    for axis, value, size in (("x_px", point.x_px, width_px), ("y_px", point.y_px, height_px)):
        if not (math.isfinite(value) and 0 <= value <= size):
            problems.append(
                FieldProblem(
                    f"{name}.{axis}",
                    f"{value} is not on the photo.",
                    f"give a value from 0 to {size} pixels.",
                    InputCode.OUT_OF_RANGE,
                )
            )
    return problems
