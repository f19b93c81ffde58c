"""Settings, read from the environment by the composition root only.

* ``NEEDLEPOINT_DATA_DIR``: where the SQLite database and backups live (default ``./var``).
* ``NEEDLEPOINT_DATABASE_URL``: a SQLAlchemy URL; ``postgresql+psycopg://…`` selects
  PostgreSQL (default: the SQLite file ``<data dir>/needlepoint.sqlite3``).
* ``NEEDLEPOINT_DEFAULT_SESSION_TIME``: local time of a provisional first session, HH:MM
  (default 09:00).
* ``NEEDLEPOINT_DEVELOPMENT``: ``1`` on a developer's machine only; session cookies then lose
  their ``Secure`` flag so that plain ``http://localhost`` works (default: off).
* ``NEEDLEPOINT_WEB_SECRET``: the server secret the web app derives its CSRF tokens from, at
  least 32 characters (default: a random secret kept in ``<data dir>/web-secret``, made on
  first use). Every server of one installation needs the same secret.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path


class SettingsError(ValueError):
    """A setting in the environment cannot be used; the message names it and the fix."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Deployment settings. No instance is created at import time."""

    default_session_time: time = time(9, 0)
    data_dir: Path = field(default_factory=lambda: Path("var"))
    database_url: str | None = None
    development: bool = False
    web_secret: str | None = None

    @property
    def web_secret_file(self) -> Path:
        """Where the web app's server secret is kept when none is set in the environment."""
        return self.data_dir / "web-secret"

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'needlepoint.sqlite3').resolve()}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from environment variables (``NEEDLEPOINT_*``)."""
        env = dict(os.environ if environ is None else environ)
        return cls(
            default_session_time=_session_time(env.get("NEEDLEPOINT_DEFAULT_SESSION_TIME")),
            data_dir=Path(env.get("NEEDLEPOINT_DATA_DIR") or "var"),
            database_url=env.get("NEEDLEPOINT_DATABASE_URL") or None,
            development=env.get("NEEDLEPOINT_DEVELOPMENT", "").lower() in {"1", "true", "yes"},
            web_secret=_web_secret(env.get("NEEDLEPOINT_WEB_SECRET")),
        )


def _session_time(raw: str | None) -> time:
    if raw is None:
        return time(9, 0)
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise SettingsError(
            f"NEEDLEPOINT_DEFAULT_SESSION_TIME={raw!r} is not a time; set it as HH:MM, "
            "e.g. 09:00, or unset it."
        ) from None


MIN_WEB_SECRET_LENGTH = 32


def _web_secret(raw: str | None) -> str | None:
    if not raw:
        return None
    if len(raw) < MIN_WEB_SECRET_LENGTH:
        raise SettingsError(
            f"NEEDLEPOINT_WEB_SECRET is {len(raw)} characters long; set it to at least "
            f"{MIN_WEB_SECRET_LENGTH} random characters, or unset it to use <data dir>/web-secret."
        )
    return raw
