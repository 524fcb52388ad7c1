"""``llm-tco catalog prices``: end to end through the CLI entry point (bundled data, no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_tco.catalog.price_data import PRICES_FILE_ENV_VAR
from llm_tco.cli.main import run


@pytest.fixture(autouse=True)
def _bundled_prices(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(PRICES_FILE_ENV_VAR, str(tmp_path / "no-saved-update.json"))


def test_prices_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        ["catalog", "prices", "gpt-4o-2024-08-06", "claude-sonnet-4-5", "--at", "2025-10-01", "--json"]
    )
    out = capsys.readouterr().out
    assert code == 0
    document = json.loads(out)
    assert document["price_data"].startswith("genai-prices ")
    gpt, claude = document["prices"]
    assert (gpt["model"], gpt["model_ref"]) == ("gpt-4o", "gpt-4o-2024-08-06")
    assert gpt["rates"]["input_usd_per_mtok"] == 2.5 and gpt["rates"]["cache_read_usd_per_mtok"] == 1.25
    assert claude["rates"]["cache_write_1h_usd_per_mtok"] == 6
    assert claude["long_context"] == [
        {
            "above_input_tokens": 200000,
            "rates": {
                "input_usd_per_mtok": 6,
                "cache_read_usd_per_mtok": 0.6,
                "cache_write_5m_usd_per_mtok": 7.5,
                "cache_write_1h_usd_per_mtok": 12,
                "output_usd_per_mtok": 22.5,
                "reasoning_output_usd_per_mtok": 22.5,
                "usd_per_request": 0,
            },
        }
    ]


def test_prices_table_and_batch(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["catalog", "prices", "claude-sonnet-4-5", "--batch", "--at", "2026-10-20"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1.875" in out and "batch" in out


def test_unknown_model_exits_2_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["catalog", "prices", "gpt-4oo", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "did you mean 'gpt-4o'" in captured.err


def test_listing_needs_a_model_or_a_provider(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["catalog", "prices"]) == 2
    assert "--provider" in capsys.readouterr().err
    assert run(["catalog", "prices", "--provider", "deepseek", "--json"]) == 0
    assert {p["model"] for p in json.loads(capsys.readouterr().out)["prices"]} >= {"deepseek-chat"}
