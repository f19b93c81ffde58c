"""Shared fixtures: examples, services wired with a fixed clock."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

from fakes import FixedClock
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.config import Settings

# Property tests check what holds, not how fast: on two busy cores a single example can take
# longer than Hypothesis's 200 ms default, which would fail a correct test. Speed is measured
# in bench/, never here.
settings.register_profile("needlepoint", deadline=None)
# The fast lane (``make test-fast``) trades examples for time: a property that fails usually
# fails within a few examples, and ``make test`` still runs the full count.
settings.register_profile("fast", deadline=None, max_examples=15)
settings.load_profile(os.environ.get("NEEDLEPOINT_HYPOTHESIS_PROFILE", "needlepoint"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TODAY = date(2026, 11, 22)


def load_example(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def expected_decision(path: Path) -> str:
    """Example files are named NN-<decision>-…; the decision is in the name."""
    name = path.stem.split("-", 1)[1]
    for decision in ("needs-clearance", "proceed", "defer", "decline"):
        if name.startswith(decision):
            return decision.replace("-", "_")
    raise AssertionError(f"example {path.name} does not name its decision")


@pytest.fixture(scope="session")
def services() -> Services:
    return bootstrap(Settings(), clock=FixedClock(TODAY))
