"""Clinical photos in a real browser: upload two dated photos, mark landmarks, see them aligned.

As the demo clinician, on a tablet-sized tab: upload a front view taken a month ago and one
taken today (the later moved by a known scale, rotation and shift), mark the eyes of each by
clicking the photo (the landmark inputs fill in), save, and open the before/after page: it
shows the later photo aligned onto the earlier, and its slider and toggle work. The page keeps
its Content-Security-Policy throughout (the fixture fails the test on any violation: the
photo script is a static file and sets no style).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import FilePayload, Page, expect

from photo_faces import FacePair, face_pair

WIDTH, HEIGHT = 1200, 900


def upload(page: Page, data: bytes, taken_on: date, name: str) -> None:
    """Upload a front view from the photos page; the photo's own page opens."""
    page.get_by_label("View", exact=True).select_option("front")
    page.get_by_label("Day taken").fill(taken_on.isoformat())
    page.get_by_label("Photo", exact=True).set_input_files(
        files=[FilePayload(name=name, mimeType="image/jpeg", buffer=data)]
    )
    page.get_by_role("button", name="Upload photo").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Front view, "), level=1)).to_be_visible()


def mark_eyes_by_clicking(page: Page, eyes: list[tuple[float, float]]) -> None:
    """Click the two eyes on the photo, check the inputs say where, and save."""
    marks = page.locator("[data-photo-marks]")
    expect(page.locator(".photo-image")).to_have_js_property("complete", True)
    box = marks.bounding_box()
    assert box is not None
    scale = box["width"] / WIDTH
    for x, y in eyes:
        marks.click(position={"x": x * scale, "y": y * scale})
    for name, (x, y) in zip(("first", "second"), eyes, strict=True):
        typed_x = float(page.locator(f'[data-mark="{name}.x_px"]').input_value())
        typed_y = float(page.locator(f'[data-mark="{name}.y_px"]').input_value())
        assert abs(typed_x - x) <= 3 and abs(typed_y - y) <= 3, (name, typed_x, typed_y)
    page.get_by_role("button", name="Save landmarks").click()
    expect(page.locator('[data-mark="second.x_px"]')).not_to_have_value("")


def test_two_dated_photos_marked_by_clicking_are_shown_aligned(clinician: Page) -> None:
    page = clinician
    pair: FacePair = face_pair(WIDTH, HEIGHT, scale=1.1, rotation_deg=7.0, shift=(45.0, -20.0))
    today = date.today()
    page.goto("/patients?q=Okafor")
    page.locator("#patient-results").get_by_role("link", name="Okafor, Amira").click()
    page.get_by_role("link", name=re.compile(r"^Clinical photos, before and after")).click()
    expect(page.get_by_role("heading", name="Clinical photos: Okafor, Amira")).to_be_visible()

    upload(page, pair.earlier, today - timedelta(days=30), "before.jpg")
    mark_eyes_by_clicking(page, pair.earlier_eyes)
    page.get_by_role("link", name="Back to the photos").click()
    upload(page, pair.later, today, "after.jpg")
    mark_eyes_by_clicking(page, pair.later_eyes)
    page.get_by_role("link", name=re.compile(r"^Compare with ")).click()

    expect(page.get_by_role("heading", name="Aligned by their landmarks")).to_be_visible()
    said = page.locator("[data-similarity]").inner_text()
    rotation = re.search(r"rotated by (-?[0-9.]+)°", said)
    assert rotation and abs(float(rotation.group(1)) + 7.0) <= 1.0, said  # clicks, not pixels
    aligned = page.locator("[data-aligned-image]")
    expect(aligned).to_have_js_property("complete", True)
    assert aligned.evaluate("image => image.naturalWidth") == WIDTH
    stack = page.locator("[data-compare-stack]")
    page.get_by_label(re.compile(r"^Slide between the earlier")).fill("80")
    expect(stack).to_have_class(re.compile(r"\breveal-80\b"))
    page.get_by_role("button", name="Show the later photo only").click()
    expect(stack).to_have_class(re.compile(r"\blater-only\b"))
