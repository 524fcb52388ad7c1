"""The hash that gives each staged record its series (``attr_hash``), from the record's raw staged values.

A record's attributes are a function of its staged columns, so a hash of their raw values identifies its
attribute combination (its series) without building the attribute text per record
(``llm_tco.ingest.series``). Of the metadata only the kept keys are hashed (the keys the attribution rules
read and the few-valued ones, ``llm_tco.ingest.kept_metadata``): a per-request member (a request's token
split, a response id) must not make a series of every record.

The validation computes the hash in each pass that needs it (the series, the sums). A file read into a
staged table has it computed once instead, as a column of that table (:data:`SERIES_HASH_COLUMN`): its
kept keys are sampled from the head of the staged query before the table is written (the same first
records the table will hold), and the validation then reads the column (``validation_sql``'s
``series``): 0.2 s of each of those two passes for a million LiteLLM rows, whose metadata is JSON. Where
the metadata is key and value lists (OTel attributes), the table holds only the kept keys' values
(``SeriesHash.kept_metadata_sql``): nothing reads the others once the table is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from llm_tco.config.attribution import AttributionRule
from llm_tco.ingest.attribution import metadata_keys
from llm_tco.ingest.base import ATTRIBUTE_COLUMNS, StagedSource
from llm_tco.ingest.kept_metadata import few_valued_keys, kept_pairs_sql, kept_values_sql
from llm_tco.ingest.staging import materialize_staged
from llm_tco.ingest.value_sql import StagedColumns, staged_columns

__all__ = [
    "SERIES_HASH_COLUMN",
    "SeriesHash",
    "hashed_columns",
    "head_series_hash",
    "materialize_hashed",
    "series_hash",
]

SERIES_HASH_COLUMN = "_attr_hash"
"""The staged table's column of each record's series hash, when it was computed as the table was written."""


@dataclass(frozen=True)
class SeriesHash:
    """How a staged relation's records are hashed into series."""

    sql: str
    """The hash, of the staged relation's columns aliased ``s``."""
    kept_keys: tuple[str, ...]
    """The metadata keys hashed (sorted), which the series keep (``kept_metadata.projection_sql``)."""
    kept_metadata_sql: str | None = None
    """The staged ``metadata`` reduced to the kept keys (``kept_metadata.kept_pairs_sql``), of the staged
    columns aliased ``s``, for a staged table to hold instead; None: the table holds it whole."""


def hashed_columns(staged: StagedColumns) -> list[str]:
    """The staged columns a series is made of (those the adapter stages: a column NULL in every record
    would only cost time to hash)."""
    return [
        c
        for c in (*ATTRIBUTE_COLUMNS, "service_name", "tags", "metadata")
        if staged.kinds.get(c, "null") != "null"
    ]


def series_hash(
    con: duckdb.DuckDBPyConnection,
    staged_sql: str,
    staged_params: list[object],
    *,
    rules: tuple[AttributionRule, ...] = (),
    workload_from: str | None = None,
    staged: StagedColumns | None = None,
) -> SeriesHash:
    """The series hash of the staged relation ``staged_sql`` (its columns ``staged`` when known), its
    metadata's kept keys sampled from its first records."""
    staged = staged or staged_columns(con, staged_sql, staged_params)
    kept = set(metadata_keys(rules, workload_from))
    metadata, kind = staged.col("metadata")
    if kind != "null":
        kept |= few_valued_keys(con, staged_sql, staged_params, metadata, kind)
    hashed = [f's."{c}"' for c in hashed_columns(staged) if c != "metadata"]
    if kind != "null" and kept:
        hashed.append(kept_values_sql(metadata, kind, sorted(kept)))
    return SeriesHash(
        f"hash({', '.join(hashed)})" if hashed else "hash(NULL)",
        tuple(sorted(kept)),
        kept_pairs_sql(metadata, kind, sorted(kept)),
    )


def head_series_hash(
    con: duckdb.DuckDBPyConnection,
    staged_sql: str,
    staged_params: list[object],
    rules: tuple[AttributionRule, ...],
    workload_from: str | None,
) -> SeriesHash | None:
    """The series hash of a file about to be read into its staged table, from the staged query's first
    records; None when its fast reader cannot read them (the table is then written by another reader,
    and the validation hashes its records itself)."""
    try:
        return series_hash(con, staged_sql, staged_params, rules=rules, workload_from=workload_from)
    except duckdb.Error:
        return None


def materialize_hashed(
    con: duckdb.DuckDBPyConnection,
    staged: StagedSource,
    rules: tuple[AttributionRule, ...],
    workload_from: str | None,
) -> tuple[StagedSource, SeriesHash | None]:
    """``materialize_staged`` with each record's series hash written into the table, and key and value
    metadata reduced to the kept keys, when the fast reader wrote it; the hash None when another reader
    did (the lenient or per-record one, which compute no hash: the validation hashes their records)."""
    series = head_series_hash(con, staged.sql, staged.params, rules, workload_from)
    if series is None:
        return materialize_staged(con, staged), None
    extra = f", {series.sql} AS {SERIES_HASH_COLUMN}"
    table = materialize_staged(con, staged, extra, series.kept_metadata_sql)
    if SERIES_HASH_COLUMN not in staged_columns(con, table.sql, []).kinds:
        return table, None
    return table, series
