"""Loading a streamable file: validated and stored as it is read, never held.

A file whose reader numbers its records and whose records carry no source id (``StagedSource.streamable``:
Parquet and CSV usage without request ids, the common warehouse export) cannot hold a duplicate: every
record's key is the file's fingerprint (its first version's, for a file that grew) plus its position, and
a file with the same fingerprint was recognised as a whole before loading began (a file that grew is
streamed from the first record after those read before). So nothing has to be compared, and the
validated records need not be materialised — which, with their attribute text, cost more than
validating them. The file is read
in three passes, all inside the file's one transaction (``llm_tco.ingest.load``):

1. the attribute combinations, to assign series keys (a hash aggregate over dictionary-encoded text);
2. the accepted records, inserted into ``usage`` — or, when the rows are not kept (a one-shot audit of a
   ``:memory:`` store), summed straight into the rollup;
3. only when some record was not accepted (the count says so), the quarantined ones with their reasons.

Records with source ids are checked for repeats first (``llm_tco.ingest.keyed``: passes over the ids,
and a validation of only the records whose id repeats).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from llm_tco.ingest.keyed import classify_stream_repeats, keep_stream_keys
from llm_tco.ingest.series import assign_series
from llm_tco.ingest.validate import ValidationSql
from llm_tco.store.rollup import RollupLayout, append_rollup, append_stored_rollup
from llm_tco.store.temp_tables import scalar_int

__all__ = ["USAGE_INSERT_COLUMNS", "assign_stream_series", "load_streaming"]

USAGE_INSERT_COLUMNS = (
    "series_key, file_id, record_no, record_key, record_id, ts_start, ts_end, requests, input_tokens, "
    "cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, "
    "reported_cost_usd"
)
"""The ``usage`` columns in table order, as the validated relation (plus series and file) names them."""


def assign_stream_series(con: duckdb.DuckDBPyConnection, usage: ValidationSql, source_format: str) -> int:
    """Pass 1: give every attribute combination of the file its series (inside the file's transaction);
    returns the highest series key before, for :func:`load_streaming`. Quarantined records' combinations
    are included (it costs nothing; a combination only they have is removed after pass 3). Needs no
    fingerprint, so the loader runs it while the file's fingerprint is computed."""
    series_before = scalar_int(con, "SELECT coalesce(max(series_key), 0) FROM usage_series", [])
    assign_series(con, f"({usage.combos_sql})", source_format, usage.combos_params)
    return series_before


def load_streaming(
    con: duckdb.DuckDBPyConnection,
    *,
    file_id: int,
    source_file: str,
    usage: ValidationSql,
    series_before: int,
    keep_rows: bool,
    layout: RollupLayout,
    step: Callable[[], None],
    keep_keys: bool = False,
) -> tuple[int, int, int, int]:
    """Passes 2 and 3 of one streamable file, after :func:`assign_stream_series`; returns (read,
    accepted, quarantined, duplicates), each counted. ``step`` marks a transaction step (fault
    injection). Records with source ids are first checked for repeats (``llm_tco.ingest.keyed``): the
    duplicates and id conflicts found are left out of the stream, and the conflicts quarantined.
    ``keep_keys``: a one-shot store (``keep_rows`` False) keeps the compact keys of the accepted records
    with ids, for a later input of the same run."""
    read = scalar_int(con, f"SELECT count(*) FROM ({usage.sql})", usage.params)
    repeats = classify_stream_repeats(con, usage, source_file, read) if usage.has_ids else 0
    step()
    fresh = " AND record_no NOT IN (SELECT record_no FROM _dupes)" if repeats else ""
    accepted_sql = f"(SELECT * FROM ({usage.sql}) WHERE reason IS NULL{fresh})"
    if keep_rows:
        con.execute(
            f"INSERT INTO usage SELECT {USAGE_INSERT_COLUMNS} FROM "
            f"(SELECT k.series_key, CAST(? AS INTEGER) AS file_id, v.* FROM {accepted_sql} v "
            "JOIN _series_keys k ON k.attr_hash = v.attr_hash)",
            [file_id, *usage.params],
        )
        step()
        accepted = append_stored_rollup(con, file_id, layout, usage.constants)
    else:
        accepted = append_rollup(
            con,
            file_id=file_id,
            source=accepted_sql,
            params=usage.params,
            layout=layout,
            by_attr_hash=True,
            constants=usage.constants,
        )
        if keep_keys and usage.has_ids:
            keep_stream_keys(con, accepted_sql, usage.params, file_id)
    step()
    duplicates = scalar_int(con, "SELECT count(*) FROM _dupes WHERE conflict IS NULL") if repeats else 0
    if read == accepted + duplicates:
        return read, accepted, 0, duplicates
    # A filter on the reason, not a projection of it: DuckDB merges the validation's layers into the
    # projection that outputs the reason, recomputing each parsed value in every rule that reads it
    # (2.5 s against 0.7 s for a million OpenAI usage results, whose times are epoch text).
    invalid = scalar_int(
        con,
        f"INSERT INTO quarantine SELECT ?, ?, record_no, reason FROM ({usage.sql}) WHERE reason IS NOT NULL",
        [file_id, source_file, *usage.params],
    )
    conflicts = (
        scalar_int(
            con,
            "INSERT INTO quarantine SELECT ?, ?, record_no, conflict FROM _dupes WHERE conflict IS NOT NULL",
            [file_id, source_file],
        )
        if repeats
        else 0
    )
    con.execute(
        "DELETE FROM usage_series WHERE series_key > ? AND series_key NOT IN "
        "(SELECT series_key FROM usage_rollup WHERE series_key > ?)",
        [series_before, series_before],
    )
    step()
    return read, accepted, invalid + conflicts, duplicates
