"""The priced join on Spark: llm-tco's pricing query, transpiled to Spark SQL, over broadcast price tables.

The price tables are built by the existing pricing code (``llm_tco.pricing.query.prepare_pricing``: every
series resolved once against genai-prices' dated data) and shipped to Spark as small broadcast tables; the
query text is the DuckDB query of ``llm_tco.pricing.sql``, written in portable constructs and transpiled by
sqlglot, so the two engines price from one definition. The Spark result is checked against the store's
own pricing of the same rows: totals must agree to the cent in cost and exactly in every token column, or
the audit stops with an internal error instead of printing either.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import sqlglot

from llm_tco.canonical import TOKEN_COLUMNS
from llm_tco.ingest.records import AccountingError
from llm_tco.pricing.query import PricingContext, priced_usage_sql
from llm_tco.pricing.table import LAYOUT_TABLE, RATES_TABLE, SERIES_TABLE
from llm_tco.spark.arrow import arrow_of

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["check_against_store", "price_tables", "spark_month_totals", "store_month_totals"]

_VIEW = "llm_tco_spark_usage"
_CENT = Decimal("0.01")
Totals = dict[tuple[int, str], tuple[int, ...]]
"""(series_key, month) -> (token sums…, cost in cents or -1 when unpriced)."""


def price_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pa.Table]:
    """The price tables :func:`~llm_tco.pricing.query.prepare_pricing` built in the store's connection,
    for :func:`spark_month_totals` (read here, on the connection's own thread)."""
    names = (RATES_TABLE, SERIES_TABLE, LAYOUT_TABLE)
    return {table: arrow_of(con, f"SELECT * FROM {table}") for table in names}


def spark_month_totals(
    spark: SparkSession, tables: dict[str, pa.Table], usage: pa.Table, pricing: PricingContext
) -> Totals:
    """Price ``usage`` (the store's usage columns) in Spark over the broadcast ``tables``, by series and
    month. It touches no DuckDB connection, so it can run while the store is written."""
    from pyspark.sql import functions as sf

    for table, arrow in tables.items():
        sf.broadcast(spark.createDataFrame(arrow)).createOrReplaceTempView(table)
    spark.createDataFrame(usage).createOrReplaceTempView(_VIEW)
    sql, params = priced_usage_sql(_VIEW, grain="month", pricing=pricing)
    spark_sql = _wide_integers(sqlglot.transpile(sql, read="duckdb", write="spark")[0])
    rows = spark.sql(spark_sql, args=list(params)).toArrow().to_pylist()  # Arrow: no Row per result
    return {(int(r["series_key"]), str(r["period"])[:7]): _totals(r) for r in rows}


def _wide_integers(sql: str) -> str:
    """Spark has no 128-bit integer: sums the query widens to HUGEINT become DECIMAL(38, 0), Spark's
    widest exact integer (the same 38 digits)."""
    return re.sub(r"\bU?INT128\b", "DECIMAL(38, 0)", sql)


def store_month_totals(
    con: duckdb.DuckDBPyConnection, file_ids: list[int], pricing: PricingContext
) -> Totals:
    """The same totals priced by the store, over the rows just written."""
    ids = ", ".join(str(int(i)) for i in file_ids) or "NULL"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {_VIEW} AS SELECT * FROM usage WHERE file_id IN ({ids})")
    sql, params = priced_usage_sql(_VIEW, grain="month", pricing=pricing)
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or ()]
    return {
        (int(r["series_key"]), str(r["period"])[:7]): _totals(r)
        for r in (dict(zip(names, row, strict=True)) for row in cursor.fetchall())
    }


def _totals(row: Any) -> tuple[int, ...]:
    """A Spark ``Row`` or a mapping of the priced columns, as comparable integers."""
    get = row.__getitem__
    cost = get("cost_usd")
    cents = -1 if cost is None else int(Decimal(cost).quantize(_CENT, rounding=ROUND_HALF_EVEN) * 100)
    return (*(int(get(t) or 0) for t in TOKEN_COLUMNS), int(get("requests") or 0), cents)


def check_against_store(spark_totals: Totals, store_totals: Totals) -> None:
    """Raise :class:`AccountingError` unless both engines priced the rows alike."""
    if spark_totals == store_totals:
        return
    differing = sorted(set(spark_totals) ^ set(store_totals)) or sorted(
        k for k in spark_totals if spark_totals[k] != store_totals.get(k)
    )
    key = differing[0]
    raise AccountingError(
        f"Spark and the store price the audited usage differently (series {key[0]}, {key[1]}: "
        f"{spark_totals.get(key)} vs {store_totals.get(key)})"
    )
