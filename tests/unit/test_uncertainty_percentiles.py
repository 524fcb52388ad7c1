"""``percentiles`` gives ``np.percentile``'s values (method 'linear'), bit for bit: NumPy is the reference."""

from __future__ import annotations

import numpy as np
import pytest

from llm_tco.plan.uncertainty.percentiles import percentiles

PERCENTS = (10.0, 50.0, 90.0)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 10_000, 10_001])
def test_equal_to_numpy_for_every_length(n: int) -> None:
    rng = np.random.default_rng(n)
    values = np.concatenate(
        [
            rng.lognormal(10.0, 2.0, (3, n)),
            -rng.lognormal(5.0, 1.0, (2, n)),
            rng.normal(0.0, 1e6, (3, n)),
            rng.integers(-3, 4, (3, n)).astype(np.float64),  # ties
            np.full((1, n), 7.25),
        ]
    )
    assert _same(percentiles(values, PERCENTS), np.percentile(values, PERCENTS, axis=-1))


@pytest.mark.parametrize(
    "percents", [(10.0, 50.0, 90.0), (0.0, 100.0), (25.0,), (1.0, 2.5, 97.5, 99.0), (33.3, 66.6)]
)
def test_equal_to_numpy_for_other_percentiles(percents: tuple[float, ...]) -> None:
    values = np.random.default_rng(3).standard_t(3.0, (20, 10_000)) * 1e4
    assert _same(percentiles(values, percents), np.percentile(values, percents, axis=-1))


def test_extreme_values_and_infinities() -> None:
    rng = np.random.default_rng(5)
    values = rng.normal(0.0, 1.0, (6, 1000)) * np.array([[1e-300], [1e300], [1.0], [1.0], [1.0], [1.0]])
    values[2, :50] = np.inf
    values[3, :950] = -np.inf
    values[4, ::7] = 5e-324
    values[5, ::3] = -5e-324
    with np.errstate(invalid="ignore"):  # inf - inf between two infinite order statistics, in both
        assert _same(percentiles(values, PERCENTS), np.percentile(values, PERCENTS, axis=-1))


def test_rows_with_nan_are_numpy_s_answer() -> None:
    values = np.random.default_rng(9).normal(0.0, 1.0, (4, 500))
    values[1, 17] = np.nan
    got = percentiles(values, PERCENTS)
    assert _same(got, np.percentile(values, PERCENTS, axis=-1))
    assert np.isnan(got[:, 1]).all() and not np.isnan(got[:, 0]).any()


def test_input_is_left_untouched_and_strided_input_is_read_correctly() -> None:
    values = np.random.default_rng(11).normal(0.0, 1.0, (40, 2000))
    copy = values.copy()
    strided = values[::2, ::3]
    assert _same(percentiles(strided, PERCENTS), np.percentile(strided, PERCENTS, axis=-1))
    assert np.array_equal(values, copy)
