"""Clinical photos in the domain: views, landmarks, regions, integrity and before/after order."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.photo_geometry import (
    MIN_LANDMARK_GAP_PX,
    MIN_REGION_AREA_PX,
    Landmarks,
    Point,
    Region,
    check_landmarks,
    check_region,
)
from needlepoint.domain.photos import (
    ClinicalPhoto,
    Derivative,
    PhotoIntegrityError,
    PhotosNotComparableError,
    PhotoView,
    Rendition,
    StoredPhoto,
    aligned_key,
    check_taken_on,
    check_view,
    fingerprint,
    in_order,
    is_intact,
    rendition_key,
    verified,
)
from needlepoint.domain.vocabulary import Zone

WIDTH, HEIGHT = 4000, 3000
DATA = b"\xff\xd8\xff stored jpeg bytes"


def photo(**changes: object) -> ClinicalPhoto:
    made = ClinicalPhoto(
        id=uuid4(),
        clinic_id=uuid4(),
        patient_id=uuid4(),
        session_id=None,
        view=PhotoView.FRONT,
        zone=None,
        taken_on=date(2026, 11, 1),
        width_px=WIDTH,
        height_px=HEIGHT,
        size_bytes=len(DATA),
        sha256=hashlib.sha256(DATA).hexdigest(),
        created_at=datetime(2026, 11, 1, 10, tzinfo=UTC),
        created_by=uuid4(),
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def marks(ax: float, ay: float, bx: float, by: float) -> Landmarks:
    return Landmarks(Point(ax, ay), Point(bx, by))


def test_the_bytes_of_a_photo_are_given_back_only_while_they_match_their_hash() -> None:
    kept = photo()

    assert verified(StoredPhoto(kept, DATA)) == DATA


@given(position=st.integers(0, len(DATA) - 1), bit=st.integers(0, 7))
def test_a_single_flipped_bit_anywhere_is_refused_with_the_photo_named(
    position: int, bit: int
) -> None:
    kept = photo()
    damaged = bytearray(DATA)
    damaged[position] ^= 1 << bit

    with pytest.raises(PhotoIntegrityError) as refused:
        verified(StoredPhoto(kept, bytes(damaged)))

    assert refused.value.code == "photo-integrity"
    assert str(kept.id) in str(refused.value)
    assert "backup" in str(refused.value)


def test_a_damaged_derivative_is_not_intact() -> None:
    made = b"a smaller copy"
    good = Derivative("key", made, fingerprint(made))

    assert is_intact(good)
    assert not is_intact(replace(good, data=b"a smaller copx"))


def test_a_close_up_names_its_zone_and_the_whole_face_views_name_none() -> None:
    check_view(PhotoView.CLOSE_UP, Zone.CHEEKS)
    check_view(PhotoView.LEFT_OBLIQUE, None)

    with pytest.raises(InvalidInputError) as missing:
        check_view(PhotoView.CLOSE_UP, None)
    with pytest.raises(InvalidInputError) as extra:
        check_view(PhotoView.FRONT, Zone.CHEEKS)

    assert [p.field for p in missing.value.problems] == ["zone"]
    assert missing.value.problems[0].code == InputCode.REQUIRED
    assert [p.field for p in extra.value.problems] == ["zone"]


def test_a_photo_is_taken_between_birth_and_today() -> None:
    born, today = date(1997, 4, 22), date(2026, 12, 8)
    check_taken_on(today, born_on=born, today=today)

    with pytest.raises(InvalidInputError) as future:
        check_taken_on(today + timedelta(days=1), born_on=born, today=today)
    with pytest.raises(InvalidInputError) as early:
        check_taken_on(born - timedelta(days=1), born_on=born, today=today)

    assert future.value.problems[0].code == InputCode.IN_THE_FUTURE
    assert early.value.problems[0].code == InputCode.TOO_EARLY
    assert {p.field for p in (*future.value.problems, *early.value.problems)} == {"taken_on"}


def test_landmarks_on_the_photo_and_well_apart_are_accepted() -> None:
    check_landmarks(marks(0, 0, WIDTH, HEIGHT), width_px=WIDTH, height_px=HEIGHT)


def test_a_landmark_off_the_photo_is_named_by_its_coordinate() -> None:
    with pytest.raises(InvalidInputError) as refused:
        check_landmarks(marks(-1, 10, 500, HEIGHT + 1), width_px=WIDTH, height_px=HEIGHT)

    assert [p.field for p in refused.value.problems] == ["first.x_px", "second.y_px"]
    assert all(p.code == InputCode.OUT_OF_RANGE for p in refused.value.problems)


def test_landmarks_too_close_together_are_refused_on_the_second() -> None:
    gap = MIN_LANDMARK_GAP_PX - 0.5

    with pytest.raises(InvalidInputError) as refused:
        check_landmarks(marks(100, 100, 100 + gap, 100), width_px=WIDTH, height_px=HEIGHT)

    assert [p.field for p in refused.value.problems] == ["second"]


def test_a_not_a_number_coordinate_is_off_the_photo() -> None:
    with pytest.raises(InvalidInputError) as refused:
        check_landmarks(marks(float("nan"), 10, 500, 10), width_px=WIDTH, height_px=HEIGHT)

    assert [p.field for p in refused.value.problems] == ["first.x_px"]


@given(
    left=st.floats(0, 1000),
    top=st.floats(0, 1000),
    width=st.floats(1, 1000),
    height=st.floats(1, 1000),
)
def test_a_rectangle_s_area_is_its_width_times_its_height(
    left: float, top: float, width: float, height: float
) -> None:
    corners = ((left, top), (left + width, top), (left + width, top + height), (left, top + height))
    region = Region(tuple(Point(x, y) for x, y in corners))

    assert region.area_px == pytest.approx(width * height, rel=1e-9, abs=1e-6)


def test_a_region_needs_three_corners_on_the_photo_and_some_area() -> None:
    two = Region((Point(0, 0), Point(10, 10)))
    off = Region((Point(0, 0), Point(WIDTH + 5, 0), Point(0, 100)))
    thin = Region((Point(0, 0), Point(100, 0), Point(100, 0.5), Point(0, 0.5)))

    problems = {}
    for name, region in (("two", two), ("off", off), ("thin", thin)):
        with pytest.raises(InvalidInputError) as refused:
            check_region(region, width_px=WIDTH, height_px=HEIGHT)
        problems[name] = [p.field for p in refused.value.problems]

    assert problems == {"two": ["points"], "off": ["points[1].x_px"], "thin": ["points"]}
    assert thin.area_px < MIN_REGION_AREA_PX


def test_two_photos_of_one_view_are_put_in_the_order_they_were_taken() -> None:
    later = photo(taken_on=date(2026, 12, 1))
    earlier = replace(later, id=uuid4(), taken_on=date(2026, 11, 1))

    assert in_order(later, earlier) == (earlier, later)
    assert in_order(earlier, later) == (earlier, later)


def test_photos_of_two_views_two_patients_or_one_photo_twice_are_not_compared() -> None:
    one = photo()
    refused = []
    for other in (
        one,
        replace(one, id=uuid4(), view=PhotoView.LEFT_OBLIQUE),
        replace(one, id=uuid4(), patient_id=uuid4()),
        replace(one, id=uuid4(), view=PhotoView.CLOSE_UP, zone=Zone.CHIN),
    ):
        with pytest.raises(PhotosNotComparableError) as caught:
            in_order(one, other)
        refused.append(caught.value.code)

    assert refused == ["photos-not-comparable"] * 4


def test_a_derivative_s_key_changes_with_the_bytes_the_landmarks_and_the_size() -> None:
    earlier = photo(landmarks=marks(100, 100, 300, 100))
    later = photo(landmarks=marks(120, 90, 330, 95))
    moved = replace(later, landmarks=marks(121, 90, 330, 95))
    rewritten = replace(later, sha256="0" * 64)

    keys = {
        aligned_key(earlier, later),
        aligned_key(earlier, moved),
        aligned_key(earlier, rewritten),
        rendition_key(later, Rendition.DISPLAY),
        rendition_key(later, Rendition.THUMBNAIL),
        rendition_key(rewritten, Rendition.DISPLAY),
    }

    assert len(keys) == 6
    assert aligned_key(earlier, later) == aligned_key(earlier, replace(later))
