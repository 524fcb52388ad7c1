"""Named fields of nested JSON records, each parsed once, for the adapters of nested formats.

A nested export (Bedrock invocation logs, LiteLLM or Helicone rows as JSON, Langfuse observations) is
read for a fixed set of JSON paths. Extracting each path from the record's text separately parses the
record once per path — about twenty parses of a 700-byte record, which made these formats ten times
slower than DuckDB's own reader. Here a file is read one of two ways, and the adapter's SQL is the
same for both (:attr:`JsonFields.get` gives a path's SQL expression):

- **fast**: DuckDB's ``read_json`` with the paths as an explicit nested schema (objects as ``STRUCT``,
  every leaf as text or JSON), one parallel parse per record. A value of the wrong type at a leaf stays
  text, so validation still quarantines it with its reason. DuckDB fails the whole read on a record it
  cannot take (a malformed line, a member that should be an object and is not, a key given twice, a
  line with a prefix), so a first pass checks that the file reads; it is the reader only then.
- **per record**: otherwise each line is parsed on its own (:func:`~llm_tco.ingest.readers.json_documents`):
  a malformed line is a quarantined record, and every path is extracted in one call per record (one
  parse, not one per path).

Both number records in file order: the per-record reader by line, the fast one by the staged order,
which the loader turns into positions (``record_no`` NULL, ``llm_tco.ingest.load``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import duckdb

from llm_tco.ingest.base import Probe
from llm_tco.ingest.files import MAX_RECORD_BYTES
from llm_tco.ingest.readers import ReaderSql, duck_path, json_documents, quote_ident

__all__ = ["JsonFields", "json_fields"]

FieldType = Literal["VARCHAR", "JSON"]


@dataclass(frozen=True)
class JsonFields:
    """A reader of a file's records and the SQL of each requested path over its rows."""

    reader: ReaderSql
    """Table expression with ``record_no`` (NULL on the fast path), ``_reject_reason`` and the fields."""
    exprs: dict[str, str]
    """JSON path (``$.a.b``) -> SQL expression: text for a ``VARCHAR`` field, JSON for a ``JSON`` one."""
    fast: bool
    """True when DuckDB's reader took the whole file (one parse per record)."""

    def get(self, path: str) -> str:
        """The SQL expression of a requested path (NULL where the record lacks it)."""
        return self.exprs[path]


def _segments(path: str) -> list[str]:
    """``$.a.b`` -> ``['a', 'b']`` (the adapters' constant paths: plain keys, no quoting or indexes)."""
    if not path.startswith("$."):
        raise ValueError(f"not a plain JSON path: {path!r}")
    return path[2:].split(".")


def _spec(fields: dict[str, FieldType]) -> tuple[str, dict[str, str]]:
    """The ``read_json`` columns argument (a literal of constant names) and each path's column access."""
    tree: dict[str, object] = {}
    for path, kind in fields.items():
        node = tree
        *parents, leaf = _segments(path)
        for key in parents:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise ValueError(f"path {path!r} goes through a leaf")
            node = child
        node[leaf] = kind

    def duck_type(node: object) -> str:
        if isinstance(node, dict):
            return "STRUCT(" + ", ".join(f"{quote_ident(k)} {duck_type(v)}" for k, v in node.items()) + ")"
        return str(node)

    columns = "{" + ", ".join(f"'{k}': '{duck_type(v)}'" for k, v in tree.items()) + "}"
    # bracket access (``"input"['inputTokenCount']``): a dotted name could be read as table.column
    access = {
        path: quote_ident(first) + "".join(f"['{key}']" for key in rest)
        for path in fields
        for first, *rest in [_segments(path)]
    }
    return columns, access


def json_fields(
    con: duckdb.DuckDBPyConnection,
    probe: Probe,
    fields: dict[str, FieldType],
    *,
    strip_line_prefix: bool = False,
) -> JsonFields:
    """Read ``fields`` (JSON path -> type) of every record of a JSON-lines or JSON-array file."""
    columns, access = _spec(fields)
    fmt = "newline_delimited" if probe.kind != "json" else "auto"
    compression = "gzip" if probe.gzip else "none"
    fast = ReaderSql(
        "(SELECT NULL::BIGINT AS record_no, NULL::VARCHAR AS _reject_reason, *"
        f" FROM read_json(?, format = '{fmt}', columns = {columns}, compression = ?,"
        f" maximum_object_size = {MAX_RECORD_BYTES}))",
        [duck_path(probe), compression],
    )
    if probe.kind in ("json", "jsonl"):
        try:
            # count(COLUMNS(*)): every column transformed (a count(*) alone skips the faults)
            con.execute(f"SELECT count(COLUMNS(*)) FROM {fast.table}", fast.params).fetchall()
        except duckdb.Error:
            pass
        else:
            return JsonFields(fast, access, fast=True)
    return _per_record(con, probe, fields, strip_line_prefix)


def _per_record(
    con: duckdb.DuckDBPyConnection, probe: Probe, fields: dict[str, FieldType], strip_line_prefix: bool
) -> JsonFields:
    """Every line parsed on its own (a malformed one quarantined), each kind of field extracted in one
    call per record: ``json_extract_string`` for the text fields, ``json_extract`` for the JSON ones."""
    docs = json_documents(con, probe, strip_line_prefix=strip_line_prefix)
    text_paths = [p for p, k in fields.items() if k == "VARCHAR"]
    json_paths = [p for p, k in fields.items() if k == "JSON"]
    exprs = {p: f"_t[{i}]" for i, p in enumerate(text_paths, start=1)}
    exprs |= {p: f"_j[{i}]" for i, p in enumerate(json_paths, start=1)}
    text_list = "json_extract_string(doc, ?::VARCHAR[])" if text_paths else "NULL::VARCHAR[]"
    json_list = "json_extract(doc, ?::VARCHAR[])" if json_paths else "NULL::JSON[]"
    params: list[object] = [p for p in (text_paths, json_paths) if p]
    table = (
        f"(SELECT doc_no AS record_no, _reject_reason, {text_list} AS _t, {json_list} AS _j"
        f" FROM {docs.table})"
    )
    return JsonFields(ReaderSql(table, [*params, *docs.params]), exprs, fast=False)
