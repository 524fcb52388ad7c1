"""Moving tables between Spark and the store as Arrow, never as Python rows.

A Spark audit's results (its hourly aggregate, its quarantined records) are brought to the driver one
partition at a time and appended to a DuckDB table as they arrive (:func:`stream_into`): collecting them
whole would hold them all in the driver twice (the JVM's serialized task results, then the Arrow table) and
stops at ``spark.driver.maxResultSize`` (1 GiB by default) — which a 100M-record log of per-hour groups
outgrows. Only the largest partition is held at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["arrow_of", "stream_into"]

_STAGED = "_llm_tco_spark_batch"
_PACKED = "arrow_ipc"
"""The one column of the packed frame: a record batch as an Arrow IPC stream."""


def arrow_of(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """``sql``'s result as an Arrow table. ``execute`` (not ``sql``) so that it runs in the caller's
    transaction after statements whose results were not fetched; the copy DuckDB warns about is of a few
    small tables."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return con.execute(sql).to_arrow_table()


def _packed(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Each record batch of a partition as one binary value (runs in Spark's Python workers)."""
    for batch in batches:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        yield pa.record_batch([pa.array([sink.getvalue().to_pybytes()], pa.binary())], names=[_PACKED])


def _batches(frame: DataFrame, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """``frame``'s record batches, a partition at a time (``toLocalIterator`` runs one job per partition,
    so no action's result is larger than one partition)."""
    packed = frame.mapInArrow(_packed, f"{_PACKED} BINARY")
    for row in packed.toLocalIterator(prefetchPartitions=False):
        with pa.ipc.open_stream(row[_PACKED]) as reader:
            for batch in reader:
                yield batch.cast(schema) if batch.schema != schema else batch


def stream_into(con: duckdb.DuckDBPyConnection, frame: DataFrame, table: str) -> None:
    """Create the temporary table ``table`` with ``frame``'s rows (in the caller's transaction)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    # timestamps as the store keeps them: naive UTC (Spark's batches carry the session's zone, UTC)
    schema = pa.schema(
        pa.field(f.name, pa.timestamp(f.type.unit), f.nullable) if pa.types.is_timestamp(f.type) else f
        for f in to_arrow_schema(frame.schema, timezone="UTC")
    )
    # The batches are pulled here, not by a DuckDB scan of a reader: a Spark failure then surfaces as
    # Spark's own error, not as DuckDB's error about the scan it interrupted.
    _append(con, table, pa.Table.from_batches([], schema), create=True)
    for batch in _batches(frame, schema):
        _append(con, table, pa.Table.from_batches([batch]), create=False)


def _append(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, *, create: bool) -> None:
    con.register(_STAGED, rows)
    try:
        if create:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {_STAGED}")
        else:
            con.execute(f"INSERT INTO {table} SELECT * FROM {_STAGED}")
    finally:
        con.unregister(_STAGED)
