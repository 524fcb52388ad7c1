"""Quality that fits the task: per-task benchmarks, provider ids resolved like pricing, the workload's own
eval scores, and unknown quality reported as such (never as a quality failure)."""

from __future__ import annotations

from typing import Any

import pytest
from _plan_fixtures import make_profile

from llm_tco.catalog.quality import quality_catalog, quality_index, same_model
from llm_tco.config import parse_config
from llm_tco.config.model import TASKS
from llm_tco.plan import PlanInputs, build_plan
from llm_tco.plan.doc import WorkloadPlan
from llm_tco.report.plan_terminal import quality_text


@pytest.fixture(scope="module")
def inputs() -> PlanInputs:
    return PlanInputs.bundled()


def _plan(inputs: PlanInputs, raw: dict[str, Any], **profile: Any) -> WorkloadPlan:
    return build_plan([make_profile("w", **profile)], parse_config(raw), inputs).workloads[0]


@pytest.mark.parametrize(
    "spelling",
    [
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",  # Bedrock cross-region inference profile
        "regional.anthropic.claude-sonnet-4-5-20250929-v1:0",  # genai-prices' Bedrock id
        "anthropic.claude-sonnet-4-5-20250929-v1:0",  # Bedrock base model id
        "claude-sonnet-4-5@20250929",  # Vertex AI
        "claude-sonnet-4-5-20250929",  # dated snapshot
    ],
)
def test_provider_ids_find_their_scores(spelling: str) -> None:
    entry = quality_index().entry(spelling)
    assert entry is not None and entry.id == "claude-sonnet-4-5"


def test_dated_openai_snapshot_finds_its_scores() -> None:
    entry = quality_index().entry("gpt-4o-2024-11-20")
    assert entry is not None and entry.id == "gpt-4o"


def test_every_task_names_known_benchmarks() -> None:
    catalog = quality_catalog()
    ids = {b.id for b in catalog.benchmarks}
    assert set(catalog.tasks) == set(TASKS)
    for benchmarks in catalog.tasks.values():
        assert benchmarks and set(benchmarks) <= ids
    assert "gpqa-diamond" not in catalog.tasks["coding"]


def test_coding_uses_a_code_benchmark_not_gpqa() -> None:
    q = quality_index()
    # SWE-bench Verified: GPT-5 74.9 ÷ Claude Sonnet 4.5 77.2 (OpenAI's and Anthropic's launch posts).
    coding = q.ratio("gpt-5", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "coding")
    assert coding.benchmark == "swe-bench-verified"
    assert coding.ratio == pytest.approx(74.9 / 77.2)
    # The same pair on the general task is read from GPQA Diamond: 85.7 ÷ 83.4.
    general = q.ratio("gpt-5", "claude-sonnet-4-5", "general")
    assert general.benchmark == "gpqa-diamond" and general.ratio == pytest.approx(85.7 / 83.4)
    # Llama 3.3 70B has a GPQA score but no SWE-bench score in the catalog: unknown for coding, never
    # borrowed from GPQA.
    assert q.ratio("llama-3.3-70b", "claude-sonnet-4-5", "general").benchmark == "gpqa-diamond"
    assert q.ratio("llama-3.3-70b", "claude-sonnet-4-5", "coding").ratio is None
    # gpt-oss-120b on SWE-bench Verified (medium reasoning): 52.6 ÷ 77.2.
    assert q.ratio("gpt-oss-120b", "claude-sonnet-4-5", "coding").ratio == pytest.approx(52.6 / 77.2)


def test_coding_workload_on_bedrock_is_compared_on_swe_bench(inputs: PlanInputs) -> None:
    plan = _plan(
        inputs,
        {"workloads": {"w": {"task": "coding"}}},
        provider="aws-bedrock",
        model="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        monthly_tokens=2e9,
    )
    gpt5 = next(o for o in plan.options if o.placement == "closed-api" and o.model == "gpt-5")
    assert gpt5.quality_basis == "benchmark"
    assert gpt5.quality_ratio == pytest.approx(74.9 / 77.2)


def test_workload_eval_scores_replace_the_catalog(inputs: PlanInputs) -> None:
    raw = {"workloads": {"w": {"quality": {"gpt-4o": 80.0, "gpt-4o-mini": 76.0, "llama-3.3-70b": 60.0}}}}
    plan = _plan(inputs, raw, model="gpt-4o", monthly_tokens=2e9)
    mini = next(o for o in plan.options if o.model == "gpt-4o-mini")
    assert mini.quality_basis == "eval" and mini.quality_ratio == pytest.approx(76 / 80)
    llama = [o for o in plan.options if o.open_model == "llama-3.3-70b" and o.quality_ratio is not None]
    assert llama and all(o.quality_ratio == pytest.approx(60 / 80) for o in llama)
    # gpt-5 has a catalog GPQA score, but the workload's eval replaces the catalog: not scored there.
    gpt5 = next(o for o in plan.options if o.model == "gpt-5")
    assert gpt5.quality_ratio is None and "unscored" in gpt5.unmet


def test_unknown_quality_is_named_not_a_quality_failure(inputs: PlanInputs) -> None:
    # A coding workload on Claude Haiku 4.5 (SWE-bench 73.3): most cheaper options have no SWE-bench
    # score, so the plan stays — and says it stayed for want of a score.
    plan = _plan(
        inputs,
        {"workloads": {"w": {"task": "coding"}}},
        provider="anthropic",
        model="claude-haiku-4-5",
        monthly_tokens=3e9,
    )
    assert plan.recommendation is not None and plan.recommendation.id == "stay"
    first = plan.recommendation.reasons[0]
    assert first.startswith("stayed because no comparable score for ")
    assert first.endswith("; add [workloads.w.quality] to compare")
    for option in plan.options:
        if option.quality_ratio is None and option.id != "stay" and option.horizon_cost_usd is not None:
            assert "quality" not in option.unmet and "unscored" in option.unmet
            assert not any("below the floor" in r for r in option.infeasible_reasons)


def test_terminal_shows_ratios_above_one_as_at_least_one() -> None:
    assert quality_text(1.99) == "≥ 1.0"
    assert quality_text(1.0) == "1.00"
    assert quality_text(0.874) == "0.87"
    assert quality_text(None) == "—"


def test_version_dots_are_not_provider_prefixes() -> None:
    # "qwen2." and "llama3." are versions, not Bedrock vendor prefixes: the two stay different models.
    assert not same_model("qwen2.5-72b", "llama3.5-72b")
    assert not same_model("gpt-4.1-mini", "gpt-4.1")
    assert same_model("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5")
