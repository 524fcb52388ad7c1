"""One workload's plan: its options (stay, API moves, levers, self-hosting), each costed over the horizon,
checked for feasibility, ranked, with a recommendation and break-even, before the portfolio decides.

Floats become ``Decimal`` dollars in exactly one place, :func:`to_usd`.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal

import numpy as np

from llm_tco.catalog.hosted import OPEN_MODEL_PROVIDERS, open_model_slug, region_matches
from llm_tco.config.model import Config
from llm_tco.errors import ConfigError
from llm_tco.plan.api_options import api_candidates, stay_candidate
from llm_tco.plan.breakdown import cost_breakdown
from llm_tco.plan.candidate import Candidate
from llm_tco.plan.context import WorkloadContext, workload_context
from llm_tco.plan.doc import (
    Breakeven,
    Option,
    Recommendation,
    WorkloadBreakeven,
    WorkloadPlan,
)
from llm_tco.plan.explain import breakeven_for, reasons_for
from llm_tco.plan.feasibility import apply_feasibility, unfit_models, unscored_reason
from llm_tco.plan.inputs import PlanInputs
from llm_tco.plan.latency import check_api_latency
from llm_tco.plan.levers import lever_candidates
from llm_tco.plan.portfolio.items import PlannedWorkload
from llm_tco.plan.selfhosted import models_meeting_floor, selfhosted_candidates
from llm_tco.profile.model import WorkloadProfile
from llm_tco.units import TOKENS_PER_MILLION

__all__ = ["PLACEMENTS", "option_doc", "plan_start", "plan_workload", "to_usd"]

PLACEMENTS = ("closed-api", "open-api", "self-hosted")


def to_usd(value: float) -> Decimal:
    """The one conversion of a float amount (from the vectorised cost model) to Decimal dollars, kept to
    the micro-dollar (the JSON contract asks for at least 6 decimals)."""
    return Decimal(f"{value:.6f}")


def plan_start(profiles: list[WorkloadProfile], config: Config) -> datetime:
    """The plan's first month: ``planning.start_month``, else the month after the last audited month."""
    if config.planning.start_month:
        year, month = (int(part) for part in config.planning.start_month.split("-"))
        return datetime(year, month, 1)
    months = [m.month for p in profiles for m in p.months]
    if not months:
        now = datetime.now()
        return datetime(now.year, now.month, 1)
    year, month = (int(part) for part in max(months).split("-"))
    return datetime(year + month // 12, month % 12 + 1, 1)


def _current_placement(profile: WorkloadProfile) -> str:
    current = profile.current
    if current and current.provider in OPEN_MODEL_PROVIDERS and open_model_slug(current.model or ""):
        return "open-api"
    return "closed-api"


def option_doc(candidate: Candidate, context: WorkloadContext, breakeven: Breakeven | None) -> Option:
    rate = context.config.planning.discount_rate_per_year
    priced = candidate.priced
    flows = candidate.flows_usd if priced else None
    horizon = candidate.horizon_usd
    tokens = float(candidate.tokens.sum())
    unmet = list(candidate.unmet)
    return Option(
        id=candidate.id,
        placement=candidate.placement,
        provider=candidate.provider,
        model=candidate.model,
        open_model=candidate.open_model,
        gpu=candidate.gpu,
        gpus=candidate.gpus,
        gpus_per_replica=candidate.gpus_per_replica,
        tensor_parallel=candidate.tensor_parallel,
        pipeline_parallel=candidate.pipeline_parallel,
        replicas=candidate.replicas,
        precision=candidate.precision,
        deployment=candidate.deployment,
        monthly_cost_usd=to_usd(float(candidate.recurring_usd[0]))
        if candidate.recurring_usd is not None
        else None,
        one_off_cost_usd=to_usd(float(candidate.one_off_usd.sum()))
        if candidate.one_off_usd is not None
        else None,
        horizon_cost_usd=to_usd(horizon) if horizon is not None else None,
        npv_usd=to_usd(candidate.npv(rate) or 0.0) if priced else None,
        cost_per_million_tokens_usd=(
            to_usd(horizon / tokens * TOKENS_PER_MILLION) if horizon is not None and tokens > 0 else None
        ),
        quality_ratio=candidate.quality.ratio,
        quality_basis=candidate.quality.basis,
        feasible=candidate.feasible,
        infeasible_reason="; ".join(candidate.unmet.values()) or None,
        infeasible_reasons=list(candidate.unmet.values()),
        unmet=unmet,
        breakeven=breakeven,
        cost_is_lower_bound=candidate.id == "stay" and priced and context.profile.unpriced_share > 0,
        monthly_costs_usd=[to_usd(v) for v in flows.tolist()] if flows is not None else [],
        notes=candidate.notes,
        breakdown=cost_breakdown(candidate.lines, flows) if flows is not None else None,
        lever=candidate.lever,
    )


def _overflow(context: WorkloadContext, what: str) -> ConfigError:
    growth = context.growth
    return ConfigError(
        f"workload {context.workload}: {what} over a {context.months}-month horizon with "
        f"{growth.monthly_rate:+.1%}/month growth ({growth.source}) from "
        f"{context.profile.monthly.total_tokens:.4g} tokens/month: shorten planning.horizon_months or set "
        "a lower growth rate"
    )


def _check_finite(candidates: list[Candidate], context: WorkloadContext) -> None:
    """A cost that is not a finite number is an error naming the inputs, never a result."""
    if not np.all(np.isfinite(context.tokens)):
        raise _overflow(context, "monthly tokens overflow")
    rate = context.config.planning.discount_rate_per_year
    for candidate in candidates:
        if not candidate.priced:
            continue
        if not np.all(np.isfinite(candidate.flows_usd)) or not math.isfinite(candidate.npv(rate) or 0.0):
            raise _overflow(context, f"the cost of option {candidate.id} is not a finite number")


def _fixed_model(context: WorkloadContext, inputs: PlanInputs) -> str:
    """The open model of the workload's fixed ``self_hosted`` shape, checked against the catalogs (the user
    chose it: it is costed whatever its quality score)."""
    fixed = context.fixed_shape
    assert fixed is not None
    where = f"workloads.{context.workload}.self_hosted"
    if fixed.model not in inputs.open_models:
        raise ConfigError(f"{where}.model: {fixed.model!r} is not an open model of the catalog")
    if fixed.gpu not in {gpu.id for gpu in inputs.gpus}:
        raise ConfigError(f"{where}.gpu: {fixed.gpu!r} is not a GPU of the catalog")
    return fixed.model


def _stay_where_the_logs_are(stay: Candidate, context: WorkloadContext, inputs: PlanInputs) -> None:
    """A ``region:<code>`` workload whose own logs show it running only inside the region meets its
    sovereignty by staying, whatever the provider's catalog entry says."""
    rule = context.sovereignty
    profile = context.profile
    if "sovereignty" not in stay.unmet or not rule.startswith("region:"):
        return
    if not (profile.regions_complete and profile.regions):
        return
    code = rule.removeprefix("region:").lower()
    inside = {name.lower() for name in inputs.region_areas.get(code, ())}
    if all(region_matches(code, (r,)) or r.lower() in inside for r in profile.regions):
        del stay.unmet["sovereignty"]
        stay.notes.append(f"runs in {', '.join(profile.regions)} per its own logs: inside {code}")


def plan_workload(
    profile: WorkloadProfile, config: Config, inputs: PlanInputs, start: datetime
) -> PlannedWorkload:
    context = workload_context(profile, config, start)
    try:
        plan, candidates = _plan_workload_in(context, inputs)
    except OverflowError as exc:
        raise _overflow(context, f"the self-hosted fleet overflows ({exc})") from exc
    return PlannedWorkload(plan, context, candidates)


def _plan_workload_in(context: WorkloadContext, inputs: PlanInputs) -> tuple[WorkloadPlan, list[Candidate]]:
    profile, config = context.profile, context.config
    rate = config.planning.discount_rate_per_year
    stay = stay_candidate(context, inputs, _current_placement(profile))
    _stay_where_the_logs_are(stay, context, inputs)
    apis = api_candidates(context, inputs)
    levers, lever_notes = lever_candidates(context, inputs, _current_placement(profile))
    apis += levers
    for same_model in (stay, *levers):
        check_api_latency(context, same_model)
    # Open models below the quality floor can only matter when nothing meets every constraint: cost them
    # only then (the capacity model is the expensive part of the plan).
    good = models_meeting_floor(context, inputs)
    if context.fixed_shape is not None:
        good = [_fixed_model(context, inputs)]
    selfhosted, evaluated = selfhosted_candidates(context, inputs, good)
    considered = good
    candidates = [stay, *apis, *selfhosted]
    for candidate in candidates:
        apply_feasibility(candidate, context, inputs)
    _check_finite(candidates, context)
    ranked = sorted((c for c in candidates if c.priced), key=lambda c: c.rank_key(rate))
    if not (ranked and ranked[0].feasible):
        rest = [m for m in inputs.open_models if m not in good]
        more, more_evaluated = selfhosted_candidates(context, inputs, rest)
        for candidate in more:
            apply_feasibility(candidate, context, inputs)
        considered = [*good, *rest]
        selfhosted += more
        evaluated += more_evaluated
        candidates += more
        _check_finite(more, context)
        ranked = sorted((c for c in candidates if c.priced), key=lambda c: c.rank_key(rate))
    unfit = unfit_models(context, inputs, considered, selfhosted)
    candidates += unfit
    chosen = ranked[0] if ranked and ranked[0].hard_ok else None
    feasible = [c for c in ranked if c.feasible]

    api_pool = [c for c in ranked if c.placement != "self-hosted" and c.feasible]
    # Break-even and payback are against staying as the workload is (its current cost), else the best API.
    reference_api = stay if stay.priced else (api_pool[0] if api_pool else None)
    breakevens = {c.id: breakeven_for(c, reference_api, context) for c in selfhosted}

    options = [
        option_doc(c, context, breakevens.get(c.id))
        for c in sorted(candidates, key=lambda c: c.rank_key(rate))
    ]
    best = {p: next((c.id for c in ranked if c.placement == p), None) for p in PLACEMENTS}
    recommendation = None
    notes = [f"{evaluated} self-hosted configurations costed; listed: the best GPU per open model and mode"]
    if len(good) < len(inputs.open_models) and ranked and ranked[0].feasible:
        notes.append(
            "open models below the quality floor or without a comparable score were not costed for "
            "self-hosting "
            "(an option meets every constraint)"
        )
    notes += lever_notes
    if chosen is not None:
        runner_up = next((c for c in ranked if c is not chosen and c.hard_ok), None)
        chosen_doc = next(o for o in options if o.id == chosen.id)
        reasons = reasons_for(chosen, stay, len(feasible), context, runner_up) + chosen.reasons
        unscored = unscored_reason(context, stay, ranked, rate) if chosen is stay else None
        if unscored:
            reasons.insert(0, unscored)
        recommendation = Recommendation(**chosen_doc.model_dump(), reasons=reasons)
    else:
        notes.append("no priced option meets the workload's sovereignty constraint")
    best_self = next((c for c in ranked if c.placement == "self-hosted"), None)
    workload_breakeven = None
    best_breakeven = breakevens.get(best_self.id) if best_self is not None else None
    if best_self is not None and best_breakeven is not None:
        workload_breakeven = WorkloadBreakeven(**best_breakeven.model_dump(), option_id=best_self.id)
    plan = WorkloadPlan(
        workload=profile.workload,
        current_provider=profile.current.provider if profile.current else None,
        current_model=context.current_model,
        current_monthly_cost_usd=profile.monthly_cost_usd,
        monthly_tokens=profile.monthly.total_tokens,
        monthly_requests=profile.monthly.requests,
        growth=context.growth,
        sovereignty=context.sovereignty,
        quality_floor=context.quality_floor,
        criticality=context.redundancy.criticality,
        ttft_p99_ms=context.ttft_p99_ms,
        tpot_p99_ms=context.tpot_p99_ms,
        peak_to_mean_ratio=profile.peak_to_mean_ratio,
        cache_hit_rate=profile.cache_hit_rate,
        mean_input_tokens=profile.input_length.mean,
        mean_output_tokens=profile.output_length.mean,
        options=options,
        best_by_placement=best,
        recommendation=recommendation,
        breakeven=workload_breakeven,
        all_constraints_met=bool(chosen and chosen.feasible),
        assumed=list(profile.assumed),
        notes=notes,
        p50_input_tokens=profile.input_length.p50,
        p99_input_tokens=profile.input_length.p99,
        p50_output_tokens=profile.output_length.p50,
        p99_output_tokens=profile.output_length.p99,
        length_percentiles_from_means=profile.input_length.from_means or profile.output_length.from_means,
        task=context.task,
        unpriced_share=profile.unpriced_share,
        current_cost_is_lower_bound=profile.unpriced_share > 0 or profile.monthly_cost_usd is None,
        serving_hours_per_month=context.serving_hours_per_month,
    )
    return plan, candidates
