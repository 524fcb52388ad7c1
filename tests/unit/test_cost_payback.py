"""Payback counts only cash paid: the book value of owned hardware still held at the end of the horizon is
credited to NPV and horizon totals, never to payback."""

from __future__ import annotations

import numpy as np
import pytest

from llm_tco.catalog.quality import QualityRatio
from llm_tco.cost import Redundancy, SelfHostedEconomics
from llm_tco.cost.breakeven import payback_month
from llm_tco.cost.selfhost import owned_book_value_usd, owned_capex_cash_flows, owned_purchase_cash_flows
from llm_tco.plan.candidate import Candidate

PRICE = 25_000.0
GPUS = 8
LIFE_MONTHS = 120.0  # ten-year useful life
RUNNING_USD = 2_000.0  # power + hosting per month
API_USD = 5_000.0  # what staying costs per month


def _fleet(months: int) -> np.ndarray:
    return np.full(months, GPUS, dtype=np.int64)


def test_hardware_that_outlives_the_horizon_does_not_pay_back_early() -> None:
    # $200k of GPUs bought in month 1; $3k/month saved: cumulative savings 3,000·m − 200,000 ≥ 0 first at
    # m = ceil(200,000 / 3,000) = 67. On a 36-month horizon that is never; the book value left after 36 of 120
    # months, 200,000 × (1 − 36/120) = 140,000, must not make month 36 look like payback.
    months = 36
    kwargs = {
        "purchase_price_usd_per_gpu": PRICE,
        "useful_life_months": LIFE_MONTHS,
        "residual_value_fraction": 0.0,
    }
    cash = owned_purchase_cash_flows(_fleet(months), **kwargs) + RUNNING_USD
    api = np.full(months, API_USD)
    assert payback_month(cash, api) is None
    assert owned_book_value_usd(_fleet(months), **kwargs) == pytest.approx(140_000.0)
    with_credit = owned_capex_cash_flows(_fleet(months), **kwargs) + RUNNING_USD
    assert with_credit.sum() == pytest.approx(200_000.0 - 140_000.0 + 36 * RUNNING_USD)
    # The old reading (credit counted) would have said month 36: 3,000·36 − 200,000 + 140,000 = 48,000 ≥ 0.
    assert payback_month(with_credit, api) == 36

    longer = 80
    cash = owned_purchase_cash_flows(_fleet(longer), **kwargs) + RUNNING_USD
    assert payback_month(cash, np.full(longer, API_USD)) == 67


def test_candidate_cash_flows_remove_only_the_terminal_credit() -> None:
    months = 36
    kwargs = {
        "purchase_price_usd_per_gpu": PRICE,
        "useful_life_months": LIFE_MONTHS,
        "residual_value_fraction": 0.1,
    }
    purchases = owned_purchase_cash_flows(_fleet(months), **kwargs)
    credit = owned_book_value_usd(_fleet(months), **kwargs)
    # Straight line from 25,000 down to 2,500 over 120 months: after 36, 25,000 − 22,500 × 36/120 = 18,250.
    assert credit == pytest.approx(GPUS * 18_250.0)
    one_off = purchases.copy()
    one_off[-1] -= credit
    economics = SelfHostedEconomics(
        deployment="owned",
        gpus_per_replica=GPUS,
        replica_tokens_per_s=1000.0,
        target_utilisation=1.0,
        peak_to_mean_ratio=1.0,
        redundancy=Redundancy("low"),
    )
    candidate = Candidate(
        id="self-hosted:m:g:owned",
        placement="self-hosted",
        provider=None,
        model="m",
        tokens=np.ones(months),
        recurring_usd=np.full(months, RUNNING_USD),
        one_off_usd=one_off,
        quality=QualityRatio(1.0, "same-model"),
        economics=economics,
        book_value_credit_usd=credit,
    )
    assert candidate.horizon_usd == pytest.approx(GPUS * PRICE - GPUS * 18_250.0 + months * RUNNING_USD)
    assert candidate.cash_flows_usd.sum() == pytest.approx(GPUS * PRICE + months * RUNNING_USD)
    assert candidate.cash_flows_usd[0] == pytest.approx(GPUS * PRICE + RUNNING_USD)
