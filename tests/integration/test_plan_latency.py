"""API latency from logs that time their requests: the profile's p50/p99 end-to-end duration, and the plan's
check of the current model's API options against the workload's targets (real DuckDB store)."""

from __future__ import annotations

import csv
import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from _formats import DATA

from llm_tco.config import parse_config
from llm_tco.ingest.base import IngestOptions
from llm_tco.ingest.pipeline import ingest_files
from llm_tco.plan import PlanInputs, build_plan
from llm_tco.plan.doc import Recommendation
from llm_tco.plan.inputs import ResolvedApiModel, genai_prices_pricer
from llm_tco.profile import build_profiles
from llm_tco.store import open_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("latency") / "store.duckdb")
    con = open_store(path)
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at,"
        " rows_read, rows_accepted, rows_quarantined, rows_duplicate)"
        " VALUES (1, 'synthetic.csv', 'f', 'test', 0, TIMESTAMP '2026-11-01', 0, 0, 0, 0)"
    )
    for key, workload in ((1, "timed"), (2, "untimed")):
        con.execute(
            "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, model,"
            " workload, batch) VALUES (?, ?, 'test', 'openai', 'gpt-4o', 'gpt-4o', ?, false)",
            [key, key, workload],
        )
    # One request every 10 minutes for 92 days, 1,000 + 200 tokens; "timed" requests last 500, 510, …,
    # 1,490 ms (cycling), "untimed" ones carry no end time.
    con.execute(
        """INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start, ts_end,
               requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
               output_tokens, reasoning_tokens)
           SELECT k.key, 1, k.key * 100000 + i + 1, k.key * 100000 + i, 'r' || k.key || ':' || i,
                  TIMESTAMP '2026-08-01' + i * INTERVAL 10 MINUTE,
                  TIMESTAMP '2026-08-01' + i * INTERVAL 10 MINUTE
                      + CASE WHEN k.key = 1 THEN (500 + (i % 100) * 10) * INTERVAL 1 MILLISECOND
                             ELSE INTERVAL 0 SECOND END,
                  1, 1000, 0, 0, 0, 200, 0
           FROM range(0, 92 * 144) t(i), (VALUES (1), (2)) k(key)"""
    )
    con.close()
    return path


@pytest.fixture(scope="module")
def profiles(store: str) -> dict[str, Any]:
    con = open_store(store, read_only=True)
    try:
        return {p.workload: p for p in build_profiles(con, assumed_peak_to_mean_ratio=4.2)}
    finally:
        con.close()


def test_profile_measures_request_durations(profiles: dict[str, Any]) -> None:
    timed = profiles["timed"]
    assert timed.latency is not None
    # Durations 500 … 1,490 ms in equal numbers: median ≈ 995 ms, p99 ≈ 1,480 ms (approximate quantiles).
    assert timed.latency.p50_ms == pytest.approx(995, abs=15)
    assert timed.latency.p99_ms == pytest.approx(1480, abs=15)
    assert timed.latency.requests == pytest.approx(30 * 144, abs=2)
    # Timed request rows are still request rows: their length percentiles are measured.
    assert timed.input_length.p99 == pytest.approx(1000)
    assert profiles["untimed"].latency is None


def _narrow() -> PlanInputs:
    """Only the current model can be priced and no open model is catalogued: the plan stays."""

    def current_only(provider: str | None, model: str, at: datetime, mean: int) -> ResolvedApiModel | None:
        return genai_prices_pricer(provider, model, at, mean) if model == "gpt-4o" else None

    return dataclasses.replace(PlanInputs.bundled(), open_models={}, hosted=(), pricer=current_only)


def _stay(profiles: dict[str, Any], ttft_ms: float, tpot_ms: float) -> Recommendation:
    raw = {"workloads": {"timed": {"ttft_p99_ms": ttft_ms, "tpot_p99_ms": tpot_ms}}}
    plan = build_plan([profiles["timed"]], parse_config(raw), _narrow()).workloads[0]
    assert plan.recommendation is not None and plan.recommendation.id == "stay"
    return plan.recommendation


def test_within_the_ttft_target(profiles: dict[str, Any]) -> None:
    stay = _stay(profiles, 2000, 100)
    assert stay.feasible
    assert any(
        r.startswith("latency: measured p99 1,4") and "within the p99 TTFT target 2000 ms" in r
        for r in stay.reasons
    ), stay.reasons
    assert not any("not checked" in r for r in stay.reasons)


def test_within_ttft_plus_tpot(profiles: dict[str, Any]) -> None:
    # Between 1,000 ms and 1,000 + 100 ms × 199 tokens = 20,900 ms: consistent with both targets.
    stay = _stay(profiles, 1000, 100)
    assert stay.feasible
    assert any(r.startswith("latency: measured p99 1,4") and "= 20,900 ms" in r for r in stay.reasons)


def test_beyond_ttft_plus_tpot_is_unmet(profiles: dict[str, Any]) -> None:
    # 1,000 ms + 0.1 ms × 199 tokens = 1,019.9 ms < the measured p99 of about 1,480 ms.
    stay = _stay(profiles, 1000, 0.1)
    assert stay.unmet == ["latency"]
    assert stay.infeasible_reason is not None
    assert "exceeds p99 TTFT 1000 ms + TPOT 0.1 ms × 200 output tokens = 1,020 ms" in stay.infeasible_reason


def test_other_models_say_they_are_not_timed(profiles: dict[str, Any]) -> None:
    plan = build_plan([profiles["timed"]], parse_config({}), PlanInputs.bundled()).workloads[0]
    moved = next(o for o in plan.options if o.placement == "closed-api" and o.id != "stay" and not o.lever)
    assert any("the logs time only the current model's requests" in n for n in moved.notes)


def _durations_ms(path: Path) -> dict[str, float]:
    """source_record_id → ts_end - ts_start (ms) of every request the file gives."""
    con = open_store(":memory:")
    try:
        ingest_files(con, [str(path)], IngestOptions())
        rows = con.execute(
            "SELECT source_record_id, epoch_ms(ts_end) - epoch_ms(ts_start) FROM usage_rows"
        ).fetchall()
    finally:
        con.close()
    return {str(r[0]): float(r[1]) for r in rows}


def test_litellm_rows_keep_the_request_duration() -> None:
    path = DATA / "litellm" / "spendlogs_export.csv"
    with path.open(newline="") as fh:
        expected = {
            f"id:litellm:{r['request_id']}": float(r["request_duration_ms"]) for r in csv.DictReader(fh)
        }
    # the export's own request_duration_ms (2,333, 5,000, 500 and 9,000 ms) is endTime - startTime
    assert _durations_ms(path) == expected


def test_langfuse_rows_keep_the_observation_duration() -> None:
    path = DATA / "langfuse" / "generations_export.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    expected = {}
    for r in rows:
        if r["startTime"] and r["endTime"]:
            start = datetime.fromisoformat(r["startTime"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(r["endTime"].replace("Z", "+00:00"))
            scope = f"@{r['projectId']}" if r.get("projectId") else ""  # the export's project namespaces ids
            expected[f"id:langfuse{scope}:{r['id']}"] = (end - start).total_seconds() * 1000
    durations = _durations_ms(path)
    assert expected and {k: durations[k] for k in expected} == expected
