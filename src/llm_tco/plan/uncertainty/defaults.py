"""The distributions in force: the configuration's, else the package's documented defaults, with sources.

The capacity model's error is its own measured cross-validation error, shipped as package data (never read
from the benchmark folder at run time). A lognormal factor whose |log| has median m has
σ = m ÷ Φ⁻¹(0.75) = m ÷ 0.6745 (the median of a half-normal is 0.6745 σ); the median absolute percentage
error e gives m = ln(1 + e).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from llm_tco.config.model import Config
from llm_tco.config.uncertainty import ASSUMPTION_KINDS, Distribution
from llm_tco.profile.model import GrowthFit

__all__ = [
    "GLOBAL_ASSUMPTIONS",
    "AssumptionSpec",
    "CapacityError",
    "capacity_error",
    "demand_growth_spec",
    "global_specs",
]

GLOBAL_ASSUMPTIONS = (
    "closed_api_price_decline",
    "open_api_price_decline",
    "gpu_hourly_price",
    "achieved_utilisation",
    "capacity_model_error",
    "staffing_cost",
    "migration_effort",
)
"""Assumptions drawn once per scenario for every workload (the market and the organisation are shared);
``demand_growth`` is drawn per workload."""

_HALF_NORMAL_MEDIAN = 0.6744897501960817
"""Φ⁻¹(0.75): the median of |Z| for a standard normal Z."""
_DEFAULT_GROWTH_SHIFT = 0.02
"""± monthly growth shift of a workload without a fitted trend (llm-tco assumption)."""


@dataclass(frozen=True)
class AssumptionSpec:
    """One uncertain assumption as the plan uses it."""

    name: str
    kind: Literal["shift", "factor"]
    distribution: Distribution
    source: str


@dataclass(frozen=True)
class CapacityError:
    pooled_median_ape: float
    pooled_p90_ape: float
    n: int
    as_of: str
    source: str

    @property
    def log_sigma(self) -> float:
        """σ of the lognormal whose median absolute error matches the measured one."""
        return math.log1p(self.pooled_median_ape) / _HALF_NORMAL_MEDIAN


@cache
def capacity_error() -> CapacityError:
    """The capacity model's measured cross-validation error (package data)."""
    raw = json.loads(resources.files("llm_tco.data").joinpath("capacity_model_error.json").read_text("utf-8"))
    return CapacityError(
        pooled_median_ape=float(raw["pooled_median_ape"]),
        pooled_p90_ape=float(raw["pooled_p90_ape"]),
        n=int(raw["n"]),
        as_of=str(raw["as_of"]),
        source=str(raw["source"]),
    )


def _pert(low: float, mode: float, high: float) -> Distribution:
    return Distribution(dist="pert", low=low, mode=mode, high=high)


def _defaults() -> dict[str, tuple[Distribution, str]]:
    error = capacity_error()
    return {
        "closed_api_price_decline": (
            _pert(-0.095, 0.0, 0.2),
            "price-of-intelligence: llm-tco assumption around the matched-model price index's 0.10 log "
            "points/yr: from no decline at all to about three times its pace",
        ),
        "open_api_price_decline": (
            _pert(-0.095, 0.0, 0.3),
            "gundlach-price-of-progress: llm-tco assumption: open-weight models are served by competing "
            "hosts, "
            "whose prices can fall faster (algorithmic efficiency of open models ~3×/yr)",
        ),
        "gpu_hourly_price": (
            _pert(0.7, 1.0, 1.15),
            "kshirol-learnai-inference + dreaming-press-selfhost: llm-tco assumption: H100 offers quoted at "
            "$1.60-2.50/h; "
            "rental prices have mostly fallen, rarely risen, over a horizon",
        ),
        "achieved_utilisation": (
            _pert(0.6, 0.9, 1.0),
            "patil-concurrency-cost: llm-tco assumption: real fleets run below the planned load (public "
            "calculators silently assume 100% utilisation)",
        ),
        "capacity_model_error": (
            Distribution(dist="lognormal", median=1.0, sigma=round(error.log_sigma, 4)),
            "trtllm-perf-overview + dstack-h200-mi300x-benchmark + gpustack-performance-lab + "
            "vllm-cost-meter-data: "
            f"the capacity model's cross-validated error, pooled median {error.pooled_median_ape:.0%} and "
            f"p90 {error.pooled_p90_ape:.0%} over {error.n} held-out measurements ({error.as_of}): "
            "σ = ln(1 + median error) ÷ 0.6745",
        ),
        "staffing_cost": (
            _pert(0.5, 1.0, 1.6),
            "kshirol-learnai-inference: published range of 0.5-2 FTE at $100-400K a year for a serving "
            "platform",
        ),
        "migration_effort": (
            _pert(0.67, 1.0, 1.5),
            "mcconnell-software-estimation: the cone of uncertainty at a defined scope: 0.67× to 1.5× the "
            "estimate",
        ),
    }


def global_specs(config: Config) -> list[AssumptionSpec]:
    """The shared assumptions' distributions: the configuration's, else the defaults."""
    defaults = _defaults()
    out: list[AssumptionSpec] = []
    for name in GLOBAL_ASSUMPTIONS:
        configured = getattr(config.uncertainty, name)
        dist, source = (configured, "configured") if configured is not None else defaults[name]
        out.append(AssumptionSpec(name, ASSUMPTION_KINDS[name], dist, source))
    return out


def demand_growth_spec(config: Config, fit: GrowthFit, source: str) -> AssumptionSpec:
    """The shift of one workload's monthly growth: configured, else from its fit's standard error (when
    its rate is the fitted one), else ±2 points a month. PERT(−√7·se, 0, √7·se) has standard deviation se
    exactly (a symmetric PERT's variance is (high − low)² ÷ 28)."""
    configured = config.uncertainty.demand_growth
    if configured is not None:
        return AssumptionSpec("demand_growth", "shift", configured, "configured")
    if source == "fitted" and fit.rate_standard_error is not None:
        half = math.sqrt(7.0) * fit.rate_standard_error
        return AssumptionSpec(
            "demand_growth",
            "shift",
            _pert(-half, 0.0, half),
            f"the fitted trend's standard error ({fit.rate_standard_error:.4f}/month over "
            f"{fit.months_used} months)",
        )
    return AssumptionSpec(
        "demand_growth",
        "shift",
        _pert(-_DEFAULT_GROWTH_SHIFT, 0.0, _DEFAULT_GROWTH_SHIFT),
        "llm-tco assumption without a fitted trend: ±2 points of monthly growth",
    )
