"""The portfolio's view of each planned workload: the options it may take, each costed without the
platform (which the portfolio pays once), and the platform's own monthly lines.

A self-hosted candidate is costed by the per-workload engine with the whole platform in it
(``context.fixed``); here that part is taken out again, so that the optimiser adds it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from llm_tco.cost.fixed import FixedCosts
from llm_tco.cost.horizon import FloatArray, npv_usd
from llm_tco.plan.candidate import Candidate
from llm_tco.plan.context import WorkloadContext
from llm_tco.plan.doc import WorkloadPlan

__all__ = [
    "PLATFORM_LINES",
    "Choice",
    "PlannedWorkload",
    "WorkloadItem",
    "platform_lines",
    "workload_item",
]

PLATFORM_LINES: tuple[str, ...] = ("staff", "on_call", "monitoring", "governance")
"""The cost lines of the platform (``llm_tco.cost.breakdown.COST_LINES``), paid once."""


@dataclass
class PlannedWorkload:
    """What the per-workload engine produced for one workload: its document and the candidates behind
    it (float arrays, the platform included in full in every self-hosted one)."""

    plan: WorkloadPlan
    context: WorkloadContext
    candidates: list[Candidate]


def platform_lines(fixed: FixedCosts, months: int) -> dict[str, FloatArray]:
    """The platform's monthly cost, line by line, over ``months`` months."""
    return {
        name: np.full(months, monthly, dtype=np.float64)
        for name, monthly in (
            ("staff", fixed.staffing_usd_per_month),
            ("on_call", fixed.on_call_usd_per_month),
            ("monitoring", fixed.monitoring_usd_per_month),
            ("governance", fixed.governance_usd_per_month),
        )
    }


@dataclass(frozen=True)
class Choice:
    """One way to serve one workload on its own: a candidate, costed without the platform."""

    candidate: Candidate
    flows_usd: FloatArray
    """Month-by-month cost, one-offs included, platform excluded."""
    npv_usd: float
    gpu_hours: float
    """GPU-hours over the horizon (0 for API options): what the platform's cost is shared by."""

    @property
    def id(self) -> str:
        return self.candidate.id

    @property
    def self_hosted(self) -> bool:
        return self.candidate.placement == "self-hosted"


@dataclass
class WorkloadItem:
    """One workload as the optimiser sees it."""

    index: int
    planned: PlannedWorkload
    choices: list[Choice]
    """The options it may take (at least one)."""
    stay: Choice
    engine_choice_id: str | None
    """The option the per-workload engine recommended (null when none)."""
    fixed_at_stay: bool = False
    """No option meets every constraint: it stays as it is."""
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.planned.context.workload

    @property
    def context(self) -> WorkloadContext:
        return self.planned.context

    def choice(self, option_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == option_id), None)


def _gpu_hours(candidate: Candidate, context: WorkloadContext) -> float:
    if candidate.economics is None:
        return 0.0
    gpus = candidate.economics.months(context.tokens).gpus
    return float(gpus.sum()) * candidate.economics.serving_hours_per_month


def _choice(candidate: Candidate, context: WorkloadContext) -> Choice:
    rate = context.config.planning.discount_rate_per_year
    months = context.months
    if not candidate.priced:  # staying on usage without any price: counted at $0, a lower bound
        flows = np.zeros(months, dtype=np.float64)
    else:
        flows = candidate.flows_usd.copy()
        if candidate.placement == "self-hosted":
            flows -= context.fixed.months(months)
    return Choice(candidate, flows, npv_usd(flows, rate), _gpu_hours(candidate, context))


def workload_item(index: int, planned: PlannedWorkload) -> WorkloadItem:
    """The workload's allowed choices: every priced option meeting every constraint. When none does, it
    stays as it is — unless staying breaks a hard constraint (sovereignty, context, …) and the engine
    found an option meeting the hard ones: then that option, as the engine recommends."""
    context = planned.context
    stay = next(c for c in planned.candidates if c.id == "stay")
    stay_choice = _choice(stay, context)
    recommendation = planned.plan.recommendation
    engine_id = recommendation.id if recommendation is not None else None
    feasible = [c for c in planned.candidates if c.priced and c.feasible]
    item = WorkloadItem(index, planned, [], stay_choice, engine_id)
    if feasible:
        item.choices = [stay_choice if c is stay else _choice(c, context) for c in feasible]
        return item
    engine = next((c for c in planned.candidates if c.id == engine_id), None)
    if engine is not None and not stay.hard_ok:
        item.choices = [_choice(engine, context)]
        item.notes.append("no option meets every constraint: the best one meeting the hard constraints")
        return item
    item.choices = [stay_choice]
    item.fixed_at_stay = True
    item.notes.append("no option meets every constraint: it stays as it is")
    return item
