"""The portfolio written back into the workload documents.

Each self-hosted option carries its share of the platform by GPU-hours: the share it would have next to
the portfolio's other self-hosted workloads (its GPU-hours ÷ its own plus theirs). For the chosen options
these shares sum to the whole platform; break-even and payback are computed with that share. A workload
served by a pool is recommended its share of the pool's cost (by tokens, month by month) plus its share
of the platform, so that the recommendations sum to the portfolio's total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from llm_tco.cost.horizon import FloatArray
from llm_tco.plan.candidate import Candidate
from llm_tco.plan.context import WorkloadContext
from llm_tco.plan.doc import Breakeven, Option, Recommendation, WorkloadBreakeven, WorkloadPlan
from llm_tco.plan.explain import breakeven_for
from llm_tco.plan.portfolio.items import PLATFORM_LINES, WorkloadItem
from llm_tco.plan.portfolio.pools import PoolConfig

__all__ = ["OptionDoc", "with_platform_share", "workload_document"]

OptionDoc = Callable[[Candidate, WorkloadContext, Breakeven | None], Option]
"""The engine's conversion of a candidate into its document option."""


def with_platform_share(
    candidate: Candidate, context: WorkloadContext, platform: dict[str, FloatArray], share: float
) -> Candidate:
    """The self-hosted ``candidate`` with ``share`` of the platform instead of all of it."""
    assert candidate.recurring_usd is not None
    lines = dict(candidate.lines)
    recurring = candidate.recurring_usd - context.fixed.months(context.months)
    for name in PLATFORM_LINES:
        lines[name] = platform[name] * share
        recurring = recurring + lines[name]
    notes = [*candidate.notes, f"its share of the shared platform by GPU-hours: {share:.1%}"]
    return replace(
        candidate,
        recurring_usd=recurring,
        lines=lines,
        notes=notes,
        fixed_monthly_usd=context.fixed.monthly_usd * share,
    )


def _reference_api(item: WorkloadItem) -> Candidate | None:
    """What break-even compares with, as the engine does: staying (its current cost), else the best
    feasible API option."""
    stay = item.stay.candidate
    if stay.priced:
        return stay
    rate = item.context.config.planning.discount_rate_per_year
    apis = [c for c in item.planned.candidates if c.placement != "self-hosted" and c.feasible and c.priced]
    return min(apis, key=lambda c: c.rank_key(rate), default=None)


def pooled_candidate(
    candidate: Candidate,
    item: WorkloadItem,
    pool: PoolConfig,
    pool_id: str,
    platform: dict[str, FloatArray],
    share: float,
) -> Candidate:
    """The workload's part of ``pool``: the fleet's cost × its share of the pool's tokens each month, its
    own one-offs, and ``share`` of the platform."""
    context = item.context
    with np.errstate(divide="ignore", invalid="ignore"):
        token_share = np.where(pool.tokens > 0, context.tokens / pool.tokens, 0.0)
    n = context.months
    lines = {
        name: pool.lines[name] * token_share for name in ("gpus", "power_and_hosting", "residual_credit")
    }
    zeros = np.zeros(n, dtype=np.float64)
    for name in ("fine_tuning", "migration"):
        lines[name] = candidate.lines.get(name, zeros).copy()
    for name in PLATFORM_LINES:
        lines[name] = platform[name] * share
    recurring = pool.months.gpu_cost_usd * token_share + sum((lines[name] for name in PLATFORM_LINES), zeros)
    serving_extra = pool.serving_flows_usd - pool.months.gpu_cost_usd  # owned purchases and credit
    one_off = serving_extra * token_share + lines["fine_tuning"] + lines["migration"]
    credit = float(-lines["residual_credit"][-1]) if n else 0.0
    others = len(pool.members) - 1
    notes = [
        *candidate.notes,
        f"served by pool {pool_id} with {others} other workload(s): its share of the pool's cost by tokens, "
        f"and {share:.1%} of the shared platform by GPU-hours",
    ]
    return replace(
        candidate,
        recurring_usd=recurring,
        one_off_usd=one_off,
        lines=lines,
        gpus=int(pool.months.gpus[0]),
        replicas=int(pool.months.replicas[0]),
        notes=notes,
        book_value_credit_usd=credit,
    )


def workload_document(
    item: WorkloadItem,
    option_doc: OptionDoc,
    platform: dict[str, FloatArray],
    shares: dict[str, float],
    chosen: Candidate,
    reasons: list[str],
) -> WorkloadPlan:
    """The workload's document with every self-hosted option carrying its platform share (``shares``:
    option id → share) and the portfolio's choice (``chosen``, already costed) as its recommendation."""
    plan = item.planned.plan
    context = item.context
    by_id = {c.id: c for c in item.planned.candidates}
    reference = _reference_api(item)
    options = []
    breakevens: dict[str, Breakeven | None] = {}
    for option in plan.options:
        candidate = by_id.get(option.id)
        if candidate is None or option.id not in shares:
            options.append(option)
            continue
        shared = with_platform_share(candidate, context, platform, shares[option.id])
        breakevens[option.id] = breakeven_for(shared, reference, context)
        options.append(option_doc(shared, context, breakevens[option.id]))
    recommendation = plan.recommendation
    if recommendation is not None or not item.fixed_at_stay:
        old = next((o for o in plan.options if o.id == chosen.id), None)
        breakeven = breakevens.get(chosen.id, old.breakeven if old else None)
        document = option_doc(chosen, context, breakeven)
        recommendation = Recommendation(**document.model_dump(), reasons=reasons)
    workload_breakeven = plan.breakeven
    if workload_breakeven is not None and workload_breakeven.option_id in breakevens:
        shared_breakeven = breakevens[workload_breakeven.option_id or ""]
        workload_breakeven = (
            WorkloadBreakeven(**shared_breakeven.model_dump(), option_id=workload_breakeven.option_id)
            if shared_breakeven is not None
            else None
        )
    return plan.model_copy(
        update={"options": options, "recommendation": recommendation, "breakeven": workload_breakeven}
    )
