"""Organisation totals: a workload with no option counts at its current cost; forced costs apart from
optional savings; a horizon whose numbers overflow is an error naming the inputs."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from _plan_fixtures import make_profile
from rich.console import Console

from llm_tco.config import parse_config
from llm_tco.errors import ConfigError
from llm_tco.plan import PlanInputs, build_plan
from llm_tco.report.plan_terminal import render_plan


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
    console = Console(width=300, record=True, color_system=None)
    render_plan(doc, console)
    assert f"+${float(forced_change):,.0f} forced by secret: sovereignty air-gapped" in console.export_text()


def test_an_overflowing_horizon_is_an_error_naming_the_inputs(inputs: PlanInputs) -> None:
    # 1.3^239 ≈ 1e27: 1e9 tokens/month grow to 1e36, which needs more replicas than a 64-bit count holds.
    raw = {"planning": {"horizon_months": 240}, "growth": {"mode": "fixed", "monthly_rate": 0.3}}
    with pytest.raises(ConfigError) as caught:
        build_plan([make_profile("w", model="gpt-4o", growth=None)], parse_config(raw), inputs)
    message = str(caught.value)
    assert "240-month horizon" in message
    assert "+30.0%/month" in message
    assert "workload w" in message


def test_partly_unpriced_usage_is_flagged_as_a_lower_bound(inputs: PlanInputs) -> None:
    # Half of the workload's tokens have no price: today's cost is the priced half only, so every figure
    # built on it is a lower bound and the workload is listed as unpriced.
    partly = replace(make_profile("partly", model="gpt-4o"), unpriced_share=0.5)
    doc = build_plan([partly, make_profile("whole", model="gpt-4o")], parse_config({}), inputs)
    plans = {p.workload: p for p in doc.workloads}
    assert plans["partly"].current_cost_is_lower_bound
    assert not plans["whole"].current_cost_is_lower_bound
    assert next(o for o in plans["partly"].options if o.id == "stay").cost_is_lower_bound
    assert doc.totals.workloads_unpriced == ["partly"]
    assert doc.totals.current_cost_is_lower_bound
    console = Console(width=200, record=True, color_system=None)
    render_plan(doc, console)
    text = console.export_text()
    assert (
        f"today ≥ ${float(plans['partly'].current_monthly_cost_usd or 0):,.0f}/month (50% of tokens unpriced)"
        in text
    )
    assert "unpriced usage (costs shown are lower bounds): partly" in text
