"""A nested export's staged records, read once into a temporary table and loaded from there as they stream.

Parsing JSON is most of the cost of a nested export (Bedrock logs, Langfuse observations, OTel spans,
usage-API pages, LiteLLM rows with a JSON ``metadata``): every pass over the file parses every record
again. So the adapter's staged query (``StagedSource.materialize``) is run **once**, into a temporary table
of the staged columns only, and the file is then validated and loaded from that table by the streaming
loader (``llm_tco.ingest.stream``: series, de-duplication keys, the accepted rows or rollup sums and the
quarantine, each a scan of the table, never a parse of the file). The table is the staged values
(a few hundred bytes a record); DuckDB moves it to its temporary directory past the memory limit.

The staged query reads the file with DuckDB's own JSON reader and an explicit schema (one parallel parse
per record, ``llm_tco.ingest.json_fields``), which refuses the whole file over one record it cannot take (a
malformed line, a key given twice, an array where an object belongs). Reading it into the table is the
check: when it fails, the same staging over DuckDB's reader told to skip what it cannot parse is read,
with the per-record reasons of the lines it skipped (``StagedSource.lenient``, ``llm_tco.ingest.lenient``);
where that does not apply, the adapter's per-record staging (``StagedSource.fallback``: each line parsed
on its own, a bad one a quarantined record). No file is parsed twice to find out which reader it needs
when it is clean.

Record numbers: the per-record reader numbers records itself; the fast reader leaves ``record_no`` NULL
(a window would make the read single-threaded), and a record's number is then its position in the table,
which keeps the staged order.
"""

from __future__ import annotations

import dataclasses
import itertools

import duckdb

from llm_tco.ingest.base import StagedSource
from llm_tco.ingest.lenient import read_leniently
from llm_tco.store.temp_tables import scalar_int

__all__ = ["drop_staged_tables", "materialize_staged"]

_PREFIX = "_llm_tco_staged_"
_counter = itertools.count(1)


def drop_staged_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the staged tables of files loaded earlier on this connection (one is kept at a time)."""
    names = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, ?)", [_PREFIX]
    ).fetchall()
    for (name,) in names:
        con.execute(f'DROP TABLE IF EXISTS temp."{name}"')


def materialize_staged(
    con: duckdb.DuckDBPyConnection, staged: StagedSource, extra: str = "", metadata: str | None = None
) -> StagedSource:
    """Read ``staged`` (``materialize`` set) into a temporary table, through its lenient reading or its
    fallback when its reader refuses the file, and return the staged source of that table: streamable,
    numbered, no parameters. A ``duckdb.Error`` escapes only when the last reader tried fails too (the
    file is unusable). For the table of the fast read only: ``metadata`` replaces the ``metadata`` column
    (an expression of the staged columns aliased ``s``), and ``extra`` adds columns (``, expr AS name``,
    of those columns, ``metadata`` replaced, aliased ``s``)."""
    drop_staged_tables(con)
    table = f"{_PREFIX}{next(_counter)}"
    source = staged.sql
    if metadata is not None:
        source = f"SELECT * REPLACE ({metadata} AS metadata) FROM ({staged.sql}) s"
    try:
        con.execute(f"CREATE TEMP TABLE {table} AS SELECT *{extra} FROM ({source}) s", staged.params)
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
        lenient = staged.lenient() if staged.lenient is not None else None
        if lenient is None or not read_leniently(con, table, _setup(con, lenient)):
            if staged.fallback is None:
                raise
            fallback = _setup(con, staged.fallback())
            return materialize_staged(con, dataclasses.replace(fallback, fallback=None, materialize=True))
        staged = lenient
    # Positions from row ids, counted from the first (a table created inside a transaction starts at an
    # offset): the table keeps the staged order.
    first = scalar_int(con, f"SELECT coalesce(min(rowid), 0) FROM {table}")
    sql = f"SELECT * REPLACE (coalesce(record_no, rowid - {first} + 1) AS record_no) FROM {table}"
    notes = staged.notes
    for column, note in staged.notes_if_all_null:
        if scalar_int(con, f'SELECT count("{column}") FROM {table}') == 0:
            notes = (*notes, note)
    return dataclasses.replace(
        staged,
        sql=sql,
        params=[],
        setup_sql=(),
        streamable=True,
        materialize=False,
        fallback=None,
        lenient=None,
        unread_lines=None,
        notes=notes,
        notes_if_all_null=(),
        table=table,
    )


def _setup(con: duckdb.DuckDBPyConnection, staged: StagedSource) -> StagedSource:
    """Run ``staged``'s setup statements, and return it."""
    for statement in staged.setup_sql:
        con.execute(statement)
    return staged
