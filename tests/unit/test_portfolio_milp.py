"""The portfolio programme against brute-force enumeration on small problems.

Each problem is random: workloads, single-workload options (some self-hosted), pools covering several
workloads, a platform cost. The test enumerates every way of covering each workload exactly once and
takes the cheapest (platform once when anything is self-hosted); the solver must find the same value.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from llm_tco.plan.portfolio.milp import Problem, cvar_usd, dominated_choices, solve


def _random_problem(seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    workloads = int(rng.integers(2, 5))
    covers: list[tuple[int, ...]] = []
    hosted: list[bool] = []
    for w in range(workloads):
        for k in range(int(rng.integers(1, 4))):
            covers.append((w,))
            hosted.append(k > 0 and bool(rng.random() < 0.6))
    for _ in range(int(rng.integers(0, 4))):
        size = int(rng.integers(2, workloads + 1))
        covers.append(tuple(sorted(rng.choice(workloads, size=size, replace=False).tolist())))
        hosted.append(True)
    cost = rng.uniform(10.0, 100.0, size=len(covers)).round(2)
    return Problem(
        workloads=workloads,
        covers=covers,
        cost_usd=cost,
        self_hosted=np.array(hosted),
        platform_usd=round(float(rng.uniform(0.0, 80.0)), 2),
        scenario_cost_usd=cost[:, None] * rng.uniform(0.5, 1.5, size=(len(covers), 12)),
    )


def _partitions(problem: Problem) -> list[tuple[int, ...]]:
    """Every set of columns covering each workload exactly once."""
    out = []
    n = len(problem.covers)
    for size in range(1, problem.workloads + 1):
        for subset in itertools.combinations(range(n), size):
            covered = sorted(w for j in subset for w in problem.covers[j])
            if covered == list(range(problem.workloads)):
                out.append(subset)
    return out


def _mean_total(problem: Problem, subset: tuple[int, ...]) -> float:
    platform = problem.platform_usd if any(problem.self_hosted[j] for j in subset) else 0.0
    return float(sum(problem.cost_usd[j] for j in subset)) + platform


def _worst_mean(problem: Problem, subset: tuple[int, ...], worst: int) -> float:
    """Mean of the ``worst`` costliest scenarios of the portfolio ``subset``."""
    assert problem.scenario_cost_usd is not None
    platform = problem.platform_usd if any(problem.self_hosted[j] for j in subset) else 0.0
    totals = [
        sum(problem.scenario_cost_usd[j][s] for j in subset) + platform
        for s in range(problem.scenario_cost_usd.shape[1])
    ]
    return sum(sorted(totals, reverse=True)[:worst]) / worst


@pytest.mark.parametrize("seed", range(25))
def test_the_optimum_matches_brute_force_enumeration(seed: int) -> None:
    problem = _random_problem(seed)
    best = min(_mean_total(problem, s) for s in _partitions(problem))
    solution = solve(problem)
    assert solution.status == "optimal"
    assert solution.total_npv_usd == pytest.approx(best, abs=1e-6)
    # The solution is a partition: each workload exactly once, platform iff something is self-hosted.
    covered = sorted(w for j in solution.chosen for w in problem.covers[j])
    assert covered == list(range(problem.workloads))
    assert solution.platform == any(problem.self_hosted[j] for j in solution.chosen)


@pytest.mark.parametrize("seed", range(10))
def test_the_cvar_optimum_matches_brute_force(seed: int) -> None:
    problem = _random_problem(seed)
    # 12 scenarios at aversion 0.75: the mean of the worst 3.
    best = min(_worst_mean(problem, s, 3) for s in _partitions(problem))
    solution = solve(problem, risk_aversion=0.75)
    assert solution.objective_usd == pytest.approx(best, rel=1e-7)
    assert _worst_mean(problem, tuple(solution.chosen), 3) == pytest.approx(best, rel=1e-7)


def _with_dominated_copies(problem: Problem, seed: int) -> Problem:
    """``problem`` plus, for some columns, a copy dearer in every scenario, an exact twin, and (for a
    self-hosted column) an API twin: columns the programme may leave out without changing the optimum."""
    assert problem.scenario_cost_usd is not None
    rng = np.random.default_rng(seed)
    covers, hosted = list(problem.covers), list(problem.self_hosted)
    rows = list(problem.scenario_cost_usd)
    for j in rng.choice(len(problem.covers), size=min(3, len(problem.covers)), replace=False):
        extra = [
            (rows[j] + rng.uniform(0.01, 5.0, size=rows[j].shape), bool(hosted[j])),  # dearer everywhere
            (rows[j].copy(), bool(hosted[j])),  # a twin
        ]
        if hosted[j] and len(problem.covers[j]) == 1:
            extra.append((rows[j].copy(), False))  # the same costs without the platform
        for row, is_hosted in extra:
            covers.append(problem.covers[j])
            hosted.append(is_hosted)
            rows.append(row)
    matrix = np.array(rows)
    return Problem(
        workloads=problem.workloads,
        covers=covers,
        cost_usd=matrix.mean(axis=1),
        self_hosted=np.array(hosted),
        platform_usd=problem.platform_usd,
        scenario_cost_usd=matrix,
    )


@pytest.mark.parametrize("seed", range(10))
def test_leaving_out_dominated_choices_keeps_the_cvar_optimum(seed: int) -> None:
    problem = _with_dominated_copies(_random_problem(seed), seed)
    assert problem.scenario_cost_usd is not None
    dropped = dominated_choices(
        problem.covers, problem.self_hosted, problem.scenario_cost_usd, np.ones(len(problem.covers), np.bool_)
    )
    assert dropped.sum() >= 3  # at least the three dearer copies
    best = min(_worst_mean(problem, s, 3) for s in _partitions(problem))
    solution = solve(problem, risk_aversion=0.75)
    assert solution.objective_usd == pytest.approx(best, rel=1e-7)
    assert _worst_mean(problem, tuple(solution.chosen), 3) == pytest.approx(best, rel=1e-7)
    assert not any(dropped[j] for j in solution.chosen)


def test_which_choices_count_as_dominated() -> None:
    covers = [(0,), (0,), (0,), (0,), (1,), (1,)]
    scenarios = np.array(
        [
            [5.0, 5.0],  # API
            [5.0, 5.0],  # its twin: the first of two equal choices stays
            [4.0, 4.0],  # self-hosted, cheaper everywhere: it needs the platform, so the API stays too
            [4.0, 4.1],  # self-hosted, dearer than 2 in one scenario: 2 replaces it
            [1.0, 9.0],  # two choices, each cheaper in one scenario: both stay
            [9.0, 1.0],
        ]
    )
    hosted = np.array([False, False, True, True, False, False])
    dropped = dominated_choices(covers, hosted, scenarios, np.ones(6, np.bool_))
    assert dropped.tolist() == [False, True, False, True, False, False]
    # a choice that is not allowed can replace nothing and is left out itself
    allowed = np.array([False, True, True, True, True, True])
    assert dominated_choices(covers, hosted, scenarios, allowed).tolist() == [
        True,
        False,
        False,
        True,
        False,
        False,
    ]


def test_the_platform_is_paid_once_and_decides_whether_to_self_host() -> None:
    # Three workloads: API at 50 each, self-hosted at 30 each (before the platform).
    covers = [(0,), (0,), (1,), (1,), (2,), (2,)]
    cost = np.array([50.0, 30.0] * 3)
    hosted = np.array([False, True] * 3)
    # Platform 50: self-hosting all three costs 3×30 + 50 = 140 < 150 (the platform paid once; paid per
    # workload it would be 3×80 = 240).
    cheap = solve(Problem(3, covers, cost, hosted, platform_usd=50.0))
    assert cheap.chosen == [1, 3, 5]
    assert cheap.total_npv_usd == pytest.approx(140.0)
    # Platform 61: 90 + 61 = 151 > 150: everything stays on the API.
    dear = solve(Problem(3, covers, cost, hosted, platform_usd=61.0))
    assert dear.chosen == [0, 2, 4]
    assert not dear.platform
    assert dear.total_npv_usd == pytest.approx(150.0)


def test_restricting_the_columns_gives_a_baseline() -> None:
    covers = [(0,), (0,), (1,), (1,)]
    problem = Problem(2, covers, np.array([10.0, 1.0, 10.0, 1.0]), np.array([False, True, False, True]), 5.0)
    allowed = np.array([True, False, True, False])
    restricted = solve(Problem(**{**problem.__dict__, "allowed": allowed}))
    assert restricted.chosen == [0, 2]
    assert restricted.total_npv_usd == pytest.approx(20.0)
    assert solve(problem).total_npv_usd == pytest.approx(7.0)


def test_cvar_is_the_mean_of_the_worst_share() -> None:
    costs = np.array([1.0, 5.0, 3.0, 9.0, 7.0, 2.0, 4.0, 8.0, 6.0, 10.0])
    assert cvar_usd(costs, 0.8) == pytest.approx((10.0 + 9.0) / 2)
    assert cvar_usd(costs, 0.0) == pytest.approx(5.5)
    assert cvar_usd(costs, 1.0) == pytest.approx(10.0)
    # k = 2.5: the two worst and half the third.
    assert cvar_usd(costs, 0.75) == pytest.approx((10.0 + 9.0 + 0.5 * 8.0) / 2.5)
