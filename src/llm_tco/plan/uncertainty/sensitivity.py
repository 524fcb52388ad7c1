"""One-at-a-time sensitivity: each assumption swung from its P10 to its P90, every other held at its point
value, ranked by how much it moves a decision's saving (tornado data); and the saving over a grid of the two
most influential assumptions (the break-even surface: where it changes sign, the decision flips).

A decision is an option against staying. For a workload: its recommendation (or, when that is staying, its
best other option); for the portfolio: every workload's recommendation, summed. Demand growth is one
assumption: swung to each workload's own P10 and P90 together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from llm_tco.cost.horizon import FloatArray
from llm_tco.plan.doc import WorkloadPlan
from llm_tco.plan.uncertainty.defaults import AssumptionSpec
from llm_tco.plan.uncertainty.distributions import quantile
from llm_tco.plan.uncertainty.document import BreakevenSurface, Sensitivity, TornadoBar
from llm_tco.plan.uncertainty.ranges import usd
from llm_tco.plan.uncertainty.scenarios import Scenarios, UncertaintyContext, evaluate_workload

__all__ = ["DEMAND_GROWTH", "GRID_QUANTILES", "Decision", "plan_sensitivity", "tornado_order"]

DEMAND_GROWTH = "demand_growth"
GRID_QUANTILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
"""The break-even surface's grid along each axis: the assumption's deciles, P10 to P90."""

Setting = dict[str, float]
"""Assumption → the quantile it is set at in one scenario (assumptions not named sit at their point)."""


@dataclass(frozen=True)
class Decision:
    """An option of a workload against staying."""

    workload: str
    option_id: str


def _names(context: UncertaintyContext) -> list[str]:
    return [DEMAND_GROWTH, *(spec.name for spec in context.specs)]


def _scenarios(
    context: UncertaintyContext, settings: Sequence[Setting], workloads: Sequence[str]
) -> Scenarios:
    """One scenario per setting, the named assumptions at their quantiles, the others at their point."""
    size = len(settings)
    base = context.point(size)
    shared = {name: values.copy() for name, values in base.shared.items()}
    growth = {name: values.copy() for name, values in base.growth_shift.items()}
    specs: dict[str, AssumptionSpec] = {spec.name: spec for spec in context.specs}
    for i, setting in enumerate(settings):
        for name, level in setting.items():
            if name == DEMAND_GROWTH:
                for workload in workloads:
                    spec = context.workload(workload).demand_growth
                    growth[workload][i] = quantile(spec.distribution, level)
            else:
                shared[name][i] = quantile(specs[name].distribution, level)
    return Scenarios(size=size, shared=shared, growth_shift=growth)


def _savings(
    context: UncertaintyContext, decisions: Sequence[Decision], settings: Sequence[Setting]
) -> FloatArray:
    """Σ over ``decisions`` of staying's NPV minus the option's, in each setting's scenario."""
    scenarios = _scenarios(context, settings, [d.workload for d in decisions])
    total = np.zeros(scenarios.size)
    for decision in decisions:
        draws = evaluate_workload(
            context, context.workload(decision.workload), scenarios, ["stay", decision.option_id]
        )
        stay, option = draws.row("stay"), draws.row(decision.option_id)
        if stay is None or option is None:
            continue
        total += draws.npv_usd[stay] - draws.npv_usd[option]
    return total


def tornado_order(names: Sequence[str], low: FloatArray, high: FloatArray) -> list[int]:
    """Indices of ``names`` by decreasing swing |high − low| as the document states it (to the
    micro-dollar), ties by name: a swing of floating-point noise is a swing of zero, not a rank."""
    return sorted(range(len(names)), key=lambda i: (-usd(abs(float(high[i] - low[i]))), names[i]))


def _value(
    context: UncertaintyContext, name: str, level: float, decisions: Sequence[Decision]
) -> float | None:
    """The assumption's value at ``level``; demand growth only when one workload is concerned."""
    if name == DEMAND_GROWTH:
        if len(decisions) != 1:
            return None
        return quantile(context.workload(decisions[0].workload).demand_growth.distribution, level)
    spec = next(s for s in context.specs if s.name == name)
    return quantile(spec.distribution, level)


def sensitivity_of(
    context: UncertaintyContext,
    decisions: Sequence[Decision],
    *,
    scope: str,
    workload: str | None = None,
    option_id: str | None = None,
) -> Sensitivity:
    """Tornado and break-even surface of the summed saving of ``decisions``."""
    names = _names(context)
    settings: list[Setting] = [{}]
    for name in names:
        settings += [{name: 0.1}, {name: 0.9}]
    savings = _savings(context, decisions, settings)
    low, high = savings[1::2], savings[2::2]
    order = tornado_order(names, low, high)
    bars = [
        TornadoBar(
            assumption=names[i],
            low_value=_value(context, names[i], 0.1, decisions),
            high_value=_value(context, names[i], 0.9, decisions),
            saving_at_low_usd=usd(float(low[i])),
            saving_at_high_usd=usd(float(high[i])),
            swing_usd=usd(abs(float(high[i] - low[i]))),
        )
        for i in order
    ]
    surface = None
    if len(order) >= 2:
        x, y = names[order[0]], names[order[1]]
        grid = [{x: qx, y: qy} for qy in GRID_QUANTILES for qx in GRID_QUANTILES]
        values = _savings(context, decisions, grid).reshape(len(GRID_QUANTILES), len(GRID_QUANTILES))
        x_values = [_value(context, x, q, decisions) for q in GRID_QUANTILES]
        y_values = [_value(context, y, q, decisions) for q in GRID_QUANTILES]
        surface = BreakevenSurface(
            x_assumption=x,
            y_assumption=y,
            quantiles=list(GRID_QUANTILES),
            x_values=None if None in x_values else [float(v or 0.0) for v in x_values],
            y_values=None if None in y_values else [float(v or 0.0) for v in y_values],
            savings_usd=[[usd(float(v)) for v in row] for row in values],
        )
    return Sensitivity(
        scope="portfolio" if scope == "portfolio" else "workload",
        workload=workload,
        option_id=option_id,
        base_saving_usd=usd(float(savings[0])),
        tornado=bars,
        breakeven_surface=surface,
    )


def _compared(plan: WorkloadPlan, context: UncertaintyContext) -> str | None:
    """The option weighed against staying: the recommendation, else the best other priced option that
    meets every constraint (options are listed best first). None when staying has no price."""
    costs = context.workload(plan.workload)
    if costs.option("stay") is None:
        return None
    recommendation = plan.recommendation
    if recommendation is not None and recommendation.id != "stay":
        return recommendation.id
    return next(
        (o.id for o in plan.options if o.id != "stay" and o.feasible and costs.option(o.id) is not None),
        None,
    )


def plan_sensitivity(context: UncertaintyContext, plans: list[WorkloadPlan]) -> list[Sensitivity]:
    """Each workload's decision, then the portfolio's (when any workload moves)."""
    out: list[Sensitivity] = []
    portfolio: list[Decision] = []
    for plan in plans:
        option_id = _compared(plan, context)
        if option_id is None:
            continue
        decision = Decision(plan.workload, option_id)
        out.append(
            sensitivity_of(context, [decision], scope="workload", workload=plan.workload, option_id=option_id)
        )
        if plan.recommendation is not None and plan.recommendation.id == option_id:
            portfolio.append(decision)
    if portfolio:
        out.append(sensitivity_of(context, portfolio, scope="portfolio"))
    return out
