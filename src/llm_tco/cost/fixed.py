"""Costs that do not scale with tokens: the platform team, operations, fine-tuning and migration.

These are the costs spreadsheets leave out (sources kshirol-learnai-inference and lenovo-lp2225: most
published break-even studies omit staffing). Recurring ones are charged every month of a self-hosted option;
one-off ones fall in the month they occur (migration and the initial fine-tuning run in month 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llm_tco.cost.horizon import FloatArray
from llm_tco.units import MONTHS_PER_YEAR

__all__ = ["FixedCosts", "migration_cost_usd", "one_off_flows"]


@dataclass(frozen=True)
class FixedCosts:
    """Monthly recurring costs of running a model yourself, in USD per month."""

    staffing_usd_per_month: float = 0.0
    on_call_usd_per_month: float = 0.0
    monitoring_usd_per_month: float = 0.0
    governance_usd_per_month: float = 0.0

    @classmethod
    def from_assumptions(
        cls,
        *,
        platform_fte: float,
        on_call_fte: float,
        loaded_cost_usd_per_fte_year: float,
        monitoring_usd_per_month: float,
        governance_hours_per_month: float,
        hourly_rate_usd: float,
    ) -> FixedCosts:
        per_fte_month = loaded_cost_usd_per_fte_year / MONTHS_PER_YEAR
        return cls(
            staffing_usd_per_month=platform_fte * per_fte_month,
            on_call_usd_per_month=on_call_fte * per_fte_month,
            monitoring_usd_per_month=monitoring_usd_per_month,
            governance_usd_per_month=governance_hours_per_month * hourly_rate_usd,
        )

    @property
    def monthly_usd(self) -> float:
        return (
            self.staffing_usd_per_month
            + self.on_call_usd_per_month
            + self.monitoring_usd_per_month
            + self.governance_usd_per_month
        )

    def months(self, months: int) -> FloatArray:
        return np.full(months, self.monthly_usd, dtype=np.float64)


def migration_cost_usd(
    *, prompts_to_port: int, hours_per_prompt: float, evaluation_hours: float, hourly_rate_usd: float
) -> float:
    """The one-off "prompt-engineering debt" of moving a workload to another model."""
    return (prompts_to_port * hours_per_prompt + evaluation_hours) * hourly_rate_usd


def one_off_flows(
    months: int,
    *,
    month_one_usd: float = 0.0,
    periodic_usd: float = 0.0,
    period_months: int = 0,
) -> FloatArray:
    """One-off cash flows: ``month_one_usd`` in month 1, and ``periodic_usd`` every ``period_months``
    after it (months 1 + period, 1 + 2·period, …); no periodic flows when ``period_months`` is 0."""
    flows = np.zeros(months, dtype=np.float64)
    if months:
        flows[0] += month_one_usd
    if period_months > 0 and periodic_usd:
        flows[period_months::period_months] += periodic_usd
    return flows
