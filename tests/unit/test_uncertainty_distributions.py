"""The configured distributions: draws' moments and ranges against hand-derived values, closed-form
quantiles, seeded reproducibility, and the configuration's checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llm_tco.config import parse_config
from llm_tco.config.uncertainty import Distribution
from llm_tco.errors import ConfigError
from llm_tco.plan.uncertainty.defaults import capacity_error, demand_growth_spec
from llm_tco.plan.uncertainty.distributions import draw, mean, quantile
from llm_tco.profile.growth import fit_growth
from llm_tco.profile.model import GrowthFit

N = 400_000


def _draws(dist: Distribution, seed: int = 1) -> np.ndarray:
    return draw(dist, np.random.default_rng(seed), N)


def test_fixed_repeats_its_value_exactly() -> None:
    values = _draws(Distribution(dist="fixed", value=0.25))
    assert np.all(values == 0.25)
    assert quantile(Distribution(dist="fixed", value=0.25), 0.1) == 0.25


def test_uniform_moments_and_range() -> None:
    # U(2, 5): mean 3.5, variance (5 - 2)² / 12 = 0.75, P10 = 2 + 0.1 × 3 = 2.3
    dist = Distribution(dist="uniform", low=2.0, high=5.0)
    values = _draws(dist)
    assert values.min() >= 2.0 and values.max() <= 5.0
    assert values.mean() == pytest.approx(3.5, abs=0.01)
    assert values.var() == pytest.approx(0.75, rel=0.01)
    assert quantile(dist, 0.1) == pytest.approx(2.3)
    assert mean(dist) == 3.5


def test_triangular_moments_and_quantiles() -> None:
    # T(0, 1, 4): mean (0 + 1 + 4) / 3 = 5/3; variance (a² + b² + c² − ab − ac − bc) / 18 = (1 + 16 − 4) / 18
    dist = Distribution(dist="triangular", low=0.0, mode=1.0, high=4.0)
    values = _draws(dist)
    assert values.min() >= 0.0 and values.max() <= 4.0
    assert values.mean() == pytest.approx(5 / 3, abs=0.01)
    assert values.var() == pytest.approx(13 / 18, rel=0.01)
    # CDF below the mode: x² / ((c − a)(b − a)) = x² / 4, so P10 solves x² = 0.4; above it
    # 1 − (c − x)² / ((c − a)(c − b)) = 1 − (4 − x)² / 12, so P90 solves (4 − x)² = 1.2.
    assert quantile(dist, 0.1) == pytest.approx(math.sqrt(0.4))
    assert quantile(dist, 0.9) == pytest.approx(4 - math.sqrt(1.2))
    assert np.mean(values <= math.sqrt(0.4)) == pytest.approx(0.1, abs=0.003)


def test_lognormal_median_mean_and_quantiles() -> None:
    # median 2, σ 0.5: mean 2·e^(σ²/2) = 2·e^0.125; P90 = 2·e^(1.28155·0.5)
    dist = Distribution(dist="lognormal", median=2.0, sigma=0.5)
    values = _draws(dist)
    assert values.min() > 0
    assert np.median(values) == pytest.approx(2.0, rel=0.01)
    assert values.mean() == pytest.approx(2.0 * math.exp(0.125), rel=0.01)
    assert quantile(dist, 0.9) == pytest.approx(2.0 * math.exp(1.2815515655 * 0.5), rel=1e-6)
    assert mean(dist) == pytest.approx(2.0 * math.exp(0.125))


def test_pert_moments_and_range() -> None:
    # PERT(0, 2, 10): α = 1 + 4·2/10 = 1.8, β = 1 + 4·8/10 = 4.2; mean (0 + 4·2 + 10) / 6 = 3;
    # variance (c − a)² αβ / ((α + β)² (α + β + 1)) = 100 × 7.56 / (36 × 7) = 3.0
    dist = Distribution(dist="pert", low=0.0, mode=2.0, high=10.0)
    values = _draws(dist)
    assert values.min() >= 0.0 and values.max() <= 10.0
    assert values.mean() == pytest.approx(3.0, abs=0.01)
    assert values.var() == pytest.approx(3.0, rel=0.01)
    assert mean(dist) == pytest.approx(3.0)
    assert np.mean(values <= quantile(dist, 0.9)) == pytest.approx(0.9, abs=0.003)


def test_symmetric_pert_is_centred_on_its_mode() -> None:
    dist = Distribution(dist="pert", low=-1.0, mode=0.0, high=1.0)
    assert quantile(dist, 0.5) == pytest.approx(0.0, abs=1e-12)
    assert quantile(dist, 0.1) == pytest.approx(-quantile(dist, 0.9))


def test_draws_are_seeded() -> None:
    dist = Distribution(dist="pert", low=0.5, mode=1.0, high=1.6)
    assert np.array_equal(_draws(dist, seed=7), _draws(dist, seed=7))
    assert not np.array_equal(_draws(dist, seed=7), _draws(dist, seed=8))


def test_growth_shift_from_the_fit_has_the_fits_standard_error() -> None:
    # ln T = m·ln 1.1 + noise ±0.05: OLS slope SE = √(SSR/(n − 2) / Σ(x − x̄)²), times e^b for the rate
    noise = np.array([0.05, -0.05, 0.05, -0.05, 0.05, -0.05])
    months = np.arange(6, dtype=float)
    fit = fit_growth(list(np.exp(months * math.log(1.1) + noise)))
    x_centred = months - months.mean()
    slope = float(np.polyfit(months, months * math.log(1.1) + noise, 1)[0])
    residual = (
        months * math.log(1.1)
        + noise
        - np.polyval(np.polyfit(months, months * math.log(1.1) + noise, 1), months)
    )
    expected = math.exp(slope) * math.sqrt(float(np.sum(residual**2)) / 4 / float(np.sum(x_centred**2)))
    assert fit.rate_standard_error == pytest.approx(expected)
    spec = demand_growth_spec(parse_config({}), fit, "fitted")
    values = _draws(spec.distribution)
    # PERT(−√7·se, 0, √7·se): variance (2√7·se)² / 28 = se²
    assert values.std() == pytest.approx(expected, rel=0.01)
    assert values.mean() == pytest.approx(0.0, abs=expected * 0.01)


def test_growth_shift_without_a_fit_is_the_documented_default() -> None:
    spec = demand_growth_spec(parse_config({}), GrowthFit(None, None, 1), "default")
    assert (spec.distribution.low, spec.distribution.mode, spec.distribution.high) == (-0.02, 0.0, 0.02)


def test_capacity_error_default_matches_the_measured_median_error() -> None:
    # A lognormal factor with median 1: |ln X| is half-normal, its median 0.6745 σ; the shipped figure
    # (pooled median absolute error 30.2% over 73 held-out measurements) must come back as |X − 1|'s median
    # up to the asymmetry of the log (between ln(1 + e) and −ln(1 − e)).
    error = capacity_error()
    assert error.n == 73 and error.pooled_median_ape == pytest.approx(0.3018, abs=1e-4)
    values = _draws(Distribution(dist="lognormal", median=1.0, sigma=error.log_sigma))
    assert np.median(np.abs(np.log(values))) == pytest.approx(math.log(1.3018), rel=0.01)


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"dist": "pert", "low": 0.5, "high": 1.5}, "mode"),
        ({"dist": "uniform", "low": 2.0, "high": 1.0}, "low ≤ mode ≤ high"),
        ({"dist": "lognormal", "median": -1.0, "sigma": 0.2}, "median > 0"),
        ({"dist": "fixed", "value": 1.0, "low": 0.0}, "takes only value"),
        ({"dist": "normal", "value": 1.0}, "dist"),
    ],
)
def test_bad_distributions_are_config_errors_naming_the_field(table: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"uncertainty": {"staffing_cost": table}})
    assert "uncertainty.staffing_cost" in str(raised.value) and words in str(raised.value)


@pytest.mark.parametrize("q", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.013, 0.987])
@pytest.mark.parametrize(
    "dist",
    [
        Distribution(dist="pert", low=-0.095, mode=0.0, high=0.2),
        Distribution(dist="pert", low=0.6, mode=0.9, high=1.0),
        Distribution(dist="pert", low=0.5, mode=1.0, high=1.6),
        Distribution(dist="pert", low=-0.03, mode=0.0, high=0.03),
        Distribution(dist="pert", low=1.0, mode=1.0, high=4.0),
        Distribution(dist="lognormal", median=1.0, sigma=0.3779),
        Distribution(dist="lognormal", median=2.5, sigma=1.2),
    ],
)
def test_quantiles_are_scipy_stats_own_to_the_last_bit(dist: Distribution, q: float) -> None:
    """``quantile`` calls scipy.special directly (scipy.stats is slow to import); its values are those
    of ``scipy.stats``' PERT (Beta) and lognormal, bit for bit."""
    from scipy import stats

    if dist.dist == "lognormal":
        sigma, median = float(dist.sigma or 0.0), float(dist.median or 0.0)
        expected = median * math.exp(float(stats.norm.ppf(q)) * sigma)
    else:
        low, mode, high = float(dist.low or 0.0), float(dist.mode or 0.0), float(dist.high or 0.0)
        width = high - low
        alpha, beta = 1.0 + 4.0 * (mode - low) / width, 1.0 + 4.0 * (high - mode) / width
        expected = low + width * float(stats.beta.ppf(q, alpha, beta))
    assert quantile(dist, q) == expected
