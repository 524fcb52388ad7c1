"""A workload's load by UTC hour of the week: what a serving window (``weekdays 08-20 Europe/Berlin``) sees.

The plan sizes a fleet that serves only within a window for the busiest hour *inside* that window, and
must say how much load falls outside it. Both come from two 168-value shapes over hour-level usage (index
0 = Monday 00:00-01:00 UTC): the busiest single hour seen at each hour of the week ÷ the mean hour, and
each hour of the week's share of the volume. Daily buckets carry no hour, so they are left out (the
profile then has no shape and the plan falls back to the 24/7 peak ratio).
"""

from __future__ import annotations

from datetime import datetime

import duckdb

__all__ = ["HOURS_PER_WEEK", "hour_of_week_shapes"]

HOURS_PER_WEEK = 168


def hour_of_week_shapes(
    con: duckdb.DuckDBPyConnection, since: datetime, window_hours: float
) -> dict[str, tuple[tuple[float, ...], tuple[float, ...]]]:
    """Workload → (busiest hour at each UTC hour of the week ÷ mean hour, share of volume per hour of the
    week), over hour-level usage since ``since``; ``window_hours`` is the span the mean hour is taken over
    (as for the profile's peak-to-mean ratio)."""
    sql = """
WITH fine AS (
    SELECT s.workload, DATE_TRUNC('hour', u.ts_start) AS hour, SUM(u.input_tokens + u.output_tokens) AS tokens
    FROM usage u JOIN usage_series s ON s.series_key = u.series_key
    WHERE u.ts_start >= ? AND u.ts_end <= u.ts_start + INTERVAL '1' HOUR
    GROUP BY s.workload, DATE_TRUNC('hour', u.ts_start)
)
SELECT workload, (ISODOW(hour) - 1) * 24 + HOUR(hour) AS hour_of_week, MAX(tokens) AS peak_tokens,
       SUM(tokens) AS tokens, SUM(SUM(tokens)) OVER (PARTITION BY workload) AS total_tokens
FROM fine GROUP BY workload, hour_of_week"""
    peaks: dict[str, list[float]] = {}
    shares: dict[str, list[float]] = {}
    for workload, how, peak_tokens, tokens, total in con.execute(sql, [since]).fetchall():
        total_f = float(total)
        if total_f <= 0.0:
            continue
        mean_per_hour = total_f / window_hours
        peaks.setdefault(workload, [0.0] * HOURS_PER_WEEK)[int(how)] = float(peak_tokens) / mean_per_hour
        shares.setdefault(workload, [0.0] * HOURS_PER_WEEK)[int(how)] = float(tokens) / total_f
    return {w: (tuple(peaks[w]), tuple(shares[w])) for w in peaks}
