"""Which records of a file repeat one already seen: true duplicates, or id conflicts.

A record's identity is its key (``llm_tco.ingest.validate``: its source id within a namespace). A key
seen before — earlier in the same file, or stored from another file — makes the record a *duplicate*
only when its usage is the same too: timestamp, model as logged, request count and every token count.
The same key with different usage is not the same record: two sources that number their records alike
(two teams' exports with ids 1, 2, 3 …), or a record changed under its id. Dropping it as a duplicate
would lose spend silently, and keeping both under one id would break the store's identity, so it is
quarantined with ``id conflict with FILE:RECORD`` (the record it conflicts with) and the audit says how
to keep both: give one source its own ``--id-namespace``.

Only records with a source id can repeat: a record without one is keyed by its file's fingerprint and
position, and a file with that fingerprint was recognised as a whole before anything was loaded.
"""

from __future__ import annotations

import duckdb

from llm_tco.canonical import TOKEN_COLUMNS

__all__ = ["CONFLICT_PREFIX", "classify_cost_repeats", "classify_repeats"]

CONFLICT_PREFIX = "id conflict with "
"""How a conflict's quarantine reason starts (the audit counts them by it to say how to keep both)."""

_USAGE = ("ts_start", "model_raw", "requests", *TOKEN_COLUMNS)
"""What must match for a repeated usage key to be the same record."""

_COST = ("ts_start", "ts_end", "model_raw", "line_item", "amount_usd", "billed_usd", "list_usd")
"""What must match for a repeated cost-record key to be the same record (a provider's figure for a
period that is not final yet changes under the same id: the new figure is a conflict, not a copy)."""


def classify_repeats(con: duckdb.DuckDBPyConnection, source_file: str) -> None:
    """Create ``_dupes (record_no, conflict)`` for the accepted-so-far usage records of ``_validated``
    whose key was seen before: ``conflict`` NULL for a true duplicate, else the quarantine reason."""
    _classify(
        con,
        source_file,
        validated="_validated",
        ids_only="record_id IS NOT NULL",
        stored="(SELECT x.*, s.model_raw FROM usage x JOIN usage_series s USING (series_key))",
        columns=_USAGE,
        out="_dupes",
        prefix=CONFLICT_PREFIX,
    )


def classify_cost_repeats(con: duckdb.DuckDBPyConnection, source_file: str) -> None:
    """Create ``_cost_repeats (record_no, conflict)`` for the checked cost records of ``_cost_validated``
    whose key was seen before, as :func:`classify_repeats` does for usage."""
    _classify(
        con,
        source_file,
        validated="_cost_validated",
        ids_only="true",
        stored="reported_costs",
        columns=_COST,
        out="_cost_repeats",
        prefix="reported cost: " + CONFLICT_PREFIX,
    )


def _same(a: str, b: str, columns: tuple[str, ...]) -> str:
    return " AND ".join(f"{a}.{c} IS NOT DISTINCT FROM {b}.{c}" for c in columns)


def _classify(
    con: duckdb.DuckDBPyConnection,
    source_file: str,
    *,
    validated: str,
    ids_only: str,
    stored: str,
    columns: tuple[str, ...],
    out: str,
    prefix: str,
) -> None:
    """The common file repeats nothing, so both comparisons start from the few repeated keys: the keys
    that occur more than once in the file (one hash aggregate) and a semi-join of the file's keys with
    the store's; only those records are compared column by column. (Table and column names here are
    this module's constants, never user data.)"""
    same_first = _same("v", "k", columns)
    same_stored = _same("v", "u", columns)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        WITH ids AS (
            SELECT * FROM {validated} WHERE reason IS NULL AND {ids_only}
        ),
        firsts AS (
            SELECT record_key, min(record_no) AS first_no FROM ids GROUP BY record_key HAVING count(*) > 1
        ),
        in_file AS (
            SELECT v.record_no,
                CASE WHEN {same_first} THEN NULL ELSE ? || ? || ':' || k.record_no END AS conflict
            FROM ids v
            JOIN firsts f ON f.record_key = v.record_key AND v.record_no > f.first_no
            JOIN ids k ON k.record_key = f.record_key AND k.record_no = f.first_no
        ),
        candidates AS (
            SELECT * FROM ids v SEMI JOIN {stored} u ON u.record_key = v.record_key
            WHERE v.record_no NOT IN (SELECT record_no FROM in_file)
        ),
        stored AS (
            SELECT v.record_no,
                CASE WHEN bool_or({same_stored}) THEN NULL
                     ELSE ? || coalesce(min(i.path), ?) || ':' || min(u.record_no)
                END AS conflict
            FROM candidates v
            JOIN {stored} u ON u.record_key = v.record_key
            -- the file's own earlier slices are stored before the file is recorded
            LEFT JOIN ingested_files i ON i.file_id = u.file_id
            GROUP BY v.record_no
        )
        SELECT record_no, conflict FROM in_file
        UNION ALL
        SELECT record_no, conflict FROM stored
        """,
        [prefix, source_file, prefix, source_file],
    )
