"""Every cost line of an option: the lines add up exactly, and each equals its hand-worked value."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.plan import PlanInputs, build_plan
from llm_tco.plan.doc import CostLines, Option, PlanDocument

# A small owned-hardware case whose every line can be worked by hand.
SMALL: dict[str, Any] = {
    "planning": {"horizon_months": 12, "discount_rate_per_year": 0.0},
    "prices": {"closed_api_decline_per_year": 0.0, "open_api_decline_per_year": 0.0},
    "gpu": {"gpus": ["h100-sxm"], "deployment_modes": ["owned"]},
    "owned": {
        "useful_life_years": 5.0,
        "residual_value_fraction": 0.1,
        "purchase_price_usd_per_gpu": {"h100-sxm": 30000.0},
        "electricity_usd_per_kwh": 0.0,
        "hosting_usd_per_kw_month": 200.0,
    },
    "staffing": {
        "platform_fte": 0.5,
        "loaded_cost_usd_per_fte_year": 120000.0,
        "on_call_fte": 0.25,
        "hours_per_fte_year": 2000.0,
    },
    "operations": {"monitoring_usd_per_month": 300.0, "governance_hours_per_month": 4.0},
    "fine_tuning": {"one_off_usd": 1000.0, "periodic_usd": 500.0, "period_months": 6},
    "migration": {"prompts_to_port": 10, "hours_per_prompt": 2.0, "evaluation_hours": 20.0},
    "quality": {"unknown": "assume-floor", "floor": 0.0},
}


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    return PlanInputs.bundled()


@pytest.fixture(scope="module")
def small(inputs: PlanInputs) -> PlanDocument:
    profile = make_profile("w", model="gpt-4o", monthly_tokens=2e9, growth=0.0)
    return build_plan([profile], parse_config(SMALL), inputs)


def _total(lines: CostLines) -> Decimal:
    return sum(lines.model_dump().values(), Decimal(0))


def _options(doc: PlanDocument) -> list[Option]:
    return [o for w in doc.workloads for o in w.options if o.horizon_cost_usd is not None]


def test_lines_sum_exactly_to_the_horizon_and_first_month(inputs: PlanInputs) -> None:
    # Growth, price decline, discounting and every deployment mode: the sums stay exact.
    profile = make_profile("w", model="gpt-4o", monthly_tokens=3e9, growth=0.05)
    doc = build_plan([profile], parse_config({"planning": {"horizon_months": 24}}), inputs)
    options = _options(doc)
    assert {o.placement for o in options} == {"closed-api", "open-api", "self-hosted"}
    for option in options:
        assert option.breakdown is not None, option.id
        assert _total(option.breakdown.horizon) == option.horizon_cost_usd, option.id
        assert _total(option.breakdown.first_month) == option.monthly_costs_usd[0], option.id


def test_owned_option_lines_by_hand(small: PlanDocument) -> None:
    owned = next(o for o in small.workloads[0].options if o.deployment == "owned")
    assert owned.breakdown is not None and owned.gpus is not None
    gpus = owned.gpus
    hourly_rate = 120000.0 / 2000.0  # loaded cost per FTE-year ÷ hours per FTE-year = $60/h
    per_fte_month = 120000.0 / 12.0
    expected = {
        "staff_usd": 0.5 * per_fte_month * 12,  # 60,000
        "on_call_usd": 0.25 * per_fte_month * 12,  # 30,000
        "monitoring_usd": 300.0 * 12,
        "governance_usd": 4.0 * hourly_rate * 12,  # 2,880
        "fine_tuning_usd": 1000.0 + 500.0,  # months 1 and 7 (month 13 is past the horizon)
        "migration_usd": (10 * 2.0 + 20.0) * hourly_rate,  # 2,400
        "gpus_usd": gpus * 30000.0,  # bought in month 1, no renewal within a 5-year life
        # H100 SXM: 700 W TDP; no electricity price, $200 per kW-month of hosting
        "power_and_hosting_usd": gpus * 0.7 * 200.0 * 12,
        # 12 of 60 months used: book value 30,000 × (1 - 0.9 × 12/60) = 24,600 per GPU, credited
        "residual_credit_usd": -gpus * 30000.0 * (1 - 0.9 * 12 / 60),
        "tokens_usd": 0.0,
    }
    horizon = owned.breakdown.horizon.model_dump()
    for key, value in expected.items():
        assert float(horizon[key]) == pytest.approx(value, abs=1e-5), key
    first = owned.breakdown.first_month.model_dump()
    assert float(first["staff_usd"]) == pytest.approx(5000.0)
    assert float(first["fine_tuning_usd"]) == pytest.approx(1000.0)
    assert float(first["gpus_usd"]) == pytest.approx(gpus * 30000.0)
    assert float(first["residual_credit_usd"]) == 0.0
    average = owned.breakdown.average_month.model_dump()
    assert float(average["staff_usd"]) == pytest.approx(5000.0)


def test_api_option_lines_by_hand(small: PlanDocument) -> None:
    workload = small.workloads[0]
    stay = next(o for o in workload.options if o.id == "stay")
    assert stay.breakdown is not None and workload.current_monthly_cost_usd is not None
    today = float(workload.current_monthly_cost_usd)
    # No growth, no price decline: twelve months of today's spend, all of it tokens.
    assert float(stay.breakdown.horizon.tokens_usd) == pytest.approx(12 * today, abs=1e-5)
    assert _total(stay.breakdown.horizon) == stay.breakdown.horizon.tokens_usd
    moved = next(o for o in workload.options if o.placement == "closed-api" and o.id != "stay")
    assert moved.breakdown is not None and moved.monthly_cost_usd is not None
    assert float(moved.breakdown.horizon.migration_usd) == pytest.approx(2400.0)
    assert float(moved.breakdown.first_month.tokens_usd) == pytest.approx(float(moved.monthly_cost_usd))


def test_terminal_shows_the_top_lines(small: PlanDocument) -> None:
    from rich.console import Console

    from llm_tco.report.plan_terminal import render_plan

    console = Console(width=400, record=True)
    render_plan(small, console)
    text = console.export_text()
    workload = small.workloads[0]
    owned = next(o for o in workload.options if o.id == workload.best_by_placement["self-hosted"])
    assert owned.horizon_cost_usd is not None
    # Staff: 0.5 FTE at $10,000 per FTE-month = $5,000 a month, 60,000 of the option's gross horizon cost
    # (the costs before the residual credit, whose value the hand-worked test above checks).
    assert owned.breakdown is not None and owned.breakdown.horizon.residual_credit_usd < 0
    gross = float(owned.horizon_cost_usd) - float(owned.breakdown.horizon.residual_credit_usd)
    share = 60000 / gross
    assert f"staff 0.5 FTE $5.0k/mo — {share:.0%}" in text
    assert "cost lines, recommended (" in text
