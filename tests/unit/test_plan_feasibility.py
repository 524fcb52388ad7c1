"""Hard feasibility rules: context window, base and superseded models, models that fit no replica, and
the ``[candidates]`` allow/deny lists. Infeasible options stay in the plan with their reasons."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from _plan_fixtures import make_profile

from llm_tco.config import parse_config
from llm_tco.plan import PlanInputs, build_plan
from llm_tco.plan.doc import Option, WorkloadPlan
from llm_tco.profile.model import LengthStats, WorkloadProfile


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    return PlanInputs.bundled()


def _plan(inputs: PlanInputs, profile: WorkloadProfile, raw: dict[str, Any]) -> WorkloadPlan:
    return build_plan([profile], parse_config(raw), inputs).workloads[0]


def _long_prompts(p99_prompt: float, p99_output: float) -> WorkloadProfile:
    profile = make_profile("contracts", model="gpt-4o", monthly_tokens=2e8, input_len=50_000, output_len=800)
    return replace(
        profile,
        input_length=LengthStats(50_000, 48_000, 58_000, p99_prompt),
        output_length=LengthStats(800, 700, 1_000, p99_output),
    )


def _by_open_model(plan: WorkloadPlan, placement: str) -> dict[str, Option]:
    return {o.open_model or o.model: o for o in plan.options if o.placement == placement}


def test_context_window_excludes_short_context_models(inputs: PlanInputs) -> None:
    # p99 prompt 60,557 + p99 output 1,000 = 61,557 tokens: over Mistral-7B's 32,768-token window
    # (open_models.yaml), within Llama 3.3 70B's 131,072.
    profile = _long_prompts(60_557, 1_000)
    raw = {"workloads": {"contracts": {"sovereignty": "air-gapped"}}, "quality": {"unknown": "assume-floor"}}
    plan = _plan(inputs, profile, raw)
    options = _by_open_model(plan, "self-hosted")
    mistral = options["mistral-7b"]
    assert not mistral.feasible and "context" in mistral.unmet
    assert any(
        "61,557 tokens" in r and "32,768-token context window" in r for r in mistral.infeasible_reasons
    )
    llama = options["llama-3.3-70b"]
    assert "context" not in llama.unmet
    assert plan.recommendation is not None
    assert plan.recommendation.open_model not in ("mistral-7b", "llama-2-7b", "llama-2-70b", "gpt-j-6b")


def test_context_window_applies_to_closed_models(inputs: PlanInputs) -> None:
    # 150,000 + 2,000 = 152,000 tokens: over gpt-4o's 128,000 (genai-prices), within gpt-4.1's 1M.
    profile = _long_prompts(150_000, 2_000)
    plan = _plan(inputs, profile, {})
    closed = {o.model: o for o in plan.options if o.placement == "closed-api"}
    stay = next(o for o in plan.options if o.id == "stay")
    assert "context" not in stay.unmet  # today's model is the reference, never excluded
    over = [o for o in closed.values() if "context" in o.unmet]
    assert over and all("152,000 tokens" in o.infeasible_reason for o in over if o.infeasible_reason)


def test_base_and_superseded_models_are_infeasible(inputs: PlanInputs) -> None:
    profile = make_profile("w", monthly_tokens=5e9)
    raw = {"quality": {"unknown": "assume-floor", "floor": 0.0}}
    options = _by_open_model(_plan(inputs, profile, raw), "self-hosted")
    assert "gpt-j-6b is a base model (not instruction-tuned)" in options["gpt-j-6b"].infeasible_reasons
    assert "llama-2-70b is superseded by llama-3.3-70b" in options["llama-2-70b"].infeasible_reasons
    assert options["llama-2-70b"].feasible is False and "model" in options["llama-2-70b"].unmet
    assert "model" not in options["llama-3.3-70b"].unmet


def test_model_too_large_is_named_with_the_smallest_shape(inputs: PlanInputs) -> None:
    # Llama 3.1 405B needs ≥ 405 GB of weights at fp8: one 24 GB L4 cannot hold it, and neither can 16
    # (384 GB); 32 L4s (768 GB) can. At bf16 (810 GB) even 32 cannot.
    profile = make_profile("w", monthly_tokens=5e9)
    raw = {
        "gpu": {"gpus": ["l4"], "max_gpus_per_replica": 1, "deployment_modes": ["on-demand"]},
        "quality": {"unknown": "assume-floor", "floor": 0.0},
    }
    plan = _plan(inputs, profile, raw)
    unfit = next(o for o in plan.options if o.id == "self-hosted:llama-3.1-405b:does-not-fit")
    assert not unfit.feasible and unfit.unmet == ["capacity"]
    reason = unfit.infeasible_reasons[0]
    assert "does not fit a replica of up to 1 GPUs (l4)" in reason
    assert "smallest shape that fits: 32× l4 at fp8" in reason
    assert unfit.horizon_cost_usd is None


def test_candidates_lists_exclude_providers_and_models(inputs: PlanInputs) -> None:
    profile = make_profile("w", monthly_tokens=5e9)
    raw = {"candidates": {"exclude_closed_model_providers": ["anthropic"]}}
    plan = _plan(inputs, profile, raw)
    anthropic = [o for o in plan.options if o.placement == "closed-api" and o.provider == "anthropic"]
    assert anthropic
    for option in anthropic:
        assert "allowed" in option.unmet
        assert (
            "provider anthropic is in [candidates].exclude_closed_model_providers"
            in option.infeasible_reasons
        )
    others = [o for o in plan.options if o.placement == "closed-api" and o.provider != "anthropic"]
    assert all("allowed" not in o.unmet for o in others)

    only = _plan(inputs, profile, {"candidates": {"models": ["llama-3.3-70b"]}})
    for option in only.options:
        if option.id == "stay":
            assert "allowed" not in option.unmet
        elif (option.open_model or option.model) != "llama-3.3-70b":
            assert "allowed" in option.unmet, option.id
    assert only.recommendation is not None
    assert only.recommendation.id == "stay" or only.recommendation.open_model == "llama-3.3-70b"


def test_candidates_lists_match_any_spelling_of_a_model(inputs: PlanInputs) -> None:
    profile = make_profile("w", monthly_tokens=5e9)
    plan = _plan(inputs, profile, {"candidates": {"models": ["claude-sonnet-4-5-20250929"]}})
    sonnet = [o for o in plan.options if o.model == "claude-sonnet-4-5"]
    assert sonnet and all("allowed" not in o.unmet for o in sonnet)
    others = [
        o
        for o in plan.options
        if o.placement == "closed-api" and o.id != "stay" and o.model != "claude-sonnet-4-5"
    ]
    assert others and all("allowed" in o.unmet for o in others)
