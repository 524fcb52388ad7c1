"""The tornado chart: one-at-a-time swings of the saving against staying as each uncertain assumption
moves across its P10–P90 range, the widest first (the portfolio's, else the first workload's). Drawn only
when the plan ran its Monte Carlo."""

from __future__ import annotations

from dataclasses import dataclass

from llm_tco.plan.doc import PlanDocument
from llm_tco.report.html.charts import Chart, unique_labels

__all__ = ["TORNADO_BARS", "Swing", "swings", "tornado_chart"]

TORNADO_BARS = 10
"""Assumptions shown (the widest swings); the rest move the result less than the last one shown."""


@dataclass(frozen=True)
class Swing:
    scope: str | None
    """The workload it is for; None for the portfolio."""
    assumption: str
    low_usd: float
    high_usd: float
    base_usd: float | None

    @property
    def width_usd(self) -> float:
        return abs(self.high_usd - self.low_usd)


def swings(doc: PlanDocument) -> list[Swing]:
    """Every tornado bar of the document's sensitivity (``llm_tco.plan.uncertainty``): the saving of a
    decision against staying at each end of an assumption's P10–P90 range, the others at their points."""
    found = []
    for entry in doc.sensitivity:
        scope = None if entry.scope == "portfolio" else entry.workload
        for bar in entry.tornado:
            found.append(
                Swing(
                    scope=scope,
                    assumption=bar.assumption,
                    low_usd=float(bar.saving_at_low_usd),
                    high_usd=float(bar.saving_at_high_usd),
                    base_usd=float(entry.base_saving_usd),
                )
            )
    return found


def tornado_chart(doc: PlanDocument) -> Chart | None:
    """The tornado of the portfolio's swings (or, without those, of the first workload that has some)."""
    found = swings(doc)
    if not found:
        return None
    scopes = [s.scope for s in found]
    scope = None if None in scopes else scopes[0]
    chosen = sorted((s for s in found if s.scope == scope), key=lambda s: s.width_usd, reverse=True)
    chosen = chosen[:TORNADO_BARS]
    labels = unique_labels([s.assumption for s in chosen])
    lows = [min(s.low_usd, s.high_usd) for s in chosen]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": "saving across the assumption's P10–P90",
            "y": labels,
            "x": [s.width_usd for s in chosen],
            "base": lows,
            "marker": {"color": "#b5651d"},
            "hovertemplate": "%{y}: from $%{base:,.0f}, a swing of $%{x:,.0f}<extra></extra>",
        }
    ]
    base = next((s.base_usd for s in chosen if s.base_usd is not None), None)
    shapes = (
        [{"type": "line", "xref": "x", "yref": "paper", "x0": base, "x1": base, "y0": 0, "y1": 1}]
        if base is not None
        else []
    )
    what = "the portfolio" if scope is None else f"workload {scope}"
    return Chart(
        id="chart-tornado",
        title="What moves the result most",
        caption=f"Saving in present value of {what} against staying as each assumption moves alone across "
        "its P10–P90 range, "
        "the widest swing first" + (" (the line is the base case)." if shapes else "."),
        data=data,
        layout={
            "font": {"family": "system-ui, sans-serif", "size": 12},
            "height": max(240, 60 + 30 * len(chosen)),
            "margin": {"l": 20, "r": 20, "t": 20, "b": 50},
            "xaxis": {
                "title": {"text": "saving vs staying, NPV (USD)"},
                "tickprefix": "$",
                "separatethousands": True,
            },
            "yaxis": {"type": "category", "automargin": True, "autorange": "reversed"},
            "shapes": shapes,
            "showlegend": False,
        },
    )
