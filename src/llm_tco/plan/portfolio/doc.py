"""The portfolio part of the plan document: which option each workload takes, the pools of shared
replicas, the platform paid once, the optimum's value and solver status, and the baselines it beats.

Money is ``Decimal`` US dollars; NPVs are present values of costs (positive, lower is better).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Baseline",
    "PlatformCost",
    "Pool",
    "Portfolio",
    "PortfolioAssignment",
    "SolverStatus",
    "empty_portfolio",
]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PortfolioAssignment(_Doc):
    """One workload's option in the portfolio."""

    workload: str
    option_id: str
    placement: Literal["closed-api", "open-api", "self-hosted"]
    provider: str | None
    model: str
    pool_id: str | None = None
    """The pool serving it (self-hosted in a shared pool), else null."""


class Pool(_Doc):
    """Replicas of one open model on one GPU type that serve one or more workloads, sized for the busiest
    hour of their summed hourly load, at the strictest latency target and the highest criticality's
    spares of its workloads."""

    id: str
    open_model: str
    """Open-model catalog id."""
    hf_id: str | None = None
    """Hugging Face repository of the weights, when the catalog gives it."""
    precision: str
    kv_cache_dtype: str | None = None
    gpu: str
    deployment: str
    gpus_per_replica: int
    tensor_parallel: int
    pipeline_parallel: int
    replicas: int
    """Replicas in the first month, spares included."""
    gpus: int
    """GPUs in the first month (replicas × GPUs per replica)."""
    workloads: list[str]
    sovereignty: str
    """The location class it runs in: ``any``, ``region:<code>``, ``on-prem`` or ``air-gapped``."""
    max_num_seqs: int | None = None
    """Concurrent sequences per replica the capacity model sized for, when known."""
    max_model_len: int | None = None
    """Context length (tokens) a sequence needs: the longest p99 request of its workloads, when known."""
    horizon_cost_usd: Decimal = Decimal(0)
    """Serving and one-off costs of the pool over the horizon (its share of the platform excluded)."""
    npv_usd: Decimal = Decimal(0)
    peak_to_mean_ratio: float = 1.0
    """Busiest hour of the summed load ÷ its mean hour (first month)."""


class PlatformCost(_Doc):
    """The self-hosting platform, paid once when any workload is self-hosted (zeros otherwise)."""

    fte: float
    on_call_fte: float
    monitoring_usd_per_month: float
    governance_hours_per_month: float
    already_staffed: bool
    monthly_cost_usd: Decimal
    """What the platform adds a month (0 when nothing is self-hosted)."""
    horizon_cost_usd: Decimal
    npv_usd: Decimal


class Baseline(_Doc):
    """A reference portfolio valued under the same cost model as the optimum."""

    name: Literal["all-stay", "per-workload", "all-self-hosted"]
    total_npv_usd: Decimal | None
    """Null when it is infeasible (a workload cannot take it)."""
    assignments: list[PortfolioAssignment] = []


class SolverStatus(_Doc):
    status: str
    """``optimal``, ``time-limit`` (best found), or ``fixed`` (nothing to choose)."""
    mip_gap: float | None
    """Relative gap between the best solution and the solver's bound (0 at proven optimum)."""
    objective_usd: float | None
    """The objective the solver minimised: total NPV, or with risk aversion the CVaR blend."""
    risk_aversion: float = 0.0
    candidate_pools: int = 0
    """Pool configurations (sets of workloads sharing replicas) the optimiser chose among."""


class Portfolio(_Doc):
    """The organisation's plan as a whole (see the package docstring)."""

    assignments: list[PortfolioAssignment] = []
    pools: list[Pool] = []
    platform: PlatformCost
    total_npv_usd: Decimal
    """NPV of the recommended portfolio: options, pools and the platform once."""
    current_npv_usd: Decimal = Decimal(0)
    """NPV of staying as today (every workload on its current model)."""
    total_horizon_cost_usd: Decimal = Decimal(0)
    npv_usd_p10: Decimal | None = None
    npv_usd_p50: Decimal | None = None
    npv_usd_p90: Decimal | None = None
    baselines: list[Baseline] = []
    solver_status: SolverStatus
    notes: list[str] = []


def empty_portfolio() -> Portfolio:
    """The portfolio of a plan with no workloads."""
    zero = Decimal(0)
    return Portfolio(
        platform=PlatformCost(
            fte=0.0,
            on_call_fte=0.0,
            monitoring_usd_per_month=0.0,
            governance_hours_per_month=0.0,
            already_staffed=False,
            monthly_cost_usd=zero,
            horizon_cost_usd=zero,
            npv_usd=zero,
        ),
        total_npv_usd=zero,
        solver_status=SolverStatus(status="fixed", mip_gap=0.0, objective_usd=0.0),
    )
