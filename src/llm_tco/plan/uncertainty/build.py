"""A workload's costed candidates as the Monte Carlo's :class:`WorkloadCosts` (built by the plan engine)."""

from __future__ import annotations

from llm_tco.plan.candidate import Candidate
from llm_tco.plan.context import WorkloadContext
from llm_tco.plan.uncertainty.costs import WorkloadCosts, option_costs
from llm_tco.plan.uncertainty.defaults import demand_growth_spec

__all__ = ["workload_costs"]


def workload_costs(context: WorkloadContext, candidates: list[Candidate]) -> WorkloadCosts:
    """Every priced candidate's cost lines, with the distribution of the workload's demand growth."""
    options = [c for c in (option_costs(candidate, context) for candidate in candidates) if c is not None]
    return WorkloadCosts(
        workload=context.workload,
        tokens=context.tokens,
        growth_monthly_rate=context.growth.monthly_rate,
        demand_growth=demand_growth_spec(context.config, context.profile.growth, context.growth.source),
        options=options,
    )
