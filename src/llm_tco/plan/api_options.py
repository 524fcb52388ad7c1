"""API options: stay on the current model, move to another closed model, or to a hosted open-weight model.

An API option's monthly cost is today's token mix priced at the candidate's rates (genai-prices, standard
tier), grown at the workload's growth and lowered by the placement's yearly price decline. With a user
price file whose entries start or end inside the horizon (a negotiated discount that expires), each month
is priced as in force on its first day: the discount until it ends, the list price after. Staying keeps
today's audited spend (all of the workload's current models, with their batch and tier discounts); moving
pays the one-off migration in month 1.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import numpy as np

from llm_tco.catalog.quality import QualityRatio
from llm_tco.cost.horizon import FloatArray, price_factors
from llm_tco.plan.candidate import Candidate, api_sovereignty, quality_check, zeros
from llm_tco.plan.context import WorkloadContext
from llm_tco.plan.inputs import PlanInputs, ResolvedApiModel
from llm_tco.pricing.rates import PartitionRates
from llm_tco.profile.model import TokenMix

__all__ = ["api_candidates", "mix_cost_usd", "stay_candidate"]


def mix_cost_usd(rates: PartitionRates, mix: TokenMix) -> Decimal:
    """A month's token mix priced at ``rates`` (exact, in dollars): counts rounded to whole tokens."""
    return rates.cost_usd(
        input_tokens=round(mix.input_tokens),
        cache_read_tokens=round(mix.cache_read_tokens),
        cache_write_tokens=round(mix.cache_write_tokens),
        cache_write_1h_tokens=round(mix.cache_write_1h_tokens),
        output_tokens=round(mix.output_tokens),
        reasoning_tokens=round(mix.reasoning_tokens),
        requests=round(mix.requests),
    )


def _monthly_cost_usd(context: WorkloadContext, resolved: ResolvedApiModel) -> float:
    return float(mix_cost_usd(resolved.rates, context.profile.monthly))


def _month_start(start: datetime, offset: int) -> datetime:
    index = start.year * 12 + start.month - 1 + offset
    return datetime(index // 12, index % 12 + 1, 1)


def _price_path(
    context: WorkloadContext,
    inputs: PlanInputs,
    today_usd: float,
    reprice: Callable[[datetime], ResolvedApiModel | None],
) -> tuple[FloatArray, list[str]]:
    """Month i's price ÷ the first month's (ones when the price file changes nothing inside the horizon),
    and notes naming the months the price changes.

    Each month is priced as in force on its first day. Only months on or after a day a price-file entry
    starts or ends are repriced: the prices between those days do not change (the price data's own dated
    changes are left to the yearly decline, as for every option)."""
    months = context.months
    path = np.ones(months, dtype=np.float64)
    notes: list[str] = []
    if not inputs.price_change_days or today_usd <= 0.0:
        return path, notes
    starts = [_month_start(context.start, i) for i in range(months)]
    ratio = 1.0
    for i in range(1, months):
        if any(starts[i - 1].date() < day <= starts[i].date() for day in inputs.price_change_days):
            resolved = reprice(starts[i])
            if resolved is not None:
                new_ratio = float(mix_cost_usd(resolved.rates, context.profile.monthly)) / today_usd
                if abs(new_ratio - ratio) > 1e-12:
                    notes.append(
                        f"price file: from month {i + 1} ({starts[i]:%Y-%m}) priced at {new_ratio:.0%} "
                        "of month 1's rates (an entry starts or ends)"
                    )
                ratio = new_ratio
        path[i] = ratio
    return path, notes


def _repricer(
    inputs: PlanInputs, provider: str | None, model: str, mean_input_tokens: int
) -> Callable[[datetime], ResolvedApiModel | None]:
    """The option's model priced at another instant, asked as it was first resolved."""

    def reprice(at: datetime) -> ResolvedApiModel | None:
        return inputs.pricer(provider, model, at, mean_input_tokens)

    return reprice


def _decline(context: WorkloadContext, placement: str) -> float:
    prices = context.config.prices
    return prices.open_api_decline_per_year if placement == "open-api" else prices.closed_api_decline_per_year


def stay_candidate(context: WorkloadContext, inputs: PlanInputs, placement: str) -> Candidate:
    """Keep today's models and spend."""
    profile = context.profile
    current = profile.current
    model = context.current_model or "unknown"
    provider = current.provider if current else None
    candidate = Candidate(
        id="stay",
        placement="open-api" if placement == "open-api" else "closed-api",
        provider=provider,
        model=model,
        tokens=context.tokens,
        recurring_usd=None,
        one_off_usd=None,
        quality=QualityRatio(1.0, "same-model"),
    )
    if profile.monthly_cost_usd is not None:
        today = float(profile.monthly_cost_usd)
        factors = context.tokens / context.today_tokens if context.today_tokens else zeros(context.months)
        candidate.recurring_usd = (
            today * factors * price_factors(_decline(context, placement), context.months)
        )
        candidate.one_off_usd = zeros(context.months)
        candidate.lines = {"tokens": candidate.recurring_usd}
        candidate.usd_per_token_today = today / context.today_tokens if context.today_tokens else None
    else:
        candidate.unmet["price"] = "today's usage is unpriced"
    if profile.unpriced_share > 0:
        candidate.notes.append(
            f"{profile.unpriced_share:.0%} of today's tokens are unpriced (cost understated)"
        )
    if len(profile.models) > 1:
        candidate.notes.append(f"keeps today's mix of {len(profile.models)} models")
    problem = api_sovereignty(context, provider or "unknown", inputs.api_regions.get(provider or ""))
    if problem:
        candidate.unmet["sovereignty"] = problem
    _, quality_problem = quality_check(context, model, candidate.quality)
    if quality_problem:  # only with a floor above 1 (asking for better than today)
        candidate.unmet["quality"] = quality_problem
    return candidate


def _api_candidate(
    context: WorkloadContext,
    inputs: PlanInputs,
    resolved: ResolvedApiModel,
    placement: str,
    open_model: str | None,
    reprice: Callable[[datetime], ResolvedApiModel | None],
) -> Candidate:
    quality_name = open_model or resolved.model
    ratio, problem = quality_check(
        context,
        quality_name,
        inputs.quality.ratio(quality_name, context.current_model or "", context.task),
    )
    today = _monthly_cost_usd(context, resolved)
    months = context.months
    path, price_notes = _price_path(context, inputs, today, reprice)
    candidate = Candidate(
        id=f"{placement}:{resolved.provider}:{resolved.model}",
        placement="open-api" if placement == "open-api" else "closed-api",
        provider=resolved.provider,
        model=resolved.model,
        open_model=open_model,
        tokens=context.tokens,
        recurring_usd=today
        * (context.tokens / context.today_tokens if context.today_tokens else zeros(months))
        * price_factors(_decline(context, placement), months)
        * path,
        one_off_usd=zeros(months),
        quality=ratio,
        usd_per_token_today=today / context.today_tokens if context.today_tokens else None,
        context_tokens=resolved.context_tokens,
    )
    assert candidate.one_off_usd is not None
    candidate.one_off_usd[0] += context.migration_usd
    assert candidate.recurring_usd is not None
    candidate.lines = {"tokens": candidate.recurring_usd, "migration": candidate.one_off_usd.copy()}
    if problem:
        candidate.unmet["quality"] = problem
    sovereignty = api_sovereignty(context, resolved.provider, inputs.api_regions.get(resolved.provider))
    if sovereignty:
        candidate.unmet["sovereignty"] = sovereignty
    candidate.notes.extend(price_notes)
    if context.profile.latency is None:
        candidate.notes.append("latency not checked for API options (no latency data)")
    else:
        candidate.notes.append(
            f"latency not checked: the logs time only the current model's requests, not {resolved.model}'s"
        )
    return candidate


def api_candidates(context: WorkloadContext, inputs: PlanInputs) -> list[Candidate]:
    """Closed-model and hosted open-model alternatives to the current model(s)."""
    current = context.current_model
    mean_input = context.profile.input_length.mean or 0.0
    out: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    for closed in inputs.quality.closed_models():
        resolved = inputs.pricer(None, closed, context.start, round(mean_input))
        if resolved is None or resolved.model == current or (resolved.provider, resolved.model) in seen:
            continue
        seen.add((resolved.provider, resolved.model))
        out.append(
            _api_candidate(
                context,
                inputs,
                resolved,
                "closed-api",
                None,
                _repricer(inputs, None, closed, round(mean_input)),
            )
        )
    for provider, model, slug in inputs.hosted:
        resolved = inputs.pricer(provider, model, context.start, round(mean_input))
        if resolved is None or (resolved.provider, resolved.model) in seen:
            continue
        seen.add((resolved.provider, resolved.model))
        out.append(
            _api_candidate(
                context,
                inputs,
                resolved,
                "open-api",
                slug,
                _repricer(inputs, provider, model, round(mean_input)),
            )
        )
    return out
