"""The PDF adapter (``adapters/pdf.py``) read as a person reads a PDF, and with no outside request.

A signed consent is rendered through the services as a clinic makes it (a tablet signature,
a clinician's witness) and then read back: pypdf extracts its text (the patient's typed name,
the form's version and each risk of the form), pypdfium2 renders its first page to a PNG, and
its fonts are the DejaVu faces found through fontconfig. A template that names anything
outside the bundled assets is rendered with no request made and then refused by name.
"""

from __future__ import annotations

import http.server
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, cast
from uuid import UUID

import pypdf
import pypdfium2  # type: ignore[import-untyped]
import pytest
from PIL import Image

from api_support import MovingClock, add_clinic, add_member, make_services
from consent_support import RISKS
from needlepoint.adapters.pdf import PdfRenderer, RefusedResourceError
from needlepoint.bootstrap import Services
from needlepoint.domain.consent_templates import blocks, template_text
from needlepoint.domain.records import Role
from needlepoint.services.audit import AuthMethod, RequestContext
from web_charts import new_series
from web_support import CLINICIAN
from web_support import Clinic as WebClinic

A4_RATIO = 297 / 210


@pytest.fixture(scope="module")
def signed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[bytes]:
    """The signed form of a consent witnessed through the services, over SQLite."""
    directory = tmp_path_factory.mktemp("pdf")
    services = make_services(f"sqlite:///{directory / 'db.sqlite3'}", MovingClock())
    try:
        yield _witnessed_pdf(services)
    finally:
        services.database.close()


def _witnessed_pdf(services: Services) -> bytes:
    clinic_id = add_clinic(services)
    member = add_member(services, clinic_id, Role.CLINICIAN, CLINICIAN)
    context = RequestContext(actor=member, request_id="pdf-test", auth=AuthMethod.SESSION)
    series = new_series(WebClinic(services, clinic_id))  # consented already, by the helper
    consent = services.treatment.series_consent(UUID(series["id"]), context=context).current
    assert consent is not None
    return services.treatment.consent_document(consent.id, context=context).data


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_text_of_the_signed_form_has_the_name_the_version_and_every_risk(
    signed_pdf: bytes,
) -> None:
    text = _text(signed_pdf)

    assert "Name typed by the patient Amira Okafor" in text
    assert "version 1, microneedling (all indications)" in text
    for risk in RISKS:
        assert re.sub(r"\s+", " ", risk) in text, risk
    assert "Witnessed by" in text


def test_the_first_page_renders_to_a_png_of_an_a4_page_with_ink_on_it(
    signed_pdf: bytes, tmp_path: Path
) -> None:
    document = pypdfium2.PdfDocument(signed_pdf)
    image = document[0].render(scale=1.5).to_pil()
    path = tmp_path / "page-1.png"
    image.save(path)

    reopened = Image.open(path)
    greys = reopened.convert("L").histogram()
    dark = sum(greys[:128])
    assert reopened.format == "PNG"
    assert abs(reopened.height / reopened.width - A4_RATIO) < 0.01
    assert dark > 1000  # text and the drawn signature, not a blank page


def test_its_fonts_are_the_local_dejavu_faces(signed_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(signed_pdf))
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in cast("dict[str, Any]", cast("Any", page["/Resources"])["/Font"]).values()
    }

    assert fonts and all(name.startswith(("/DejaVu", "DejaVu")) for name in fonts)


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        if self.path.startswith("/redirect"):  # would send a fetcher on to a local file
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
        else:
            self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: ARG002
        return


@pytest.fixture
def listener() -> Iterator[str]:
    """A local web server that counts the requests it gets; none must arrive."""
    _Counting.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_iv4_a_template_naming_outside_resources_makes_no_request_and_is_refused(
    listener: str, tmp_path: Path
) -> None:
    """IV-4: file://, http://127.0.0.1:… and a redirecting URL are all refused by the
    url_fetcher before any request (0 arrive), so no PDF holds anything they point at."""
    (tmp_path / "document.css").write_text("body { color: black; }")
    outside = (
        f"{listener}/logo.png",
        f"{listener.replace('http:', 'https:')}/style.css",
        f"{listener}/font.woff2",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "needlepoint-asset:../pdf.py",
        f"{listener}/redirect?to=file",
    )
    (tmp_path / "leaky.html").write_text(
        "<html><head>"
        f'<link rel="stylesheet" href="{outside[1]}">'
        f"<style>@font-face {{ font-family: X; src: url({outside[2]}); }} body {{ font-family: X }}"
        "</style></head><body><p>Hello</p>"
        f'<img src="{outside[0]}"><img src="{outside[3]}"><img src="{outside[4]}">'
        f'<img src="{outside[5]}"><img src="{outside[6]}"></body></html>'
    )

    with pytest.raises(RefusedResourceError) as refused:
        PdfRenderer(tmp_path).render_pdf("leaky.html", {})

    assert _Counting.requests == []
    for url in outside:
        assert any(url[:60] in found for found in refused.value.urls), url


def test_bundled_assets_and_this_renders_images_are_served(tmp_path: Path) -> None:
    (tmp_path / "document.css").write_text("p { font-family: 'DejaVu Sans'; }")
    (tmp_path / "page.html").write_text(
        "<html><head><link rel='stylesheet' href='{{ asset(\"document.css\") }}'></head>"
        "<body><p>{{ words }}</p><img src='{{ image(\"mark\") }}'></body></html>"
    )
    mark = io.BytesIO()
    Image.new("RGB", (8, 8), "black").save(mark, format="JPEG")

    pdf = PdfRenderer(tmp_path).render_pdf(
        "page.html", {"words": "<b>escaped</b>"}, images={"mark": (mark.getvalue(), "image/jpeg")}
    )

    assert "<b>escaped</b>" in _text(pdf)  # autoescaped: markup in values is text
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf


def test_the_signed_consent_template_shows_the_form_as_blocks() -> None:
    body = "## Risks\n- Infection.\n- Bruising."
    values = {
        "title": "Consent",
        "blocks": blocks(template_text("Consent", body).body),
        "clinic_name": "Harbour",
        "patient_name": "Amira Okafor",
        "born_on": "22 Apr 1997",
        "template_version": 3,
        "template_key": "microneedling (acne scars)",
        "template_sha256": "ab" * 32,
        "typed_name": "Amira Okafor",
        "drawn": False,
        "signed_at": "8 Dec 2026, 09:00",
        "signed_where": "in the patient portal",
        "witness_name": "Dr Rowan Hale",
        "witnessed_at": "8 Dec 2026, 09:05",
        "time_zone": "Europe/London",
        "consent_id": "c0ffee",
    }

    text = _text(PdfRenderer().render_pdf("signed_consent.html", values))

    assert "version 3, microneedling (acne scars)" in text
    assert "Infection. Bruising." in text or ("Infection." in text and "Bruising." in text)
    assert "Signed by typing their name (no drawn signature)." in text
