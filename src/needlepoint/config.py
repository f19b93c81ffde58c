"""Settings, read from the environment by the composition root only."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time


class SettingsError(ValueError):
    """A setting in the environment cannot be used; the message names it and the fix."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Deployment settings. No instance is created at import time.

    Attributes:
        default_session_time: local start time used for a provisional first session when no
            appointment is given (``NEEDLEPOINT_DEFAULT_SESSION_TIME``, HH:MM, default 09:00).
    """

    default_session_time: time = time(9, 0)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from environment variables (``NEEDLEPOINT_*``)."""
        env = dict(os.environ if environ is None else environ)
        raw = env.get("NEEDLEPOINT_DEFAULT_SESSION_TIME")
        if raw is None:
            return cls()
        try:
            return cls(default_session_time=time.fromisoformat(raw))
        except ValueError:
            raise SettingsError(
                f"NEEDLEPOINT_DEFAULT_SESSION_TIME={raw!r} is not a time; set it as HH:MM, "
                "e.g. 09:00, or unset it."
            ) from None
