"""Candidate pools: sets of self-hosted workloads that may share replicas, each costed as one fleet.

Workloads may share a pool when their self-hosted options run the same open model at the same precision
on the same GPU type, replica shape and deployment mode, served in the same hours. A pool is sized for
the busiest hour of the *sum* of its workloads' hourly load (not the sum of their peaks: complementary
daily peaks fill each other's troughs), at the lowest replica throughput of its members (the strictest
latency target binds), with the spares of its most critical workload, and in one location its members'
sovereignty classes all accept: an ``air-gapped`` pool holds only air-gapped workloads; a ``region:X``
or ``on-prem`` pool holds workloads of that class and those that accept anywhere (``any``,
``no-third-party``); a pool cannot mix two such classes.

Which sets to offer the optimiser (the optimum is over these candidate configurations): a workload joins
groups with its :data:`POOLED_CHOICES` cheapest self-hosted options; a group of up to
:data:`ALL_SUBSETS_UP_TO` workloads offers every subset; a larger one offers the whole group, the whole
group less any one workload, its largest workloads (by volume) two, three, … at a time, and (up to
:data:`PAIRS_UP_TO` workloads) every pair. A pool that
costs no less than its workloads alone is dropped (they can always run alone).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np

from llm_tco.cost.horizon import FloatArray, npv_usd
from llm_tco.cost.selfhost import SelfHostedEconomics, SelfHostedMonths, owned_fleet_cash
from llm_tco.plan.portfolio.items import Choice, WorkloadItem
from llm_tco.profile.weekly import HOURS_PER_WEEK

__all__ = [
    "ALL_SUBSETS_UP_TO",
    "PoolConfig",
    "PoolMembers",
    "candidate_pools",
    "location_of",
    "pool_config",
]

ALL_SUBSETS_UP_TO = 6
"""Groups of compatible workloads up to this size offer every subset as a pool."""
PAIRS_UP_TO = 12
"""Larger groups up to this size also offer every pair."""
POOLED_CHOICES = 100
"""A workload's cheapest self-hosted options that may join pools."""

_OPEN_CLASSES = frozenset({"any", "no-third-party"})
_CRITICALITY_ORDER = {"low": 0, "standard": 1, "high": 2}

PoolKey = tuple[str, str, str, str, int, int, str]
"""(open model, GPU, deployment, precision, GPUs per replica, pipeline stages, serving hours)."""


def location_of(sovereignties: list[str]) -> str | None:
    """The one location class a pool of workloads with these sovereignty classes runs in, or None when no
    location satisfies them all."""
    strict = {s for s in sovereignties if s not in _OPEN_CLASSES}
    if len(strict) > 1:
        return None
    if not strict:
        return "any"
    (location,) = strict
    if location == "air-gapped" and any(s != "air-gapped" for s in sovereignties):
        return None
    return location


@dataclass(frozen=True)
class PoolConfig:
    """One candidate pool: its members (workload indices, each with the option it would run as alone)
    and the shared fleet's cost."""

    members: tuple[int, ...]
    member_choices: tuple[Choice, ...]
    location: str
    economics: SelfHostedEconomics
    months: SelfHostedMonths
    tokens: FloatArray
    """The pool's monthly tokens (sum of its members')."""
    serving_flows_usd: FloatArray
    """The fleet's monthly cost (cloud rental, or owned power, hosting and purchases net of the book value
    credited in the last month)."""
    flows_usd: FloatArray
    """Fleet plus each member's own one-offs (migration, fine-tuning); platform excluded."""
    lines: dict[str, FloatArray]
    npv_usd: float
    peak_to_mean_ratio: float
    """Busiest hour of the summed load ÷ its mean hour (the largest over the horizon's months)."""

    @property
    def gpu_hours(self) -> float:
        return float(self.months.gpus.sum()) * self.economics.serving_hours_per_month

    @property
    def first(self) -> Choice:
        return self.member_choices[0]


def _key(choice: Choice, item: WorkloadItem) -> PoolKey | None:
    c = choice.candidate
    if c.economics is None or item.context.fixed_shape is not None:
        return None  # a fleet the user fixed is not resized into a pool
    serving = item.context.config.workload(item.name).serving_hours
    return (
        c.open_model or c.model,
        c.gpu or "",
        c.deployment or "",
        c.precision or "",
        c.gpus_per_replica or 0,
        c.pipeline_parallel or 1,
        str(serving),
    )


def hourly_shape(item: WorkloadItem) -> FloatArray:
    """The workload's busiest hour at each UTC hour of the week ÷ its mean hour (168 values). Without an
    hourly profile (daily data) or with a serving window, flat at the ratio its own fleet is sized with:
    its peak may then fall in any hour."""
    context = item.context
    shape = context.profile.hour_of_week_peak
    if context.sizing_peak_to_mean_ratio is None and len(shape) == HOURS_PER_WEEK and max(shape) > 0:
        return np.asarray(shape, dtype=np.float64)
    return np.full(HOURS_PER_WEEK, context.peak_to_mean_ratio, dtype=np.float64)


def _pooled_ratio(shapes: FloatArray, tokens: FloatArray) -> float:
    """max over months of (busiest hour of Σ members' hourly load) ÷ (its mean hour). ``shapes``: (members,
    168); ``tokens``: (members, months)."""
    total = tokens.sum(axis=0)
    busiest = (shapes.T @ tokens).max(axis=0)  # (months,)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total > 0, busiest / total, 1.0)
    return max(1.0, float(ratio.max()))


class PoolMembers:
    """What costing a pool needs of each workload that may join one, as arrays built once: a thousand
    candidate pools of up to fifty members each would otherwise gather the same values again and again."""

    def __init__(self, items: list[WorkloadItem]) -> None:
        self.row = {item.index: row for row, item in enumerate(items)}
        self.tokens = np.stack([i.context.tokens for i in items])
        """(workloads, months)."""
        self.shapes = np.stack([hourly_shape(i) for i in items])
        """(workloads, 168): :func:`hourly_shape`."""
        by_strictness = sorted(
            range(len(items)), key=lambda r: (items[r].context.ttft_p99_ms, items[r].context.tpot_p99_ms, r)
        )
        self.strictness_rank = np.empty(len(items), dtype=np.int64)
        """0 for the strictest latency target (TTFT, then TPOT, then the earlier workload)."""
        self.strictness_rank[by_strictness] = np.arange(len(items))
        self.criticality = np.array(
            [_CRITICALITY_ORDER[i.context.redundancy.criticality] for i in items], dtype=np.int64
        )


def pool_config(
    items: list[WorkloadItem],
    choices: list[Choice],
    location: str,
    members: PoolMembers | None = None,
) -> PoolConfig:
    """Cost one pool of ``items`` (each running as ``choices`` would alone) as one fleet. ``members``:
    the workloads' arrays (:class:`PoolMembers`) when the caller costs many pools of the same workloads."""
    members = members or PoolMembers(items)
    rows = [members.row[i.index] for i in items]
    tokens = members.tokens[rows]
    ratio = _pooled_ratio(members.shapes[rows], tokens)
    strictest = int(np.argmin(members.strictness_rank[rows]))
    # The price of the location: a member of the location's own class was priced there.
    priced_in = next((k for k, i in enumerate(items) if i.context.sovereignty == location), strictest)
    base = choices[strictest].candidate.economics
    local = choices[priced_in].candidate.economics
    assert base is not None and local is not None
    economics = replace(
        base,
        replica_tokens_per_s=min(
            c.candidate.economics.replica_tokens_per_s for c in choices if c.candidate.economics
        ),
        peak_to_mean_ratio=ratio,
        # the spares of the most critical member (the first of them)
        redundancy=items[int(np.argmax(members.criticality[rows]))].context.redundancy,
        gpu_hourly_usd=local.gpu_hourly_usd,
        fixed_replicas=None,
    )
    volume = tokens.sum(axis=0)
    months = economics.months(volume)
    n = len(volume)
    lines = {name: np.zeros(n, dtype=np.float64) for name in ("gpus", "power_and_hosting", "residual_credit")}
    serving = months.gpu_cost_usd.copy()
    if economics.owned:
        purchases, book_value = owned_fleet_cash(
            months.gpus,
            purchase_price_usd_per_gpu=economics.purchase_price_usd_per_gpu,
            useful_life_months=economics.useful_life_months,
            residual_value_fraction=economics.residual_value_fraction,
        )
        credit = np.zeros(n, dtype=np.float64)
        if n:
            credit[-1] = -book_value
        lines["power_and_hosting"] = months.gpu_cost_usd.copy()
        lines["gpus"] = purchases
        lines["residual_credit"] = credit
        serving = serving + purchases + credit
    else:
        lines["gpus"] = months.gpu_cost_usd.copy()
    for name in ("fine_tuning", "migration"):  # each member's own one-offs, added in the members' order
        own = [c.candidate.lines[name] for c in choices if name in c.candidate.lines]
        lines[name] = np.sum(own, axis=0) if own else np.zeros(n, dtype=np.float64)
    flows = serving + lines["fine_tuning"] + lines["migration"]
    rate = items[0].context.config.planning.discount_rate_per_year
    return PoolConfig(
        members=tuple(i.index for i in items),
        member_choices=tuple(choices),
        location=location,
        economics=economics,
        months=months,
        tokens=volume,
        serving_flows_usd=serving,
        flows_usd=flows,
        lines=lines,
        npv_usd=npv_usd(flows, rate),
        peak_to_mean_ratio=ratio,
    )


def _subsets(group: list[int], volume: dict[int, float]) -> list[tuple[int, ...]]:
    n = len(group)
    if n <= ALL_SUBSETS_UP_TO:
        return [s for size in range(2, n + 1) for s in itertools.combinations(group, size)]
    out: set[tuple[int, ...]] = {tuple(group)}
    out.update(tuple(g for g in group if g != left_out) for left_out in group)
    largest = sorted(group, key=lambda g: (-volume[g], g))
    out.update(tuple(sorted(largest[:size])) for size in range(2, n))
    if n <= PAIRS_UP_TO:
        out.update(itertools.combinations(group, 2))
    return sorted(out)


def _poolable(item: WorkloadItem) -> list[Choice]:
    hosted = sorted((c for c in item.choices if c.self_hosted), key=lambda c: (c.npv_usd, c.id))
    return hosted[:POOLED_CHOICES]


def candidate_pools(items: list[WorkloadItem]) -> list[PoolConfig]:
    """Every candidate pool of two or more workloads (see the module docstring)."""
    groups: dict[PoolKey, dict[int, Choice]] = {}
    for item in items:
        if item.fixed_at_stay:
            continue
        for choice in _poolable(item):
            key = _key(choice, item)
            if key is not None:
                groups.setdefault(key, {})[item.index] = choice
    by_index = {item.index: item for item in items}
    volume = {item.index: float(item.context.tokens.sum()) for item in items}
    arrays = PoolMembers(items)
    pools: list[PoolConfig] = []
    seen: set[tuple[PoolKey, tuple[int, ...]]] = set()
    for key, members in groups.items():
        if len(members) < 2:
            continue
        # One group per location a pool could run in: the class of each strict member, and anywhere.
        classes = {by_index[i].context.sovereignty for i in members} - _OPEN_CLASSES
        for location in sorted(classes | {"any"}):
            group = sorted(
                i for i in members if location_of([location, by_index[i].context.sovereignty]) == location
            )
            for subset in _subsets(group, volume):
                sovereignties = [by_index[i].context.sovereignty for i in subset]
                if location_of(sovereignties) != location or (key, subset) in seen:
                    continue
                seen.add((key, subset))
                pool = pool_config(
                    [by_index[i] for i in subset], [members[i] for i in subset], location, arrays
                )
                if pool.npv_usd < sum(members[i].npv_usd for i in subset):
                    pools.append(pool)
    return pools
