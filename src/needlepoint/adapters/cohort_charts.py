"""The cohort analytics charts as SVG, drawn on the server by matplotlib (Agg; ADR 0045).

A forest plot (each estimate's difference and 95 % interval, one row per comparison) and the
outcome over time (mean improvement at baseline, 3 and 6 months, one line per number of
sessions). Suppressed cells and estimates carry no numbers and are never drawn. Text stays
text in the SVG (``svg.fonttype: none``) and the output is deterministic (a fixed hash salt,
no date). The page gives each chart a text equivalent of its own.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from typing import Any, Final

from needlepoint.domain.cohorts import Cell, CohortCell, Estimate, Horizon, SuppressedEstimate

_LOCK: Final = threading.Lock()
"""matplotlib's global state (rcParams, font cache) is not thread-safe."""
_X_DAYS: Final = {None: 0, Horizon.THREE_MONTHS: 3, Horizon.SIX_MONTHS: 6}


class MatplotlibCohortCharts:
    """Draws the cohort charts with matplotlib's object API (no pyplot, no display)."""

    def forest_plot(self, estimates: Sequence[Estimate | SuppressedEstimate], *, unit: str) -> str:
        """The estimates and their 95 % intervals; an empty chart says there is none to show."""
        shown = [e for e in estimates if isinstance(e, Estimate)]
        with _LOCK:
            figure, axes = _figure(height_in=max(1.6, 0.4 * len(shown) + 1.0))
            if not shown:
                _empty(axes, "No estimate to show (a group under 5 patients is suppressed).")
                return _svg(figure)
            labels = [_label(e) for e in shown]
            rows = list(range(len(shown)))[::-1]
            for row, e in zip(rows, shown, strict=True):
                axes.plot([e.low, e.high], [row, row], color="#1f4e79", linewidth=1.6)
                marker = "o" if not e.few_patients else "D"
                axes.plot([e.difference], [row], marker=marker, color="#1f4e79", markersize=5)
            axes.axvline(0.0, color="#555555", linewidth=0.8, linestyle="--")
            axes.set_yticks(rows, labels)
            axes.set_xlabel(f"Difference in mean improvement ({unit}), 95 % interval")
            axes.set_ylim(-0.7, len(shown) - 0.3)
            return _svg(figure)

    def outcome_curves(self, cells: Sequence[Cell], *, unit: str) -> str:
        """Mean improvement over time per number of sessions (from 0 at the baseline)."""
        shown = [c for c in cells if isinstance(c, CohortCell)]
        with _LOCK:
            figure, axes = _figure(height_in=2.8)
            if not shown:
                _empty(axes, "No group to show (a group under 5 patients is suppressed).")
                return _svg(figure)
            for sessions in sorted({c.sessions for c in shown}):
                mine = sorted(
                    (c for c in shown if c.sessions == sessions),
                    key=lambda c: c.horizon.target_days,
                )
                months = [0] + [_X_DAYS[c.horizon] for c in mine]
                means = [0.0] + [c.mean_improvement for c in mine]
                axes.plot(months, means, marker="o", label=f"{sessions} sessions")
            axes.set_xticks([0, 3, 6], ["baseline", "3 months", "6 months"])
            axes.set_xlabel("Time after the last session")
            axes.set_ylabel(f"Mean improvement\n({unit})")
            axes.legend(loc="upper left", frameon=False)
            return _svg(figure)


def _figure(*, height_in: float) -> tuple[Any, Any]:
    import matplotlib as mpl  # noqa: PLC0415 - heavy; imported on first chart
    from matplotlib.figure import Figure  # noqa: PLC0415

    mpl.rcParams["svg.fonttype"] = "none"
    mpl.rcParams["svg.hashsalt"] = "needlepoint"
    mpl.rcParams["font.size"] = 9
    figure = Figure(figsize=(6.4, height_in), layout="constrained")
    return figure, figure.add_subplot()


def _empty(axes: Any, words: str) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, words, ha="center", va="center", transform=axes.transAxes)


def _svg(figure: Any) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def _label(estimate: Estimate) -> str:
    few = " (few patients)" if estimate.few_patients else ""
    return (
        f"{estimate.sessions} vs {estimate.reference_sessions} sessions, "
        f"{estimate.horizon.label}{few}"
    )
