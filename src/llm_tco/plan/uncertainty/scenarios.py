"""Scenarios of the uncertain assumptions, and every option's NPV and horizon cost in each, vectorised.

A scenario gives each shared assumption one value (the market and the organisation are the same for every
workload) and each workload its own demand growth shift. Costs are evaluated for all scenarios at once:
no Python loop runs over draws, only over workloads and over the distinct replica shapes of a workload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from llm_tco.config.model import Config
from llm_tco.cost.horizon import FloatArray, discount_factors
from llm_tco.cost.selfhost import _STEP_EPSILON, SelfHostedEconomics
from llm_tco.errors import ConfigError
from llm_tco.plan.uncertainty.costs import CAPEX_LINES, STAFF_LINES, OptionCosts, OptionKey, WorkloadCosts
from llm_tco.plan.uncertainty.defaults import AssumptionSpec, global_specs
from llm_tco.plan.uncertainty.distributions import draw
from llm_tco.units import MONTHS_PER_YEAR

__all__ = [
    "OptionKey",
    "Scenarios",
    "UncertaintyContext",
    "WorkloadDraws",
    "draw_scenarios",
    "evaluate_workload",
    "option_npv_draws",
    "price_paths",
]

_MIN_FACTOR = 1e-6
"""Floor of a drawn capacity factor (a replica that carries nothing would need infinitely many)."""
_MAX_DECLINE = 0.99


@dataclass(frozen=True)
class Scenarios:
    """``size`` scenarios: each shared assumption's values (shape (size,)) and each workload's growth shift.

    Values are as configured: shifts (0 = the point assumption) or factors (1 = the point assumption)."""

    size: int
    shared: dict[str, FloatArray]
    growth_shift: dict[str, FloatArray]


@dataclass(frozen=True)
class WorkloadDraws:
    """One workload's options in every scenario: row i of each matrix is ``option_ids[i]``."""

    option_ids: list[str]
    npv_usd: FloatArray
    """(options, scenarios)."""
    horizon_usd: FloatArray
    """(options, scenarios), undiscounted."""

    def row(self, option_id: str) -> int | None:
        return self.option_ids.index(option_id) if option_id in self.option_ids else None


@dataclass(frozen=True)
class UncertaintyContext:
    """What Monte Carlo and sensitivity need of a plan: every workload's option costs and the assumptions'
    distributions (built by the plan engine; see :func:`option_npv_draws`)."""

    config: Config
    workloads: list[WorkloadCosts]
    specs: list[AssumptionSpec]
    """The shared assumptions (demand growth is per workload, in :class:`WorkloadCosts`)."""

    @classmethod
    def build(cls, config: Config, workloads: list[WorkloadCosts]) -> UncertaintyContext:
        return cls(config=config, workloads=workloads, specs=global_specs(config))

    def workload(self, name: str) -> WorkloadCosts:
        found = next((w for w in self.workloads if w.workload == name), None)
        if found is None:
            raise KeyError(name)
        return found

    @property
    def months(self) -> int:
        return self.config.planning.horizon_months

    def point(self, size: int = 1) -> Scenarios:
        """``size`` copies of the point assumptions (the deterministic plan)."""
        return Scenarios(
            size=size,
            shared={s.name: np.full(size, 0.0 if s.kind == "shift" else 1.0) for s in self.specs},
            growth_shift={w.workload: np.zeros(size) for w in self.workloads},
        )


def draw_scenarios(context: UncertaintyContext, draws: int, seed: int) -> Scenarios:
    """``draws`` scenarios drawn from the distributions with a generator seeded by ``seed`` (the same seed
    and inputs give the same scenarios)."""
    if draws < 1:
        raise ConfigError(f"uncertainty.draws: {draws} draws cannot give ranges (use 1 or more)")
    rng = np.random.default_rng(seed)
    shared = {spec.name: draw(spec.distribution, rng, draws) for spec in context.specs}
    growth = {w.workload: draw(w.demand_growth.distribution, rng, draws) for w in context.workloads}
    return Scenarios(size=draws, shared=shared, growth_shift=growth)


def _ratio_path(log_ratio: FloatArray, exponents: FloatArray) -> FloatArray:
    """exp(exponents ⊗ log_ratio), (months, scenarios): exactly 1 where the log ratio is 0.

    Months are the rows throughout the evaluation: a month's scenarios are contiguous, so that the fleets'
    running maximum over months and the products with per-month weights walk memory in order."""
    return np.exp(np.multiply.outer(exponents, log_ratio))


def price_paths(context: UncertaintyContext, scenarios: Scenarios) -> dict[str, FloatArray]:
    """Each API placement's drawn price ÷ its planned price, (months, scenarios)."""
    prices = context.config.prices
    years = np.arange(context.months, dtype=np.float64) / MONTHS_PER_YEAR
    out: dict[str, FloatArray] = {}
    for placement, point, name in (
        ("closed-api", prices.closed_api_decline_per_year, "closed_api_price_decline"),
        ("open-api", prices.open_api_decline_per_year, "open_api_price_decline"),
    ):
        drawn = np.clip(point + scenarios.shared[name], 0.0, _MAX_DECLINE)
        out[placement] = _ratio_path(np.log1p(-drawn) - np.log1p(-point), years)
    return out


def _weights(context: UncertaintyContext) -> FloatArray:
    """(months, 2): discount factors (NPV) and ones (horizon cost)."""
    n = context.months
    return np.stack([discount_factors(context.config.planning.discount_rate_per_year, n), np.ones(n)], axis=1)


def _fleet(economics: SelfHostedEconomics, volume: FloatArray, inverse_capacity: FloatArray) -> FloatArray:
    """Replicas (months, scenarios), spares *not* included for the ``standard`` rule (they are a constant
    the caller adds after summing): the capacity model's step function at the drawn volume (months,
    scenarios) and replica capacity (scenarios) — the planned fleet's arithmetic, so that equal inputs give
    equal fleets."""
    if economics.fixed_replicas is not None:
        return np.full(volume.shape, float(economics.fixed_replicas))
    steps = np.multiply(volume, inverse_capacity[None, :] * (1.0 - _STEP_EPSILON))
    np.ceil(steps, out=steps)
    redundancy = economics.redundancy
    high = redundancy.criticality == "high"
    # at least one replica: in the first month only when the running maximum below carries it on
    floored = steps if high or not economics.keeps_fleet else steps[:1]
    np.maximum(floored, 1.0, out=floored)
    if high:
        doubled = np.ceil(steps * redundancy.high_factor - _STEP_EPSILON)
        steps = np.maximum(steps + redundancy.spare_replicas, doubled)
    if economics.keeps_fleet:
        # the running maximum over the months: each month's row against the one before
        for month in range(1, steps.shape[0]):
            np.maximum(steps[month - 1], steps[month], out=steps[month])
    return steps


def _spares(economics: SelfHostedEconomics) -> float:
    """Spares :func:`_fleet` leaves to the caller (a constant number of replicas every month)."""
    if economics.fixed_replicas is None and economics.redundancy.criticality == "standard":
        return float(economics.redundancy.spare_replicas)
    return 0.0


def _fleet_key(economics: SelfHostedEconomics) -> tuple[object, ...]:
    return (
        economics.tokens_per_replica_month,
        economics.fixed_replicas,
        economics.redundancy,
        economics.keeps_fleet,
    )


def _fleet_columns(option: OptionCosts, weights: FloatArray) -> tuple[FloatArray, bool]:
    """(months, 2) weights that turn the option's replicas into its GPU-driven NPV and horizon cost, and
    whether the cloud GPU price factor applies to them.

    Cloud: the GPU line per planned replica. Owned: power and hosting per planned replica, plus the
    purchases (and residual credit) spread as a share of the planned replica-months."""
    planned = option.planned_gpus
    economics = option.economics
    assert planned is not None and economics is not None
    replicas = planned / economics.gpus_per_replica
    if not option.owned:
        return option.lines["gpus"][:, None] / replicas[:, None] * weights, True
    columns = (
        option.lines.get("power_and_hosting", np.zeros(len(planned)))[:, None] / replicas[:, None] * weights
    )
    capex = sum((option.lines[n] for n in CAPEX_LINES if n in option.lines), np.zeros(len(planned)))
    columns = columns + (capex @ weights)[None, :] / replicas.sum()
    return columns, False


def _add_fleet_costs(
    npv: FloatArray,
    horizon: FloatArray,
    fleet: FloatArray,
    spares: float,
    options: Sequence[OptionCosts],
    rows: list[int],
    weights: FloatArray,
    gpu_price: FloatArray,
) -> None:
    """Add to ``rows`` of ``npv`` and ``horizon`` (options, scenarios) the GPU-driven cost of options
    that share one fleet (months, scenarios): one matrix product for all of them, rather than one per
    option."""
    per_option = [_fleet_columns(options[row], weights) for row in rows]
    columns = np.concatenate([c for c, _ in per_option], axis=1)  # (months, 2 × rows): NPV, horizon, …
    amounts = columns.T @ fleet  # (2 × rows, scenarios)
    if spares:
        amounts += spares * columns.sum(axis=0)[:, None]
    hourly = np.repeat([by_hour for _, by_hour in per_option], 2)
    if hourly.all():
        amounts *= gpu_price[None, :]
    elif hourly.any():
        amounts[hourly] *= gpu_price[None, :]
    npv[rows] += amounts[0::2]
    horizon[rows] += amounts[1::2]


_SCALED = {**dict.fromkeys(STAFF_LINES, 1), "migration": 2}
"""Lines scaled by a drawn factor: column 1 staffing cost, column 2 migration effort (column 0: fixed)."""


def evaluate_workload(
    context: UncertaintyContext,
    workload: WorkloadCosts,
    scenarios: Scenarios,
    option_ids: Sequence[str] | None = None,
    *,
    paths_in: dict[str, FloatArray] | None = None,
) -> WorkloadDraws:
    """NPV and horizon cost of the workload's options (all, or ``option_ids``) in every scenario."""
    options = (
        workload.options
        if option_ids is None
        else [o for o in (workload.option(i) for i in option_ids) if o is not None]
    )
    k, size = len(options), scenarios.size
    weights = _weights(context)
    paths = paths_in if paths_in is not None else price_paths(context, scenarios)
    months = np.arange(workload.months, dtype=np.float64)
    point = workload.growth_monthly_rate
    drawn = np.maximum(point + scenarios.growth_shift[workload.workload], -_MAX_DECLINE)
    demand = _ratio_path(np.log1p(drawn) - np.log1p(point), months)
    shared = scenarios.shared
    factors = np.stack([np.ones(size), shared["staffing_cost"], shared["migration_effort"]])
    gpu_price = shared["gpu_hourly_price"]
    capacity = np.maximum(shared["achieved_utilisation"] * shared["capacity_model_error"], _MIN_FACTOR)
    # Coefficients of the lines that do not depend on volume: (options, 3 factors, 2 outputs).
    coefficients = np.zeros((k, 3, 2))
    api_rows: dict[str, list[int]] = {}
    fleets: dict[tuple[object, ...], list[int]] = {}
    for row, option in enumerate(options):
        for name, values in option.lines.items():
            if name == "tokens" or (option.economics is not None and name in ("gpus", "power_and_hosting")):
                continue
            if option.owned and name in CAPEX_LINES:
                continue
            coefficients[row, _SCALED.get(name, 0)] += values @ weights
        if option.economics is not None:
            fleets.setdefault(_fleet_key(option.economics), []).append(row)
        elif "tokens" in option.lines:
            api_rows.setdefault(option.placement, []).append(row)
    npv = coefficients[:, :, 0] @ factors
    horizon = coefficients[:, :, 1] @ factors
    if fleets:
        volume = workload.tokens[:, None] * demand
        inverse_capacity = 1.0 / capacity
        for rows in fleets.values():
            economics = options[rows[0]].economics
            assert economics is not None
            fleet = _fleet(economics, volume, inverse_capacity / economics.tokens_per_replica_month)
            _add_fleet_costs(npv, horizon, fleet, _spares(economics), options, rows, weights, gpu_price)
    for placement, rows in api_rows.items():
        path = demand * paths[placement]
        tokens = np.stack([options[r].lines["tokens"] for r in rows])  # (rows, months)
        npv[rows] += (tokens * weights[:, 0]) @ path
        horizon[rows] += tokens @ path
    return WorkloadDraws(
        option_ids=[o.option_id for o in options],
        npv_usd=npv,
        horizon_usd=horizon,
    )


def option_npv_draws(
    context: UncertaintyContext, options: Sequence[OptionKey], draws: int, seed: int
) -> FloatArray:
    """NPV (USD) of each ``(workload, option_id)`` in ``draws`` seeded scenarios, shape
    (len(options), draws): the same scenarios for every option, so that rows can be added up into a
    portfolio's draws. An unknown or unpriced option raises ``KeyError``."""
    scenarios = draw_scenarios(context, draws, seed)
    paths = price_paths(context, scenarios)
    wanted: dict[str, list[str]] = {}
    for key in options:
        wanted.setdefault(key.workload, []).append(key.option_id)
    by_workload: dict[str, WorkloadDraws] = {}
    for name, ids in wanted.items():
        by_workload[name] = evaluate_workload(context, context.workload(name), scenarios, ids, paths_in=paths)
    out = np.empty((len(options), draws))
    for i, key in enumerate(options):
        found = by_workload[key.workload]
        row = found.row(key.option_id)
        if row is None:
            raise KeyError(f"{key.workload}: no priced option {key.option_id!r}")
        out[i] = found.npv_usd[row]
    return out
