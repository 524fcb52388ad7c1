"""``--fail-on`` policies: parsing and which workloads trip them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.errors import UsageError
from llm_tco.plan import PlanInputs, build_plan, evaluate_policies, parse_fail_on


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    return PlanInputs.bundled()


def test_parse_fail_on() -> None:
    assert parse_fail_on("breakeven-crossed").kind == "breakeven-crossed"
    assert parse_fail_on("unpriced").kind == "unpriced"
    assert parse_fail_on("savings-above=1,000").threshold_usd == Decimal(1000)
    assert parse_fail_on("savings-above=$250.5").threshold_usd == Decimal("250.5")
    for bad in ("savings-above=lots", "savings-above=-5", "cheap"):
        with pytest.raises(UsageError, match="--fail-on"):
            parse_fail_on(bad)


def test_policies_name_the_workloads_that_trip(inputs: PlanInputs) -> None:
    profiles = [
        # A huge gpt-4o workload that may not use third-party APIs: self-hosting is already cheaper than the
        # API it is compared with (today's gpt-4o, as no API is allowed), and moving saves a lot.
        make_profile("big", model="gpt-4o", monthly_tokens=2e11, peak=1.5),
        make_profile("small", model="gpt-4o-mini", monthly_tokens=1e6),
        make_profile("dark", model="not-a-model", provider="openai", monthly_tokens=1e6, priced=False),
    ]
    config = parse_config({"workloads": {"big": {"sovereignty": "no-third-party"}}})
    doc = build_plan(profiles, config, inputs)
    results = {
        r.policy: r.tripped
        for r in evaluate_policies(
            doc,
            [
                parse_fail_on("breakeven-crossed"),
                parse_fail_on("unpriced"),
                parse_fail_on("savings-above=100000"),
            ],
        )
    }
    assert results["breakeven-crossed"] == ["big"]
    assert results["unpriced"] == ["dark"]
    assert results["savings-above=100000"] == ["big"]
    big = next(w for w in doc.workloads if w.workload == "big")
    assert big.breakeven is not None and big.breakeven.monthly_tokens is not None
    assert big.breakeven.monthly_tokens <= big.monthly_tokens
    assert "already cheaper" in big.breakeven.text
