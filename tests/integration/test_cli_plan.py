"""``llm-tco plan`` and ``llm-tco init`` end to end, on a real DuckDB store built with SQL.

The store holds three workloads over August–October 2026:

- ``chat`` (openai gpt-4o): one request every 10 minutes, 1,000 input + 200 output tokens each —
  request-level rows, so lengths, the peak hour and the trend are measured;
- ``code`` (anthropic claude-sonnet-4-5): daily buckets of 100 requests — no peak hour, no percentiles,
  so both are assumed and flagged;
- ``dark`` (a model no price list knows): unpriced.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from llm_tco.config import Config, parse_config
from llm_tco.profile import build_profiles
from llm_tco.store import open_store

SERIES = [
    (1, "openai", "gpt-4o", "gpt-4o", "chat"),
    (2, "anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5", "code"),
    (3, "openai", "mystery-model-x", None, "dark"),
]


@pytest.fixture
def store(tmp_path: Path) -> str:
    path = str(tmp_path / "plan.duckdb")
    con = open_store(path)
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at,"
        " rows_read, rows_accepted, rows_quarantined, rows_duplicate)"
        " VALUES (1, 'synthetic.csv', 'f', 'test', 0, TIMESTAMP '2026-11-01', 0, 0, 0, 0)"
    )
    for key, provider, raw, model, workload in SERIES:
        con.execute(
            "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, model,"
            " workload, batch) VALUES (?, ?, 'test', ?, ?, ?, ?, false)",
            [key, key, provider, raw, model, workload],
        )
    # chat: 92 days × 144 requests (every 10 minutes), constant size
    con.execute(
        """INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start, ts_end,
               requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
               output_tokens, reasoning_tokens)
           SELECT 1, 1, i + 1, i, 'c' || i, TIMESTAMP '2026-08-01' + i * INTERVAL 10 MINUTE,
                  TIMESTAMP '2026-08-01' + i * INTERVAL 10 MINUTE, 1, 1000, 0, 0, 0, 200, 0
           FROM range(0, 92 * 144) t(i)"""
    )
    # code: daily buckets, 100 requests of 5,000 + 500 tokens each
    con.execute(
        """INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start, ts_end,
               requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
               output_tokens, reasoning_tokens)
           SELECT 2, 1, 100000 + d, 100000 + d, 'd' || d, TIMESTAMP '2026-08-01' + d * INTERVAL 1 DAY,
                  TIMESTAMP '2026-08-01' + (d + 1) * INTERVAL 1 DAY, 100, 500000, 0, 0, 0, 50000, 0
           FROM range(0, 92) t(d)"""
    )
    con.execute(
        """INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start, ts_end,
               requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
               output_tokens, reasoning_tokens)
           SELECT 3, 1, 200000 + d, 200000 + d, 'x' || d, TIMESTAMP '2026-08-01' + d * INTERVAL 1 DAY,
                  TIMESTAMP '2026-08-01' + d * INTERVAL 1 DAY, 1, 100, 0, 0, 0, 10, 0
           FROM range(0, 92) t(d)"""
    )
    con.close()
    return path


def test_profiles_from_the_store(store: str) -> None:
    con = open_store(store, read_only=True)
    profiles = {p.workload: p for p in build_profiles(con, assumed_peak_to_mean_ratio=4.2)}
    con.close()
    chat = profiles["chat"]
    # 6 requests an hour × 730 h = 4,380 requests and 4,380 × 1,200 = 5,256,000 tokens a month (the last 30
    # days hold 30 × 144 + 1 requests over 720 h, hence the small tolerance).
    assert chat.monthly.requests == pytest.approx(4380, rel=2e-3)
    assert chat.monthly.total_tokens == pytest.approx(5_256_000, rel=2e-3)
    # gpt-4o: $2.50 per 1M input, $10 per 1M output: 4,380 × (1,000 × 2.5 + 200 × 10) / 1e6 = $19.71
    assert float(chat.monthly_cost_usd or 0) == pytest.approx(19.71, rel=2e-3)
    assert chat.input_length.mean == pytest.approx(1000) and chat.input_length.p99 == pytest.approx(1000)
    assert chat.peak_to_mean_ratio == pytest.approx(1.0, abs=0.01)
    assert chat.growth.monthly_rate == pytest.approx(0.0, abs=1e-9) and chat.growth.months_used == 3
    assert chat.current is not None and chat.current.model == "gpt-4o"
    assert not chat.assumed

    code = profiles["code"]
    assert code.peak_to_mean_ratio == 4.2
    assert code.input_length.mean == pytest.approx(5000) and code.input_length.from_means
    assert code.input_length.p99 == pytest.approx(5000)  # the bucket mean, flagged
    assert any("peak hour" in a for a in code.assumed) and any("percentiles" in a for a in code.assumed)

    assert profiles["dark"].monthly_cost_usd is None and profiles["dark"].unpriced_share == 1.0


def test_plan_json(cli: Any, store: str, tmp_path: Path) -> None:
    result = cli("plan", "--db", store, "--json", "--config", _write(tmp_path, ""))
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["schema_version"] == 2 and "version" not in doc and doc["start_month"] == "2026-11"
    assert doc["kind"] == "llm-tco.plan" and doc["audit"]["totals"]["input_tokens"] > 0
    workloads = {w["workload"]: w for w in doc["workloads"]}
    assert set(workloads) == {"chat", "code", "dark"}
    chat = workloads["chat"]
    assert chat["current_model"] == "gpt-4o"
    assert chat["current_monthly_cost_usd"] == pytest.approx(19.71, rel=2e-3)
    assert {o["placement"] for o in chat["options"]} == {"closed-api", "open-api", "self-hosted"}
    assert chat["recommendation"]["reasons"]
    assert workloads["dark"]["current_monthly_cost_usd"] is None
    assert any("peak hour" in a for a in workloads["code"]["assumed"])
    # chat has request-level rows of 1,000 + 200 tokens: the percentiles are measured; code has daily
    # buckets of 5,000 + 500 tokens per request: its percentiles are the bucket means, flagged.
    assert chat["p99_input_tokens"] == pytest.approx(1000) and chat["p99_output_tokens"] == pytest.approx(200)
    assert chat["length_percentiles_from_means"] is False
    code = workloads["code"]
    assert code["p99_input_tokens"] == pytest.approx(5000) and code["length_percentiles_from_means"] is True


def test_plan_terminal(cli: Any, store: str, tmp_path: Path) -> None:
    result = cli("plan", "--db", store, "--config", _write(tmp_path, ""))
    assert result.code == 0, result.err
    for text in ("chat", "recommend", "Organisation", "self-hosted", "closed-api", "open-api"):
        assert text in result.out


def test_fail_on_unpriced_exits_1_and_names_the_workload(cli: Any, store: str, tmp_path: Path) -> None:
    result = cli("plan", "--db", store, "--json", "--fail-on", "unpriced", "--config", _write(tmp_path, ""))
    assert result.code == 1
    assert "dark" in result.err and "unpriced" in result.err
    assert result.json()["policies"] == [{"policy": "unpriced", "tripped": ["dark"]}]


def test_fail_on_not_tripped_exits_0(cli: Any, store: str, tmp_path: Path) -> None:
    config = _write(tmp_path, "")
    result = cli("plan", "--db", store, "--json", "--fail-on", "savings-above=1000000000", "--config", config)
    assert result.code == 0, result.err


def test_bad_fail_on_is_a_usage_error(cli: Any, store: str) -> None:
    result = cli("plan", "--db", store, "--fail-on", "cheaper")
    assert result.code == 2 and "--fail-on" in result.err


def test_bad_config_exits_2_naming_file_and_key(cli: Any, store: str, tmp_path: Path) -> None:
    config = _write(tmp_path, '[workloads.chat]\nsovereignty = "europe"\n')
    result = cli("plan", "--db", store, "--config", config)
    assert result.code == 2
    assert f"{config}: workloads.chat.sovereignty:" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


def test_workload_table_changes_the_plan(cli: Any, store: str, tmp_path: Path) -> None:
    config = _write(tmp_path, '[workloads.chat]\nsovereignty = "air-gapped"\n')
    doc = cli("plan", "--db", store, "--json", "--config", config).json()
    chat = next(w for w in doc["workloads"] if w["workload"] == "chat")
    assert chat["sovereignty"] == "air-gapped"
    assert chat["recommendation"]["placement"] == "self-hosted"
    assert chat["recommendation"]["deployment"] == "owned"


def test_init_writes_the_commented_defaults(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "llm-tco.toml"
    assert cli("init", "--config", path).code == 0
    text = path.read_text()
    assert text.count("source:") > 30
    assert parse_config(tomllib.loads(text)) == Config()
    again = cli("init", "--config", path)
    assert again.code == 2 and "already exists" in again.err
    assert cli("init", "--config", path, "--force", "--demo").code == 0
    demo = parse_config(tomllib.loads(path.read_text()))
    assert demo.workload("agent-research").sovereignty == "air-gapped"


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "cfg.toml"
    path.write_text(text)
    return str(path)


def test_plan_json_has_the_portfolio(cli: Any, store: str, tmp_path: Path) -> None:
    result = cli("plan", "--db", store, "--json", "--config", _write(tmp_path, ""))
    assert result.code == 0, result.err
    doc = result.json()
    portfolio = doc["portfolio"]
    for key in ("assignments", "pools", "platform", "total_npv_usd", "baselines", "solver_status"):
        assert key in portfolio
    for key in ("npv_usd_p10", "npv_usd_p50", "npv_usd_p90"):
        assert key in portfolio
    assert [a["workload"] for a in portfolio["assignments"]] == [w["workload"] for w in doc["workloads"]]
    for assignment, workload in zip(portfolio["assignments"], doc["workloads"], strict=True):
        assert workload["recommendation"]["id"] == assignment["option_id"]
        assert {"placement", "provider", "model", "pool_id"} <= assignment.keys()
    assert {b["name"] for b in portfolio["baselines"]} == {"all-stay", "per-workload", "all-self-hosted"}
    assert set(portfolio["platform"]) >= {
        "fte", "on_call_fte", "monitoring_usd_per_month", "governance_hours_per_month", "already_staffed",
        "monthly_cost_usd", "horizon_cost_usd", "npv_usd",
    }  # fmt: skip
    assert portfolio["solver_status"]["status"] == "optimal"


def test_plan_terminal_shows_the_portfolio(cli: Any, store: str, tmp_path: Path) -> None:
    result = cli("plan", "--db", store, "--config", _write(tmp_path, ""))
    assert result.code == 0, result.err
    assert "Portfolio" in result.out and "total NPV" in result.out and "baselines" in result.out


def test_old_platform_keys_warn_once_each(cli: Any, store: str, tmp_path: Path) -> None:
    config = _write(
        tmp_path, "[staffing]\nplatform_fte = 2.0\n[operations]\nmonitoring_usd_per_month = 10.0\n"
    )
    result = cli("plan", "--db", store, "--json", "--config", config)
    assert result.code == 0, result.err
    assert result.err.count("deprecated") == 2
    assert "staffing.platform_fte" in result.err and "[platform] fte" in result.err
    assert result.json()["portfolio"]["platform"]["fte"] == 2.0


def test_risk_aversion_outside_0_to_1_is_a_usage_error(cli: Any, store: str) -> None:
    result = cli("plan", "--db", store, "--risk-aversion", "1.5")
    assert result.code == 2 and "--risk-aversion" in result.err
