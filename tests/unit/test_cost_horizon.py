"""Horizon arithmetic, fixed costs and owned-hardware cash flows against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from llm_tco.cost import (
    FixedCosts,
    Redundancy,
    SelfHostedEconomics,
    discount_factors,
    growth_factors,
    migration_cost_usd,
    npv_usd,
    one_off_flows,
    owned_capex_cash_flows,
    payback_month,
    price_factors,
)
from llm_tco.cost.breakeven import months_to_reach


def test_growth_price_and_discount_factors() -> None:
    assert growth_factors(0.10, 3).tolist() == pytest.approx([1.0, 1.1, 1.21])
    # 19% a year: after 12 months the price is 0.81 of today's; after 6 months sqrt(0.81) = 0.9.
    assert price_factors(0.19, 13)[[0, 6, 12]].tolist() == pytest.approx([1.0, 0.9, 0.81])
    # 21% a year: month index 6 (the 7th month) is discounted by 1 / sqrt(1.21) = 1 / 1.1.
    assert discount_factors(0.21, 7)[6] == pytest.approx(1 / 1.1)


def test_npv_of_flat_flows() -> None:
    # $100 in months 1 and 13 at 10%/yr: 100 + 100 / 1.1 = 190.909...
    flows = np.zeros(13)
    flows[[0, 12]] = 100.0
    assert npv_usd(flows, 0.10) == pytest.approx(100 + 100 / 1.1)
    assert npv_usd(flows, 0.0) == pytest.approx(200.0)


def test_fixed_costs_and_migration() -> None:
    fixed = FixedCosts.from_assumptions(
        platform_fte=1.0,
        on_call_fte=0.25,
        loaded_cost_usd_per_fte_year=240_000,
        monitoring_usd_per_month=1_000,
        governance_hours_per_month=10,
        hourly_rate_usd=100,
    )
    # 1 FTE × 240k/12 = 20,000; on-call 0.25 × 20,000 = 5,000; monitoring 1,000; governance 10 h × $100
    assert fixed.monthly_usd == pytest.approx(20_000 + 5_000 + 1_000 + 1_000)
    # (10 prompts × 8 h + 80 h) × $100 = $16,000
    assert migration_cost_usd(
        prompts_to_port=10, hours_per_prompt=8, evaluation_hours=80, hourly_rate_usd=100
    ) == (16_000)


def test_one_off_flows() -> None:
    flows = one_off_flows(7, month_one_usd=500, periodic_usd=100, period_months=3)
    assert flows.tolist() == [500, 0, 0, 100, 0, 0, 100]


def test_owned_capex_buy_grow_and_book_value() -> None:
    # $1,000 per GPU, 12-month life, 25% residual; 2 GPUs in months 1-2, 3 from month 3, horizon 6 months.
    flows = owned_capex_cash_flows(
        np.array([2, 2, 3, 3, 3, 3]),
        purchase_price_usd_per_gpu=1000.0,
        useful_life_months=12,
        residual_value_fraction=0.25,
    )
    # Book value after a months: 1000 × (1 - 0.75 × a / 12). Cohort 1 (2 GPUs, 6 months): 625 each;
    # cohort 2 (1 GPU bought month 3, 4 months): 750. Last month credits 2 × 625 + 750 = 2,000.
    assert flows.tolist() == pytest.approx([2000, 0, 1000, 0, 0, -2000])
    # Net over the horizon = depreciation: 2 × 6 × 62.5 + 1 × 4 × 62.5 = 1,000
    assert flows.sum() == pytest.approx(1000.0)


def test_owned_capex_replacement_at_end_of_life() -> None:
    # 1 GPU, 3-month life, 10% residual, 7-month horizon: bought month 1, renewed months 4 and 7 (new price
    # minus resale 100 = 900 each), and in the last month the cohort bought in month 7 is worth
    # 1000 × (1 - 0.9 × 1/3) = 700.
    flows = owned_capex_cash_flows(
        np.ones(7, dtype=np.int64),
        purchase_price_usd_per_gpu=1000.0,
        useful_life_months=3,
        residual_value_fraction=0.1,
    )
    assert flows.tolist() == pytest.approx([1000, 0, 0, 900, 0, 0, 900 - 700])


def test_owned_power_and_hosting() -> None:
    economics = SelfHostedEconomics(
        deployment="owned",
        gpus_per_replica=2,
        replica_tokens_per_s=1000.0,
        target_utilisation=1.0,
        peak_to_mean_ratio=1.0,
        redundancy=Redundancy("low"),
        purchase_price_usd_per_gpu=30_000,
        useful_life_months=36,
        tdp_w=700,
        idle_power_fraction=0.3,
        pue=1.5,
        electricity_usd_per_kwh=0.10,
        hosting_usd_per_kw_month=150,
    )
    # Half load: draw = 0.3 + 0.7 × 0.5 = 0.65 of 1.4 kW = 0.91 kW × 1.5 PUE × 730 h × $0.10 = $99.645;
    # hosting 1.4 kW × $150 = $210.
    half = 0.5 * 1000 * 3600 * 730
    months = economics.months(np.array([half]))
    assert float(months.utilisation[0]) == pytest.approx(0.5)
    assert float(months.gpu_cost_usd[0]) == pytest.approx(0.91 * 1.5 * 730 * 0.10 + 210)
    # Steady state: depreciation 2 × 30,000 / 36 + hosting 210 + idle power 1.4 × 0.3 × 1.5 × 730 × 0.1,
    # plus the load-driven power of the half load.
    steady = float(economics.steady_state_serving_usd(np.array([half]))[0])
    expected = 2 * 30_000 / 36 + 210 + 1.4 * 0.3 * 1.5 * 730 * 0.1 + 1.4 * 0.7 * 0.5 * 1.5 * 730 * 0.1
    assert steady == pytest.approx(expected)


def test_redundancy_rules() -> None:
    needed = np.array([1, 2, 3])
    assert Redundancy("low").total(needed).tolist() == [1, 2, 3]
    assert Redundancy("standard", spare_replicas=1).total(needed).tolist() == [2, 3, 4]
    assert Redundancy("high", spare_replicas=1, high_factor=2.0).total(needed).tolist() == [2, 4, 6]


def test_payback_and_months_to_reach() -> None:
    self_hosted = np.array([1000.0, 10, 10, 10])
    api = np.array([300.0, 300, 300, 300])
    # cumulative savings: -700, -410, -120, +170 → month 4
    assert payback_month(self_hosted, api) == 4
    assert payback_month(self_hosted, np.full(4, 100.0)) is None
    assert months_to_reach(1.21, 0.10) == pytest.approx(2.0)
    assert months_to_reach(0.5, 0.10) == 0.0
    assert months_to_reach(2.0, 0.0) is None
