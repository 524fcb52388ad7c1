"""Month-by-month horizon arithmetic: demand growth, price decline, discounting and NPV.

Conventions (used by every option so that options compare like for like):

- Month index ``m`` is 0-based in arrays; the report's months are 1-based (month 1 = index 0).
- Demand in month ``m`` is today's monthly volume × (1 + g)^m, ``g`` the monthly growth rate.
- A token price in month ``m`` is today's price × (1 - d)^(m / 12), ``d`` the yearly decline.
- Cash flows fall at the start of their month: month 1 is not discounted, month ``m`` (0-based index) is
  discounted by (1 + r)^(-m / 12), ``r`` the yearly discount rate. The present value of an option's costs is
  therefore positive, and lower is better.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from llm_tco.units import MONTHS_PER_YEAR

__all__ = [
    "FloatArray",
    "discount_factors",
    "growth_factors",
    "npv_usd",
    "price_factors",
]

FloatArray = NDArray[np.float64]


def growth_factors(monthly_growth_rate: float, months: int) -> FloatArray:
    """(1 + g)^m for m = 0 … months-1: demand relative to today's month."""
    if monthly_growth_rate <= -1.0:
        raise ValueError("monthly growth must be greater than -100%")
    return np.power(1.0 + monthly_growth_rate, np.arange(months, dtype=np.float64))


@functools.lru_cache(maxsize=256)
def price_factors(decline_per_year: float, months: int) -> FloatArray:
    """(1 - d)^(m / 12) for m = 0 … months-1: a token price relative to today's.

    Memoised (a plan asks for the same few thousands of times): the array is read-only, shared."""
    if not 0.0 <= decline_per_year < 1.0:
        raise ValueError("a yearly price decline must be in [0, 1)")
    return _read_only(np.power(1.0 - decline_per_year, np.arange(months, dtype=np.float64) / MONTHS_PER_YEAR))


@functools.lru_cache(maxsize=256)
def discount_factors(discount_rate_per_year: float, months: int) -> FloatArray:
    """(1 + r)^(-m / 12) for m = 0 … months-1 (start-of-month cash flows).

    Memoised (every NPV asks for it): the array is read-only, shared."""
    if discount_rate_per_year <= -1.0:
        raise ValueError("a discount rate must be greater than -100%")
    return _read_only(
        np.power(1.0 + discount_rate_per_year, -np.arange(months, dtype=np.float64) / MONTHS_PER_YEAR)
    )


def _read_only(values: FloatArray) -> FloatArray:
    values.setflags(write=False)
    return values


def npv_usd(monthly_cash_flows_usd: FloatArray, discount_rate_per_year: float) -> float:
    """Present value of monthly cash flows (costs positive) under the module's conventions."""
    factors = discount_factors(discount_rate_per_year, len(monthly_cash_flows_usd))
    return float(np.dot(monthly_cash_flows_usd, factors))
