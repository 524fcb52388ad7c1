"""A JSON-lines export with a few lines that are not JSON, read at the speed of DuckDB's reader.

DuckDB's JSON reader refuses a whole file over one malformed line (a truncated write, a log line
interleaved), and the per-record reader that takes such a file (``llm_tco.ingest.json_readers``) is five
to eight times slower: it numbers every line in one thread and parses each one three times. So a file
with one bad line in a thousand cost 14-20 s a million records instead of 2.5-3.5 s.

Between the two sits the **lenient** reading, tried when the fast read fails and before the per-record
one (``llm_tco.ingest.staging``):

1. The adapter's own staging is run over DuckDB's reader told to skip what it cannot parse
   (``ignore_errors``). That reader keeps one row, of NULLs, for each such line, in its place, and reads
   every other line exactly as the per-record reader does (a member of the wrong shape, a key given
   twice, a record that is not an object: the same values and reasons; the tests compare the two row
   by row). The row of an unparsed line is marked: its reject reason is :data:`UNREAD_MARK`.
2. One pass over the file's lines lists the lines that are not JSON, in file order, each with the reason
   the per-record reader gives it (:func:`unread_lines`): a parallel check of each line, no window, no
   parse into values.
3. The k-th marked row takes the k-th reason (:func:`read_leniently`).

The reading is refused, and the per-record reader used instead, whenever the marks and the lines do not
pair one to one: a valid line the lenient reader also leaves empty (``{}``, ``null``), a line the lenient
reader skips but the per-record one counts (whitespace other than spaces), a line the per-record reader
would repair (a CloudWatch timestamp before the JSON); and it fails on a record past the fast reads'
size (``files.FAST_READ_BYTES``). So it is never less exact than the per-record reading, only faster where
it applies.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import Probe, StagedSource
from llm_tco.ingest.json_lines import malformed_line_reason, malformed_lines, unparsed_lines
from llm_tco.ingest.reader_sql import ReaderSql, duck_compression, duck_path
from llm_tco.store.temp_tables import scalar_int

__all__ = ["UNREAD_MARK", "read_leniently", "unread_lines", "unread_mark_sql"]

UNREAD_MARK = "\x00unread line"
"""The reject reason of a lenient reader's row for a line it could not parse. It never reaches a store:
:func:`read_leniently` replaces every one or refuses the reading. (A NUL cannot come from a reason the
adapters build, and a file's text reaches a reason only quoted inside it.)"""


def unread_mark_sql(unread: str) -> str:
    """The lenient reader's ``_reject_reason`` column: the mark where ``unread`` (SQL) holds."""
    return f"CASE WHEN {unread} THEN '{UNREAD_MARK}' END"


def unread_lines(probe: Probe, *, strip_line_prefix: bool = False) -> ReaderSql:
    """The lines of a JSON-lines file that are not JSON, in file order: ``reason``, the per-record reader's
    reason for the line, and ``_blank``, whether the line is whitespace only (which DuckDB's reader skips
    and the per-record reader counts: the reading is refused). ``strip_line_prefix`` as the per-record
    reader does it (``json_documents``). Its setup statement reads the lines that fail into a table."""
    table = (
        f"(SELECT {malformed_line_reason('_line')} AS reason,"
        " ltrim(_line, ' ' || chr(9) || chr(11) || chr(12)) = '' AS _blank"
        f" FROM {malformed_lines(_FAILED, strip_line_prefix)})"
    )
    return ReaderSql(
        table,
        [],
        setup=(f"CREATE OR REPLACE TEMP TABLE {_FAILED} AS {unparsed_lines()}",),
        setup_params=([duck_path(probe), duck_compression(probe)],),
    )


_FAILED = "_llm_tco_unparsed_lines"


def read_leniently(con: duckdb.DuckDBPyConnection, table: str, lenient: StagedSource) -> bool:
    """Read ``lenient`` (a staging whose ``unread_lines`` is set) into the temporary ``table``, its marked
    rows given their lines' reasons. False, with no table left, when the reading does not apply (the marks
    and the unparsed lines do not pair one to one) or fails: the caller reads the file per record."""
    lines = lenient.unread_lines
    if lines is None:
        return False
    reasons = f"{table}_unread"
    try:
        con.execute(f"CREATE TEMP TABLE {table} AS {lenient.sql}", lenient.params)
        for statement, params in zip(lines.setup, lines.setup_params, strict=True):
            con.execute(statement, params)
        con.execute(f"CREATE TEMP TABLE {reasons} AS SELECT * FROM {lines.table}", lines.params)
        marks = scalar_int(con, f"SELECT count(*) FROM {table} WHERE reject_reason = '{UNREAD_MARK}'")
        unread = scalar_int(con, f"SELECT count(*) FROM {reasons}")
        blank = scalar_int(con, f"SELECT count(*) FROM {reasons} WHERE _blank")
        if marks != unread or blank:
            con.execute(f"DROP TABLE temp.{table}")
            return False
        if marks:
            # both in file order: a table keeps the order rows were inserted in
            con.execute(
                f"UPDATE {table} SET reject_reason = f.reason FROM (SELECT rid, reason FROM"
                f" (SELECT rowid AS rid, row_number() OVER (ORDER BY rowid) AS k FROM {table}"
                f" WHERE reject_reason = '{UNREAD_MARK}')"
                f" JOIN (SELECT reason, row_number() OVER (ORDER BY rowid) AS k FROM {reasons}) USING (k)) f"
                f" WHERE {table}.rowid = f.rid"
            )
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
        return False
    finally:
        con.execute(f"DROP TABLE IF EXISTS temp.{reasons}")
        con.execute(f"DROP TABLE IF EXISTS temp.{_FAILED}")
    return True
