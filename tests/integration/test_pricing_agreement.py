"""The priced-usage SQL agrees with genai-prices' own ``calc_price``, row by row, on a real DuckDB store.

Reference for each row: ``genai_prices.calc_price(Usage(...), model_raw, provider_id=..., timestamp=ts_start,
price_context=...)``. For a bucket row of N requests the long-context tier follows the mean request, so
the reference is N × calc_price(the mean request's usage) (counts chosen divisible by N, so the mean is
exact). A row without a request count whose source says ``context_window='200k-1M'`` is referenced the
same way with an N that puts the mean in the long band (and ``'0-200k'`` with one in the base band).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import duckdb
import pytest
import sqlglot
from genai_prices import Usage, calc_price

from llm_tco.catalog.model_names import resolve_model
from llm_tco.catalog.price_data import PRICES_FILE_ENV_VAR
from llm_tco.pricing import PricingContext, prepare_pricing, price_context_for, priced_usage_sql
from llm_tco.store.connection import open_store
from llm_tco.store.rollup import Grain, price_data_layout, refresh_rollup


@dataclass(frozen=True)
class Series:
    key: int
    provider: str | None
    model_raw: str
    service_tier: str | None = None
    batch: bool = False
    context_window: str | None = None
    ref_provider: str | None = "same"
    """provider_id for the reference call ("same" = the series' provider)."""


@dataclass(frozen=True)
class Row:
    series: int
    ts: datetime
    input: int
    cache_read: int = 0
    cache_write: int = 0
    cache_write_1h: int = 0
    output: int = 0
    reasoning: int = 0
    requests: int | None = 1
    ref_n: int | None = None
    """For rows without a request count: the N the reference spreads the row over."""


SERIES = [
    Series(1, "openai", "o3"),
    Series(2, "openai", "o3-2025-04-16"),
    Series(3, "google", "gemini-2.5-pro"),
    Series(4, "anthropic", "claude-sonnet-4-5-20250929"),
    Series(5, "anthropic", "claude-sonnet-4-5", batch=True),
    Series(6, "google", "gemini-2.5-pro", batch=True),
    Series(7, "deepseek", "deepseek-chat"),
    Series(8, "openai", "openai/gpt-4o", ref_provider="litellm"),  # genai-prices' own prefix rule
    Series(9, "openai", "gpt-4o-2024-08-06"),
    Series(10, "anthropic", "claude-sonnet-4-5", context_window="200k-1M"),
    Series(11, "anthropic", "claude-sonnet-4-5", context_window="0-200k"),
    Series(12, "openai", "gpt-5", service_tier="flex"),
    Series(13, "perplexity", "sonar"),
    Series(14, "perplexity", "sonar-deep-research"),
    Series(15, None, "claude-sonnet-4-5"),
    Series(16, "azure", "gpt-4o", batch=True),
    Series(17, "openai", "gpt-4o", service_tier="priority"),
    Series(18, "anthropic", "claude-haiku-4-5", batch=True, context_window="0-200k"),
    Series(90, "openai", "gpt-4o-ultra-unknown"),
]
UNKNOWN_KEYS = {90}

ROWS = [
    # o3 across its 2025-06-10 price change ($10/$40 → $2/$8), with reasoning and cache reads
    Row(1, datetime(2025, 6, 5, 12), 10_000, cache_read=2_000, output=5_000, reasoning=3_000),
    Row(1, datetime(2025, 6, 15, 12), 10_000, cache_read=2_000, output=5_000, reasoning=3_000),
    Row(2, datetime(2025, 6, 9, 23, 59, 59), 7_000, output=1_234),
    Row(2, datetime(2025, 6, 10, 0, 0, 0), 7_000, output=1_234),
    # Gemini 2.5 Pro: single requests above and below 200k, buckets whose mean is above / below
    Row(3, datetime(2025, 9, 1, 8), 250_000, cache_read=50_000, output=1_000),
    Row(3, datetime(2025, 9, 1, 9), 150_000, cache_read=10_000, output=2_000),
    Row(3, datetime(2025, 9, 2, 9), 2_500_000, cache_read=500_000, output=10_000, requests=10),
    Row(3, datetime(2025, 9, 2, 10), 1_500_000, cache_read=300_000, output=20_000, requests=10),
    Row(3, datetime(2025, 9, 2, 11), 200_000, output=10),  # exactly at the threshold: base (strict >)
    # Claude: 5-minute and 1-hour cache writes, below and above 200k
    Row(
        4,
        datetime(2025, 10, 1, 10),
        20_000,
        cache_read=5_000,
        cache_write=8_000,
        cache_write_1h=3_000,
        output=1_000,
    ),
    Row(
        4,
        datetime(2025, 10, 1, 11),
        300_000,
        cache_read=100_000,
        cache_write=50_000,
        cache_write_1h=20_000,
        output=4_000,
    ),
    # batch: after and before the 2026-10-14 batch prices
    Row(
        5,
        datetime(2026, 10, 20, 10),
        40_000,
        cache_read=10_000,
        cache_write=6_000,
        cache_write_1h=2_000,
        output=3_000,
    ),
    Row(
        5,
        datetime(2026, 10, 10, 10),
        40_000,
        cache_read=10_000,
        cache_write=6_000,
        cache_write_1h=2_000,
        output=3_000,
    ),
    Row(6, datetime(2026, 10, 20, 10), 260_000, cache_read=60_000, output=3_000),
    Row(6, datetime(2026, 10, 1, 10), 260_000, cache_read=60_000, output=3_000),
    # DeepSeek: off-peak 16:30-00:30 UTC, peak 00:30-16:30, and the boundaries
    Row(7, datetime(2025, 8, 1, 17, 0), 100_000, cache_read=40_000, output=9_000),
    Row(7, datetime(2025, 8, 1, 3, 0), 100_000, cache_read=40_000, output=9_000),
    Row(7, datetime(2025, 8, 1, 16, 30), 1_000, output=1_000),
    Row(7, datetime(2025, 8, 1, 16, 29, 59), 1_000, output=1_000),
    Row(7, datetime(2025, 8, 2, 0, 29, 59), 1_000, output=1_000),
    Row(7, datetime(2025, 8, 2, 0, 30), 1_000, output=1_000),
    # aliases and dated snapshots
    Row(8, datetime(2025, 3, 1), 12_345, cache_read=1_000, output=678),
    Row(9, datetime(2025, 3, 1), 12_345, cache_read=4_096, output=678),
    # no request count: the source's context-window group decides the tier
    Row(10, datetime(2025, 11, 1), 2_500_000, cache_read=500_000, output=50_000, requests=None, ref_n=5),
    Row(11, datetime(2025, 11, 1), 2_500_000, cache_read=500_000, output=50_000, requests=None, ref_n=25),
    # service tier, per-request prices, reasoning priced apart, provider inferred, fallback provider
    Row(12, datetime(2026, 10, 20), 30_000, cache_read=10_000, output=7_000, reasoning=5_000),
    Row(12, datetime(2026, 10, 1), 30_000, cache_read=10_000, output=7_000, reasoning=5_000),
    Row(13, datetime(2025, 5, 1), 4_000, output=2_000, requests=4),
    Row(14, datetime(2025, 5, 1), 4_000, output=2_000, reasoning=1_500),
    Row(15, datetime(2025, 10, 2), 50_000, cache_write=10_000, output=500),
    Row(16, datetime(2026, 10, 20), 50_000, output=500),
    Row(17, datetime(2026, 10, 20), 50_000, cache_read=20_000, output=500),
    Row(
        18,
        datetime(2026, 10, 20),
        90_000,
        cache_write=30_000,
        cache_write_1h=10_000,
        output=900,
        requests=None,
        ref_n=1,
    ),
    # sub-second timestamp just before DeepSeek's 16:30 boundary: still the peak price
    Row(7, datetime(2025, 8, 1, 16, 29, 59, 600_000), 1_000, output=1_000),
    # unknown model
    Row(90, datetime(2025, 6, 1), 1_000, output=100),
]


@pytest.fixture(scope="module")
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    yield from _sample_store()


@pytest.fixture
def rolled_up() -> Iterator[duckdb.DuckDBPyConnection]:
    """A store of its own (the rollup tests change it), with the usage rollup built."""
    for con in _sample_store():
        _build_rollup(con)
        yield con


def _sample_store() -> Iterator[duckdb.DuckDBPyConnection]:
    mp = pytest.MonkeyPatch()
    mp.setenv(PRICES_FILE_ENV_VAR, "/nonexistent/llm-tco-test-prices.json")  # bundled data only
    con = open_store(":memory:")
    con.execute(
        "INSERT INTO ingested_files (file_id, path, fingerprint, source_format, size_bytes, ingested_at, "
        "rows_read, rows_accepted, rows_quarantined, rows_duplicate) "
        "VALUES (1, 'test.jsonl', 'x', 'test', 0, TIMESTAMP '2026-01-01', 0, 0, 0, 0)"
    )
    for s in SERIES:
        con.execute(
            "INSERT INTO usage_series (series_key, series_id, source_format, provider, model_raw, workload, "
            "service_tier, batch, context_window) VALUES (?, ?, 'test', ?, ?, 'wl', ?, ?, ?)",
            [s.key, s.key, s.provider, s.model_raw, s.service_tier, s.batch, s.context_window],
        )
    for i, r in enumerate(ROWS, start=1):
        con.execute(
            "INSERT INTO usage (series_key, file_id, record_no, record_key, source_record_id, ts_start, "
            "ts_end, "
            "requests, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, "
            "output_tokens, reasoning_tokens) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                r.series,
                i,
                i,
                f"rec-{i}",
                r.ts,
                r.ts,
                r.requests,
                r.input,
                r.cache_read,
                r.cache_write,
                r.cache_write_1h,
                r.output,
                r.reasoning,
            ],
        )
    yield con
    con.close()
    mp.undo()


def _reference(row: Row) -> Decimal:
    series = next(s for s in SERIES if s.key == row.series)
    n = row.requests if row.requests is not None else (row.ref_n or 1)
    counts = {
        "input_tokens": row.input,
        "cache_read_tokens": row.cache_read,
        "cache_write_tokens": row.cache_write,
        "cache_write_5m_tokens": row.cache_write - row.cache_write_1h,
        "cache_write_1h_tokens": row.cache_write_1h,
        "output_tokens": row.output,
        "output_reasoning_tokens": row.reasoning,
    }
    assert all(v % n == 0 for v in counts.values()), "reference needs an exact mean request"
    mean = Usage(**{k: v // n for k, v in counts.items()})
    provider = series.provider if series.ref_provider == "same" else series.ref_provider
    price = calc_price(
        mean,
        series.model_raw,
        provider_id=provider,
        genai_request_timestamp=row.ts,
        price_context=price_context_for(series.batch, series.service_tier),
    )
    return price.total_price * n


def _priced_rows(
    con: duckdb.DuckDBPyConnection, pricing: PricingContext | None = None
) -> dict[int, dict[str, Any]]:
    """The row-grain result keyed by record number (record_key = record_no in this store)."""
    sql, params = priced_usage_sql("usage", grain="row", pricing=pricing)
    cursor = con.execute(f"SELECT CAST(record_key AS BIGINT) AS rk, * FROM ({sql}) q", params)
    names = [d[0] for d in cursor.description]
    return {int(r[0]): dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


@pytest.mark.parametrize("inline", [True, False], ids=["boundaries-inlined", "boundaries-from-table"])
def test_each_row_equals_calc_price_exactly(store: duckdb.DuckDBPyConnection, inline: bool) -> None:
    context = prepare_pricing(store)
    assert context.tier_thresholds == (200_000,) and context.tod_boundaries_s == (1800, 59400)
    priced = _priced_rows(store, context if inline else None)
    assert len(priced) == len(ROWS)
    mismatches = []
    for i, row in enumerate(ROWS, start=1):
        got = priced[i]
        if row.series in UNKNOWN_KEYS:
            assert got["cost_usd"] is None and got["priced"] is False
            continue
        expected = _reference(row)
        parts = sum(
            got[c]
            for c in (
                "uncached_input_cost_usd",
                "cache_read_cost_usd",
                "cache_write_5m_cost_usd",
                "cache_write_1h_cost_usd",
                "output_cost_usd",
                "request_cost_usd",
            )
        )
        if got["cost_usd"] != expected or parts != expected or got["priced"] is not True:
            mismatches.append((i, row, got["cost_usd"], expected))
    assert not mismatches


def test_price_boundaries_really_change_the_price(store: duckdb.DuckDBPyConnection) -> None:
    """Guards the sample itself: each pair of rows straddles a real price change."""
    prepare_pricing(store)
    cost = {i: v["cost_usd"] for i, v in _priced_rows(store).items()}
    assert cost[1] > cost[2]  # o3 before / after 2025-06-10
    assert cost[3] > cost[4]  # o3 snapshot alias, same boundary
    assert cost[7] / 10 > cost[8] / 10 * Decimal("1.5")  # mean 250k: long tier; mean 150k: base
    assert cost[12] < cost[13]  # batch price from 2026-10-14 only
    assert cost[16] < cost[17]  # DeepSeek off-peak at 17:00 is cheaper than 03:00
    assert cost[18] < cost[19] and cost[20] < cost[21]  # off-peak from 16:30, peak from 00:30
    assert cost[25] > cost[26]  # '200k-1M' long tier vs '0-200k' base for the same totals


@pytest.mark.parametrize("inline", [True, False], ids=["boundaries-inlined", "boundaries-from-table"])
def test_month_totals_equal_the_sum_of_rows(store: duckdb.DuckDBPyConnection, inline: bool) -> None:
    context = prepare_pricing(store)
    month_sql, params = priced_usage_sql("usage", grain="month", pricing=context if inline else None)
    month = store.execute(
        f"SELECT series_key, sum(cost_usd), bool_and(priced) FROM ({month_sql}) GROUP BY 1", params
    )
    by_series = {int(k): (c, p) for k, c, p in month.fetchall()}
    for s in SERIES:
        cost, priced = by_series[s.key]
        if s.key in UNKNOWN_KEYS:
            assert cost is None and priced is False
            continue
        expected = sum((_reference(r) for r in ROWS if r.series == s.key), Decimal(0))
        assert cost == expected, s
    total = store.execute(f"SELECT sum(cost_usd) FROM ({month_sql})", params).fetchone()
    assert total is not None
    assert total[0] == sum((_reference(r) for r in ROWS if r.series not in UNKNOWN_KEYS), Decimal(0))


def test_requests_and_tokens_are_carried(store: duckdb.DuckDBPyConnection) -> None:
    prepare_pricing(store)
    sql, params = priced_usage_sql("usage", grain="month")
    got = store.execute(
        f"SELECT series_key, requests, requests_unknown_rows, input_tokens, output_tokens FROM ({sql}) "
        "WHERE series_key IN (3, 10, 90) ORDER BY 1",
        params,
    ).fetchall()
    assert got == [(3, 23, 0, 4_600_000, 33_010), (10, None, 1, 2_500_000, 50_000), (90, 1, 0, 1_000, 100)]


def test_unknown_model_listed_with_suggestions(store: duckdb.DuckDBPyConnection) -> None:
    context = prepare_pricing(store)
    assert [u.model_raw for u in context.unpriced] == ["gpt-4o-ultra-unknown"]
    # the unknown model's series alone has no price key (the series table is a join on its attributes)
    assert store.execute(
        "SELECT series_key FROM llm_tco_price_series WHERE price_key IS NULL"
    ).fetchall() == [(90,)]
    unknown = context.unpriced[0]
    assert unknown.model_raw == "gpt-4o-ultra-unknown"
    assert "gpt-4o" in unknown.suggestions
    assert context.price_data.source == "bundled"


def test_since_until_filter(store: duckdb.DuckDBPyConnection) -> None:
    prepare_pricing(store)
    sql, params = priced_usage_sql(
        "usage", grain="day", since=datetime(2025, 6, 5), until=datetime(2025, 6, 10)
    )
    got = store.execute(f"SELECT series_key, period FROM ({sql}) ORDER BY 1, 2", params).fetchall()
    assert [(k, str(p)) for k, p in got] == [(1, "2025-06-05"), (2, "2025-06-09")]


@pytest.mark.parametrize("grain", ["month", "day", "row"])
@pytest.mark.parametrize("inline", [True, False])
def test_sql_transpiles_to_spark(store: duckdb.DuckDBPyConnection, grain: str, inline: bool) -> None:
    context = prepare_pricing(store)
    sql, _ = priced_usage_sql("usage", grain=grain, pricing=context if inline else None)  # type: ignore[arg-type]
    (spark,) = sqlglot.transpile(
        sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
    )
    assert "llm_tco_price_rates" in spark
    assert "UNIX_TIMESTAMP(u.ts_start)" in spark  # DeepSeek's time-of-day prices are in the sample


def _build_rollup(store: duckdb.DuckDBPyConnection, grain: Grain = "day") -> None:
    """Give each series its ingest-time model (as the loader does) and build the usage rollup."""
    for s in SERIES:
        resolution = resolve_model(s.provider, s.model_raw)
        store.execute(
            "UPDATE usage_series SET provider = coalesce(?, provider), model = ? WHERE series_key = ?",
            [resolution.provider, resolution.model, s.key],
        )
    refresh_rollup(store, grain)


@pytest.mark.parametrize("grain", ["day", "segment"])
def test_rollup_month_totals_equal_calc_price(rolled_up: duckdb.DuckDBPyConnection, grain: Grain) -> None:
    """The rollup path (what a re-audit reads; by month segment, what a one-shot audit reads) against
    the same per-row calc_price references."""
    _build_rollup(rolled_up, grain)
    context = prepare_pricing(rolled_up)
    assert context.rollup_ready
    month_sql, params = priced_usage_sql("usage", grain="month", pricing=context)
    assert "usage_rollup" in month_sql
    by_series = {
        int(k): c
        for k, c in rolled_up.execute(
            f"SELECT series_key, sum(cost_usd) FROM ({month_sql}) GROUP BY 1", params
        ).fetchall()
    }
    for s in SERIES:
        if s.key in UNKNOWN_KEYS:
            assert by_series[s.key] is None
            continue
        assert by_series[s.key] == sum((_reference(r) for r in ROWS if r.series == s.key), Decimal(0)), s
    if grain == "segment":
        days = [d for (d,) in rolled_up.execute("SELECT DISTINCT day FROM usage_rollup").fetchall()]
        assert len(days) < len({r.ts.date() for r in ROWS})  # buckets of whole months or their parts
        starts = set(price_data_layout().date_boundaries)
        assert all(d.day == 1 or d in starts for d in days)
        day_sql, _ = priced_usage_sql("usage", grain="day", pricing=context)
        assert "usage_rollup" not in day_sql  # month segments cannot price days
        return
    # the same figures at day grain, also through the rollup, within a whole-day window
    day_sql, day_params = priced_usage_sql(
        "usage", grain="day", since=datetime(2025, 6, 5), until=datetime(2025, 6, 10), pricing=context
    )
    assert "usage_rollup" in day_sql
    got = rolled_up.execute(f"SELECT series_key, period, cost_usd FROM ({day_sql}) ORDER BY 1, 2", day_params)
    assert [(k, str(p), c) for k, p, c in got.fetchall()] == [
        (1, "2025-06-05", _reference(ROWS[0])),
        (2, "2025-06-09", _reference(ROWS[2])),
    ]


def test_rollup_is_not_used_when_it_cannot_price(rolled_up: duckdb.DuckDBPyConnection) -> None:
    """A rollup built without a boundary the prices need (an older price data layout), or a window that
    starts inside a day, is priced from the fact rows instead — with the same result."""
    rolled_up.execute("UPDATE usage_rollup_layout SET tier_thresholds = [128000]")
    context = prepare_pricing(rolled_up)
    assert not context.rollup_ready
    sql, params = priced_usage_sql("usage", grain="month", pricing=context)
    assert "usage_rollup" not in sql
    total = rolled_up.execute(f"SELECT sum(cost_usd) FROM ({sql})", params).fetchone()
    assert total is not None
    assert total[0] == sum((_reference(r) for r in ROWS if r.series not in UNKNOWN_KEYS), Decimal(0))
    # a stale layout is rebuilt by the next write, after which the rollup prices again
    refresh_rollup(rolled_up)
    assert prepare_pricing(rolled_up).rollup_ready
    mid_day, _ = priced_usage_sql(
        "usage", grain="day", since=datetime(2025, 6, 5, 12), pricing=prepare_pricing(rolled_up)
    )
    assert "usage_rollup" not in mid_day


def test_rollup_only_splits_time_of_day_priced_series(rolled_up: duckdb.DuckDBPyConnection) -> None:
    split = {
        int(k)
        for (k,) in rolled_up.execute(
            "SELECT DISTINCT series_key FROM usage_rollup WHERE tod_s >= 0"
        ).fetchall()
    }
    assert split == {7}  # deepseek-chat: the only model of the sample with off-peak prices
    # and a rollup that did not split it cannot price it
    rolled_up.execute("UPDATE usage_rollup SET tod_s = -1")
    assert not prepare_pricing(rolled_up).rollup_ready


def test_rollup_sql_transpiles_to_spark(rolled_up: duckdb.DuckDBPyConnection) -> None:
    sql, _ = priced_usage_sql("usage", grain="month", pricing=prepare_pricing(rolled_up))
    (spark,) = sqlglot.transpile(
        sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
    )
    assert "usage_rollup" in spark
