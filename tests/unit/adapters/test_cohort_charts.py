"""The cohort charts (ADR 0045): deterministic SVG, text kept as text, suppressed groups never
drawn."""

from __future__ import annotations

from cohort_support import series, simulated_clinic
from needlepoint.adapters.cohort_charts import MatplotlibCohortCharts
from needlepoint.domain import cohorts
from needlepoint.domain.cohorts import CohortFilter


def _report() -> cohorts.CohortReport:
    small = [series(900 + n, sessions=5, baseline=40.0, three_months=30.0) for n in range(3)]
    return cohorts.report(simulated_clinic(2) + small, CohortFilter(reference_sessions=3))


def test_the_forest_plot_names_each_shown_estimate_and_no_suppressed_one() -> None:
    found = _report()
    charts = MatplotlibCohortCharts()

    svg = charts.forest_plot(found.estimates, unit="points")

    assert svg.startswith("<?xml")
    assert "4 vs 3 sessions, 3 months" in svg
    assert "5 vs 3" not in svg
    assert svg == charts.forest_plot(found.estimates, unit="points")  # deterministic


def test_the_curves_draw_only_groups_of_five_or_more() -> None:
    svg = MatplotlibCohortCharts().outcome_curves(_report().cells, unit="points")

    assert "3 sessions" in svg
    assert "4 sessions" in svg
    assert "5 sessions" not in svg


def test_nothing_to_show_says_so_in_the_chart() -> None:
    charts = MatplotlibCohortCharts()

    assert "No estimate to show" in charts.forest_plot((), unit="points")
    assert "No group to show" in charts.outcome_curves((), unit="points")
