"""Organisation totals: a workload with no option counts at its current cost; forced costs apart from
optional savings; a horizon whose numbers overflow is an error naming the inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.errors import ConfigError
from llm_tco.plan import PlanInputs, build_plan


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    return PlanInputs.bundled()


def _stay_horizon(plan: Any) -> Decimal:
    return next(o.horizon_cost_usd for o in plan.options if o.id == "stay")


def test_a_workload_without_an_option_counts_at_its_current_cost(inputs: PlanInputs) -> None:
    # Air-gapped allows owned hardware only, and owned is not among the deployment modes: nothing meets the
    # hard constraint, so "locked" stays where it is — at today's cost, not $0.
    raw = {
        "gpu": {"deployment_modes": ["on-demand"]},
        "workloads": {"locked": {"sovereignty": "air-gapped"}},
    }
    profiles = [
        make_profile("locked", model="gpt-4o", monthly_tokens=2e9),
        make_profile("free", model="gpt-4o"),
    ]
    doc = build_plan(profiles, parse_config(raw), inputs)
    locked, free = doc.workloads
    assert locked.recommendation is None
    assert free.recommendation is not None
    assert locked.current_monthly_cost_usd is not None and locked.current_monthly_cost_usd > 0
    totals = doc.totals
    assert totals.workloads_without_option == ["locked"]
    assert totals.recommended_monthly_cost_usd == (
        locked.current_monthly_cost_usd + (free.recommendation.monthly_cost_usd or 0)
    )
    assert totals.recommended_horizon_cost_usd == (
        _stay_horizon(locked) + (free.recommendation.horizon_cost_usd or 0)
    )


def test_forced_costs_are_apart_from_optional_savings(inputs: PlanInputs) -> None:
    raw = {"workloads": {"secret": {"sovereignty": "air-gapped"}}}
    profiles = [
        make_profile("secret", model="gpt-4o", monthly_tokens=1e8),
        make_profile("free", model="gpt-4o"),
    ]
    doc = build_plan(profiles, parse_config(raw), inputs)
    secret, free = doc.workloads
    assert secret.recommendation is not None and secret.recommendation.deployment == "owned"
    forced_change = (secret.recommendation.horizon_cost_usd or 0) - _stay_horizon(secret)
    optional_change = (free.recommendation.horizon_cost_usd or 0) - _stay_horizon(free)  # type: ignore[union-attr]
    totals = doc.totals
    assert [f.workload for f in totals.forced] == ["secret"]
    assert "air-gapped" in totals.forced[0].reason
    assert totals.forced_horizon_cost_usd == forced_change
    assert forced_change > 0  # owned GPUs and a platform team for 1e8 tokens/month cost more than the API
    assert totals.optional_horizon_cost_usd == optional_change
    assert totals.optional_horizon_cost_usd <= 0


def test_an_overflowing_horizon_is_an_error_naming_the_inputs(inputs: PlanInputs) -> None:
    # 1.3^239 ≈ 1e27: 1e9 tokens/month grow to 1e36, which needs more replicas than a 64-bit count holds.
    raw = {"planning": {"horizon_months": 240}, "growth": {"mode": "fixed", "monthly_rate": 0.3}}
    with pytest.raises(ConfigError) as caught:
        build_plan([make_profile("w", model="gpt-4o", growth=None)], parse_config(raw), inputs)
    message = str(caught.value)
    assert "240-month horizon" in message
    assert "+30.0%/month" in message
    assert "workload w" in message
