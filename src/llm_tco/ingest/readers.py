"""DuckDB reader expressions for the tabular kinds (CSV, JSON, JSON lines, Parquet), shared by adapters.

Rows are never looped over in Python: each helper returns a SQL fragment (a table expression) plus bound
parameters, and adapters select from it. Record numbers come from the reader where it has them
(Parquet's ``file_row_number``) and otherwise from ``row_number() OVER ()``, which follows file order
because DuckDB preserves insertion order for these scans.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import duckdb

from llm_tco.errors import InputFileError
from llm_tco.ingest.base import Probe

__all__ = [
    "ReaderSql",
    "csv_reader",
    "error_line",
    "json_documents",
    "json_reader",
    "parquet_reader",
    "quote_ident",
    "table_reader",
]

_counter = itertools.count(1)


@dataclass(frozen=True)
class ReaderSql:
    """A table expression with a ``record_no`` column, its parameters, statements to run first, and a
    reason column (``_reject_reason``) set for records the reader itself could not parse."""

    table: str
    params: list[object]
    setup: tuple[str, ...] = ()
    setup_params: tuple[list[object], ...] = ()


def quote_ident(name: str) -> str:
    """Quote a column name from a file for SQL (names are data: never interpolate them unquoted)."""
    return '"' + name.replace('"', '""') + '"'


def _compression(probe: Probe) -> str:
    return "gzip" if probe.gzip else "none"


def parquet_reader(probe: Probe) -> ReaderSql:
    table = (
        "(SELECT file_row_number + 1 AS record_no, NULL::VARCHAR AS _reject_reason, * EXCLUDE "
        "(file_row_number)"
        " FROM read_parquet(?, file_row_number = true))"
    )
    return ReaderSql(table, [str(probe.path)])


def csv_reader(con: duckdb.DuckDBPyConnection, probe: Probe) -> ReaderSql:
    """Read every field as text into a temp table, with malformed lines (invalid UTF-8, wrong column
    count) kept aside by DuckDB's rejects tables and turned into quarantined records.

    Record numbers: a rejected line's number is the line minus the header; good rows take, in order, the
    numbers not used by rejected lines (exact for files without quoted line breaks).
    """
    n = next(_counter)
    raw, rej, scan = f"_csv_raw_{n}", f"_csv_rej_{n}", f"_csv_scan_{n}"
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT * FROM read_csv(?, "
            f"all_varchar = true, header = true, store_rejects = true, rejects_table = '{rej}', "
            f"rejects_scan = '{scan}', compression = ?, null_padding = false)",
            [str(probe.path), _compression(probe)],
        )
    except duckdb.Error as exc:
        raise InputFileError(str(probe.path), f"unreadable CSV ({error_line(exc)})") from exc
    # The table keeps the file's order, so a good row's position follows its rowid (a row_number() window
    # here would make the read single-threaded).
    columns = [r[0] for r in con.execute(f"DESCRIBE {raw}").fetchall()]
    rejected = con.execute(f"SELECT count(DISTINCT line) FROM {rej}").fetchone()
    n_rejected = int(rejected[0]) if rejected else 0
    if n_rejected == 0:
        table = (
            f"(SELECT rowid - (SELECT min(rowid) FROM {raw}) + 1 AS record_no, "
            f"NULL::VARCHAR AS _reject_reason, * FROM {raw})"
        )
        return ReaderSql(table, [])
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


def json_reader(con: duckdb.DuckDBPyConnection, probe: Probe, columns: list[str]) -> ReaderSql:
    """Read JSON lines or a JSON array of records with the given top-level keys as text, so that a value
    of the wrong type becomes a quarantined record instead of failing the file. Malformed JSON (e.g. a
    truncated file) rejects the whole file with the reader's location."""
    fmt = "newline_delimited" if probe.kind == "jsonl" else "auto"
    spec = "{" + ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in columns) + "}"
    # No row_number() here: a window makes the whole read single-threaded. Records are numbered from
    # their position once loaded (record_no NULL = "the staged order"; llm_tco.ingest.load).
    table = (
        "(SELECT NULL::BIGINT AS record_no, NULL::VARCHAR AS _reject_reason, *"
        f" FROM read_json(?, format = '{fmt}', columns = {spec}, compression = ?, maximum_object_size = "
        "67108864))"
    )
    # Malformed JSON is found while loading (the read streams) and rejects the file there.
    return ReaderSql(table, [str(probe.path), _compression(probe)])


def json_keys(con: duckdb.DuckDBPyConnection, probe: Probe, sample_rows: int = 10_000) -> list[str]:
    """Union of top-level keys over the first records (a key missing from the first record still counts)."""
    fmt = "newline_delimited" if probe.kind == "jsonl" else "auto"
    try:
        rows = con.execute(
            "SELECT DISTINCT unnest(json_keys(json)) FROM (SELECT json FROM read_json_objects(?, format = ?, "
            "compression = ?, maximum_object_size = 67108864) LIMIT ?)",
            [
                str(probe.path),
                "newline_delimited" if fmt == "newline_delimited" else "auto",
                _compression(probe),
                sample_rows,
            ],
        ).fetchall()
    except duckdb.Error as exc:
        raise InputFileError(str(probe.path), f"invalid JSON ({error_line(exc)})") from exc
    keys = [str(r[0]) for r in rows]
    order = {k: i for i, k in enumerate(probe.columns)}
    return sorted(keys, key=lambda k: (order.get(k, len(order)), k))


def table_reader(con: duckdb.DuckDBPyConnection, probe: Probe) -> tuple[ReaderSql, list[str]]:
    """The reader for a tabular file of any kind, with the file's column names."""
    if probe.kind == "parquet":
        return parquet_reader(probe), list(probe.columns)
    if probe.kind == "csv":
        reader = csv_reader(con, probe)
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader.table}").fetchall()]
        return reader, [c for c in cols if c not in ("record_no", "_reject_reason")]
    if probe.kind in ("json", "jsonl"):
        keys = json_keys(con, probe)
        if not keys:
            raise InputFileError(
                str(probe.path), "JSON holds no records (expected objects with usage fields)"
            )
        return json_reader(con, probe, keys), keys
    raise InputFileError(str(probe.path), f"not a usage file (content is {probe.kind})")


def error_line(exc: BaseException) -> str:
    """The first line of a DuckDB error, without its class prefix (the reason is what the user needs)."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    for prefix in ("Invalid Input Error: ", "Conversion Error: ", "IO Error: "):
        first = first.removeprefix(prefix)
    return first


def json_documents(
    con: duckdb.DuckDBPyConnection, probe: Probe, *, strip_line_prefix: bool = False
) -> ReaderSql:
    """One row per JSON document, for the nested formats: ``doc_no`` (1-based), ``doc`` (JSON, NULL when
    malformed) and ``_reject_reason``.

    JSON lines are read as text lines, so that a malformed line (e.g. a truncated last line) becomes one
    quarantined record instead of failing the whole file; blank lines are not records. A JSON document (or
    a top-level array, one row per element) that does not parse rejects the file with the parser's
    location.

    ``strip_line_prefix``: lines may carry text before their JSON object (CloudWatch Logs exports write
    ``<timestamp> <message>``); it is dropped. Any content that is not a JSON document is then read as lines.
    """
    path, compression = str(probe.path), _compression(probe)
    if probe.kind != "json" or strip_line_prefix:
        table = (
            "(SELECT row_number() OVER () AS doc_no,"
            " CASE WHEN json_valid(_line) THEN CAST(_line AS JSON) END AS doc,"
            " CASE WHEN NOT json_valid(_line) THEN 'malformed JSON line (' || left(_line, 40) || '...)' END"
            " AS _reject_reason"
            f" FROM (SELECT "
            f"{_strip_prefix('rtrim(line, chr(13))') if strip_line_prefix else 'rtrim(line, chr(13))'}"
            " AS _line FROM read_csv(?, columns = {'line': 'VARCHAR'},"
            " header = false, delim = chr(1), quote = '', escape = '', auto_detect = false, strict_mode = "
            "false,"
            " new_line = '\\n', max_line_size = 67108864, compression = ?))"
            " WHERE _line IS NOT NULL AND trim(_line) <> '')"
        )
        return ReaderSql(table, [path, compression])
    table = (
        "(SELECT row_number() OVER () AS doc_no, json AS doc, NULL::VARCHAR AS _reject_reason"
        " FROM read_json_objects(?, format = 'auto', compression = ?, maximum_object_size = 268435456))"
    )
    try:
        con.execute(f"SELECT count(*) FROM {table}", [path, compression]).fetchone()
    except duckdb.Error as exc:
        raise InputFileError(path, f"invalid JSON ({error_line(exc)})") from exc
    return ReaderSql(table, [path, compression])


def _strip_prefix(line: str) -> str:
    return f"CASE WHEN strpos({line}, '{{') > 1 THEN substr({line}, strpos({line}, '{{')) ELSE {line} END"
