"""What the Monte Carlo needs of each costed option: its cost lines month by month, and, for self-hosted
options, how its fleet follows the volume.

Each line moves with the assumptions that drive it, as a ratio to the point plan (so every ratio is exactly 1
when every assumption sits at its point value, and the deterministic cost comes back to the cent):

- ``tokens`` (API options): demand ((1 + g')/(1 + g))^m and the placement's price decline
  ((1 - d')/(1 - d))^(m/12);
- ``gpus`` (cloud), ``power_and_hosting`` (owned): the drawn fleet ÷ the planned fleet, month by month; the
  fleet is sized again with the step function of the capacity model (replicas = ceil(volume ÷ capacity of
  a replica), spares, commitments never shrinking) at the drawn volume and the drawn replica capacity
  (× achieved utilisation × capacity-model error); cloud GPUs also × the GPU hourly price factor;
- owned purchases and their residual credit (``gpus``, ``residual_credit``): × the drawn fleet's GPU-months
  ÷ the planned ones (purchases follow the fleet's size; their timing is kept);
- ``staff``, ``on_call``, ``governance``: × the staffing cost factor; ``migration``: × the migration effort
  factor; ``monitoring`` and ``fine_tuning``: as planned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from llm_tco.cost.horizon import FloatArray
from llm_tco.cost.selfhost import SelfHostedEconomics
from llm_tco.plan.candidate import Candidate
from llm_tco.plan.context import WorkloadContext
from llm_tco.plan.uncertainty.defaults import AssumptionSpec

__all__ = ["OptionCosts", "OptionKey", "WorkloadCosts", "option_costs"]

STAFF_LINES = ("staff", "on_call", "governance")
CAPEX_LINES = ("gpus", "residual_credit")


class OptionKey(NamedTuple):
    """One option of one workload."""

    workload: str
    option_id: str


@dataclass(frozen=True)
class OptionCosts:
    """One priced option's cost lines (USD a month, over the horizon)."""

    option_id: str
    placement: str
    lines: dict[str, FloatArray]
    economics: SelfHostedEconomics | None = None
    planned_gpus: FloatArray | None = None
    """Self-hosted: GPUs month by month at the point assumptions."""

    @property
    def owned(self) -> bool:
        return self.economics is not None and self.economics.owned


@dataclass(frozen=True)
class WorkloadCosts:
    """Every priced option of one workload, and what its demand is drawn from."""

    workload: str
    tokens: FloatArray
    """Monthly tokens over the horizon at the point growth rate."""
    growth_monthly_rate: float
    demand_growth: AssumptionSpec
    options: list[OptionCosts] = field(default_factory=list)

    @property
    def months(self) -> int:
        return len(self.tokens)

    def option(self, option_id: str) -> OptionCosts | None:
        return next((o for o in self.options if o.option_id == option_id), None)


def option_costs(candidate: Candidate, context: WorkloadContext) -> OptionCosts | None:
    """The option's cost model, or None when it has no price."""
    if not candidate.priced or not candidate.lines:
        return None
    economics = candidate.economics
    planned = None
    if economics is not None:
        planned = economics.months(context.tokens).gpus.astype(np.float64)
    return OptionCosts(
        option_id=candidate.id,
        placement=candidate.placement,
        lines={name: np.asarray(values, dtype=np.float64) for name, values in candidate.lines.items()},
        economics=economics,
        planned_gpus=planned,
    )
