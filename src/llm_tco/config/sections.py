"""The global sections of ``llm-tco.toml`` (``[planning]``, ``[growth]``, … ``[quality]``).

Every field is declared with :func:`llm_tco.config.fields.field`: its description, unit and the source of
its default travel to the generated template.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import field_validator

from llm_tco.config.fields import ASSUMPTION, FIG, Strict, assumption, field

__all__ = [
    "ALL_DEPLOYMENT_MODES",
    "CapacityConfig",
    "DeploymentMode",
    "FineTuningConfig",
    "GpuConfig",
    "GrowthConfig",
    "MigrationConfig",
    "OperationsConfig",
    "OwnedConfig",
    "PlanningConfig",
    "PricesConfig",
    "QualityConfig",
    "StaffingConfig",
]

DeploymentMode = Literal["on-demand", "reserved-1y", "reserved-3y", "spot", "owned"]
ALL_DEPLOYMENT_MODES: tuple[DeploymentMode, ...] = (
    "on-demand",
    "reserved-1y",
    "reserved-3y",
    "spot",
    "owned",
)


class PlanningConfig(Strict):
    """The planning frame: how far ahead, how money is discounted, where "self-hosted" is."""

    horizon_months: int = field(
        36,
        unit="months",
        source=f"{FIG} §2.2 (3 years is the common amortisation period)",
        description="Planning horizon; every option is costed month by month over it.",
        ge=1,
        le=240,
    )
    discount_rate_per_year: float = field(
        0.08,
        unit="fraction per year",
        source=assumption("a typical corporate cost of capital"),
        description="Discount rate for NPV, applied monthly as (1 + r)^(1/12).",
        ge=0,
        le=1,
    )
    region: str | None = field(
        None,
        unit="region code",
        source="none (unset: owned hardware is assumed to sit wherever a workload needs it)",
        description="Your own region code; owned (self-hosted) hardware counts as located here for "
        "`region:<code>` sovereignty.",
    )
    start_month: str | None = field(
        None,
        unit="YYYY-MM",
        source="none (unset: the month after the last audited month)",
        description="First month of the plan.",
    )

    @field_validator("start_month")
    @classmethod
    def _month(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise ValueError("must be a month as YYYY-MM")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
            raise ValueError("must be a lower-case region code such as 'eu' or 'us-east'")
        return value


class GrowthConfig(Strict):
    """Demand growth: fitted from the audit's monthly tokens, or given."""

    mode: Literal["fitted", "fixed"] = field(
        "fitted",
        unit="'fitted' | 'fixed'",
        source="issue 5 §1 (fitted from the audit's monthly trend by default)",
        description="'fitted': log-linear fit of monthly tokens per workload; 'fixed': use monthly_rate.",
    )
    monthly_rate: float = field(
        0.0,
        unit="fraction per month",
        source=assumption("no growth when nothing better is known"),
        description="Growth used in 'fixed' mode, and when a fit is impossible (fewer than min_fit_months).",
        gt=-1,
        le=10,
    )
    min_fit_months: int = field(
        3,
        unit="months",
        source="llm-tco choice: a trend needs at least three points",
        description="Fewer complete months than this: the fit is not used and the output says so.",
        ge=2,
    )
    max_fitted_monthly_rate: float = field(
        0.10,
        unit="fraction per month",
        source=assumption("caps extrapolating a short, steep trend: 10%/month is 3.1× a year"),
        description="A fitted rate is clipped to ±this value.",
        ge=0,
    )


class PricesConfig(Strict):
    """How API list prices move over the horizon."""

    closed_api_decline_per_year: float = field(
        0.095,
        unit="fraction per year",
        source=f"{FIG} §1: matched-model price index falls 0.10 log points/yr (arXiv 2608.29843): "
        "1 - e^-0.10 = 0.095. The ~10x/yr of a16z is at constant capability (switching models), not for "
        "one model's price.",
        description="Yearly decline of a closed model's token prices.",
        ge=0,
        lt=1,
    )
    open_api_decline_per_year: float = field(
        0.095,
        unit="fraction per year",
        source=f"{FIG} §1 (same matched-model index; no separate open-model figure was published)",
        description="Yearly decline of hosted open-weight model token prices.",
        ge=0,
        lt=1,
    )


class GpuConfig(Strict):
    """Which self-hosting deployments to consider and how to price the ones the catalog lacks."""

    deployment_modes: list[DeploymentMode] = field(
        list(ALL_DEPLOYMENT_MODES),
        unit="list of modes",
        source="issue 5 §1",
        description="Deployment modes to consider: on-demand, reserved-1y, reserved-3y, spot, owned.",
    )
    gpus: list[str] = field(
        [],
        unit="GPU catalog ids",
        source="none (empty: every GPU in the catalog)",
        description="Restrict self-hosting to these GPUs (e.g. ['h100-sxm', 'h200']).",
    )
    cloud_provider: str | None = field(
        None,
        unit="provider id",
        source="none (unset: the cheapest catalog price per GPU and mode)",
        description="Price cloud GPUs from this provider only (e.g. 'aws').",
    )
    max_gpus_per_replica: int = field(
        8,
        unit="GPUs",
        source="one 8-GPU node (NVLink domain of HGX H100/H200/B200, gpus.yaml)",
        description="Largest tensor-parallel replica considered.",
        ge=1,
        le=64,
    )
    reserved_1y_discount: float = field(
        0.36,
        unit="fraction of on-demand",
        source=f"{FIG} §2.2: H100 $1.60/h reserved vs $2.50/h on-demand (kshirol learnAI) = 36% off",
        description="Discount off the on-demand price when the catalog has no 1-year reserved price.",
        ge=0,
        lt=1,
    )
    reserved_3y_discount: float = field(
        0.55,
        unit="fraction of on-demand",
        source="upper end of the published 30-55% reserved-instance range "
        "(computingpower.org/providers/pricing-models-explained, 2026-04-30)",
        description="Discount off the on-demand price when the catalog has no 3-year reserved price.",
        ge=0,
        lt=1,
    )
    spot_discount: float = field(
        0.60,
        unit="fraction of on-demand",
        source="H100 spot 50-65% below on-demand across hyperscalers "
        "(digiterialabs.com/ai/insights/cloud-gpu-pricing-q1-2026)",
        description="Discount off the on-demand price when the catalog has no spot price.",
        ge=0,
        lt=1,
    )
    spot_preemption_overhead: float = field(
        0.15,
        unit="fraction of extra capacity",
        source=ASSUMPTION,
        description="Spot capacity bought on top of the need to absorb preemptions and restarts.",
        ge=0,
    )


class OwnedConfig(Strict):
    """Owned hardware: capex, life, power and hosting."""

    useful_life_years: float = field(
        3.0,
        unit="years",
        source=f"{FIG} §2.2 (3 years is the common assumption; Lenovo uses 5)",
        description="Straight-line depreciation period; hardware is bought again when it ends.",
        gt=0,
    )
    residual_value_fraction: float = field(
        0.0,
        unit="fraction of purchase price",
        source=assumption("conservative: worthless at end of life"),
        description="Resale value at the end of the useful life.",
        ge=0,
        le=1,
    )
    purchase_price_usd_per_gpu: dict[str, float] = field(
        {},
        unit="USD per GPU, by GPU id",
        source="none (empty: the catalog's purchase_price_usd)",
        description="Override purchase prices, e.g. {'h100-sxm' = 27000.0}.",
    )
    electricity_usd_per_kwh: float = field(
        0.15,
        unit="USD per kWh",
        source=f"{FIG} §2.2 (Pan et al., arXiv 2509.18101)",
        description="Electricity price.",
        ge=0,
    )
    pue: float = field(
        1.58,
        unit="ratio",
        source="Uptime Institute Global Data Center Survey 2023: industry average PUE 1.58",
        description="Power usage effectiveness: facility power ÷ IT power.",
        ge=1,
    )
    idle_power_fraction: float = field(
        0.3,
        unit="fraction of TDP",
        source=ASSUMPTION,
        description="GPU draw at zero load; draw rises linearly to TDP at full utilisation.",
        ge=0,
        le=1,
    )
    hosting_usd_per_kw_month: float = field(
        163.44,
        unit="USD per kW of IT load per month",
        source="CBRE North America Data Center Trends H2 2023: average asking rate $163.44/kW/month",
        description="Colocation or facility cost per kW of GPU TDP (space, cooling plant, security).",
        ge=0,
    )


class StaffingConfig(Strict):
    """People needed to run a self-hosted platform."""

    platform_fte: float = field(
        1.0,
        unit="FTE",
        source=f"{FIG} §2.2: 0.5-2 FTE (kshirol learnAI)",
        description="Engineers running the serving platform (charged to each self-hosted workload).",
        ge=0,
    )
    loaded_cost_usd_per_fte_year: float = field(
        200_000.0,
        unit="USD per FTE-year",
        source=f"{FIG} §2.2: $100-400K/yr for 0.5-2 FTE (kshirol learnAI) = $200K per FTE",
        description="Fully loaded cost of one engineer (salary, benefits, overhead).",
        ge=0,
    )
    on_call_fte: float = field(
        0.25,
        unit="FTE",
        source=ASSUMPTION,
        description="Extra staffing for the on-call rotation of a production service.",
        ge=0,
    )
    hours_per_fte_year: float = field(
        2080.0,
        unit="hours per year",
        source="40 h × 52 weeks",
        description="Working hours in an FTE-year; turns loaded cost into an hourly rate.",
        gt=0,
    )


class OperationsConfig(Strict):
    """Recurring costs of running a model yourself, beyond GPUs and people."""

    monitoring_usd_per_month: float = field(
        1_000.0,
        unit="USD per month",
        source=ASSUMPTION,
        description="Monitoring, logging, evaluation and tooling for a self-hosted workload.",
        ge=0,
    )
    governance_hours_per_month: float = field(
        10.0,
        unit="hours per month",
        source=ASSUMPTION,
        description="Governance and compliance work (model risk review, audits) for a self-hosted model.",
        ge=0,
    )


class FineTuningConfig(Strict):
    """Fine-tuning runs of a self-hosted model."""

    one_off_usd: float = field(
        0.0,
        unit="USD",
        source="none (no fine-tuning unless you plan it)",
        description="Initial fine-tuning run, paid in the first month of a self-hosted option.",
        ge=0,
    )
    periodic_usd: float = field(
        0.0,
        unit="USD per run",
        source="none",
        description="Cost of each periodic re-tuning run.",
        ge=0,
    )
    period_months: int = field(
        0,
        unit="months",
        source="none (0: no periodic runs)",
        description="Months between periodic runs.",
        ge=0,
    )


class MigrationConfig(Strict):
    """One-off cost of leaving the current model ("prompt-engineering debt")."""

    prompts_to_port: int = field(
        10,
        unit="prompts or pipelines",
        source=ASSUMPTION,
        description="Prompts and pipelines of a workload to port to another model.",
        ge=0,
    )
    hours_per_prompt: float = field(
        8.0,
        unit="engineer-hours",
        source=ASSUMPTION,
        description="Work to port and re-tune one prompt.",
        ge=0,
    )
    evaluation_hours: float = field(
        80.0,
        unit="engineer-hours",
        source=ASSUMPTION,
        description="Evaluation work to accept a new model for a workload.",
        ge=0,
    )


class CapacityConfig(Strict):
    """Sizing rules for self-hosted replicas."""

    target_utilisation: float = field(
        0.7,
        unit="fraction",
        source=assumption(f"the break-even rule of thumb in {FIG} §2.3 needs > 25%"),
        description="Peak load as a fraction of replica capacity; the headroom absorbs bursts.",
        gt=0,
        le=1,
    )
    ha_spare_replicas: int = field(
        1,
        unit="replicas",
        source=assumption("N+1"),
        description="Spare replicas for 'standard' criticality (0 for 'low').",
        ge=0,
    )
    high_criticality_redundancy_factor: float = field(
        2.0,
        unit="× capacity",
        source=f"{FIG} §2.2: plan 2× capacity for zero-downtime redundancy (kshirol learnAI)",
        description="'high' criticality provisions this multiple of the needed replicas.",
        ge=1,
    )
    peak_to_mean_ratio: float = field(
        4.2,
        unit="ratio",
        source=f"{FIG} §2.1 (Pan et al.: 8 h per business day ⇒ 730 h ÷ (8 h × 21.74 days) = 4.2)",
        description="Peak hour ÷ mean hour, used when the audit's grain cannot give it (daily buckets).",
        ge=1,
    )
    ttft_p99_ms: float = field(
        2000.0,
        unit="ms",
        source=ASSUMPTION,
        description="Default p99 time-to-first-token target for self-hosted sizing.",
        gt=0,
    )
    tpot_p99_ms: float = field(
        100.0,
        unit="ms",
        source=assumption("10 tokens/s per stream"),
        description="Default p99 time-per-output-token target for self-hosted sizing.",
        gt=0,
    )
    precisions: list[str] = field(
        ["bf16", "fp8"],
        unit="weight precisions",
        source="capacity catalog precisions (fp8 needs a GPU with an FP8 path)",
        description="Weight precisions to consider for self-hosting.",
    )


class QualityConfig(Strict):
    """Quality floor and overrides."""

    floor: float = field(
        0.9,
        unit="ratio to the current model",
        source=f"{FIG} §5: open models reach 90% or more of closed models' benchmark performance",
        description="Minimum quality ratio (candidate score ÷ current model's score).",
        ge=0,
        le=10,
    )
    unknown: Literal["infeasible", "assume-floor"] = field(
        "infeasible",
        unit="'infeasible' | 'assume-floor'",
        source="llm-tco rule: an unsourced score is never invented",
        description="A candidate without a comparable score: 'infeasible' (flagged) or treated as exactly "
        "at the floor.",
    )
    ratio_overrides: dict[str, float] = field(
        {},
        unit="ratio, by model id",
        source="none",
        description="Quality ratios you measured yourself, for every workload, e.g. {'gpt-oss-120b' = 0.97}.",
    )
