"""The cheap levers: the Batch API where the workload can wait and a batch price exists, and prompt caching
where the assumed stable prefix is not cached yet — each priced by hand from genai-prices' published rates."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime
from typing import Any

import pytest
from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.plan import PlanInputs, build_plan
from llm_tco.plan.doc import Option, WorkloadPlan
from llm_tco.plan.inputs import ResolvedApiModel, genai_prices_pricer
from llm_tco.plan.levers import cache_hit_probability
from llm_tco.profile.model import TokenMix

# genai-prices' published gpt-4o prices, USD per 1M tokens: standard input 2.50, cached input 1.25,
# output 10.00; Batch API input 1.25, output 5.00 (half).
GPT4O = {"input": 2.50, "cached": 1.25, "output": 10.00, "batch_input": 1.25, "batch_output": 5.00}
MONTHLY_TOKENS = 6.0e8


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    return PlanInputs.bundled()


def _plan(inputs: PlanInputs, raw: dict[str, Any], **profile: Any) -> WorkloadPlan:
    args: dict[str, Any] = {"model": "gpt-4o", "monthly_tokens": MONTHLY_TOKENS}
    args.update(profile)
    return build_plan([make_profile("w", **args)], parse_config(raw), inputs).workloads[0]


def _lever(plan: WorkloadPlan, kind: str) -> Option | None:
    return next((o for o in plan.options if f":{kind}:" in o.id), None)


def test_batch_offered_when_batch_ok_at_the_batch_rate(inputs: PlanInputs) -> None:
    plan = _plan(inputs, {"workloads": {"w": {"latency": "batch-ok"}}})
    batch = _lever(plan, "batch")
    assert batch is not None and batch.monthly_cost_usd is not None
    assert batch.id == "closed-api:batch:openai:gpt-4o" and batch.feasible
    requests = MONTHLY_TOKENS / 1200  # 1,000 input + 200 output tokens per request
    expected = requests * (1000 * GPT4O["batch_input"] + 200 * GPT4O["batch_output"]) / 1e6
    assert float(batch.monthly_cost_usd) == pytest.approx(expected, rel=1e-6)
    assert batch.quality_ratio == 1.0 and batch.one_off_cost_usd == 0 and batch.lever == "batch"
    assert any("Batch API" in note and "50%" in note for note in batch.notes)


def test_batch_allowed_by_a_ttft_target_of_an_hour(inputs: PlanInputs) -> None:
    assert _lever(_plan(inputs, {"workloads": {"w": {"ttft_p99_ms": 3_600_000}}}), "batch") is not None
    below = _plan(inputs, {"workloads": {"w": {"ttft_p99_ms": 3_599_999}}})
    assert _lever(below, "batch") is None
    assert any('latency = "batch-ok"' in note for note in below.notes)


def test_batch_not_offered_for_an_interactive_workload(inputs: PlanInputs) -> None:
    plan = _plan(inputs, {})
    assert _lever(plan, "batch") is None
    assert any("Batch API would cost 50%" in note for note in plan.notes)


def test_batch_not_offered_without_a_batch_price(inputs: PlanInputs) -> None:
    # genai-prices has no batch price for Mistral Large.
    resolved = genai_prices_pricer("mistral", "mistral-large-latest", datetime(2026, 11, 1), 1000)
    assert resolved is not None and resolved.batch_rates is None
    raw = {"workloads": {"w": {"latency": "batch-ok"}}}
    plan = _plan(inputs, raw, provider="mistral", model="mistral-large-latest")
    assert _lever(plan, "batch") is None


def _hit(requests_per_month: float) -> float:
    """A request hits when another came within the 5-minute cache lifetime: 1 - e^-λ, λ per 5 minutes."""
    per_five_minutes = requests_per_month / (730 * 60) * 5
    return 1 - math.exp(-per_five_minutes)


def test_cache_hit_probability_by_hand() -> None:
    # 8,760 requests a month = 12 an hour = one per 5 minutes on average: 1 - 1/e of them hit.
    assert cache_hit_probability(8760, 5.0) == pytest.approx(1 - 1 / math.e)
    assert cache_hit_probability(0, 5.0) == 0.0


def test_caching_saving_by_hand(inputs: PlanInputs) -> None:
    plan = _plan(inputs, {}, input_len=4000.0, output_len=200.0)
    cached = _lever(plan, "cached")
    assert cached is not None and cached.monthly_cost_usd is not None and cached.lever == "prompt-caching"
    requests = MONTHLY_TOKENS / 4200
    hit = _hit(requests)
    # Default assumption: half the input (2,000 tokens) is a stable prefix: read from the cache by the
    # requests that hit, written by the others (genai-prices has no cache-write price for gpt-4o: a write
    # costs as input).
    per_request = (
        2000 * GPT4O["input"]
        + 2000 * hit * GPT4O["cached"]
        + 2000 * (1 - hit) * GPT4O["input"]
        + 200 * GPT4O["output"]
    ) / 1e6
    assert float(cached.monthly_cost_usd) == pytest.approx(requests * per_request, rel=1e-6)
    # about 9,500 / 12,000 of today's list cost (nearly every request hits at 163 requests per 5 minutes)
    assert plan.current_monthly_cost_usd is not None
    ratio = float(cached.monthly_cost_usd) / float(plan.current_monthly_cost_usd)
    assert ratio == pytest.approx(9500 / 12000, rel=1e-4)
    assert any("assumes 50% of input is a stable prefix" in note for note in cached.notes)


def test_caching_share_is_configurable_per_workload(inputs: PlanInputs) -> None:
    plan = _plan(inputs, {"workloads": {"w": {"cacheable_input_share": 0.8}}}, input_len=4000.0)
    cached = _lever(plan, "cached")
    assert cached is not None and cached.monthly_cost_usd is not None
    requests = MONTHLY_TOKENS / 4200
    hit = _hit(requests)
    prefix = 3200
    per_request = (
        800 * GPT4O["input"]
        + prefix * hit * GPT4O["cached"]
        + prefix * (1 - hit) * GPT4O["input"]
        + 200 * GPT4O["output"]
    ) / 1e6
    assert float(cached.monthly_cost_usd) == pytest.approx(requests * per_request, rel=1e-6)


def test_caching_not_offered_at_a_trickle(inputs: PlanInputs) -> None:
    # 100 requests a month: about 1% of them follow another within 5 minutes — a saving below 1%.
    assert _hit(100) == pytest.approx(0.0114, abs=1e-3)
    assert _lever(_plan(inputs, {}, input_len=4000.0, monthly_tokens=4200 * 100), "cached") is None


def test_caching_not_offered_for_short_prompts_or_when_already_cached(inputs: PlanInputs) -> None:
    # Half of a 2,000-token prompt is below the 1,024-token minimum prefix.
    assert _lever(_plan(inputs, {}, input_len=2000.0), "cached") is None
    profile = make_profile("w", model="gpt-4o", monthly_tokens=MONTHLY_TOKENS, input_len=4000.0)
    mix = profile.monthly
    already = dataclasses.replace(
        profile,
        monthly=TokenMix(**{**dataclasses.asdict(mix), "cache_read_tokens": 0.6 * mix.input_tokens}),
        cache_hit_rate=0.6,
    )
    plan = build_plan([already], parse_config({}), inputs).workloads[0]
    assert _lever(plan, "cached") is None


def test_the_chosen_lever_states_its_assumption_in_the_reasons(inputs: PlanInputs) -> None:
    # Only the current model can be priced and no open model is catalogued: the levers compete with staying.
    def current_only(provider: str | None, model: str, at: datetime, mean: int) -> ResolvedApiModel | None:
        return genai_prices_pricer(provider, model, at, mean) if model == "gpt-4o" else None

    narrow = dataclasses.replace(inputs, open_models={}, hosted=(), pricer=current_only)
    raw = {"workloads": {"w": {"latency": "batch-ok"}}}
    plan = build_plan(
        [make_profile("w", model="gpt-4o", monthly_tokens=MONTHLY_TOKENS)], parse_config(raw), narrow
    ).workloads[0]
    assert plan.recommendation is not None
    assert plan.recommendation.id == "closed-api:batch:openai:gpt-4o"
    assert any(reason.startswith("Batch API:") for reason in plan.recommendation.reasons)
