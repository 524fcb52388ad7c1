"""Self-hosted serving cost: replicas for the peak hour, GPUs, and what those GPUs cost per month.

One replica is ``gpus_per_replica`` GPUs serving one copy of the model. It sustains
``replica_tokens_per_s`` (prompt + output tokens per second, at full load under the workload's latency
targets, from the capacity model). Sizing is for the peak hour:

    needed(V) = max(1, ceil(peak_tokens_per_s / (replica_tokens_per_s × target_utilisation)))
    peak_tokens_per_s = V / (H × 3600 s) × peak_to_mean_ratio

for a monthly volume ``V`` served in ``H`` hours a month (730 for 24/7) — so one replica carries
``tokens_per_replica_month`` tokens a month, and the serving cost is a step function of volume.
Redundancy adds spares (:class:`Redundancy`): at least one replica plus the spares at any volume, even zero.
A fleet the user has fixed (``fixed_replicas``) replaces both.

Cost of ``R`` replicas per month, by deployment mode:

- cloud (on-demand, reserved, spot): R × GPUs per replica × $/GPU-hour × H, × (1 + preemption overhead)
  for spot. Reserved capacity is a commitment and owned hardware is kept, so for those modes the fleet never
  shrinks within the horizon (the running maximum of the need); on-demand and spot follow the need.
- owned: the purchase is a one-off cash flow (:func:`owned_capex_cash_flows`: bought in the month the fleet
  grows, bought again at the end of its useful life, sold at residual value then, and the remaining book
  value credited in the last month of the horizon), plus power (TDP × GPUs × draw × PUE × $/kWh × H, the
  draw rising linearly from the idle fraction to 1 with utilisation) and hosting (TDP kW × $/kW-month).
  For break-even (steady state, :meth:`SelfHostedEconomics.per_replica_month_usd`) the capital cost of a
  month is straight-line depreciation, price × (1 - residual) ÷ life — the same money spread evenly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from llm_tco.cost.horizon import FloatArray
from llm_tco.units import HOURS_PER_MONTH, SECONDS_PER_HOUR

__all__ = [
    "DeploymentKind",
    "Redundancy",
    "SelfHostedEconomics",
    "SelfHostedMonths",
    "owned_book_value_usd",
    "owned_capex_cash_flows",
    "owned_fleet_cash",
    "owned_purchase_cash_flows",
]

DeploymentKind = Literal["on-demand", "reserved-1y", "reserved-3y", "spot", "owned"]
IntArray = NDArray[np.int64]
_STEP_EPSILON = 1e-12
"""Relative slack in ceil(): a volume exactly at a step needs exactly that many replicas, despite float
rounding (V / c = n + 1e-16 must not become n + 1)."""
_MAX_REPLICAS = float(2**53)
"""Largest replica count the plan can represent exactly (a float's integer range; int64 wraps beyond 2^63)."""


@dataclass(frozen=True)
class Redundancy:
    """HA spares by criticality: ``low`` none; ``standard`` ``spare_replicas`` more; ``high`` at least
    ``high_factor`` × the need (and never fewer than ``standard``)."""

    criticality: Literal["low", "standard", "high"] = "standard"
    spare_replicas: int = 1
    high_factor: float = 2.0

    def total(self, needed: IntArray) -> IntArray:
        """Replicas to run for ``needed`` serving replicas."""
        if self.criticality == "low":
            return needed
        standard: IntArray = (needed + self.spare_replicas).astype(np.int64)
        if self.criticality == "standard":
            return standard
        doubled: IntArray = np.ceil(needed * self.high_factor - _STEP_EPSILON).astype(np.int64)
        result: IntArray = np.maximum(standard, doubled)
        return result

    def total_one(self, needed: int) -> int:
        return int(self.total(np.array([needed], dtype=np.int64))[0])

    @property
    def slope_bounds(self) -> tuple[float, float, float]:
        """(slope, lowest intercept, highest intercept) with slope·n + low ≤ total(n) ≤ slope·n + high for
        every n ≥ 1 — what the break-even solver needs to bound its search analytically."""
        if self.criticality == "low":
            return 1.0, 0.0, 0.0
        if self.criticality == "standard":
            return 1.0, float(self.spare_replicas), float(self.spare_replicas)
        if self.high_factor >= 1.0:
            # max(n + s, ceil(f n)) lies between f·n (+ s when f·n < n + s) and f·n + s + 1.
            return self.high_factor, 0.0, float(self.spare_replicas) + 1.0
        return 1.0, float(self.spare_replicas), float(self.spare_replicas)


@dataclass(frozen=True)
class SelfHostedMonths:
    """Month-by-month self-hosted quantities and recurring costs (one-offs are separate)."""

    needed_replicas: IntArray
    replicas: IntArray
    gpus: IntArray
    utilisation: FloatArray
    """Mean load ÷ capacity of all running replicas (spares included)."""
    gpu_cost_usd: FloatArray
    """Cloud rental, or (owned) power plus hosting."""


@dataclass(frozen=True)
class SelfHostedEconomics:
    """The numbers that make one self-hosted option's serving cost (see the module docstring)."""

    deployment: DeploymentKind
    gpus_per_replica: int
    replica_tokens_per_s: float
    target_utilisation: float
    peak_to_mean_ratio: float
    redundancy: Redundancy
    gpu_hourly_usd: float = 0.0
    """Cloud modes: $/GPU-hour of the mode (discount applied)."""
    capacity_overhead: float = 0.0
    """Spot: extra capacity paid for to absorb preemptions (fraction)."""
    purchase_price_usd_per_gpu: float = 0.0
    useful_life_months: float = 36.0
    residual_value_fraction: float = 0.0
    tdp_w: float = 0.0
    idle_power_fraction: float = 0.3
    pue: float = 1.0
    electricity_usd_per_kwh: float = 0.0
    hosting_usd_per_kw_month: float = 0.0
    serving_hours_per_month: float = HOURS_PER_MONTH
    """Hours a month the GPUs serve (``llm_tco.cost.serving_hours``): cloud GPUs are rented and every GPU
    draws power only then; owned GPUs and their hosting are paid for every hour."""
    fixed_replicas: int | None = None
    """A fleet the user has fixed (spares included): run whatever the volume, never resized."""

    def __post_init__(self) -> None:
        if self.gpus_per_replica < 1 or self.replica_tokens_per_s <= 0:
            raise ValueError("a replica needs at least one GPU and a positive throughput")
        if not 0.0 < self.target_utilisation <= 1.0:
            raise ValueError("target utilisation must be in (0, 1]")
        if self.peak_to_mean_ratio < 1.0:
            raise ValueError("the peak hour cannot be below the mean hour")
        if not 0.0 < self.serving_hours_per_month <= HOURS_PER_MONTH:
            raise ValueError("serving hours must be in (0, 730] a month")

    @property
    def owned(self) -> bool:
        return self.deployment == "owned"

    @property
    def keeps_fleet(self) -> bool:
        """Committed capacity (reserved, owned) is paid for even when demand falls."""
        return self.deployment in ("owned", "reserved-1y", "reserved-3y")

    @property
    def tokens_per_replica_month(self) -> float:
        """Monthly volume one serving replica carries at the target utilisation of its peak hour."""
        return (
            self.replica_tokens_per_s
            * self.target_utilisation
            * self._serving_seconds
            / self.peak_to_mean_ratio
        )

    @property
    def _serving_seconds(self) -> float:
        return self.serving_hours_per_month * SECONDS_PER_HOUR

    def total_replicas(self, needed: IntArray) -> IntArray:
        """Replicas run for ``needed`` serving replicas: the fixed fleet, else the redundancy rule's."""
        if self.fixed_replicas is not None:
            return np.full(len(needed), self.fixed_replicas, dtype=np.int64)
        return self.redundancy.total(needed)

    def needed_replicas(self, monthly_tokens: FloatArray) -> IntArray:
        """Serving replicas (no spares) for each monthly volume; at least 1. A count that does not fit a
        64-bit integer (or is not finite) raises ``OverflowError`` rather than wrapping round to a negative
        fleet."""
        steps = np.ceil(
            np.asarray(monthly_tokens, dtype=np.float64)
            / self.tokens_per_replica_month
            * (1.0 - _STEP_EPSILON)
        )
        if not np.all(np.isfinite(steps)) or np.any(steps > _MAX_REPLICAS):
            raise OverflowError("replica count beyond 2^53")
        return np.maximum(1, steps).astype(np.int64)

    # --- steady state (break-even) -------------------------------------------------------------------

    def per_replica_month_usd(self) -> float:
        """Monthly cost of one running replica that does not depend on its load (steady state).

        Cloud: GPU rental. Owned: straight-line depreciation + hosting + idle power.
        """
        gpus = self.gpus_per_replica
        hours = self.serving_hours_per_month
        if not self.owned:
            return gpus * self.gpu_hourly_usd * hours * (1.0 + self.capacity_overhead)
        kw = self.tdp_w / 1000.0
        depreciation = (
            self.purchase_price_usd_per_gpu * (1.0 - self.residual_value_fraction) / self.useful_life_months
        )
        idle_power = kw * self.idle_power_fraction * self.pue * hours * self.electricity_usd_per_kwh
        return gpus * (depreciation + kw * self.hosting_usd_per_kw_month + idle_power)

    def per_token_usd(self) -> float:
        """Cost that grows with load itself (owned: the dynamic part of the power draw), USD per token."""
        if not self.owned:
            return 0.0
        kw = self.tdp_w / 1000.0
        dynamic_kw_per_token_per_s = (
            self.gpus_per_replica * kw * (1.0 - self.idle_power_fraction) / self.replica_tokens_per_s
        )
        # kW × h per token = kW per (token/s) ÷ 3600 s/h
        return dynamic_kw_per_token_per_s * self.pue * self.electricity_usd_per_kwh / SECONDS_PER_HOUR

    def steady_state_serving_usd(self, monthly_tokens: FloatArray) -> FloatArray:
        """Serving cost per month at a constant volume (depreciation instead of purchases)."""
        volume = np.asarray(monthly_tokens, dtype=np.float64)
        replicas = self.total_replicas(self.needed_replicas(volume))
        return replicas * self.per_replica_month_usd() + volume * self.per_token_usd()

    # --- horizon ---------------------------------------------------------------------------------------

    def months(self, monthly_tokens: FloatArray) -> SelfHostedMonths:
        """Recurring serving cost for a month-by-month volume (owned capex excluded: see
        :func:`owned_capex_cash_flows`)."""
        volume = np.asarray(monthly_tokens, dtype=np.float64)
        needed = self.needed_replicas(volume)
        replicas = self.total_replicas(needed)
        if self.keeps_fleet:
            replicas = np.maximum.accumulate(replicas)
        gpus = replicas * self.gpus_per_replica
        hours = self.serving_hours_per_month
        mean_tokens_per_s = volume / self._serving_seconds
        utilisation = np.clip(mean_tokens_per_s / (replicas * self.replica_tokens_per_s), 0.0, 1.0)
        if not self.owned:
            cost = gpus * self.gpu_hourly_usd * hours * (1.0 + self.capacity_overhead)
        else:
            kw = gpus * self.tdp_w / 1000.0
            draw = self.idle_power_fraction + (1.0 - self.idle_power_fraction) * utilisation
            power = kw * draw * self.pue * hours * self.electricity_usd_per_kwh
            cost = power + kw * self.hosting_usd_per_kw_month
        return SelfHostedMonths(needed, replicas, gpus, utilisation, np.asarray(cost, dtype=np.float64))


def owned_capex_cash_flows(
    gpus_by_month: IntArray,
    *,
    purchase_price_usd_per_gpu: float,
    useful_life_months: float,
    residual_value_fraction: float,
) -> FloatArray:
    """Cash flows of buying owned GPUs over the horizon (purchases positive, sales negative), with the
    remaining book value credited in the last month (:func:`owned_purchase_cash_flows` minus
    :func:`owned_book_value_usd` there), so that the horizon total equals depreciation plus nothing hidden.
    """
    flows, book_value = owned_fleet_cash(
        gpus_by_month,
        purchase_price_usd_per_gpu=purchase_price_usd_per_gpu,
        useful_life_months=useful_life_months,
        residual_value_fraction=residual_value_fraction,
    )
    if len(flows):
        flows[-1] -= book_value
    return flows


def _cohorts(
    gpus_by_month: IntArray, *, price: float, life: int, residual_value_fraction: float
) -> tuple[FloatArray, list[list[int]]]:
    """(cash paid per month for purchases and renewals, the cohorts held at the end as [month bought,
    GPUs], in the order they were first bought).

    Each cohort is looked at only in the months it falls due (every ``life`` months after it was bought),
    not every month: a fleet that grows every month holds as many cohorts as months."""
    months = len(gpus_by_month)
    flows = np.zeros(months, dtype=np.float64)
    cohorts: list[list[int]] = []
    due: dict[int, list[int]] = {}
    """Month -> the cohorts (positions in ``cohorts``) that reach the end of their life then."""
    held = 0
    for month in range(months):
        for position in sorted(due.pop(month, ())):
            cohort = cohorts[position]
            flows[month] += cohort[1] * price * (1.0 - residual_value_fraction)  # buy new, sell old
            cohort[0] = month
            due.setdefault(month + life, []).append(position)
        extra = int(gpus_by_month[month]) - held
        if extra > 0:
            flows[month] += extra * price
            due.setdefault(month + life, []).append(len(cohorts))
            cohorts.append([month, extra])
            held += extra
    return flows, cohorts


def owned_fleet_cash(
    gpus_by_month: IntArray,
    *,
    purchase_price_usd_per_gpu: float,
    useful_life_months: float,
    residual_value_fraction: float,
) -> tuple[FloatArray, float]:
    """(:func:`owned_purchase_cash_flows`, :func:`owned_book_value_usd`) of one fleet, its cohorts
    followed once."""
    price = purchase_price_usd_per_gpu
    life = max(1, math.ceil(useful_life_months))
    months = len(gpus_by_month)
    flows, cohorts = _cohorts(
        gpus_by_month, price=price, life=life, residual_value_fraction=residual_value_fraction
    )
    book_value = 0.0
    for bought, count in cohorts:
        age = months - bought
        book_value += count * price * (1.0 - (1.0 - residual_value_fraction) * min(age, life) / life)
    return flows, book_value


def owned_purchase_cash_flows(
    gpus_by_month: IntArray,
    *,
    purchase_price_usd_per_gpu: float,
    useful_life_months: float,
    residual_value_fraction: float,
) -> FloatArray:
    """Cash actually paid for owned GPUs each month: bought at the start of the month the fleet first needs
    them; a cohort reaching the end of its useful life is sold at its residual value and bought again in that
    month. No credit for what is still held at the end (payback counts only cash paid)."""
    return owned_fleet_cash(
        gpus_by_month,
        purchase_price_usd_per_gpu=purchase_price_usd_per_gpu,
        useful_life_months=useful_life_months,
        residual_value_fraction=residual_value_fraction,
    )[0]


def owned_book_value_usd(
    gpus_by_month: IntArray,
    *,
    purchase_price_usd_per_gpu: float,
    useful_life_months: float,
    residual_value_fraction: float,
) -> float:
    """Remaining book value, at the end of the horizon, of every GPU cohort still held (straight-line from
    the price down to the residual value over the useful life). It is value, not cash: NPV and horizon
    totals credit it, payback never does."""
    return owned_fleet_cash(
        gpus_by_month,
        purchase_price_usd_per_gpu=purchase_price_usd_per_gpu,
        useful_life_months=useful_life_months,
        residual_value_fraction=residual_value_fraction,
    )[1]
