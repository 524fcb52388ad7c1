"""Named fields of nested JSON records, each parsed once, for the adapters of nested formats.

A nested export (Bedrock invocation logs, LiteLLM or Helicone rows as JSON, Langfuse observations, OTel
spans, usage-API pages) is read for a fixed structure of fields. Extracting each path from the record's
text separately parses the record once per path — about twenty parses of a 700-byte record, which made
these formats ten times slower than DuckDB's own reader. Here the structure is given once
(:data:`Shape`: objects as dicts, arrays as one-element lists, every leaf as text or JSON) and a file is
read one of two ways, into the same columns of the same types, so the adapter's SQL is the same for both:

- **fast**: DuckDB's ``read_json`` with the structure as an explicit schema (objects as ``STRUCT``, arrays
  as lists), one parallel parse per record. A value of the wrong type at a leaf stays text, so
  validation still quarantines it with its reason. DuckDB fails the whole read on a record it cannot take
  (a malformed line, a member that should be an object and is not, a key given twice, a line with a
  prefix): the adapter then reads the file per record instead (``StagedSource.fallback``, tried by
  ``llm_tco.ingest.staging`` when the fast read fails).
- **per record**: each line is parsed on its own (:func:`~llm_tco.ingest.json_readers.json_documents`): a
  malformed line is a quarantined record, and the structure is taken from the record in one call
  (``json_transform``: one parse; a member of the wrong shape reads as NULL).

The per-record reader numbers records by line (``record_no``); the fast one leaves it NULL, and a
record's number is then its position in the staged order (``llm_tco.ingest.staging``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, TypeAlias

import duckdb

from llm_tco.ingest.base import Probe
from llm_tco.ingest.files import fast_read_bytes
from llm_tco.ingest.json_readers import json_documents
from llm_tco.ingest.lenient import unread_lines, unread_mark_sql
from llm_tco.ingest.reader_sql import ReaderSql, duck_path, quote_ident

__all__ = ["FieldType", "JsonFields", "JsonRead", "Shape", "json_fields"]

FieldType = Literal["VARCHAR", "JSON"]
JsonRead = Literal["fast", "lenient", "per_record"]
"""How a file's records are read: DuckDB's reader (refusing the file over a record it cannot take), the
same skipping the lines it cannot parse (``llm_tco.ingest.lenient``), or line by line."""
Shape: TypeAlias = "FieldType | dict[str, Shape] | list[Shape]"
"""A field's structure: a leaf read as text (``VARCHAR``, any JSON value: a number or object as its JSON
text) or as ``JSON``; an object of named fields (a dict, other keys ignored); an array of one shape (a
one-element list)."""


@dataclass(frozen=True)
class JsonFields:
    """A reader of a file's records and the SQL of each requested path over its rows."""

    reader: ReaderSql
    """Table expression with ``record_no`` (NULL on the fast path), ``_reject_reason`` and one column per
    top-level field, of the same type on both paths."""
    exprs: dict[str, str]
    """JSON path (``$.a.b``) -> SQL expression of a requested leaf (through objects, not arrays)."""

    def get(self, path: str) -> str:
        """The SQL expression of a requested path (NULL where the record lacks it)."""
        return self.exprs[path]


def _segments(path: str) -> list[str]:
    """``$.a.b`` -> ``['a', 'b']`` (the adapters' constant paths: plain keys, no quoting or indexes)."""
    if not path.startswith("$."):
        raise ValueError(f"not a plain JSON path: {path!r}")
    return path[2:].split(".")


def _tree(fields: dict[str, Shape]) -> dict[str, Shape]:
    """Paths (``$.a.b``) -> shapes, merged into one object structure."""
    tree: dict[str, Shape] = {}
    for path, shape in fields.items():
        node = tree
        *parents, leaf = _segments(path)
        for key in parents:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise ValueError(f"path {path!r} goes through a leaf")
            node = child
        node[leaf] = shape
    return tree


def duck_type(shape: Shape) -> str:
    """The DuckDB type of a shape (the ``read_json`` schema)."""
    if isinstance(shape, dict):
        return "STRUCT(" + ", ".join(f"{quote_ident(k)} {duck_type(v)}" for k, v in shape.items()) + ")"
    if isinstance(shape, list):
        return duck_type(shape[0]) + "[]"
    return shape


def json_fields(
    con: duckdb.DuckDBPyConnection,
    probe: Probe,
    fields: dict[str, Shape],
    *,
    strip_line_prefix: bool = False,
    read: JsonRead = "fast",
    nested: bool = False,
    unread_as: str | None = None,
) -> JsonFields:
    """Read ``fields`` (JSON path -> shape) of every record of a JSON-lines or JSON-array file: with DuckDB's
    reader, or with ``read`` ``per_record`` (or a file of another kind) line by line. The fast reader is
    not tried here: reading it is the test (``llm_tco.ingest.staging``), so the caller offers the
    per-record reading as the fallback.

    ``read`` ``lenient`` (JSON lines): DuckDB's reader skipping the lines it cannot parse, each a row of NULLs
    marked in ``_reject_reason``, the reader's ``unread`` listing those lines (``llm_tco.ingest.lenient``).
    A record of a valid line that has none of the top-level fields is marked too, which makes the
    lenient reading refuse the file (the marks then outnumber the lines that are not JSON).

    ``nested``: records of deep lists of objects (OTel requests, usage-API pages). ``read_json`` turns such
    a file into its lists three times slower than a split into documents (``read_json_objects``, which
    also fails the read on a malformed one) and ``json_transform`` of each (5.3 s against 2.2 s of CPU
    for a million OTel spans): the fast path is that, for them.

    ``unread_as``: the JSON document a record stands for when its line could not be read (the lenient
    and per-record readings; NULL otherwise). For a nested format, one whose lists hold one null down to
    the level the adapter unnests, so that such a record unnests to one row of its own without a
    ``CASE`` around each list: a ``CASE`` whose rows take both branches copies the nested lists of
    every row of the vector (0.25 s a level for a million OTel spans with a malformed line in a
    thousand)."""
    tree = _tree(fields)
    # bracket access (``"input"['inputTokenCount']``): a dotted name could be read as table.column
    access = {
        path: quote_ident(first) + "".join(f"['{key}']" for key in rest)
        for path in fields
        for first, *rest in [_segments(path)]
    }
    # the structure is a constant of the adapter (json_transform takes only a literal)
    structure = json.dumps(tree).replace("'", "''")
    fmt = "newline_delimited" if probe.kind != "json" else "auto"
    compression = "gzip" if probe.gzip else "none"
    lenient = read == "lenient" and probe.kind == "jsonl"

    def document(doc: str) -> str:
        return doc if unread_as is None else f"coalesce({doc}, '{unread_as.replace(chr(39), chr(39) * 2)}')"

    if read == "per_record" or (nested and lenient) or probe.kind not in ("json", "jsonl"):
        docs = json_documents(con, probe, strip_line_prefix=strip_line_prefix, lenient=lenient)
        table = (
            "(SELECT record_no, _reject_reason, _f.* FROM (SELECT doc_no AS record_no, _reject_reason,"
            f" json_transform({document('doc')}, '{structure}') AS _f FROM {docs.table}))"
        )
        return JsonFields(ReaderSql(table, docs.params, unread=docs.unread), access)
    if nested:
        table = (
            "(SELECT NULL::BIGINT AS record_no, NULL::VARCHAR AS _reject_reason, _f.* FROM (SELECT"
            f" json_transform(json, '{structure}') AS _f FROM read_json_objects(?, format = '{fmt}',"
            f" compression = ?, maximum_object_size = {fast_read_bytes(probe.kind)})))"
        )
        return JsonFields(ReaderSql(table, [duck_path(probe), compression]), access)
    columns = "{" + ", ".join(f"'{k}': '{duck_type(v)}'" for k, v in tree.items()) + "}"
    size = fast_read_bytes(probe.kind)
    all_null = " AND ".join(f"{quote_ident(k)} IS NULL" for k in tree)
    mark = unread_mark_sql(all_null) if lenient else "NULL::VARCHAR"
    fast = ReaderSql(
        f"(SELECT NULL::BIGINT AS record_no, {mark} AS _reject_reason, *"
        f" FROM read_json(?, format = '{fmt}', columns = {columns}, compression = ?,"
        f" maximum_object_size = {size}{', ignore_errors = true' if lenient else ''}))",
        [duck_path(probe), compression],
        unread=unread_lines(probe, strip_line_prefix=strip_line_prefix) if lenient else None,
    )
    return JsonFields(fast, access)
