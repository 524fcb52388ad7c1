"""Monte Carlo ranges into the plan document: each option's P10/P50/P90 and its chance of beating staying,
and the organisation's ranges (the sum of the workloads' recommendations in the same scenarios)."""

from __future__ import annotations

import functools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import numpy as np

from llm_tco.cost.horizon import FloatArray
from llm_tco.plan.doc import Option, WorkloadPlan
from llm_tco.plan.uncertainty.distributions import quantile
from llm_tco.plan.uncertainty.document import AssumptionInForce, UncertaintySummary
from llm_tco.plan.uncertainty.percentiles import percentiles
from llm_tco.plan.uncertainty.scenarios import (
    Scenarios,
    UncertaintyContext,
    WorkloadDraws,
    evaluate_workload,
    price_paths,
)

__all__ = ["PERCENTILES", "available_cpus", "monte_carlo", "usd"]

T = TypeVar("T")

PERCENTILES = (10.0, 50.0, 90.0)


def usd(value: float) -> Decimal:
    """A float amount as Decimal dollars to the micro-dollar, as every amount of the document."""
    return Decimal(f"{value:.6f}")


def _percentiles(values: FloatArray) -> FloatArray:
    """P10, P50, P90 along the last axis (linear interpolation between order statistics: the values of
    ``np.percentile``, found faster by :func:`~llm_tco.plan.uncertainty.percentiles.percentiles`)."""
    return percentiles(np.atleast_2d(values), PERCENTILES).reshape((len(PERCENTILES), *values.shape[:-1]))


RANGE_FIELDS = (
    "npv_usd_p10",
    "npv_usd_p50",
    "npv_usd_p90",
    "horizon_cost_usd_p10",
    "horizon_cost_usd_p50",
    "horizon_cost_usd_p90",
    "probability_beats_current",
)


def _gap(a: Decimal | None, b: Decimal | None) -> float:
    return 0.0 if a is None or b is None else float(a) - float(b)


@dataclass(frozen=True)
class _WorkloadRanges:
    """One workload's draws (moved by the portfolio's offsets) and what its options' ranges need."""

    draws: WorkloadDraws
    npv: FloatArray
    """(3, options): P10, P50, P90 of each option's NPV."""
    horizon: FloatArray
    """(3, options): the same of its horizon cost."""
    beats: FloatArray | None
    """(options,): the share of draws in which the option's NPV is below staying's (None: staying has
    no price)."""


def _workload_ranges(
    context: UncertaintyContext,
    workload: str,
    scenarios: Scenarios,
    paths: dict[str, FloatArray],
    offsets: Mapping[str, tuple[float, float]],
) -> _WorkloadRanges:
    """The array work of one workload (NumPy, most of it outside the interpreter lock)."""
    draws = evaluate_workload(context, context.workload(workload), scenarios, paths_in=paths)
    for option_id, (npv_offset, horizon_offset) in offsets.items():
        row = draws.row(option_id)
        if row is not None:
            draws.npv_usd[row] += npv_offset
            draws.horizon_usd[row] += horizon_offset
    stay_row = draws.row("stay")
    beats = None
    if stay_row is not None:
        beats = np.mean(draws.npv_usd < draws.npv_usd[stay_row], axis=1)
    return _WorkloadRanges(draws, _percentiles(draws.npv_usd), _percentiles(draws.horizon_usd), beats)


def _ranged_options(options: list[Option], ranges: _WorkloadRanges) -> list[Option]:
    """The options with their ranges."""
    draws, npv, horizon = ranges.draws, ranges.npv, ranges.horizon
    out: list[Option] = []
    for option in options:
        row = draws.row(option.id)
        if row is None:
            out.append(option)
            continue
        beats = None
        if ranges.beats is not None and option.id != "stay":
            beats = float(ranges.beats[row])
        update = {
            "npv_usd_p10": usd(npv[0, row]),
            "npv_usd_p50": usd(npv[1, row]),
            "npv_usd_p90": usd(npv[2, row]),
            "horizon_cost_usd_p10": usd(horizon[0, row]),
            "horizon_cost_usd_p50": usd(horizon[1, row]),
            "horizon_cost_usd_p90": usd(horizon[2, row]),
            "probability_beats_current": beats,
        }
        out.append(option.model_copy(update=update))
    return out


def available_cpus() -> int:
    """CPUs this process may run on (its affinity where the system says, else the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _in_order(tasks: Iterable[Callable[[], T]], threads: int) -> Iterator[T]:
    """The tasks' results in order, computed on ``threads`` threads at most ``threads`` ahead of the
    consumer (so that only a few workloads' draws are held at once); inline with one thread."""
    if threads <= 1:
        yield from (task() for task in tasks)
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: deque[Future[T]] = deque()
        for task in tasks:
            pending.append(pool.submit(task))
            if len(pending) > threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _assumptions(context: UncertaintyContext) -> list[AssumptionInForce]:
    specs = [(None, s) for s in context.specs] + [(w.workload, w.demand_growth) for w in context.workloads]
    return [
        AssumptionInForce(
            name=spec.name,
            kind=spec.kind,
            workload=workload,
            distribution=spec.distribution.model_dump(exclude_none=True),
            p10=quantile(spec.distribution, 0.1),
            p90=quantile(spec.distribution, 0.9),
            source=spec.source,
        )
        for workload, spec in specs
    ]


def monte_carlo(
    context: UncertaintyContext,
    plans: list[WorkloadPlan],
    scenarios: Scenarios,
    seed: int,
    offsets: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
    threads: int | None = None,
) -> tuple[list[WorkloadPlan], UncertaintySummary]:
    """The plans with every priced option's ranges, and the organisation's summary.

    ``offsets`` (workload -> option id -> (NPV, horizon cost) in USD) moves an option's draws by what the
    portfolio changed in its point value — its share of the one platform instead of a whole platform —
    so that the ranges are of the cost the plan reports (with every distribution fixed, exactly it).

    The workloads' array work (draws, percentiles) runs on ``threads`` threads (default: the CPUs
    available): NumPy's products, partitions and element-wise loops release the interpreter lock, so a
    second core works on the next workload while the first is summarised. Each workload's numbers come
    from its own arrays and the organisation's sums are added in the workloads' order, so the results
    do not depend on the threads."""
    paths = price_paths(context, scenarios)
    size = scenarios.size
    current = np.zeros(size)
    recommended_npv = np.zeros(size)
    recommended_horizon = np.zeros(size)
    saving = np.zeros(size)
    """Over the workloads whose staying has a price (for the others there is nothing to save against)."""
    out: list[WorkloadPlan] = []
    tasks = [
        functools.partial(
            _workload_ranges, context, plan.workload, scenarios, paths, (offsets or {}).get(plan.workload, {})
        )
        for plan in plans
    ]
    for plan, ranges in zip(plans, _in_order(tasks, threads or available_cpus()), strict=True):
        draws = ranges.draws
        stay_row = draws.row("stay")
        options = _ranged_options(plan.options, ranges)
        recommendation = plan.recommendation
        chosen_row = draws.row(recommendation.id) if recommendation is not None else None
        ranged = next((o for o in options if recommendation and o.id == recommendation.id), None)
        shift = (0.0, 0.0)
        if recommendation is not None and ranged is not None:
            # the portfolio's recommendation keeps its own costs (a pool's share of the option): its
            # ranges are the option's, moved by that difference
            shift = (
                _gap(recommendation.npv_usd, ranged.npv_usd),
                _gap(recommendation.horizon_cost_usd, ranged.horizon_cost_usd),
            )
            update: dict[str, object] = {"probability_beats_current": ranged.probability_beats_current}
            for name in RANGE_FIELDS[:-1]:
                value = getattr(ranged, name)
                moved = shift[0] if name.startswith("npv") else shift[1]
                update[name] = None if value is None else usd(float(value) + moved)
            recommendation = recommendation.model_copy(update=update)
        if stay_row is not None:
            current += draws.npv_usd[stay_row]
            saving += (
                draws.npv_usd[stay_row]
                - draws.npv_usd[chosen_row if chosen_row is not None else stay_row]
                - (shift[0] if chosen_row is not None else 0.0)
            )
        fallback = chosen_row if chosen_row is not None else stay_row
        if fallback is not None:
            recommended_npv += draws.npv_usd[fallback] + (shift[0] if fallback == chosen_row else 0.0)
            recommended_horizon += draws.horizon_usd[fallback] + (shift[1] if fallback == chosen_row else 0.0)
        out.append(plan.model_copy(update={"options": options, "recommendation": recommendation}))
    c, r, h, s = (_percentiles(a) for a in (current, recommended_npv, recommended_horizon, saving))
    summary = UncertaintySummary(
        draws=size,
        seed=seed,
        assumptions=_assumptions(context),
        current_npv_usd_p10=usd(c[0]),
        current_npv_usd_p50=usd(c[1]),
        current_npv_usd_p90=usd(c[2]),
        recommended_npv_usd_p10=usd(r[0]),
        recommended_npv_usd_p50=usd(r[1]),
        recommended_npv_usd_p90=usd(r[2]),
        recommended_horizon_cost_usd_p10=usd(h[0]),
        recommended_horizon_cost_usd_p50=usd(h[1]),
        recommended_horizon_cost_usd_p90=usd(h[2]),
        savings_npv_usd_p10=usd(s[0]),
        savings_npv_usd_p50=usd(s[1]),
        savings_npv_usd_p90=usd(s[2]),
        probability_recommended_beats_current=float(np.mean(saving > 0)),
    )
    return out, summary
