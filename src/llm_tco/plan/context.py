"""Per-workload planning context: the configuration resolved for one workload, and its demand over time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from llm_tco.config.model import Config, FixedSelfHosted
from llm_tco.cost.fixed import FixedCosts, migration_cost_usd
from llm_tco.cost.horizon import FloatArray, growth_factors
from llm_tco.cost.selfhost import Redundancy
from llm_tco.cost.serving_hours import serving_hours_per_month, serving_window_utc, window_peak
from llm_tco.plan.doc import GrowthInfo
from llm_tco.profile.model import WorkloadProfile
from llm_tco.units import HOURS_PER_MONTH

__all__ = [
    "WorkloadContext",
    "hourly_rate_usd",
    "platform_costs",
    "serving_window_peak",
    "workload_context",
]

_OUTSIDE_NOTE_SHARE = 0.005
"""Load outside the serving window below this share (rounding, a stray request) is not worth a note."""


@dataclass(frozen=True)
class WorkloadContext:
    """What the option generators need to know about one workload."""

    profile: WorkloadProfile
    config: Config
    start: datetime
    months: int
    growth: GrowthInfo
    tokens: FloatArray
    """Monthly tokens over the horizon."""
    quality_floor: float
    ttft_p99_ms: float
    tpot_p99_ms: float
    sovereignty: str
    redundancy: Redundancy
    fixed: FixedCosts
    migration_usd: float
    quality_overrides: dict[str, float]
    task: str = "general"
    """The workload's task: selects the benchmarks of the quality ratio."""
    quality_scores: dict[str, float] = field(default_factory=dict)
    """The workload's own eval scores by model (``[workloads.<name>.quality]``); they replace the catalog."""
    serving_hours_per_month: float = HOURS_PER_MONTH
    """Hours a month the self-hosted GPUs serve (``[workloads.x] serving_hours``)."""
    fixed_shape: FixedSelfHosted | None = None
    """The self-hosted shape the user fixed (``[workloads.x] self_hosted``), if any."""
    sizing_peak_to_mean_ratio: float | None = None
    """Peak ÷ (monthly volume ÷ serving hours) the fleet is sized for: the busiest hour inside the serving
    window (see :func:`serving_window_peak`); None: the profile's 24/7 ratio."""
    serving_notes: tuple[str, ...] = ()
    """What the serving window leaves unserved (load outside it), for the self-hosted options' notes."""

    @property
    def peak_to_mean_ratio(self) -> float:
        """The ratio self-hosted fleets are sized with."""
        if self.sizing_peak_to_mean_ratio is not None:
            return self.sizing_peak_to_mean_ratio
        return self.profile.peak_to_mean_ratio

    @property
    def workload(self) -> str:
        return self.profile.workload

    @property
    def current_model(self) -> str | None:
        current = self.profile.current
        return (current.model or current.model_raw) if current else None

    @property
    def today_tokens(self) -> float:
        return float(self.tokens[0]) if len(self.tokens) else 0.0


def hourly_rate_usd(config: Config) -> float:
    """An engineer-hour: loaded cost per FTE-year ÷ working hours per FTE-year."""
    return config.staffing.loaded_cost_usd_per_fte_year / config.staffing.hours_per_fte_year


def platform_costs(config: Config) -> FixedCosts:
    """The whole platform's monthly costs (``[platform]``), paid once for every self-hosted workload. A
    team that already exists (``already_staffed``) is paid today whatever the plan: self-hosting adds
    nothing for it, so its staff and on-call lines are 0."""
    platform = config.platform
    staffed = platform.already_staffed
    return FixedCosts.from_assumptions(
        platform_fte=0.0 if staffed else platform.fte,
        on_call_fte=0.0 if staffed else platform.on_call_fte,
        loaded_cost_usd_per_fte_year=config.staffing.loaded_cost_usd_per_fte_year,
        monitoring_usd_per_month=platform.monitoring_usd_per_month,
        governance_hours_per_month=platform.governance_hours_per_month,
        hourly_rate_usd=hourly_rate_usd(config),
    )


def _growth(profile: WorkloadProfile, config: Config) -> GrowthInfo:
    table = config.workload(profile.workload)
    fit = profile.growth
    if table.growth_monthly_rate is not None:
        return GrowthInfo(
            monthly_rate=table.growth_monthly_rate,
            source="workload",
            r_squared=fit.r_squared,
            months_used=fit.months_used,
        )
    if config.growth.mode == "fixed":
        return GrowthInfo(
            monthly_rate=config.growth.monthly_rate,
            source="configured",
            r_squared=fit.r_squared,
            months_used=fit.months_used,
        )
    if fit.monthly_rate is not None:
        return GrowthInfo(
            monthly_rate=fit.monthly_rate,
            source="fitted",
            r_squared=fit.r_squared,
            months_used=fit.months_used,
            note=fit.note,
        )
    return GrowthInfo(
        monthly_rate=config.growth.monthly_rate,
        source="default",
        r_squared=None,
        months_used=fit.months_used,
        note=(fit.note or "no fit") + f"; using growth.monthly_rate = {config.growth.monthly_rate:g}",
    )


def workload_context(profile: WorkloadProfile, config: Config, start: datetime) -> WorkloadContext:
    """Resolve the global defaults and the workload's own table into one context."""
    table = config.workload(profile.workload)
    months = config.planning.horizon_months
    growth = _growth(profile, config)
    tokens = profile.monthly.total_tokens * growth_factors(growth.monthly_rate, months)
    rate = hourly_rate_usd(config)
    hours = serving_hours_per_month(table.serving_hours)
    ratio, notes = serving_window_peak(profile, table.serving_hours, start, hours)
    prompts = table.prompts_to_port if table.prompts_to_port is not None else config.migration.prompts_to_port
    overrides = dict(config.quality.ratio_overrides)
    overrides.update(table.quality_ratio_overrides)
    return WorkloadContext(
        profile=profile,
        config=config,
        start=start,
        months=months,
        growth=growth,
        tokens=np.asarray(tokens, dtype=np.float64),
        quality_floor=table.quality_floor if table.quality_floor is not None else config.quality.floor,
        ttft_p99_ms=table.ttft_p99_ms if table.ttft_p99_ms is not None else config.capacity.ttft_p99_ms,
        tpot_p99_ms=table.tpot_p99_ms if table.tpot_p99_ms is not None else config.capacity.tpot_p99_ms,
        sovereignty=table.sovereignty,
        redundancy=Redundancy(
            criticality=table.criticality,
            spare_replicas=config.capacity.ha_spare_replicas,
            high_factor=config.capacity.high_criticality_redundancy_factor,
        ),
        fixed=platform_costs(config),
        migration_usd=migration_cost_usd(
            prompts_to_port=prompts,
            hours_per_prompt=config.migration.hours_per_prompt,
            evaluation_hours=config.migration.evaluation_hours,
            hourly_rate_usd=rate,
        ),
        quality_overrides=overrides,
        task=table.task,
        quality_scores=dict(table.quality),
        serving_hours_per_month=hours,
        fixed_shape=table.self_hosted,
        sizing_peak_to_mean_ratio=ratio,
        serving_notes=notes,
    )


def serving_window_peak(
    profile: WorkloadProfile, serving_hours: str | float | None, start: datetime, hours_per_month: float
) -> tuple[float | None, tuple[str, ...]]:
    """(peak ratio to size with, notes) for a workload served only within a window.

    The window is turned into UTC hours of the week in the plan's first month (its DST) and laid over
    the profile's hourly shape: the fleet is sized for the busiest hour inside it. Load outside the
    window cannot be served by a fleet that is stopped then, which the notes say. None (the profile's
    24/7 ratio) when there is no window or the profile has no hourly shape.
    """
    window = serving_window_utc(serving_hours, start)
    if window is None or not profile.hour_of_week_peak:
        return None, ()
    peak = window_peak(profile.hour_of_week_peak, profile.hour_of_week_share, window, hours_per_month)
    notes: list[str] = []
    if peak.share_outside > _OUTSIDE_NOTE_SHARE:
        notes.append(
            f"serving hours {serving_hours}: {peak.share_outside:.0%} of the load falls outside them "
            "and cannot be served by this fleet"
            + ("; its busiest hour is outside them" if peak.peak_outside else "")
        )
    return peak.peak_to_mean_ratio, tuple(notes)
