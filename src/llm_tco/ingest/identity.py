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

__all__ = [
    "COMPARED_COLUMNS",
    "CONFLICT_PREFIX",
    "STREAM_KEYS",
    "classify_cost_repeats",
    "classify_repeats",
    "ensure_stream_keys",
    "usage_hash_sql",
]

CONFLICT_PREFIX = "id conflict with "
"""How a conflict's quarantine reason starts (the audit counts them by it to say how to keep both)."""

_USAGE = ("ts_start", "model_raw", "requests", *TOKEN_COLUMNS)
"""What must match for a repeated usage key to be the same record."""

COMPARED_COLUMNS = ("record_no", "record_id", "reason", "record_key", *_USAGE)
"""The columns of ``_validated`` that :func:`classify_repeats` reads."""

STREAM_KEYS = "_stream_keys"
"""TEMP table of the compact keys a one-shot store keeps of the streamed records with source ids that it
does not store as rows (``llm_tco.ingest.keyed``): ``record_key``, ``usage_hash`` (:func:`usage_hash_sql`),
``file_id``, ``record_no``."""

_USAGE_TYPES = {"ts_start": "TIMESTAMP", "model_raw": "VARCHAR"}


def usage_hash_sql(alias: str = "") -> str:
    """A 64-bit hash of a validated record's usage (:data:`_USAGE`; columns of ``alias`` when given): what
    a compact key keeps of it. The casts make it independent of the source's column types. Two different
    usages share it with probability 2⁻⁶⁴."""
    prefix = f"{alias}." if alias else ""
    return "hash(" + ", ".join(f"CAST({prefix}{c} AS {_USAGE_TYPES.get(c, 'BIGINT')})" for c in _USAGE) + ")"


_COST = ("ts_start", "ts_end", "model_raw", "line_item", "amount_usd", "billed_usd", "list_usd")
"""What must match for a repeated cost-record key to be the same record (a provider's figure for a
period that is not final yet changes under the same id: the new figure is a conflict, not a copy)."""


def ensure_stream_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Create :data:`STREAM_KEYS` unless this connection has it (a TEMP table: it lives as long as the
    store connection, the whole of a one-shot run)."""
    con.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {STREAM_KEYS} (record_key UHUGEINT NOT NULL, usage_hash UBIGINT "
        "NOT NULL, file_id INTEGER NOT NULL, record_no BIGINT NOT NULL)"
    )


def classify_repeats(con: duckdb.DuckDBPyConnection, source_file: str) -> None:
    """Create ``_dupes (record_no, conflict)`` for the accepted-so-far usage records of ``_validated``
    whose key was seen before: ``conflict`` NULL for a true duplicate, else the quarantine reason.

    Stored records are the ``usage`` rows, compared column by column, and the compact keys of
    :data:`STREAM_KEYS`, compared by their usage hash (``usage_hash`` NULL marks a row)."""
    ensure_stream_keys(con)
    rows = ", ".join(f"x.{c}" if c != "model_raw" else "s.model_raw" for c in _USAGE)
    nothing = ", ".join(f"NULL AS {c}" for c in _USAGE)
    stored = (
        f"(SELECT x.record_key, x.file_id, x.record_no, NULL::UBIGINT AS usage_hash, {rows} "
        "FROM usage x JOIN usage_series s USING (series_key) "
        f"UNION ALL SELECT record_key, file_id, record_no, usage_hash, {nothing} FROM {STREAM_KEYS})"
    )
    _classify(
        con,
        source_file,
        validated="_validated",
        ids_only="record_id IS NOT NULL",
        stored=stored,
        columns=_USAGE,
        out="_dupes",
        prefix=CONFLICT_PREFIX,
        hashed=True,
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
    hashed: bool = False,
) -> None:
    """The common file repeats nothing, so both comparisons start from the few repeated keys: the keys
    that occur more than once in the file (one hash aggregate) and a semi-join of the file's keys with
    the store's; only those records are compared column by column. (Table and column names here are
    this module's constants, never user data.)"""
    same_first = _same("v", "k", columns)
    same_stored = _same("v", "u", columns)
    if hashed:  # a compact key: its usage hash stands for the columns
        same_stored = (
            f"(CASE WHEN u.usage_hash IS NULL THEN {same_stored} ELSE u.usage_hash = {usage_hash_sql('v')} "
            "END)"
        )
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
