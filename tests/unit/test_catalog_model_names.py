"""Provider spellings → genai-prices ids, and model-name resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm_tco.catalog.model_names import require_model, resolve_model
from llm_tco.catalog.price_data import PRICES_FILE_ENV_VAR
from llm_tco.catalog.providers import infer_provider, normalize_provider
from llm_tco.errors import LookupFailedError


@pytest.fixture(autouse=True)
def _bundled_prices(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Price with the bundled data even where a saved update exists."""
    monkeypatch.setenv(PRICES_FILE_ENV_VAR, str(tmp_path / "no-saved-update.json"))


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("gcp.vertex_ai", "google"),
        ("gcp.gemini", "google"),
        ("gcp.gen_ai", "google"),
        ("aws.bedrock", "aws"),
        ("azure.ai.openai", "azure"),
        ("azure.ai.inference", "azure"),
        ("x_ai", "x-ai"),
        ("mistral_ai", "mistral"),
        ("moonshot_ai", "moonshotai"),
        ("bedrock", "aws"),
        ("vertex_ai", "google"),
        ("gemini", "google"),
        ("xai", "x-ai"),
        ("together_ai", "together"),
        ("OpenAI", "openai"),
        (" anthropic ", "anthropic"),
        ("x-ai", "x-ai"),
        ("ibm.watsonx.ai", "ibm.watsonx.ai"),  # unknown to genai-prices: kept, later unpriced
        ("litellm", None),  # a gateway names no provider
        ("", None),
        (None, None),
    ],
)
def test_normalize_provider(spelling: str | None, expected: str | None) -> None:
    assert normalize_provider(spelling) == expected


def test_infer_provider_from_the_model_name() -> None:
    assert infer_provider("claude-sonnet-4-5") == "anthropic"
    assert infer_provider("gpt-4o-2024-08-06") == "openai"
    assert infer_provider("gemini-2.5-pro") == "google"
    assert infer_provider("no-such-model-xyz") is None


@pytest.mark.parametrize(
    ("provider", "model_raw", "expected"),
    [
        ("openai", "gpt-4o-2024-08-06", ("openai", "gpt-4o")),  # dated snapshot
        (None, "gpt-4o-2024-08-06", ("openai", "gpt-4o")),  # provider inferred
        ("openai", "openai/gpt-4o", ("openai", "gpt-4o")),  # gateway prefix
        (None, "openai/gpt-4o", ("openai", "gpt-4o")),  # genai-prices' LiteLLM rule
        (None, "vertex_ai/gemini-2.5-pro", ("google", "gemini-2.5-pro")),
        ("google", "models/gemini-2.5-pro", ("google", "gemini-2.5-pro")),
        ("gcp.vertex_ai", "gemini-2.5-pro", ("google", "gemini-2.5-pro")),
        ("azure", "gpt-4o", ("azure", "gpt-4o")),  # through azure's fallback to openai
        ("anthropic", "claude-sonnet-4-5-20250929", ("anthropic", "claude-sonnet-4-5")),
    ],
)
def test_resolve_model(provider: str | None, model_raw: str, expected: tuple[str, str]) -> None:
    resolution = resolve_model(provider, model_raw)
    assert (resolution.provider, resolution.model) == expected


def test_unknown_model_has_suggestions_and_a_reason() -> None:
    resolution = resolve_model("openai", "gpt-4o-ultra-unknown")
    assert resolution.model is None and resolution.reason == "unknown model"
    assert resolution.suggestions[0] == "gpt-4o"
    assert "claude-sonnet-4-5" in resolve_model(None, "claude-sonet-4-5").suggestions


def test_a_look_up_without_suggestions_leaves_them_to_the_next_one_that_asks() -> None:
    """``suggest=False`` (spellings tried on a hot path) skips the fuzzy search; a later look-up of the
    same name that shows suggestions still gets them."""
    quiet = resolve_model(None, "gpt-4o-ultra-unknown-2", suggest=False)
    assert quiet.model is None and quiet.reason is not None and quiet.suggestions == ()
    assert "gpt-4o" in resolve_model(None, "gpt-4o-ultra-unknown-2").suggestions


def test_unknown_provider_is_not_guessed() -> None:
    resolution = resolve_model("vllm", "gpt-4o")
    assert resolution.model is None and resolution.reason == "unknown provider"


def test_require_model_fails_with_did_you_mean() -> None:
    with pytest.raises(LookupFailedError, match=r"unknown model 'gpt-4oo'; did you mean 'gpt-4o'"):
        require_model("openai", "gpt-4oo")
    with pytest.raises(LookupFailedError, match="unknown provider 'vllm'"):
        require_model("vllm", "gpt-4o")
