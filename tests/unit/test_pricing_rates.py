"""Per-partition rates, checked against the per-1M prices genai-prices lists (derived by hand here)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llm_tco.catalog.model_names import resolve_model
from llm_tco.catalog.price_data import PRICES_FILE_ENV_VAR
from llm_tco.pricing.rates import PartitionRates, flatten_tiers, price_context_for, rates_at, tier_thresholds

D = Decimal


@pytest.fixture(autouse=True)
def _bundled_prices(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Price with the bundled data even where a saved update exists."""
    monkeypatch.setenv(PRICES_FILE_ENV_VAR, str(tmp_path / "no-saved-update.json"))


def _rates(
    provider: str, model: str, at: datetime, *, context: dict[str, str] | None = None, input_tokens: int = 0
) -> PartitionRates:
    resolution = resolve_model(provider, model)
    assert resolution.model_info is not None
    return rates_at(
        resolution.model_info,
        at,
        context,
        variants_apply=resolution.variants_apply,
        input_tokens=input_tokens,
    )


def _listed(*values: str) -> tuple[Decimal, ...]:
    return tuple(D(v) for v in values)


def test_claude_sonnet_4_5_cache_writes_and_long_context() -> None:
    # listed: $3 in, $0.30 cache read, $3.75 5-minute write, $6 1-hour write, $15 out;
    # above 200k input: ×2 on input and cache prices, ×1.5 on output
    base = _rates("anthropic", "claude-sonnet-4-5-20250929", datetime(2025, 10, 1))
    assert base.as_tuple() == _listed("3", "0.3", "3.75", "6", "15", "15", "0")
    long = _rates("anthropic", "claude-sonnet-4-5", datetime(2025, 10, 1), input_tokens=200_001)
    assert long.as_tuple() == _listed("6", "0.6", "7.5", "12", "22.5", "22.5", "0")


def test_long_context_cliff_is_strictly_above_the_threshold() -> None:
    at = datetime(2025, 9, 1)
    assert _rates("google", "gemini-2.5-pro", at, input_tokens=200_000).uncached_input_mtok == D("1.25")
    above = _rates("google", "gemini-2.5-pro", at, input_tokens=200_001)
    assert (above.uncached_input_mtok, above.cache_read_mtok, above.output_mtok) == _listed(
        "2.5", "0.25", "15"
    )
    resolution = resolve_model("google", "gemini-2.5-pro")
    assert resolution.model_info is not None and tier_thresholds(resolution.model_info) == (200_000,)


def test_gpt_4o_cached_input_and_cache_writes_at_input_price() -> None:
    # listed: $2.50 in, $1.25 cached in, $10 out; no cache-write price, so writes cost input
    r = _rates("openai", "gpt-4o-2024-08-06", datetime(2025, 3, 1))
    assert r.as_tuple() == _listed("2.5", "1.25", "2.5", "2.5", "10", "10", "0")


def test_o3_price_change_on_2025_06_10() -> None:
    before = _rates("openai", "o3", datetime(2025, 6, 9, 23, 59, 59))
    after = _rates("openai", "o3", datetime(2025, 6, 10))
    assert (before.uncached_input_mtok, before.cache_read_mtok, before.output_mtok) == _listed(
        "10", "0.5", "40"
    )
    assert (after.uncached_input_mtok, after.cache_read_mtok, after.output_mtok) == _listed("2", "0.5", "8")


def test_deepseek_off_peak_window_wraps_midnight() -> None:
    peak = _listed("0.27", "0.07", "1.1")
    off_peak = _listed("0.135", "0.035", "0.55")
    for hour, minute, expected in [
        (3, 0, peak),
        (16, 29, peak),
        (16, 30, off_peak),
        (0, 29, off_peak),
        (0, 30, peak),
    ]:
        r = _rates("deepseek", "deepseek-chat", datetime(2025, 8, 1, hour, minute))
        assert (r.uncached_input_mtok, r.cache_read_mtok, r.output_mtok) == expected, (hour, minute)


def test_batch_and_service_tier_variants_start_on_their_dates() -> None:
    batch = {"processing": "batch"}
    assert (
        _rates("anthropic", "claude-sonnet-4-5", datetime(2026, 10, 13), context=batch).uncached_input_mtok
        == 3
    )
    after = _rates("anthropic", "claude-sonnet-4-5", datetime(2026, 10, 14), context=batch)
    assert after.as_tuple() == _listed("1.5", "0.15", "1.875", "3", "7.5", "7.5", "0")
    flex = _rates("openai", "gpt-5", datetime(2026, 10, 12), context={"service_tier": "flex"})
    assert (flex.uncached_input_mtok, flex.cache_read_mtok, flex.output_mtok) == _listed(
        "0.625", "0.0625", "5"
    )


def test_fallback_provider_ignores_the_price_context_like_genai_prices() -> None:
    # azure prices OpenAI's gpt-4o through its fallback list; genai-prices then ignores price_context
    r = _rates("azure", "gpt-4o", datetime(2026, 10, 20), context={"processing": "batch"})
    assert r.uncached_input_mtok == D("2.5")


def test_per_request_and_reasoning_prices() -> None:
    sonar = _rates("perplexity", "sonar", datetime(2025, 5, 1))  # $1 in/out, $12 per 1,000 requests
    assert (sonar.uncached_input_mtok, sonar.output_mtok, sonar.request_usd) == _listed("1", "1", "0.012")
    deep = _rates("perplexity", "sonar-deep-research", datetime(2025, 5, 1))  # $8 output, $3 reasoning
    assert (deep.output_mtok, deep.reasoning_output_mtok) == _listed("8", "3")


def test_cost_of_canonical_counts_matches_the_genai_prices_readme_example() -> None:
    # FORMATS.md §13: claude-sonnet-4-20250514, 4740 in (4735 of them cache writes), 255 out → $0.02159625
    r = _rates("anthropic", "claude-sonnet-4-20250514", datetime(2025, 6, 1))
    assert r.cost_usd(input_tokens=4740, cache_write_tokens=4735, output_tokens=255) == D("0.02159625")


def test_flatten_tiers_keeps_flat_prices() -> None:
    resolution = resolve_model("openai", "gpt-4o")
    assert resolution.model_info is not None
    price = resolution.model_info.get_prices(datetime(2025, 1, 1))
    assert flatten_tiers(price, 10**9) == price


@pytest.mark.parametrize(
    ("batch", "tier", "expected"),
    [
        (False, None, None),
        (False, "standard", None),
        (False, "default", None),
        (False, "auto", None),
        (False, " ", None),
        (True, None, {"processing": "batch"}),
        (False, "batch", {"processing": "batch"}),
        (False, "Flex", {"service_tier": "flex"}),
        (True, "priority", {"processing": "batch", "service_tier": "priority"}),
    ],
)
def test_price_context_mapping(batch: bool, tier: str | None, expected: dict[str, str] | None) -> None:
    assert price_context_for(batch, tier) == expected


def test_memoised_rates_keep_each_price_s_own_decimal_form() -> None:
    """Two prices equal in value but written differently (2.5 and 2.50 $/M) keep their own form: the memo
    behind ``partition_rates`` must not hand one the other's Decimal (it would print differently)."""
    from genai_prices.types import ModelPrice

    from llm_tco.pricing.rates import partition_rates

    short = partition_rates(ModelPrice(input_mtok=D("2.5"), output_mtok=D("10")))
    long = partition_rates(ModelPrice(input_mtok=D("2.50"), output_mtok=D("10")))
    again = partition_rates(ModelPrice(input_mtok=D("2.5"), output_mtok=D("10")))
    assert short.uncached_input_mtok == long.uncached_input_mtok == D("2.5")
    assert str(short.uncached_input_mtok) == "2.5" and str(long.uncached_input_mtok) == "2.50"
    assert again == short
