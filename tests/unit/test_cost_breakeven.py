"""Break-even properties (Hypothesis, fixed seed) and hand-built cases at replica-count steps.

The reference for "the smallest crossing" is a dense scan of the volume axis written here, independent of
the solver (which never scans).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from llm_tco.cost import Redundancy, SelfHostedEconomics, breakeven_monthly_tokens

SECONDS_PER_MONTH = 730 * 3600


def economics(
    *,
    tokens_per_s: float = 1000.0,
    gpus: int = 2,
    hourly: float = 2.0,
    criticality: str = "standard",
    spares: int = 1,
    owned: bool = False,
    utilisation: float = 1.0,
    peak: float = 1.0,
) -> SelfHostedEconomics:
    return SelfHostedEconomics(
        deployment="owned" if owned else "on-demand",
        gpus_per_replica=gpus,
        replica_tokens_per_s=tokens_per_s,
        target_utilisation=utilisation,
        peak_to_mean_ratio=peak,
        redundancy=Redundancy(criticality, spare_replicas=spares, high_factor=2.0),  # type: ignore[arg-type]
        gpu_hourly_usd=hourly,
        purchase_price_usd_per_gpu=25_000.0,
        useful_life_months=36,
        tdp_w=700.0,
        idle_power_fraction=0.3,
        pue=1.5,
        electricity_usd_per_kwh=0.15,
        hosting_usd_per_kw_month=160.0,
    )


def self_hosted_cost(e: SelfHostedEconomics, fixed: float, volume: np.ndarray) -> np.ndarray:
    return fixed + e.steady_state_serving_usd(volume)


params = st.fixed_dictionaries(
    {
        "tokens_per_s": st.floats(50, 20_000),
        "gpus": st.sampled_from([1, 2, 4, 8]),
        "hourly": st.floats(0.5, 10),
        "criticality": st.sampled_from(["low", "standard", "high"]),
        "spares": st.integers(0, 2),
        "owned": st.booleans(),
        "utilisation": st.floats(0.2, 1.0),
        "peak": st.floats(1.0, 6.0),
    }
)


@seed(20261125)
@settings(max_examples=200, deadline=None)
@given(params, st.floats(0, 100_000), st.floats(0.01, 50.0))
def test_costs_agree_at_breakeven(p: dict[str, object], fixed: float, api_usd_per_mtok: float) -> None:
    e = economics(**p)  # type: ignore[arg-type]
    a = api_usd_per_mtok / 1e6
    volume = breakeven_monthly_tokens(api_usd_per_token=a, fixed_monthly_usd=fixed, economics=e)
    if volume is None:
        # Never: at any volume the self-hosted steady state costs more. Check a wide sample of volumes.
        sample = np.geomspace(1e3, 1e15, 400)
        assert np.all(self_hosted_cost(e, fixed, sample) > a * sample * (1 - 1e-9))
        return
    api = a * volume
    ours = float(self_hosted_cost(e, fixed, np.array([volume]))[0])
    assert ours == pytest.approx(api, rel=0.005)
    # Smallest crossing: just below it, self-hosting is strictly more expensive (dense scan, 2,000 points).
    below = np.linspace(0.0, volume * (1 - 1e-6), 2000)
    assert np.all(self_hosted_cost(e, fixed, below) > a * below * (1 - 1e-9))


@seed(20261125)
@settings(max_examples=100, deadline=None)
@given(params, st.floats(0, 50_000))
def test_cost_non_decreasing_in_volume(p: dict[str, object], fixed: float) -> None:
    e = economics(**p)  # type: ignore[arg-type]
    volumes = np.sort(np.geomspace(1.0, 1e14, 500))
    costs = self_hosted_cost(e, fixed, volumes)
    assert np.all(np.diff(costs) >= -1e-9)
    horizon = e.months(volumes).gpu_cost_usd
    assert np.all(np.diff(horizon) >= -1e-9)


@seed(20261125)
@settings(max_examples=100, deadline=None)
@given(params, st.floats(0, 50_000))
def test_zero_volume_is_minimum_footprint_plus_fixed(p: dict[str, object], fixed: float) -> None:
    e = economics(**p)  # type: ignore[arg-type]
    footprint = e.redundancy.total_one(1)  # one serving replica plus the spares
    zero = float(self_hosted_cost(e, fixed, np.array([0.0]))[0])
    assert zero == pytest.approx(fixed + footprint * e.per_replica_month_usd())
    assert footprint >= 1


def _step_case(criticality: str = "standard") -> tuple[SelfHostedEconomics, float, float, float]:
    """A cloud option where fixed costs dominate (so a break-even can land just above a step).

    1,000 tok/s per replica at 100% target and peak = mean: c = 1000 × 2,628,000 s = 2.628e9 tokens a month
    per replica. Replica: 2 GPUs × $2/h × 730 h = $2,920. Fixed $300,000 a month.
    """
    e = economics(criticality=criticality)
    c = 1000.0 * SECONDS_PER_MONTH
    return e, c, 2 * 2.0 * 730, 300_000.0


@pytest.mark.parametrize("n", [1, 3, 10])
def test_breakeven_just_below_a_step(n: int) -> None:
    e, c, k, fixed = _step_case()
    # Choose the API price so that on step n (n + 1 replicas with the spare) the crossing falls 0.1% below
    # n·c:  a = (F + k (n + 1)) / (0.999 n c).
    a = (fixed + k * (n + 1)) / (0.999 * n * c)
    volume = breakeven_monthly_tokens(api_usd_per_token=a, fixed_monthly_usd=fixed, economics=e)
    assert volume is not None
    assert volume == pytest.approx(0.999 * n * c, rel=1e-9)
    assert int(e.needed_replicas(np.array([volume]))[0]) == n


@pytest.mark.parametrize("n", [1, 3, 10])
def test_breakeven_just_above_a_step(n: int) -> None:
    e, c, k, fixed = _step_case()
    # Crossing 2% above n·c, on step n + 1 (n + 2 replicas): a = (F + k (n + 2)) / (1.02 n c). On step n the
    # crossing would be at (F + k (n + 1)) / a = 1.02 n c (F + k (n + 1)) / (F + k (n + 2)) > n c because
    # 0.02 (F + k (n + 1)) ≥ 6,000 > k = 2,920 with F = 300,000 — so step n does not cross.
    a = (fixed + k * (n + 2)) / (1.02 * n * c)
    volume = breakeven_monthly_tokens(api_usd_per_token=a, fixed_monthly_usd=fixed, economics=e)
    assert volume is not None
    assert volume == pytest.approx(1.02 * n * c, rel=1e-9)
    assert int(e.needed_replicas(np.array([volume]))[0]) == n + 1
    ours = float(self_hosted_cost(e, fixed, np.array([volume]))[0])
    assert ours == pytest.approx(a * volume, rel=0.005)


def test_breakeven_exactly_at_a_step_counts_that_step() -> None:
    e, c, k, fixed = _step_case()
    # Crossing exactly at 2c on step 2 (3 replicas): a = (F + 3k) / 2c.
    a = (fixed + 3 * k) / (2 * c)
    volume = breakeven_monthly_tokens(api_usd_per_token=a, fixed_monthly_usd=fixed, economics=e)
    assert volume == pytest.approx(2 * c, rel=1e-12)


def test_breakeven_high_criticality_steps() -> None:
    e, c, k, fixed = _step_case("high")
    # high: total(n) = max(n + 1, 2n) = 2n for n ≥ 1. Crossing 0.5% below 4c on step 4 (8 replicas).
    a = (fixed + k * 8) / (0.995 * 4 * c)
    volume = breakeven_monthly_tokens(api_usd_per_token=a, fixed_monthly_usd=fixed, economics=e)
    assert volume == pytest.approx(0.995 * 4 * c, rel=1e-9)


def test_never_when_api_is_cheaper_than_marginal_replica() -> None:
    e, c, k, fixed = _step_case()
    # The API charges less per replica-month of volume than a replica costs: a·c < k.
    assert (
        breakeven_monthly_tokens(api_usd_per_token=0.5 * k / c, fixed_monthly_usd=fixed, economics=e) is None
    )
    assert breakeven_monthly_tokens(api_usd_per_token=0.0, fixed_monthly_usd=0.0, economics=e) is None
