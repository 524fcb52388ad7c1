"""DuckDB reader expressions for JSON and JSON lines: records with known keys (read fast, or one by one
with a bad record quarantined), the keys of a file's first records, and whole documents for the nested
formats.

Like the other readers (``llm_tco.ingest.readers``), each helper returns a SQL table expression plus bound
parameters; rows are never looped over in Python.
"""

from __future__ import annotations

import duckdb

from llm_tco.errors import InputFileError
from llm_tco.ingest.base import Probe
from llm_tco.ingest.files import MAX_RECORD_BYTES, fast_read_bytes
from llm_tco.ingest.json_lines import checked_lines, malformed_line_reason
from llm_tco.ingest.lenient import unread_lines, unread_mark_sql
from llm_tco.ingest.reader_sql import ReaderSql, duck_compression, duck_path, error_line, quote_ident

__all__ = ["json_documents", "json_keys", "json_reader", "json_records"]

_DUPLICATE_KEY = "list_filter(_keys, lambda k: len(list_filter(_keys, lambda j: j = k)) > 1)[1]"


def json_reader(
    con: duckdb.DuckDBPyConnection, probe: Probe, columns: list[str], *, checked: bool = True
) -> ReaderSql:
    """Read JSON lines or a JSON array of records with the given top-level keys as text, so that a value
    of the wrong type becomes a quarantined record instead of failing the file.

    DuckDB's JSON reader is fast but fails the whole file on one bad record (a malformed line, a key
    given twice). So a first pass reads every column with it; when that succeeds, it is the reader.
    Otherwise each record is parsed on its own (:func:`json_records`): a malformed line, a record that
    is not an object, or one with a key given twice (which of its values counts is unknowable) is a
    quarantined record with its reason, and the other records load. A JSON document that does not parse
    (e.g. a truncated array) rejects the file.

    ``checked`` False: DuckDB's reader without the first pass, for a caller that reads the file once into
    a table and falls back to :func:`json_records` when that fails (``llm_tco.ingest.staging``)."""
    fmt = "newline_delimited" if probe.kind == "jsonl" else "auto"
    # the keys go into the reader's column spec, a literal: quotes doubled (the types are constants)
    spec = "{" + ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in columns) + "}"
    # No row_number() here: a window makes the whole read single-threaded. Records are numbered from
    # their position once loaded (record_no NULL = "the staged order"; llm_tco.ingest.load).
    fast = ReaderSql(
        "(SELECT NULL::BIGINT AS record_no, NULL::VARCHAR AS _reject_reason, *"
        f" FROM read_json(?, format = '{fmt}', columns = {spec}, compression = ?, maximum_object_size = "
        f"{fast_read_bytes(probe.kind)}))",
        [duck_path(probe), duck_compression(probe)],
    )
    if not checked:
        return fast
    try:
        # count(COLUMNS(*)): every column is transformed (a count(*) alone skips the faults)
        con.execute(f"SELECT count(COLUMNS(*)) FROM {fast.table}", fast.params).fetchall()
    except duckdb.Error:
        return json_records(con, probe, columns)
    return fast


def json_records(
    con: duckdb.DuckDBPyConnection, probe: Probe, columns: list[str], *, lenient: bool = False
) -> ReaderSql:
    """The records of a JSON file parsed one by one, a bad one quarantined (:func:`json_reader`).

    ``lenient`` (JSON lines): the documents split by DuckDB's reader, in parallel, instead of numbered
    lines; a line it cannot parse is a marked row, the reader's ``unread`` listing those lines
    (``llm_tco.ingest.lenient``). Every other check is the same."""
    docs = json_documents(con, probe, lenient=lenient)
    # JSON pointers (``/key``, with ``~`` and ``/`` escaped), bound as one parameter (keys are data),
    # extracted in one call: each JSON function parses the record again.
    pointers = ["/" + c.replace("~", "~0").replace("/", "~1") for c in columns]
    values = "".join(f", _v[{i}] AS {quote_ident(c)}" for i, c in enumerate(columns, start=1))
    table = (
        "(SELECT record_no, CASE WHEN _reject_reason IS NOT NULL THEN _reject_reason"
        " WHEN NOT starts_with(ltrim(CAST(_doc AS VARCHAR)), '{')"
        " THEN 'record is a JSON ' || lower(json_type(_doc)) || ', not an object'"
        # A record whose keys are as many as its columns with a value has no key given twice (its
        # distinct keys are at least those columns): only the others are checked exactly, which spares
        # the distinct count of every record's keys (0.8 s a million records)
        " WHEN len(_keys) <> list_count(_v) AND len(_keys) <> len(list_distinct(_keys))"
        f" THEN 'duplicate key ''' || {_DUPLICATE_KEY} || '''' END AS _reject_reason{values}"
        " FROM (SELECT doc_no AS record_no, _reject_reason, doc AS _doc,"
        " json_extract_string(doc, ?::VARCHAR[]) AS _v, json_keys(doc) AS _keys"
        f" FROM {docs.table}))"
    )
    return ReaderSql(table, [pointers, *docs.params], unread=docs.unread)


def json_keys(con: duckdb.DuckDBPyConnection, probe: Probe, sample_rows: int = 10_000) -> list[str]:
    """Union of top-level keys over the first records (a key missing from the first record still counts)."""
    if probe.kind == "json":
        docs = json_documents(con, probe)
        sample = f"(SELECT doc FROM {docs.table} LIMIT ?)"
        params = [*docs.params, sample_rows]
    else:
        # JSON lines: the first lines only, read as a stream that stops there (json_documents numbers
        # every line of the file first: a pass over all of it for a sample of its head). A malformed
        # line is a NULL document here, as there; it has no keys.
        sample = (
            "(SELECT json AS doc FROM read_json_objects(?, format = 'newline_delimited', compression = ?,"
            f" ignore_errors = true, maximum_object_size = {MAX_RECORD_BYTES}) LIMIT ?)"
        )
        params = [duck_path(probe), duck_compression(probe), sample_rows]
    try:
        rows = con.execute(
            f"SELECT DISTINCT unnest(json_keys(doc)) FROM {sample} WHERE json_type(doc) = 'OBJECT'",
            params,
        ).fetchall()
    except duckdb.Error as exc:
        raise InputFileError(str(probe.path), f"invalid JSON ({error_line(exc)})") from exc
    keys = [str(r[0]) for r in rows]
    order = {k: i for i, k in enumerate(probe.columns)}
    return sorted(keys, key=lambda k: (order.get(k, len(order)), k))


def json_documents(
    con: duckdb.DuckDBPyConnection, probe: Probe, *, strip_line_prefix: bool = False, lenient: bool = False
) -> ReaderSql:
    """One row per JSON document, for the nested formats: ``doc_no`` (1-based), ``doc`` (JSON, NULL when
    malformed) and ``_reject_reason``.

    JSON lines are read as text lines, so that a malformed line (e.g. a truncated last line) becomes one
    quarantined record instead of failing the whole file; blank lines are not records. A JSON document (or
    a top-level array, one row per element) that does not parse rejects the file with the parser's
    location.

    ``strip_line_prefix``: lines may carry text before their JSON object (CloudWatch Logs exports write
    ``<timestamp> <message>``); it is dropped. Any content that is not a JSON document is then read as lines.

    ``lenient`` (JSON lines): the documents split by DuckDB's reader, in parallel, instead of numbered
    lines (``doc_no`` NULL: the position); a line it cannot parse is a row with a NULL ``doc``, marked,
    the reader's ``unread`` listing those lines (``llm_tco.ingest.lenient``; a prefixed line is one of
    them, and makes the lenient reading refuse the file).
    """
    path, compression = duck_path(probe), duck_compression(probe)
    if lenient and probe.kind == "jsonl":
        mark = unread_mark_sql("json IS NULL")
        table = (
            f"(SELECT NULL::BIGINT AS doc_no, {mark} AS _reject_reason, json AS doc"
            " FROM read_json_objects(?, format = 'newline_delimited', compression = ?, ignore_errors = true,"
            f" maximum_object_size = {fast_read_bytes(probe.kind)}))"
        )
        unread = unread_lines(probe, strip_line_prefix=strip_line_prefix)
        return ReaderSql(table, [path, compression], unread=unread)
    if probe.kind != "json" or strip_line_prefix:
        table = (
            "(SELECT row_number() OVER () AS doc_no,"
            " CASE WHEN _ok THEN CAST(_line AS JSON) END AS doc,"
            f" CASE WHEN NOT _ok THEN {malformed_line_reason('_line')} END"
            f" AS _reject_reason FROM {checked_lines(strip_line_prefix)})"
        )
        return ReaderSql(table, [path, compression])
    table = (
        "(SELECT row_number() OVER () AS doc_no, json AS doc, NULL::VARCHAR AS _reject_reason"
        " FROM read_json_objects(?, format = 'auto', compression = ?, maximum_object_size = 268435456))"
    )
    try:
        con.execute(f"SELECT count(*) FROM {table}", [path, compression]).fetchone()
    except duckdb.Error as exc:
        raise InputFileError(str(probe.path), f"invalid JSON ({error_line(exc)})") from exc
    return ReaderSql(table, [path, compression])
