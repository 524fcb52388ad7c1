"""An option's cost lines as the plan document's :class:`CostBreakdown` (Decimal dollars).

Each line is rounded to the micro-dollar like every amount of the document; the rounding remainder (a few
micro-dollars at most) goes to the largest line, so that the lines of month 1 sum exactly to the option's
first month and those of the horizon to its horizon cost.
"""

from __future__ import annotations

from decimal import Decimal

from llm_tco.cost.breakdown import COST_LINES
from llm_tco.cost.horizon import FloatArray
from llm_tco.plan.doc import CostBreakdown, CostLines

__all__ = ["cost_breakdown"]

_MICRO = Decimal("0.000001")


def _usd(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _exact(amounts: dict[str, float], total: float) -> CostLines:
    """Rounded lines adjusted to sum to the rounded ``total``."""
    rounded = {name: _usd(amounts.get(name, 0.0)) for name in COST_LINES}
    remainder = _usd(total) - sum(rounded.values(), Decimal(0))
    if remainder:
        largest = max(COST_LINES, key=lambda name: abs(rounded[name]))
        rounded[largest] += remainder
    return CostLines(**{f"{name}_usd": amount for name, amount in rounded.items()})


def cost_breakdown(lines: dict[str, FloatArray], flows_usd: FloatArray) -> CostBreakdown | None:
    """The breakdown of an option whose month-by-month cost is ``flows_usd`` (None without lines)."""
    if not lines or not len(flows_usd):
        return None
    months = len(flows_usd)
    horizon = {name: float(values.sum()) for name, values in lines.items()}
    horizon_lines = _exact(horizon, float(flows_usd.sum()))
    average = {name: (getattr(horizon_lines, f"{name}_usd") / months).quantize(_MICRO) for name in COST_LINES}
    return CostBreakdown(
        first_month=_exact({name: float(values[0]) for name, values in lines.items()}, float(flows_usd[0])),
        average_month=CostLines(**{f"{name}_usd": amount for name, amount in average.items()}),
        horizon=horizon_lines,
    )
