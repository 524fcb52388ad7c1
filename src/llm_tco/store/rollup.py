"""The usage rollup: usage rows summed per file, series and constant-price bucket, kept beside the facts.

A re-audit prices usage by (series, UTC day, time-of-day interval, tier code) buckets
(:mod:`llm_tco.pricing.query`). Summing the fact table into those buckets is what makes a re-audit of
100M rows cost seconds; the rollup stores that sum once, at ingest, in the same transaction as the rows
it sums, so an audit reads a few rows per series and day instead of every request.

The buckets must not depend on which models a store holds (a later file can add a model with new
thresholds), so the rollup is cut at *every* long-context threshold in the price data, and the series of
every model with time-of-day prices at every time-of-day boundary in it
(:func:`price_data_boundaries`, recorded in ``usage_rollup_layout``). That is finer than any store needs,
and pricing a finer bucket gives the same rates (:func:`llm_tco.pricing.sql.build_sql`).
When the price data in force has a boundary the rollup lacks (an explicit price update, a user price file
with its own tiers or dates), audits price from the facts — exact, only slower — and the next audit or
ingest that can write the store rebuilds the rollup from them.

The rollup is part of the store's usage layout, beside the facts it sums: ingest writes both in one
transaction and imports nothing from ``pricing`` (ingest never prices). Only the bucket boundaries come
from the price data, which is why this module reads it.

A one-shot audit of a ``:memory:`` store keeps only the rollup (``IngestOptions.keep_rows=False``): the
rows are validated and summed as they stream from the file, and never stored; its buckets are month
segments instead of days (:data:`Grain`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

import duckdb
from genai_prices.data_snapshot import DataSnapshot
from genai_prices.types import StartDateConstraint

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.catalog.model_names import resolve_model
from llm_tco.catalog.price_data import current_snapshot
from llm_tco.pricing.rates import model_constraints, price_start_dates, tier_thresholds, utc_seconds
from llm_tco.pricing.sql import segment_start_sql, tier_code_sql, tod_start_sql
from llm_tco.pricing.table import MAX_DATE, MIN_DATE
from llm_tco.store.temp_tables import scalar_int

__all__ = [
    "ROLLUP_TABLE",
    "Grain",
    "RollupLayout",
    "append_rollup",
    "append_stored_rollup",
    "append_stored_rollup_files",
    "price_data_boundaries",
    "price_data_layout",
    "refresh_rollup",
    "rollup_is_current",
    "series_split_by_time",
    "stored_layout",
]

ROLLUP_TABLE = "usage_rollup"
_LAYOUT_TABLE = "usage_rollup_layout"
_DAY_S = 86_400


Grain = Literal["day", "segment"]
"""``day``: a bucket's ``day`` is its UTC day. ``segment``: it is the first day of its part of a month
between price start dates (the price data's), so a bucket holds up to a month: fewer, larger buckets, for
a one-shot audit that only prices whole months."""


@dataclass(frozen=True)
class RollupLayout:
    """The boundaries rollup buckets are cut at. Only the series of models with time-of-day prices are
    split by time of day (the others' buckets have ``tod_s = -1``): splitting every series at every
    boundary of the price data would multiply the rollup's size by the number of intervals."""

    tier_thresholds: tuple[int, ...]
    tod_boundaries_s: tuple[int, ...]
    tod_models: frozenset[tuple[str, str]]
    """(provider, model) ids whose series are split by time of day."""
    date_boundaries: tuple[date, ...]
    """Dates on which some price of the price data starts (where ``segment`` buckets are cut)."""
    grain: Grain = "day"

    def covers(
        self, tier_thresholds: tuple[int, ...], tod_boundaries_s: tuple[int, ...], dates: tuple[date, ...]
    ) -> bool:
        """Whether buckets cut at these boundaries (and price-change dates) nest inside buckets cut at
        the given ones."""
        inner_tods = {t for t in tod_boundaries_s if 0 < t < _DAY_S}
        return (
            set(tier_thresholds) <= set(self.tier_thresholds)
            and inner_tods <= set(self.tod_boundaries_s)
            and (self.grain == "day" or set(dates) <= set(self.date_boundaries))
        )


_Boundaries = tuple[tuple[int, ...], tuple[int, ...], frozenset[tuple[str, str]], tuple[date, ...]]


def price_data_boundaries(snapshot: DataSnapshot) -> _Boundaries:
    """(long-context thresholds, time-of-day boundaries strictly inside the day, the (provider, model) ids
    with time-of-day prices, the dates on which some price starts) of every model in the price data: the
    finest bucketing any store's prices can need (the usage rollup's layout)."""
    thresholds: set[int] = set()
    tods: set[int] = set()
    tod_models: set[tuple[str, str]] = set()
    dates: set[date] = set()
    for provider in snapshot.providers:
        for model in provider.models:
            thresholds.update(tier_thresholds(model))
            for constraint in model_constraints(model):
                if isinstance(constraint, StartDateConstraint):
                    dates.add(constraint.start_date)
                else:
                    tods.update((utc_seconds(constraint.start_time), utc_seconds(constraint.end_time)))
                    tod_models.add((provider.id, model.id))
    inner_tods = tuple(sorted(t for t in tods if 0 < t < _DAY_S))
    inner_dates = tuple(sorted(d for d in dates if MIN_DATE < d < MAX_DATE))
    return tuple(sorted(thresholds)), inner_tods, frozenset(tod_models), inner_dates


_boundaries_cache: dict[int, tuple[DataSnapshot, _Boundaries]] = {}


def price_data_layout(grain: Grain = "day") -> RollupLayout:
    """The layout of the price data in force (every model's boundaries), computed once per snapshot: every
    audit asks for it, and walking the whole price data costs ~70 ms."""
    snapshot = current_snapshot()
    hit = _boundaries_cache.get(id(snapshot))
    if hit is None or hit[0] is not snapshot:  # the identity check guards against a reused id()
        hit = _boundaries_cache[id(snapshot)] = (snapshot, price_data_boundaries(snapshot))
    thresholds, tods, tod_models, dates = hit[1]
    return RollupLayout(thresholds, tods, tod_models, dates, grain)


def stored_layout(con: duckdb.DuckDBPyConnection) -> RollupLayout | None:
    """The layout the store's rollup was built with; None when it has not been built."""
    row = con.execute(
        "SELECT tier_thresholds, tod_boundaries_s, tod_models, date_boundaries, grain "
        f"FROM {_LAYOUT_TABLE} LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    pairs = (str(m).split("/", 1) for m in row[2])
    return RollupLayout(
        tuple(int(t) for t in row[0]),
        tuple(int(t) for t in row[1]),
        frozenset((p[0], p[1]) for p in pairs),
        tuple(row[3]),
        "segment" if row[4] == "segment" else "day",
    )


def rollup_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store's rollup was built with the price data in force (a day-grain store's)."""
    return stored_layout(con) == price_data_layout()


def series_split_by_time(con: duckdb.DuckDBPyConnection, series_keys: tuple[int, ...]) -> bool:
    """Whether the rollup splits every given series by time of day (an audit needs that for the series
    whose prices depend on it)."""
    if not series_keys:
        return True
    keys = ", ".join(str(int(k)) for k in series_keys)
    return (
        scalar_int(con, f"SELECT count(*) FROM {ROLLUP_TABLE} WHERE tod_s < 0 AND series_key IN ({keys})")
        == 0
    )


def _tod_keys(con: duckdb.DuckDBPyConnection, layout: RollupLayout, key: str) -> list[int]:
    """Keys (``series_key``, or ``attr_hash`` through the load's ``_series_keys``) of the series whose
    model has time-of-day prices."""
    source = "usage_series" if key == "series_key" else "_series_keys JOIN usage_series USING (series_key)"
    rows = con.execute(f"SELECT {key}, provider, model FROM {source} WHERE model IS NOT NULL").fetchall()
    return [int(k) for k, p, m in rows if (p, m) in layout.tod_models]


def _series_start_dates(con: duckdb.DuckDBPyConnection, key: str) -> tuple[date, ...]:
    """Price start dates of the models of the series being summed (keyed as in :func:`_tod_keys`).

    A month-segment bucket of a series must not straddle a start date of *its* model; the start dates of
    the price data's other models only split it needlessly (the price data has dozens), so segments are
    cut at these alone. Pricing resolves each series the same way (same price data, no price file: a
    one-shot audit), so a bucket never straddles a price change of the series it belongs to."""
    source = "usage_series" if key == "series_key" else "_series_keys JOIN usage_series USING (series_key)"
    dates: set[date] = set()
    for provider, model_raw in con.execute(f"SELECT DISTINCT provider, model_raw FROM {source}").fetchall():
        info = resolve_model(provider, str(model_raw)).model_info
        if info is not None:
            dates |= price_start_dates(info)
    return tuple(sorted(d for d in dates if MIN_DATE < d < MAX_DATE))


def _rollup_select(
    source: str,
    layout: RollupLayout,
    key: str,
    tod_keys: list[int],
    file_id: int | None = None,
    constants: Mapping[str, int] | None = None,
    segment_dates: tuple[date, ...] = (),
) -> str:
    """Rows of ``source`` (a relation with the ``usage`` columns and ``key``) summed per bucket; per file
    when ``file_id`` is None (then ``source`` has ``file_id``), else all of file ``file_id``'s.

    ``constants``: columns with one value in every row of ``source`` (0 tokens; 1 request), whose sums are
    written from the row count instead of summed — each aggregate is a random access per row into the
    groups' table, the largest cost of summing a file."""
    fixed = dict(constants or {})
    sums = ", ".join(
        f"COUNT(*) * {int(fixed[c])} AS {c}" if c in fixed else f"SUM(u.{c}) AS {c}" for c in TOKEN_COLUMNS
    )
    tod = "-1"
    if tod_keys:
        keys = ", ".join(str(k) for k in tod_keys)
        tod = f"CASE WHEN u.{key} IN ({keys}) THEN {tod_start_sql(layout.tod_boundaries_s)} ELSE -1 END"
    tier = tier_code_sql(layout.tier_thresholds)
    day = "CAST(u.ts_start AS DATE)"
    if layout.grain == "segment":
        day = segment_start_sql(segment_dates, day)
    keys = f"u.{key}, {day} AS day, {tod} AS tod_s, {tier} AS tier_code"
    requests = "SUM(u.requests) AS requests, COUNT(*) - COUNT(u.requests) AS requests_unknown_rows"
    if "requests" in fixed:
        requests = f"COUNT(*) * {int(fixed['requests'])} AS requests, 0 AS requests_unknown_rows"
    counts = f"COUNT(*) AS row_count, {requests}, {sums}"
    if file_id is None:
        return f"SELECT u.file_id, {keys}, {counts} FROM {source} u GROUP BY 1, 2, 3, 4, 5"
    # one file: its id is a constant, not a grouping key (a narrower key hashes faster)
    return f"SELECT {int(file_id)} AS file_id, {keys}, {counts} FROM {source} u GROUP BY 2, 3, 4, 5"


def append_rollup(
    con: duckdb.DuckDBPyConnection,
    *,
    file_id: int,
    source: str,
    params: list[object],
    layout: RollupLayout,
    by_attr_hash: bool = False,
    constants: Mapping[str, int] | None = None,
) -> int:
    """Add the sums of ``source`` — usage rows of file ``file_id`` not yet in the rollup, as a relation
    with the ``usage`` columns — to the rollup; returns how many rows the file now has in it. Call inside
    the transaction that stores (or accepts) those rows.

    ``by_attr_hash``: the rows carry their ``attr_hash`` instead of a ``series_key`` (validated rows
    streaming from a file); they are summed by it and given their series through the load's
    ``_series_keys`` afterwards — a join of the sums, not of every row. ``constants``: see
    ``ValidationSql.constants``."""
    key = "attr_hash" if by_attr_hash else "series_key"
    segment_dates = _series_start_dates(con, key) if layout.grain == "segment" else ()
    select = _rollup_select(
        source, layout, key, _tod_keys(con, layout, key), file_id, constants, segment_dates
    )
    if by_attr_hash:
        select = (
            f"SELECT k.series_key, r.* EXCLUDE (attr_hash) FROM ({select}) r "
            "JOIN _series_keys k USING (attr_hash)"
        )
    con.execute(f"INSERT INTO {ROLLUP_TABLE} BY NAME {select}", params)
    return scalar_int(con, f"SELECT sum(row_count) FROM {ROLLUP_TABLE} WHERE file_id = ?", [file_id])


def append_stored_rollup(
    con: duckdb.DuckDBPyConnection,
    file_id: int,
    layout: RollupLayout,
    constants: Mapping[str, int] | None = None,
) -> int:
    """:func:`append_rollup` for the rows of file ``file_id`` just stored in ``usage``."""
    return append_rollup(
        con,
        file_id=file_id,
        source="(SELECT * FROM usage WHERE file_id = ?)",
        params=[file_id],
        layout=layout,
        constants=constants,
    )


def append_stored_rollup_files(
    con: duckdb.DuckDBPyConnection,
    first_file_id: int,
    last_file_id: int,
    layout: RollupLayout,
    constants: Mapping[str, int] | None = None,
) -> None:
    """:func:`append_stored_rollup` for every file from ``first_file_id`` to ``last_file_id`` at once
    (files loaded together in one transaction): the same sums, per file, in one statement."""
    segment_dates = _series_start_dates(con, "series_key") if layout.grain == "segment" else ()
    select = _rollup_select(
        "(SELECT * FROM usage WHERE file_id BETWEEN ? AND ?)",
        layout,
        "series_key",
        _tod_keys(con, layout, "series_key"),
        None,
        constants,
        segment_dates,
    )
    con.execute(f"INSERT INTO {ROLLUP_TABLE} BY NAME {select}", [first_file_id, last_file_id])


def refresh_rollup(con: duckdb.DuckDBPyConnection, grain: Grain = "day") -> RollupLayout:
    """Make the rollup match the price data in force, rebuilding it from the usage table when it was built
    with other boundaries or grain (or never); returns the layout new rows must be summed with."""
    layout = price_data_layout(grain)
    if stored_layout(con) == layout:
        return layout
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {ROLLUP_TABLE}")
        key = "series_key"
        segment_dates = _series_start_dates(con, key) if layout.grain == "segment" else ()
        select = _rollup_select(
            "usage", layout, key, _tod_keys(con, layout, key), segment_dates=segment_dates
        )
        con.execute(f"INSERT INTO {ROLLUP_TABLE} BY NAME {select}")
        con.execute(f"DELETE FROM {_LAYOUT_TABLE}")
        con.execute(
            f"INSERT INTO {_LAYOUT_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
            [
                list(layout.tier_thresholds),
                list(layout.tod_boundaries_s),
                sorted(f"{p}/{m}" for p, m in layout.tod_models),
                list(layout.date_boundaries),
                layout.grain,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return layout
