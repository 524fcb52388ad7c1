"""Workload profiles from the audit store (the small, per-workload input of the plan)."""

from __future__ import annotations

from llm_tco.profile.build import WINDOW_DAYS, build_profiles
from llm_tco.profile.growth import fit_growth
from llm_tco.profile.model import (
    GrowthFit,
    LatencyStats,
    LengthStats,
    ModelSpend,
    MonthlyPoint,
    TokenMix,
    WorkloadProfile,
)

__all__ = [
    "WINDOW_DAYS",
    "GrowthFit",
    "LatencyStats",
    "LengthStats",
    "ModelSpend",
    "MonthlyPoint",
    "TokenMix",
    "WorkloadProfile",
    "build_profiles",
    "fit_growth",
]
