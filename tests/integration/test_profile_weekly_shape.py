"""The profile's hour-of-week load shape, measured with DuckDB from a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm_tco.profile import build_profiles
from llm_tco.store import open_store


def _store(path: Path) -> str:
    db = str(path / "store.duckdb")
    con = open_store(db)
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at,"
        " rows_read, rows_accepted, rows_quarantined, rows_duplicate)"
        " VALUES (1, 'synthetic.csv', 'f', 'test', 0, TIMESTAMP '2026-11-30', 0, 0, 0, 0)"
    )
    con.execute(
        "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, model,"
        " workload, batch) VALUES (1, 1, 'test', 'openai', 'gpt-4o', 'gpt-4o', 'office', false)"
    )
    # Monday 2026-11-02 to Friday 2026-11-27, weekdays only, 08:00-16:00 UTC: one request of 1,000 + 200
    # tokens every 10 minutes (6 an hour), except Tuesdays at 10:00 which get 12 (the busiest hour).
    con.execute(
        """INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start, ts_end,
               requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
               output_tokens, reasoning_tokens)
           SELECT 1, 1, n, n, 'r' || n, ts, ts, 1, 1000, 0, 0, 0, 200, 0
           FROM (SELECT ROW_NUMBER() OVER () AS n, ts FROM (
                   SELECT TIMESTAMP '2026-11-02' + d * INTERVAL 1 DAY + h * INTERVAL 1 HOUR
                          + m * INTERVAL 5 MINUTE AS ts
                   FROM range(0, 26) t(d), range(8, 16) u(h), range(0, 12) v(m)
                   WHERE ISODOW(TIMESTAMP '2026-11-02' + d * INTERVAL 1 DAY) <= 5
                     AND (m % 2 = 0
                          OR (h = 10 AND ISODOW(TIMESTAMP '2026-11-02' + d * INTERVAL 1 DAY) = 2))))"""
    )
    con.close()
    return db


def test_hour_of_week_shape(tmp_path: Path) -> None:
    con = open_store(_store(tmp_path), read_only=True)
    try:
        (profile,) = build_profiles(con, assumed_peak_to_mean_ratio=4.2)
    finally:
        con.close()
    # 20 weekdays × 8 hours × 6 requests, plus 4 Tuesdays × 6 more at 10:00: 984 requests of 1,200 tokens.
    # Per hour of the week over 4 weeks: 24 requests, Tuesday 10:00 (index 24 + 10) 48.
    total = 984
    shares = profile.hour_of_week_share
    busy = {day * 24 + hour for day in range(5) for hour in range(8, 16)}
    assert len(shares) == 168 and sum(shares) == pytest.approx(1.0)
    assert shares[24 + 10] == pytest.approx(48 / total)
    assert shares[8] == pytest.approx(24 / total)
    assert all(shares[h] == 0.0 for h in range(168) if h not in busy)
    # Busiest single hour at each hour of the week ÷ the profile's mean hour: Tuesday 10:00 holds 12
    # requests, the others 6; the largest is the profile's own peak ratio.
    peaks = profile.hour_of_week_peak
    assert max(peaks) == pytest.approx(profile.peak_to_mean_ratio)
    assert peaks[24 + 10] == pytest.approx(2 * peaks[8])
    assert all(peaks[h] == 0.0 for h in range(168) if h not in busy)
