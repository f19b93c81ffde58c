"""What a reader is shown in place of a sealed field that does not open (ADR 0039, IN-3).

A sealed value that fails its check (changed, or copied from another record) is never shown
and never stops the rest of the record from being read: the field reads as this marker, the
same on the API, the web pages and the CLI, and the event is audited with severity high.
"""

from __future__ import annotations

from typing import Final

UNREADABLE_TEXT: Final = (
    "This note cannot be read: its stored text does not match its record. Tell the clinic's admin."
)
"""The text of a sealed field whose stored value does not open for its record."""
