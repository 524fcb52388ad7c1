"""Small plan and audit documents built by hand for the HTML report's tests (every amount chosen so the
expected figures can be worked out on paper)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from llm_tco.plan.doc import (
    CostBreakdown,
    CostLines,
    ForcedChange,
    GrowthInfo,
    Option,
    PlanDocument,
    PlanTotals,
    Recommendation,
    WorkloadBreakeven,
    WorkloadPlan,
)
from llm_tco.report.audit_doc import (
    AuditDocument,
    Counters,
    MonthRow,
    QuarantineRow,
    RowAccounting,
    UnpricedRow,
    WorkloadRow,
)

D = Decimal


def lines(**amounts: float) -> CostLines:
    return CostLines(**{k: D(str(v)) for k, v in amounts.items()})


def option(
    option_id: str,
    placement: str,
    model: str,
    monthly: list[float],
    *,
    provider: str | None = None,
    cost_per_million: float | None = 1.0,
    horizon_lines: CostLines | None = None,
    cls: type[Option] = Option,
    **extra: Any,
) -> Any:
    horizon = D(str(sum(monthly)))
    fields: dict[str, Any] = {
        "id": option_id,
        "placement": placement,
        "provider": provider,
        "model": model,
        "monthly_cost_usd": D(str(monthly[0])),
        "one_off_cost_usd": D(0),
        "horizon_cost_usd": horizon,
        "npv_usd": horizon,
        "cost_per_million_tokens_usd": None if cost_per_million is None else D(str(cost_per_million)),
        "quality_ratio": 1.0,
        "quality_basis": "test",
        "feasible": True,
        "infeasible_reason": None,
        "monthly_costs_usd": [D(str(m)) for m in monthly],
        "breakdown": CostBreakdown(first_month=CostLines(), average_month=CostLines(), horizon=horizon_lines)
        if horizon_lines is not None
        else None,
    }
    if placement == "self-hosted":
        fields.update(
            gpu="h100-sxm", gpus=2, gpus_per_replica=1, replicas=2, precision="fp8", deployment="owned"
        )
    fields.update(extra)
    if issubclass(cls, Recommendation):
        fields.setdefault("reasons", ["test"])
    return cls(**fields)


def workload(
    name: str,
    options: list[Option],
    recommended: Recommendation | None,
    *,
    payback_month: int | None = None,
) -> WorkloadPlan:
    best: dict[str, str | None] = {"closed-api": None, "open-api": None, "self-hosted": None}
    for o in options:
        if o.id != "stay" and best.get(o.placement) is None:
            best[o.placement] = o.id
    return WorkloadPlan(
        workload=name,
        current_provider="openai",
        current_model="gpt-4o-mini",
        current_monthly_cost_usd=options[0].monthly_cost_usd,
        monthly_tokens=1e6,
        monthly_requests=1000.0,
        growth=GrowthInfo(monthly_rate=0.0, source="default", r_squared=None, months_used=0),
        sovereignty="any",
        quality_floor=0.9,
        criticality="normal",
        ttft_p99_ms=2000.0,
        tpot_p99_ms=100.0,
        peak_to_mean_ratio=2.0,
        cache_hit_rate=0.0,
        mean_input_tokens=900.0,
        mean_output_tokens=100.0,
        options=options,
        best_by_placement=best,
        recommendation=recommended,
        breakeven=WorkloadBreakeven(monthly_tokens=None, payback_month=payback_month),
        all_constraints_met=True,
    )


def plan(
    workloads: list[WorkloadPlan],
    totals: PlanTotals,
    *,
    assumptions: dict[str, float | int | str | None] | None = None,
    cls: type[PlanDocument] = PlanDocument,
    **extra: Any,
) -> Any:
    return cls(
        start_month="2026-11",
        horizon_months=3,
        discount_rate_per_year=0.08,
        config_file="my llm-tco.toml",
        price_data="genai-prices test",
        assumptions=assumptions if assumptions is not None else {"owned.pue": 1.58},
        workloads=workloads,
        totals=totals,
        **extra,
    )


def totals(
    *,
    current_monthly: float,
    recommended_monthly: float,
    current_horizon: float,
    recommended_horizon: float,
    forced: list[ForcedChange] | None = None,
    optional: float = 0.0,
) -> PlanTotals:
    forced = forced or []
    return PlanTotals(
        current_monthly_cost_usd=D(str(current_monthly)),
        recommended_monthly_cost_usd=D(str(recommended_monthly)),
        current_horizon_cost_usd=D(str(current_horizon)),
        recommended_horizon_cost_usd=D(str(recommended_horizon)),
        recommended_one_off_cost_usd=D(0),
        forced=forced,
        forced_horizon_cost_usd=sum((f.horizon_cost_change_usd for f in forced), D(0)),
        optional_horizon_cost_usd=D(str(optional)),
    )


def _counters(cost: float | None, requests: int = 10) -> dict[str, Any]:
    return {
        "requests": requests,
        "input_tokens": 1000,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "cache_write_1h_tokens": 0,
        "output_tokens": 100,
        "reasoning_tokens": 0,
        "cost_usd": None if cost is None else D(str(cost)),
    }


def audit(
    workloads: dict[str, float],
    *,
    unpriced_models: list[str] | None = None,
    quarantine: list[tuple[str, int, str]] | None = None,
) -> AuditDocument:
    total = sum(workloads.values())
    quarantined = quarantine or []
    return AuditDocument(
        store="test.duckdb",
        since=None,
        until=None,
        price_data="genai-prices test",
        rows=RowAccounting(read=0, accepted=0, quarantined=0, duplicates=0),
        files=[],
        reported={},
        totals=Counters(**_counters(total, 10 * len(workloads))),
        cache_hit_rate=None,
        by_model=[],
        by_workload=[WorkloadRow(workload=w, **_counters(c)) for w, c in workloads.items()],
        by_provider=[],
        by_team=[],
        by_month=[
            MonthRow(month="2026-09", cost_growth_pct=None, token_growth_pct=None, **_counters(total / 2)),
            MonthRow(month="2026-10", cost_growth_pct=0.0, token_growth_pct=0.0, **_counters(total / 2)),
        ],
        unpriced=[
            UnpricedRow(
                provider="acme", model_raw=m, requests=5, input_tokens=50, output_tokens=5, suggestions=[]
            )
            for m in unpriced_models or []
        ],
        rejected_files=[],
        quarantine=[QuarantineRow(file=f, record=r, reason=why) for f, r, why in quarantined],
        quarantine_total=len(quarantined),
        notes=[],
    )
