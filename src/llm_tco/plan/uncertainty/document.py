"""The plan document's uncertainty sections: the Monte Carlo's settings and organisation-wide ranges, and
the sensitivity (tornado and break-even surface) of each decision.

Money is ``Decimal`` US dollars like the rest of the document. A *saving* is staying's NPV minus the
option's: positive when the option is cheaper than staying.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AssumptionInForce",
    "BreakevenSurface",
    "Sensitivity",
    "TornadoBar",
    "UncertaintySummary",
]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AssumptionInForce(_Doc):
    """One uncertain assumption as drawn."""

    name: str
    kind: Literal["shift", "factor"]
    """``shift``: added to the point rate; ``factor``: multiplies the point amount."""
    workload: str | None = None
    """Set for a workload's own demand growth; null for assumptions shared by every workload."""
    distribution: dict[str, float | str]
    p10: float
    p90: float
    source: str


class UncertaintySummary(_Doc):
    """The Monte Carlo: its settings, the distributions drawn, and the organisation's ranges (the sum over
    workloads of each one's recommendation, or staying when it has none, in the same scenarios; staying's
    NPV counts the workloads whose usage is priced, as a lower bound otherwise)."""

    draws: int
    seed: int
    assumptions: list[AssumptionInForce]
    current_npv_usd_p10: Decimal
    current_npv_usd_p50: Decimal
    current_npv_usd_p90: Decimal
    recommended_npv_usd_p10: Decimal
    recommended_npv_usd_p50: Decimal
    recommended_npv_usd_p90: Decimal
    recommended_horizon_cost_usd_p10: Decimal
    recommended_horizon_cost_usd_p50: Decimal
    recommended_horizon_cost_usd_p90: Decimal
    savings_npv_usd_p10: Decimal
    savings_npv_usd_p50: Decimal
    savings_npv_usd_p90: Decimal
    """Staying's NPV minus the recommendations' (positive: the recommendations save), over the workloads
    whose staying has a price."""
    probability_recommended_beats_current: float
    """Share of the scenarios in which that saving is positive."""


class TornadoBar(_Doc):
    """The saving with one assumption at its P10, then at its P90, every other at its point value."""

    assumption: str
    low_value: float | None
    """The assumption at its P10 (null for demand growth across several workloads: each at its own)."""
    high_value: float | None
    saving_at_low_usd: Decimal
    saving_at_high_usd: Decimal
    swing_usd: Decimal
    """|saving at high − saving at low|: the bars are ranked by it, largest first."""


class BreakevenSurface(_Doc):
    """The saving over a grid of the two most influential assumptions (their deciles 10 %…90 %, every other
    assumption at its point value): where it changes sign, the decision breaks even."""

    x_assumption: str
    y_assumption: str
    quantiles: list[float]
    x_values: list[float] | None
    """The x assumption at each quantile (null for demand growth across several workloads)."""
    y_values: list[float] | None
    savings_usd: list[list[Decimal]]
    """``savings_usd[j][i]``: the saving at y quantile j and x quantile i."""


class Sensitivity(_Doc):
    """What moves one decision: the option chosen against staying (for a workload), or every workload's
    recommendation against staying (``scope = "portfolio"``)."""

    scope: Literal["workload", "portfolio"]
    workload: str | None
    option_id: str | None
    """The option compared with staying (the recommendation; the best other option when that is
    staying); null for the portfolio."""
    base_saving_usd: Decimal
    """The saving at every point assumption (the deterministic plan)."""
    tornado: list[TornadoBar]
    breakeven_surface: BreakevenSurface | None
