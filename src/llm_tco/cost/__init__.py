"""The cost model: pure functions over NumPy arrays (no I/O). Floats inside; the plan converts money to
``Decimal`` at one named place (``llm_tco.plan.options.to_usd``)."""

from __future__ import annotations

from llm_tco.cost.breakeven import breakeven_monthly_tokens, months_to_reach, payback_month
from llm_tco.cost.fixed import FixedCosts, migration_cost_usd, one_off_flows
from llm_tco.cost.horizon import discount_factors, growth_factors, npv_usd, price_factors
from llm_tco.cost.selfhost import Redundancy, SelfHostedEconomics, SelfHostedMonths, owned_capex_cash_flows

__all__ = [
    "FixedCosts",
    "Redundancy",
    "SelfHostedEconomics",
    "SelfHostedMonths",
    "breakeven_monthly_tokens",
    "discount_factors",
    "growth_factors",
    "migration_cost_usd",
    "months_to_reach",
    "npv_usd",
    "one_off_flows",
    "owned_capex_cash_flows",
    "payback_month",
    "price_factors",
]
