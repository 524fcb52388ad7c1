"""Usage-API pages (OpenAI, Anthropic) read with a typed structure: one row per result, in file order.

A page is ``{data: [bucket…]}`` and a bucket ``{<bounds>, results: [result…]}``. The page is read once
with its buckets and results as typed lists (``llm_tco.ingest.json_fields``), and unnested in one
pipeline, so that every row — a result, or the one row that stands for a malformed line, a page without
``data`` or a bucket without ``results`` (with its reason in ``_bad``) — comes in file order, and its
position is its record number (``llm_tco.ingest.staging``). A bucket with an empty ``results`` array has
no records.
"""

from __future__ import annotations

import duckdb

from llm_tco.ingest.base import Probe
from llm_tco.ingest.json_fields import JsonFields, JsonRead, Shape, json_fields

__all__ = ["page_fields", "page_rows"]


def page_fields(
    con: duckdb.DuckDBPyConnection,
    probe: Probe,
    bucket: dict[str, Shape],
    result: dict[str, Shape],
    *,
    read: JsonRead,
) -> JsonFields:
    """The pages of a file with their buckets (``bucket``'s fields plus ``results``) read as typed lists."""
    shape: dict[str, Shape] = {**bucket, "results": [result]}
    # a line that could not be read stands for a page of one bucket of one null result: it unnests to
    # one row, and the CASEs of page_rows take one branch (json_fields's unread_as)
    unread = '{"data": [{"results": [null]}]}'
    return json_fields(con, probe, {"$.data": [shape]}, read=read, nested=True, unread_as=unread)


def page_rows(fields: JsonFields) -> str:
    """Rows ``(bucket, result, _bad)`` of the pages read by :func:`page_fields` (``bucket`` and ``result``
    are structs; ``_bad`` the reason of a row that stands for a fault, else NULL)."""
    pages = fields.reader.table
    return f"""(
        SELECT bucket, result, CASE WHEN _reject IS NOT NULL THEN _reject
            WHEN _no_data THEN 'not a usage page: no "data" array of buckets'
            WHEN _no_results THEN 'bucket without a "results" array' END AS _bad
        FROM (
            SELECT _reject, _no_data, bucket, _no_results,
                unnest(CASE WHEN _no_results THEN [NULL] ELSE bucket['results'] END) AS result
            FROM (
                SELECT _reject, _no_data, _b AS bucket, (_b['results'] IS NULL) AS _no_results
                FROM (
                    SELECT _reject_reason AS _reject, ("data" IS NULL) AS _no_data,
                        unnest(CASE WHEN "data" IS NULL THEN [NULL] ELSE "data" END) AS _b
                    FROM {pages}
                )
            )
        )
    )"""
