"""Build workload profiles from the audit store with a handful of aggregate queries.

All per-row work happens in the database (the store may hold 100M rows): window totals per model and the
monthly series come from the pricing helper's ``priced_usage_sql`` (so costs are exactly the audit's), the
per-request length percentiles from approximate quantiles over request-level rows, and the peak hour from
hourly sums. Python only assembles the few resulting rows per workload.

SQL notes: the queries use CTEs, CASE, DATE_TRUNC and bound parameters only, plus DuckDB's
``approx_quantile`` (``sqlglot`` transpiles it, e.g. to Spark's ``percentile_approx``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb

from llm_tco.pricing.query import PricingContext, prepare_pricing, priced_usage_sql
from llm_tco.profile.growth import fit_growth
from llm_tco.profile.latency import request_latency
from llm_tco.profile.model import GrowthFit, LengthStats, ModelSpend, MonthlyPoint, TokenMix, WorkloadProfile
from llm_tco.profile.weekly import hour_of_week_shapes
from llm_tco.units import HOURS_PER_MONTH

__all__ = ["WINDOW_DAYS", "build_profiles"]

WINDOW_DAYS = 30
""""Today" is the last 30 days of the store, scaled to a 730-hour month."""
_MIN_REQUEST_LEVEL_SHARE = 0.5
"""Percentiles and the peak hour are measured only when most of the window's usage is request-level (or
hourly); otherwise they are assumed and flagged."""

_SUMS = (
    "SUM(p.requests) AS requests, SUM(p.input_tokens) AS input_tokens, "
    "SUM(p.cache_read_tokens) AS cache_read_tokens, SUM(p.cache_write_tokens) AS cache_write_tokens, "
    "SUM(p.cache_write_1h_tokens) AS cache_write_1h_tokens, SUM(p.output_tokens) AS output_tokens, "
    "SUM(p.reasoning_tokens) AS reasoning_tokens"
)
_SLACK = timedelta(days=1)
_ALL_PRICED = "MIN(CASE WHEN p.priced THEN 1 ELSE 0 END) = 1"


def build_profiles(
    con: duckdb.DuckDBPyConnection,
    *,
    assumed_peak_to_mean_ratio: float,
    min_fit_months: int = 3,
    max_fitted_monthly_rate: float = 0.10,
    pricing: PricingContext | None = None,
) -> list[WorkloadProfile]:
    """One profile per workload with usage in the store, sorted by today's monthly cost (highest first)."""
    bounds = con.execute("SELECT MIN(ts_start), MAX(ts_end) FROM usage").fetchone()
    if bounds is None or bounds[0] is None:
        return []
    data_start, data_end = bounds[0], bounds[1]
    window_start = max(data_start, data_end - timedelta(days=WINDOW_DAYS))
    window_hours = max((data_end - window_start).total_seconds() / 3600.0, 24.0)
    factor = HOURS_PER_MONTH / window_hours
    if pricing is None:
        pricing = prepare_pricing(con)

    models = _window_models(con, window_start)
    months = _monthly(con, data_start, data_end, pricing)
    lengths = _lengths(con, window_start)
    peaks = _peaks(con, window_start, window_hours)

    profiles = []
    for workload, rows in models.items():
        profiles.append(
            _profile(
                workload,
                rows,
                months.get(workload, []),
                lengths.get(workload),
                peaks.get(workload),
                factor=factor,
                window_days=window_hours / 24.0,
                assumed_peak=assumed_peak_to_mean_ratio,
                min_fit_months=min_fit_months,
                max_rate=max_fitted_monthly_rate,
            )
        )
    latency = request_latency(con, window_start)
    profiles = [replace(p, latency=latency.get(p.workload)) for p in profiles]
    seen = _regions(con, window_start)
    profiles = [
        replace(p, regions=seen[p.workload][0], regions_complete=seen[p.workload][1]) for p in profiles
    ]
    shapes = hour_of_week_shapes(con, window_start, window_hours)
    profiles = [
        replace(p, hour_of_week_peak=shapes[p.workload][0], hour_of_week_share=shapes[p.workload][1])
        if p.workload in shapes and _peak_measured(peaks.get(p.workload))
        else p
        for p in profiles
    ]
    profiles.sort(key=lambda p: (-(p.monthly_cost_usd or Decimal(0)), p.workload))
    return profiles


def _regions(
    con: duckdb.DuckDBPyConnection, since: datetime
) -> defaultdict[str, tuple[tuple[str, ...], bool]]:
    """Workload → (regions its series name, whether every series names one), over series with usage since
    ``since``."""
    rows = con.execute(
        """SELECT s.workload, LIST(DISTINCT s.region ORDER BY s.region) FILTER (WHERE s.region IS NOT NULL),
               BOOL_AND(s.region IS NOT NULL)
           FROM usage_series s
           WHERE EXISTS (SELECT 1 FROM usage u WHERE u.series_key = s.series_key AND u.ts_end >= ?)
           GROUP BY s.workload""",
        [since],
    ).fetchall()
    out: defaultdict[str, tuple[tuple[str, ...], bool]] = defaultdict(lambda: ((), False))
    for workload, regions, complete in rows:
        out[workload] = (tuple(regions or ()), bool(complete))
    return out


def _mix(row: dict[str, Any]) -> TokenMix:
    return TokenMix(
        float(row["requests"] or 0),
        float(row["input_tokens"] or 0),
        float(row["cache_read_tokens"] or 0),
        float(row["cache_write_tokens"] or 0),
        float(row["cache_write_1h_tokens"] or 0),
        float(row["output_tokens"] or 0),
        float(row["reasoning_tokens"] or 0),
    )


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _window_models(con: duckdb.DuckDBPyConnection, since: datetime) -> dict[str, list[dict[str, Any]]]:
    priced, params = priced_usage_sql("usage", grain="day", since=since)
    sql = f"""
WITH p AS ({priced})
SELECT s.workload, s.provider, s.model, s.model_raw, {_SUMS},
    CASE WHEN {_ALL_PRICED} THEN SUM(p.cost_usd) END AS cost_usd,
    SUM(CASE WHEN p.priced THEN p.cost_usd END) AS priced_cost_usd,
    SUM(CASE WHEN p.priced THEN 0 ELSE p.input_tokens + p.output_tokens END) AS unpriced_tokens
FROM p JOIN usage_series s ON s.series_key = p.series_key
GROUP BY s.workload, s.provider, s.model, s.model_raw
ORDER BY s.workload"""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _dicts(con.execute(sql, params)):
        out[row["workload"]].append(row)
    return out


def _monthly(
    con: duckdb.DuckDBPyConnection, data_start: datetime, data_end: datetime, pricing: PricingContext
) -> dict[str, list[MonthlyPoint]]:
    priced, params = priced_usage_sql("usage", grain="month", pricing=pricing)  # the rollup, when it can
    sql = f"""
WITH p AS ({priced})
SELECT s.workload, p.period, {_SUMS},
    CASE WHEN {_ALL_PRICED} THEN SUM(p.cost_usd) END AS cost_usd
FROM p JOIN usage_series s ON s.series_key = p.series_key
GROUP BY s.workload, p.period
ORDER BY s.workload, p.period"""
    out: dict[str, list[MonthlyPoint]] = defaultdict(list)
    for row in _dicts(con.execute(sql, params)):
        start: date = row["period"]
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        # Covered within a day at each end (sources start and stop mid-day).
        month_start = datetime(start.year, start.month, 1)
        month_end = datetime(following.year, following.month, 1)
        complete = data_start <= month_start + _SLACK and data_end >= month_end - _SLACK
        cost = row["cost_usd"]
        out[row["workload"]].append(
            MonthlyPoint(f"{start:%Y-%m}", _mix(row), Decimal(cost) if cost is not None else None, complete)
        )
    return out


def _lengths(con: duckdb.DuckDBPyConnection, since: datetime) -> dict[str, dict[str, Any]]:
    quantiles = ", ".join(
        f"approx_quantile(u.{col}, {q}) AS {col[:-7]}_p{int(q * 100)}"
        for col in ("input_tokens", "output_tokens")
        for q in (0.5, 0.9, 0.99)
    )
    sql = f"""
SELECT s.workload, COUNT(*) AS request_rows, {quantiles}
FROM usage u JOIN usage_series s ON s.series_key = u.series_key
WHERE u.ts_start >= ? AND u.requests = 1 AND u.ts_end < u.ts_start + INTERVAL 1 HOUR
GROUP BY s.workload"""
    return {row["workload"]: row for row in _dicts(con.execute(sql, [since]))}


def _peaks(con: duckdb.DuckDBPyConnection, since: datetime, window_hours: float) -> dict[str, dict[str, Any]]:
    sql = """
WITH fine AS (
    SELECT s.workload, DATE_TRUNC('hour', u.ts_start) AS hour, SUM(u.input_tokens + u.output_tokens) AS tokens
    FROM usage u JOIN usage_series s ON s.series_key = u.series_key
    WHERE u.ts_start >= ? AND u.ts_end <= u.ts_start + INTERVAL '1' HOUR
    GROUP BY s.workload, DATE_TRUNC('hour', u.ts_start)
), coarse AS (
    SELECT s.workload, SUM(u.input_tokens + u.output_tokens) AS tokens
    FROM usage u JOIN usage_series s ON s.series_key = u.series_key
    WHERE u.ts_start >= ? AND u.ts_end > u.ts_start + INTERVAL '1' HOUR
    GROUP BY s.workload
)
SELECT COALESCE(f.workload, c.workload) AS workload, f.peak_tokens, f.fine_tokens, c.tokens AS coarse_tokens
FROM (SELECT workload, MAX(tokens) AS peak_tokens, SUM(tokens) AS fine_tokens FROM fine GROUP BY workload) f
FULL OUTER JOIN coarse c ON c.workload = f.workload"""
    out = {}
    for row in _dicts(con.execute(sql, [since, since])):
        row["window_hours"] = window_hours
        out[row["workload"]] = row
    return out


def _profile(
    workload: str,
    rows: list[dict[str, Any]],
    months: list[MonthlyPoint],
    lengths: dict[str, Any] | None,
    peak: dict[str, Any] | None,
    *,
    factor: float,
    window_days: float,
    assumed_peak: float,
    min_fit_months: int,
    max_rate: float,
) -> WorkloadProfile:
    scale = Decimal(repr(factor))
    assumed: list[str] = []
    totals = TokenMix()
    spends = []
    priced_cost = Decimal(0)
    any_priced = False
    unpriced_tokens = 0.0
    for row in rows:
        mix = _mix(row)
        totals = TokenMix(*(a + b for a, b in zip(_astuple(totals), _astuple(mix), strict=True)))
        cost = row["cost_usd"]
        spends.append(
            ModelSpend(
                row["provider"],
                row["model"],
                row["model_raw"],
                _usd(Decimal(cost) * scale) if cost is not None else None,
                mix.total_tokens * factor,
            )
        )
        if row["priced_cost_usd"] is not None:
            priced_cost += Decimal(row["priced_cost_usd"])
            any_priced = True
        unpriced_tokens += float(row["unpriced_tokens"] or 0)
    monthly = totals.scaled(factor)
    spends.sort(key=lambda s: (s.monthly_cost_usd is None, -(s.monthly_cost_usd or 0), -s.monthly_tokens))
    current = spends[0] if spends else None

    input_len, output_len = _length_stats(totals, lengths, assumed)
    peak_ratio = _peak_ratio(peak, assumed_peak, assumed)
    if window_days < WINDOW_DAYS - 1:
        assumed.append(f"today's volume from {window_days:.1f} days of data (scaled to a month)")

    complete = [m for m in months if m.complete]
    growth = fit_growth(
        [m.tokens.total_tokens / _days_in_month(m.month) for m in complete],
        min_months=min_fit_months,
        max_abs_rate=max_rate,
    )
    total_tokens = totals.total_tokens
    return WorkloadProfile(
        workload=workload,
        monthly=monthly,
        monthly_cost_usd=_usd(priced_cost * scale) if any_priced else None,
        unpriced_share=unpriced_tokens / total_tokens if total_tokens else 0.0,
        input_length=input_len,
        output_length=output_len,
        peak_to_mean_ratio=peak_ratio,
        cache_hit_rate=totals.cache_read_tokens / totals.input_tokens if totals.input_tokens else 0.0,
        current=current,
        models=tuple(spends),
        months=tuple(months),
        growth=growth
        if growth.monthly_rate is not None or complete
        else GrowthFit(None, None, 0, growth.note),
        window_days=window_days,
        assumed=tuple(assumed),
    )


def _usd(amount: Decimal) -> Decimal:
    """Scaled money kept to the nano-dollar (the exact sums are in the store)."""
    return amount.quantize(Decimal("1e-9"))


def _days_in_month(month: str) -> int:
    """Days in ``YYYY-MM`` (the fit uses tokens per day, so 28- and 31-day months compare fairly)."""
    year, number = int(month[:4]), int(month[5:7])
    following = date(year + number // 12, number % 12 + 1, 1)
    return (following - date(year, number, 1)).days


def _astuple(mix: TokenMix) -> tuple[float, ...]:
    return (
        mix.requests,
        mix.input_tokens,
        mix.cache_read_tokens,
        mix.cache_write_tokens,
        mix.cache_write_1h_tokens,
        mix.output_tokens,
        mix.reasoning_tokens,
    )


def _length_stats(
    totals: TokenMix, lengths: dict[str, Any] | None, assumed: list[str]
) -> tuple[LengthStats, LengthStats]:
    if totals.requests <= 0:
        assumed.append("request counts unknown: no per-request lengths (self-hosted sizing not possible)")
        return LengthStats(None), LengthStats(None)
    mean_in = totals.input_tokens / totals.requests
    mean_out = totals.output_tokens / totals.requests
    if lengths is None or lengths["request_rows"] < _MIN_REQUEST_LEVEL_SHARE * totals.requests:
        assumed.append("length percentiles: bucketed data gives means only (p50 and p99 taken as the mean)")
        return (
            LengthStats(mean_in, mean_in, None, mean_in, from_means=True),
            LengthStats(mean_out, mean_out, None, mean_out, from_means=True),
        )

    row = lengths

    def stats(prefix: str, mean: float) -> LengthStats:
        p50, p90, p99 = (float(row[f"{prefix}_p{q}"]) for q in (50, 90, 99))
        return LengthStats(mean, p50, p90, p99)

    return stats("input", mean_in), stats("output", mean_out)


def _peak_measured(peak: dict[str, Any] | None) -> bool:
    """Most of the window's usage is hour-level, so the peak (and the hourly shape) is measured."""
    if peak is None or not peak["fine_tokens"]:
        return False
    fine, coarse = float(peak["fine_tokens"]), float(peak["coarse_tokens"] or 0)
    return fine >= _MIN_REQUEST_LEVEL_SHARE * (fine + coarse)


def _peak_ratio(peak: dict[str, Any] | None, assumed_ratio: float, assumed: list[str]) -> float:
    if peak is None or not peak["fine_tokens"]:
        assumed.append(f"peak hour ÷ mean: no hourly data, assumed {assumed_ratio:g}")
        return assumed_ratio
    fine, coarse = float(peak["fine_tokens"]), float(peak["coarse_tokens"] or 0)
    if fine < _MIN_REQUEST_LEVEL_SHARE * (fine + coarse):
        assumed.append(f"peak hour ÷ mean: mostly daily buckets, assumed {assumed_ratio:g}")
        return assumed_ratio
    mean_per_hour = fine / float(peak["window_hours"])
    return max(1.0, float(peak["peak_tokens"]) / mean_per_hour)
