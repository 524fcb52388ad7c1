"""The cheap levers of an API workload: the same model through the provider's Batch API, and with prompt
caching. Both keep the model and its prompts, so they are tried before moving anywhere.

- **Batch API** — offered where the price data has a batch price for the current model and the workload
  can wait for its answers: ``latency = "batch-ok"`` in its ``[workloads.<name>]`` table, or a p99 TTFT
  target of at least ``[levers].batch_min_ttft_p99_ms``.
- **Prompt caching** — the plan cannot see prompts, so it assumes a share of every request's input is a
  stable prefix (``[levers].cacheable_input_share``, per workload ``cacheable_input_share``). A request
  reads that prefix from the cache when another request came within the cache lifetime
  (``[levers].cache_lifetime_minutes``); otherwise it writes it. With requests arriving at random (Poisson)
  at the workload's mean rate, ``λ`` requests per lifetime, a request hits with probability ``1 - e^-λ``.
  Offered where today's cache hit rate is below the share, the model prices cache reads below uncached
  input, and the mean request's prefix reaches the provider's minimum.

A lever is offered only when it saves at least 1% of the token cost (no lever is worth the change for
less; a rounding-level saving would otherwise win every tie with staying).

Each lever's cost is today's audited spend × (the lever's cost ÷ the standard cost of today's token mix at
the current model's list rates): the lever's saving at list prices, applied to what the workload really pays
(so negotiated discounts carry over). Then, like staying, it grows with the workload and declines with the
placement's yearly price decline. No migration cost is charged: the model and prompts stay.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Literal

from llm_tco.catalog.quality import QualityRatio
from llm_tco.cost.horizon import price_factors
from llm_tco.plan.api_options import mix_cost_usd
from llm_tco.plan.candidate import Candidate, api_sovereignty, quality_check, zeros
from llm_tco.plan.context import WorkloadContext
from llm_tco.plan.inputs import PlanInputs, ResolvedApiModel
from llm_tco.profile.model import TokenMix
from llm_tco.units import HOURS_PER_MONTH

__all__ = ["batch_allowed", "cache_hit_probability", "cached_mix", "lever_candidates"]


def batch_allowed(context: WorkloadContext) -> bool:
    """Whether the workload's latency targets allow answers that take up to a day."""
    table = context.config.workload(context.workload)
    return table.latency == "batch-ok" or context.ttft_p99_ms >= context.config.levers.batch_min_ttft_p99_ms


def cacheable_share(context: WorkloadContext) -> float:
    table = context.config.workload(context.workload)
    if table.cacheable_input_share is not None:
        return table.cacheable_input_share
    return context.config.levers.cacheable_input_share


_MIN_SAVING = 0.01


def cache_hit_probability(monthly_requests: float, lifetime_minutes: float) -> float:
    """Probability that a request finds its prefix cached: 1 - e^-λ, λ the mean requests per lifetime."""
    per_lifetime = monthly_requests / (HOURS_PER_MONTH * 60.0) * lifetime_minutes
    return -math.expm1(-per_lifetime)


def cached_mix(mix: TokenMix, share: float, hit_probability: float) -> TokenMix:
    """Today's mix with the stable prefix (``share`` of the input, less what is already cached) read from
    the cache by the requests that hit and written to it (5-minute writes) by those that miss."""
    room = min(share * mix.input_tokens, mix.input_tokens - mix.cache_write_tokens)
    prefix = max(0.0, room - mix.cache_read_tokens)
    return replace(
        mix,
        cache_read_tokens=mix.cache_read_tokens + prefix * hit_probability,
        cache_write_tokens=mix.cache_write_tokens + prefix * (1.0 - hit_probability),
    )


def _lever(
    context: WorkloadContext,
    inputs: PlanInputs,
    placement: str,
    resolved: ResolvedApiModel,
    kind: Literal["batch", "prompt-caching"],
    factor: float,
    reasons: list[str],
) -> Candidate:
    """A lever option: today's spend × ``factor``, grown and price-declined like staying."""
    profile = context.profile
    assert profile.monthly_cost_usd is not None
    today = float(profile.monthly_cost_usd) * factor
    months = context.months
    prices = context.config.prices
    decline = (
        prices.open_api_decline_per_year if placement == "open-api" else prices.closed_api_decline_per_year
    )
    growth = context.tokens / context.today_tokens if context.today_tokens else zeros(months)
    recurring = today * growth * price_factors(decline, months)
    candidate = Candidate(
        id=f"{placement}:{'batch' if kind == 'batch' else 'cached'}:{resolved.provider}:{resolved.model}",
        placement="open-api" if placement == "open-api" else "closed-api",
        provider=resolved.provider,
        model=resolved.model,
        tokens=context.tokens,
        recurring_usd=recurring,
        one_off_usd=zeros(months),
        quality=QualityRatio(1.0, "same-model"),
        usd_per_token_today=today / context.today_tokens if context.today_tokens else None,
        lines={"tokens": recurring},
        reasons=reasons,
        lever=kind,
    )
    candidate.notes.extend(reasons)
    candidate.notes.append("no migration cost: the model and its prompts stay")
    if len(profile.models) > 1:
        candidate.notes.append(
            f"the saving at {resolved.model}'s prices is applied to all {len(profile.models)} models' spend"
        )
    problem = api_sovereignty(context, resolved.provider, inputs.api_regions.get(resolved.provider))
    if problem:
        candidate.unmet["sovereignty"] = problem
    _, quality_problem = quality_check(context, resolved.model, candidate.quality)
    if quality_problem:
        candidate.unmet["quality"] = quality_problem
    return candidate


def lever_candidates(
    context: WorkloadContext, inputs: PlanInputs, placement: str
) -> tuple[list[Candidate], list[str]]:
    """The Batch API and prompt-caching options of the workload's current model, and notes on levers that
    exist but are not offered (and why)."""
    profile = context.profile
    current = profile.current
    if current is None or profile.monthly_cost_usd is None or profile.monthly_cost_usd <= 0:
        return [], []
    mean_input = profile.input_length.mean or 0.0
    resolved = inputs.pricer(
        current.provider, current.model or current.model_raw, context.start, round(mean_input)
    )
    if resolved is None:
        return [], []
    mix = profile.monthly
    standard = mix_cost_usd(resolved.rates, mix)
    if standard <= 0:
        return [], []
    out: list[Candidate] = []
    notes: list[str] = []
    if resolved.batch_rates is not None:
        batch = float(mix_cost_usd(resolved.batch_rates, mix) / standard)
        if batch <= 1.0 - _MIN_SAVING and batch_allowed(context):
            table = context.config.workload(context.workload)
            allowed_by = (
                "latency = batch-ok"
                if table.latency == "batch-ok"
                else f"p99 TTFT target {context.ttft_p99_ms:g} ms"
            )
            why = (
                f"Batch API: {resolved.provider}'s batch prices for {resolved.model} cost {batch:.0%} of its "
                f"standard prices for today's token mix; answers take up to 24 hours "
                f"(allowed by {allowed_by})"
            )
            out.append(_lever(context, inputs, placement, resolved, "batch", batch, [why]))
        elif batch <= 1.0 - _MIN_SAVING:
            notes.append(
                f"the Batch API would cost {batch:.0%} of today's price for {resolved.model} but is not "
                'offered: the workload waits on its answers (set latency = "batch-ok" in its [workloads] '
                "table if it can wait up to 24 hours)"
            )
    share = cacheable_share(context)
    levers = context.config.levers
    rates = resolved.rates
    if (
        profile.cache_hit_rate < share
        and rates.cache_read_mtok < rates.uncached_input_mtok
        and share * mean_input >= levers.min_cacheable_prefix_tokens
    ):
        hit = cache_hit_probability(mix.requests, levers.cache_lifetime_minutes)
        cached = float(mix_cost_usd(rates, cached_mix(mix, share, hit)) / standard)
        if cached <= 1.0 - _MIN_SAVING:
            why = (
                f"prompt caching: assumes {share:.0%} of input is a stable prefix (cacheable_input_share; "
                f"today's cache hit rate {profile.cache_hit_rate:.0%}), read from the cache at "
                f"${rates.cache_read_mtok:g} instead of ${rates.uncached_input_mtok:g} per 1M tokens by the "
                f"{hit:.0%} of requests that follow another within the "
                f"{levers.cache_lifetime_minutes:g}-minute cache lifetime (the others write it): "
                f"{cached:.0%} of today's cost"
            )
            out.append(_lever(context, inputs, placement, resolved, "prompt-caching", cached, [why]))
    return out, notes
