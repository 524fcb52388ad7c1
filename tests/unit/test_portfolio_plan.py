"""The portfolio through ``build_plan``: the platform paid once, every assignment within its workload's
constraints, recommendations that are the portfolio's choice and sum to its total, and the baselines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.config.model import deprecated_keys
from llm_tco.plan import PlanInputs, build_plan
from llm_tco.plan.doc import PlanDocument
from llm_tco.plan.portfolio.baselines import BaselineValue
from llm_tco.plan.portfolio.build import PortfolioInvariantError, _check_against_baselines
from llm_tco.plan.portfolio.milp import NoAssignmentError, Solution
from llm_tco.plan.portfolio.pools import location_of

MONTHS = 12
LOADED_USD_PER_FTE_YEAR = 200_000.0
HOURLY_RATE_USD = LOADED_USD_PER_FTE_YEAR / 2080


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    return PlanInputs.bundled()


def _plan(inputs: PlanInputs, workloads: dict[str, dict[str, Any]], **extra: Any) -> PlanDocument:
    raw: dict[str, Any] = {
        "planning": {"horizon_months": MONTHS, "discount_rate_per_year": 0.0},
        "gpu": {"deployment_modes": ["on-demand", "reserved-1y"]},
        "workloads": {name: spec.get("table", {}) for name, spec in workloads.items()},
        **extra,
    }
    profiles = [make_profile(name, **spec.get("profile", {})) for name, spec in workloads.items()]
    return build_plan(profiles, parse_config(raw), inputs)


def _platform_monthly_usd(fte: float, on_call: float, monitoring: float, governance_hours: float) -> float:
    return (fte + on_call) * LOADED_USD_PER_FTE_YEAR / 12 + monitoring + governance_hours * HOURLY_RATE_USD


SELF_HOSTED_ONLY = {"sovereignty": "no-third-party"}
THREE = {
    "a": {"table": SELF_HOSTED_ONLY, "profile": {"monthly_tokens": 2e9}},
    "b": {"table": SELF_HOSTED_ONLY, "profile": {"monthly_tokens": 5e9}},
    "c": {"table": SELF_HOSTED_ONLY, "profile": {"monthly_tokens": 1e10}},
}


def test_the_platform_is_paid_once_for_every_self_hosted_workload(inputs: PlanInputs) -> None:
    doc = _plan(inputs, THREE)
    assert {a.placement for a in doc.portfolio.assignments} == {"self-hosted"}
    monthly = _platform_monthly_usd(1.0, 0.25, 1000.0, 10.0)
    platform = doc.portfolio.platform
    assert float(platform.monthly_cost_usd) == pytest.approx(monthly, rel=1e-9)
    assert float(platform.horizon_cost_usd) == pytest.approx(monthly * MONTHS, rel=1e-9)
    assert float(platform.npv_usd) == pytest.approx(monthly * MONTHS, rel=1e-9)  # no discounting
    # The recommendations' platform lines add up to one platform, not three.
    staff = sum(float(w.recommendation.breakdown.horizon.staff_usd) for w in doc.workloads)  # type: ignore[union-attr]
    assert staff == pytest.approx(1.0 * LOADED_USD_PER_FTE_YEAR / 12 * MONTHS, rel=1e-6)
    governance = sum(
        float(w.recommendation.breakdown.horizon.governance_usd)  # type: ignore[union-attr]
        for w in doc.workloads
    )
    assert governance == pytest.approx(10.0 * HOURLY_RATE_USD * MONTHS, rel=1e-6)
    # The organisation's recommended total is the portfolio's, platform once.
    assert float(doc.totals.recommended_horizon_cost_usd) == pytest.approx(
        float(doc.portfolio.total_horizon_cost_usd), abs=0.01
    )
    assert float(doc.portfolio.total_npv_usd) == pytest.approx(
        float(doc.portfolio.total_horizon_cost_usd), abs=0.01
    )


def test_a_lone_self_hosted_workload_carries_the_whole_platform(inputs: PlanInputs) -> None:
    doc = _plan(inputs, {"a": THREE["a"]})
    rec = doc.workloads[0].recommendation
    assert rec is not None and rec.placement == "self-hosted" and rec.breakdown is not None
    assert float(rec.breakdown.horizon.on_call_usd) == pytest.approx(
        0.25 * LOADED_USD_PER_FTE_YEAR / 12 * MONTHS
    )


def test_an_existing_team_costs_nothing_more(inputs: PlanInputs) -> None:
    doc = _plan(inputs, THREE, platform={"already_staffed": True, "monitoring_usd_per_month": 500.0})
    monthly = _platform_monthly_usd(0.0, 0.0, 500.0, 10.0)
    assert float(doc.portfolio.platform.monthly_cost_usd) == pytest.approx(monthly, rel=1e-9)
    assert doc.portfolio.platform.already_staffed


def test_nothing_self_hosted_means_no_platform(inputs: PlanInputs) -> None:
    doc = _plan(inputs, {"small": {"profile": {"monthly_tokens": 1e6}}})
    assert doc.portfolio.assignments[0].placement != "self-hosted"
    assert doc.portfolio.platform.npv_usd == Decimal(0)
    assert doc.portfolio.platform.monthly_cost_usd == Decimal(0)


MIXED = {
    "chat": {"profile": {"monthly_tokens": 3e9, "model": "gpt-4o"}},
    "eu": {"table": {"sovereignty": "region:eu"}, "profile": {"monthly_tokens": 8e9}},
    "private": {"table": SELF_HOSTED_ONLY, "profile": {"monthly_tokens": 4e9}},
    "tiny": {"profile": {"monthly_tokens": 1e7}},
    "fussy": {"table": {"quality_floor": 0.99}, "profile": {"monthly_tokens": 2e9, "model": "gpt-4o"}},
}


def test_every_assignment_meets_its_workloads_constraints(inputs: PlanInputs) -> None:
    doc = _plan(inputs, MIXED)
    plans = {w.workload: w for w in doc.workloads}
    sovereignty = {w.workload: w.sovereignty for w in doc.workloads}
    assert [a.workload for a in doc.portfolio.assignments] == list(MIXED)
    for assignment in doc.portfolio.assignments:
        plan = plans[assignment.workload]
        option = next(o for o in plan.options if o.id == assignment.option_id)
        if any(o.feasible for o in plan.options):
            assert option.feasible, (assignment.workload, option.id, option.unmet)
        else:
            assert option.id == "stay"
        assert plan.recommendation is not None and plan.recommendation.id == assignment.option_id
    for pool in doc.portfolio.pools:
        assert location_of([sovereignty[w] for w in pool.workloads]) == pool.sovereignty
        assert pool.gpus == pool.replicas * pool.gpus_per_replica


def test_the_optimum_beats_every_feasible_baseline(inputs: PlanInputs) -> None:
    doc = _plan(inputs, MIXED)
    portfolio = doc.portfolio
    names = [b.name for b in portfolio.baselines]
    assert names == ["all-stay", "per-workload", "all-self-hosted"]
    for baseline in portfolio.baselines:
        if baseline.total_npv_usd is not None:
            assert portfolio.total_npv_usd <= baseline.total_npv_usd + Decimal("0.01")
            assert [a.workload for a in baseline.assignments] != []
    # Staying is infeasible for a workload whose current API breaks its sovereignty: all-stay is null.
    stays_feasible = all(next(o for o in w.options if o.id == "stay").feasible for w in doc.workloads)
    assert (portfolio.baselines[0].total_npv_usd is not None) == stays_feasible
    assert portfolio.solver_status.status == "optimal"
    assert portfolio.solver_status.mip_gap is not None and portfolio.solver_status.mip_gap < 1e-9


def test_all_stay_is_valued_like_the_stay_options(inputs: PlanInputs) -> None:
    doc = _plan(inputs, {name: MIXED[name] for name in ("chat", "tiny")})
    stay = doc.portfolio.baselines[0]
    assert stay.total_npv_usd is not None
    by_hand = sum(next(o.npv_usd for o in w.options if o.id == "stay") or Decimal(0) for w in doc.workloads)
    assert float(stay.total_npv_usd) == pytest.approx(float(by_hand), abs=1e-4)
    assert [a.option_id for a in stay.assignments] == ["stay", "stay"]
    assert doc.portfolio.current_npv_usd == stay.total_npv_usd


def test_a_forced_move_makes_staying_infeasible(inputs: PlanInputs) -> None:
    # Today on a third-party API, but the workload may not use one: staying is not an option.
    doc = _plan(inputs, {"a": THREE["a"]})
    assert doc.portfolio.baselines[0].total_npv_usd is None
    assert doc.portfolio.assignments[0].option_id != "stay"


def _solution(total: float, status: str) -> Solution:
    return Solution(
        chosen=[0], platform=False, total_npv_usd=total, objective_usd=total, status=status, mip_gap=0.0
    )


_HOSTED = np.array([False, True])
"""Column 0 an API option, column 1 self-hosted."""


def test_an_optimum_worse_than_a_baseline_is_an_internal_error() -> None:
    baseline = BaselineValue("all-stay", [1], 100.0, 100.0)
    with pytest.raises(PortfolioInvariantError, match="worse than the all-stay baseline"):
        _check_against_baselines(_solution(101.0, "optimal"), [baseline], 0.0, _HOSTED)
    # Within rounding it is the same value, not a violation.
    same, notes = _check_against_baselines(_solution(100.0 + 1e-6, "optimal"), [baseline], 0.0, _HOSTED)
    assert same.chosen == [0] and not notes
    # A solver stopped by its time limit may be beaten: the baseline is taken (with the platform its
    # self-hosted column needs), with a note.
    taken, notes = _check_against_baselines(_solution(150.0, "time-limit"), [baseline], 0.0, _HOSTED)
    assert taken.chosen == [1] and taken.total_npv_usd == 100.0 and taken.platform and notes


def test_a_solver_out_of_time_without_an_assignment_takes_the_best_baseline() -> None:
    """A large CVaR programme can reach HiGHS's time limit before any feasible point: the plan takes the
    best baseline under the same objective instead of failing."""
    baselines = [
        BaselineValue("all-stay", [0], 120.0, 130.0),
        BaselineValue("all-self-hosted", [1], 90.0, 95.0),
    ]
    out_of_time = NoAssignmentError("no assignment", "time-limit")
    taken, notes = _check_against_baselines(out_of_time, baselines, 0.5, _HOSTED)
    assert taken.chosen == [1] and taken.objective_usd == 95.0 and taken.platform
    assert taken.status == "time-limit" and "all-self-hosted baseline" in notes[0]
    # An infeasible programme is a bug, not a time limit: it is raised.
    with pytest.raises(NoAssignmentError):
        _check_against_baselines(NoAssignmentError("infeasible", "failed"), baselines, 0.5, _HOSTED)


def test_old_platform_keys_are_read_with_a_deprecation() -> None:
    config = parse_config(
        {
            "staffing": {"platform_fte": 0.5, "on_call_fte": 0.1},
            "operations": {"monitoring_usd_per_month": 300.0},
            "platform": {"on_call_fte": 0.2},
        }
    )
    assert config.platform.fte == 0.5
    assert config.platform.on_call_fte == 0.2  # [platform] wins
    assert config.platform.monitoring_usd_per_month == 300.0
    assert config.platform.governance_hours_per_month == 10.0  # the default
    warnings = deprecated_keys(config)
    assert len(warnings) == 3
    assert any("staffing.platform_fte" in w and "[platform] fte" in w for w in warnings)
    assert deprecated_keys(parse_config({"platform": {"fte": 2.0}})) == []


def test_a_shared_platform_lowers_each_options_break_even(inputs: PlanInputs) -> None:
    alone = _plan(inputs, {"a": THREE["a"]}).workloads[0]
    shared = _plan(inputs, THREE).workloads[0]
    compared = 0
    for option in shared.options:
        if option.placement != "self-hosted" or option.breakeven is None:
            continue
        lone = next(o for o in alone.options if o.id == option.id)
        assert lone.breakeven is not None
        if option.breakeven.monthly_tokens is None or lone.breakeven.monthly_tokens is None:
            continue
        # Part of the platform instead of all of it: the fixed cost to recover is smaller.
        assert option.breakeven.monthly_tokens < lone.breakeven.monthly_tokens
        assert option.npv_usd is not None and lone.npv_usd is not None and option.npv_usd < lone.npv_usd
        compared += 1
    assert compared > 0
