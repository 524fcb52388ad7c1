"""From the Spark aggregate to the store's rows: each attribute combination made a series, the groups
summed per series, the outcomes counted per file.

Spark's one pass (``llm_tco.spark.aggregate.group_outcomes``) leaves a few rows per series and period —
thousands to a few million, never one per record of a one-shot audit — keyed by the raw attribute values.
Here the store's own series assignment (``llm_tco.ingest.series.assign_series``) names each combination's
series, and the groups of series whose model is not priced by time of day are merged across the
time-of-day intervals Spark had to cut every group at. All of it runs in the store's DuckDB, inside the
caller's transaction.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.ingest.series import assign_series
from llm_tco.spark.aggregate import COMBO_COLUMNS
from llm_tco.spark.arrow import arrow_of
from llm_tco.spark.identity import OUTCOME
from llm_tco.spark.source import FILE_INDEX
from llm_tco.spark.store_write import SOURCE_FORMAT, FileTally
from llm_tco.store.rollup import RollupLayout
from llm_tco.store.temp_tables import create_temp_table

__all__ = ["GROUPS_TABLE", "file_tallies", "quarantined_records", "series_usage"]

GROUPS_TABLE = "_spark_groups"
"""The collected aggregate, registered on the store's connection."""


def _same_combination(left: str, right: str) -> str:
    return " AND ".join(f'{left}."{c}" IS NOT DISTINCT FROM {right}."{c}"' for c in COMBO_COLUMNS)


def series_usage(con: duckdb.DuckDBPyConnection, layout: RollupLayout) -> pa.Table:
    """The accepted groups of :data:`GROUPS_TABLE` as the store's usage rows (``_file_idx``,
    ``series_key``, ``record_no``, ``records``, times, counts), creating the series the store lacks."""
    attributes = ", ".join(f'"{c}"' for c in COMBO_COLUMNS)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _spark_combos AS "
        f"SELECT row_number() OVER () AS attr_hash, {attributes}, NULL::VARCHAR[] AS tags, "
        f"NULL::JSON AS metadata FROM (SELECT DISTINCT {attributes} FROM {GROUPS_TABLE} "
        f"WHERE {OUTCOME} = 'accepted')"
    )
    assign_series(con, "_spark_combos", SOURCE_FORMAT)
    keyed = con.execute(
        "SELECT k.attr_hash, k.series_key, s.provider, s.model "
        "FROM _series_keys k JOIN usage_series s USING (series_key)"
    ).fetchall()
    create_temp_table(
        con,
        "_spark_series",
        [("attr_hash", "BIGINT"), ("series_key", "INTEGER"), ("tod", "BOOLEAN")],
        [(int(h), int(k), (p, m) in layout.tod_models) for h, k, p, m in keyed],
    )
    sums = ", ".join(f"CAST(sum(g.{t}) AS BIGINT) AS {t}" for t in TOKEN_COLUMNS)
    return arrow_of(
        con,
        f"""
        SELECT g.{FILE_INDEX}, k.series_key, min(g.record_no) AS record_no,
               CAST(sum(g.records) AS BIGINT) AS records, min(g.ts_start) AS ts_start,
               max(g.ts_end) AS ts_end, CAST(sum(g.requests) AS BIGINT) AS requests, {sums},
               CAST(sum(g.reported_cost_usd) AS DECIMAL(18, 9)) AS reported_cost_usd
        FROM {GROUPS_TABLE} g
        JOIN _spark_combos c ON {_same_combination("g", "c")}
        JOIN _spark_series k USING (attr_hash)
        WHERE g.{OUTCOME} = 'accepted'
        GROUP BY g.{FILE_INDEX}, k.series_key, g._period, CASE WHEN k.tod THEN g._tod ELSE -1 END, g._tier,
                 g._single
        """,
    )


def quarantined_records(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """``_file_idx``, ``record_no``, ``reason`` of every quarantined record (one group each: those the
    validation refused and the id conflicts)."""
    return arrow_of(
        con, f"SELECT {FILE_INDEX}, record_no, reason FROM {GROUPS_TABLE} WHERE {OUTCOME} = 'quarantined'"
    )


def file_tallies(con: duckdb.DuckDBPyConnection, read: dict[int, int]) -> dict[int, FileTally]:
    """Each file's outcomes, each counted directly (the records of its groups), beside ``read`` (the
    records read, counted before any verdict)."""
    counts: dict[int, dict[str, int]] = {index: {} for index in read}
    rows = con.execute(
        f"SELECT {FILE_INDEX}, {OUTCOME}, sum(records) FROM {GROUPS_TABLE} GROUP BY ALL"
    ).fetchall()
    for index, outcome, records in rows:
        counts.setdefault(int(index), {})[str(outcome)] = int(records)
    return {
        index: FileTally(
            read.get(index, 0), c.get("accepted", 0), c.get("quarantined", 0), c.get("duplicate", 0)
        )
        for index, c in counts.items()
    }
