"""Timestamps convert to UTC whatever the DuckDB session's time zone: offsets are applied, text without a
zone and Unix epochs are UTC (a cast of TIMESTAMPTZ to TIMESTAMP would use the session zone instead)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from llm_tco.ingest.base import IngestOptions
from llm_tco.ingest.pipeline import ingest_files
from llm_tco.store import open_store


def test_timestamps_are_utc_in_any_session_time_zone(tmp_path: Path) -> None:
    f = tmp_path / "u.csv"
    f.write_text(
        "request_id,timestamp,model,input_tokens,output_tokens\n"
        "a,2026-09-01T02:00:00+02:00,gpt-4o,1,1\n"
        "b,2026-09-01T00:00:00Z,gpt-4o,1,1\n"
        "c,2026-09-01 00:00:00,gpt-4o,1,1\n"
        "d,1788220800,gpt-4o,1,1\n"
    )
    con = open_store(":memory:")
    con.execute("SET TimeZone = 'America/New_York'")
    report = ingest_files(con, [str(f)], IngestOptions())
    assert report.accepted == 4
    got = dict(con.execute("SELECT source_record_id, ts_start FROM usage_rows").fetchall())
    assert set(got.values()) == {datetime(2026, 9, 1)}, got
