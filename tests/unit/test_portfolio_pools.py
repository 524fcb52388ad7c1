"""Pools: sized for the busiest hour of the summed hourly load, cheaper together exactly when the
construction makes them so, and never across sovereignty classes no one location satisfies.

Every workload here runs the same open model on one GPU per replica at a throughput the test sets, so
replica counts follow by hand from the sizing rule:
needed = ceil(monthly tokens × peak-to-mean ÷ (tokens/s × utilisation × 730 h × 3600 s)).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from _plan_fixtures import START, make_profile

from llm_tco.catalog.quality import QualityRatio
from llm_tco.config.load import parse_config
from llm_tco.cost.horizon import npv_usd
from llm_tco.cost.selfhost import SelfHostedEconomics
from llm_tco.plan.candidate import Candidate
from llm_tco.plan.context import workload_context
from llm_tco.plan.portfolio.items import Choice, PlannedWorkload, WorkloadItem
from llm_tco.plan.portfolio.milp import solve
from llm_tco.plan.portfolio.pools import candidate_pools, location_of, pool_config
from llm_tco.plan.portfolio.problem import columns_problem

TOKENS_PER_S = 1000.0
UTILISATION = 0.5
HOURLY_USD = 2.0
MONTHS = 3
SECONDS_PER_MONTH = 730 * 3600
# One replica carries this many tokens a month at a peak-to-mean ratio of 2.
CAPACITY_AT_PEAK_2 = TOKENS_PER_S * UTILISATION * SECONDS_PER_MONTH / 2.0
DAY = np.arange(168) % 24
MORNING = tuple(float(v) for v in np.where(DAY < 12, 2.0, 0.0))  # busy 00-12 UTC, mean 1
EVENING = tuple(float(v) for v in np.where(DAY >= 12, 2.0, 0.0))  # busy 12-24 UTC, mean 1


def _item(
    index: int,
    name: str,
    shape: tuple[float, ...],
    *,
    sovereignty: str = "any",
    criticality: str = "low",
    monthly_tokens: float = CAPACITY_AT_PEAK_2,
) -> WorkloadItem:
    config = parse_config(
        {
            "planning": {"horizon_months": MONTHS},
            "capacity": {"target_utilisation": UTILISATION},
            "workloads": {name: {"sovereignty": sovereignty, "criticality": criticality}},
        }
    )
    profile = dataclasses.replace(
        make_profile(name, monthly_tokens=monthly_tokens, peak=2.0), hour_of_week_peak=shape
    )
    context = workload_context(profile, config, START)
    economics = SelfHostedEconomics(
        deployment="on-demand",
        gpus_per_replica=1,
        replica_tokens_per_s=TOKENS_PER_S,
        target_utilisation=UTILISATION,
        peak_to_mean_ratio=2.0,
        redundancy=context.redundancy,
        gpu_hourly_usd=HOURLY_USD,
    )
    serving = economics.months(context.tokens).gpu_cost_usd
    zeros = np.zeros(MONTHS)
    candidate = Candidate(
        id="self-hosted:m:g:on-demand",
        placement="self-hosted",
        provider=None,
        model="m",
        open_model="m",
        tokens=context.tokens,
        recurring_usd=serving,
        one_off_usd=zeros,
        quality=QualityRatio(1.0, "override"),
        gpu="g",
        gpus_per_replica=1,
        tensor_parallel=1,
        pipeline_parallel=1,
        precision="bf16",
        deployment="on-demand",
        economics=economics,
        lines={"gpus": serving, "migration": zeros, "fine_tuning": zeros},
    )
    rate = config.planning.discount_rate_per_year
    choice = Choice(candidate, serving, npv_usd(serving, rate), 0.0)
    planned: Any = PlannedWorkload(plan=None, context=context, candidates=[candidate])  # type: ignore[arg-type]
    return WorkloadItem(index, planned, [choice], choice, choice.id)


def test_complementary_daily_peaks_share_one_replica() -> None:
    items = [_item(0, "day", MORNING), _item(1, "night", EVENING)]
    # Alone: each peaks at 2× its mean: ceil(C × 2 / (2 C)) = 1 replica each (low criticality: no spares).
    for item in items:
        assert item.choices[0].candidate.economics is not None
        alone = item.choices[0].candidate.economics.months(item.context.tokens)
        assert alone.replicas.tolist() == [1] * MONTHS
    (pool,) = candidate_pools(items)
    # Together: at every hour one of them is at 2× its mean and the other idle, so the sum is flat at its
    # mean (2C a month): ceil(2C × 1 / (2C)) = 1 replica for both.
    assert pool.peak_to_mean_ratio == pytest.approx(1.0)
    assert pool.months.replicas.tolist() == [1] * MONTHS
    alone_usd = 2 * MONTHS * 730 * HOURLY_USD
    assert float(pool.flows_usd.sum()) == pytest.approx(alone_usd / 2)
    columns, problem = columns_problem(items, [pool], platform_npv_usd=0.0)
    solution = solve(problem)
    assert [columns[j].pool for j in solution.chosen] == [pool]


def test_peaks_at_the_same_hour_are_not_cheaper_together() -> None:
    items = [_item(0, "a", MORNING), _item(1, "b", MORNING)]
    pool = pool_config(items, [i.choices[0] for i in items], "any")
    # Together the busiest hour is twice the summed mean: ceil(2C × 2 / (2C)) = 2 replicas, as apart.
    assert pool.peak_to_mean_ratio == pytest.approx(2.0)
    assert pool.months.replicas.tolist() == [2] * MONTHS
    assert pool.npv_usd == pytest.approx(sum(i.choices[0].npv_usd for i in items))
    # No cheaper than apart: not offered to the optimiser at all.
    assert candidate_pools(items) == []


def test_a_pool_keeps_the_spares_of_its_most_critical_workload() -> None:
    items = [_item(0, "day", MORNING, criticality="standard"), _item(1, "night", EVENING, criticality="high")]
    (pool,) = candidate_pools(items)
    # 1 serving replica; high criticality: max(1 + 1 spare, ceil(2 × 1)) = 2.
    assert pool.months.replicas.tolist() == [2] * MONTHS


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        (("any", "no-third-party"), "any"),
        (("region:eu", "any"), "region:eu"),
        (("region:eu", "region:eu", "no-third-party"), "region:eu"),
        (("region:eu", "region:us"), None),
        (("air-gapped", "air-gapped"), "air-gapped"),
        (("air-gapped", "any"), None),
        (("air-gapped", "no-third-party"), None),
        (("on-prem", "any"), "on-prem"),
        (("on-prem", "air-gapped"), None),
    ],
)
def test_one_location_must_satisfy_every_member(classes: tuple[str, ...], expected: str | None) -> None:
    assert location_of(list(classes)) == expected


def test_pools_never_mix_incompatible_sovereignty() -> None:
    classes = ["region:eu", "region:us", "any", "air-gapped", "air-gapped"]
    # Standard criticality: any two workloads together save a spare, so every pair one location can
    # hold is cheaper together — and only those are offered.
    items = [_item(i, f"w{i}", MORNING, sovereignty=c, criticality="standard") for i, c in enumerate(classes)]
    memberships = {pool.members for pool in candidate_pools(items)}
    # By hand: eu+any, us+any, and the two air-gapped ones; nothing else.
    assert memberships == {(0, 2), (1, 2), (3, 4)}
    for pool in candidate_pools(items):
        assert location_of([classes[m] for m in pool.members]) == pool.location


def test_scenario_draws_without_spread_give_the_mean_optimum() -> None:
    # Every draw equal to the option's deterministic NPV (the platform in it, as the engine costs a
    # self-hosted option): the CVaR optimum is then the mean optimum, the pool included.
    items = [_item(0, "day", MORNING), _item(1, "night", EVENING)]
    pools = candidate_pools(items)
    platform_npv = 1234.0

    def flat(keys: Any) -> np.ndarray:
        by_key = {(i.name, c.id): c.npv_usd + platform_npv for i in items for c in i.choices}
        return np.array([[by_key[tuple(k)]] * 20 for k in keys])

    _, problem = columns_problem(items, pools, platform_npv, scenarios=flat)
    assert problem.scenario_cost_usd is not None
    np.testing.assert_allclose(problem.scenario_cost_usd[:, 0], problem.cost_usd)
    mean = solve(problem)
    risky = solve(problem, risk_aversion=0.9)
    assert risky.chosen == mean.chosen
    assert risky.objective_usd == pytest.approx(mean.total_npv_usd)
