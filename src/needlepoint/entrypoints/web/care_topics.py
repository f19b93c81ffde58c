"""Headings for care instruction topics: the domain's (``domain.care_topics``), for the pages.

The PDF handout (``services.printouts``) and the HTML pages read the same wording.
"""

from __future__ import annotations

from needlepoint.domain.care_topics import TOPIC_HEADINGS, heading

__all__ = ["TOPIC_HEADINGS", "heading"]
