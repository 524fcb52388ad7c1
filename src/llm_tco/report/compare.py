"""What changed between two report documents of the same kind: spend, decisions and break-even crossings.

Workloads are matched by name. A workload in one document only is listed as added or removed, never
compared with zero. Money changes are exact (``Decimal``); a cost that is unpriced on either side has no
change (it is not $0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from llm_tco.plan.doc import Option, PlanDocument, WorkloadPlan
from llm_tco.report.audit_doc import AuditDocument

__all__ = [
    "Comparison",
    "CrossingChange",
    "DecisionChange",
    "SpendChange",
    "compare_audits",
    "compare_plans",
    "crossed",
    "option_text",
]


@dataclass(frozen=True)
class SpendChange:
    """One amount before and now (USD; None where unpriced or absent)."""

    label: str
    before_usd: Decimal | None
    after_usd: Decimal | None

    @property
    def change_usd(self) -> Decimal | None:
        if self.before_usd is None or self.after_usd is None:
            return None
        return self.after_usd - self.before_usd


@dataclass(frozen=True)
class DecisionChange:
    """A workload whose recommended option changed (descriptions of the options, None: none)."""

    workload: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class CrossingChange:
    """A workload whose break-even state changed: crossed (self-hosting already cheaper at today's
    volume) or its payback month."""

    workload: str
    crossed_before: bool
    crossed_after: bool
    payback_before: int | None
    payback_after: int | None


@dataclass(frozen=True)
class Comparison:
    totals: list[SpendChange]
    workloads: list[SpendChange] = field(default_factory=list)
    """Today's monthly cost (plan) or the window's cost (audit) per workload, where it changed."""
    decisions: list[DecisionChange] = field(default_factory=list)
    crossings: list[CrossingChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def option_text(option: Option | None) -> str | None:
    """A short description of an option: "model via provider", or "model on replicas × GPUs gpu"."""
    if option is None:
        return None
    if option.placement == "self-hosted":
        return (
            f"{option.model} on {option.replicas} × {option.gpus_per_replica} {option.gpu} "
            f"({option.deployment})"
        )
    where = f" via {option.provider}" if option.provider else ""
    lever = {"batch": " (Batch API)", "prompt-caching": " (prompt caching)"}.get(option.lever or "", "")
    return f"{option.model}{where}" + (" (today)" if option.id == "stay" else lever)


def crossed(plan: WorkloadPlan) -> bool:
    """Today's monthly volume has reached the break-even volume of the best self-hosted option (the
    ``--fail-on breakeven-crossed`` rule)."""
    be = plan.breakeven
    return bool(be and be.monthly_tokens is not None and be.monthly_tokens <= plan.monthly_tokens)


def _payback(plan: WorkloadPlan) -> int | None:
    return plan.breakeven.payback_month if plan.breakeven else None


def _names(before: list[str], after: list[str]) -> tuple[list[str], list[str], list[str]]:
    old, new = set(before), set(after)
    return (
        [n for n in after if n in old],
        [n for n in after if n not in old],
        [n for n in before if n not in new],
    )


def compare_plans(before: PlanDocument, after: PlanDocument) -> Comparison:
    """The changes from ``before`` (the previous report) to ``after``."""
    old = {w.workload: w for w in before.workloads}
    new = {w.workload: w for w in after.workloads}
    common, added, removed = _names(list(old), list(new))
    b, a = before.totals, after.totals
    totals = [
        SpendChange("today, per month", b.current_monthly_cost_usd, a.current_monthly_cost_usd),
        SpendChange("recommended, month 1", b.recommended_monthly_cost_usd, a.recommended_monthly_cost_usd),
        SpendChange("staying, over the horizon", b.current_horizon_cost_usd, a.current_horizon_cost_usd),
        SpendChange(
            "recommended, over the horizon", b.recommended_horizon_cost_usd, a.recommended_horizon_cost_usd
        ),
    ]
    workloads: list[SpendChange] = []
    decisions: list[DecisionChange] = []
    crossings: list[CrossingChange] = []
    for name in common:
        was, now = old[name], new[name]
        if was.current_monthly_cost_usd != now.current_monthly_cost_usd:
            workloads.append(SpendChange(name, was.current_monthly_cost_usd, now.current_monthly_cost_usd))
        before_text, after_text = option_text(was.recommendation), option_text(now.recommendation)
        if before_text != after_text:
            decisions.append(DecisionChange(name, before_text, after_text))
        if crossed(was) != crossed(now) or _payback(was) != _payback(now):
            crossings.append(CrossingChange(name, crossed(was), crossed(now), _payback(was), _payback(now)))
    return Comparison(totals, workloads, decisions, crossings, added, removed)


def compare_audits(before: AuditDocument, after: AuditDocument) -> Comparison:
    """The changes of priced spend from ``before`` (the previous report) to ``after``."""
    old = {w.workload: w for w in before.by_workload}
    new = {w.workload: w for w in after.by_workload}
    common, added, removed = _names(list(old), list(new))
    totals = [SpendChange("priced cost over the window", before.totals.cost_usd, after.totals.cost_usd)]
    workloads = [
        SpendChange(name, old[name].cost_usd, new[name].cost_usd)
        for name in common
        if old[name].cost_usd != new[name].cost_usd
    ]
    return Comparison(totals, workloads, added=added, removed=removed)
