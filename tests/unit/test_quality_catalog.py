"""The quality catalog: every value sourced and dated, ratios within one benchmark, no invented scores."""

from __future__ import annotations

from datetime import date

import pytest

from llm_tco.catalog.model_names import resolve_model
from llm_tco.catalog.open_models import list_open_models
from llm_tco.catalog.quality import QualityCatalog, QualityIndex, quality_catalog, quality_index


def test_every_score_has_source_and_date() -> None:
    catalog = quality_catalog()
    assert catalog.models
    for entry in catalog.models:
        for score in entry.scores:
            assert score.source.strip()
            assert isinstance(score.as_of, date)
            if score.value is None:
                assert "no published" in score.source


def test_ids_are_pricing_ids_or_catalog_slugs() -> None:
    slugs = {m.id for m in list_open_models()}
    for entry in quality_catalog().models:
        if entry.kind == "open":
            assert entry.id in slugs, entry.id
        else:
            assert resolve_model(None, entry.id).model is not None, entry.id


def test_ratio_uses_a_common_benchmark_only() -> None:
    q = quality_index()
    ratio = q.ratio("gpt-oss-120b", "claude-sonnet-4-5")
    # GPQA Diamond: 80.1 ÷ 83.4
    assert ratio.benchmark == "gpqa-diamond"
    assert ratio.ratio == pytest.approx(80.1 / 83.4)
    # gpt-oss-20b has only an AA v2 index score, gpt-5 only GPQA: no common benchmark → unknown, not guessed
    unknown = q.ratio("gpt-oss-20b", "gpt-5")
    assert unknown.ratio is None and unknown.basis == "unknown"
    assert q.ratio("gpt-4o", "gpt-4o-2024-08-06").ratio == 1.0


def _catalog(scale: str, a: float, b: float) -> QualityIndex:
    return QualityIndex(
        QualityCatalog.model_validate(
            {
                "schema_version": 1,
                "benchmarks": [{"id": "x", "name": "X", "scale": scale, "description": "test"}],
                "models": [
                    {
                        "id": "a",
                        "kind": "open",
                        "scores": [{"benchmark": "x", "value": a, "source": "s", "as_of": "2026-01-01"}],
                    },
                    {
                        "id": "b",
                        "kind": "closed",
                        "scores": [{"benchmark": "x", "value": b, "source": "s", "as_of": "2026-01-01"}],
                    },
                ],
            }
        )
    )


def test_elo_enters_as_probability_of_beating_the_current_model() -> None:
    # 100 Elo points below: P(win) = 1 / (1 + 10^(100/400)) = 0.3599; ratio = 2 × P = 0.7197
    ratio = _catalog("elo", 1200, 1300).ratio("a", "b").ratio
    assert ratio == pytest.approx(2 / (1 + 10**0.25))
    assert _catalog("elo", 1300, 1300).ratio("a", "b").ratio == pytest.approx(1.0)


def test_percent_scores_above_100_are_rejected() -> None:
    with pytest.raises(ValueError, match="above 100"):
        _catalog("percent", 101, 50)
