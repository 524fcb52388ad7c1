"""The ``llm-tco.toml`` model: every planning assumption, its unit, its default and its default's source.

Every key is optional (a file holding only ``[workloads.<name>]`` tables is valid); every table forbids
unknown keys, so a typo is an error naming its key path instead of a silently ignored assumption. Types are
strict (a string is not a number), except that an integer is accepted where a float is expected.

Each field carries two pieces of metadata that ``llm_tco.config.template`` writes into the commented file
``llm-tco init`` produces, so the template can never drift from the defaults:

- ``unit`` — the unit of the value (also in the key name where it has one);
- ``source`` — where the default comes from: the ids of the published sources behind it (entries of the
  bundled ``sources.yaml``, rendered in ``docs/sources.md``), or "llm-tco assumption" where no published
  figure exists (change it!).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from llm_tco.capacity.precision import WEIGHT_PRECISIONS
from llm_tco.config.attribution import AttributionRule
from llm_tco.config.candidates import CandidatesConfig
from llm_tco.config.cost_sections import (
    ALL_DEPLOYMENT_MODES,
    DEPRECATED_PLATFORM_KEYS,
    DeploymentMode,
    FineTuningConfig,
    GpuConfig,
    MigrationConfig,
    OperationsConfig,
    OwnedConfig,
    PlatformConfig,
    StaffingConfig,
)
from llm_tco.config.fields import Strict, field
from llm_tco.config.levers import LeversConfig
from llm_tco.config.sections import (
    CapacityConfig,
    CatalogConfig,
    GrowthConfig,
    PlanningConfig,
    PricesConfig,
    QualityConfig,
)
from llm_tco.config.uncertainty import UncertaintyConfig
from llm_tco.cost.serving_hours import serving_hours_per_month

__all__ = [
    "ALL_DEPLOYMENT_MODES",
    "SOVEREIGNTY_PATTERN",
    "TASKS",
    "CandidatesConfig",
    "CapacityConfig",
    "Config",
    "Criticality",
    "DeploymentMode",
    "FineTuningConfig",
    "GpuConfig",
    "GrowthConfig",
    "LeversConfig",
    "MigrationConfig",
    "OperationsConfig",
    "OwnedConfig",
    "PlanningConfig",
    "PlatformConfig",
    "PricesConfig",
    "QualityConfig",
    "StaffingConfig",
    "WorkloadConfig",
    "deprecated_keys",
]

Criticality = Literal["low", "standard", "high"]
Task = Literal["general", "coding", "reasoning", "extraction", "chat", "translation", "summarisation"]
TASKS: tuple[str, ...] = (
    "general",
    "coding",
    "reasoning",
    "extraction",
    "chat",
    "translation",
    "summarisation",
)
"""What a workload does; each task names the benchmarks its quality ratio is read from."""

SOVEREIGNTY_PATTERN = re.compile(r"^(any|no-third-party|on-prem|air-gapped|region:[a-z0-9][a-z0-9-]*)$")
"""``any``; ``region:<code>`` (lower-case code such as ``eu`` or ``us-east``); ``no-third-party`` (no API);
``on-prem`` and ``air-gapped`` (owned hardware only)."""


class FixedSelfHosted(Strict):
    """A self-hosted shape the user has decided
    (``self_hosted = { model, gpu, gpus_per_replica, replicas }``): the plan costs exactly this instead of
    searching for the cheapest shape."""

    model: str = field(..., unit="open-model catalog id", source="none", description="Open model served.")
    gpu: str = field(..., unit="GPU catalog id", source="none", description="GPU it runs on.")
    gpus_per_replica: int = field(..., unit="GPUs", source="none", description="GPUs per replica.", ge=1)
    replicas: int = field(
        ..., unit="replicas", source="none", description="Replicas run (spares included).", ge=1
    )
    precision: str | None = field(
        None,
        unit="weight precision",
        source="none (unset: the cheapest of [capacity].precisions)",
        description="Weight precision of the replicas.",
    )

    @field_validator("precision")
    @classmethod
    def _precision(cls, value: str | None) -> str | None:
        if value is not None and value not in WEIGHT_PRECISIONS:
            raise ValueError(f"{value!r} is not one of {', '.join(WEIGHT_PRECISIONS)}")
        return value


class WorkloadConfig(Strict):
    """Per-workload requirements (``[workloads.<name>]``, name as in the audit). Unset keys take the
    global defaults."""

    quality_floor: float | None = field(
        None,
        unit="ratio",
        source="[quality].floor",
        description="Minimum quality ratio for this workload.",
        ge=0,
        le=10,
    )
    ttft_p99_ms: float | None = field(
        None,
        unit="ms",
        source="[capacity].ttft_p99_ms",
        description="p99 time-to-first-token target.",
        gt=0,
    )
    tpot_p99_ms: float | None = field(
        None,
        unit="ms",
        source="[capacity].tpot_p99_ms",
        description="p99 time-per-output-token target.",
        gt=0,
    )
    sovereignty: str = field(
        "any",
        unit="any | region:<code> | no-third-party | on-prem | air-gapped",
        source="llm-tco default: no restriction unless you set one",
        description="Where the workload's data may go.",
    )
    criticality: Criticality = field(
        "standard", unit="low | standard | high", source="llm-tco default", description="Sets HA spares."
    )
    growth_monthly_rate: float | None = field(
        None,
        unit="fraction per month",
        source="[growth]",
        description="Given demand growth for this workload (overrides the fit).",
        gt=-1,
        le=10,
    )
    prompts_to_port: int | None = field(
        None,
        unit="prompts",
        source="[migration].prompts_to_port",
        description="Prompts to port.",
        ge=0,
    )
    quality_ratio_overrides: dict[str, float] = field(
        {}, unit="ratio, by model id", source="none", description="Measured quality ratios for this workload."
    )
    task: Task = field(
        "general",
        unit="general | coding | reasoning | extraction | chat | translation | summarisation",
        source="llm-tco default: a general-knowledge benchmark when the task is not given",
        description="What the workload does; selects the benchmarks that compare models for it "
        "(coding: code benchmarks such as SWE-bench Verified, not a science quiz).",
    )
    quality: dict[str, float] = field(
        {},
        unit="your eval score, any scale, by model id",
        source="none",
        description="Your own eval results, e.g. { 'claude-sonnet-4-5' = 82, 'llama-3.3-70b' = 74 }: "
        "they replace the catalog for this workload (ratio = candidate ÷ current model; include the "
        "current model's score).",
    )
    latency: Literal["interactive", "batch-ok"] = field(
        "interactive",
        unit="interactive | batch-ok",
        source="llm-tco default: a workload waits on its answers unless told otherwise",
        description="'batch-ok': answers may take up to a day, so the provider's Batch API is offered.",
    )
    cacheable_input_share: float | None = field(
        None,
        unit="fraction of input tokens",
        source="[levers].cacheable_input_share",
        description="Share of this workload's input that is a stable, cacheable prefix.",
        ge=0,
        le=1,
    )
    serving_hours: str | float | None = field(
        None,
        unit="'24/7' | 'weekdays HH-HH [Zone/Name]' | 'daily HH-HH [Zone/Name]' | hours per month",
        source="none (unset: 24/7)",
        description="When the self-hosted GPUs serve: cloud GPUs are paid only then, owned ones always "
        "(power only then); the fleet is sized for the workload's busiest hour inside the window, "
        "laid in its time zone (load outside it is flagged).",
    )
    self_hosted: FixedSelfHosted | None = field(
        None,
        unit="{ model, gpu, gpus_per_replica, replicas }",
        source="none (unset: the plan searches every open model, GPU and shape)",
        description="Cost exactly this self-hosted shape for the workload.",
    )

    @field_validator("serving_hours")
    @classmethod
    def _serving_hours(cls, value: str | float | None) -> str | float | None:
        serving_hours_per_month(value)
        return value

    @field_validator("sovereignty")
    @classmethod
    def _sovereignty(cls, value: str) -> str:
        if not SOVEREIGNTY_PATTERN.fullmatch(value):
            raise ValueError(
                f"{value!r} is not one of any, region:<code>, no-third-party, on-prem, air-gapped"
            )
        return value

    @field_validator("quality")
    @classmethod
    def _scores(cls, value: dict[str, float]) -> dict[str, float]:
        negative = [name for name, score in value.items() if not score >= 0]
        if negative:
            raise ValueError(f"scores must be 0 or more (got {negative[0]!r} = {value[negative[0]]!r})")
        return value


class Config(Strict):
    """The whole ``llm-tco.toml``."""

    planning: PlanningConfig = PlanningConfig()
    growth: GrowthConfig = GrowthConfig()
    prices: PricesConfig = PricesConfig()
    gpu: GpuConfig = GpuConfig()
    owned: OwnedConfig = OwnedConfig()
    staffing: StaffingConfig = StaffingConfig()
    platform: PlatformConfig = PlatformConfig()
    operations: OperationsConfig = OperationsConfig()
    fine_tuning: FineTuningConfig = FineTuningConfig()
    migration: MigrationConfig = MigrationConfig()
    capacity: CapacityConfig = CapacityConfig()
    quality: QualityConfig = QualityConfig()
    candidates: CandidatesConfig = CandidatesConfig()
    levers: LeversConfig = LeversConfig()
    catalog: CatalogConfig = CatalogConfig()
    uncertainty: UncertaintyConfig = UncertaintyConfig()
    workloads: dict[str, WorkloadConfig] = Field(default_factory=dict)
    attribution: list[AttributionRule] = Field(default_factory=list)
    """``[[attribution]]`` rules mapping usage to workloads (``llm_tco.config.attribution``)."""

    @model_validator(mode="before")
    @classmethod
    def _read_deprecated_platform_keys(cls, data: Any) -> Any:
        """Settings that moved to ``[platform]`` are still read from ``[staffing]``/``[operations]`` when
        ``[platform]`` does not set them (``[platform]`` wins); :func:`deprecated_keys` names them."""
        if not isinstance(data, dict):
            return data
        platform = data.get("platform", {})
        if isinstance(platform, BaseModel):
            return data  # a built model: nothing to carry over
        if not isinstance(platform, dict):
            return data  # let validation report it
        moved = dict(platform)
        for section, key, new_key in DEPRECATED_PLATFORM_KEYS:
            table = data.get(section)
            value = getattr(table, key, None) if isinstance(table, BaseModel) else None
            if isinstance(table, dict):
                value = table.get(key)
            if value is not None and new_key not in moved:
                moved[new_key] = value
        if moved != platform:
            data = {**data, "platform": moved}
        return data

    def workload(self, name: str) -> WorkloadConfig:
        """The workload's table, or the defaults when the file has none for it."""
        return self.workloads.get(name, WorkloadConfig())


def deprecated_keys(config: Config) -> list[str]:
    """One warning per deprecated key the configuration sets, naming where it moved."""
    out = []
    for section, key, new_key in DEPRECATED_PLATFORM_KEYS:
        if getattr(getattr(config, section), key) is not None:
            out.append(
                f"{section}.{key} is deprecated: set [platform] {new_key} instead (read as that for now)"
            )
    return out
