"""Query results as Arrow tables, on a connection inside an open transaction."""

from __future__ import annotations

import warnings

import duckdb
import pyarrow as pa

__all__ = ["arrow_of"]


def arrow_of(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """``sql``'s result as an Arrow table. ``execute`` (not ``sql``) so that it runs in the caller's
    transaction after statements whose results were not fetched; the copy DuckDB warns about is of a few
    small tables."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return con.execute(sql).to_arrow_table()
