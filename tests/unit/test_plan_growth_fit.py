"""The growth fit behind the plan's demand projection (log-linear, with R² and a flag below 3 months)."""

from __future__ import annotations

import math

import pytest

from llm_tco.profile.growth import fit_growth


def test_exact_exponential_growth() -> None:
    # 100, 110, 121, 133.1: ln grows by ln(1.1) a month → +10%/month, R² = 1
    fit = fit_growth([100, 110, 121, 133.1], max_abs_rate=1.0)
    assert fit.monthly_rate == pytest.approx(0.10)
    assert fit.r_squared == pytest.approx(1.0)
    assert fit.months_used == 4 and fit.note is None


def test_noisy_series_r_squared() -> None:
    # ln y = [0, 1, 0.5] · ... : slope of (0,0),(1,1),(2,0.5) is 0.25; fitted 0.25, 0.5, 0.75 (+0.25 intercept
    # shift: intercept 0.25): residuals -0.25, 0.5, -0.25 → SSE 0.375; SST around mean 0.5: 0.25+0.25+0 = 0.5
    fit = fit_growth([1.0, math.e, math.exp(0.5)], max_abs_rate=1.0)
    assert fit.monthly_rate == pytest.approx(math.expm1(0.25))
    assert fit.r_squared == pytest.approx(1 - 0.375 / 0.5)


def test_too_few_months_is_flagged() -> None:
    fit = fit_growth([100, 200])
    assert fit.monthly_rate is None and fit.months_used == 2
    assert fit.note and "needs 3" in fit.note


def test_steep_trend_is_clipped() -> None:
    fit = fit_growth([1, 2, 4], max_abs_rate=0.10)
    assert fit.monthly_rate == 0.10
    assert fit.note and "clipped" in fit.note
