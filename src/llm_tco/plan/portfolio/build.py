"""``build_portfolio``: the workloads decided together.

The per-workload engine costs every option of every workload; here they are decided as one portfolio:
the platform (``[platform]``) is paid once if anything is self-hosted, workloads on the same open model
and GPU may share a pool of replicas (``llm_tco.plan.portfolio.pools``), and a mixed-integer programme
(``llm_tco.plan.portfolio.milp``) picks the cheapest assignment. Three baselines valued under the same
cost model bound it: an optimum worse than a feasible baseline is a bug, never a result.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from llm_tco.catalog.open_models import get_open_model
from llm_tco.config.model import Config
from llm_tco.cost.horizon import FloatArray, npv_usd
from llm_tco.errors import LookupFailedError
from llm_tco.plan.candidate import Candidate
from llm_tco.plan.context import platform_costs
from llm_tco.plan.doc import WorkloadPlan
from llm_tco.plan.portfolio.apply import OptionDoc, pooled_candidate, with_platform_share, workload_document
from llm_tco.plan.portfolio.baselines import BaselineValue, baselines
from llm_tco.plan.portfolio.doc import (
    Baseline,
    PlatformCost,
    Pool,
    Portfolio,
    PortfolioAssignment,
    SolverStatus,
    empty_portfolio,
)
from llm_tco.plan.portfolio.items import PlannedWorkload, WorkloadItem, platform_lines, workload_item
from llm_tco.plan.portfolio.milp import NoAssignmentError, Solution, solve
from llm_tco.plan.portfolio.pools import PoolConfig, candidate_pools
from llm_tco.plan.portfolio.problem import Column, ScenarioSource, columns_problem

__all__ = ["PortfolioInvariantError", "build_portfolio"]

_TOLERANCE_USD = 0.01
_RELATIVE_TOLERANCE = 1e-9


class PortfolioInvariantError(RuntimeError):
    """The optimum is worse than a feasible baseline: a bug in the optimiser (exit 3)."""


def _usd(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _worse(a: float, b: float) -> bool:
    return a > b + _TOLERANCE_USD + _RELATIVE_TOLERANCE * abs(b)


def _check_against_baselines(
    solution: Solution | NoAssignmentError,
    values: list[BaselineValue],
    risk_aversion: float,
    self_hosted: NDArray[np.bool_],
) -> tuple[Solution, list[str]]:
    """The optimum, checked: never worse than a feasible baseline under the same objective. A solver that
    stopped early (time limit) may be beaten, or may have found no assignment at all (a large CVaR
    programme): the best baseline is then taken, and a note says so."""
    notes: list[str] = []
    feasible = [v for v in values if v.chosen is not None and v.objective_usd is not None]
    best = min(feasible, key=lambda v: v.objective_usd or 0.0, default=None)
    if isinstance(solution, NoAssignmentError):
        if best is None or solution.status == "failed":
            raise solution
        assert best.chosen is not None and best.total_npv_usd is not None and best.objective_usd is not None
        notes.append(
            f"the solver found no assignment before it stopped ({solution.status}); the {best.name} "
            "baseline, the best under the same objective, is taken"
        )
        platform = bool(self_hosted[best.chosen].any())
        return (
            Solution(best.chosen, platform, best.total_npv_usd, best.objective_usd, solution.status, None),
            notes,
        )
    objective = solution.objective_usd if risk_aversion > 0 else solution.total_npv_usd
    if best is None or best.objective_usd is None or not _worse(objective, best.objective_usd):
        return solution, notes
    if solution.status == "optimal":
        raise PortfolioInvariantError(
            f"the portfolio optimum ({objective:.2f} USD) is worse than the {best.name} baseline "
            f"({best.objective_usd:.2f} USD)"
        )
    assert best.chosen is not None and best.total_npv_usd is not None
    notes.append(
        f"the solver stopped early ({solution.status}); the {best.name} baseline was better and is taken"
    )
    platform = bool(self_hosted[best.chosen].any())
    return (
        Solution(
            best.chosen, platform, best.total_npv_usd, best.objective_usd, solution.status, solution.mip_gap
        ),
        notes,
    )


def _assignment(item: WorkloadItem, candidate: Candidate, pool_id: str | None) -> PortfolioAssignment:
    return PortfolioAssignment(
        workload=item.name,
        option_id=candidate.id,
        placement=candidate.placement,
        provider=candidate.provider,
        model=candidate.model,
        pool_id=pool_id,
    )


def _hf_id(model: str) -> str | None:
    try:
        return get_open_model(model).hf_id
    except (LookupFailedError, StopIteration):  # a model of the user's own catalog file
        return None


def _max_model_len(items: list[WorkloadItem]) -> int | None:
    lengths = [
        (i.planned.plan.p99_input_tokens or 0.0) + (i.planned.plan.p99_output_tokens or 0.0) for i in items
    ]
    longest = max(lengths, default=0.0)
    return int(np.ceil(longest)) if longest > 0 else None


def _pool_doc(pool_id: str, pool: PoolConfig, items: list[WorkloadItem]) -> Pool:
    c = pool.first.candidate
    members = [items[w] for w in pool.members]
    return Pool(
        id=pool_id,
        open_model=c.open_model or c.model,
        hf_id=_hf_id(c.open_model or c.model),
        precision=c.precision or "",
        gpu=c.gpu or "",
        deployment=c.deployment or "",
        gpus_per_replica=c.gpus_per_replica or 1,
        tensor_parallel=c.tensor_parallel or 1,
        pipeline_parallel=c.pipeline_parallel or 1,
        replicas=int(pool.months.replicas[0]),
        gpus=int(pool.months.gpus[0]),
        workloads=[i.name for i in members],
        sovereignty=pool.location,
        max_model_len=_max_model_len(members),
        horizon_cost_usd=_usd(float(pool.flows_usd.sum())),
        npv_usd=_usd(pool.npv_usd),
        peak_to_mean_ratio=pool.peak_to_mean_ratio,
    )


def _reasons(
    item: WorkloadItem, candidate: Candidate, pool_id: str | None, engine_reasons: list[str]
) -> list[str]:
    if pool_id is not None:
        return [
            f"shares pool {pool_id}: sized for the busiest hour of its workloads' summed load, it costs less "
            "than serving each alone",
            *item.notes,
        ]
    if candidate.id == item.engine_choice_id:
        return [*engine_reasons, *item.notes]
    return [
        "the portfolio's optimum: with the platform paid once for every self-hosted workload, this option "
        f"makes the organisation's total cheapest (alone, {item.engine_choice_id or 'staying'} was chosen)",
        *item.notes,
    ]


def build_portfolio(
    planned: list[PlannedWorkload],
    config: Config,
    option_doc: OptionDoc,
    *,
    risk_aversion: float = 0.0,
    scenarios: ScenarioSource | None = None,
) -> tuple[Portfolio, list[WorkloadPlan]]:
    """The portfolio and the workload documents it rewrites (see the module docstring). ``scenarios``
    (required when ``risk_aversion`` > 0) samples the options' NPVs for the CVaR objective."""
    if risk_aversion > 0 and scenarios is None:
        raise ValueError("risk aversion needs sampled scenarios")
    if not planned:
        return empty_portfolio(), []
    months = config.planning.horizon_months
    rate = config.planning.discount_rate_per_year
    fixed = platform_costs(config)
    platform = platform_lines(fixed, months)
    platform_flows: FloatArray = sum(platform.values(), np.zeros(months, dtype=np.float64))
    platform_npv = npv_usd(platform_flows, rate)
    items = [workload_item(i, p) for i, p in enumerate(planned)]
    pools = candidate_pools(items)
    columns, problem = columns_problem(items, pools, platform_npv, scenarios if risk_aversion > 0 else None)
    values = baselines(columns, items, problem, risk_aversion)
    try:
        solved: Solution | NoAssignmentError = solve(problem, risk_aversion)
    except NoAssignmentError as exc:
        solved = exc
    solution, notes = _check_against_baselines(solved, values, risk_aversion, problem.self_hosted)
    return _assemble(
        items,
        columns,
        solution,
        values,
        config,
        option_doc,
        platform,
        platform_npv,
        notes,
        risk_aversion,
        len(pools),
    )


def _chosen_columns(columns: list[Column], solution: Solution) -> dict[int, tuple[Column, str | None]]:
    """Workload index → (its column, the id of its pool or None); pools numbered in column order."""
    out: dict[int, tuple[Column, str | None]] = {}
    pools = 0
    for j in solution.chosen:
        column = columns[j]
        pool_id = None
        if column.pool is not None:
            pools += 1
            pool_id = f"pool-{pools}"
        for w in column.covers:
            out[w] = (column, pool_id)
    return out


def _gpu_hours(items: list[WorkloadItem], chosen: dict[int, tuple[Column, str | None]]) -> dict[int, float]:
    """GPU-hours over the horizon of each self-hosted workload of the portfolio (a pool's split among its
    workloads by their share of its tokens)."""
    out: dict[int, float] = {}
    for w, (column, _) in chosen.items():
        if column.pool is not None:
            pool = column.pool
            total = float(pool.tokens.sum())
            own = float(items[w].context.tokens.sum())
            out[w] = pool.gpu_hours * (own / total if total else 1.0 / len(pool.members))
        elif column.choice is not None and column.choice.self_hosted:
            out[w] = column.choice.gpu_hours
    return out


def _platform_shares(item: WorkloadItem, others_gpu_hours: float) -> dict[str, float]:
    """Option id → its share of the platform next to the portfolio's other self-hosted workloads."""
    shares: dict[str, float] = {}
    for candidate in item.planned.candidates:
        if candidate.placement != "self-hosted" or not candidate.priced or candidate.economics is None:
            continue
        choice = item.choice(candidate.id)
        own = choice.gpu_hours if choice is not None else candidate_gpu_hours(candidate, item)
        shares[candidate.id] = own / (own + others_gpu_hours) if own + others_gpu_hours > 0 else 1.0
    return shares


def candidate_gpu_hours(candidate: Candidate, item: WorkloadItem) -> float:
    economics = candidate.economics
    if economics is None:
        return 0.0
    return float(economics.months(item.context.tokens).gpus.sum()) * economics.serving_hours_per_month


def _platform_doc(
    config: Config, platform: dict[str, FloatArray], platform_npv: float, paid: bool
) -> PlatformCost:
    zero = Decimal(0)
    flows = sum(platform.values(), np.zeros(config.planning.horizon_months, dtype=np.float64))
    return PlatformCost(
        fte=config.platform.fte,
        on_call_fte=config.platform.on_call_fte,
        monitoring_usd_per_month=config.platform.monitoring_usd_per_month,
        governance_hours_per_month=config.platform.governance_hours_per_month,
        already_staffed=config.platform.already_staffed,
        monthly_cost_usd=_usd(float(flows[0])) if paid and len(flows) else zero,
        horizon_cost_usd=_usd(float(flows.sum())) if paid else zero,
        npv_usd=_usd(platform_npv) if paid else zero,
    )


def _column_candidate(column: Column, workload: int) -> Candidate:
    if column.pool is not None:
        return column.pool.member_choices[column.covers.index(workload)].candidate
    assert column.choice is not None
    return column.choice.candidate


def _column_flows(column: Column) -> FloatArray:
    if column.pool is not None:
        return column.pool.flows_usd
    assert column.choice is not None
    return column.choice.flows_usd


def _baseline_doc(value: BaselineValue, columns: list[Column], items: list[WorkloadItem]) -> Baseline:
    return Baseline(
        name=value.name,
        total_npv_usd=_usd(value.total_npv_usd) if value.total_npv_usd is not None else None,
        assignments=[
            _assignment(items[w], _column_candidate(columns[j], w), None)
            for j in (value.chosen or [])
            for w in columns[j].covers
        ],
    )


def _assemble(
    items: list[WorkloadItem],
    columns: list[Column],
    solution: Solution,
    values: list[BaselineValue],
    config: Config,
    option_doc: OptionDoc,
    platform: dict[str, FloatArray],
    platform_npv: float,
    notes: list[str],
    risk_aversion: float,
    candidate_pool_count: int,
) -> tuple[Portfolio, list[WorkloadPlan]]:
    chosen_by_workload = _chosen_columns(columns, solution)
    gpu_hours = _gpu_hours(items, chosen_by_workload)
    all_hours = sum(gpu_hours.values())
    plans: list[WorkloadPlan] = []
    assignments: list[PortfolioAssignment] = []
    pool_docs: list[Pool] = []
    for item in items:
        column, pool_id = chosen_by_workload[item.index]
        shares = _platform_shares(item, all_hours - gpu_hours.get(item.index, 0.0))
        chosen = _column_candidate(column, item.index)
        if column.pool is not None and pool_id is not None:
            share = gpu_hours[item.index] / all_hours if all_hours else 1.0
            chosen = pooled_candidate(chosen, item, column.pool, pool_id, platform, share)
            if column.covers[0] == item.index:
                pool_docs.append(_pool_doc(pool_id, column.pool, items))
        elif chosen.placement == "self-hosted":
            chosen = with_platform_share(chosen, item.context, platform, shares[chosen.id])
        recommendation = item.planned.plan.recommendation
        reasons = _reasons(item, chosen, pool_id, recommendation.reasons if recommendation else [])
        plans.append(workload_document(item, option_doc, platform, shares, chosen, reasons))
        assignments.append(_assignment(item, chosen, pool_id))
    platform_doc = _platform_doc(config, platform, platform_npv, solution.platform)
    horizon = sum(float(_column_flows(columns[j]).sum()) for j in solution.chosen)
    portfolio = Portfolio(
        assignments=assignments,
        pools=pool_docs,
        platform=platform_doc,
        total_npv_usd=_usd(solution.total_npv_usd),
        current_npv_usd=_usd(sum(item.stay.npv_usd for item in items)),
        total_horizon_cost_usd=_usd(horizon) + platform_doc.horizon_cost_usd,
        baselines=[_baseline_doc(v, columns, items) for v in values],
        solver_status=SolverStatus(
            status=solution.status,
            mip_gap=solution.mip_gap,
            objective_usd=solution.objective_usd,
            risk_aversion=risk_aversion,
            candidate_pools=candidate_pool_count,
        ),
        notes=notes,
    )
    return portfolio, plans
