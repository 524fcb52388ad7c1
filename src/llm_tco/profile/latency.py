"""Measured API latency per workload: the end-to-end duration of single requests whose rows carry one.

A canonical row keeps a duration when its source gives the request's end as well as its start
(``ts_end`` after ``ts_start``): LiteLLM ``endTime``, Langfuse ``endTime``, Helicone
``response_created_at``, OpenTelemetry ``endTimeUnixNano``, the generic reader's ``end_time`` columns.
Rows of one request lasting less than an hour count as request durations; longer spans are buckets.
The figure is measured only when most of the window's requests carry a duration (as for the length
percentiles).
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from llm_tco.profile.model import LatencyStats

__all__ = ["LatencyStats", "request_latency"]

_MIN_SHARE = 0.5


def request_latency(con: duckdb.DuckDBPyConnection, since: datetime) -> dict[str, LatencyStats]:
    """Workload → its request durations since ``since``, for workloads where most requests carry one."""
    sql = """
WITH r AS (
    SELECT s.workload, u.requests,
        CASE WHEN u.requests = 1 AND u.ts_end > u.ts_start AND u.ts_end < u.ts_start + INTERVAL 1 HOUR
             THEN epoch_ms(u.ts_end) - epoch_ms(u.ts_start) END AS duration_ms
    FROM usage u JOIN usage_series s ON s.series_key = u.series_key
    WHERE u.ts_start >= ?
)
SELECT workload, COUNT(duration_ms) AS timed, SUM(requests) AS requests,
    approx_quantile(duration_ms, 0.5) AS p50, approx_quantile(duration_ms, 0.99) AS p99
FROM r GROUP BY workload"""
    out = {}
    for workload, timed, requests, p50, p99 in con.execute(sql, [since]).fetchall():
        if timed and requests and timed >= _MIN_SHARE * float(requests):
            out[str(workload)] = LatencyStats(int(timed), float(p50), float(p99))
    return out
