"""The optimiser's columns: every workload's allowed options on their own, then the candidate pools."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from llm_tco.plan.portfolio.items import Choice, WorkloadItem
from llm_tco.plan.portfolio.milp import MAX_SCENARIOS, Problem
from llm_tco.plan.portfolio.pools import PoolConfig

__all__ = ["Column", "OptionKey", "ScenarioSource", "columns_problem"]

OptionKey = tuple[str, str]
"""(workload, option id)."""

ScenarioSource = Callable[[Sequence[OptionKey]], NDArray[np.float64]]
"""Sampled NPV (USD) of each (workload, option), shape (len(keys), draws), each option costed as the
per-workload engine costs it (a self-hosted option with the whole platform in it)."""


@dataclass(frozen=True)
class Column:
    """A column of the programme: one workload's option alone, or a pool."""

    covers: tuple[int, ...]
    choice: Choice | None = None
    pool: PoolConfig | None = None

    @property
    def npv_usd(self) -> float:
        if self.pool is not None:
            return self.pool.npv_usd
        assert self.choice is not None
        return self.choice.npv_usd

    @property
    def self_hosted(self) -> bool:
        return self.pool is not None or (self.choice is not None and self.choice.self_hosted)


def _scenarios(
    items: list[WorkloadItem], columns: list[Column], source: ScenarioSource, platform_npv_usd: float
) -> NDArray[np.float64]:
    """(columns, draws) NPV per scenario, platform excluded. A pool's draws are its NPV scaled by its
    members' own draws relative to their deterministic NPVs (the same uncertain inputs move both)."""
    singles = [c for c in columns if c.choice is not None and c.pool is None]
    keys = [(items[c.covers[0]].name, c.choice.id) for c in singles if c.choice is not None]
    draws = np.asarray(source(keys), dtype=np.float64)
    rows: dict[tuple[int, str], NDArray[np.float64]] = {}
    for column, row in zip(singles, draws, strict=True):
        assert column.choice is not None
        platform = platform_npv_usd if column.choice.self_hosted else 0.0
        rows[(column.covers[0], column.choice.id)] = row - platform
    out = np.empty((len(columns), draws.shape[1]), dtype=np.float64)
    for j, column in enumerate(columns):
        if column.pool is None:
            assert column.choice is not None
            out[j] = rows[(column.covers[0], column.choice.id)]
            continue
        members = [rows[(w, c.id)] for w, c in zip(column.covers, column.pool.member_choices, strict=True)]
        alone = sum(c.npv_usd for c in column.pool.member_choices)
        ratio = np.sum(members, axis=0) / alone if alone else np.ones(draws.shape[1])
        out[j] = column.pool.npv_usd * ratio
    return out


def _undominated(item: WorkloadItem) -> list[Choice]:
    """The choices that can matter for the mean: the cheapest self-hosted and the cheapest other one (any
    self-hosted option brings the same platform), plus staying and the engine's choice (the baselines)."""
    keep: dict[str, Choice] = {}
    for hosted in (True, False):
        group = [c for c in item.choices if c.self_hosted == hosted]
        if group:
            best = min(group, key=lambda c: (c.npv_usd, c.id))
            keep[best.id] = best
    for choice in item.choices:
        if choice.id in ("stay", item.engine_choice_id):
            keep[choice.id] = choice
    return [c for c in item.choices if c.id in keep]


def _cheapest_per_member_set(pools: list[PoolConfig]) -> list[PoolConfig]:
    """Of pools serving the same workloads, the cheapest (for the mean, the others can never win)."""
    best: dict[tuple[int, ...], PoolConfig] = {}
    for pool in pools:
        if pool.members not in best or pool.npv_usd < best[pool.members].npv_usd:
            best[pool.members] = pool
    return list(best.values())


def columns_problem(
    items: list[WorkloadItem],
    pools: list[PoolConfig],
    platform_npv_usd: float,
    scenarios: ScenarioSource | None = None,
) -> tuple[list[Column], Problem]:
    """The columns and the programme over them."""
    if scenarios is None:
        items_choices = [(item, _undominated(item)) for item in items]
        pools = _cheapest_per_member_set(pools)
    else:  # under risk, a dearer option may have the lighter tail: keep them all
        items_choices = [(item, item.choices) for item in items]
    columns = [Column((item.index,), choice=choice) for item, choices in items_choices for choice in choices]
    columns += [Column(pool.members, pool=pool) for pool in pools]
    matrix = None
    if scenarios is not None:
        full = _scenarios(items, columns, scenarios, platform_npv_usd)
        # The programme takes at most MAX_SCENARIOS of them; the baselines are valued on the same ones.
        keep = np.unique(np.linspace(0, full.shape[1] - 1, min(full.shape[1], MAX_SCENARIOS)).round())
        matrix = full[:, keep.astype(np.int64)]
    problem = Problem(
        workloads=len(items),
        covers=[c.covers for c in columns],
        cost_usd=np.array([c.npv_usd for c in columns], dtype=np.float64),
        self_hosted=np.array([c.self_hosted for c in columns], dtype=np.bool_),
        platform_usd=platform_npv_usd,
        scenario_cost_usd=matrix,
    )
    return columns, problem
