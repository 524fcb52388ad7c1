"""Organisation totals of a plan: what today costs, what the recommendations cost, and which part of the
change hard constraints force.

A workload with no option meeting its hard constraints counts at its current cost (it stays), never at $0;
usage without a price makes today's totals a lower bound, and the workloads concerned are listed.
"""

from __future__ import annotations

from decimal import Decimal

from llm_tco.plan.candidate import HARD
from llm_tco.plan.doc import ForcedChange, Option, PlanTotals, WorkloadPlan

__all__ = ["organisation_totals"]


def _stay(plan: WorkloadPlan) -> Option | None:
    return next((o for o in plan.options if o.id == "stay"), None)


def _forced_reason(plan: WorkloadPlan) -> str | None:
    """Why the workload cannot stay as it is (a hard constraint its current setup breaks), or None."""
    stay = _stay(plan)
    if stay is None or not (set(stay.unmet) & (HARD - {"price"})):
        return None
    return stay.infeasible_reason or ", ".join(stay.unmet)


def organisation_totals(plans: list[WorkloadPlan]) -> PlanTotals:
    """Organisation totals. A workload with no option meeting its hard constraints counts at its current
    cost (it stays), never at $0; the change over the horizon is split into what hard constraints force and
    what is optional."""
    zero = Decimal(0)

    def stay_horizon(plan: WorkloadPlan) -> Decimal:
        stay = _stay(plan)
        return stay.horizon_cost_usd or zero if stay else zero

    def recommended(plan: WorkloadPlan) -> tuple[Decimal, Decimal, Decimal]:
        """(month-1 cost, horizon cost, one-off cost) of what the workload will do."""
        if plan.recommendation is None:
            return plan.current_monthly_cost_usd or zero, stay_horizon(plan), zero
        rec = plan.recommendation
        return rec.monthly_cost_usd or zero, rec.horizon_cost_usd or zero, rec.one_off_cost_usd or zero

    forced: list[ForcedChange] = []
    optional = zero
    for plan in plans:
        change = recommended(plan)[1] - stay_horizon(plan)
        reason = _forced_reason(plan)
        if reason is not None and plan.recommendation is not None:
            forced.append(ForcedChange(workload=plan.workload, horizon_cost_change_usd=change, reason=reason))
        else:
            optional += change
    return PlanTotals(
        current_monthly_cost_usd=sum((p.current_monthly_cost_usd or zero for p in plans), zero),
        recommended_monthly_cost_usd=sum((recommended(p)[0] for p in plans), zero),
        current_horizon_cost_usd=sum((stay_horizon(p) for p in plans), zero),
        recommended_horizon_cost_usd=sum((recommended(p)[1] for p in plans), zero),
        recommended_one_off_cost_usd=sum((recommended(p)[2] for p in plans), zero),
        workloads_unpriced=[p.workload for p in plans if p.current_cost_is_lower_bound],
        current_cost_is_lower_bound=any(p.current_cost_is_lower_bound for p in plans),
        workloads_without_option=[p.workload for p in plans if p.recommendation is None],
        forced=forced,
        forced_horizon_cost_usd=sum((f.horizon_cost_change_usd for f in forced), zero),
        optional_horizon_cost_usd=optional,
    )
