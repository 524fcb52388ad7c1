"""Models given published scores find them under the ids their users log (provider spellings included).

Each expected ratio is worked out by hand from the published figures (see the `source` of each score in the
catalog), so a wrong value, a wrong benchmark or a spelling that no longer resolves fails here.
"""

from __future__ import annotations

import pytest

from llm_tco.catalog.quality import quality_index

# (model as a user's log may spell it, the catalog entry it must reach)
_SPELLINGS = [
    ("us.anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku-latest"),  # Bedrock profile
    ("claude-3-5-haiku@20241022", "claude-3-5-haiku-latest"),  # Vertex
    ("claude-3-5-haiku-20241022", "claude-3-5-haiku-latest"),  # Anthropic API
    ("publishers/google/models/gemini-1.5-pro-002", "gemini-1.5-pro"),  # Vertex
    ("mistral-small-2506", "mistral-small-3.2-24b-instruct"),  # Mistral API
    ("deepseek-ai/DeepSeek-V3", "deepseek-v3"),  # Hugging Face / hosted
    ("deepseek-ai/DeepSeek-R1", "deepseek-r1"),
    ("Qwen/Qwen2.5-72B-Instruct", "qwen2.5-72b"),
    ("meta.llama3-1-405b-instruct-v1:0", "llama-3.1-405b"),  # Bedrock
    ("meta-llama/Llama-3.1-405B-Instruct", "llama-3.1-405b"),
]


@pytest.mark.parametrize(("spelling", "entry_id"), _SPELLINGS)
def test_provider_spellings_reach_the_scored_entry(spelling: str, entry_id: str) -> None:
    entry = quality_index().entry(spelling)
    assert entry is not None, spelling
    assert entry.id == entry_id
    assert any(s.value is not None for s in entry.scores), f"{entry_id} has no published score"


# (candidate, current, task, benchmark the ratio must use, candidate's score, current's score)
_RATIOS = [
    # Anthropic's Claude 3.5 launch table: Haiku 40.6 / 41.6; Sonnet (new) 49.0 SWE-bench, 65.0 GPQA
    (
        "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "claude-3-5-sonnet-20241022",
        "coding",
        "swe-bench-verified",
        40.6,
        49.0,
    ),
    ("claude-3-5-haiku@20241022", "claude-3-5-sonnet-20241022", "general", "gpqa-diamond", 41.6, 65.0),
    # Gemini 1.5 Pro 59.1 vs GPT-4o 49.9 on GPQA Diamond
    ("publishers/google/models/gemini-1.5-pro-002", "gpt-4o", "reasoning", "gpqa-diamond", 59.1, 49.9),
    # Mistral Small 3.2 46.13 vs Llama 3.3 70B 50.5 on GPQA Diamond
    ("mistral-small-2506", "llama-3.3-70b", "general", "gpqa-diamond", 46.13, 50.5),
    # SWE-bench Verified from the DeepSeek-V3/R1 tables: V3 42.0, R1 49.2, Qwen2.5 72B 23.8,
    # Llama 3.1 405B 24.5; GPT-4o 33.2 from OpenAI's GPT-4.1 post
    ("deepseek-ai/DeepSeek-V3", "gpt-4o", "coding", "swe-bench-verified", 42.0, 33.2),
    ("deepseek-ai/DeepSeek-R1", "claude-3-5-sonnet", "coding", "swe-bench-verified", 49.2, 49.0),
    ("Qwen/Qwen2.5-72B-Instruct", "deepseek-v3", "coding", "swe-bench-verified", 23.8, 42.0),
    ("meta.llama3-1-405b-instruct-v1:0", "deepseek-v3", "coding", "swe-bench-verified", 24.5, 42.0),
]


@pytest.mark.parametrize(("candidate", "current", "task", "benchmark", "mine", "theirs"), _RATIOS)
def test_newly_scored_models_get_a_ratio_for_their_task(
    candidate: str, current: str, task: str, benchmark: str, mine: float, theirs: float
) -> None:
    ratio = quality_index().ratio(candidate, current, task)
    assert ratio.basis == "benchmark", ratio.note
    assert ratio.benchmark == benchmark
    assert ratio.candidate_score == pytest.approx(mine)
    assert ratio.current_score == pytest.approx(theirs)
    assert ratio.ratio == pytest.approx(mine / theirs)


def test_models_without_a_citable_figure_stay_unscored() -> None:
    """No figure was found for these: a ratio against them is unknown, never borrowed or estimated."""
    q = quality_index()
    for model in ("gpt-5-mini", "gpt-5-nano", "gemini-1.5-flash-002"):
        ratio = q.ratio(model, "gpt-4o", "general")
        assert ratio.ratio is None, model
        assert ratio.basis == "unknown"
