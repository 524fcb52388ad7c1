"""The tornado chart: one-at-a-time swings of the plan's NPV as each uncertain assumption moves across its
P10–P90 range, the widest first. Drawn only when the document carries sensitivity data; its entries are
read tolerantly (the assumption's name, the NPV at its low and at its high end, and the scope: a workload
or the whole portfolio)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llm_tco.plan.doc import PlanDocument
from llm_tco.report.html.charts import Chart, unique_labels

__all__ = ["TORNADO_BARS", "Swing", "swings", "tornado_chart"]

TORNADO_BARS = 10
"""Assumptions shown (the widest swings); the rest move the result less than the last one shown."""

_NAME_KEYS = ("assumption", "name", "parameter", "key")
_LOW_KEYS = ("npv_usd_low", "low_npv_usd", "npv_low_usd", "low_usd", "low")
_HIGH_KEYS = ("npv_usd_high", "high_npv_usd", "npv_high_usd", "high_usd", "high")
_BASE_KEYS = ("npv_usd_base", "base_npv_usd", "npv_base_usd", "base_usd", "base")


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


def _first(entry: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((entry[k] for k in keys if entry.get(k) is not None), None)


def swings(doc: PlanDocument) -> list[Swing]:
    """The document's sensitivity entries that name an assumption and both ends of its swing."""
    raw: Any = getattr(doc, "sensitivity", None) or []
    found = []
    for item in raw:
        entry = item.model_dump() if hasattr(item, "model_dump") else item
        if not isinstance(entry, dict):
            continue
        name, low, high = _first(entry, _NAME_KEYS), _first(entry, _LOW_KEYS), _first(entry, _HIGH_KEYS)
        if name is None or low is None or high is None:
            continue
        base = _first(entry, _BASE_KEYS)
        scope = entry.get("workload")
        found.append(
            Swing(
                scope=None if scope is None else str(scope),
                assumption=str(name),
                low_usd=float(low),
                high_usd=float(high),
                base_usd=None if base is None else float(base),
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
            "name": "NPV across the assumption's P10–P90",
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
        caption=f"Net present value of {what} as each assumption moves alone across its P10–P90 range, "
        "the widest swing first" + (" (the line is the base case)." if shapes else "."),
        data=data,
        layout={
            "font": {"family": "system-ui, sans-serif", "size": 12},
            "height": max(240, 60 + 30 * len(chosen)),
            "margin": {"l": 20, "r": 20, "t": 20, "b": 50},
            "xaxis": {"title": {"text": "NPV (USD)"}, "tickprefix": "$", "separatethousands": True},
            "yaxis": {"type": "category", "automargin": True, "autorange": "reversed"},
            "shapes": shapes,
            "showlegend": False,
        },
    )
