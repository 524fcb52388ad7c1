"""The text of the priced-usage query (see :mod:`llm_tco.pricing.query` for what it computes and why).

Stages: ``src`` reads only the needed columns of the source (projection pushdown) in the time window;
``keyed`` gives each row its bucket — UTC day, start of its time-of-day price interval (``tod_s``) and
its tier code (the largest store-wide threshold its mean input per request strictly exceeds, 0 if none;
``-1 - floor`` of the row's total input for a row without a request count, resolved after aggregation
from the series' context-window group); ``grouped`` aggregates per (series, bucket), or passes rows
through for ``grain='row'``; ``costed`` joins the few resulting groups to their rate row and multiplies;
the final stage sums to months or days.

The store-wide boundaries come either as integer literals (from a :class:`PricingContext`: integers
from genai-prices' data, never user text) or, without one, from the one-row layout table by a cross
join; the literal form lets DuckDB fold the constants and skip the per-row work a store does not need
(no time-of-day arithmetic when no model has time-of-day prices).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final, NamedTuple

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.pricing.table import LAYOUT_TABLE, MAX_LAYOUT, RATES_TABLE, SERIES_TABLE

__all__ = [
    "COST_COLUMNS",
    "COST_SQL_TYPE",
    "TOKEN_COLUMNS",
    "Layout",
    "build_sql",
    "segment_start_sql",
    "tier_code_sql",
    "tod_start_sql",
]

COST_SQL_TYPE: Final = "DECIMAL(38, 24)"
COST_COLUMNS: Final = (
    "uncached_input_cost_usd",
    "cache_read_cost_usd",
    "cache_write_5m_cost_usd",
    "cache_write_1h_cost_usd",
    "output_cost_usd",
    "request_cost_usd",
    "cost_usd",
)
_PART_COSTS: Final = COST_COLUMNS[:-1]
_SECOND_OF_DAY: Final = "CAST(FLOOR(EPOCH(u.ts_start)) AS BIGINT) % 86400"
"""Whole seconds after UTC midnight, truncated (16:29:59.6 is before a 16:30 boundary); naive timestamps
are UTC (on Spark, where EPOCH becomes UNIX_TIMESTAMP, run with the session time zone UTC)."""


class Layout(NamedTuple):
    """Store-wide boundaries to inline in the query (from a ``PricingContext``)."""

    tier_thresholds: Sequence[int]
    tod_boundaries_s: Sequence[int]
    tod_series_keys: Sequence[int]
    date_boundaries: Sequence[date] = ()


def tod_start_sql(boundaries_s: Sequence[int]) -> str:
    """Start of the time-of-day interval of row ``u`` over the given boundaries (seconds after midnight)."""
    tods = [str(int(t)) for t in boundaries_s]
    return _chain(tods, f"{_SECOND_OF_DAY} < {{b}}", nullable=False) if tods else "0"


def tier_code_sql(thresholds: Sequence[int]) -> str:
    """Tier code of row ``u`` over the given thresholds (see :func:`_tier_code`)."""
    return _tier_code([str(int(t)) for t in thresholds], nullable=False)


def build_sql(
    source: str,
    grain: str,
    where: Sequence[str],
    layout: Layout | None,
    *,
    rollup: bool = False,
    by_band: bool = False,
) -> str:
    """The query over ``source`` (a validated identifier); ``layout`` gives the boundaries to inline, or
    None to read them from the layout table. ``rollup``: ``source`` is the usage rollup
    (:mod:`llm_tco.store.rollup`), already summed per bucket, and ``where`` filters its ``day``.
    ``by_band``: month or day totals are split by the long-context band of the series' own model
    (``band_from_tokens``/``band_to_tokens`` columns)."""
    if rollup:
        return _rollup_sql(source, grain, where, layout, by_band)
    row = grain == "row"
    if layout is None:
        tiers = [f"p.tier{i}_tokens" for i in range(1, MAX_LAYOUT + 1)]
        tods = [f"p.tod{i}_s" for i in range(1, MAX_LAYOUT + 1)]
        nullable = True
    else:
        tiers = [str(int(t)) for t in layout.tier_thresholds]
        tods = [str(int(t)) for t in layout.tod_boundaries_s]
        nullable = False
    # the time of day is computed inside the CASE, so only rows that reach it pay for it
    tod_sql = _chain(tods, f"{_SECOND_OF_DAY} < {{b}}", nullable) if tods else "0"
    if layout is not None and tods:  # only the rows of time-of-day-priced series need the time of day
        keys = ", ".join(str(int(k)) for k in layout.tod_series_keys)
        tod_sql = f"CASE WHEN u.series_key IN ({keys}) THEN {tod_sql} ELSE 0 END"
    row_cols = "record_key, " if row else ""
    day_sql = "CAST(u.ts_start AS DATE)"
    if layout is not None and grain == "month":
        day_sql = segment_start_sql(layout.date_boundaries)
    tokens = ", ".join(TOKEN_COLUMNS)
    return f"""
WITH src AS (
    SELECT {row_cols}series_key, ts_start, requests, {tokens}
    FROM {source}{" WHERE " + " AND ".join(where) if where else ""}
),
keyed AS (
    SELECT {"u.record_key, u.ts_start, " if row else ""}u.series_key,
        {day_sql} AS day,
        {tod_sql} AS tod_s,
        {_tier_code(tiers, nullable)} AS tier_code,
        u.requests, {", ".join(f"u.{c}" for c in TOKEN_COLUMNS)}
    FROM src u{f" CROSS JOIN {LAYOUT_TABLE} p" if layout is None else ""}
),
{_grouped_sql(row)},
{_PRICED_STAGES}
{_final_sql(grain, by_band)}
"""


def _rollup_sql(source: str, grain: str, where: Sequence[str], layout: Layout | None, by_band: bool) -> str:
    """The query over the rollup: its buckets are re-summed per (series, day or price segment, time-of-day
    interval, tier code) and priced like the fact table's.

    The rollup is bucketed by every boundary of the price data (a superset of the store's), and a finer
    bucket lies inside exactly one of the store's: a row whose mean request exceeds the rollup's tier
    floor F exceeds every store threshold up to F and none above it, so the rate band with
    ``from <= F < to`` is the one the store-wide floor selects; time-of-day intervals nest the same way.
    A bucket not split by time of day (``tod_s = -1``: its model has no time-of-day prices) is priced as
    the whole day's interval."""
    if grain == "row":
        raise ValueError("the rollup has no rows: price grain='row' from the usage table")
    day_sql = "u.day"
    if layout is not None and grain == "month":
        day_sql = segment_start_sql(layout.date_boundaries, "u.day")
    sums = ", ".join(f"SUM(u.{c}) AS {c}" for c in TOKEN_COLUMNS)
    return f"""
WITH grouped_keys AS (
    SELECT u.series_key, {day_sql} AS day, GREATEST(u.tod_s, 0) AS tod_s, u.tier_code,
        SUM(u.requests) AS requests,
        SUM(u.requests_unknown_rows) AS requests_unknown_rows,
        {sums}
    FROM {source} u{" WHERE " + " AND ".join(where) if where else ""}
    GROUP BY 1, 2, 3, 4
),
{_PRICED_STAGES}
{_final_sql(grain, by_band)}
"""


def segment_start_sql(boundaries: Sequence[date], at: str = "u.ts_start") -> str:
    """The first day of the row's bucket for month grain: its month's first day, or the last price change
    within that month on or before the row's day, whichever is later.

    Grouping by this instead of by day gives series × (months + price changes) groups instead of
    series × days, while every bucket still lies inside one constant-price date segment, so the join to
    the rates (``valid_from <= day < valid_to``) picks the same rate as for each of its days.
    """
    month = f"CAST(DATE_TRUNC('month', {at}) AS DATE)"
    if not boundaries:
        return month
    literals = [f"DATE '{b.isoformat()}'" for b in boundaries]
    last_change = _bisect(literals, f"{at} < {{b}}", floor="DATE '1900-01-01'")
    return f"GREATEST({month}, {last_change})"


def _bisect(boundaries: Sequence[str], below: str, floor: str) -> str:
    """Nested ``CASE`` giving the largest of the ascending ``boundaries`` that the value is not ``below``
    (``floor`` if none), by bisection: log2(n) tests per row however many boundaries there are (the
    price data has dozens of start dates)."""
    if not boundaries:
        return floor
    mid = len(boundaries) // 2
    b = boundaries[mid]
    lower = _bisect(boundaries[:mid], below, floor)
    upper = _bisect(boundaries[mid + 1 :], below, b)
    return f"CASE WHEN {below.format(b=b)} THEN {lower} ELSE {upper} END"


def _chain(boundaries: Sequence[str], below: str, nullable: bool, floor: str = "0") -> str:
    """``CASE`` giving the largest boundary ``b`` that the value is not ``below`` (``floor`` if none).

    ``below`` is a template with ``{b}`` for the boundary, e.g. ``u.sod < {b}``. Boundaries ascend, so
    the first test that holds ends the search: most rows stop at the first. ``nullable`` boundaries
    (NULL-padded layout columns) end the search when NULL.
    """
    whens = []
    for i, b in enumerate(boundaries):
        test = below.format(b=b)
        whens.append(
            f"WHEN {f'{b} IS NULL OR ' if nullable else ''}{test} THEN {boundaries[i - 1] if i else floor}"
        )
    return f"CASE {' '.join(whens)} ELSE {boundaries[-1]} END"


def _tier_code(tiers: Sequence[str], nullable: bool) -> str:
    """The tier floor of the row's mean request, or ``-1 - floor`` of its total for a row without a count.

    ``input_tokens <= t × requests`` is "mean not above t": genai-prices applies a tier only when the
    input strictly exceeds its start.
    """
    if not tiers:
        return "CASE WHEN u.requests > 0 THEN 0 ELSE -1 END"
    per_request = _chain(tiers, "u.input_tokens <= {b} * u.requests", nullable)
    whole_row = _chain(tiers, "u.input_tokens <= {b}", nullable)
    return f"CASE WHEN u.requests > 0 THEN {per_request} ELSE -1 - {whole_row} END"


def _partition_cost(count: str, rate: str) -> str:
    return f"CAST({count} AS DECIMAL(38, 0)) * r.{rate}"


_COST_SQL: Final = ",\n        ".join(
    [
        _partition_cost(
            "g.input_tokens - g.cache_read_tokens - g.cache_write_tokens", "uncached_input_usd_per_token"
        )
        + " AS uncached_input_cost_usd",
        _partition_cost("g.cache_read_tokens", "cache_read_usd_per_token") + " AS cache_read_cost_usd",
        _partition_cost("g.cache_write_tokens - g.cache_write_1h_tokens", "cache_write_5m_usd_per_token")
        + " AS cache_write_5m_cost_usd",
        _partition_cost("g.cache_write_1h_tokens", "cache_write_1h_usd_per_token")
        + " AS cache_write_1h_cost_usd",
        _partition_cost("g.output_tokens - g.reasoning_tokens", "output_usd_per_token")
        + " + "
        + _partition_cost("g.reasoning_tokens", "reasoning_output_usd_per_token")
        + " AS output_cost_usd",
        _partition_cost("g.billed_requests", "usd_per_request") + " AS request_cost_usd",
    ]
)


_PRICED_STAGES: Final = f"""grouped AS (
    SELECT k.*, s.price_key,
        COALESCE(k.requests, 0) + k.requests_unknown_rows AS billed_requests,
        CASE WHEN k.tier_code >= 0 THEN k.tier_code
            ELSE COALESCE(s.unknown_requests_floor_tokens, -1 - k.tier_code) END AS tier_floor
    FROM grouped_keys k
    LEFT JOIN {SERIES_TABLE} s ON s.series_key = k.series_key
),
costed AS (
    SELECT g.*,
        r.price_key IS NOT NULL AS priced,
        r.input_from_tokens AS band_from_tokens, r.input_to_tokens AS band_to_tokens,
        {_COST_SQL}
    FROM grouped g
    LEFT JOIN {RATES_TABLE} r
        ON r.price_key = g.price_key
        AND g.day >= r.valid_from AND g.day < r.valid_to
        AND g.tod_s >= r.tod_from_s AND g.tod_s < r.tod_to_s
        AND g.tier_floor >= r.input_from_tokens AND g.tier_floor < r.input_to_tokens
)"""
"""Join the (series, bucket) groups to their series' price key and tier floor, then to their rate row."""


def _grouped_sql(row: bool) -> str:
    if row:
        return f"""grouped_keys AS (
    SELECT record_key, ts_start, series_key, day, tod_s, tier_code,
        requests, CASE WHEN requests IS NULL THEN 1 ELSE 0 END AS requests_unknown_rows,
        {", ".join(TOKEN_COLUMNS)}
    FROM keyed
)"""
    sums = ", ".join(f"SUM({c}) AS {c}" for c in TOKEN_COLUMNS)
    return f"""grouped_keys AS (
    SELECT series_key, day, tod_s, tier_code,
        SUM(requests) AS requests,
        COUNT(*) - COUNT(requests) AS requests_unknown_rows,
        {sums}
    FROM keyed
    GROUP BY series_key, day, tod_s, tier_code
)"""


def _final_sql(grain: str, by_band: bool = False) -> str:
    if grain == "row":
        parts = ", ".join(f"CAST({c} AS {COST_SQL_TYPE}) AS {c}" for c in _PART_COSTS)
        total = " + ".join(_PART_COSTS)
        tokens = ", ".join(f"CAST({c} AS BIGINT) AS {c}" for c in TOKEN_COLUMNS)
        return f"""SELECT series_key, day AS period, record_key, ts_start,
    CAST(requests AS BIGINT) AS requests, CAST(requests_unknown_rows AS BIGINT) AS requests_unknown_rows,
    {tokens},
    {parts},
    CAST({total} AS {COST_SQL_TYPE}) AS cost_usd,
    priced
FROM costed"""
    period = "CAST(DATE_TRUNC('month', day) AS DATE)" if grain == "month" else "day"
    all_priced = "SUM(CASE WHEN priced THEN 0 ELSE 1 END) = 0"
    parts = ", ".join(
        f"CASE WHEN {all_priced} THEN CAST(SUM({c}) AS {COST_SQL_TYPE}) END AS {c}" for c in _PART_COSTS
    )
    total = " + ".join(f"SUM({c})" for c in _PART_COSTS)
    tokens = ", ".join(f"CAST(SUM({c}) AS HUGEINT) AS {c}" for c in TOKEN_COLUMNS)
    band = "band_from_tokens, band_to_tokens, " if by_band else ""
    return f"""SELECT series_key, {period} AS period, {band}
    CAST(SUM(requests) AS HUGEINT) AS requests,
    CAST(SUM(requests_unknown_rows) AS HUGEINT) AS requests_unknown_rows,
    {tokens},
    {parts},
    CASE WHEN {all_priced} THEN CAST({total} AS {COST_SQL_TYPE}) END AS cost_usd,
    {all_priced} AS priced
FROM costed
GROUP BY series_key, {band}{period}"""
