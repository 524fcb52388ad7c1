"""Price-file entries follow their validity month by month in the plan: a negotiated discount that
expires inside the horizon prices the months after it at the list price."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.plan import PlanInputs, build_plan
from llm_tco.plan.api_options import mix_cost_usd
from llm_tco.plan.inputs import genai_prices_pricer, with_price_overrides
from llm_tco.pricing.overrides import parse_price_overrides

START = "2026-11"


def _option(entries: list[dict[str, Any]]) -> Any:
    profile = make_profile("w", monthly_tokens=1e9, growth=0.0)
    config = parse_config(
        {
            "planning": {"start_month": START, "horizon_months": 12},
            "prices": {"closed_api_decline_per_year": 0.0, "open_api_decline_per_year": 0.0},
            "operations": {"monitoring_usd_per_month": 0.0, "governance_hours_per_month": 0.0},
            "staffing": {"platform_fte": 0.0, "on_call_fte": 0.0},
        }
    )
    inputs = with_price_overrides(PlanInputs.bundled(), parse_price_overrides({"prices": entries}, "p.yaml"))
    doc = build_plan([profile], config, inputs)
    option = next(o for o in doc.workloads[0].options if o.id == "closed-api:openai:gpt-4o")
    return profile, option


def _token_months(option: Any) -> list[float]:
    """The option's token cost by month: month 1 from its breakdown (its migration is a separate line),
    later months are tokens only (API options carry no other recurring cost here)."""
    first = float(option.breakdown.first_month.tokens_usd)
    return [first] + [float(usd) for usd in option.monthly_costs_usd[1:]]


def _list_usd(profile: Any) -> float:
    """gpt-4o's month at the list price (genai-prices, without the price file)."""
    listed = genai_prices_pricer("openai", "gpt-4o", datetime(2026, 11, 1), 1000)
    assert listed is not None
    return float(mix_cost_usd(listed.rates, profile.monthly))


def test_a_discount_ending_in_month_7_is_list_price_from_month_7() -> None:
    # Months 1-6 (2026-11 … 2027-04) at 25% off; the entry ends 2027-05-01 (exclusive), so months 7-12
    # (2027-05 …) pay the list price. Migration (month 1 only) is left out by comparing token lines.
    profile, option = _option(
        [{"provider": "openai", "model": "gpt-4o", "discount_pct": 25, "valid_to": "2027-05-01"}]
    )
    listed = _list_usd(profile)
    tokens = _token_months(option)
    expected = [0.75 * listed] * 6 + [listed] * 6
    assert tokens == pytest.approx(expected, rel=1e-6)
    assert any("from month 7 (2027-05)" in note for note in option.notes)


def test_a_discount_starting_inside_the_horizon() -> None:
    # 40% off from 2027-02-01: months 1-3 at list, 4-12 at 60%.
    profile, option = _option(
        [{"provider": "openai", "model": "gpt-4o", "discount_pct": 40, "valid_from": "2027-02-01"}]
    )
    listed = _list_usd(profile)
    tokens = _token_months(option)
    assert tokens == pytest.approx([listed] * 3 + [0.6 * listed] * 9, rel=1e-6)


def test_an_open_ended_discount_is_flat() -> None:
    profile, option = _option([{"provider": "openai", "model": "gpt-4o", "discount_pct": 25}])
    tokens = _token_months(option)
    assert tokens == pytest.approx([0.75 * _list_usd(profile)] * 12, rel=1e-6)
    assert not any("price file: from month" in note for note in option.notes)
