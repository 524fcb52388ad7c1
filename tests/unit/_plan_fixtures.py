"""Synthetic workload profiles for plan tests (no store needed)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from llm_tco.plan.inputs import genai_prices_pricer
from llm_tco.profile.model import GrowthFit, LengthStats, ModelSpend, MonthlyPoint, TokenMix, WorkloadProfile

START = datetime(2026, 11, 1)


def make_profile(
    workload: str = "w",
    *,
    provider: str = "openai",
    model: str = "gpt-4o-mini",
    monthly_tokens: float = 1.0e9,
    input_len: float = 1000.0,
    output_len: float = 200.0,
    growth: float | None = 0.0,
    priced: bool = True,
    peak: float = 2.0,
) -> WorkloadProfile:
    requests = monthly_tokens / (input_len + output_len)
    mix = TokenMix(requests, requests * input_len, 0.0, 0.0, 0.0, requests * output_len, 0.0)
    cost: Decimal | None = None
    if priced and monthly_tokens > 0:
        resolved = genai_prices_pricer(provider, model, START, int(input_len))
        assert resolved is not None
        cost = resolved.rates.cost_usd(
            input_tokens=round(mix.input_tokens),
            output_tokens=round(mix.output_tokens),
            requests=round(requests),
        )
    elif priced:
        cost = Decimal(0)
    spend = ModelSpend(provider, model, model, cost, monthly_tokens)
    return WorkloadProfile(
        workload=workload,
        monthly=mix,
        monthly_cost_usd=cost,
        unpriced_share=0.0 if priced else 1.0,
        input_length=LengthStats(input_len),
        output_length=LengthStats(output_len),
        peak_to_mean_ratio=peak,
        cache_hit_rate=0.0,
        current=spend,
        models=(spend,),
        months=(MonthlyPoint("2026-10", mix, cost, True),),
        growth=GrowthFit(growth, 1.0 if growth is not None else None, 3),
        window_days=30.0,
    )
