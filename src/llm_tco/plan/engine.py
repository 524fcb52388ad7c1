"""``build_plan``: every workload's options (``llm_tco.plan.workload``), decided as one portfolio, with
Monte Carlo ranges and sensitivity, assembled into the plan document.

Pure: profiles, configuration and catalog inputs in; a :class:`PlanDocument` out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel

from llm_tco.config.model import Config
from llm_tco.errors import ConfigError
from llm_tco.plan.doc import (
    PlanDocument,
    WorkloadPlan,
)
from llm_tco.plan.inputs import PlanInputs
from llm_tco.plan.portfolio.build import build_portfolio
from llm_tco.plan.portfolio.items import PlannedWorkload
from llm_tco.plan.portfolio.problem import ScenarioSource
from llm_tco.plan.totals import organisation_totals
from llm_tco.plan.uncertainty.build import workload_costs
from llm_tco.plan.uncertainty.costs import OptionKey
from llm_tco.plan.uncertainty.document import Sensitivity, UncertaintySummary
from llm_tco.plan.uncertainty.ranges import monte_carlo
from llm_tco.plan.uncertainty.scenarios import UncertaintyContext, draw_scenarios, option_npv_draws
from llm_tco.plan.uncertainty.sensitivity import plan_sensitivity
from llm_tco.plan.workload import option_doc, plan_start, plan_workload
from llm_tco.profile.model import WorkloadProfile

__all__ = ["RISK_SCENARIOS", "build_plan", "plan_with_uncertainty"]


def _check_gpu_keys(config: Config, inputs: PlanInputs) -> None:
    """GPU ids in ``[gpu.hourly_usd]`` and ``[owned] gpu_watts`` name catalog GPUs (a misspelt id would
    silently leave the catalog's figure in force)."""
    known = {gpu.id for gpu in inputs.gpus}
    for key, table in (
        ("gpu.hourly_usd", config.gpu.hourly_usd),
        ("owned.gpu_watts", config.owned.gpu_watts),
    ):
        for gpu_id in table:
            if gpu_id not in known:
                raise ConfigError(
                    f"{key}: {gpu_id!r} is not a GPU of the catalog (known: {', '.join(sorted(known))})"
                )


def build_plan(
    profiles: list[WorkloadProfile],
    config: Config,
    inputs: PlanInputs,
    *,
    config_file: str | None = None,
    risk_aversion: float = 0.0,
    draws: int | None = None,
    seed: int | None = None,
) -> PlanDocument:
    """The plan for every profiled workload (see the module docstring), decided as one portfolio
    (``llm_tco.plan.portfolio``: each recommendation is the portfolio's choice for the workload), with
    Monte Carlo ranges and sensitivity over ``draws`` scenarios seeded by ``seed`` (default:
    ``[uncertainty]``; 0 draws: none). ``risk_aversion`` > 0 makes the portfolio minimise the CVaR of its
    NPV over at most :data:`RISK_SCENARIOS` of those scenarios instead of the mean."""
    return plan_with_uncertainty(
        profiles,
        config,
        inputs,
        config_file=config_file,
        risk_aversion=risk_aversion,
        draws=draws,
        seed=seed,
    )[0]


RISK_SCENARIOS = 500
"""Scenarios the CVaR objective is optimised over (a linear programme: one constraint each)."""


def plan_with_uncertainty(
    profiles: list[WorkloadProfile],
    config: Config,
    inputs: PlanInputs,
    *,
    config_file: str | None = None,
    risk_aversion: float = 0.0,
    draws: int | None = None,
    seed: int | None = None,
) -> tuple[PlanDocument, UncertaintyContext]:
    """:func:`build_plan`, and the option costs behind it (for
    :func:`llm_tco.plan.uncertainty.scenarios.option_npv_draws`, whatever the number of draws)."""
    _check_gpu_keys(config, inputs)
    start = plan_start(profiles, config)
    planned = [plan_workload(p, config, inputs, start) for p in profiles]
    draws = config.uncertainty.draws if draws is None else draws
    seed = config.uncertainty.seed if seed is None else seed
    context = UncertaintyContext.build(config, [workload_costs(p.context, p.candidates) for p in planned])
    scenarios: ScenarioSource | None = None
    if risk_aversion > 0:

        def scenarios(keys: Sequence[tuple[str, str]]) -> NDArray[np.float64]:
            sampled = min(RISK_SCENARIOS, draws) if draws > 0 else RISK_SCENARIOS
            return option_npv_draws(context, [OptionKey(w, o) for w, o in keys], sampled, seed)

    portfolio, plans = build_portfolio(
        planned, config, option_doc, risk_aversion=risk_aversion, scenarios=scenarios
    )
    uncertainty: UncertaintySummary | None = None
    sensitivity: list[Sensitivity] = []
    if draws > 0 and plans:
        offsets = _portfolio_offsets(planned, plans)
        plans, uncertainty = monte_carlo(context, plans, draw_scenarios(context, draws, seed), seed, offsets)
        sensitivity = plan_sensitivity(context, plans)
        # the portfolio's NPV is the sum of its recommendations (a pool's and the platform's costs are
        # shared among them), so its range is theirs in the same scenarios
        portfolio = portfolio.model_copy(
            update={
                "npv_usd_p10": uncertainty.recommended_npv_usd_p10,
                "npv_usd_p50": uncertainty.recommended_npv_usd_p50,
                "npv_usd_p90": uncertainty.recommended_npv_usd_p90,
            }
        )
    notes = [
        "the platform's fixed costs (staffing, on-call, monitoring, governance) are paid once for every "
        "self-hosted workload; each self-hosted option carries its share by GPU-hours (beside the "
        "portfolio's other self-hosted workloads)",
        "owned hardware: purchases are one-off costs in the month the fleet grows; the remaining book value "
        "is credited in the last month for NPV and horizon totals, never for payback (cash paid only); "
        "break-even uses straight-line depreciation instead",
    ]
    unknown = sorted(set(config.workloads) - {p.workload for p in profiles})
    if unknown:
        notes.append(f"[workloads] tables with no usage in the store: {', '.join(unknown)}")
    document = PlanDocument(
        start_month=f"{start:%Y-%m}",
        horizon_months=config.planning.horizon_months,
        discount_rate_per_year=config.planning.discount_rate_per_year,
        config_file=config_file,
        price_data=inputs.price_data,
        assumptions=_assumptions(config),
        workloads=plans,
        totals=organisation_totals(plans),
        notes=notes,
        portfolio=portfolio,
        uncertainty=uncertainty,
        sensitivity=sensitivity,
    )
    return document, context


def _portfolio_offsets(
    planned: list[PlannedWorkload], plans: list[WorkloadPlan]
) -> dict[str, dict[str, tuple[float, float]]]:
    """Per workload and option, what the portfolio changed in the option's NPV and horizon cost (its
    share of the platform instead of a whole one), for the Monte Carlo to move its draws by."""
    before = {p.plan.workload: {o.id: o for o in p.plan.options} for p in planned}
    offsets: dict[str, dict[str, tuple[float, float]]] = {}
    for plan in plans:
        for option in plan.options:
            old = before.get(plan.workload, {}).get(option.id)
            if old is None or None in (
                old.npv_usd,
                option.npv_usd,
                old.horizon_cost_usd,
                option.horizon_cost_usd,
            ):
                continue
            npv = float(option.npv_usd) - float(old.npv_usd)  # type: ignore[arg-type]
            horizon = float(option.horizon_cost_usd) - float(old.horizon_cost_usd)  # type: ignore[arg-type]
            if npv or horizon:
                offsets.setdefault(plan.workload, {})[option.id] = (npv, horizon)
    return offsets


def _assumptions(config: Config) -> dict[str, float | int | str | None]:
    """The global assumptions in force, flattened as ``section.key`` (scalars only)."""
    out: dict[str, float | int | str | None] = {}
    for section_name in type(config).model_fields:
        section = getattr(config, section_name)
        if not isinstance(section, BaseModel):
            continue
        for key in type(section).model_fields:
            value = getattr(section, key)
            if value is None or isinstance(value, int | float | str):
                out[f"{section_name}.{key}"] = value
    return out
