"""The global sections of ``llm-tco.toml`` about the plan and the market: ``[planning]``, ``[growth]``,
``[prices]``, ``[capacity]`` and ``[quality]`` (the cost sections are in ``llm_tco.config.cost_sections``).

Every field is declared with :func:`llm_tco.config.fields.field`: its description, unit and the source of
its default travel to the generated template.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import field_validator

from llm_tco.config.fields import ASSUMPTION, Strict, assumption, cite, field

__all__ = [
    "CapacityConfig",
    "CatalogConfig",
    "GrowthConfig",
    "PlanningConfig",
    "PricesConfig",
    "QualityConfig",
]


class PlanningConfig(Strict):
    """The planning frame: how far ahead, how money is discounted, where "self-hosted" is."""

    horizon_months: int = field(
        36,
        unit="months",
        source=cite(
            "lenovo-lp2225", says="3 years is the common amortisation period (Lenovo's own study uses 5)"
        ),
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
        source="llm-tco default: fitted from the audit's monthly trend",
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
        source="price-of-intelligence: the matched-model price index falls 0.10 log points/yr: "
        "1 - e^-0.10 = 0.095. The ~10x/yr of a16z-llmflation is at constant capability (switching models), "
        "not for one model's price.",
        description="Yearly decline of a closed model's token prices.",
        ge=0,
        lt=1,
    )
    open_api_decline_per_year: float = field(
        0.095,
        unit="fraction per year",
        source=cite(
            "price-of-intelligence",
            says="the same matched-model index; no separate open-model figure was published",
        ),
        description="Yearly decline of hosted open-weight model token prices.",
        ge=0,
        lt=1,
    )


class CapacityConfig(Strict):
    """Sizing rules for self-hosted replicas."""

    target_utilisation: float = field(
        0.7,
        unit="fraction",
        source=assumption("the break-even rule of thumb of kshirol-learnai-inference needs > 25%"),
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
        source=cite("kshirol-learnai-inference", says="plan 2× capacity for zero-downtime redundancy"),
        description="'high' criticality provisions this multiple of the needed replicas.",
        ge=1,
    )
    peak_to_mean_ratio: float = field(
        4.2,
        unit="ratio",
        source=cite("pan-onprem-breakeven", says="8 h per business day ⇒ 730 h ÷ (8 h × 21.74 days) = 4.2"),
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
    measured: str | None = field(
        None,
        unit="path to a CSV file",
        source="none (unset: the capacity model's predictions)",
        description="Your throughput measurements (the layout of `llm-tco capacity --measured`); a path "
        "relative to this file. They replace the model's figures for the configurations they cover.",
    )
    precisions: list[str] = field(
        ["bf16", "fp8"],
        unit="weight precisions",
        source="llm-tco default: the capacity catalog's precisions (fp8 needs a GPU with an FP8 path)",
        description="Weight precisions to consider for self-hosting.",
    )


class QualityConfig(Strict):
    """Quality floor and overrides."""

    floor: float = field(
        0.9,
        unit="ratio to the current model",
        source=cite(
            "nagle-lf-open-models",
            says="open models reach 90% or more of closed models' benchmark performance",
        ),
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


class CatalogConfig(Strict):
    """Your own catalog files, extending the bundled GPU and open-model catalogs."""

    gpus_file: str | None = field(
        None,
        unit="path to a YAML/JSON file",
        source="none (unset: the bundled GPU catalog only)",
        description="More GPUs, in the bundled gpus.yaml schema (schema_version, gpus: [...]); a path "
        "relative to this file. Validated like the bundled file; an id already in the catalog is an error.",
    )
    models_file: str | None = field(
        None,
        unit="path to a YAML/JSON file",
        source="none (unset: the bundled open-model catalog only)",
        description="More open models, in the bundled open_models.yaml schema; a path relative to this file.",
    )
