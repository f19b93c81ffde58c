"""How hard the long-running tests push: a quick scale for ``make test``, the full figures deep.

The stress, crash and state-machine tests prove figures the issues set (50 simultaneous
bookings for 20 rounds, ten SIGKILL rounds, 25 runs of 60 steps…). ``make test`` runs every one
of them at a smaller scale that still exercises each path; ``make test-deep`` (which CI runs
too, after ``make test``) runs the slow ones at the full figures, with
``NEEDLEPOINT_TEST_DEPTH=deep``.
"""

from __future__ import annotations

import os
from typing import Final

DEEP: Final = os.environ.get("NEEDLEPOINT_TEST_DEPTH", "") == "deep"


def scaled(*, deep: int, quick: int) -> int:
    """``deep`` under ``make test-deep``, else ``quick`` (never more than ``deep``)."""
    return deep if DEEP else min(quick, deep)
