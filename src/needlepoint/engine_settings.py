"""The one setting the clinical engine reads, read without the settings machinery.

``needlepoint consult`` needs nothing from the environment but the local time of a
provisional first session. Reading it here keeps pydantic-settings (and every other setting)
out of that command's start-up; ``config.Settings`` reads the same variable with the same
parser and default, so both agree. ``SettingsError`` lives here for the same reason and is
re-exported by ``config``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import time

SESSION_TIME_VARIABLE = "NEEDLEPOINT_DEFAULT_SESSION_TIME"
DEFAULT_SESSION_TIME = time(9, 0)


class SettingsError(ValueError):
    """A setting in the environment cannot be used; the message names it and the fix."""


def session_time_value(raw: object) -> object:
    """A ``HH:MM`` text as a time (other values pass through); ``ValueError`` names the fix."""
    if not isinstance(raw, str):
        return raw
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"{SESSION_TIME_VARIABLE}={raw!r} is not a time; set it as HH:MM, "
            "e.g. 09:00, or unset it."
        ) from None


def default_session_time(environ: Mapping[str, str] | None = None) -> time:
    """``NEEDLEPOINT_DEFAULT_SESSION_TIME`` (unset or empty: 09:00); ``SettingsError`` if bad."""
    raw = (os.environ if environ is None else environ).get(SESSION_TIME_VARIABLE, "")
    if not raw:
        return DEFAULT_SESSION_TIME
    try:
        value = session_time_value(raw)
    except ValueError as error:
        raise SettingsError(str(error)) from None
    assert isinstance(value, time)
    return value
