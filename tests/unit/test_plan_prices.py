"""The plan's API prices with the user's price file: discounts, private models and validity dates, the same
entries the audit applies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from llm_tco.plan import PlanInputs
from llm_tco.plan.inputs import genai_prices_pricer, with_price_overrides
from llm_tco.pricing.overrides import parse_price_overrides

AT = datetime(2026, 11, 1)


@pytest.fixture(scope="module")
def priced() -> PlanInputs:
    overrides = parse_price_overrides(
        {
            "prices": [
                {"provider": "openai", "model": "gpt-4o", "discount_pct": 25, "valid_from": "2026-01-01"},
                {"model": "gpt-4o-mini", "discount_pct": 50, "valid_to": "2026-06-01"},  # expired by AT
                {"model": "acme-private-70b", "input_mtok": 0.4, "output_mtok": 1.2},
            ]
        },
        "prices.yaml",
    )
    return with_price_overrides(PlanInputs.bundled(), overrides)


def test_a_discount_lowers_every_rate(priced: PlanInputs) -> None:
    listed = genai_prices_pricer("openai", "gpt-4o", AT, 1000)
    ours = priced.pricer("openai", "gpt-4o", AT, 1000)
    assert listed is not None and ours is not None
    assert ours.rates.uncached_input_mtok == listed.rates.uncached_input_mtok * Decimal("0.75")
    assert ours.rates.output_mtok == listed.rates.output_mtok * Decimal("0.75")
    # Asked without a provider (as for closed-API candidates), the resolved provider matches the entry.
    bare = priced.pricer(None, "gpt-4o", AT, 1000)
    assert bare is not None and bare.rates == ours.rates


def test_an_expired_entry_does_not_apply(priced: PlanInputs) -> None:
    listed = genai_prices_pricer("openai", "gpt-4o-mini", AT, 1000)
    ours = priced.pricer("openai", "gpt-4o-mini", AT, 1000)
    assert listed is not None and ours is not None and ours.rates == listed.rates


def test_a_private_model_is_priced(priced: PlanInputs) -> None:
    assert genai_prices_pricer("acme", "acme-private-70b", AT, 1000) is None
    ours = priced.pricer("acme", "acme-private-70b", AT, 1000)
    assert ours is not None
    assert (ours.rates.uncached_input_mtok, ours.rates.output_mtok) == (Decimal("0.4"), Decimal("1.2"))
    assert "prices.yaml" in priced.price_data
