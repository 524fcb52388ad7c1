"""Sampling and quantiles of the configured distributions, vectorised with NumPy.

PERT is the Beta-PERT with λ = 4: on [low, high] with shape parameters α = 1 + 4 (mode − low) / (high − low)
and β = 1 + 4 (high − mode) / (high − low), so its mean is (low + 4·mode + high) / 6. A lognormal is given
by its median and the standard deviation ``sigma`` of its logarithm.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

from llm_tco.config.uncertainty import Distribution
from llm_tco.cost.horizon import FloatArray

__all__ = ["draw", "mean", "quantile"]


def _pert_shape(dist: Distribution) -> tuple[float, float, float, float]:
    low, mode, high = float(dist.low or 0.0), float(dist.mode or 0.0), float(dist.high or 0.0)
    width = high - low
    return low, width, 1.0 + 4.0 * (mode - low) / width, 1.0 + 4.0 * (high - mode) / width


def _degenerate(dist: Distribution) -> float | None:
    """The single value a distribution takes, when it takes only one."""
    if dist.dist == "fixed":
        return float(dist.value or 0.0)
    if dist.dist in ("uniform", "triangular", "pert") and dist.low == dist.high:
        return float(dist.low or 0.0)
    if dist.dist == "lognormal" and dist.sigma == 0:
        return float(dist.median or 0.0)
    return None


def draw(dist: Distribution, rng: np.random.Generator, size: int | tuple[int, ...]) -> FloatArray:
    """``size`` independent draws (one vectorised call; a fixed value is repeated exactly)."""
    single = _degenerate(dist)
    if single is not None:
        return np.full(size, single, dtype=np.float64)
    if dist.dist == "uniform":
        return rng.uniform(float(dist.low or 0.0), float(dist.high or 0.0), size)
    if dist.dist == "triangular":
        return rng.triangular(float(dist.low or 0.0), float(dist.mode or 0.0), float(dist.high or 0.0), size)
    if dist.dist == "lognormal":
        return rng.lognormal(math.log(float(dist.median or 1.0)), float(dist.sigma or 0.0), size)
    low, width, alpha, beta = _pert_shape(dist)
    return low + width * rng.beta(alpha, beta, size)


@lru_cache(maxsize=4096)
def quantile(dist: Distribution, q: float) -> float:
    """The ``q``-quantile (0 < q < 1), exactly (closed form, or the Beta's inverse for PERT); cached, as
    sensitivity asks for the same few quantiles of the same distributions many times.

    The inverses are ``scipy.special``'s ``ndtri`` and ``betaincinv``, the functions behind
    ``scipy.stats.norm.ppf`` and ``scipy.stats.beta.ppf`` (the same values, tested), without importing
    ``scipy.stats`` (a third of a second at every start of the command)."""
    single = _degenerate(dist)
    if single is not None:
        return single
    if dist.dist == "uniform":
        low, high = float(dist.low or 0.0), float(dist.high or 0.0)
        return low + q * (high - low)
    if dist.dist == "triangular":
        low, mode, high = float(dist.low or 0.0), float(dist.mode or 0.0), float(dist.high or 0.0)
        split = (mode - low) / (high - low)
        if q <= split:
            return low + math.sqrt(q * (high - low) * (mode - low))
        return high - math.sqrt((1.0 - q) * (high - low) * (high - mode))
    if dist.dist == "lognormal":
        z = float(special.ndtri(q))
        return float(dist.median or 1.0) * math.exp(z * float(dist.sigma or 0.0))
    low, width, alpha, beta = _pert_shape(dist)
    return low + width * float(special.betaincinv(alpha, beta, q))


def mean(dist: Distribution) -> float:
    """The distribution's mean (closed form)."""
    single = _degenerate(dist)
    if single is not None:
        return single
    if dist.dist == "uniform":
        return (float(dist.low or 0.0) + float(dist.high or 0.0)) / 2.0
    if dist.dist == "triangular":
        return (float(dist.low or 0.0) + float(dist.mode or 0.0) + float(dist.high or 0.0)) / 3.0
    if dist.dist == "lognormal":
        return float(dist.median or 1.0) * math.exp(float(dist.sigma or 0.0) ** 2 / 2.0)
    return (float(dist.low or 0.0) + 4.0 * float(dist.mode or 0.0) + float(dist.high or 0.0)) / 6.0
