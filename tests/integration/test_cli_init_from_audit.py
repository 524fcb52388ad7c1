"""``llm-tco init --from-audit`` end to end on a real DuckDB store: a table per audited workload with its
profile as comments, hostile names quoted so the file round-trips through tomllib, and `plan` reads it."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from llm_tco.config import parse_config
from llm_tco.store import open_store

HOSTILE = [
    'a"b]',
    'line\n[workloads.x]\nsovereignty = "on-prem" # é 🚀 \\',
    "tab\tdel\x7f",
]
SERIES = [
    (1, "openai", "gpt-4o", "gpt-4o", "chat", "eu-west-1"),
    *((i + 2, "openai", "gpt-4o-mini", "gpt-4o-mini", name, None) for i, name in enumerate(HOSTILE)),
]


@pytest.fixture
def store(tmp_path: Path) -> str:
    path = str(tmp_path / "audit.duckdb")
    con = open_store(path)
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at,"
        " rows_read, rows_accepted, rows_quarantined, rows_duplicate)"
        " VALUES (1, 'synthetic.csv', 'f', 'test', 0, TIMESTAMP '2026-11-01', 0, 0, 0, 0)"
    )
    for key, provider, raw, model, workload, region in SERIES:
        con.execute(
            "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, model,"
            " workload, batch, region) VALUES (?, ?, 'test', ?, ?, ?, ?, false, ?)",
            [key, key, provider, raw, model, workload, region],
        )
        # 92 days (August–October 2026), one request every 10 minutes, 1,000 input + 200 output tokens
        con.execute(
            """INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start,
                   ts_end, requests, input_tokens, cache_read_tokens, cache_write_tokens,
                   cache_write_1h_tokens, output_tokens, reasoning_tokens)
               SELECT ?, 1, ? * 100000 + i + 1, ? * 100000 + i, 's' || ? || ':' || i,
                      TIMESTAMP '2026-08-01' + i * INTERVAL 10 MINUTE,
                      TIMESTAMP '2026-08-01' + i * INTERVAL 10 MINUTE, 1, 1000, 0, 0, 0, 200, 0
               FROM range(0, 92 * 144) t(i)""",
            [key, key, key, key],
        )
    con.close()
    return path


def test_init_from_audit_round_trips_and_plan_reads_it(cli: Any, store: str, tmp_path: Path) -> None:
    path = tmp_path / "llm-tco.toml"
    result = cli("init", "--from-audit", "--db", store, "--config", path)
    assert result.code == 0, result.err
    text = path.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    assert set(raw["workloads"]) == {"chat", *HOSTILE}
    config = parse_config(raw)
    for name in ("chat", *HOSTILE):
        assert config.workload(name).sovereignty == "any"  # the hostile name did not set "on-prem"
    assert "x" not in raw["workloads"]

    # The profile as comments: 6 requests an hour × 730 h = 4,380 requests and 5,256,000 tokens a month.
    chat = text[: text.index('[workloads."chat"]')].rsplit("# From the audit", 1)[1]
    assert "5.3M tokens/month, 4.4k requests/month" in chat
    assert "input mean 1,000 (p50 1,000, p99 1,000); output mean 200 (p50 200, p99 200)" in chat
    assert 'current model: "gpt-4o" via "openai"' in chat
    assert 'regions seen: "eu-west-1"' in chat
    assert "peak hour ÷ mean hour: 1.00" in chat
    assert "API latency end to end: not in the logs" in chat  # the rows carry no end time

    # `plan` reads the file back, with an edit to one table.
    edited = text.replace(
        '[workloads."chat"]\nsovereignty = "any"', '[workloads."chat"]\nsovereignty = "air-gapped"'
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    plan = cli("plan", "--db", store, "--json", "--config", path)
    assert plan.code == 0, plan.err
    workloads = {w["workload"]: w for w in plan.json()["workloads"]}
    assert set(workloads) == {"chat", *HOSTILE}
    assert workloads["chat"]["sovereignty"] == "air-gapped"
    assert all(workloads[name]["sovereignty"] == "any" for name in HOSTILE)

    # Every priced option of `plan --json` carries its cost lines, which add up to its costs.
    lines = {
        "tokens_usd", "gpus_usd", "power_and_hosting_usd", "staff_usd", "on_call_usd", "monitoring_usd",
        "governance_usd", "fine_tuning_usd", "migration_usd", "residual_credit_usd",
    }  # fmt: skip
    for option in (o for w in workloads.values() for o in w["options"] if o["horizon_cost_usd"] is not None):
        breakdown = option["breakdown"]
        assert set(breakdown) == {"first_month", "average_month", "horizon"}
        assert set(breakdown["horizon"]) == lines
        assert sum(breakdown["horizon"].values()) == pytest.approx(option["horizon_cost_usd"], abs=1e-5)
        assert sum(breakdown["first_month"].values()) == pytest.approx(
            option["monthly_costs_usd"][0], abs=1e-5
        )


def test_init_from_audit_on_an_empty_store_is_a_usage_error(cli: Any, tmp_path: Path) -> None:
    db = str(tmp_path / "empty.duckdb")
    open_store(db).close()
    result = cli("init", "--from-audit", "--db", db, "--config", tmp_path / "out.toml")
    assert result.code == 2 and "no usage in the store" in result.err
    assert not (tmp_path / "out.toml").exists()


def test_toml_string_escapes_what_toml_forbids() -> None:
    from llm_tco.config.template import toml_string

    for name in (*HOSTILE, "😀", "\\u0041", "\x00\x1f", "\u2028"):
        assert tomllib.loads(f"k = {toml_string(name)}")["k"] == name
        assert tomllib.loads(f"[t.{toml_string(name)}]\n")["t"] == {name: {}}
