"""``llm-tco plan`` end to end on a real store: an air-gapped contract-review workload whose prompts are
about 60k tokens is never put on a 32k-context model, and the reason is stated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from llm_tco.store import open_store


@pytest.fixture
def long_prompt_store(tmp_path: Path) -> str:
    path = str(tmp_path / "contracts.duckdb")
    con = open_store(path)
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at,"
        " rows_read, rows_accepted, rows_quarantined, rows_duplicate)"
        " VALUES (1, 'synthetic.csv', 'f', 'test', 0, TIMESTAMP '2026-11-01', 0, 0, 0, 0)"
    )
    con.execute(
        "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, model,"
        " workload, batch) VALUES (1, 1, 'test', 'openai', 'gpt-4o', 'gpt-4o', 'contracts', false)"
    )
    # One request an hour for 60 days, every one 60,557 prompt + 1,000 output tokens: the p99 request
    # needs 61,557 tokens of context.
    con.execute(
        """INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start, ts_end,
               requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
               output_tokens, reasoning_tokens)
           SELECT 1, 1, i + 1, i, 'r' || i, TIMESTAMP '2026-09-01' + i * INTERVAL 1 HOUR,
                  TIMESTAMP '2026-09-01' + i * INTERVAL 1 HOUR, 1, 60557, 0, 0, 0, 1000, 0
           FROM range(0, 60 * 24) t(i)"""
    )
    con.close()
    return path


def test_short_context_models_are_infeasible_with_the_reason(
    cli: Any, long_prompt_store: str, tmp_path: Path
) -> None:
    config = tmp_path / "cfg.toml"
    config.write_text(
        '[workloads.contracts]\nsovereignty = "air-gapped"\n[quality]\nunknown = "assume-floor"\n'
    )
    result = cli("plan", "--db", long_prompt_store, "--json", "--config", str(config))
    assert result.code == 0, result.err
    plan = result.json()["workloads"][0]
    assert plan["p99_input_tokens"] == pytest.approx(60557) and plan["p99_output_tokens"] == pytest.approx(
        1000
    )
    assert plan["length_percentiles_from_means"] is False
    options = {o["open_model"]: o for o in plan["options"] if o["placement"] == "self-hosted"}
    mistral = options["mistral-7b"]
    assert mistral["feasible"] is False and "context" in mistral["unmet"]
    assert any("61,557 tokens" in r and "32,768-token" in r for r in mistral["infeasible_reasons"])
    recommended = plan["recommendation"]
    assert recommended["placement"] == "self-hosted" and recommended["deployment"] == "owned"
    assert "context" not in recommended["unmet"] and recommended["open_model"] != "mistral-7b"
