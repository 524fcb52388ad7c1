"""The global sections of ``llm-tco.toml`` about what self-hosting costs: ``[gpu]``, ``[owned]``,
``[staffing]``, ``[platform]`` (and the deprecated ``[operations]``), ``[fine_tuning]`` and ``[migration]``.

Every field is declared with :func:`llm_tco.config.fields.field`: its description, unit and the source of
its default travel to the generated template.
"""

from __future__ import annotations

from typing import Literal

from llm_tco.config.fields import ASSUMPTION, Strict, assumption, cite, field

__all__ = [
    "ALL_DEPLOYMENT_MODES",
    "DEPRECATED_PLATFORM_KEYS",
    "DeploymentMode",
    "FineTuningConfig",
    "GpuConfig",
    "MigrationConfig",
    "OperationsConfig",
    "OwnedConfig",
    "PlatformConfig",
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


class GpuConfig(Strict):
    """Which self-hosting deployments to consider and how to price the ones the catalog lacks."""

    deployment_modes: list[DeploymentMode] = field(
        list(ALL_DEPLOYMENT_MODES),
        unit="list of modes",
        source="llm-tco default: every deployment mode",
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
        source=cite(
            "nvidia-hgx-b200", "nvidia-h100", says="one 8-GPU server, the NVLink domain of HGX H100/H200/B200"
        ),
        description="Largest tensor-parallel replica considered; past one server (8 GPUs) only on GPUs "
        "whose catalog entry gives an inter-node bandwidth (internode_gb_per_s_per_direction).",
        ge=1,
        le=64,
    )
    reserved_1y_discount: float = field(
        0.36,
        unit="fraction of on-demand",
        source=cite("kshirol-learnai-inference", says="H100 $1.60/h reserved vs $2.50/h on-demand = 36% off"),
        description="Discount off the on-demand price when the catalog has no 1-year reserved price.",
        ge=0,
        lt=1,
    )
    reserved_3y_discount: float = field(
        0.55,
        unit="fraction of on-demand",
        source=cite(
            "computingpower-pricing-models", says="upper end of the published 30-55% reserved-instance range"
        ),
        description="Discount off the on-demand price when the catalog has no 3-year reserved price.",
        ge=0,
        lt=1,
    )
    spot_discount: float = field(
        0.60,
        unit="fraction of on-demand",
        source=cite(
            "digiterialabs-gpu-pricing-q1-2026", says="H100 spot 50-65% below on-demand across hyperscalers"
        ),
        description="Discount off the on-demand price when the catalog has no spot price.",
        ge=0,
        lt=1,
    )
    hourly_usd: dict[str, dict[Literal["on-demand", "reserved-1y", "reserved-3y", "spot"], float]] = field(
        {},
        unit="USD per GPU-hour, by GPU id and deployment mode",
        source="none (empty: the catalog's published prices)",
        description="What you pay per GPU-hour, e.g. {'h100-sxm' = {'on-demand' = 2.1, "
        "'reserved-1y' = 1.5}}; replaces the catalog price of that GPU and mode.",
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
        source=cite("lenovo-lp2225", says="3 years is the common assumption; Lenovo's study uses 5"),
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
    gpu_watts: dict[str, float] = field(
        {},
        unit="W per GPU, by GPU id",
        source="none (empty: the catalog's TDP)",
        description="Measured or rated draw per GPU at full load, e.g. {'a100-sxm-80gb' = 300.0}; "
        "replaces the catalog TDP for power and hosting.",
    )
    electricity_usd_per_kwh: float = field(
        0.15,
        unit="USD per kWh",
        source=cite("pan-onprem-breakeven", says="electricity at $0.15/kWh"),
        description="Electricity price.",
        ge=0,
    )
    pue: float = field(
        1.58,
        unit="ratio",
        source=cite("uptime-survey-2023", says="industry average PUE 1.58"),
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
        source=cite("cbre-datacenter-h2-2023", says="average asking rate $163.44/kW/month"),
        description="Colocation or facility cost per kW of GPU TDP (space, cooling plant, security).",
        ge=0,
    )


class StaffingConfig(Strict):
    """What people cost (the size of the platform team is in ``[platform]``)."""

    loaded_cost_usd_per_fte_year: float = field(
        200_000.0,
        unit="USD per FTE-year",
        source=cite("kshirol-learnai-inference", says="$100-400K/yr for 0.5-2 FTE = $200K per FTE"),
        description="Fully loaded cost of one engineer (salary, benefits, overhead).",
        ge=0,
    )
    hours_per_fte_year: float = field(
        2080.0,
        unit="hours per year",
        source="llm-tco default: 40 h × 52 weeks",
        description="Working hours in an FTE-year; turns loaded cost into an hourly rate.",
        gt=0,
    )
    platform_fte: float | None = field(
        None,
        unit="FTE",
        source="none (deprecated): read as [platform] fte when that is unset",
        description="Deprecated: use [platform] fte.",
        ge=0,
    )
    on_call_fte: float | None = field(
        None,
        unit="FTE",
        source="none (deprecated): read as [platform] on_call_fte when that is unset",
        description="Deprecated: use [platform] on_call_fte.",
        ge=0,
    )


class OperationsConfig(Strict):
    """Deprecated: these settings moved to ``[platform]``."""

    monitoring_usd_per_month: float | None = field(
        None,
        unit="USD per month",
        source="none (deprecated): read as [platform] monitoring_usd_per_month when that is unset",
        description="Deprecated: use [platform] monitoring_usd_per_month.",
        ge=0,
    )
    governance_hours_per_month: float | None = field(
        None,
        unit="hours per month",
        source="none (deprecated): read as [platform] governance_hours_per_month when that is unset",
        description="Deprecated: use [platform] governance_hours_per_month.",
        ge=0,
    )


class PlatformConfig(Strict):
    """The self-hosting platform as the organisation has it: paid once for every self-hosted workload."""

    fte: float = field(
        1.0,
        unit="FTE",
        source=cite("kshirol-learnai-inference", says="0.5-2 FTE"),
        description="Engineers running the serving platform (one team for all self-hosted workloads).",
        ge=0,
    )
    on_call_fte: float = field(
        0.25,
        unit="FTE",
        source=ASSUMPTION,
        description="Extra staffing for the on-call rotation of a production service.",
        ge=0,
    )
    monitoring_usd_per_month: float = field(
        1_000.0,
        unit="USD per month",
        source=ASSUMPTION,
        description="Monitoring, logging, evaluation and tooling of the platform.",
        ge=0,
    )
    governance_hours_per_month: float = field(
        10.0,
        unit="hours per month",
        source=ASSUMPTION,
        description="Governance and compliance work (model risk review, audits) for self-hosted models.",
        ge=0,
    )
    already_staffed: bool = field(
        False,
        unit="true or false",
        source="none (a new team unless you say it exists)",
        description=(
            "The team above exists and is paid today: self-hosting adds no staff or on-call cost, only "
            "monitoring and governance."
        ),
    )


DEPRECATED_PLATFORM_KEYS: tuple[tuple[str, str, str], ...] = (
    ("staffing", "platform_fte", "fte"),
    ("staffing", "on_call_fte", "on_call_fte"),
    ("operations", "monitoring_usd_per_month", "monitoring_usd_per_month"),
    ("operations", "governance_hours_per_month", "governance_hours_per_month"),
)
"""(old section, old key, ``[platform]`` key): settings that moved to ``[platform]``; still read."""


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
