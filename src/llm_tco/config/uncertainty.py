"""``[uncertainty]``: how many Monte Carlo draws the plan makes, their seed, and the distribution of each
uncertain assumption.

Every distribution is stated *relative to the point assumption* the deterministic plan uses, so that a
changed point value (``prices.closed_api_decline_per_year``, a GPU's hourly price…) moves the whole
distribution with it:

- a **shift** is added to a rate: ``demand_growth`` (per month), ``closed_api_price_decline`` and
  ``open_api_price_decline`` (per year). ``fixed`` at 0 is the point assumption.
- a **factor** multiplies an amount: ``gpu_hourly_price``, ``achieved_utilisation`` (the share of the
  planned replica throughput actually achieved), ``capacity_model_error`` (true ÷ modelled throughput),
  ``staffing_cost`` and ``migration_effort``. ``fixed`` at 1 is the point assumption.

An assumption left unset takes the package's documented default (``llm-tco plan --json`` lists the
distributions in force and their sources under ``uncertainty``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from llm_tco.config.fields import Strict, field

__all__ = ["ASSUMPTION_KINDS", "Distribution", "UncertaintyConfig"]

DistributionName = Literal["fixed", "uniform", "triangular", "lognormal", "pert"]

_PARAMETERS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("median", "sigma"),
    "pert": ("low", "mode", "high"),
}

ASSUMPTION_KINDS: dict[str, Literal["shift", "factor"]] = {
    "demand_growth": "shift",
    "closed_api_price_decline": "shift",
    "open_api_price_decline": "shift",
    "gpu_hourly_price": "factor",
    "achieved_utilisation": "factor",
    "capacity_model_error": "factor",
    "staffing_cost": "factor",
    "migration_effort": "factor",
}
"""Each uncertain assumption and how its distribution applies: added to a rate, or multiplying an amount."""


class Distribution(Strict):
    """One uncertain quantity: ``fixed`` (``value``), ``uniform`` (``low``, ``high``), ``triangular`` and
    ``pert`` (``low``, ``mode``, ``high``; PERT is the Beta with λ = 4) or ``lognormal`` (``median`` and
    ``sigma``, the standard deviation of its logarithm)."""

    dist: DistributionName
    value: float | None = None
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    median: float | None = None
    sigma: float | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        needed = _PARAMETERS[self.dist]
        given = {
            name
            for name in ("value", "low", "mode", "high", "median", "sigma")
            if getattr(self, name) is not None
        }
        missing = [name for name in needed if name not in given]
        if missing:
            raise ValueError(
                f"a {self.dist} distribution needs {', '.join(needed)} (missing {', '.join(missing)})"
            )
        extra = sorted(given - set(needed))
        if extra:
            raise ValueError(
                f"a {self.dist} distribution takes only {', '.join(needed)} (not {', '.join(extra)})"
            )
        if self.dist in ("uniform", "triangular", "pert"):
            low, high = self.low, self.high
            assert low is not None and high is not None
            mode = self.mode if self.mode is not None else low
            if not low <= mode <= high:
                raise ValueError(f"needs low ≤ mode ≤ high (got {low}, {mode}, {high})")
        if self.dist == "lognormal":
            assert self.median is not None and self.sigma is not None
            if self.median <= 0 or self.sigma < 0:
                raise ValueError("a lognormal needs median > 0 and sigma ≥ 0")
        return self


def _assumption_field(what: str, default: str) -> Distribution | None:
    declared: Distribution | None = field(
        None,
        unit='distribution table, e.g. { dist = "pert", low = 0.8, mode = 1.0, high = 1.3 }',
        source=f"llm-tco default (unset): {default}",
        description=what,
    )
    return declared


class UncertaintyConfig(Strict):
    """Monte Carlo over the plan's uncertain assumptions (distributions relative to the point values)."""

    draws: int = field(
        10_000,
        unit="scenarios",
        source="llm-tco default: 10,000 draws put the P10/P90 of a smooth cost within about 1% of "
        "their limit",
        description="Monte Carlo draws per plan (0: no Monte Carlo, ranges and sensitivity left out).",
        ge=0,
        le=1_000_000,
    )
    seed: int = field(
        12_345,
        unit="integer",
        source="llm-tco default: any fixed value; the same seed and inputs give the same ranges",
        description="Seed of the random draws (printed with the results, so a run can be repeated).",
        ge=0,
    )
    demand_growth: Distribution | None = _assumption_field(
        "Shift added to each workload's monthly growth rate (drawn independently per workload).",
        "PERT(−√7·se, 0, +√7·se) from the fitted trend's standard error se (its standard deviation is se), "
        "else PERT(−0.02, 0, +0.02) per month (llm-tco assumption)",
    )
    closed_api_price_decline: Distribution | None = _assumption_field(
        "Shift added to the yearly price decline of closed models (one draw for all workloads).",
        "PERT(−0.095, 0, +0.2): from no decline to the matched-model index's pace tripled",
    )
    open_api_price_decline: Distribution | None = _assumption_field(
        "Shift added to the yearly price decline of hosted open models (one draw for all workloads).",
        "PERT(−0.095, 0, +0.3): hosts of open models compete on price",
    )
    gpu_hourly_price: Distribution | None = _assumption_field(
        "Factor on every cloud GPU's hourly price.", "PERT(0.7, 1.0, 1.15)"
    )
    achieved_utilisation: Distribution | None = _assumption_field(
        "Factor on the replica throughput the plan assumes (achieved ÷ planned).", "PERT(0.6, 0.9, 1.0)"
    )
    capacity_model_error: Distribution | None = _assumption_field(
        "Factor on the capacity model's throughput (true ÷ modelled).",
        "lognormal(median 1, sigma from the capacity model's cross-validated median error)",
    )
    staffing_cost: Distribution | None = _assumption_field(
        "Factor on the platform team's cost (staff, on-call, governance).", "PERT(0.5, 1.0, 1.6)"
    )
    migration_effort: Distribution | None = _assumption_field(
        "Factor on the one-off migration effort.", "PERT(0.67, 1.0, 1.5)"
    )
