"""The portfolio as a set-partitioning mixed-integer programme, solved with SciPy's ``milp`` (HiGHS).

Columns ("choices") each cover one or more workloads: a workload's option on its own covers it alone; a
candidate pool covers its members. Variables: ``x_j`` ∈ {0, 1} per choice and ``y`` ∈ {0, 1}, the
platform. Constraints: every workload is covered by exactly one choice (Σ_{j ∋ w} x_j = 1); a self-hosted
choice needs the platform (x_j ≤ y). Objective: Σ_j cost_j x_j + platform · y, NPV in USD.

With risk aversion ``A`` (0 < A ≤ 1) the objective is instead the conditional value at risk at level
``A`` over sampled scenarios (Rockafellar & Uryasev's linearisation): minimise
t + 1/k Σ_s u_s with u_s ≥ cost_s(x, y) - t, u_s ≥ 0 and k = max(1, (1 - A)·S): the mean of the worst
``(1 - A)`` share of the ``S`` scenarios (A near 1: the worst scenario; A = 0: the mean).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array, vstack

__all__ = [
    "MAX_SCENARIOS",
    "NoAssignmentError",
    "Problem",
    "Solution",
    "cvar_usd",
    "dominated_choices",
    "solve",
]

MAX_SCENARIOS = 500
"""Scenarios the CVaR programme takes at most (more are thinned evenly)."""

_TIME_LIMIT_S = 60.0


class NoAssignmentError(ValueError):
    """The solver stopped without any assignment: infeasible (a caller's bug: staying is always allowed)
    or, for a large CVaR programme, out of time before its first feasible point (``status``)."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Problem:
    """A portfolio choice problem (see the module docstring)."""

    workloads: int
    covers: list[tuple[int, ...]]
    """Per choice, the workloads it covers."""
    cost_usd: NDArray[np.float64]
    """Per choice, its NPV (USD)."""
    self_hosted: NDArray[np.bool_]
    platform_usd: float
    scenario_cost_usd: NDArray[np.float64] | None = None
    """(choices, scenarios) NPV per scenario, for risk aversion."""
    scenario_platform_usd: NDArray[np.float64] | None = None
    """(scenarios,) platform NPV per scenario (default: ``platform_usd`` in each)."""
    allowed: NDArray[np.bool_] | None = None
    """Choices the solution may use (default: all) — baselines are the same problem restricted."""


@dataclass(frozen=True)
class Solution:
    chosen: list[int]
    """Indices of the chosen choices (one per covered workload set)."""
    platform: bool
    total_npv_usd: float
    """Σ cost of the chosen + the platform when open (the mean model, whatever the objective)."""
    objective_usd: float
    status: str
    mip_gap: float | None


def _platform_scenarios(problem: Problem, scenarios: int) -> NDArray[np.float64]:
    if problem.scenario_platform_usd is not None:
        return np.asarray(problem.scenario_platform_usd, dtype=np.float64)
    return np.full(scenarios, problem.platform_usd, dtype=np.float64)


def _thin(matrix: NDArray[np.float64], platform: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
    scenarios = matrix.shape[1]
    if scenarios <= MAX_SCENARIOS:
        return matrix, platform
    keep = np.linspace(0, scenarios - 1, MAX_SCENARIOS).round().astype(np.int64)
    return matrix[:, keep], platform[keep]


def cvar_usd(costs_by_scenario: NDArray[np.float64], risk_aversion: float) -> float:
    """The CVaR the programme minimises, for one portfolio's cost in each scenario: the mean of its worst
    k = max(1, (1 - A)·S) scenarios (fractional k weighs the k-th worst partly)."""
    ordered = np.sort(np.asarray(costs_by_scenario, dtype=np.float64))[::-1]
    k = max(1.0, (1.0 - risk_aversion) * len(ordered))
    whole = int(np.floor(k))
    total = float(ordered[:whole].sum())
    if whole < len(ordered) and k > whole:
        total += (k - whole) * float(ordered[whole])
    return total / k


_DOMINANCE_CELLS = 1 << 23
"""Pairwise scenario comparisons held at once while looking for dominated choices (8 MiB of booleans)."""


def dominated_choices(
    covers: list[tuple[int, ...]],
    self_hosted: NDArray[np.bool_],
    scenarios: NDArray[np.float64],
    allowed: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Choices that another allowed choice can replace without raising the cost of any scenario: it
    covers the same workloads, costs no more in every scenario, and needs the platform only if the
    replaced one does. Replacing one lowers (or keeps) the cost in every scenario, so the CVaR — monotone
    in the scenario costs — of the best portfolio without them is the optimum. Of choices equal in every
    scenario, the first stays."""
    out = ~allowed
    groups: dict[tuple[int, ...], list[int]] = {}
    for j, cover in enumerate(covers):
        if allowed[j]:
            groups.setdefault(cover, []).append(j)
    for members in groups.values():
        if len(members) < 2:
            continue
        index = np.asarray(members, dtype=np.int64)
        costs, hosted = scenarios[index], self_hosted[index]
        m = len(index)
        # no_more[a, b]: a costs no more than b in every scenario and a needs no platform b does not
        no_more = np.empty((m, m), dtype=np.bool_)
        block = max(1, _DOMINANCE_CELLS // max(1, m * costs.shape[1]))
        for start in range(0, m, block):
            part = costs[start : start + block]
            no_more[start : start + block] = (part[:, None, :] <= costs[None, :, :]).all(axis=2)
        no_more &= ~(hosted[:, None] & ~hosted[None, :])
        earlier = np.arange(m)[:, None] < np.arange(m)[None, :]
        replaces = no_more & (~no_more.T | earlier)  # a strict order: some choice stays in each group
        np.fill_diagonal(replaces, False)
        out[index] = replaces.any(axis=0)
    return out


def solve(problem: Problem, risk_aversion: float = 0.0) -> Solution:
    """The optimum of ``problem`` (see the module docstring). Raises :class:`NoAssignmentError` when the
    solver ends without an assignment.

    With risk aversion, choices another choice beats or ties in every scenario (:func:`dominated_choices`) are
    left out of the programme first: the optimum is the same, and the programme — one scenario row over
    every choice — shrinks to the choices that can be on the efficient side of a tail."""
    if risk_aversion > 0.0 and problem.scenario_cost_usd is not None:
        matrix, platform_s = _thin(
            np.asarray(problem.scenario_cost_usd, dtype=np.float64),
            _platform_scenarios(problem, problem.scenario_cost_usd.shape[1]),
        )
        allowed = problem.allowed if problem.allowed is not None else np.ones(len(problem.covers), np.bool_)
        keep = np.flatnonzero(~dominated_choices(problem.covers, problem.self_hosted, matrix, allowed))
        reduced = Problem(
            workloads=problem.workloads,
            covers=[problem.covers[j] for j in keep],
            cost_usd=problem.cost_usd[keep],
            self_hosted=problem.self_hosted[keep],
            platform_usd=problem.platform_usd,
            scenario_cost_usd=matrix[keep],
            scenario_platform_usd=platform_s,
        )
        solution = _solve(reduced, risk_aversion)
        return replace(solution, chosen=[int(keep[j]) for j in solution.chosen])
    return _solve(problem, risk_aversion)


def _solve(problem: Problem, risk_aversion: float) -> Solution:
    n = len(problem.covers)
    cost = np.asarray(problem.cost_usd, dtype=np.float64)
    rows, cols = [], []
    for j, cover in enumerate(problem.covers):
        for w in cover:
            rows.append(w)
            cols.append(j)
    cover_matrix = coo_array(
        (np.ones(len(rows)), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
        shape=(problem.workloads, n),
    ).tocsr()
    hosted = np.flatnonzero(problem.self_hosted)
    use_cvar = risk_aversion > 0.0 and problem.scenario_cost_usd is not None
    scenarios = np.zeros((n, 0))
    platform_s = np.zeros(0)
    if use_cvar:
        assert problem.scenario_cost_usd is not None
        matrix = np.asarray(problem.scenario_cost_usd, dtype=np.float64)
        scenarios, platform_s = _thin(matrix, _platform_scenarios(problem, matrix.shape[1]))
    s = scenarios.shape[1]
    extra = 1 + s if use_cvar else 0  # t, u_1..u_S
    size = n + 1 + extra
    # Objective.
    c = np.zeros(size)
    if use_cvar:
        k = max(1.0, (1.0 - risk_aversion) * s)
        c[n + 1] = 1.0
        c[n + 2 :] = 1.0 / k
    else:
        c[:n] = cost
        c[n] = problem.platform_usd
    # Constraints.
    blocks = []
    lower, upper = [], []
    blocks.append(
        csr_array(
            (cover_matrix.data, cover_matrix.indices, cover_matrix.indptr), shape=(problem.workloads, size)
        )
    )
    lower += [1.0] * problem.workloads
    upper += [1.0] * problem.workloads
    if len(hosted):
        link = coo_array(
            (
                np.concatenate([np.ones(len(hosted)), -np.ones(len(hosted))]),
                (
                    np.concatenate([np.arange(len(hosted)), np.arange(len(hosted))]),
                    np.concatenate([hosted, np.full(len(hosted), n)]),
                ),
            ),
            shape=(len(hosted), size),
        ).tocsr()
        blocks.append(link)
        lower += [-np.inf] * len(hosted)
        upper += [0.0] * len(hosted)
    if use_cvar:
        # Σ_j D_js x_j + P_s y - t - u_s ≤ 0
        tail = np.zeros((s, size))
        tail[:, :n] = scenarios.T
        tail[:, n] = platform_s
        tail[:, n + 1] = -1.0
        tail[np.arange(s), n + 2 + np.arange(s)] = -1.0
        blocks.append(csr_array(tail))
        lower += [-np.inf] * s
        upper += [0.0] * s
    integrality = np.zeros(size)
    integrality[: n + 1] = 1
    lo = np.zeros(size)
    hi = np.ones(size)
    if problem.allowed is not None:
        hi[:n] = np.where(problem.allowed, 1.0, 0.0)
    if use_cvar:
        lo[n + 1] = -np.inf
        hi[n + 1 :] = np.inf
    result = milp(
        c,
        constraints=LinearConstraint(vstack(blocks).tocsr(), np.asarray(lower), np.asarray(upper)),
        integrality=integrality,
        bounds=Bounds(lo, hi),
        options={"time_limit": _TIME_LIMIT_S, "mip_rel_gap": 0.0},
    )
    status = "optimal" if result.status == 0 else ("time-limit" if result.status == 1 else "failed")
    if result.x is None:
        raise NoAssignmentError(f"no assignment covers every workload ({result.message})", status)
    x = np.asarray(result.x)
    chosen = [j for j in range(n) if x[j] > 0.5]
    platform = bool(x[n] > 0.5) or any(problem.self_hosted[j] for j in chosen)
    total = float(cost[chosen].sum()) + (problem.platform_usd if platform else 0.0)
    gap = getattr(result, "mip_gap", None)
    return Solution(
        chosen=chosen,
        platform=platform,
        total_npv_usd=total,
        objective_usd=float(result.fun),
        status=status,
        mip_gap=float(gap) if gap is not None else None,
    )
