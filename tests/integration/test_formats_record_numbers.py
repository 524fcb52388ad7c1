"""Record numbers stay exact when DuckDB reads a large file in parallel: the readers do not number rows
with a (single-threaded) window; the loader numbers them from the materialised order."""

from __future__ import annotations

from pathlib import Path

import duckdb
from _formats import ingest, quarantine


def test_quarantined_record_numbers_in_a_large_jsonl_file(tmp_path: Path) -> None:
    n = 300_000  # ~30 MB: several reader buffers, so several threads
    bad = {7, 123_457, 250_001, n}
    path = tmp_path / "usage.jsonl"
    duckdb.execute(
        f"""COPY (SELECT 'r' || i AS request_id, '2026-09-01T00:00:00Z' AS timestamp, 'gpt-4o-mini' AS model,
                  CASE WHEN i IN {tuple(bad)} THEN 'bad' ELSE CAST(i % 1000 AS VARCHAR) END AS input_tokens,
                  7 AS output_tokens
            FROM range(1, {n + 1}) t(i) ORDER BY i) TO '{path}' (FORMAT json)"""
    )
    con, report = ingest(path)
    assert (report.read, report.quarantined) == (n, len(bad))
    assert quarantine(con) == dict.fromkeys(bad, "non-numeric input_tokens 'bad'")
    # Accepted rows keep their line number too.
    row = con.execute(
        "SELECT record_no FROM usage_rows WHERE source_record_id = 'id:table:r200000'"
    ).fetchone()
    assert row == (200_000,)
