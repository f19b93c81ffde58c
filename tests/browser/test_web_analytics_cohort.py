"""The cohort analytics page of a ``needlepoint demo --cohort`` clinic, in a real browser.

The clinician opens Analytics from the navigation, chooses acne scars on the GB quantitative
scale against 3 sessions, and reads the forest plot's text equivalent (the table a screen
reader reads inside its figure): it names the 4 vs 3 sessions difference at 6 months with a
95 % interval, and the interval holds the 2.0 points the cohort was built with.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import _LOGIN_LINE, Server, demo_environment
from needlepoint.entrypoints.cli.demo_cohort import FOUR_VS_THREE_POINTS
from serving import NEEDLEPOINT, serving

COHORT_SERIES = 150
"""Enough for every group of 3 to 5 sessions to be shown, small enough to seed in ~20 s."""

INTERVAL = re.compile(r"^(-?\d+\.\d) to (-?\d+\.\d)$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's own server, over a demo clinic with a synthetic cohort."""
    env = demo_environment(tmp_path_factory.mktemp("cohort-demo"))
    printed = subprocess.run(
        [str(NEEDLEPOINT), "demo", "--cohort", "--series", str(COHORT_SERIES)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = (_LOGIN_LINE.match(line) for line in printed.splitlines())
    logins = {m.group(1): (m.group(2), m.group(3)) for m in found if m}
    with serving(env) as url:
        yield Server(url, logins)


def test_the_forest_plot_in_words_names_4_against_3_sessions_with_its_interval(
    clinician: Page,
) -> None:
    clinician.goto("/")
    clinician.get_by_role("link", name="Analytics").click()
    expect(clinician.get_by_role("heading", name="Cohort analytics", level=1)).to_be_visible()
    clinician.get_by_label("Indication").select_option("acne_scars")
    clinician.get_by_label("Scale").select_option("gb_quantitative")
    clinician.get_by_role("button", name="Show").click()

    words = clinician.get_by_role("table", name="The forest plot's estimates in words")
    expect(words).to_be_visible()
    row = (
        words.get_by_role("row")
        .filter(has=clinician.get_by_role("rowheader", name="4 vs 3 sessions"))
        .filter(has_text="6 months")
    )
    expect(row).to_have_count(1)
    cells = row.get_by_role("cell").all_inner_texts()
    low, high = (float(x) for x in INTERVAL.match(cells[2].strip()).groups())  # type: ignore[union-attr]
    assert low <= FOUR_VS_THREE_POINTS <= high
    expect(clinician.locator("figure img[alt^='Forest plot']")).to_be_visible()
