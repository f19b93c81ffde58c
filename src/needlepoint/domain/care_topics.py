"""Headings for care instruction topics, as a patient reads them on a handout (HTML or PDF).

``care.yaml`` groups its instructions under short topic codes (``products_day0``, ``spf``) and
has no wording for them, so the wording lives here, shared by the web pages and the PDF
documents. A topic added to ``care.yaml`` without a heading here still reads as its code in
words (a test lists every topic, so none is missed for long).
"""

from __future__ import annotations

from typing import Final

TOPIC_HEADINGS: Final = {
    "alcohol": "Alcohol",
    "antiviral": "Antiviral medicine",
    "blood_thinners": "Blood thinners",
    "clean_skin": "Clean skin",
    "downtime": "Downtime",
    "exercise": "Exercise",
    "exfoliants": "Exfoliants",
    "heat": "Heat",
    "hydration": "Hydration",
    "hygiene": "Hygiene",
    "injectables": "Injections and fillers",
    "isotretinoin": "Isotretinoin",
    "makeup": "Makeup",
    "numbing": "Numbing cream",
    "peels": "Peels",
    "photoprotection": "Sun protection",
    "picking": "Picking",
    "pigment_priming": "Preparing skin prone to dark marks",
    "pillowcase": "Pillowcase",
    "products_day0": "Products on the day",
    "retinoids": "Retinoids",
    "self_tanner": "Self-tanner",
    "spf": "SPF",
    "sun": "Sun",
    "swimming": "Swimming",
    "vitamin_c": "Vitamin C",
    "waxing": "Waxing",
}


def heading(topic: str) -> str:
    """The heading of a topic: ``spf`` → ``SPF``; an unknown code as words."""
    found = TOPIC_HEADINGS.get(topic)
    if found is not None:
        return found
    words = topic.replace("_", " ")
    return words[:1].upper() + words[1:]
