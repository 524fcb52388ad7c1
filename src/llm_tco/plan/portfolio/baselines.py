"""The three portfolios the optimum is measured against, valued under the same cost model (each option
without the platform, the platform once if anything is self-hosted, the same discounting):

- ``all-stay``: every workload on today's model;
- ``per-workload``: each workload on the option the per-workload engine recommends;
- ``all-self-hosted``: every workload that can be self-hosted is (pools allowed: the cheapest such
  portfolio); the others take their cheapest allowed option (infeasible when none can be self-hosted).

A baseline a workload cannot take (its option is not allowed: it breaks a constraint) is infeasible.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from llm_tco.plan.portfolio.items import WorkloadItem
from llm_tco.plan.portfolio.milp import Problem, cvar_usd, solve
from llm_tco.plan.portfolio.problem import Column

__all__ = ["BaselineValue", "baselines"]


@dataclass(frozen=True)
class BaselineValue:
    name: str
    chosen: list[int] | None
    """Column indices; None when infeasible."""
    total_npv_usd: float | None
    objective_usd: float | None
    """The value under the optimiser's objective (the NPV, or the CVaR with risk aversion)."""


def _value(
    name: str, chosen: list[int] | None, columns: list[Column], problem: Problem, risk_aversion: float
) -> BaselineValue:
    if chosen is None:
        return BaselineValue(name, None, None, None)
    platform = any(columns[j].self_hosted for j in chosen)
    total = float(problem.cost_usd[chosen].sum()) + (problem.platform_usd if platform else 0.0)
    objective = total
    if risk_aversion > 0.0 and problem.scenario_cost_usd is not None:
        matrix = problem.scenario_cost_usd
        platform_s = (
            problem.scenario_platform_usd
            if problem.scenario_platform_usd is not None
            else np.full(matrix.shape[1], problem.platform_usd)
        )
        scenario_total = matrix[chosen].sum(axis=0) + (platform_s if platform else 0.0)
        objective = cvar_usd(scenario_total, risk_aversion)
    return BaselineValue(name, chosen, total, objective)


def _single(columns: list[Column], item: WorkloadItem, option_id: str | None) -> int | None:
    return next(
        (
            j
            for j, c in enumerate(columns)
            if c.pool is None
            and c.covers == (item.index,)
            and c.choice is not None
            and c.choice.id == option_id
        ),
        None,
    )


def _per_option(columns: list[Column], items: list[WorkloadItem], ids: list[str | None]) -> list[int] | None:
    chosen = [_single(columns, item, option_id) for item, option_id in zip(items, ids, strict=True)]
    return None if any(j is None for j in chosen) else [j for j in chosen if j is not None]


def _all_self_hosted(columns: list[Column], problem: Problem) -> list[int] | None:
    """The cheapest portfolio with every workload that can be self-hosted self-hosted (pools allowed);
    the others take their cheapest allowed option. None when no workload can be self-hosted."""
    hosted_workloads = {w for c in columns if c.self_hosted for w in c.covers}
    if not hosted_workloads:
        return None
    allowed = np.array(
        [c.self_hosted or all(w not in hosted_workloads for w in c.covers) for c in columns], dtype=np.bool_
    )
    return solve(replace(problem, allowed=allowed, scenario_cost_usd=None)).chosen


def baselines(
    columns: list[Column], items: list[WorkloadItem], problem: Problem, risk_aversion: float
) -> list[BaselineValue]:
    """The three baselines (see the module docstring)."""
    return [
        _value(
            "all-stay", _per_option(columns, items, ["stay"] * len(items)), columns, problem, risk_aversion
        ),
        _value(
            "per-workload",
            _per_option(columns, items, [item.engine_choice_id or "stay" for item in items]),
            columns,
            problem,
            risk_aversion,
        ),
        _value("all-self-hosted", _all_self_hosted(columns, problem), columns, problem, risk_aversion),
    ]
