"""A read-only view of the plan document for the HTML renderer: each workload's staying, recommended and
best-per-placement options, found once, and the fields that only some documents carry (Monte Carlo
percentiles, sensitivity) read tolerantly, so the page renders those sections only when they are there."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from llm_tco.plan.doc import Option, PlanDocument, WorkloadPlan

__all__ = [
    "PLACEMENTS",
    "PLACEMENT_LABELS",
    "WorkloadView",
    "as_float",
    "describe",
    "month_labels",
    "npv_range",
    "workload_views",
]

PLACEMENTS = ("closed-api", "open-api", "self-hosted")
PLACEMENT_LABELS = {"closed-api": "closed API", "open-api": "hosted open model", "self-hosted": "self-hosted"}


def as_float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class WorkloadView:
    """One workload of the plan with its options resolved by role."""

    plan: WorkloadPlan
    stay: Option | None
    """Staying as it is (the option with id ``stay``), when the document has it."""
    recommended: Option | None
    best: dict[str, Option]
    """Placement → its best option (placements without one are absent)."""

    @property
    def name(self) -> str:
        return self.plan.workload

    @property
    def chosen(self) -> Option | None:
        """What the workload will do: the recommendation, else staying (no option meets its constraints)."""
        return self.recommended or self.stay

    @property
    def horizon_change_usd(self) -> Decimal | None:
        """Chosen − staying over the horizon (positive: costs more); None when either is unpriced."""
        chosen = self.chosen
        if chosen is None or self.stay is None:
            return None
        if chosen.horizon_cost_usd is None or self.stay.horizon_cost_usd is None:
            return None
        return chosen.horizon_cost_usd - self.stay.horizon_cost_usd


def workload_views(doc: PlanDocument) -> list[WorkloadView]:
    """The plan's workloads in document order, each with its options resolved."""
    views = []
    for plan in doc.workloads:
        by_id = {o.id: o for o in plan.options}
        best = {
            placement: by_id[option_id]
            for placement, option_id in plan.best_by_placement.items()
            if option_id is not None and option_id in by_id
        }
        views.append(
            WorkloadView(plan=plan, stay=by_id.get("stay"), recommended=plan.recommendation, best=best)
        )
    return views


def describe(option: Option) -> str:
    """An option in words: ``gpt-4o-mini via openai (today)``, ``llama-3.3-70b on 2 × 4 h100-sxm (fp8,
    reserved-1y)``."""
    if option.placement == "self-hosted":
        return (
            f"{option.model} on {option.replicas} × {option.gpus_per_replica} {option.gpu} "
            f"({option.precision}, {option.deployment})"
        )
    where = f" via {option.provider}" if option.provider else ""
    lever = {"batch": " (Batch API)", "prompt-caching": " (prompt caching)"}.get(option.lever or "", "")
    return f"{option.model}{where}" + (" (today)" if option.id == "stay" else lever)


def month_labels(start_month: str, count: int) -> list[str]:
    """``count`` consecutive ``YYYY-MM`` labels from ``start_month``."""
    year, month = (int(part) for part in start_month.split("-")[:2])
    labels = []
    for i in range(count):
        index = year * 12 + (month - 1) + i
        labels.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    return labels


def npv_range(option: Any) -> tuple[float, float, float] | None:
    """(P10, P50, P90) of an option's NPV when the document carries Monte Carlo percentiles, else None."""
    values = [getattr(option, f"npv_usd_p{q}", None) for q in (10, 50, 90)]
    if any(v is None for v in values):
        return None
    p10, p50, p90 = (float(v) for v in values if v is not None)
    return p10, p50, p90
