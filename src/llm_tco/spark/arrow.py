"""Moving tables between Spark and the store as Arrow, never as Python rows."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["arrow_of", "collect_into"]

_STAGED = "_llm_tco_spark_rows"


def arrow_of(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """``sql``'s result as an Arrow table. ``execute`` (not ``sql``) so that it runs in the caller's
    transaction after statements whose results were not fetched; the copy DuckDB warns about is of a few
    small tables."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return con.execute(sql).to_arrow_table()


def collect_into(con: duckdb.DuckDBPyConnection, frame: DataFrame, table: str) -> None:
    """Create the temporary table ``table`` with ``frame``'s rows (in the caller's transaction), collected
    to the driver as Arrow. The whole result passes through the driver: past ``spark.driver.maxResultSize``
    (1 GiB by default) Spark stops the job, and the audit says which setting to raise."""
    rows = frame.toArrow()
    con.register(_STAGED, rows)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {_STAGED}")
    finally:
        con.unregister(_STAGED)
