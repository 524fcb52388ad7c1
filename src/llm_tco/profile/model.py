"""Workload profiles: one small record per workload, everything the plan needs from the audit store.

"Today" is the last 30 days of the store (fewer when it holds less), scaled to a 730-hour month; the monthly
series gives the growth trend. Figures the data's grain cannot give (daily buckets have no peak hour and no
per-request lengths) take the configured assumption and are named in ``assumed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "GrowthFit",
    "LatencyStats",
    "LengthStats",
    "ModelSpend",
    "MonthlyPoint",
    "TokenMix",
    "WorkloadProfile",
]


@dataclass(frozen=True)
class TokenMix:
    """Token and request counts over some period (canonical convention: input includes cache reads and
    writes, cache writes include the 1-hour part, output includes reasoning)."""

    requests: float = 0.0
    input_tokens: float = 0.0
    cache_read_tokens: float = 0.0
    cache_write_tokens: float = 0.0
    cache_write_1h_tokens: float = 0.0
    output_tokens: float = 0.0
    reasoning_tokens: float = 0.0

    @property
    def total_tokens(self) -> float:
        return self.input_tokens + self.output_tokens

    def scaled(self, factor: float) -> TokenMix:
        return TokenMix(
            self.requests * factor,
            self.input_tokens * factor,
            self.cache_read_tokens * factor,
            self.cache_write_tokens * factor,
            self.cache_write_1h_tokens * factor,
            self.output_tokens * factor,
            self.reasoning_tokens * factor,
        )


@dataclass(frozen=True)
class MonthlyPoint:
    """One calendar month of a workload."""

    month: str
    """``YYYY-MM``."""
    tokens: TokenMix
    cost_usd: Decimal | None
    """NULL when any usage of the month is unpriced."""
    complete: bool
    """Whether the store covers the whole month (only complete months feed the growth fit)."""


@dataclass(frozen=True)
class LengthStats:
    """Tokens per request: mean, and percentiles (approximate, from DuckDB's ``approx_quantile``) where
    request-level rows exist. From bucketed data only the mean is known: p50 and p99 are then the bucket
    mean and ``from_means`` is True (the true p99 is higher; feasibility checks say so)."""

    mean: float | None
    p50: float | None = None
    p90: float | None = None
    p99: float | None = None
    from_means: bool = False


@dataclass(frozen=True)
class LatencyStats:
    """End-to-end request duration (request sent to last byte received), in milliseconds."""

    requests: int
    """Requests the percentiles are measured over."""
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class GrowthFit:
    """Log-linear fit of monthly tokens: ln T = a + b·month, growth = e^b - 1 per month."""

    monthly_rate: float | None
    r_squared: float | None
    months_used: int
    note: str | None = None
    rate_standard_error: float | None = None
    """Standard error of ``monthly_rate`` (the slope's, through d(e^b)/db = e^b); None without a fit or
    with too few months to estimate it (three or more are needed)."""


@dataclass(frozen=True)
class ModelSpend:
    """One model's usage in the workload's last 30 days (scaled to a month)."""

    provider: str | None
    model: str | None
    """genai-prices model id; None when unresolved."""
    model_raw: str
    monthly_cost_usd: Decimal | None
    monthly_tokens: float


@dataclass(frozen=True)
class WorkloadProfile:
    """Everything the plan needs about one workload."""

    workload: str
    monthly: TokenMix
    """Today's monthly volume (last 30 days scaled to 730 hours)."""
    monthly_cost_usd: Decimal | None
    """Today's monthly cost of the priced usage; None when nothing is priced."""
    unpriced_share: float
    """Share of today's tokens that no price applies to."""
    input_length: LengthStats
    output_length: LengthStats
    peak_to_mean_ratio: float
    cache_hit_rate: float
    """Cache-read tokens ÷ input tokens."""
    current: ModelSpend | None
    """The highest-spend model (highest-volume when nothing is priced)."""
    models: tuple[ModelSpend, ...]
    months: tuple[MonthlyPoint, ...]
    growth: GrowthFit
    window_days: float
    assumed: tuple[str, ...] = field(default=())
    """Figures taken from configured assumptions because the data's grain cannot give them."""
    latency: LatencyStats | None = None
    """Measured end-to-end request durations (None: the logs carry none)."""
    regions: tuple[str, ...] = field(default=())
    """Regions named in the workload's own logs (last 30 days), sorted."""
    regions_complete: bool = False
    """Every series of the workload names its region (so ``regions`` is where all of it ran)."""
    hour_of_week_peak: tuple[float, ...] = field(default=())
    """168 values, index 0 = Monday 00:00 UTC: the busiest single hour seen at that hour of the week ÷
    the mean hour (the units of ``peak_to_mean_ratio``); empty when the peak is assumed."""
    hour_of_week_share: tuple[float, ...] = field(default=())
    """168 values: each UTC hour of the week's share of the hour-level volume; empty with the above."""
