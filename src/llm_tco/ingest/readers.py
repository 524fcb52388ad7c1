"""DuckDB reader expressions for the tabular kinds (CSV, JSON, JSON lines, Parquet), shared by adapters:
Parquet and CSV here, JSON in ``llm_tco.ingest.json_readers``, and :func:`table_reader` choosing by kind.

Rows are never looped over in Python: each helper returns a SQL fragment (a table expression) plus bound
parameters, and adapters select from it. Record numbers come from the reader where it has them
(Parquet's ``file_row_number``) and otherwise from ``row_number() OVER ()``, which follows file order
because DuckDB preserves insertion order for these scans.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import duckdb

from llm_tco.errors import InputFileError
from llm_tco.ingest.base import Probe
from llm_tco.ingest.files import MAX_RECORD_BYTES
from llm_tco.ingest.json_readers import json_keys, json_reader, json_records
from llm_tco.ingest.reader_sql import ReaderSql, duck_compression, duck_path, error_line, quote_ident

__all__ = ["csv_reader", "drop_reader_tables", "parquet_reader", "table_reader"]

_counter = itertools.count(1)
_CSV_TABLE_PREFIX = "_llm_tco_csv_"
"""Name prefix of the temporary tables a CSV read creates (:func:`drop_reader_tables`)."""


def parquet_reader(probe: Probe) -> ReaderSql:
    table = (
        "(SELECT file_row_number + 1 AS record_no, NULL::VARCHAR AS _reject_reason, * EXCLUDE "
        "(file_row_number)"
        " FROM read_parquet(?, file_row_number = true))"
    )
    return ReaderSql(table, [duck_path(probe)])


def csv_reader(
    con: duckdb.DuckDBPyConnection,
    probe: Probe,
    *,
    stream: bool = False,
    positions: bool = False,
    checked: bool = True,
) -> ReaderSql:
    """Read every field as text, with malformed lines (invalid UTF-8, wrong column count) kept aside by
    DuckDB's rejects tables and turned into quarantined records.

    A first pass over the file finds the rejected lines. With ``stream`` and without any (the usual
    case), the file is then read as it streams, numbered by a window over the reader, so memory stays
    bounded whatever its size (the table expression then has parameters: a caller must pass them with
    every query that uses it). Otherwise it is copied into a temporary table, where good rows take the
    numbers the rejected lines leave free.

    Lines are read up to DuckDB's default size (2 MB); a file with a longer line (a long text field) is
    read with the 64 MiB record limit, which costs more buffer memory and so is used only where needed.

    Record numbers: a rejected line's number is the line minus the header; good rows take, in order, the
    numbers not used by rejected lines (exact for files without quoted line breaks). With ``positions``, a
    streamed file's records are left unnumbered (NULL): the caller reads them once into a table, in order,
    and numbers them by position (``llm_tco.ingest.staging``), without the window that makes a read
    single-threaded.

    ``checked`` False (with ``stream``): no first pass. The file is read as it streams, and DuckDB's reader,
    without a rejects table, fails the read on the first line it cannot take (invalid UTF-8 in any field,
    read or not, a wrong column count, a line over the default size): the caller reads it into a table
    once and, when that fails, reads it again through this function checked (``StagedSource.fallback``,
    ``llm_tco.ingest.staging``). A clean file is then parsed once instead of twice.
    """
    drop_reader_tables(con)
    n = next(_counter)
    raw, rej, scan = (f"{_CSV_TABLE_PREFIX}{what}_{n}" for what in ("raw", "rej", "scan"))
    params: list[object] = [duck_path(probe), duck_compression(probe), probe.delimiter, probe.encoding]
    options = (
        "all_varchar = true, header = true, compression = ?, null_padding = false, delim = ?, encoding = ?"
    )
    if stream and not checked:
        return _streamed(con, options, params, positions)
    rejects = f"store_rejects = true, rejects_table = '{rej}', rejects_scan = '{scan}'"
    # count(COLUMNS(*)): every column is read, else a fault in an unread one (invalid UTF-8) would go
    # unseen; fetchall: DuckDB writes the rejects tables only once the result is consumed.
    try:
        con.execute(f"SELECT count(COLUMNS(*)) FROM read_csv(?, {options}, {rejects})", params).fetchall()
    except duckdb.Error:
        # a line over the default size (or another fault, which the second read reports)
        options += f", max_line_size = {MAX_RECORD_BYTES}"
        try:
            _drop(con, rej, scan)
            con.execute(f"SELECT count(COLUMNS(*)) FROM read_csv(?, {options}, {rejects})", params).fetchall()
        except duckdb.Error as exc:
            raise InputFileError(str(probe.path), _csv_error(probe, exc)) from exc
    rejected = con.execute(f"SELECT count(DISTINCT line) FROM {rej}").fetchone()
    n_rejected = int(rejected[0]) if rejected else 0
    if stream and n_rejected == 0:
        # No ignore_errors here: the first pass found no bad line, so one now (the file changed since)
        # fails the read, and the file is rejected, instead of a record being skipped.
        return _streamed(con, options, params, positions)
    try:
        _drop(con, rej, scan)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT * FROM read_csv(?, {options}, {rejects})", params
        )
    except duckdb.Error as exc:
        raise InputFileError(str(probe.path), _csv_error(probe, exc)) from exc
    # The table keeps the file's order, so a good row's position follows its rowid (a row_number() window
    # here would make the read single-threaded).
    columns = [r[0] for r in con.execute(f"DESCRIBE {raw}").fetchall()]
    cols = ", ".join(f"NULL::VARCHAR AS {quote_ident(c)}" for c in columns)
    table = f"""(
        WITH rej AS (
            SELECT line - 1 AS record_no, min(CASE WHEN error_type = 'INVALID ENCODING'
                THEN 'invalid UTF-8 in field ' || coalesce('''' || column_name || '''', '#' || column_idx)
                ELSE 'unreadable record (' || lower(error_type) || ': ' || error_message || ')' END) AS reason
            FROM {rej} GROUP BY line
        ),
        total AS (SELECT (SELECT count(*) FROM {raw}) + (SELECT count(*) FROM rej) AS n),
        free AS (
            SELECT r.range + 1 AS record_no, row_number() OVER (ORDER BY r.range) AS good_no
            FROM range((SELECT n FROM total)) r
            WHERE r.range + 1 NOT IN (SELECT record_no FROM rej)
        )
        SELECT f.record_no, NULL::VARCHAR AS _reject_reason, g.* EXCLUDE (_good_no)
        FROM (SELECT rowid - (SELECT min(rowid) FROM {raw}) + 1 AS _good_no, * FROM {raw}) g
        JOIN free f ON f.good_no = g._good_no
        UNION ALL
        SELECT rej.record_no, rej.reason AS _reject_reason, {cols}
        FROM rej
    )"""
    return ReaderSql(table, [])


def _streamed(
    con: duckdb.DuckDBPyConnection, options: str, params: list[object], positions: bool
) -> ReaderSql:
    """The file read as it streams, with the dialect sniffed once (:func:`_sniffed_dialect`); numbered by
    a window over the reader, or left unnumbered with ``positions`` (see :func:`csv_reader`)."""
    number = "NULL::BIGINT" if positions else "row_number() OVER ()"
    sniffed, sniffed_params = _sniffed_dialect(con, options, params)
    return ReaderSql(
        f"(SELECT {number} AS record_no, NULL::VARCHAR AS _reject_reason, * "
        f"FROM read_csv(?, {options}, {sniffed}))",
        params + sniffed_params,
    )


def _sniffed_dialect(
    con: duckdb.DuckDBPyConnection, options: str, params: list[object]
) -> tuple[str, list[object]]:
    """The dialect and columns DuckDB's sniffer makes out of the file, as reader options (and their
    parameters) that turn the sniffer off: a read with them reads the file as a read that sniffs it.

    Each statement over ``read_csv`` sniffs the file again when it is bound (~40 ms for a 500 MB file on
    2 cores), and a file's staged query is bound five times before its one full read (its columns, its
    types, the staged columns, the metadata sample, the staged table): sniffed once here, a million-row
    CSV's audit saves ~0.15 s. Raises ``duckdb.Error`` when the sniffer cannot make the file out, as the
    read would."""
    row = con.execute(
        f"SELECT Quote, Escape, NewLineDelimiter, SkipRows, Comment, Columns FROM sniff_csv(?, {options})",
        params,
    ).fetchone()
    if row is None:  # pragma: no cover - sniff_csv answers one row or raises
        raise duckdb.InvalidInputException("the CSV sniffer answered nothing")
    quote, escape, new_line, skip, comment, columns = row

    def char(value: str) -> str:
        return "" if value == "(empty)" else value  # how sniff_csv shows an unset character

    return (
        "auto_detect = false, quote = ?, escape = ?, new_line = ?, skip = ?, comment = ?, columns = ?",
        [char(quote), char(escape), new_line, skip, char(comment), {c["name"]: c["type"] for c in columns}],
    )


def drop_reader_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary tables of earlier CSV reads on this connection: a file's rows are loaded by
    the time the next file is read, and keeping every file's copy made a run over many CSVs grow."""
    names = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, ?)",
        [_CSV_TABLE_PREFIX],
    ).fetchall()
    _drop(con, *(str(name) for (name,) in names))


def _drop(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    for name in tables:
        con.execute(f"DROP TABLE IF EXISTS temp.{quote_ident(name)}")


def _csv_error(probe: Probe, exc: duckdb.Error) -> str:
    """The reason a CSV cannot be read as a whole. DuckDB reports a line over its size limit at
    "Line: 1" wherever it is, so that line is found here."""
    first = error_line(exc)
    if "Line: 1" in first or "line size" in str(exc).lower():
        line = _long_line(probe.path, probe.gzip)
        if line is not None:
            return f"line {line} is longer than {MAX_RECORD_BYTES >> 20} MiB, the longest record read"
    return f"unreadable CSV ({first})"


def _long_line(path: Path, is_gzip: bool) -> int | None:
    """The number of the first line longer than the readers' record limit, or None (read in chunks)."""
    with gzip.open(path, "rb") if is_gzip else path.open("rb") as fh:
        line_no, length = 1, 0
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            parts = chunk.split(b"\n")
            for i, part in enumerate(parts):
                length += len(part)
                if length > MAX_RECORD_BYTES:
                    return line_no
                if i < len(parts) - 1:
                    line_no, length = line_no + 1, 0
    return None


def table_reader(
    con: duckdb.DuckDBPyConnection,
    probe: Probe,
    *,
    json_read: str = "checked",
    positions: bool = False,
    csv_checked: bool = True,
) -> tuple[ReaderSql, list[str]]:
    """The reader for a tabular file of any kind, with the file's column names. ``json_read``: how JSON is
    read — ``checked`` (:func:`json_reader`), ``fast`` (DuckDB's reader, unchecked: the caller falls back),
    ``lenient`` (:func:`json_records` over DuckDB's reader, ``llm_tco.ingest.lenient``) or ``per_record``
    (:func:`json_records`). ``positions`` and ``csv_checked`` (``checked``): see
    :func:`csv_reader`; a CSV file whose header DuckDB cannot make out unchecked is read checked."""
    if probe.kind == "parquet":
        return parquet_reader(probe), list(probe.columns)
    if probe.kind == "csv":
        try:
            reader = csv_reader(con, probe, stream=True, positions=positions, checked=csv_checked)
            described = con.execute(f"DESCRIBE SELECT * FROM {reader.table}", reader.params).fetchall()
        except duckdb.Error:
            if csv_checked:
                raise
            return table_reader(con, probe, json_read=json_read, positions=positions)
        cols = [r[0] for r in described]
        return reader, [c for c in cols if c not in ("record_no", "_reject_reason")]
    if probe.kind in ("json", "jsonl"):
        keys = json_keys(con, probe)
        if not keys:
            raise InputFileError(
                str(probe.path), "JSON holds no records (expected objects with usage fields)"
            )
        if json_read in ("per_record", "lenient"):
            return json_records(con, probe, keys, lenient=json_read == "lenient"), keys
        return json_reader(con, probe, keys, checked=json_read == "checked"), keys
    raise InputFileError(str(probe.path), f"not a usage file (content is {probe.kind})")
