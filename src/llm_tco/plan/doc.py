"""The plan part of the report document, of which the terminal table is a rendering.

Money is ``Decimal`` US dollars (not rounded to cents; the CLI's JSON encoder writes numbers). Key names
carry their units. ``npv_usd`` is the present value of an option's costs over the horizon — positive, lower
is better. Months are 1-based from the plan's first month.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from llm_tco.plan.portfolio.doc import Portfolio, empty_portfolio
from llm_tco.plan.uncertainty.document import Sensitivity, UncertaintySummary

__all__ = [
    "Breakeven",
    "CostBreakdown",
    "CostLines",
    "GrowthInfo",
    "Option",
    "PlanDocument",
    "PlanTotals",
    "PolicyResult",
    "Recommendation",
    "WorkloadBreakeven",
    "WorkloadPlan",
]

Placement = Literal["closed-api", "open-api", "self-hosted"]
DeploymentName = Literal["on-demand", "reserved-1y", "reserved-3y", "spot", "owned"]


class _Doc(BaseModel):
    # the attribute docstrings below are the fields' descriptions in the published JSON Schema
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Breakeven(_Doc):
    """A self-hosted option against the best feasible API option (steady state for the volume; one-off
    costs included for the payback month)."""

    monthly_tokens: float | None
    """Monthly volume (tokens) at which the steady-state monthly costs are equal; null when never."""
    payback_month: int | None
    """First month (1-based) by which the cumulative cost, one-offs included, is no more than the API's;
    null when not within the horizon."""
    against_model: str | None = None
    """The API option compared against."""
    volume_multiple: float | None = None
    """Break-even volume ÷ today's monthly volume."""
    months_to_reach: float | None = None
    """Months until today's volume grows to the break-even volume at the workload's growth."""
    text: str = ""


class CostLines(_Doc):
    """An amount split into the option's cost lines (USD; lines an option does not have are 0)."""

    tokens_usd: Decimal = Decimal(0)
    """API tokens (today's mix at the option's prices, grown and price-declined)."""
    gpus_usd: Decimal = Decimal(0)
    """Cloud GPU rental; owned: GPU purchases (renewals net of the sale of the old cohort)."""
    power_and_hosting_usd: Decimal = Decimal(0)
    """Owned GPUs: electricity (with PUE) and data-centre hosting."""
    staff_usd: Decimal = Decimal(0)
    """The platform team (``[platform] fte``; self-hosted options: their share of it)."""
    on_call_usd: Decimal = Decimal(0)
    monitoring_usd: Decimal = Decimal(0)
    governance_usd: Decimal = Decimal(0)
    fine_tuning_usd: Decimal = Decimal(0)
    migration_usd: Decimal = Decimal(0)
    """The one-off cost of porting prompts and evaluating (month 1)."""
    residual_credit_usd: Decimal = Decimal(0)
    """Owned GPUs: book value still held at the end of the horizon, credited in its last month (≤ 0)."""


class CostBreakdown(_Doc):
    """Where an option's money goes: ``first_month`` (month 1, one-offs included: its lines sum exactly to
    ``monthly_costs_usd[0]``), ``average_month`` (each line's horizon amount ÷ the horizon's months) and
    ``horizon`` (its lines sum exactly to ``horizon_cost_usd``)."""

    first_month: CostLines
    average_month: CostLines
    horizon: CostLines


class Option(_Doc):
    """One placement of a workload, costed over the horizon."""

    id: str
    placement: Placement
    provider: str | None
    model: str
    """genai-prices model id (API options) or open-model catalog slug (self-hosted)."""
    open_model: str | None = None
    gpu: str | None = None
    gpus: int | None = None
    """GPUs in the first month (replicas × GPUs per replica)."""
    gpus_per_replica: int | None = None
    tensor_parallel: int | None = None
    """GPUs in tensor parallel within each pipeline stage (``gpus_per_replica / pipeline_parallel``)."""
    pipeline_parallel: int | None = None
    """Pipeline stages per replica, one per server (1: tensor parallel only)."""
    replicas: int | None = None
    precision: str | None = None
    deployment: DeploymentName | None = None
    monthly_cost_usd: Decimal | None
    """First month's recurring cost (one-off costs are in ``one_off_cost_usd``)."""
    one_off_cost_usd: Decimal | None
    """Migration, fine-tuning and (owned) net hardware purchases over the horizon."""
    horizon_cost_usd: Decimal | None
    npv_usd: Decimal | None
    cost_per_million_tokens_usd: Decimal | None
    """Horizon cost ÷ horizon tokens × 1M (levelised, everything included)."""
    quality_ratio: float | None
    quality_basis: str
    feasible: bool
    infeasible_reason: str | None
    unmet: list[
        Literal[
            "sovereignty",
            "quality",
            "unscored",
            "latency",
            "price",
            "capacity",
            "context",
            "model",
            "allowed",
        ]
    ] = []
    breakeven: Breakeven | None = None
    monthly_costs_usd: list[Decimal] = []
    """Month-by-month cost, one-offs included (month 1 first)."""
    notes: list[str] = []
    infeasible_reasons: list[str] = []
    """Every constraint the option does not meet, one sentence each (empty when ``feasible``)."""
    breakdown: CostBreakdown | None = None
    """The cost by line (priced options only)."""
    lever: Literal["batch", "prompt-caching"] | None = None
    """A cheap lever of the current model: its provider's Batch API, or prompt caching (else null)."""
    cost_is_lower_bound: bool = False
    """Part of the usage it prices has no price (staying on a partly unpriced workload): the figures are
    what the priced part costs, a lower bound."""
    npv_usd_p10: Decimal | None = None
    """Monte Carlo: the NPV's 10th percentile over the drawn scenarios (null without draws or a price)."""
    npv_usd_p50: Decimal | None = None
    npv_usd_p90: Decimal | None = None
    horizon_cost_usd_p10: Decimal | None = None
    horizon_cost_usd_p50: Decimal | None = None
    horizon_cost_usd_p90: Decimal | None = None
    probability_beats_current: float | None = None
    """Share of the scenarios in which this option's NPV is below staying's (null for staying itself,
    without draws, or when staying has no price)."""


class Recommendation(Option):
    """The chosen option, with the reasons for the choice."""

    reasons: list[str]


class GrowthInfo(_Doc):
    monthly_rate: float
    source: Literal["fitted", "configured", "workload", "default"]
    r_squared: float | None
    months_used: int
    note: str | None = None


class WorkloadBreakeven(Breakeven):
    """The workload's break-even: that of its best self-hosted option."""

    option_id: str | None = None


class WorkloadPlan(_Doc):
    workload: str
    current_provider: str | None
    current_model: str | None
    current_monthly_cost_usd: Decimal | None
    monthly_tokens: float
    monthly_requests: float
    growth: GrowthInfo
    sovereignty: str
    quality_floor: float
    criticality: str
    ttft_p99_ms: float
    tpot_p99_ms: float
    peak_to_mean_ratio: float
    cache_hit_rate: float
    mean_input_tokens: float | None
    mean_output_tokens: float | None
    options: list[Option]
    best_by_placement: dict[str, str | None]
    """Placement → id of its best option (null when it has none)."""
    recommendation: Recommendation | None
    breakeven: WorkloadBreakeven | None
    all_constraints_met: bool
    assumed: list[str] = []
    notes: list[str] = []
    p50_input_tokens: float | None = None
    p99_input_tokens: float | None = None
    p50_output_tokens: float | None = None
    p99_output_tokens: float | None = None
    """Per-request length percentiles (approximate quantiles over request-level rows)."""
    length_percentiles_from_means: bool = False
    """True when the audit held bucketed data only: the percentiles above are bucket means (the true p99
    is higher)."""
    task: str = "general"
    """The workload's task, which selects the quality benchmarks."""
    unpriced_share: float = 0.0
    """Share of today's tokens without a price."""
    current_cost_is_lower_bound: bool = False
    """``current_monthly_cost_usd`` prices only part of the usage (or none: then it is null)."""
    serving_hours_per_month: float = 730.0
    """Hours a month its self-hosted GPUs serve (``serving_hours``; 730 = 24/7)."""


class ForcedChange(_Doc):
    """A workload that cannot stay as it is: what the move costs over the horizon, and why."""

    workload: str
    horizon_cost_change_usd: Decimal
    """Recommended − staying over the horizon (positive: costs more)."""
    reason: str


class PlanTotals(_Doc):
    current_monthly_cost_usd: Decimal
    recommended_monthly_cost_usd: Decimal
    current_horizon_cost_usd: Decimal
    recommended_horizon_cost_usd: Decimal
    recommended_one_off_cost_usd: Decimal
    workloads_unpriced: list[str] = []
    workloads_without_option: list[str] = []
    """Workloads with no option meeting their hard constraints: counted at their current cost (staying) in
    every recommended total, never at $0."""
    forced: list[ForcedChange] = []
    """Workloads whose current setup breaks a hard constraint: the horizon cost change is forced."""
    forced_horizon_cost_usd: Decimal = Decimal(0)
    """Sum of the forced changes (recommended − staying, over the horizon; positive: costs more)."""
    optional_horizon_cost_usd: Decimal = Decimal(0)
    """Sum of the other workloads' changes (negative: an optional saving)."""
    current_cost_is_lower_bound: bool = False
    """Some usage has no price (``workloads_unpriced``): today's totals count only the priced part."""


class PolicyResult(_Doc):
    policy: str
    tripped: list[str]
    """Workloads that tripped it."""


class PlanDocument(_Doc):
    """The plan's figures (``llm_tco.report.document.PlanReport`` adds the versioned header and the audit)."""

    kind: Literal["llm-tco.plan"] = "llm-tco.plan"
    start_month: str
    horizon_months: int
    discount_rate_per_year: float
    config_file: str | None
    price_data: str
    assumptions: dict[str, float | int | str | None]
    workloads: list[WorkloadPlan]
    totals: PlanTotals
    policies: list[PolicyResult] = []
    notes: list[str] = []
    portfolio: Portfolio = Field(default_factory=empty_portfolio)
    """The workloads decided together: one platform, pooled replicas, the optimum and its baselines."""
    uncertainty: UncertaintySummary | None = None
    """The Monte Carlo's settings, distributions and organisation-wide ranges (null with no draws)."""
    sensitivity: list[Sensitivity] = []
    """Tornado data and break-even surface per workload decision, then the portfolio's."""
