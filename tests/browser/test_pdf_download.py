"""Issue 12's browser acceptance point "download the handout PDF", in Debian's chromium.

A clinician opens the demo patient's handout, presses "Download as PDF" and gets a file that
is a PDF whose text names the demo clinic's phone number and the red flags' heading.
"""

from __future__ import annotations

import io
import re

import pypdf
from playwright.sync_api import Page

DEMO_PHONE = "020 7946 0321"


def test_a_clinician_downloads_the_handout_as_pdf(clinician: Page) -> None:
    clinician.goto("/patients")
    clinician.get_by_role("link", name="Okafor, Amira").click()
    clinician.get_by_role("link", name="Patient handout for the next session").first.click()

    with clinician.expect_download() as started:
        clinician.get_by_role("link", name="Download as PDF").click()
    download = started.value
    path = download.path()
    data = path.read_bytes()

    assert download.suggested_filename.startswith("handout-session-")
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert DEMO_PHONE in text
    assert "Call us if you notice" in text
