"""Reading a YAML or JSON document someone else wrote, within bounds (issue 14).

A consultation file comes from outside: a 100 KB file nested 50,000 levels deep crashed the
process (libyaml composes recursively), a 2.3 KB alias bomb ran for minutes and ``/dev/zero``
ran out of memory. So a document is read in three bounded steps:

1. at most ``MAX_DOCUMENT_BYTES + 1`` bytes are read, and a longer file is refused;
2. its parser events (produced by an iterative state machine, never by recursion) are scanned
   once: nesting deeper than ``MAX_DOCUMENT_DEPTH`` is refused, and so is any anchor or alias
   (a consultation has no use for them, and they are what an alias bomb is made of);
3. only then is it composed and constructed by the safe loader.

JSON is YAML here (the same file may be either), so the same bounds hold for both. Every
refusal is a ``DocumentRefused`` with the problem and the fix, for the caller to name the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from needlepoint.knowledge.files import SAFE_LOADER

MAX_DOCUMENT_BYTES = 1_000_000
"""The largest document read, in bytes: a consultation is a few kilobytes."""

MAX_DOCUMENT_DEPTH = 64
"""The deepest nesting of mappings and lists accepted: a consultation nests about five deep."""

_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


@dataclass(frozen=True)
class DocumentRefused(Exception):
    """A document that is not read, with what is wrong and how to fix it."""

    problem: str
    fix: str


def read_bounded_bytes(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The file's bytes, reading at most ``max_bytes + 1`` of them; longer is refused.

    ``OSError`` (missing file, folder, permissions) reaches the caller unchanged.
    """
    with path.open("rb") as stream:
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DocumentRefused(
            f"is larger than {max_bytes // 1_000_000} MB",
            "Give the consultation file itself; a consultation is a few kilobytes.",
        )
    return data


def check_structure(text: str, max_depth: int = MAX_DOCUMENT_DEPTH) -> None:
    """Refuse nesting deeper than ``max_depth`` and any anchor or alias, before composing.

    Raises ``yaml.YAMLError`` for text that is not YAML, as loading would.
    """
    depth = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise DocumentRefused(
                "uses YAML anchors or aliases (& or *)",
                "Write each value out in full; anchors and aliases are not accepted.",
            )
        if isinstance(event, _OPENING):
            depth += 1
            if depth > max_depth:
                raise DocumentRefused(
                    f"is nested more than {max_depth} levels deep",
                    "Give a consultation file as the schema describes it (`needlepoint schema`).",
                )
        elif isinstance(event, _CLOSING):
            depth -= 1


def load_bounded_text(text: str, max_depth: int = MAX_DOCUMENT_DEPTH) -> Any:
    """Parse YAML or JSON text within the depth bound, with anchors and aliases refused."""
    check_structure(text, max_depth)
    return yaml.load(text, Loader=SAFE_LOADER)
