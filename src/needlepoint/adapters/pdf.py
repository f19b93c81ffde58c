"""Documents as PDF: a Jinja HTML/CSS template rendered by WeasyPrint, with no outside request.

``PdfRenderer.render_pdf(template, values, images=…)`` fills ``adapters/documents/<template>``
(autoescaped, undefined names refused) and lays it out as PDF. It is the ``DocumentRenderer``
port of the services; any document (a signed consent, a handout, a summary) is one template.

**No outside request, ever.** WeasyPrint fetches every stylesheet, image and font a document
names through its ``url_fetcher``. Ours (``LocalFetcher``) answers only two schemes:

* ``needlepoint-asset:<name>``: a file bundled in ``adapters/documents/`` (a stylesheet, a
  logo), by plain file name only (no path, no ``..``), with its type from ``ASSET_TYPES``;
* ``needlepoint-image:<name>``: bytes the caller passed for this render (``images``), such
  as a patient's drawn signature.

Anything else (``http:``, ``https:``, ``file:``, ``data:``, ``ftp:``, a relative path) is
refused without being opened; after the render, ``RefusedResourceError`` lists what was
refused, so a template that names an outside resource fails loudly instead of quietly
leaking a request. Fonts are not fetched at all: the stylesheet names DejaVu Sans and Pango
finds it through fontconfig among the system's fonts (Debian's ``fonts-dejavu-core``), so the
text is the same on every machine that has it. See ``docs/pdf.md``.

WeasyPrint is imported on first use (it takes about a second), never at start-up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Final

import jinja2

ASSET_SCHEME: Final = "needlepoint-asset"
IMAGE_SCHEME: Final = "needlepoint-image"

ASSET_TYPES: Final[Mapping[str, str]] = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
}
"""The kinds of bundled file a document may use, by suffix."""

log = logging.getLogger("needlepoint.pdf")


class RefusedResourceError(Exception):
    """A document named a resource outside the bundled assets; it was not fetched."""

    def __init__(self, template: str, urls: list[str]) -> None:
        shown = ", ".join(sorted({url[:80] for url in urls}))
        super().__init__(f"{template} names resources that are never fetched: {shown}")
        self.urls = tuple(urls)


def _bundled() -> Traversable:
    return resources.files("needlepoint.adapters") / "documents"


class PdfRenderer:
    """The ``DocumentRenderer`` port: a template and its values become PDF bytes.

    ``templates`` is the folder of templates and assets (``adapters/documents`` by default;
    a test may give its own).
    """

    def __init__(self, templates: Traversable | None = None) -> None:
        self._folder = templates or _bundled()
        self._environment = jinja2.Environment(
            loader=jinja2.FunctionLoader(self._source),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._lock = threading.Lock()

    def render_pdf(
        self,
        template: str,
        values: Mapping[str, Any],
        *,
        images: Mapping[str, tuple[bytes, str]] | None = None,
        created_at: datetime | None = None,
    ) -> bytes:
        """The PDF of one template filled with ``values``.

        ``images`` are the per-render images by name, with their media type, reachable as
        ``needlepoint-image:<name>``; ``created_at`` is stamped as the PDF's creation date.

        Raises:
            RefusedResourceError: The document named a resource outside the bundled assets.
        """
        html = self._environment.get_template(template).render(
            **values, created_at=created_at, asset=_asset_url, image=_image_url
        )
        fetcher = _local_fetcher(self._folder, images or {})
        with self._lock:  # WeasyPrint's layout is not documented as thread-safe
            pdf = _write_pdf(html, fetcher)
        if fetcher.refused:
            raise RefusedResourceError(template, fetcher.refused)
        return pdf

    def _source(self, name: str) -> str:
        return _asset(self._folder, name).read_text(encoding="utf-8")


def _asset_url(name: str) -> str:
    return f"{ASSET_SCHEME}:{name}"


def _image_url(name: str) -> str:
    return f"{IMAGE_SCHEME}:{name}"


def _asset(folder: Traversable, name: str) -> Traversable:
    """A bundled file by plain name; ``FileNotFoundError`` for any path or unknown name."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise FileNotFoundError(name)
    found = folder / name
    if not found.is_file():
        raise FileNotFoundError(name)
    return found


def _write_pdf(html: str, fetcher: Any) -> bytes:
    import weasyprint  # type: ignore[import-untyped]  # noqa: PLC0415 - about 1 s to import

    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf()
    return pdf


def _local_fetcher(folder: Traversable, images: Mapping[str, tuple[bytes, str]]) -> Any:
    """WeasyPrint's ``url_fetcher``: bundled assets and this render's images, nothing else."""
    from weasyprint.urls import (  # type: ignore[import-untyped]  # noqa: PLC0415
        URLFetcher,
        URLFetcherResponse,
    )

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        """Answers ``needlepoint-asset:`` and ``needlepoint-image:``; refuses every other URL."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=(ASSET_SCHEME, IMAGE_SCHEME))
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:  # noqa: ARG002
            scheme, _, name = url.partition(":")
            try:
                body, media_type = _local(folder, images, scheme, name)
            except (FileNotFoundError, KeyError):
                self.refused.append(url)
                log.error("a document named a resource that is never fetched (%s)", scheme)
                raise ValueError(f"not a bundled resource: {url[:80]}") from None
            return URLFetcherResponse(url, body, {"Content-Type": media_type})

    return LocalFetcher()


def _local(
    folder: Traversable, images: Mapping[str, tuple[bytes, str]], scheme: str, name: str
) -> tuple[bytes, str]:
    """The bytes and type behind a local URL; ``KeyError`` or ``FileNotFoundError`` otherwise."""
    if scheme == IMAGE_SCHEME:
        return images[name]
    if scheme != ASSET_SCHEME:
        raise KeyError(scheme)
    suffix = name[name.rfind(".") :] if "." in name else ""
    media_type = ASSET_TYPES[suffix]
    return _asset(folder, name).read_bytes(), media_type
