"""The public pricing API: prepare the price tables, then price usage with one SQL query.

Pricing is a join, not a per-row Python call. :func:`prepare_pricing` resolves each distinct series once
and loads the price tables (:mod:`llm_tco.pricing.table`) into the connection; :func:`priced_usage_sql`
returns the query that prices any relation with the ``usage`` table's columns.

The query aggregates first and joins prices after, so that a re-audit of 100M rows touches prices only a
few thousand times: rows are grouped by (series, UTC day, time-of-day interval, tier floor) — a bucket
that no price boundary crosses, because prices change only at UTC dates, at the store's time-of-day
boundaries and at its long-context thresholds — then joined to their rate row and multiplied; the month
or day totals are sums of those. Only the nine columns it needs are read from the source (projection
pushdown), and no per-row join is made: pass ``pricing=`` (the :class:`PricingContext`) so that the
boundaries are inlined as constants; without it they are read from a one-row table (slower, same
result). The query text is in :mod:`llm_tco.pricing.sql`.

Rules the query applies (documented here because the audit's numbers depend on them):

- **Tier band.** A row with ``requests`` > 0 is banded by its mean input per request
  (``input_tokens > threshold × requests``, genai-prices' strict "above the threshold" cliff); a row
  without a count by its series' ``context_window`` (``'200k-1M'`` ⇒ long tier, ``'0-200k'`` ⇒ base) and,
  when the source gives none, as one request of its total input (what ``calc_price`` on the row does).
- **Per-request prices** (``requests_kcount``) are charged per request, and once for a row without a
  count (as ``calc_price`` charges one request per call).
- **Request totals.** ``requests`` is the sum of the known counts, NULL only when no row of the group has
  one; ``requests_unknown_rows`` says how many rows had none (then ``requests`` is a lower bound).
- **Unpriced is NULL.** Cost columns are NULL, never 0, when the series has no price (unknown model, or a
  time outside every override of a model only an override prices); ``priced`` says whether the whole
  group was priced. A month partly priced has NULL cost: a partial sum would read as a total.
- **Money is exact**: DECIMAL(38, 24) rates times DECIMAL(38, 0) counts, summed as DECIMAL(38, 24).

**The rollup.** When the store's usage rollup (:mod:`llm_tco.store.rollup`) can price the ``usage``
table — its buckets nest inside the price layout's, and the window is whole days (whole store for a
one-shot store's month segments) — the query reads the rollup's pre-summed buckets instead of the rows;
the result is the same (``tests/integration/test_pricing_agreement.py`` holds both to ``calc_price``).

The SQL is written in the DuckDB dialect using only portable constructs (CTEs, CASE, EXTRACT,
DATE_TRUNC, CAST, range-join predicates); ``sqlglot.transpile(sql, read="duckdb", write="spark")`` gives
Spark SQL. On another engine, the TEMP price tables must be created there first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

import duckdb

from llm_tco.catalog.price_data import PriceDataVersion, price_data_version
from llm_tco.pricing.overrides import PriceOverrides
from llm_tco.pricing.sql import COST_COLUMNS, COST_SQL_TYPE, TOKEN_COLUMNS, Layout, build_sql
from llm_tco.pricing.table import (
    MAX_DATE,
    MIN_DATE,
    SERIES_TABLE,
    PricingAttributes,
    build_price_tables,
    load_price_tables,
)

# the module, not its names: the store's rollup reads the price data (this package) for its boundaries,
# so a name import here would be circular
from llm_tco.store import rollup as usage_rollup

__all__ = [
    "COST_COLUMNS",
    "COST_SQL_TYPE",
    "TOKEN_COLUMNS",
    "PricingContext",
    "UnpricedModel",
    "prepare_pricing",
    "priced_usage_sql",
]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")


@dataclass(frozen=True)
class UnpricedModel:
    """A model (as its usage series name it) no price applies to: its usage is listed, its cost is NULL
    (never $0).

    ``provider`` and ``model_raw`` are as the store holds them (``usage_series``); ``suggestions`` are
    close genai-prices model ids and ``reason`` says why nothing matched.
    """

    provider: str | None
    model_raw: str
    suggestions: tuple[str, ...]
    reason: str | None


@dataclass(frozen=True)
class PricingContext:
    """What :func:`prepare_pricing` set up: the data version, the unpriced models, the price layout."""

    price_data: PriceDataVersion
    unpriced: tuple[UnpricedModel, ...]
    price_rows: int = 0
    tier_thresholds: tuple[int, ...] = ()
    """Store-wide long-context thresholds the query buckets rows by (input tokens per request)."""
    tod_boundaries_s: tuple[int, ...] = ()
    """Store-wide time-of-day price boundaries (seconds after UTC midnight)."""
    tod_series_keys: tuple[int, ...] = ()
    """Series whose model has time-of-day prices."""
    date_boundaries: tuple[date, ...] = ()
    """Store-wide dates on which some price in force changes (start dates of rate rows)."""
    rollup_ready: bool = False
    """Whether the store's usage rollup can price the ``usage`` table (:mod:`llm_tco.store.rollup`)."""
    rollup_grain: usage_rollup.Grain = "day"

    @property
    def price_data_version(self) -> str:
        """The price data in force, in one line (e.g. ``genai-prices 0.2.3 bundled data``)."""
        return self.price_data.label


def prepare_pricing(
    con: duckdb.DuckDBPyConnection, *, overrides: PriceOverrides | None = None
) -> PricingContext:
    """Resolve each pricing attribute set of ``usage_series`` once (in the order of the series that
    first has it) and (re)build the TEMP price tables in ``con``."""
    fetched = con.execute(
        "SELECT provider, model_raw, service_tier, batch FROM usage_series "
        "GROUP BY ALL ORDER BY min(series_key)"
    ).fetchall()
    version = price_data_version()
    tables = build_price_tables(
        (PricingAttributes(r[0], str(r[1]), r[2], bool(r[3])) for r in fetched), overrides
    )
    load_price_tables(con, tables)
    rollup = usage_rollup.stored_layout(con)
    date_boundaries = tuple(sorted({r[1] for r in tables.rate_rows if MIN_DATE < r[1] < MAX_DATE}))
    unpriced = {
        (p.attributes.provider, p.attributes.model_raw): UnpricedModel(
            p.attributes.provider, p.attributes.model_raw, p.resolution.suggestions, p.reason
        )
        for p in tables.priced
        if p.price_key is None
    }
    tod_series_keys = tuple(
        int(r[0])
        for r in con.execute(
            f"SELECT series_key FROM {SERIES_TABLE} "
            "WHERE list_contains(CAST(? AS INTEGER[]), price_key) ORDER BY series_key",
            [sorted(tables.tod_price_keys)],
        ).fetchall()
    )
    return PricingContext(
        price_data=version,
        unpriced=tuple(unpriced.values()),
        price_rows=len(tables.rate_rows),
        tier_thresholds=tables.tier_thresholds,
        tod_boundaries_s=tables.tod_boundaries_s,
        tod_series_keys=tod_series_keys,
        date_boundaries=date_boundaries,
        rollup_ready=rollup is not None
        and rollup.covers(tables.tier_thresholds, tables.tod_boundaries_s, date_boundaries)
        and usage_rollup.series_split_by_time(con, tod_series_keys)
        # month segments are cut at the price data's dates only, never at a price file's
        and not (rollup.grain == "segment" and overrides is not None and bool(overrides.entries)),
        rollup_grain=rollup.grain if rollup is not None else "day",
    )


def priced_usage_sql(
    source: str = "usage",
    *,
    grain: Literal["month", "day", "row"] = "month",
    since: datetime | None = None,
    until: datetime | None = None,
    pricing: PricingContext | None = None,
    by_band: bool = False,
) -> tuple[str, list[object]]:
    """SQL and its parameters pricing ``source`` (a table or view with the ``usage`` columns).

    One row per (``series_key``, ``period``) — ``period`` the DATE starting the month or day — or, for
    ``grain='row'``, one per source row with its ``record_key`` and ``ts_start``. Columns: ``requests``,
    ``requests_unknown_rows``, the six token sums (HUGEINT at month or day grain: a store's sums may
    exceed 64 bits; BIGINT per row), the cost columns of :data:`COST_COLUMNS` (DECIMAL(38, 24), NULL
    when not priced) and ``priced``. ``since`` is inclusive and ``until`` exclusive,
    on ``ts_start`` (naive UTC). Needs :func:`prepare_pricing` on the same connection first; pass its
    result as ``pricing`` for the fast form of the query. ``by_band`` (month or day grain) splits each
    row by the long-context band of the series' own model, given as ``band_from_tokens`` (0 for the base
    band) and ``band_to_tokens`` (exclusive; ``NO_UPPER_TOKENS`` for the top band), NULL where unpriced.
    """
    if grain not in ("month", "day", "row"):
        raise ValueError(f"grain must be 'month', 'day' or 'row', not {grain!r}")
    if by_band and grain == "row":
        raise ValueError("by_band splits month or day totals; a row has one band")
    if not _IDENTIFIER.fullmatch(source):
        raise ValueError(f"source must be a table or view name, not {source!r}")
    rollup = (
        source == "usage"
        and pricing is not None
        and pricing.rollup_ready
        and (
            # day buckets: any whole-day window; month segments: whole months, i.e. no window
            (
                grain != "row"
                and all(t is None or t == datetime.combine(t.date(), time()) for t in (since, until))
            )
            if pricing.rollup_grain == "day"
            else (grain == "month" and since is None and until is None)
        )
    )
    where: list[str] = []
    params: list[object] = []
    if rollup:
        # whole UTC days: the rollup's day buckets hold exactly the rows of the window
        for op, bound in ((">=", since), ("<", until)):
            if bound is not None:
                where.append(f"day {op} ?")
                params.append(bound.date())
        table = usage_rollup.ROLLUP_TABLE
        return build_sql(table, grain, where, _layout(pricing), rollup=True, by_band=by_band), params
    if since is not None:
        where.append("ts_start >= ?")
        params.append(since)
    if until is not None:
        where.append("ts_start < ?")
        params.append(until)
    return build_sql(source, grain, where, _layout(pricing), by_band=by_band), params


def _layout(pricing: PricingContext | None) -> Layout | None:
    if pricing is None:
        return None
    return Layout(
        pricing.tier_thresholds, pricing.tod_boundaries_s, pricing.tod_series_keys, pricing.date_boundaries
    )
