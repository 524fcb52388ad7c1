"""Monte Carlo over the plan: with every distribution fixed it is the deterministic plan to the cent; seeded
runs reproduce; percentiles converge to the exact ones; ranges and chances of beating staying match
hand-derived values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.config.uncertainty import ASSUMPTION_KINDS
from llm_tco.plan.doc import PlanDocument
from llm_tco.plan.engine import build_plan, plan_with_uncertainty
from llm_tco.plan.inputs import PlanInputs
from llm_tco.plan.uncertainty.scenarios import (
    OptionKey,
    draw_scenarios,
    evaluate_workload,
    option_npv_draws,
)
from llm_tco.profile.model import WorkloadProfile

CENT = 0.005


def _fixed(**overrides: dict[str, Any]) -> dict[str, Any]:
    """Every assumption at its point value (shift 0, factor 1), except ``overrides``."""
    table: dict[str, Any] = {
        name: {"dist": "fixed", "value": 0.0 if kind == "shift" else 1.0}
        for name, kind in ASSUMPTION_KINDS.items()
    }
    table.update(overrides)
    return table


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    return PlanInputs.bundled()


def _profiles() -> list[WorkloadProfile]:
    # Big enough to make self-hosting cheap (every mode, owned included), one small and growing, one
    # shrinking, one on a closed model the hosted open ones compete with.
    return [
        make_profile("big", monthly_tokens=4e11, growth=0.02),
        make_profile("small", model="gpt-4o", monthly_tokens=2e8, growth=0.05),
        make_profile("shrinking", monthly_tokens=5e10, growth=-0.03, peak=3.0),
    ]


def _config(uncertainty: dict[str, Any], **extra: Any) -> Any:
    raw: dict[str, Any] = {"uncertainty": uncertainty}
    raw.update(extra)
    return parse_config(raw)


def _priced(doc: PlanDocument) -> list[tuple[str, Any]]:
    return [(w.workload, o) for w in doc.workloads for o in w.options if o.npv_usd is not None]


@pytest.mark.parametrize("criticality", ["low", "standard", "high"])
def test_every_distribution_fixed_gives_the_deterministic_plan_to_the_cent(
    inputs: PlanInputs, criticality: str
) -> None:
    workloads = {name: {"criticality": criticality} for name in ("big", "small", "shrinking")}
    config = _config({"draws": 32, **_fixed()}, workloads=workloads)
    doc = build_plan(_profiles(), config, inputs)
    priced = _priced(doc)
    modes = {o.deployment for _, o in priced if o.placement == "self-hosted"}
    assert modes == {"on-demand", "reserved-1y", "reserved-3y", "spot", "owned"}
    assert {o.placement for _, o in priced} == {"closed-api", "open-api", "self-hosted"}
    for workload, option in priced:
        where = f"{workload}/{option.id}"
        for p in ("p10", "p50", "p90"):
            assert abs(float(getattr(option, f"npv_usd_{p}")) - float(option.npv_usd)) < CENT, where
            assert (
                abs(float(getattr(option, f"horizon_cost_usd_{p}")) - float(option.horizon_cost_usd)) < CENT
            ), where
    for plan in doc.workloads:
        assert plan.recommendation is not None and plan.recommendation.npv_usd_p50 is not None
        assert abs(float(plan.recommendation.npv_usd_p50) - float(plan.recommendation.npv_usd)) < CENT
    # the organisation: staying's NPV summed, and the saving of the recommendations
    stay = sum(float(o.npv_usd) for _, o in priced if o.id == "stay")
    rec = sum(float(p.recommendation.npv_usd) for p in doc.workloads if p.recommendation)
    assert doc.uncertainty is not None
    assert abs(float(doc.uncertainty.current_npv_usd_p50) - stay) < CENT * 3
    assert abs(float(doc.uncertainty.savings_npv_usd_p90) - (stay - rec)) < CENT * 6
    # the portfolio's range is its recommendations' (pools and the platform shared among them)
    portfolio = doc.portfolio
    for p in ("p10", "p50", "p90"):
        value = getattr(portfolio, f"npv_usd_{p}")
        assert value is not None and abs(float(value) - float(portfolio.total_npv_usd)) < CENT * 6, p


def test_fixed_replicas_and_fixed_draws_match_the_plan(inputs: PlanInputs) -> None:
    shape = {"model": "llama-3.3-70b", "gpu": "h100-sxm", "gpus_per_replica": 4, "replicas": 3}
    config = _config({"draws": 8, **_fixed()}, workloads={"big": {"self_hosted": shape}})
    doc = build_plan([make_profile("big", monthly_tokens=1e10)], config, inputs)
    selfhosted = [o for _, o in _priced(doc) if o.placement == "self-hosted"]
    assert selfhosted and all(o.replicas == 3 for o in selfhosted)
    for option in selfhosted:
        assert abs(float(option.npv_usd_p10) - float(option.npv_usd)) < CENT


def test_option_npv_draws_is_the_plans_npv_with_fixed_distributions(inputs: PlanInputs) -> None:
    doc, context = plan_with_uncertainty(_profiles(), _config({"draws": 0, **_fixed()}), inputs)
    assert doc.uncertainty is None and doc.sensitivity == []
    keys = [OptionKey(w, o.id) for w, o in _priced(doc)]
    matrix = option_npv_draws(context, keys, draws=5, seed=1)
    assert matrix.shape == (len(keys), 5)
    expected = np.array([float(o.npv_usd) for _, o in _priced(doc)])
    assert np.max(np.abs(matrix - expected[:, None])) < CENT
    with pytest.raises(KeyError):
        option_npv_draws(context, [OptionKey("big", "no-such-option")], draws=5, seed=1)


def test_seeded_runs_reproduce_and_another_seed_differs(inputs: PlanInputs) -> None:
    profiles = _profiles()
    first = build_plan(profiles, _config({"draws": 2000, "seed": 3}), inputs)
    again = build_plan(profiles, _config({"draws": 2000, "seed": 3}), inputs)
    other = build_plan(profiles, _config({"draws": 2000}), inputs, seed=4)
    assert first.uncertainty is not None and first.uncertainty.seed == 3 and first.uncertainty.draws == 2000
    assert first.model_dump() == again.model_dump()
    assert other.uncertainty is not None and other.uncertainty.seed == 4
    assert first.uncertainty.savings_npv_usd_p10 != other.uncertainty.savings_npv_usd_p10
    _, context = plan_with_uncertainty(profiles, _config({"draws": 0}), inputs)
    keys = [OptionKey("big", "stay"), OptionKey("small", "stay")]
    assert np.array_equal(option_npv_draws(context, keys, 500, 9), option_npv_draws(context, keys, 500, 9))


def _stay_npv(inputs: PlanInputs, decline: float) -> float:
    config = parse_config({"prices": {"closed_api_decline_per_year": decline}, "uncertainty": {"draws": 0}})
    doc = build_plan([make_profile("w", model="gpt-4o", monthly_tokens=1e9, growth=0.01)], config, inputs)
    stay = next(o for o in doc.workloads[0].options if o.id == "stay")
    return float(stay.npv_usd or 0)


def test_percentiles_converge_to_the_exact_ones(inputs: PlanInputs) -> None:
    # Only the closed price decline varies, by a uniform shift U(0, 0.2) on the 0.095 point value. Staying's
    # NPV falls as the decline rises, so its P10 is its NPV at the shift's P90 (0.18), its P50 at 0.10 and
    # its P90 at the shift's P10 (0.02) — each a deterministic plan at that decline.
    exact = {10: _stay_npv(inputs, 0.275), 50: _stay_npv(inputs, 0.195), 90: _stay_npv(inputs, 0.115)}
    slope = (exact[90] - exact[10]) / 0.16  # USD of NPV per unit of shift, near enough for a tolerance
    shift = {"dist": "uniform", "low": 0.0, "high": 0.2}
    config = _config({"draws": 0, **_fixed(closed_api_price_decline=shift)})
    _, context = plan_with_uncertainty(
        [make_profile("w", model="gpt-4o", monthly_tokens=1e9, growth=0.01)], config, inputs
    )
    errors = []
    for draws in (100, 1_000, 10_000, 100_000):
        scenarios = draw_scenarios(context, draws, seed=11)
        npv = evaluate_workload(context, context.workload("w"), scenarios, ["stay"]).npv_usd[0]
        got = dict(zip((10, 50, 90), np.percentile(npv, [10, 50, 90]), strict=True))
        for p in (10, 50, 90):
            q = p / 100
            # a sample quantile's standard deviation: √(q(1 − q)/n) ÷ density (5 per unit of shift)
            sd = math.sqrt(q * (1 - q) / draws) / 5.0 * slope
            assert abs(got[p] - exact[p]) < 4 * sd + 1e-6, (draws, p)
        errors.append(max(abs(got[p] - exact[p]) for p in (10, 50, 90)))
    assert errors[-1] < errors[0] / 10


def test_migration_effort_sets_range_and_chance_of_beating_staying(inputs: PlanInputs) -> None:
    # Only migration effort varies. An API option's NPV is its planned NPV + (m − 1)·M, M the planned
    # migration: (10 prompts × 8 h + 80 h) × $200,000 / 2,080 h. It beats staying while
    # m < r = (stay − option + M) / M; with m ~ U(0, 4r) that is a quarter of the scenarios.
    migration = (10 * 8 + 80) * 200_000 / 2080
    profile = make_profile("w", model="gpt-4o", monthly_tokens=1e9, growth=0.0)
    base = build_plan([profile], _config({"draws": 0}), inputs).workloads[0]
    rec = base.recommendation
    assert rec is not None and rec.id != "stay" and rec.placement != "self-hosted"
    stay = next(o for o in base.options if o.id == "stay")
    r = (float(stay.npv_usd) - float(rec.npv_usd) + migration) / migration
    effort = {"dist": "uniform", "low": 0.0, "high": 4 * r}
    doc = build_plan([profile], _config({"draws": 40_000, **_fixed(migration_effort=effort)}), inputs)
    option = next(o for o in doc.workloads[0].options if o.id == rec.id)
    assert option.probability_beats_current == pytest.approx(0.25, abs=0.01)
    for p, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        expected = float(rec.npv_usd) + (q * 4 * r - 1) * migration
        assert float(getattr(option, f"npv_usd_{p}")) == pytest.approx(expected, abs=0.02 * r * migration)
    # staying has no migration: it does not move, and is not compared with itself
    stay_ranged = next(o for o in doc.workloads[0].options if o.id == "stay")
    assert (
        stay_ranged.npv_usd_p10 == stay_ranged.npv_usd_p90 and stay_ranged.probability_beats_current is None
    )


def test_default_distributions_spread_every_option(inputs: PlanInputs) -> None:
    doc = build_plan(_profiles(), _config({"draws": 4000}), inputs)
    assert doc.uncertainty is not None
    names = {a.name for a in doc.uncertainty.assumptions}
    assert names == set(ASSUMPTION_KINDS)
    for workload, option in _priced(doc):
        assert option.npv_usd_p10 < option.npv_usd_p50 < option.npv_usd_p90, (workload, option.id)
        assert option.horizon_cost_usd_p10 < option.horizon_cost_usd_p90
        if option.id != "stay":
            assert 0.0 <= option.probability_beats_current <= 1.0
    s = doc.uncertainty
    assert s.savings_npv_usd_p10 <= s.savings_npv_usd_p50 <= s.savings_npv_usd_p90
    assert 0.0 <= s.probability_recommended_beats_current <= 1.0


def test_threads_do_not_change_the_ranges(inputs: PlanInputs) -> None:
    """The workloads' array work may run on several threads; the ranges and the organisation's sums are
    the same numbers with one thread or more."""
    from llm_tco.plan.uncertainty.ranges import monte_carlo
    from llm_tco.plan.uncertainty.scenarios import draw_scenarios

    doc, context = plan_with_uncertainty(_profiles(), _config({"draws": 0}), inputs)
    scenarios = draw_scenarios(context, 3000, 5)
    one = monte_carlo(context, list(doc.workloads), scenarios, 5, threads=1)
    several = monte_carlo(context, list(doc.workloads), scenarios, 5, threads=3)
    assert [p.model_dump() for p in one[0]] == [p.model_dump() for p in several[0]]
    assert one[1].model_dump() == several[1].model_dump()
