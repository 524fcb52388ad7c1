"""Demand growth from the monthly series: a log-linear least-squares fit, with its quality (R²)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from llm_tco.profile.model import GrowthFit

__all__ = ["fit_growth"]


def fit_growth(
    monthly_tokens: Sequence[float], *, min_months: int = 3, max_abs_rate: float = 0.10
) -> GrowthFit:
    """Fit ln(tokens) = a + b·m over consecutive complete months; growth = e^b - 1 per month.

    Months with no tokens are left out (the log is undefined). Fewer than ``min_months`` points: no rate
    (the caller falls back to the configured growth) and the note says why. A fitted rate beyond
    ±``max_abs_rate`` is clipped, and the note says so.
    """
    values = np.asarray(monthly_tokens, dtype=np.float64)
    index = np.arange(len(values), dtype=np.float64)
    keep = values > 0
    if int(keep.sum()) < min_months:
        return GrowthFit(
            None,
            None,
            int(keep.sum()),
            f"{int(keep.sum())} complete month(s) of data; a trend needs {min_months}",
        )
    x, y = index[keep], np.log(values[keep])
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    total = float(np.sum((y - y.mean()) ** 2))
    r_squared = 1.0 - float(np.sum(residual**2)) / total if total > 0 else 1.0
    rate = math.expm1(float(slope))
    standard_error = _rate_standard_error(x, residual, float(slope))
    note = None
    if abs(rate) > max_abs_rate:
        note = f"fitted growth {rate:+.1%}/month clipped to ±{max_abs_rate:.0%}"
        rate = math.copysign(max_abs_rate, rate)
    return GrowthFit(rate, r_squared, int(keep.sum()), note, standard_error)


def _rate_standard_error(x: np.ndarray, residual: np.ndarray, slope: float) -> float | None:
    """Standard error of the monthly rate e^b - 1: the OLS slope's, √(SSR / (n - 2) / Σ(x - x̄)²), times
    e^b (the delta method). None below three points (no degree of freedom left)."""
    n = len(x)
    spread = float(np.sum((x - x.mean()) ** 2))
    if n < 3 or spread <= 0:
        return None
    slope_se = math.sqrt(float(np.sum(residual**2)) / (n - 2) / spread)
    return math.exp(slope) * slope_se
