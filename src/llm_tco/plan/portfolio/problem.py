"""The optimiser's columns: every workload's allowed options on their own, then the candidate pools."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from llm_tco.plan.portfolio.items import Choice, WorkloadItem
from llm_tco.plan.portfolio.milp import Problem
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


def columns_problem(
    items: list[WorkloadItem],
    pools: list[PoolConfig],
    platform_npv_usd: float,
    scenarios: ScenarioSource | None = None,
) -> tuple[list[Column], Problem]:
    """The columns and the programme over them."""
    columns = [Column((item.index,), choice=choice) for item in items for choice in item.choices]
    columns += [Column(pool.members, pool=pool) for pool in pools]
    matrix = _scenarios(items, columns, scenarios, platform_npv_usd) if scenarios is not None else None
    problem = Problem(
        workloads=len(items),
        covers=[c.covers for c in columns],
        cost_usd=np.array([c.npv_usd for c in columns], dtype=np.float64),
        self_hosted=np.array([c.self_hosted for c in columns], dtype=np.bool_),
        platform_usd=platform_npv_usd,
        scenario_cost_usd=matrix,
    )
    return columns, problem
