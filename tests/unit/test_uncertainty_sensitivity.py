"""One-at-a-time sensitivity: the tornado ranks first the input known (by construction) to matter most,
with swings derived by hand; the break-even surface follows the two most influential inputs; the portfolio
entry adds up the workloads' decisions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.config.uncertainty import ASSUMPTION_KINDS
from llm_tco.plan.doc import PlanDocument
from llm_tco.plan.engine import build_plan
from llm_tco.plan.inputs import PlanInputs
from llm_tco.plan.uncertainty.sensitivity import GRID_QUANTILES, tornado_order

MIGRATION_USD = (10 * 8 + 80) * 200_000 / 2080
"""The planned migration: (10 prompts × 8 h + 80 h of evaluation) × $200,000 / 2,080 h."""


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    return PlanInputs.bundled()


def _plan(inputs: PlanInputs, overrides: dict[str, Any], *profiles: Any) -> PlanDocument:
    table: dict[str, Any] = {
        name: {"dist": "fixed", "value": 0.0 if kind == "shift" else 1.0}
        for name, kind in ASSUMPTION_KINDS.items()
    }
    table.update(overrides)
    table["draws"] = 200
    chosen = profiles or (make_profile("w", model="gpt-4o", monthly_tokens=1e9, growth=0.0),)
    return build_plan(list(chosen), parse_config({"uncertainty": table}), inputs)


def _saving(doc: PlanDocument, workload: str) -> float:
    plan = next(w for w in doc.workloads if w.workload == workload)
    stay = next(o for o in plan.options if o.id == "stay")
    assert plan.recommendation is not None
    return float(stay.npv_usd or 0) - float(plan.recommendation.npv_usd or 0)


def test_tornado_order_is_by_swing_then_name() -> None:
    names = ["b", "a", "c", "d"]
    low, high = np.array([0.0, 5.0, -3.0, 1.0]), np.array([2.0, 5.0, 4.0, -1.0])
    # swings 2, 0, 7, 2: c first, then b and d (tie, by name), then a
    assert [names[i] for i in tornado_order(names, low, high)] == ["c", "b", "d", "a"]


def test_a_swing_below_the_micro_dollar_ties_with_zero() -> None:
    # the document states swings to the micro-dollar: a swing of rounding noise (1e-9 USD) is a swing of
    # 0.000000 there, so it must not rank above another zero swing whose name comes first
    names = ["zeta", "alpha"]
    low = np.array([238888.807188, 238888.807188])
    high = np.array([238888.807188 + 1e-9, 238888.807188])
    assert [names[i] for i in tornado_order(names, low, high)] == ["alpha", "zeta"]


def test_the_input_that_matters_most_by_construction_leads_the_tornado(inputs: PlanInputs) -> None:
    # Moving from one API to another, only the one-off migration can move the saving: the staffing cost and
    # the GPU price (both widely spread here) touch only self-hosted options. Migration effort U(0, 5):
    # P10 = 0.5, P90 = 4.5, so the saving is S + 0.5·M at P10 and S − 3.5·M at P90 (S at the point value
    # 1): a swing of 4·M.
    overrides = {
        "migration_effort": {"dist": "uniform", "low": 0.0, "high": 5.0},
        "staffing_cost": {"dist": "uniform", "low": 0.2, "high": 3.0},
        "gpu_hourly_price": {"dist": "uniform", "low": 0.2, "high": 3.0},
    }
    doc = _plan(inputs, overrides)
    base = _saving(doc, "w")
    entry = next(s for s in doc.sensitivity if s.scope == "workload")
    assert entry.workload == "w" and entry.option_id == doc.workloads[0].recommendation.id
    assert float(entry.base_saving_usd) == pytest.approx(base, abs=0.01)
    first = entry.tornado[0]
    assert first.assumption == "migration_effort"
    assert (first.low_value, first.high_value) == (pytest.approx(0.5), pytest.approx(4.5))
    assert float(first.saving_at_low_usd) == pytest.approx(base + 0.5 * MIGRATION_USD, abs=0.01)
    assert float(first.saving_at_high_usd) == pytest.approx(base - 3.5 * MIGRATION_USD, abs=0.01)
    assert float(first.swing_usd) == pytest.approx(4 * MIGRATION_USD, abs=0.01)
    assert all(float(bar.swing_usd) < 0.01 for bar in entry.tornado[1:])
    assert {bar.assumption for bar in entry.tornado} == set(ASSUMPTION_KINDS)
    # the surface: migration along x, its deciles; the saving falls by M per unit of effort and does not
    # depend on the (inert) y input
    surface = entry.breakeven_surface
    assert surface is not None and surface.x_assumption == "migration_effort"
    assert surface.quantiles == list(GRID_QUANTILES)
    assert surface.x_values == pytest.approx([5.0 * q for q in GRID_QUANTILES])
    for row in surface.savings_usd:
        expected = [base - (5.0 * q - 1.0) * MIGRATION_USD for q in GRID_QUANTILES]
        assert [float(v) for v in row] == pytest.approx(expected, abs=0.01)
    # the decision breaks even where S − (m − 1)·M = 0: the sign changes across that column of the grid
    flip = 1.0 + base / MIGRATION_USD
    signs = [float(v) > 0 for v in surface.savings_usd[0]]
    assert signs == [5.0 * q < flip for q in GRID_QUANTILES]


def test_a_wide_demand_growth_outranks_a_narrow_migration_effort(inputs: PlanInputs) -> None:
    # ±3 points of monthly growth over 36 months moves the volume by a factor of about e^(±1): the saving of a
    # cheaper API moves with it by far more than a ±10% error on a ~$15k migration (at most ~$3k).
    overrides = {
        "demand_growth": {"dist": "uniform", "low": -0.03, "high": 0.03},
        "migration_effort": {"dist": "uniform", "low": 0.9, "high": 1.1},
    }
    doc = _plan(inputs, overrides, make_profile("w", model="gpt-4o", monthly_tokens=3e9, growth=0.0))
    entry = next(s for s in doc.sensitivity if s.scope == "workload")
    growth, migration = entry.tornado[0], entry.tornado[1]
    assert growth.assumption == "demand_growth" and migration.assumption == "migration_effort"
    assert float(growth.saving_at_high_usd) > float(entry.base_saving_usd) > float(growth.saving_at_low_usd)
    assert float(migration.swing_usd) == pytest.approx(0.16 * MIGRATION_USD, abs=0.01)
    assert float(growth.swing_usd) > 10 * float(migration.swing_usd)
    assert growth.low_value == pytest.approx(-0.024) and growth.high_value == pytest.approx(0.024)


def test_the_portfolio_entry_adds_up_the_decisions(inputs: PlanInputs) -> None:
    overrides = {"migration_effort": {"dist": "uniform", "low": 0.0, "high": 5.0}}
    profiles = (
        make_profile("a", model="gpt-4o", monthly_tokens=1e9, growth=0.0),
        make_profile("b", model="gpt-4o", monthly_tokens=3e9, growth=0.0),
    )
    doc = _plan(inputs, overrides, *profiles)
    portfolio = next(s for s in doc.sensitivity if s.scope == "portfolio")
    assert portfolio.workload is None and portfolio.option_id is None
    assert float(portfolio.base_saving_usd) == pytest.approx(_saving(doc, "a") + _saving(doc, "b"), abs=0.01)
    bar = portfolio.tornado[0]
    # both workloads migrate: twice the migration swings, 2 × 4·M
    assert bar.assumption == "migration_effort"
    assert float(bar.swing_usd) == pytest.approx(8 * MIGRATION_USD, abs=0.02)
    assert doc.sensitivity[-1] is portfolio


def test_no_draws_means_no_sensitivity(inputs: PlanInputs) -> None:
    doc = build_plan([make_profile("w")], parse_config({"uncertainty": {"draws": 0}}), inputs)
    assert doc.sensitivity == [] and doc.uncertainty is None
    assert all(
        o.npv_usd_p10 is None and o.probability_beats_current is None for o in doc.workloads[0].options
    )
