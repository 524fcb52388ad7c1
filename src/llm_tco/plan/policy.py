"""``--fail-on`` policies for CI and cron: which workloads trip them.

- ``breakeven-crossed``: today's monthly volume has reached the break-even volume of the workload's best
  self-hosted option (self-hosting is already cheaper in steady state).
- ``savings-above=<usd>``: the recommendation saves more than <usd> over the horizon (NPV of staying minus
  NPV of the recommendation) — the workload is overpaying.
- ``unpriced``: some of the workload's usage has no price (its cost is understated or unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from llm_tco.errors import UsageError
from llm_tco.plan.doc import PlanDocument, PolicyResult, WorkloadPlan

__all__ = ["FailOn", "evaluate_policies", "parse_fail_on"]

_SAVINGS = re.compile(r"^savings-above=(.+)$")


@dataclass(frozen=True)
class FailOn:
    """One parsed ``--fail-on`` value."""

    kind: str
    threshold_usd: Decimal | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}={self.threshold_usd}" if self.threshold_usd is not None else self.kind


def parse_fail_on(value: str) -> FailOn:
    """Parse ``breakeven-crossed``, ``savings-above=<usd>`` or ``unpriced``; UsageError otherwise."""
    value = value.strip()
    if value in ("breakeven-crossed", "unpriced"):
        return FailOn(value)
    match = _SAVINGS.match(value)
    if match:
        try:
            threshold = Decimal(match.group(1).replace(",", "").lstrip("$"))
        except InvalidOperation:
            raise UsageError(f"--fail-on {value}: {match.group(1)!r} is not an amount in USD") from None
        if not threshold.is_finite():  # NaN would make every comparison raise; inf never trips
            raise UsageError(f"--fail-on {value}: the amount must be a finite number of USD")
        if threshold < 0:
            raise UsageError(f"--fail-on {value}: the amount must not be negative")
        return FailOn("savings-above", threshold)
    raise UsageError(f"--fail-on {value!r}: use breakeven-crossed, savings-above=<usd> or unpriced")


def _savings(plan: WorkloadPlan) -> Decimal | None:
    stay = next((o for o in plan.options if o.id == "stay"), None)
    if (
        stay is None
        or stay.npv_usd is None
        or plan.recommendation is None
        or plan.recommendation.npv_usd is None
    ):
        return None
    return stay.npv_usd - plan.recommendation.npv_usd


def _trips(policy: FailOn, plan: WorkloadPlan) -> bool:
    if policy.kind == "unpriced":
        if plan.current_monthly_cost_usd is None:
            return True
        stay = next((o for o in plan.options if o.id == "stay"), None)
        return bool(stay and any("unpriced" in n for n in stay.notes))
    if policy.kind == "breakeven-crossed":
        be = plan.breakeven
        return bool(be and be.monthly_tokens is not None and be.monthly_tokens <= plan.monthly_tokens)
    savings = _savings(plan)
    return savings is not None and policy.threshold_usd is not None and savings > policy.threshold_usd


def evaluate_policies(document: PlanDocument, policies: list[FailOn]) -> list[PolicyResult]:
    """For each policy, the workloads that trip it (an empty list: it did not trip)."""
    return [
        PolicyResult(policy=p.label, tripped=[w.workload for w in document.workloads if _trips(p, w)])
        for p in policies
    ]
